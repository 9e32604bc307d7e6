#include "gui/exporter.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QPrinter>
#include <QTextDocument>

namespace qrt::gui::exporter {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("qrt::gui::Exporter", text);
}

QByteArray csv(const QList<QStringList> &lines)
{
    QByteArray out("\xEF\xBB\xBF");
    for (const QStringList &line : lines) {
        QStringList cells;
        cells.reserve(line.size());
        for (const QString &cell : line)
            cells << csvField(cell);
        out += cells.join(u',').toUtf8();
        out += "\r\n";
    }
    return out;
}
} // namespace

QString csvField(const QString &text)
{
    QString t = text;
    if (!t.isEmpty() && (t[0] == u'=' || t[0] == u'+' || t[0] == u'-' || t[0] == u'@'))
        t.prepend(u'\'');
    if (t.contains(u',') || t.contains(u'"') || t.contains(u'\n') || t.contains(u'\r'))
        return u'"' + QString(t).replace(QStringLiteral("\""), QStringLiteral("\"\"")) + u'"';
    return t;
}

core::Result<QList<db::OrderRow>> fetchOrders(db::Database &database, db::OrderQuery query)
{
    db::OrderRepository repository(database);
    QList<db::OrderRow> all;
    query.limit = 5000;
    for (query.offset = 0;; query.offset += query.limit) {
        auto page = repository.list(query);
        if (!page)
            return page.error();
        all.append(page.value());
        if (page->size() < query.limit)
            break;
    }
    return all;
}

core::Result<QList<DoorEntry>> fetchDoorList(db::Database &database, const QString &eventId)
{
    db::OrderQuery query;
    query.eventId = eventId;
    query.sort = db::OrderSort::Contact;
    query.order = Qt::AscendingOrder;
    auto rows = fetchOrders(database, query);
    if (!rows)
        return rows.error();
    QList<DoorEntry> entries;
    for (const db::OrderRow &row : rows.value()) {
        const int tickets = row.tickets.live + row.tickets.used;
        if (tickets == 0)
            continue; // fully cancelled orders do not get in
        DoorEntry e;
        e.lastName = row.order.contactLastName;
        e.firstName = row.order.contactFirstName;
        e.email = row.order.contactEmail;
        e.orderId = row.order.orderId;
        e.tickets = tickets;
        e.admitted = row.tickets.used;
        QStringList types;
        for (auto it = row.order.ticketQuantities.cbegin(); it != row.order.ticketQuantities.cend(); ++it)
            types << QStringLiteral("%1 x %2").arg(it.value()).arg(it.key());
        e.ticketTypes = types.join(QStringLiteral(", "));
        entries.append(e);
    }
    return entries;
}

QByteArray ordersCsv(const QList<db::OrderRow> &rows)
{
    QList<QStringList> lines;
    lines.reserve(rows.size() + 1);
    lines << QStringList { QStringLiteral("order_id"), QStringLiteral("contact_firstname"), QStringLiteral("contact_lastname"),
                           QStringLiteral("contact_email"), QStringLiteral("contact_phone"), QStringLiteral("event_name"),
                           QStringLiteral("tickets_live"), QStringLiteral("tickets_used"), QStringLiteral("tickets_cancelled"),
                           QStringLiteral("total_paid"), QStringLiteral("payment_currency"), QStringLiteral("payment_status"),
                           QStringLiteral("date_added"), QStringLiteral("updated_at") };
    for (const db::OrderRow &r : rows) {
        const core::Order &o = r.order;
        lines << QStringList { o.orderId, o.contactFirstName, o.contactLastName, o.contactEmail, o.contactPhone, o.eventName,
                               QString::number(r.tickets.live), QString::number(r.tickets.used),
                               QString::number(r.tickets.cancelled), QString::number(o.totalPaid, 'f', 2),
                               o.paymentCurrency, o.paymentStatus, o.dateAdded.toUTC().toString(Qt::ISODate),
                               o.updatedAt.toUTC().toString(Qt::ISODate) };
    }
    return csv(lines);
}

QByteArray doorListCsv(const QList<DoorEntry> &entries)
{
    QList<QStringList> lines;
    lines << QStringList { QStringLiteral("last_name"), QStringLiteral("first_name"), QStringLiteral("email"),
                           QStringLiteral("order_id"), QStringLiteral("tickets"), QStringLiteral("admitted"),
                           QStringLiteral("ticket_types") };
    for (const DoorEntry &e : entries)
        lines << QStringList { e.lastName, e.firstName, e.email, e.orderId, QString::number(e.tickets),
                               QString::number(e.admitted), e.ticketTypes };
    return csv(lines);
}

QString doorListHtml(const QString &eventName, const QList<DoorEntry> &entries)
{
    int tickets = 0;
    for (const DoorEntry &e : entries)
        tickets += e.tickets;
    QString html = QStringLiteral("<html><body style=\"font-family: sans-serif; font-size: 9pt\">");
    html += QStringLiteral("<h2>%1</h2>").arg(tr("Door list: %1").arg(eventName.toHtmlEscaped()));
    html += QStringLiteral("<p>%1</p>")
                .arg(tr("%1 orders, %2 tickets. Printed %3.")
                         .arg(entries.size())
                         .arg(tickets)
                         .arg(QLocale().toString(QDateTime::currentDateTime(), QLocale::ShortFormat)).toHtmlEscaped());
    html += QStringLiteral("<table width=\"100%\" border=\"1\" cellspacing=\"0\" cellpadding=\"3\">"
                           "<tr><th>&#x2610;</th><th align=\"left\">%1</th><th align=\"left\">%2</th><th align=\"left\">%3</th>"
                           "<th align=\"right\">%4</th><th align=\"left\">%5</th></tr>")
                .arg(tr("Name"), tr("E-mail"), tr("Order"), tr("Tickets"), tr("Types"));
    for (const DoorEntry &e : entries) {
        const QString name = e.firstName.isEmpty() ? e.lastName : e.lastName + QStringLiteral(", ") + e.firstName;
        html += QStringLiteral("<tr><td></td><td>%1</td><td>%2</td><td>%3</td><td align=\"right\">%4</td><td>%5</td></tr>")
                    .arg(name.toHtmlEscaped(), e.email.toHtmlEscaped(), e.orderId.toHtmlEscaped(),
                         QString::number(e.tickets), e.ticketTypes.toHtmlEscaped());
    }
    html += QStringLiteral("</table></body></html>");
    return html;
}

void printDoorList(QPrinter &printer, const QString &eventName, const QList<DoorEntry> &entries)
{
    QTextDocument document;
    document.setHtml(doorListHtml(eventName, entries));
    document.print(&printer);
}

} // namespace qrt::gui::exporter
