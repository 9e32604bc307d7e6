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

// Writes one row of ticket_events.
core::Result<void> insertEvent(Database &db, qint64 ticketId, const QString &orderId,
                               std::optional<core::TicketStatus> from, core::TicketStatus to, const QString &actor,
                               const QString &reason);

// The conditional UPDATE at the heart of every change: it only applies while the ticket still
// has the status the caller saw, so concurrent stations cannot both win. false: it had changed.
core::Result<bool> changeIn(Database &db, qint64 ticketId, const QString &orderId, core::TicketStatus from,
                            core::TicketStatus to, const QString &reason, const QString &actor);

} // namespace qrt::db::ticketsql
