#pragma once

// Shared by the ticket repository's files (reads, admission, reconcile, history); not an API.

#include "core/result.h"
#include "core/ticket.h"
#include "db/database.h"

#include <optional>

namespace qrt::db::ticketsql {

// The columns ticketFrom() reads, for "SELECT <kTicketColumns> FROM ghl_qr_tickets ...".
extern const QString kTicketColumns;

// The status as SQL text: 'live', 'used', 'cancelled' (core::toString is the one spelling).
QString sqlStatus(core::TicketStatus status);

core::Ticket ticketFrom(const Query &q);

// A ticket's event: its own product, else (tickets of the original system, product_id NULL or '')
// its order's event, as door::DoorCheck reads it. t and o are the aliases of ghl_qr_tickets and
// ghl_qr_orders in the statement.
inline const QString kTicketEventExpr = QStringLiteral("coalesce(NULLIF(t.product_id, ''), o.event_id)");

// " AND lower(<ticket's event>) IN (lower(:ev0), ...)" for a door's events (ids in any letter case,
// as [door] event may be typed), empty for every event; bind
// the values with bindEvents().
QString eventCondition(const QStringList &events);
void bindEvents(Query &q, const QStringList &events);

// A statement prepared once per connection and then reused: QPSQL prepares on the server, so a
// fresh prepare() costs a PREPARE and a DEALLOCATE round trip besides the EXECUTE. For the door's
// statements, run on every scan. The cache hangs off the connection's driver (it goes with the
// connection) and is emptied when the connection was made anew (another backend) or a cached
// statement failed. Bind every placeholder before each exec(); exec through execCached().
core::Result<Query> cached(Database &db, const QString &sql, const QString &what);
core::Result<void> execCached(Database &db, Query &q);

// Writes one row of ticket_events.
core::Result<void> insertEvent(Database &db, qint64 ticketId, const QString &orderId,
                               std::optional<core::TicketStatus> from, core::TicketStatus to, const QString &actor,
                               const QString &reason);

// The conditional UPDATE at the heart of every change: it only applies while the ticket still
// has the status the caller saw, so concurrent stations cannot both win. false: it had changed.
core::Result<bool> changeIn(Database &db, qint64 ticketId, const QString &orderId, core::TicketStatus from,
                            core::TicketStatus to, const QString &reason, const QString &actor);

} // namespace qrt::db::ticketsql
