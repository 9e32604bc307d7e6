#include "gui/orderdialog.h"

#include "core/config.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "gui/dbworker.h"
#include "gui/messages.h"
#include "gui/services.h"
#include "gui/ticketmodels.h"
#include "qr/qrcode.h"
#include "tickets/ticketpdf.h"
#include "ui_orderdialog.h"

#include <QClipboard>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QThreadPool>
#include <QUrl>

#include <optional>

namespace qrt::gui {

namespace {
struct OrderData
{
    core::Result<std::optional<db::OrderRow>> order = std::optional<db::OrderRow>();
    core::Result<QList<core::Ticket>> tickets = QList<core::Ticket>();
    core::Result<QList<core::TicketEvent>> history = QList<core::TicketEvent>();
};
} // namespace

OrderDialog::OrderDialog(Services &services, DbWorker &worker, const QString &orderId, QWidget *parent)
    : QDialog(parent), m_ui(std::make_unique<Ui::OrderDialog>()), m_services(services), m_worker(worker), m_orderId(orderId)
{
    m_ui->setupUi(this);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Order %1").arg(orderId));
    m_ui->orderIdValue->setText(orderId);

    m_tickets = new TicketModel(this);
    m_history = new HistoryModel(this);
    m_ui->ticketView->setModel(m_tickets);
    m_ui->historyView->setModel(m_history);
    for (QTableView *view : { m_ui->ticketView, m_ui->historyView }) {
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    }
    m_ui->statusCombo->addItem(statusText(core::TicketStatus::Used), QVariant::fromValue(core::TicketStatus::Used));
    m_ui->statusCombo->addItem(statusText(core::TicketStatus::Live), QVariant::fromValue(core::TicketStatus::Live));
    m_ui->statusCombo->addItem(statusText(core::TicketStatus::Cancelled), QVariant::fromValue(core::TicketStatus::Cancelled));

    auto qr = qr::QrEncoder::orderImage(services.config.qr(), orderId);
    if (qr) {
        m_qr = qr.value();
        QPixmap pixmap = QPixmap::fromImage(m_qr.convertToFormat(QImage::Format_RGB32));
        const int side = std::min(240, pixmap.width());
        m_ui->qrLabel->setPixmap(pixmap.scaled(side, side, Qt::KeepAspectRatio, Qt::FastTransformation));
        m_ui->qrLabel->setToolTip(services.config.qr().urlFor(orderId));
    } else {
        m_ui->qrLabel->setText(tr("No QR code: %1").arg(qr.error().message));
        m_ui->copyQrButton->setEnabled(false);
        m_ui->saveQrButton->setEnabled(false);
    }

    connect(m_ui->copyQrButton, &QPushButton::clicked, this, &OrderDialog::copyQr);
    connect(m_ui->saveQrButton, &QPushButton::clicked, this, &OrderDialog::saveQr);
    connect(m_ui->printTicketsButton, &QPushButton::clicked, this, &OrderDialog::printTickets);
    // What "Admit next" decided: the same verdict as at the door (refunded, unpaid, other event...).
    m_verdictLabel = new QLabel(this);
    m_verdictLabel->setObjectName(QStringLiteral("admitVerdictLabel"));
    m_verdictLabel->setWordWrap(true);
    m_verdictLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_verdictLabel->hide();
    m_ui->orderLayout->insertWidget(m_ui->orderLayout->indexOf(m_ui->historyLabel), m_verdictLabel);
    connect(m_ui->admitNextButton, &QPushButton::clicked, this, [this] { admitNext(false); });
    connect(m_ui->setSelectedButton, &QPushButton::clicked, this, [this] { applyStatus(false); });
    connect(m_ui->setAllButton, &QPushButton::clicked, this, [this] { applyStatus(true); });
    connect(m_ui->ticketView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &OrderDialog::updateButtons);

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("OrderDialog/geometry")).toByteArray());
    updateButtons();
    reload();
}

OrderDialog::~OrderDialog()
{
    QSettings settings;
    settings.setValue(QStringLiteral("OrderDialog/geometry"), saveGeometry());
}

void OrderDialog::reload()
{
    const QString orderId = m_orderId;
    m_worker.run(
        this,
        [orderId](db::Database &database) {
            OrderData data;
            data.order = db::OrderRepository(database).get(orderId);
            db::TicketRepository tickets(database);
            data.tickets = tickets.forOrder(orderId);
            data.history = tickets.history(orderId);
            return data;
        },
        [this](OrderData data) {
            if (!data.order || !data.tickets || !data.history) {
                const core::Error error = !data.order ? data.order.error()
                    : !data.tickets                   ? data.tickets.error()
                                                      : data.history.error();
                m_ui->contactValue->setText(error.message);
                Q_EMIT loaded();
                return;
            }
            if (!data.order->has_value()) {
                m_ui->contactValue->setText(tr("This order is not in the database (any more). Press Sync (F5) to fetch it."));
                Q_EMIT loaded();
                return;
            }
            const db::OrderRow &row = data.order->value();
            const core::Order &o = row.order;
            const QLocale locale;
            m_ui->contactValue->setText(o.contactName());
            m_ui->emailValue->setText(o.contactEmail);
            m_ui->phoneValue->setText(o.contactPhone);
            m_ui->eventValue->setText(o.eventName);
            m_ui->paymentValue->setText(tr("%1 %2, %3").arg(locale.toString(o.totalPaid, 'f', 2), o.paymentCurrency, core::paymentStatusDisplayName(o.paymentStatus)));
            m_ui->dateValue->setText(locale.toString(o.dateAdded.toLocalTime(), QLocale::ShortFormat));
            m_ui->ticketsSummaryValue->setText(tr("%1 live, %2 used, %3 cancelled")
                                                   .arg(row.tickets.live)
                                                   .arg(row.tickets.used)
                                                   .arg(row.tickets.cancelled));
            setWindowTitle(tr("Order %1 — %2").arg(o.orderId, o.contactName()));
            m_tickets->setTickets(data.tickets.value());
            m_history->setEvents(data.history.value());
            m_ui->ticketView->resizeColumnsToContents();
            m_ui->historyView->resizeColumnsToContents();
            updateButtons();
            Q_EMIT loaded();
        });
}

void OrderDialog::updateButtons()
{
    const bool hasSelection = m_ui->ticketView->selectionModel()->hasSelection();
    bool anyLive = false;
    for (const core::Ticket &t : m_tickets->tickets())
        anyLive = anyLive || t.status == core::TicketStatus::Live;
    m_ui->setSelectedButton->setEnabled(!m_busy && hasSelection);
    m_ui->setAllButton->setEnabled(!m_busy && !m_tickets->tickets().isEmpty());
    m_ui->admitNextButton->setEnabled(!m_busy && anyLive);
    // Cancelled tickets are never printed: an order of only cancelled tickets has nothing to print.
    const bool printable = !tickets::printableTickets(m_tickets->tickets()).isEmpty();
    m_ui->printTicketsButton->setEnabled(!m_printing && printable);
    m_ui->printTicketsButton->setToolTip(printable ? tr("A PDF with one page per ticket, each with the QR code of that "
                                                        "ticket alone")
                                                   : tr("This order has no tickets to print (none, or all cancelled)."));
}

void OrderDialog::applyStatus(bool all)
{
    const auto to = m_ui->statusCombo->currentData().value<core::TicketStatus>();
    QList<qint64> ids;
    QList<core::Ticket> targets;
    if (all) {
        targets = m_tickets->tickets();
    } else {
        const QModelIndexList rows = m_ui->ticketView->selectionModel()->selectedRows();
        for (const QModelIndex &index : rows) {
            if (const core::Ticket *t = m_tickets->ticketAt(index.row()))
                targets << *t;
        }
    }
    bool needsReason = false;
    int changing = 0;
    for (const core::Ticket &t : std::as_const(targets)) {
        const core::TransitionCheck check = core::checkTransition(t.status, to);
        if (check == core::TransitionCheck::Invalid)
            continue;
        ++changing;
        ids << t.ticketId;
        needsReason = needsReason || check == core::TransitionCheck::NeedsReason;
    }
    if (changing == 0) {
        QMessageBox::information(this, tr("Nothing to change"),
                                 tr("None of these tickets can be set to %1 (they already are, or a cancelled ticket cannot be admitted).")
                                     .arg(statusText(to)));
        return;
    }
    const QString reason = m_ui->reasonEdit->text().trimmed();
    if (needsReason && reason.isEmpty()) {
        QMessageBox::warning(this, tr("Reason needed"),
                             tr("Setting a ticket to %1 from its current status needs a reason for the audit trail. "
                                "Type it in the Reason field and try again.")
                                 .arg(statusText(to)));
        m_ui->reasonEdit->setFocus();
        return;
    }
    if (to == core::TicketStatus::Cancelled) {
        QMessageBox confirm(QMessageBox::Question, tr("Cancel tickets"),
                            tr("Cancel %n ticket(s) of order %1? The holders will not be admitted.", nullptr, changing).arg(m_orderId),
                            QMessageBox::NoButton, this);
        confirm.setObjectName(QStringLiteral("confirmCancelBox"));
        QPushButton *yes = confirm.addButton(tr("Cancel tickets"), QMessageBox::DestructiveRole);
        confirm.addButton(tr("Keep them"), QMessageBox::RejectRole);
        confirm.exec();
        if (confirm.clickedButton() != yes)
            return;
    }
    m_busy = true;
    updateButtons();
    const QString actor = m_services.station;
    const QString orderId = m_orderId;
    m_worker.run(
        this,
        [ids, all, to, reason, actor, orderId](db::Database &database) {
            db::TicketRepository repository(database);
            return all ? repository.setStatusForOrder(orderId, to, reason, actor) : repository.setStatus(ids, to, reason, actor);
        },
        [this](core::Result<db::BulkResult> result) {
            m_busy = false;
            if (!result) {
                showError(this, tr("Status not changed"), result.error(), tr("Check the database connection and try again."));
            } else {
                m_ui->reasonEdit->clear();
                if (!result->problems.isEmpty())
                    QMessageBox::information(this, tr("Some tickets were not changed"), result->problems.join(u'\n'));
            }
            Q_EMIT ticketsChanged();
            reload();
        });
}

void OrderDialog::admitNext(bool unpaidConfirmed)
{
    m_busy = true;
    updateButtons();
    // The door's verdict path with this station's policy: its events, [door] admit_unpaid, refunded
    // and cancelled orders refused, recorded as the door records it.
    door::DoorCheck::Policy policy = door::DoorCheck::Policy::from(m_services.config);
    policy.station = m_services.station;
    const QString orderId = m_orderId;
    m_worker.run(
        this,
        [orderId, policy, unpaidConfirmed](db::Database &database) {
            return door::DoorCheck(database, policy).check({ door::ScanInput::Kind::OrderId, orderId },
                                                           door::DoorCheck::Mode::One, unpaidConfirmed);
        },
        [this](door::Verdict verdict) {
            m_busy = false;
            m_verdictLabel->setText(verdict.title + (verdict.detail.isEmpty() ? QString() : u'\n' + verdict.detail));
            m_verdictLabel->setProperty("result", QString::fromLatin1(verdict.admitted() ? "green" : "other"));
            m_verdictLabel->setProperty("verdict", door::toString(verdict.kind));
            m_verdictLabel->show();
            if (verdict.kind == door::Verdict::Kind::UnpaidAsk) {
                auto *ask = new QMessageBox(QMessageBox::Question, tr("Admit anyway?"), verdict.title + u'\n' + verdict.detail,
                                            QMessageBox::Yes | QMessageBox::No, this);
                ask->setObjectName(QStringLiteral("admitAnywayQuestion"));
                ask->setAttribute(Qt::WA_DeleteOnClose);
                ask->setDefaultButton(QMessageBox::No);
                ask->button(QMessageBox::Yes)->setText(tr("Admit anyway"));
                connect(ask, &QMessageBox::finished, this, [this](int answer) {
                    if (answer == QMessageBox::Yes)
                        admitNext(true);
                });
                ask->open();
            }
            Q_EMIT ticketsChanged();
            reload();
        });
}

void OrderDialog::printTickets()
{
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("OrderDialog/ticketsDir"),
                                       QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                            .toString();
    const QString path = QFileDialog::getSaveFileName(this, tr("Save tickets"),
                                                      QDir(dir).filePath(tickets::ticketPdfFileName(m_orderId)),
                                                      tr("PDF documents (*.pdf)"));
    if (path.isEmpty())
        return;
    settings.setValue(QStringLiteral("OrderDialog/ticketsDir"), QFileInfo(path).absolutePath());
    printTicketsTo(path);
}

void OrderDialog::printTicketsTo(const QString &path)
{
    if (m_printing)
        return;
    m_printing = true;
    updateButtons();
    m_ui->printTicketsButton->setText(tr("Writing tickets…"));
    const QString orderId = m_orderId;
    // The order and its tickets as stored now; the pages are drawn on a pool thread (a large order
    // takes a second or more), never on the GUI thread nor on the shared database thread.
    m_worker.run(
        this,
        [orderId](db::Database &database) {
            OrderData data;
            data.order = db::OrderRepository(database).get(orderId);
            data.tickets = db::TicketRepository(database).forOrder(orderId);
            return data;
        },
        [this, path](OrderData data) {
            QPointer<OrderDialog> self(this);
            auto done = [self, path](core::Result<int> pages) {
                if (!self)
                    return;
                self->m_printing = false;
                self->m_ui->printTicketsButton->setText(tr("P&rint tickets…"));
                self->updateButtons();
                if (!pages) {
                    showError(self, tr("Tickets not saved"), pages.error(), tr("Choose a folder you can write to."));
                    Q_EMIT self->ticketsPrinted(path, 0, pages.error().message);
                    return;
                }
                auto *box = new QMessageBox(QMessageBox::Information, tr("Tickets saved"),
                                            tr("%n ticket(s) saved to %1.", nullptr, pages.value()).arg(QDir::toNativeSeparators(path)),
                                            QMessageBox::NoButton, self);
                box->setObjectName(QStringLiteral("ticketsSavedBox"));
                box->setAttribute(Qt::WA_DeleteOnClose);
                QPushButton *open = box->addButton(tr("&Open"), QMessageBox::AcceptRole);
                box->addButton(QMessageBox::Close);
                connect(box, &QMessageBox::finished, self, [box, open, path] {
                    if (box->clickedButton() == open)
                        QDesktopServices::openUrl(QUrl::fromLocalFile(path));
                });
                box->open();
                Q_EMIT self->ticketsPrinted(path, pages.value(), QString());
            };
            if (!data.order || !data.tickets) {
                done((!data.order ? data.order.error() : data.tickets.error()));
                return;
            }
            if (!data.order->has_value()) {
                done(core::makeError(QStringLiteral("gui.no_order"),
                                     tr("This order is not in the database (any more). Press Sync (F5) to fetch it.")));
                return;
            }
            const core::Order order = data.order->value().order;
            const QList<core::Ticket> tickets = data.tickets.value();
            QThreadPool::globalInstance()->start([done, path, order, tickets] {
                core::Result<int> pages = tickets::writeTicketPdf(path, order, tickets);
                QMetaObject::invokeMethod(
                    qApp, [done, pages] { done(pages); }, Qt::QueuedConnection);
            });
        });
}

void OrderDialog::copyQr()
{
    QGuiApplication::clipboard()->setImage(m_qr.convertToFormat(QImage::Format_RGB32));
}

void OrderDialog::saveQr()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save QR code"), QStringLiteral("order-%1.png").arg(m_orderId),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty())
        return;
    if (!m_qr.save(path, "PNG"))
        showError(this, tr("QR code not saved"),
                  core::makeError(QStringLiteral("gui.write"), tr("Could not write %1.").arg(path)),
                  tr("Choose a folder you can write to."));
}

} // namespace qrt::gui
