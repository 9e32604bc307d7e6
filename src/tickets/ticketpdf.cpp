#include "tickets/ticketpdf.h"

#include "qr/qrcode.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFont>
#include <QFontMetricsF>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>

namespace qrt::tickets {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::tickets::TicketPdf)
};

// Side of the printed QR: 80 mm reads from a phone held at arm's length and from a phone screen
// showing the page (the code is version 3 at M: about 2.3 mm per module).
constexpr double kQrMm = 80.0;
constexpr double kMarginMm = 15.0;

QString eventNameOf(const core::Order &order, const core::Ticket &ticket)
{
    for (const core::OrderItem &item : order.items) {
        if (item.productId == ticket.productId && !item.productName.isEmpty())
            return item.productName;
    }
    return order.eventName;
}

QFont font(const QString &family, double points, bool bold = false)
{
    QFont f(family);
    f.setPointSizeF(points);
    f.setBold(bold);
    return f;
}

class PageRenderer
{
public:
    PageRenderer(QPainter &painter, const QRectF &area, double dpi) : m_p(painter), m_area(area), m_dpi(dpi) { }

    double mm(double v) const { return v * m_dpi / 25.4; }

    // Draws wrapped text at y across the page (centred); returns the y under it.
    double text(double y, const QString &text, const QFont &f, const QColor &color = Qt::black,
                Qt::Alignment align = Qt::AlignHCenter)
    {
        m_p.setFont(f);
        m_p.setPen(color);
        const QRectF box(m_area.left(), y, m_area.width(), m_area.bottom() - y);
        const int flags = int(align) | Qt::AlignTop | Qt::TextWordWrap;
        const QRectF used = m_p.boundingRect(box, flags, text);
        m_p.drawText(box, flags, text);
        return y + used.height();
    }

    // A "label: value" row: the label light, the value as strong as the text around it.
    double row(double y, const QString &label, const QString &value)
    {
        const QFont labelFont = font(QStringLiteral("DejaVu Sans"), 10);
        const QFont valueFont = font(QStringLiteral("DejaVu Sans"), 13, true);
        const double labelW = mm(38);
        m_p.setFont(labelFont);
        m_p.setPen(QColor(0x55, 0x55, 0x55));
        const QRectF labelBox(m_area.left() + mm(10), y, labelW, mm(12));
        m_p.drawText(labelBox, int(Qt::AlignLeft | Qt::AlignBottom), label);
        m_p.setFont(valueFont);
        m_p.setPen(Qt::black);
        const QRectF valueBox(labelBox.right(), y, m_area.width() - labelW - mm(20), mm(12));
        m_p.drawText(valueBox, int(Qt::AlignLeft | Qt::AlignBottom),
                     QFontMetricsF(valueFont, m_p.device()).elidedText(value, Qt::ElideRight, valueBox.width()));
        return y + mm(12);
    }

    const QRectF &area() const { return m_area; }
    QPainter &painter() { return m_p; }

private:
    QPainter &m_p;
    QRectF m_area;
    double m_dpi;
};

core::Result<void> drawTicket(QPainter &painter, const QRectF &area, double dpi, const core::Order &order,
                              const core::Ticket &ticket, int number, int count, const QLocale &locale)
{
    PageRenderer r(painter, area, dpi);
    const QString sans = QStringLiteral("DejaVu Sans");
    double y = area.top();
    y = r.text(y, eventNameOf(order, ticket), font(sans, 22, true));
    y += r.mm(2);
    y = r.text(y, ticket.ticketType.isEmpty() ? Tr::tr("Ticket") : ticket.ticketType, font(sans, 15), QColor(0x33, 0x33, 0x33));
    y += r.mm(6);

    // The ticket's own code: version 3 at M, a quiet zone of 4 modules, drawn without smoothing.
    qr::QrOptions options;
    options.ecc = qr::Ecc::M;
    options.margin = 4;
    qr::QrEncoder encoder(options);
    auto modules = encoder.moduleCount(ticket.code);
    if (!modules)
        return modules.error();
    options.sizePx = (modules.value() + 2 * options.margin) * 16;
    auto image = qr::QrEncoder(options).image(ticket.code);
    if (!image)
        return core::makeError(QStringLiteral("tickets.qr"),
                               Tr::tr("The QR code of ticket %1 could not be made: %2").arg(ticket.ticketId).arg(image.error().message));
    const double side = r.mm(kQrMm);
    const QRectF qrRect(area.center().x() - side / 2, y, side, side);
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(qrRect, image->convertToFormat(QImage::Format_RGB32));
    y = qrRect.bottom() + r.mm(1);
    y = r.text(y, ticket.code, font(QStringLiteral("DejaVu Sans Mono"), 10), QColor(0x33, 0x33, 0x33));
    y += r.mm(5);

    if (ticket.status == core::TicketStatus::Used) {
        const QString when = ticket.updatedAt.isValid() ? locale.toString(ticket.updatedAt.toLocalTime(), QLocale::ShortFormat)
                                                        : QString();
        const QString line = when.isEmpty() ? Tr::tr("Already admitted: this ticket was used.")
                                            : Tr::tr("Already admitted: this ticket was used on %1.").arg(when);
        const QRectF band(area.left(), y, area.width(), r.mm(11));
        painter.fillRect(band, QColor(0xfd, 0xe8, 0xe8));
        r.text(y + r.mm(2), line, font(sans, 13, true), QColor(0xa1, 0x10, 0x10));
        y = band.bottom() + r.mm(3);
    }

    y = r.row(y, Tr::tr("Name"), order.contactName().isEmpty() ? order.contactEmail : order.contactName());
    y = r.row(y, Tr::tr("Ticket"), Tr::tr("%1 of %2").arg(number).arg(count));
    y = r.row(y, Tr::tr("Order"), order.orderId);
    y += r.mm(8);
    r.text(y,
           Tr::tr("Show this code at the door, printed or on your phone. It admits one person once: "
                  "keep it to yourself."),
           font(sans, 9), QColor(0x55, 0x55, 0x55));
    return {};
}
} // namespace

QPageSize::PageSizeId pageSizeFor(const QLocale &locale)
{
    switch (locale.territory()) {
    case QLocale::UnitedStates:
    case QLocale::Canada:
    case QLocale::Mexico:
    case QLocale::Philippines:
    case QLocale::Chile:
    case QLocale::Colombia:
    case QLocale::Venezuela:
    case QLocale::CostaRica:
    case QLocale::Guatemala:
    case QLocale::PuertoRico:
        return QPageSize::Letter;
    default:
        return QPageSize::A4;
    }
}

QList<core::Ticket> printableTickets(const QList<core::Ticket> &tickets)
{
    QList<core::Ticket> out;
    for (const core::Ticket &t : tickets) {
        if (t.status != core::TicketStatus::Cancelled)
            out << t;
    }
    std::stable_sort(out.begin(), out.end(), [](const core::Ticket &a, const core::Ticket &b) { return a.ticketId < b.ticketId; });
    return out;
}

QString ticketPdfFileName(const QString &orderId)
{
    return QStringLiteral("tickets-%1.pdf").arg(orderId);
}

core::Result<QByteArray> renderTicketPdf(const core::Order &order, const QList<core::Ticket> &tickets,
                                         const TicketPdfOptions &options)
{
    const QList<core::Ticket> printable = printableTickets(tickets);
    if (printable.isEmpty())
        return core::makeError(QStringLiteral("tickets.none"),
                               Tr::tr("Order %1 has no tickets to print (none, or all cancelled).").arg(order.orderId));
    if (!qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return core::makeError(QStringLiteral("tickets.no_gui"),
                               Tr::tr("drawing it needs fonts, which a program started without its graphical part "
                                      "does not load"));
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    {
        QPdfWriter writer(&buffer);
        writer.setResolution(options.resolution);
        writer.setCreator(QStringLiteral("QR Tickets"));
        writer.setTitle(Tr::tr("Tickets of order %1").arg(order.orderId));
        writer.setPageLayout(QPageLayout(QPageSize(options.pageSize.value_or(pageSizeFor(options.locale))),
                                         QPageLayout::Portrait, QMarginsF(kMarginMm, kMarginMm, kMarginMm, kMarginMm),
                                         QPageLayout::Millimeter));
        QPainter painter;
        if (!painter.begin(&writer))
            return core::makeError(QStringLiteral("tickets.pdf"), Tr::tr("The ticket PDF could not be started."));
        const QRectF area(QPointF(0, 0), QSizeF(writer.width(), writer.height()));
        for (int i = 0; i < printable.size(); ++i) {
            if (i > 0)
                writer.newPage();
            if (auto r = drawTicket(painter, area, writer.resolution(), order, printable.at(i), i + 1,
                                    int(printable.size()), options.locale);
                !r) {
                painter.end();
                return r.error();
            }
        }
        painter.end();
    }
    return bytes;
}

core::Result<int> writeTicketPdf(const QString &path, const core::Order &order, const QList<core::Ticket> &tickets,
                                 const TicketPdfOptions &options)
{
    auto pdf = renderTicketPdf(order, tickets, options);
    if (!pdf)
        return pdf.error();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pdf.value()) != pdf->size() || !file.commit())
        return core::makeError(QStringLiteral("tickets.write"),
                               Tr::tr("Could not write %1: %2").arg(path, file.errorString()));
    return int(printableTickets(tickets).size());
}

} // namespace qrt::tickets
