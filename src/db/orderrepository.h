#pragma once

#include "core/order.h"
#include "core/result.h"
#include "db/database.h"

#include <QHash>
#include <QList>
#include <optional>

namespace qrt::db {

struct TicketCounts
{
    int live = 0;
    int used = 0;
    int cancelled = 0;
    int total() const { return live + used + cancelled; }
};

// An order with its ticket counts, as the order list shows it.
struct OrderRow
{
    core::Order order;
    TicketCounts tickets;

    // Every event (product) of the order by name, first event first: "Summer Gala + Jazz Night".
    // An order of the original system (no line items) names its one event.
    QString eventNames() const;
};

enum class CheckInState { Any, NotArrived, Partial, Complete, NoLiveTickets };

enum class OrderSort { OrderId, Contact, Email, Event, Live, Used, Cancelled, Total, PaymentStatus, Updated, DateAdded };

struct OrderQuery
{
    QString search; // words, each matching order id, name, e-mail or phone
    QString eventId;
    QString paymentStatus;
    CheckInState checkIn = CheckInState::Any;
    OrderSort sort = OrderSort::DateAdded;
    Qt::SortOrder order = Qt::DescendingOrder;
    QStringList orderIds; // when not empty: only these orders (the list re-reading changed rows)
    int offset = 0;
    int limit = 200;
};

struct EventInfo
{
    QString eventId;
    QString eventName;
    int orders = 0;
};

// A guest found by name through the door view (no e-mail or phone): what "Find by name" shows.
struct DoorGuest
{
    QString orderId;
    QString firstName;
    QString lastName;
    QString events; // the event names of the order's tickets, comma-separated
};

class OrderRepository
{
public:
    explicit OrderRepository(Database &db) : m_db(db) { }

    // Inserts or updates the orders in one transaction. The QR image, its push time, the ticket
    // counts and inserted_at are not touched.
    core::Result<int> upsert(const QList<core::Order> &orders);
    core::Result<std::optional<OrderRow>> get(const QString &orderId);
    // The stored id of an order typed or scanned in any letter case (a scanner with Caps Lock on):
    // the id as given when it exists, else the one that differs only in case; empty when none.
    core::Result<QString> storedOrderId(const QString &typed);
    // The line items of these orders (one query, without the rest of each row).
    core::Result<QHash<QString, QList<core::OrderItem>>> lineItems(const QStringList &orderIds);
    core::Result<QList<OrderRow>> list(const OrderQuery &query);
    core::Result<int> count(const OrderQuery &query);
    // doorViews: from the qrt_door_tickets view, for a login in qrtickets_door (issue 13 point 3).
    core::Result<QList<EventInfo>> events(bool doorViews = false);
    // A door login's "Find by name" (PostgreSQL, qrt_door_tickets): orders whose guest name or order
    // id contains `text` (any letter case), of `eventId` (empty: any), by name, at most `limit`.
    core::Result<QList<DoorGuest>> doorGuests(const QString &text, const QString &eventId, int limit);
    core::Result<QStringList> paymentStatuses();
    // GHL's updatedAt of every stored order: what an incremental sync compares against.
    core::Result<QHash<QString, QDateTime>> ghlUpdatedAt();
    core::Result<void> setQrImage(const QString &orderId, const QString &dataUrl, const QDateTime &pushedAt);

    // Used by upsert and by writers that combine it with ticket changes in one transaction:
    // prepareUpsert() once, then upsertOne() per order.
    static core::Result<Query> prepareUpsert(Database &db, const QString &what);
    static core::Result<void> upsertOne(Query &prepared, const core::Order &order);
    static QString upsertSql(const Database &db);

private:
    // The FROM of a list query: on SQLite, the search index when a search sorted by a column other
    // than date or name has few matches.
    core::Result<QString> sqliteSource(const OrderQuery &query);
    Database &m_db;
};

QString toString(CheckInState state);

} // namespace qrt::db
