#include "gui/checkinpanel.h"

#include "core/config.h"
#include "gui/dbworker.h"
#include "gui/services.h"
#include "gui/ticketmodels.h"
#include "qr/qrcode.h"
#include "ui_checkinpanel.h"

#include <QFileDialog>
#include <QKeySequence>
#include <QLocale>
#include <QShortcut>
#include <QTime>

namespace qrt::gui {

namespace {
const QString kUndoReason = QStringLiteral("undo at door");

QString when(const QDateTime &t)
{
    if (!t.isValid())
        return QString();
    const QDateTime local = t.toLocalTime();
    if (local.date() == QDate::currentDate())
        return QLocale().toString(local.time(), QLocale::ShortFormat);
    return QLocale().toString(local, QLocale::ShortFormat);
}
} // namespace

CheckInPanel::CheckInPanel(Services &services, DbWorker &worker, QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::CheckInPanel>()), m_services(services), m_worker(worker)
{
    m_ui->setupUi(this);
    QFont scanFont = m_ui->scanEdit->font();
    scanFont.setPointSizeF(scanFont.pointSizeF() * 1.5);
    m_ui->scanEdit->setFont(scanFont);
    QFont bannerFont = m_ui->resultBanner->font();
    bannerFont.setPointSizeF(bannerFont.pointSizeF() * 2.6);
    bannerFont.setBold(true);
    m_ui->resultBanner->setFont(bannerFont);
    QFont detailFont = m_ui->resultDetail->font();
    detailFont.setPointSizeF(detailFont.pointSizeF() * 1.3);
    m_ui->resultDetail->setFont(detailFont);
    setBanner(QStringLiteral("neutral"), tr("Ready to scan"), QString());

    connect(m_ui->scanEdit, &QLineEdit::returnPressed, this, [this] {
        const QString text = m_ui->scanEdit->text();
        m_ui->scanEdit->clear();
        scan(text);
    });
    connect(m_ui->admitOneButton, &QPushButton::clicked, this,
            [this] { runAdmit({ ScanInput::Kind::OrderId, m_orderId }, false); });
    connect(m_ui->admitAllButton, &QPushButton::clicked, this,
            [this] { runAdmit({ ScanInput::Kind::OrderId, m_orderId }, true); });
    connect(m_ui->undoButton, &QPushButton::clicked, this, &CheckInPanel::undo);
    connect(m_ui->openImageButton, &QPushButton::clicked, this, &CheckInPanel::openImage);
    auto *escape = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    escape->setContext(Qt::WidgetWithChildrenShortcut);
    connect(escape, &QShortcut::activated, this, &CheckInPanel::clear);
    setFocusProxy(m_ui->scanEdit);
}

CheckInPanel::~CheckInPanel() = default;

void CheckInPanel::focusScanField()
{
    m_ui->scanEdit->setFocus(Qt::OtherFocusReason);
    m_ui->scanEdit->selectAll();
}

void CheckInPanel::clear()
{
    m_ui->scanEdit->clear();
    m_orderId.clear();
    m_ui->admitOneButton->setEnabled(false);
    m_ui->admitAllButton->setEnabled(false);
    setBanner(QStringLiteral("neutral"), tr("Ready to scan"), QString());
    focusScanField();
}

void CheckInPanel::scan(const QString &text)
{
    if (text.trimmed().isEmpty())
        return;
    // A scanner can be faster than the database: scans are handled in arrival order.
    m_queue << text;
    startNext();
}

void CheckInPanel::startNext()
{
    if (m_busy || m_queue.isEmpty())
        return;
    const ScanInput input = parseScan(m_queue.takeFirst(), m_services.config.qr().urlTemplate);
    if (input.kind == ScanInput::Kind::Unrecognised) {
        setBanner(QStringLiteral("red"), tr("Not a ticket"),
                  tr("\"%1\" is neither a ticket code nor an order link. Scan the QR code on the ticket.").arg(input.value));
        addRecent(QStringLiteral("red"), tr("Not a ticket: %1").arg(input.value));
        startNext();
        return;
    }
    runAdmit(input, false);
}

void CheckInPanel::runAdmit(const ScanInput &input, bool all)
{
    if (input.value.isEmpty())
        return;
    m_busy = true;
    m_ui->admitOneButton->setEnabled(false);
    m_ui->admitAllButton->setEnabled(false);
    const QString actor = m_services.station;
    m_worker.run(
        this,
        [input, all, actor](db::Database &database) {
            Outcome outcome;
            outcome.input = input;
            db::TicketRepository tickets(database);
            if (input.kind == ScanInput::Kind::TicketCode) {
                outcome.admit = tickets.admitByCode(input.value, actor);
            } else {
                outcome.admit = tickets.admitNext(input.value, actor);
                while (all && outcome.admit && outcome.admit->admitted()) {
                    ++outcome.admittedNow;
                    auto next = tickets.admitNext(input.value, actor);
                    if (!next || !next->admitted())
                        break;
                    outcome.admit = next;
                }
            }
            if (outcome.admit && outcome.admit->admitted() && outcome.admittedNow == 0)
                outcome.admittedNow = 1;
            const QString orderId = outcome.admit && !outcome.admit->ticket.orderId.isEmpty()
                ? outcome.admit->ticket.orderId
                : (input.kind == ScanInput::Kind::OrderId ? input.value : QString());
            if (!orderId.isEmpty()) {
                auto order = db::OrderRepository(database).get(orderId);
                if (order && order->has_value())
                    outcome.order = order->value();
            }
            return outcome;
        },
        [this](Outcome outcome) {
            m_busy = false;
            show(outcome);
            if (outcome.admittedNow > 0)
                Q_EMIT ticketsChanged();
            startNext();
        });
}

void CheckInPanel::show(const Outcome &outcome)
{
    if (!outcome.admit) {
        setBanner(QStringLiteral("red"), tr("Could not check in"),
                  outcome.admit.error().message + u'\n' + tr("Check the database connection in the status bar and scan again."));
        addRecent(QStringLiteral("red"), outcome.admit.error().message);
        return;
    }
    const db::AdmitResult &r = outcome.admit.value();
    const bool byCode = outcome.input.kind == ScanInput::Kind::TicketCode;
    QString who;
    if (outcome.order) {
        const core::Order &o = outcome.order->order;
        who = o.contactName().isEmpty() ? o.orderId : o.contactName();
        if (!o.eventName.isEmpty())
            who += QStringLiteral(" · ") + o.eventName;
    }
    m_orderId = outcome.order ? outcome.order->order.orderId : QString();
    const int remaining = r.totalInOrder - r.admittedInOrder;
    const bool canAdmitMore = !m_orderId.isEmpty() && remaining > 0;
    m_ui->admitOneButton->setEnabled(canAdmitMore);
    m_ui->admitAllButton->setEnabled(canAdmitMore);
    m_ui->admitAllButton->setText(canAdmitMore ? tr("Admit &all remaining (%1)").arg(remaining) : tr("Admit &all remaining"));

    switch (r.outcome) {
    case db::AdmitResult::Outcome::Admitted: {
        m_lastAdmitted = r.ticket.ticketId;
        m_ui->undoButton->setEnabled(true);
        const QString title = tr("Admitted %1 of %2").arg(r.admittedInOrder).arg(r.totalInOrder);
        QString detail = who;
        if (!r.ticket.ticketType.isEmpty())
            detail += u'\n' + (outcome.admittedNow > 1 ? tr("%1 tickets admitted now").arg(outcome.admittedNow)
                                                        : tr("Ticket: %1").arg(r.ticket.ticketType));
        setBanner(QStringLiteral("green"), title, detail);
        addRecent(QStringLiteral("green"), title + QStringLiteral(" — ") + who);
        break;
    }
    case db::AdmitResult::Outcome::AlreadyUsed:
    case db::AdmitResult::Outcome::NoLiveTickets:
        if (r.outcome == db::AdmitResult::Outcome::AlreadyUsed || r.ticket.status == core::TicketStatus::Used) {
            const QString title = byCode || r.admittedInOrder <= 1 ? tr("Already used")
                                                                   : tr("Already used — all %1 tickets admitted").arg(r.admittedInOrder);
            const QString detail = tr("by %1 at %2").arg(r.usedBy.isEmpty() ? tr("unknown station") : r.usedBy, when(r.usedAt))
                + (who.isEmpty() ? QString() : u'\n' + who);
            setBanner(QStringLiteral("amber"), title, detail);
            addRecent(QStringLiteral("amber"), title + QStringLiteral(" — ") + who);
        } else {
            setBanner(QStringLiteral("red"), tr("Cancelled"), tr("Every ticket of this order is cancelled.") + u'\n' + who);
            addRecent(QStringLiteral("red"), tr("Cancelled") + QStringLiteral(" — ") + who);
        }
        break;
    case db::AdmitResult::Outcome::Cancelled:
        setBanner(QStringLiteral("red"), tr("Cancelled"), tr("This ticket is cancelled.") + u'\n' + who);
        addRecent(QStringLiteral("red"), tr("Cancelled") + QStringLiteral(" — ") + who);
        break;
    case db::AdmitResult::Outcome::NotFound:
        if (byCode) {
            setBanner(QStringLiteral("red"), tr("Unknown ticket"),
                      tr("No ticket has this code. If the order is new, press Sync (F5) and scan again."));
            addRecent(QStringLiteral("red"), tr("Unknown ticket %1").arg(outcome.input.value));
        } else {
            setBanner(QStringLiteral("red"), tr("Unknown order"),
                      tr("Order %1 is not in the database. If it is new, press Sync (F5) and scan again.")
                          .arg(outcome.input.value));
            addRecent(QStringLiteral("red"), tr("Unknown order %1").arg(outcome.input.value));
        }
        break;
    }
}

void CheckInPanel::setBanner(const QString &tone, const QString &title, const QString &detail)
{
    // Fixed pairs of text and background colour: readable in light and dark palettes alike.
    QString style;
    if (tone == u"green")
        style = QStringLiteral("QLabel { background-color: #1e7b34; color: #ffffff; border-radius: 8px; padding: 12px; }");
    else if (tone == u"amber")
        style = QStringLiteral("QLabel { background-color: #f2b705; color: #1a1a1a; border-radius: 8px; padding: 12px; }");
    else if (tone == u"red")
        style = QStringLiteral("QLabel { background-color: #b3261e; color: #ffffff; border-radius: 8px; padding: 12px; }");
    else
        style = QStringLiteral("QLabel { border: 2px dashed palette(mid); border-radius: 8px; padding: 12px; }");
    m_ui->resultBanner->setStyleSheet(style);
    m_ui->resultBanner->setProperty("result", tone);
    m_ui->resultBanner->setText(title);
    m_ui->resultDetail->setText(detail);
    setAccessibleDescription(title + u' ' + detail);
}

void CheckInPanel::addRecent(const QString &tone, const QString &text)
{
    auto *item = new QListWidgetItem(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat) + QStringLiteral("  ") + text);
    item->setData(Qt::UserRole, tone);
    m_ui->recentList->insertItem(0, item);
    while (m_ui->recentList->count() > 50)
        delete m_ui->recentList->takeItem(m_ui->recentList->count() - 1);
}

void CheckInPanel::undo()
{
    if (m_lastAdmitted == 0 || m_busy)
        return;
    const qint64 ticketId = m_lastAdmitted;
    const QString actor = m_services.station;
    m_busy = true;
    m_ui->undoButton->setEnabled(false);
    m_worker.run(
        this,
        [ticketId, actor](db::Database &database) {
            return db::TicketRepository(database).setStatus(ticketId, core::TicketStatus::Live, kUndoReason, actor);
        },
        [this](core::Result<core::Ticket> ticket) {
            m_busy = false;
            if (!ticket) {
                setBanner(QStringLiteral("red"), tr("Undo failed"), ticket.error().message);
                m_ui->undoButton->setEnabled(true);
                return;
            }
            m_lastAdmitted = 0;
            setBanner(QStringLiteral("neutral"), tr("Admission undone"),
                      tr("Ticket %1 (%2) is live again.").arg(ticket->ticketId).arg(ticket->ticketType));
            addRecent(QStringLiteral("neutral"), tr("Undone: ticket %1").arg(ticket->ticketId));
            if (!m_orderId.isEmpty()) {
                m_ui->admitOneButton->setEnabled(true);
                m_ui->admitAllButton->setEnabled(true);
            }
            Q_EMIT ticketsChanged();
            focusScanField();
            startNext();
        });
}

void CheckInPanel::openImage()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open an image with a QR code"), QString(),
                                                      tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"));
    if (path.isEmpty())
        return;
    auto text = qr::QrDecoder::decodeFile(path);
    if (!text) {
        setBanner(QStringLiteral("red"), tr("No QR code found"),
                  tr("No readable QR code in %1. Try a sharper or larger image.").arg(path));
        return;
    }
    scan(text.value());
    focusScanField();
}

} // namespace qrt::gui
