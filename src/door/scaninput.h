#pragma once

#include <QString>

namespace qrt::door {

// What a USB scanner (or a person) typed into the check-in field.
struct ScanInput
{
    enum class Kind { Empty, TicketCode, OrderId, Unrecognised };
    Kind kind = Kind::Empty;
    QString value; // the ticket code (lower-case hex) or the order id
};

// Accepts the order URL of qr.url_template (the QR printed for the buyer), any URL whose last
// path segment is an order id, a bare order id, or a 32-hex ticket code.
ScanInput parseScan(const QString &text, const QString &urlTemplate);

} // namespace qrt::door
