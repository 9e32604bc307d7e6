#pragma once

#include <QMetaType>
#include <QString>
#include <QStringView>

#include <optional>

namespace qrt::core {

enum class TicketStatus { Live, Used, Cancelled };

// Database and JSON spelling: "live", "used", "cancelled" (as in the original system).
QString toString(TicketStatus status);
// The same status for people, in the user's language ("live" -> "gültig" in German). Never stored.
QString displayName(TicketStatus status);
std::optional<TicketStatus> ticketStatusFromString(QStringView text);

enum class TransitionCheck {
    Allowed,          // live -> used (an admission) needs no reason
    NeedsReason,      // used -> live (undo), * -> cancelled, cancelled -> live (restore)
    Invalid,          // same status, or cancelled -> used
};

// PRODUCT.md section 2, "Ticket rules".
TransitionCheck checkTransition(TicketStatus from, TicketStatus to);

// Why a transition is refused, as a sentence for staff; empty when it is allowed.
QString transitionProblem(TicketStatus from, TicketStatus to, const QString &reason);

} // namespace qrt::core

Q_DECLARE_METATYPE(qrt::core::TicketStatus)
