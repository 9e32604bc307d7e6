#pragma once

#include "core/ticketstatus.h"

#include <optional>

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace qrt::core {

struct Ticket
{
    qint64 ticketId = 0;
    QString orderId;
    QString ticketType;
    QString productId;
    TicketStatus status = TicketStatus::Live;
    QString code; // random and unique: what a per-ticket QR carries
    QDateTime createdAt;
    QDateTime updatedAt;
    QString updatedBy; // station or user that made the last change

    friend bool operator==(const Ticket &, const Ticket &) = default;
};

// One row of ticket_events: the audit trail.
struct TicketEvent
{
    qint64 id = 0;
    qint64 ticketId = 0;
    QString orderId;
    std::optional<TicketStatus> from; // empty when the ticket was created
    TicketStatus to = TicketStatus::Live;
    QDateTime at;
    QString actor; // station name, user, or "sync"
    QString reason;
};

} // namespace qrt::core

Q_DECLARE_METATYPE(qrt::core::Ticket)
