#include "gui/exporter.h"

#include "db/ticketrepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFont>
#include <QFontMetricsF>
#include <QLocale>
#include <QPagedPaintDevice>
#include <QPainter>
#include <QRegularExpression>

#include <algorithm>

namespace qrt::gui::exporter {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::gui::Exporter)
};

QChar separatorChar(CsvSeparator separator)
{
    return separator == CsvSeparator::Semicolon ? u';' : u',';
}

// "+49 170 1234567": a plus, then digits and spaces only (the rule). With punctuation
// allowed, "+1-2" or "+100/3" would be kept and a spreadsheet would compute them, so "+1 (555)
// 123-4567" gets the neutralising apostrophe like any other formula-like cell.
bool isPhoneNumber(const QString &text)
{
    static const QRegularExpression phone(QStringLiteral("^\\+[0-9 ]*[0-9][0-9 ]*$"));
    return phone.match(text).hasMatch();
}

// "-12.50", "-12,50", "-3".
bool isNegativeNumber(const QString &text)
{
    static const QRegularExpression number(QStringLiteral("^-[0-9]+([.,][0-9]+)?$"));
    return number.match(text).hasMatch();
}

QByteArray csv(const QList<QStringList> &lines, CsvSeparator separator)
{
    QByteArray out("\xEF\xBB\xBF");
    for (const QStringList &line : lines) {
        QStringList cells;
        cells.reserve(line.size());
        for (const QString &cell : line)
            cells << csvField(cell, separator);
        out += cells.join(separatorChar(separator)).toUtf8();
        out += "\r\n";
    }
    return out;
}

// Letters and digits of `text` in lower case, accents dropped ("Café" -> "cafe"), every run of
// anything else (spaces, / \ : * ? " < > |, dots) one "-", none at either end.
QString fileNamePart(const QString &text)
{
    QString part;
    bool gap = false;
    for (const QChar c : text.normalized(QString::NormalizationForm_KD).toLower()) {
        if (c.category() == QChar::Mark_NonSpacing)
            continue;
        if (!c.isLetterOrNumber()) {
            gap = true;
            continue;
        }
        if (gap && !part.isEmpty())
            part += u'-';
        gap = false;
        part += c;
    }
    constexpr int kMaxLength = 60; // well below every file system's limit, with room for the rest
    if (part.size() > kMaxLength) {
        part.truncate(kMaxLength);
        while (part.endsWith(u'-'))
            part.chop(1);
    }
    return part;
}
} // namespace

CsvSeparator defaultCsvSeparator(const QLocale &locale)
{
    return locale.decimalPoint() == QStringLiteral(",") ? CsvSeparator::Semicolon : CsvSeparator::Comma;
}

QString csvField(const QString &text, CsvSeparator separator)
{
    QString t = text;
    if (!t.isEmpty()) {
        const QChar first = t.front();
        const bool formula = first == u'=' || first == u'@' || first == u'\t' || first == u'\r'
            || (first == u'+' && !isPhoneNumber(t)) || (first == u'-' && !isNegativeNumber(t));
        if (formula)
            t.prepend(u'\'');
    }
    if (t.contains(separatorChar(separator)) || t.contains(u'"') || t.contains(u'\n') || t.contains(u'\r'))
        return u'"' + t.replace(QStringLiteral("\""), QStringLiteral("\"\"")) + u'"';
    return t;
}

QString csvAmount(double value, CsvSeparator separator)
{
    QString text = QString::number(value, 'f', 2);
    if (separator == CsvSeparator::Semicolon)
        text.replace(u'.', u',');
    return text;
}

QString doorListFileName(const QString &eventName, const QDate &date, const QString &suffix)
{
    // The first word of a saved door list's name: "door-list-summer-gala-2026-11-29.pdf".
    QString start = fileNamePart(Tr::tr("door-list", "start of a saved door list's file name"));
    if (start.isEmpty())
        start = QStringLiteral("door-list");
    QStringList parts { start };
    const QString event = fileNamePart(eventName);
    if (!event.isEmpty())
        parts << event;
    if (date.isValid())
        parts << date.toString(Qt::ISODate);
    return parts.join(u'-') + u'.' + suffix;
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
    // Each ticket counts for its own event: an order of two events is on both lists, each time
    // with that event's tickets (not every ticket under the order's first event).
    auto rows = db::TicketRepository(database).doorList(eventId);
    if (!rows)
        return rows.error();
    QList<DoorEntry> entries;
    for (const db::DoorListRow &row : rows.value()) {
        const int tickets = row.live + row.used;
        if (tickets == 0)
            continue; // fully cancelled orders do not get in
        DoorEntry e;
        e.lastName = row.lastName;
        e.firstName = row.firstName;
        e.email = row.email;
        e.orderId = row.orderId;
        e.tickets = tickets;
        e.admitted = row.used;
        QStringList types;
        for (auto it = row.ticketTypes.cbegin(); it != row.ticketTypes.cend(); ++it) {
            if (it.value() > 0)
                types << QStringLiteral("%1 x %2").arg(it.value()).arg(it.key());
        }
        e.ticketTypes = types.join(QStringLiteral(", "));
        entries.append(e);
    }
    return entries;
}

QByteArray ordersCsv(const QList<db::OrderRow> &rows, CsvSeparator separator)
{
    QList<QStringList> lines;
    lines.reserve(rows.size() + 1);
    lines << QStringList { Tr::tr("Order"), Tr::tr("First name"), Tr::tr("Last name"), Tr::tr("E-mail"), Tr::tr("Phone"),
                           Tr::tr("Event"), Tr::tr("Tickets live"), Tr::tr("Tickets used"), Tr::tr("Tickets cancelled"),
                           Tr::tr("Total paid"), Tr::tr("Currency"), Tr::tr("Payment status"), Tr::tr("Ordered (UTC)"),
                           Tr::tr("Updated (UTC)") };
    for (const db::OrderRow &r : rows) {
        const core::Order &o = r.order;
        lines << QStringList { o.orderId, o.contactFirstName, o.contactLastName, o.contactEmail, o.contactPhone, r.eventNames(),
                               QString::number(r.tickets.live), QString::number(r.tickets.used),
                               QString::number(r.tickets.cancelled), csvAmount(o.totalPaid, separator),
                               o.paymentCurrency, core::paymentStatusDisplayName(o.paymentStatus), o.dateAdded.toUTC().toString(Qt::ISODate),
                               o.updatedAt.toUTC().toString(Qt::ISODate) };
    }
    return csv(lines, separator);
}

QByteArray doorListCsv(const QList<DoorEntry> &entries, CsvSeparator separator)
{
    QList<QStringList> lines;
    lines << QStringList { Tr::tr("Last name"), Tr::tr("First name"), Tr::tr("E-mail"), Tr::tr("Order"), Tr::tr("Tickets"),
                           Tr::tr("Admitted"), Tr::tr("Ticket types") };
    for (const DoorEntry &e : entries)
        lines << QStringList { e.lastName, e.firstName, e.email, e.orderId, QString::number(e.tickets),
                               QString::number(e.admitted), e.ticketTypes };
    return csv(lines, separator);
}

namespace {

// The door list on paper: what door staff use when the scanner fails. Laid out in two passes (row
// heights, then pages) so that every page can say "Page i of N". Columns: a box to tick per ticket
// still to come, the name, how many are in ("2 of 3"), the ticket types, and the order id with the
// e-mail (to find the order in the app, and to tell two people of the same name apart).
class DoorListLayout
{
public:
    DoorListLayout(QPagedPaintDevice &device, const QString &eventName, const QList<DoorEntry> &entries)
        : m_device(device), m_eventName(eventName), m_entries(entries)
    {
        m_mm = device.logicalDpiX() / 25.4;
        m_pad = 1.1 * m_mm;
        m_page = QRectF(0, 0, device.width(), device.height());

        QFont sans(QStringLiteral("DejaVu Sans"));
        sans.setStyleHint(QFont::SansSerif);
        sans.setPointSizeF(9.5);
        m_body = QFont(sans, &device);
        m_heading = m_body;
        m_heading.setPointSizeF(8.5);
        m_heading.setBold(true);
        m_title = m_body;
        m_title.setPointSizeF(15);
        m_title.setBold(true);
        m_small = m_body;
        m_small.setPointSizeF(7.5);
        QFont monospace(QStringLiteral("DejaVu Sans Mono"));
        monospace.setStyleHint(QFont::Monospace);
        monospace.setPointSizeF(7.5);
        m_mono = QFont(monospace, &device);

        int tickets = 0;
        int admitted = 0;
        int mostOpen = 1;
        for (const DoorEntry &e : entries) {
            tickets += e.tickets;
            admitted += e.admitted;
            mostOpen = std::max(mostOpen, e.tickets - e.admitted);
        }
        const QLocale locale;
        m_summary = Tr::tr("Orders: %1 · Tickets: %2 · Admitted: %3 · Printed: %4")
                        .arg(locale.toString(qlonglong(entries.size())), locale.toString(tickets), locale.toString(admitted),
                             locale.toString(QDateTime::currentDateTime(), QLocale::ShortFormat));
        m_headings = { Tr::tr("Tick", "door list column: one box per person let in by hand"), Tr::tr("Name"),
                       Tr::tr("Admitted"), Tr::tr("Ticket types"), Tr::tr("Order") + u'\n' + Tr::tr("E-mail") };

        const QFontMetricsF body(m_body, &device);
        const QFontMetricsF heading(m_heading, &device);
        const QFontMetricsF mono(m_mono, &device);
        m_boxSize = body.height() * 0.8;
        m_boxesPerLine = std::min(mostOpen, 5);
        m_widths.resize(m_headings.size());
        m_widths[0] = std::max(m_boxesPerLine * m_boxSize * 1.4, heading.horizontalAdvance(m_headings[0])) + 2 * m_pad;
        qreal admittedWidth = heading.horizontalAdvance(m_headings[2]);
        qreal orderWidth = 0;
        const QFontMetricsF small(m_small, &device);
        for (const DoorEntry &e : entries) {
            admittedWidth = std::max(admittedWidth, body.horizontalAdvance(admittedText(e)));
            orderWidth = std::max({ orderWidth, mono.horizontalAdvance(e.orderId), small.horizontalAdvance(e.email) });
        }
        m_widths[2] = admittedWidth + 2 * m_pad;
        const qreal rest = m_page.width() - m_widths[0] - m_widths[2];
        // Order id and e-mail on one line each where the page allows; longer e-mails wrap.
        m_widths[4] = std::clamp(orderWidth + 2 * m_pad, rest * 0.2, rest * 0.4);
        m_widths[1] = (rest - m_widths[4]) * 0.55;
        m_widths[3] = rest - m_widths[4] - m_widths[1];

        m_titleHeight = QFontMetricsF(m_title, &device).height();
        m_summaryHeight = body.height();
        m_headingHeight = 0;
        for (qsizetype c = 0; c < m_headings.size(); ++c)
            m_headingHeight = std::max(m_headingHeight, textHeight(m_heading, c, m_headings[c], Qt::TextWordWrap));
        m_headingHeight += 2 * m_pad;
        m_bodyTop = m_titleHeight + 0.8 * m_mm + m_summaryHeight + 3 * m_mm + m_headingHeight;
        m_footHeight = QFontMetricsF(m_small, &device).height();
        m_bodyBottom = m_page.height() - m_footHeight - 3 * m_mm;

        // Pages: as many whole rows as fit under the headings.
        qreal y = m_bodyTop;
        qsizetype first = 0;
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const qreal h = rowHeight(entries[i]);
            m_rowHeights << h;
            if (y + h > m_bodyBottom && i > first) {
                m_pages << qMakePair(first, i);
                first = i;
                y = m_bodyTop;
            }
            y += h;
        }
        m_pages << qMakePair(first, entries.size());
    }

    int paint()
    {
        QPainter painter;
        if (!painter.begin(&m_device))
            return 0;
        for (qsizetype p = 0; p < m_pages.size(); ++p) {
            if (p > 0 && !m_device.newPage())
                return int(p);
            paintPage(painter, p);
        }
        painter.end();
        return int(m_pages.size());
    }

private:
    static QString admittedText(const DoorEntry &e)
    {
        return Tr::tr("%1 of %2", "door list: tickets admitted of the order's tickets").arg(e.admitted).arg(e.tickets);
    }

    static QString nameText(const DoorEntry &e)
    {
        if (e.firstName.isEmpty() || e.lastName.isEmpty())
            return e.lastName + e.firstName;
        return Tr::tr("%1, %2", "door list: last name, first name").arg(e.lastName, e.firstName);
    }

    qreal left(qsizetype column) const
    {
        qreal x = 0;
        for (qsizetype c = 0; c < column; ++c)
            x += m_widths[c];
        return x;
    }

    QRectF cell(qsizetype column, qreal top, qreal height) const
    {
        return QRectF(left(column) + m_pad, top + m_pad, m_widths[column] - 2 * m_pad, height - 2 * m_pad);
    }

    qreal textHeight(const QFont &font, qsizetype column, const QString &text, int flags) const
    {
        const QRectF box(0, 0, m_widths[column] - 2 * m_pad, 1e6);
        return QFontMetricsF(font, &m_device).boundingRect(box, flags, text).height();
    }

    qreal boxesHeight(int open) const
    {
        const int lines = (std::max(open, 1) + m_boxesPerLine - 1) / m_boxesPerLine;
        return lines * m_boxSize * 1.4 - m_boxSize * 0.4;
    }

    qreal rowHeight(const DoorEntry &e) const
    {
        qreal h = boxesHeight(e.tickets - e.admitted);
        h = std::max(h, textHeight(m_body, 1, nameText(e), Qt::TextWordWrap));
        h = std::max(h, textHeight(m_body, 2, admittedText(e), 0));
        h = std::max(h, textHeight(m_body, 3, e.ticketTypes, Qt::TextWordWrap));
        h = std::max(h, textHeight(m_mono, 4, e.orderId, Qt::TextWrapAnywhere)
                            + textHeight(m_small, 4, e.email, Qt::TextWrapAnywhere));
        return h + 2 * m_pad;
    }

    void paintRow(QPainter &painter, qreal top, qreal height, const DoorEntry &e) const
    {
        const int open = e.tickets - e.admitted;
        painter.setPen(Qt::black);
        if (open > 0) { // one box per ticket not yet admitted
            const QRectF boxes = cell(0, top, height);
            painter.save();
            painter.setPen(QPen(Qt::black, 0.25 * m_mm));
            painter.setBrush(Qt::white);
            for (int i = 0; i < open; ++i)
                painter.drawRect(QRectF(boxes.left() + (i % m_boxesPerLine) * m_boxSize * 1.4,
                                        boxes.top() + (i / m_boxesPerLine) * m_boxSize * 1.4, m_boxSize, m_boxSize));
            painter.restore();
        } else { // everyone of this order is in
            painter.setFont(m_body);
            painter.drawText(cell(0, top, height), Qt::AlignLeft | Qt::AlignTop, QStringLiteral("—"));
        }
        painter.setFont(m_body);
        painter.drawText(cell(1, top, height), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, nameText(e));
        painter.drawText(cell(2, top, height), Qt::AlignRight | Qt::AlignTop, admittedText(e));
        painter.drawText(cell(3, top, height), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap, e.ticketTypes);
        const QRectF order = cell(4, top, height);
        painter.setFont(m_mono);
        QRectF used;
        painter.drawText(order, Qt::AlignLeft | Qt::AlignTop | Qt::TextWrapAnywhere, e.orderId, &used);
        painter.setFont(m_small);
        painter.setPen(QColor(70, 70, 70));
        painter.drawText(order.adjusted(0, used.height(), 0, 0), Qt::AlignLeft | Qt::AlignTop | Qt::TextWrapAnywhere, e.email);
    }

    void paintPage(QPainter &painter, qsizetype page) const
    {
        // Heading: title with the event, the counts, the column headings.
        painter.setPen(Qt::black);
        painter.setFont(m_title);
        const QString title = Tr::tr("Door list: %1").arg(m_eventName);
        painter.drawText(QRectF(0, 0, m_page.width(), m_titleHeight), Qt::AlignLeft | Qt::AlignTop,
                         QFontMetricsF(m_title, &m_device).elidedText(title, Qt::ElideRight, m_page.width()));
        painter.setFont(m_body);
        painter.drawText(QRectF(0, m_titleHeight + 0.8 * m_mm, m_page.width(), m_summaryHeight), Qt::AlignLeft | Qt::AlignTop,
                         m_summary);
        const qreal headingTop = m_bodyTop - m_headingHeight;
        painter.fillRect(QRectF(0, headingTop, m_page.width(), m_headingHeight), QColor(222, 222, 222));
        painter.setFont(m_heading);
        for (qsizetype c = 0; c < m_headings.size(); ++c)
            painter.drawText(cell(c, headingTop, m_headingHeight),
                             (c == 2 ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignTop | Qt::TextWordWrap, m_headings[c]);
        painter.setPen(QPen(Qt::black, 0.3 * m_mm));
        painter.drawLine(QPointF(0, m_bodyTop), QPointF(m_page.width(), m_bodyTop));

        // Rows, every other one shaded so a finger can follow a line.
        qreal y = m_bodyTop;
        const auto [first, last] = m_pages[page];
        for (qsizetype i = first; i < last; ++i) {
            const qreal h = m_rowHeights[i];
            if ((i - first) % 2 == 1)
                painter.fillRect(QRectF(0, y, m_page.width(), h), QColor(243, 243, 243));
            paintRow(painter, y, h, m_entries[i]);
            y += h;
            painter.setPen(QPen(QColor(160, 160, 160), 0.1 * m_mm));
            painter.drawLine(QPointF(0, y), QPointF(m_page.width(), y));
        }
        if (m_entries.isEmpty()) {
            painter.setPen(Qt::black);
            painter.setFont(m_body);
            painter.drawText(QRectF(0, y + m_pad, m_page.width(), m_bodyBottom - y), Qt::AlignLeft | Qt::AlignTop,
                             Tr::tr("No orders with tickets for this event."));
        }

        // Foot: the event again (pages get separated at a busy door) and "Page i of N".
        painter.setFont(m_small);
        painter.setPen(QColor(70, 70, 70));
        const QFontMetricsF small(m_small, &m_device);
        const QRectF foot(0, m_page.height() - m_footHeight, m_page.width(), m_footHeight);
        const QString pageText = Tr::tr("Page %1 of %2").arg(page + 1).arg(m_pages.size());
        const qreal pageWidth = small.horizontalAdvance(pageText) + 5 * m_mm;
        painter.drawText(foot, Qt::AlignRight | Qt::AlignTop, pageText);
        painter.drawText(foot.adjusted(0, 0, -pageWidth, 0), Qt::AlignLeft | Qt::AlignTop,
                         small.elidedText(m_eventName, Qt::ElideRight, foot.width() - pageWidth));
    }

    QPagedPaintDevice &m_device;
    const QString m_eventName;
    const QList<DoorEntry> &m_entries;
    qreal m_mm = 1;
    qreal m_pad = 1;
    QRectF m_page;
    QFont m_body;
    QFont m_heading;
    QFont m_title;
    QFont m_small;
    QFont m_mono;
    QString m_summary;
    QStringList m_headings;
    QList<qreal> m_widths;
    qreal m_boxSize = 1;
    int m_boxesPerLine = 1;
    qreal m_titleHeight = 0;
    qreal m_summaryHeight = 0;
    qreal m_headingHeight = 0;
    qreal m_footHeight = 0;
    qreal m_bodyTop = 0;
    qreal m_bodyBottom = 0;
    QList<qreal> m_rowHeights;
    QList<QPair<qsizetype, qsizetype>> m_pages;
};

} // namespace

int printDoorList(QPagedPaintDevice &device, const QString &eventName, const QList<DoorEntry> &entries)
{
    return DoorListLayout(device, eventName, entries).paint();
}

} // namespace qrt::gui::exporter
