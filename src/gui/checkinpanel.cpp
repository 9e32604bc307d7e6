#include "gui/checkinpanel.h"

#include "core/config.h"
#include "core/configstore.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "gui/dbworker.h"
#include "gui/services.h"
#include "gui/ticketmodels.h"
#include "qr/qrcode.h"
#include "ui_checkinpanel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QKeySequence>
#include <QLocale>
#include <QShortcut>
#include <QShowEvent>
#include <QTime>

namespace qrt::gui {

namespace {
const QString kUndoReason = QStringLiteral("undo at door");

QString toneName(door::Verdict::Tone tone)
{
    switch (tone) {
    case door::Verdict::Tone::Green: return QStringLiteral("green");
    case door::Verdict::Tone::Amber: return QStringLiteral("amber");
    case door::Verdict::Tone::Red: break;
    }
    return QStringLiteral("red");
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
    connect(m_ui->admitOneButton, &QPushButton::clicked, this, [this] {
        runAdmit({ ScanInput::Kind::OrderId, m_orderId }, door::DoorCheck::Mode::One, m_unpaidConfirmed == m_orderId);
    });
    connect(m_ui->admitAllButton, &QPushButton::clicked, this, [this] {
        runAdmit({ ScanInput::Kind::OrderId, m_orderId }, door::DoorCheck::Mode::All, m_unpaidConfirmed == m_orderId);
    });
    connect(m_ui->admitAnywayButton, &QPushButton::clicked, this, [this] {
        m_unpaidConfirmed = m_orderId;
        runAdmit(m_lastInput, door::DoorCheck::Mode::One, true);
    });
    m_events = m_services.config.door().events;
    const QString gate = m_services.config.door().gate;
    m_ui->gateLabel->setText(gate.isEmpty() ? QString() : tr("Gate: %1").arg(gate));
    m_ui->gateLabel->setVisible(!gate.isEmpty());
    fillEventChoice({});
    connect(m_ui->eventChoice, &QComboBox::activated, this, &CheckInPanel::eventChosen);
    reloadEvents();
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
    m_ui->admitAnywayButton->setVisible(false);
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
    runAdmit(parseScan(m_queue.takeFirst(), m_services.config.qr().urlTemplate), door::DoorCheck::Mode::One, false);
}

void CheckInPanel::runAdmit(const ScanInput &input, door::DoorCheck::Mode mode, bool unpaidConfirmed)
{
    if (input.kind == ScanInput::Kind::OrderId && input.value.isEmpty())
        return;
    m_busy = true;
    m_ui->admitOneButton->setEnabled(false);
    m_ui->admitAllButton->setEnabled(false);
    m_ui->admitAnywayButton->setEnabled(false);
    door::DoorCheck::Policy policy = door::DoorCheck::Policy::from(m_services.config);
    policy.station = m_services.station;
    policy.events = m_events;
    m_worker.run(
        this,
        [input, mode, unpaidConfirmed, policy](db::Database &database) {
            return door::DoorCheck(database, policy).check(input, mode, unpaidConfirmed);
        },
        [this, input](door::Verdict verdict) {
            m_busy = false;
            m_lastInput = input;
            showVerdict(verdict);
            if (verdict.admitted())
                Q_EMIT ticketsChanged();
            startNext();
        });
}

void CheckInPanel::showVerdict(const door::Verdict &v)
{
    const QString tone = toneName(v.tone());
    m_orderId = v.orderId;
    if (m_unpaidConfirmed != m_orderId)
        m_unpaidConfirmed.clear();
    const bool canAdmitMore = !m_orderId.isEmpty() && v.remaining() > 0
        && (v.kind == door::Verdict::Kind::Admitted || v.kind == door::Verdict::Kind::AlreadyUsed);
    m_ui->admitOneButton->setEnabled(canAdmitMore);
    m_ui->admitAllButton->setEnabled(canAdmitMore);
    m_ui->admitAllButton->setText(canAdmitMore ? tr("Admit &all remaining (%1)").arg(v.remaining()) : tr("Admit &all remaining"));
    const bool ask = v.kind == door::Verdict::Kind::UnpaidAsk;
    m_ui->admitAnywayButton->setVisible(ask);
    m_ui->admitAnywayButton->setEnabled(ask);
    if (v.admitted()) {
        m_lastAdmitted = v.ticket.ticketId;
        m_ui->undoButton->setEnabled(true);
    }
    setBanner(tone, v.title, v.detail);
    QString who = v.contactName;
    if (!v.eventName.isEmpty())
        who += (who.isEmpty() ? QString() : QStringLiteral(" · ")) + v.eventName;
    addRecent(tone, who.isEmpty() || v.kind == door::Verdict::Kind::OtherEvent ? v.line().section(QStringLiteral(" — "), 0, 0)
                                                                                 : v.title + QStringLiteral(" — ") + who);
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

void CheckInPanel::setEvents(const QStringList &events)
{
    m_events = events;
    const int index = m_ui->eventChoice->findData(m_events.join(u','));
    if (index >= 0)
        m_ui->eventChoice->setCurrentIndex(index);
    else
        reloadEvents();
}

void CheckInPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (!event->spontaneous())
        reloadEvents();
}

void CheckInPanel::reloadEvents()
{
    m_worker.run(
        this,
        [](db::Database &database) {
            QList<QPair<QString, QString>> events; // id, name
            if (auto list = db::OrderRepository(database).events()) {
                for (const db::EventInfo &e : list.value())
                    events.append({ e.eventId, e.eventName.isEmpty() ? e.eventId : e.eventName });
            }
            return events;
        },
        [this](QList<QPair<QString, QString>> events) { fillEventChoice(events); });
}

void CheckInPanel::fillEventChoice(const QList<QPair<QString, QString>> &events)
{
    QSignalBlocker block(m_ui->eventChoice);
    m_ui->eventChoice->clear();
    m_ui->eventChoice->addItem(tr("Every event"), QString());
    for (const auto &e : events)
        m_ui->eventChoice->addItem(e.second, e.first);
    const QString current = m_events.join(u',');
    int index = m_ui->eventChoice->findData(current);
    if (index < 0) {
        // Several events ([door] event = a,b), or one not in the database yet: shown as configured.
        QStringList names;
        for (const QString &id : m_events) {
            const int i = m_ui->eventChoice->findData(id);
            names << (i >= 0 ? m_ui->eventChoice->itemText(i) : id);
        }
        m_ui->eventChoice->addItem(names.join(QStringLiteral(" + ")), current);
        index = m_ui->eventChoice->count() - 1;
    }
    m_ui->eventChoice->setCurrentIndex(index);
}

void CheckInPanel::eventChosen()
{
    const QString chosen = m_ui->eventChoice->currentData().toString();
    m_events = chosen.split(u',', Qt::SkipEmptyParts);
    if (m_services.configStore) {
        if (m_services.configStore->set(core::ConfigKey::DoorEvent, chosen))
            m_services.configStore->config().save(); // best effort: the choice holds for this run anyway
    }
    clear();
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
