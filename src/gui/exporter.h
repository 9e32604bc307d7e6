#pragma once

#include "core/result.h"
#include "db/orderrepository.h"

#include <QByteArray>
#include <QDate>
#include <QList>
#include <QLocale>
#include <QString>

class QPagedPaintDevice;

namespace qrt::gui {

// One line of a door list: who to let in for one order.
struct DoorEntry
{
    QString lastName;
    QString firstName;
    QString email;
    QString orderId;
    int tickets = 0;   // live + used
    int admitted = 0;  // used
    QString ticketTypes; // "2 x VIP, 1 x Student"
};

// Export helpers. The fetch functions run on the DbWorker thread; formatting is pure.
namespace exporter {

// Every order matching the query (offset/limit ignored), in its sort order.
core::Result<QList<db::OrderRow>> fetchOrders(db::Database &database, db::OrderQuery query);
core::Result<QList<DoorEntry>> fetchDoorList(db::Database &database, const QString &eventId);

// The field separator of a CSV file. Spreadsheet programs in locales that write decimals with a
// comma (de, fr, es, ...) expect a semicolon and a decimal comma; elsewhere a comma and a point.
enum class CsvSeparator { Comma, Semicolon };
CsvSeparator defaultCsvSeparator(const QLocale &locale = QLocale());

// RFC 4180 CSV in UTF-8 with a BOM (so spreadsheet programs pick the encoding), headings in the
// user's language. Amounts use the decimal mark that goes with the separator: "12.50" with a
// comma, "12,50" with a semicolon (what a spreadsheet set to that locale reads as a number);
// never a thousands separator.
QByteArray ordersCsv(const QList<db::OrderRow> &rows, CsvSeparator separator = CsvSeparator::Comma);
QByteArray doorListCsv(const QList<DoorEntry> &entries, CsvSeparator separator = CsvSeparator::Comma);

// One cell. A cell a spreadsheet would run as a formula (starting with =, @, tab, CR, or + / -
// followed by anything else than a phone number or a number) gets an apostrophe in front, as
// OWASP's CSV injection advice says; phone numbers ("+49 170 1234567") and negative numbers
// ("-12.50") stay as they are. Quoted when it holds the separator, a quote or a line break.
QString csvField(const QString &text, CsvSeparator separator = CsvSeparator::Comma);
QString csvAmount(double value, CsvSeparator separator);

// "door-list-summer-gala-2026-11-29.pdf": the event's name made safe for every file system
// (letters and digits, runs of anything else become one "-"), then the date.
QString doorListFileName(const QString &eventName, const QDate &date, const QString &suffix);

// Lays the door list out on pages: title, event and column headings on every page, one row per
// order with its admitted count ("2 of 3") and a box to tick per ticket not yet admitted, and
// "Page 1 of N" at the foot. Prints, or writes a PDF when the device is a PDF printer or
// QPdfWriter. GUI thread only. Returns the number of pages (0 when the device cannot be painted).
int printDoorList(QPagedPaintDevice &device, const QString &eventName, const QList<DoorEntry> &entries);

} // namespace exporter
} // namespace qrt::gui
