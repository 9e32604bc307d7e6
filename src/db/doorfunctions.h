#pragma once

#include "core/result.h"
#include "core/ticket.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <QStringList>

#include <optional>

// The door role's side of the database (issue 13): which group the connected user is in, and the
// SECURITY DEFINER functions of `qrtickets roles install` (resources/sql/roles/postgresql_roles.sql)
// called from C++. A station connected as a door login must admit through these: it has no right
// on the tables. No widgets here; the check-in panel and the offline cache call them.
namespace qrt::db {

enum class DatabaseRole {
    Full,  // SQLite, a superuser, the owner, or a user in no QR Tickets group: everything
    Admin, // in qrtickets_admin
    Door,  // in qrtickets_door only
};

// The connected user's role (PostgreSQL: from the group memberships of session_user).
core::Result<DatabaseRole> detectRole(Database &db);

// One row of qrt_door_admit_code / qrt_door_admit_order.
struct DoorAdmission
{
    // admitted, already_used, cancelled (the ticket), not_found, other_event, unpaid, no_live_tickets,
    // refunded or order_cancelled (the order is void: GHL's payment or order status says refunded,
    // or cancelled / canceled / voided; checked first, as DoorCheck's Refunded and OrderCancelled)
    QString outcome;
    qint64 ticketId = 0;
    QString orderId;
    QString ticketStatus;
    QString usedBy; // the station (actor) that admitted it, when used
    QDateTime usedAt;
    int admittedInOrder = 0;
    int totalInOrder = 0;
    QString firstName;
    QString lastName;
    QString paymentStatus;
    QString eventId;
};

// One row of qrt_door_cache / qrt_door_tickets: what the offline door cache copies.
struct DoorCacheRow
{
    qint64 ticketId = 0;
    QString code;
    QString orderId;
    QString ticketType;
    QString productId;
    QString eventId;
    QString eventName;
    QString firstName;
    QString lastName;
    QString paymentStatus;
    QString orderStatus;
    QString status;
    QString updatedBy;
    QDateTime updatedAt;
};

class DoorFunctions
{
public:
    explicit DoorFunctions(Database &db) : m_db(db) { }

    // events: the station's product ids (any letter case), empty for every event. admitUnpaid
    // false: an unpaid order answers "unpaid" instead of admitting.
    core::Result<DoorAdmission> admitCode(const QString &code, const QString &station, const QStringList &events = {},
                                          bool admitUnpaid = true);
    core::Result<DoorAdmission> admitOrder(const QString &orderId, const QString &station,
                                           const QStringList &events = {}, bool admitUnpaid = true);
    // The caller's own admission within 10 minutes: true when undone, false when the ticket is not
    // used; another operator's or an older admission is an error (SQLSTATE 42501).
    core::Result<bool> undo(qint64 ticketId, const QString &station);
    core::Result<QList<DoorCacheRow>> cache(const QStringList &events = {});
    // The door station's own verdict path (door::DoorCheck decides, as for any login): the
    // conditional UPDATE of one ticket, live -> used, through qrt_door_admit_ticket. The ticket when
    // this call took it, nothing when it was not live. reason: empty, "unpaid" or "offline at TIME".
    core::Result<std::optional<core::Ticket>> admitTicket(qint64 ticketId, const QString &station,
                                                          const QString &reason = {});
    // A queued offline admission lost on upload: its ticket_events row (qrt_door_record_conflict,
    // written once). admittedAt: when the station admitted it offline.
    core::Result<void> recordConflict(qint64 ticketId, const QString &station, const QDateTime &admittedAt);
    // One ticket as the door may read it (qrt_door_tickets), nothing when there is no such ticket.
    core::Result<std::optional<core::Ticket>> ticket(qint64 ticketId);

private:
    core::Result<DoorAdmission> admit(const QString &function, const QString &key, const QString &station,
                                      const QStringList &events, bool admitUnpaid);
    Database &m_db;
};

} // namespace qrt::db
