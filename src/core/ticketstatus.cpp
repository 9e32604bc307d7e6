#include "core/ticketstatus.h"

#include <QCoreApplication>

namespace qrt::core {

QString toString(TicketStatus status)
{
    switch (status) {
    case TicketStatus::Live:
        return QStringLiteral("live");
    case TicketStatus::Used:
        return QStringLiteral("used");
    case TicketStatus::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

QString displayName(TicketStatus status)
{
    switch (status) {
    case TicketStatus::Live:
        return QCoreApplication::translate("qrt::core::TicketStatus", "live");
    case TicketStatus::Used:
        return QCoreApplication::translate("qrt::core::TicketStatus", "used");
    case TicketStatus::Cancelled:
        return QCoreApplication::translate("qrt::core::TicketStatus", "cancelled");
    }
    return {};
}

std::optional<TicketStatus> ticketStatusFromString(QStringView text)
{
    const QStringView t = text.trimmed();
    if (t.compare(u"live", Qt::CaseInsensitive) == 0)
        return TicketStatus::Live;
    if (t.compare(u"used", Qt::CaseInsensitive) == 0)
        return TicketStatus::Used;
    if (t.compare(u"cancelled", Qt::CaseInsensitive) == 0 || t.compare(u"canceled", Qt::CaseInsensitive) == 0)
        return TicketStatus::Cancelled;
    return std::nullopt;
}

TransitionCheck checkTransition(TicketStatus from, TicketStatus to)
{
    if (from == to)
        return TransitionCheck::Invalid;
    if (from == TicketStatus::Live && to == TicketStatus::Used)
        return TransitionCheck::Allowed;
    if (from == TicketStatus::Cancelled && to == TicketStatus::Used)
        return TransitionCheck::Invalid; // restore it first, with a reason
    return TransitionCheck::NeedsReason;
}

QString transitionProblem(TicketStatus from, TicketStatus to, const QString &reason)
{
    switch (checkTransition(from, to)) {
    case TransitionCheck::Allowed:
        return {};
    case TransitionCheck::NeedsReason:
        if (reason.trimmed().isEmpty())
            return QCoreApplication::translate("qrt::core", "Changing a ticket from %1 to %2 needs a reason.")
                .arg(displayName(from), displayName(to));
        return {};
    case TransitionCheck::Invalid:
        if (from == to)
            return QCoreApplication::translate("qrt::core", "The ticket is already %1.").arg(displayName(to));
        return QCoreApplication::translate("qrt::core",
                                           "A cancelled ticket cannot be admitted; restore it to live first.");
    }
    return {};
}

} // namespace qrt::core
