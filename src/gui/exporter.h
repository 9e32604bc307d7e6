#pragma once

#include "core/result.h"
#include "db/orderrepository.h"

#include <QByteArray>
#include <QList>
#include <QString>

class QPrinter;

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

// RFC 4180 CSV in UTF-8 with a BOM (so spreadsheet programs pick the encoding); cells that a
// spreadsheet would run as a formula are prefixed with an apostrophe.
QByteArray ordersCsv(const QList<db::OrderRow> &rows);
QByteArray doorListCsv(const QList<DoorEntry> &entries);

QString doorListHtml(const QString &eventName, const QList<DoorEntry> &entries);
// Prints (or writes a PDF when the printer's output format is PDF). GUI thread only.
void printDoorList(QPrinter &printer, const QString &eventName, const QList<DoorEntry> &entries);

QString csvField(const QString &text);

} // namespace exporter
} // namespace qrt::gui
