#pragma once

#include "core/order.h"
#include "core/result.h"
#include "core/ticket.h"

#include <QByteArray>
#include <QList>
#include <QLocale>
#include <QPageSize>
#include <QString>

#include <optional>

namespace qrt::tickets {

// What goes on the pages.
struct TicketPdfOptions
{
    // Empty: from the locale (Letter where it is the usual paper, A4 elsewhere).
    std::optional<QPageSize::PageSizeId> pageSize;
    QLocale locale; // paper size and the dates printed
    int resolution = 300; // dpi of the page's coordinate system
};

// The usual paper of the locale's country: Letter in the US, Canada, Mexico, the Philippines and
// most of Central and South America that follows them; A4 everywhere else.
QPageSize::PageSizeId pageSizeFor(const QLocale &locale);

// The tickets a PDF holds: every ticket of the order but the cancelled ones (a cancelled code is
// refused at the door, so printing it would only mislead), in ticket order. Used tickets stay in,
// marked "Already admitted" on their page.
QList<core::Ticket> printableTickets(const QList<core::Ticket> &tickets);

// "tickets-<order_id>.pdf": the file name of the save dialog and of the GHL upload (the outbox's
// check of what a FILE_UPLOAD field holds compares it).
QString ticketPdfFileName(const QString &orderId);

// Renders the order's printable tickets, one per page: event, ticket type, buyer, order id,
// "Ticket 2 of 4", and a large QR of the ticket's own `code` (what the door admits as exactly that
// ticket) with the code in text under it. Needs a QGuiApplication (fonts); any thread.
// Errors: "tickets.none" (nothing printable), "tickets.no_gui", "tickets.qr", "tickets.pdf".
core::Result<QByteArray> renderTicketPdf(const core::Order &order, const QList<core::Ticket> &tickets,
                                         const TicketPdfOptions &options = {});
// The same, written to `path` (replaced only once the whole PDF is written).
core::Result<int> writeTicketPdf(const QString &path, const core::Order &order, const QList<core::Ticket> &tickets,
                                 const TicketPdfOptions &options = {});

} // namespace qrt::tickets
