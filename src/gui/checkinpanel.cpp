#include "gui/checkinpanel.h"

#include "core/config.h"
#include "core/configstore.h"
#include "db/doorfunctions.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "gui/camerapreview.h"
#include "gui/dbworker.h"
#include "gui/guestsearch.h"
#include "door/doorstation.h"
#include "gui/offlinebar.h"
#include "gui/services.h"
#include "gui/ticketmodels.h"
#include "gui/verdictbanner.h"
#include "gui/verdictsounds.h"
#include "qr/qrcode.h"
#include "ui_checkinpanel.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHideEvent>
#include <QKeySequence>
#include <QLocale>
#include <QShortcut>
#include <QShowEvent>
#include <QTime>

namespace qrt::gui {

namespace {
const QString kUndoReason = QStringLiteral("undo at door");

// PostgreSQL without a door station (its cache could not start): a door login (issue 13) still
// scans and undoes, through the door functions. One round trip more, on this rare path only.
bool isDoorLogin(db::Database &database)
{
    if (!database.isPostgres())
        return false;
    auto role = db::detectRole(database);
    return role && role.value() == db::DatabaseRole::Door;
}

QString toneName(door::Verdict::Tone tone)
{
    switch (tone) {
    case door::Verdict::Tone::Green: return QStringLiteral("green");
    case door::Verdict::Tone::Amber: return QStringLiteral("amber");
    case door::Verdict::Tone::Neutral: return QStringLiteral("neutral");
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
    m_banner = new VerdictBanner(m_ui->resultBanner, m_ui->resultDetail, this);
    m_banner->setClearAfterMs(m_services.config.door().clearAfterMs);
    m_banner->showReady();
    // The verdict went by itself: the next person in line is another guest.
    connect(m_banner, &VerdictBanner::clearedByItself, this, &CheckInPanel::disarm);
    m_sounds = new VerdictSounds(this);
    m_sounds->setObjectName(QStringLiteral("verdictSounds"));
    m_sounds->setEnabled(m_services.config.door().sound);
    // Searches and the event list run on the shared dbWorker: m_worker (the scan worker) is kept for
    // verdicts and Undo, so a scan never waits behind a search.
    m_search = new GuestSearch(lookupWorker(), this);
    m_search->setObjectName(QStringLiteral("guestSearch"));
    m_ui->checkInLayout->insertWidget(m_ui->checkInLayout->indexOf(m_ui->resultBanner), m_search);
    connect(m_search, &GuestSearch::guestChosen, this, [this](const QString &orderId) {
        runAdmit({ ScanInput::Kind::OrderId, orderId }, door::DoorCheck::Mode::Look, false);
    });
    // PostgreSQL: OFFLINE and the queue in a plain line at the top, the conflicts below it.
    m_offlineBar = new OfflineBar(m_services.doorStation, m_worker, this);
    m_ui->checkInLayout->insertWidget(0, m_offlineBar);
    m_ui->recentList->setTextElideMode(Qt::ElideRight);
    m_ui->recentList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

    connect(m_ui->scanEdit, &QLineEdit::returnPressed, this, [this] {
        const QString text = m_ui->scanEdit->text();
        m_ui->scanEdit->clear();
        // Enter in the empty field admits a guest found by name (a scanner never sends an empty line),
        // so focus stays here for the next scan.
        if (text.trimmed().isEmpty() && m_foundArmed && m_ui->admitOneButton->isEnabled()) {
            m_ui->admitOneButton->click();
            return;
        }
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
    m_search->setEvents(m_events);
    const QString gate = m_services.config.door().gate;
    m_ui->gateLabel->setText(gate.isEmpty() ? QString() : tr("Gate: %1").arg(gate));
    m_ui->gateLabel->setVisible(!gate.isEmpty());
    fillEventChoice({});
    connect(m_ui->eventChoice, &QComboBox::activated, this, &CheckInPanel::eventChosen);
    reloadEvents();
    connect(m_ui->undoButton, &QPushButton::clicked, this, &CheckInPanel::undo);
    connect(m_ui->openImageButton, &QPushButton::clicked, this, &CheckInPanel::openImage);
    // The camera: a toggle beside "Open image…", the preview under the scan field; what it reads
    // goes down the same path as a typed scan.
    m_cameraButton = new QPushButton(tr("Came&ra"), this);
    m_cameraButton->setObjectName(QStringLiteral("cameraButton"));
    m_cameraButton->setCheckable(true);
    m_cameraButton->setToolTip(tr("Scan QR codes with this computer's camera (Settings → Station chooses which)"));
    m_ui->scanRow->addWidget(m_cameraButton);
    m_camera = new CameraPreview(this);
    m_camera->setVisible(false);
    m_ui->checkInLayout->insertWidget(m_ui->checkInLayout->indexOf(m_ui->resultBanner), m_camera);
    connect(m_cameraButton, &QPushButton::toggled, this, &CheckInPanel::cameraToggled);
    connect(m_camera, &CameraPreview::codeRead, this, &CheckInPanel::scan);
    if (m_services.configStore) {
        connect(m_services.configStore, &core::ConfigStore::changed, this, [this](core::ConfigKey key) {
            if ((key == core::ConfigKey::StationCamera || key == core::ConfigKey::StationCameraMirror) && m_camera->isOn())
                cameraToggled(true); // the camera chosen in Settings, at once
        });
    }
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
    m_search->clear();
    disarm();
    m_banner->showReady();
    focusScanField();
}

void CheckInPanel::disarm()
{
    m_orderId.clear();
    m_foundArmed = false;
    m_ui->admitOneButton->setEnabled(false);
    m_ui->admitOneButton->setText(tr("Admit o&ne more"));
    m_ui->admitAllButton->setEnabled(false);
    m_ui->admitAllButton->setText(tr("Admit &all remaining"));
    m_ui->admitAnywayButton->setVisible(false);
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
    const door::DoorCheck::Policy policy = stationPolicy();
    m_worker.run(
        this,
        [input, mode, unpaidConfirmed, policy, station = m_services.doorStation](db::Database &database) {
            if (station) // the shared database, or the door cache once it stopped answering
                return station->check(policy, input, mode, unpaidConfirmed);
            door::DoorCheck::Policy direct = policy;
            direct.doorRole = isDoorLogin(database);
            return door::DoorCheck(database, direct).check(input, mode, unpaidConfirmed);
        },
        [this, input, mode](door::Verdict verdict) {
            m_busy = false;
            m_lastInput = input;
            showVerdict(verdict);
            if (verdict.admitted())
                Q_EMIT ticketsChanged();
            // Always the scan field: the next USB scan types into whatever has focus. Enter in the
            // empty field admits a guest found by name.
            focusScanField();
            startNext();
        });
}

void CheckInPanel::showVerdict(const door::Verdict &v)
{
    const QString tone = toneName(v.tone());
    m_orderId = v.orderId;
    if (m_unpaidConfirmed != m_orderId)
        m_unpaidConfirmed.clear();
    // Only green (or a guest found by name) arms them: red never leaves them armed for the guest
    // before, and amber (a ticket already used: maybe a screenshot passed back) is not one click
    // from admitting another ticket.
    const bool canAdmitMore = !m_orderId.isEmpty() && v.remaining() > 0
        && (v.kind == door::Verdict::Kind::Admitted || v.kind == door::Verdict::Kind::Found);
    m_foundArmed = canAdmitMore && v.kind == door::Verdict::Kind::Found;
    m_ui->admitOneButton->setEnabled(canAdmitMore);
    m_ui->admitOneButton->setText(v.kind == door::Verdict::Kind::Found ? tr("Admit o&ne") : tr("Admit o&ne more"));
    m_ui->admitAllButton->setEnabled(canAdmitMore);
    m_ui->admitAllButton->setText(canAdmitMore ? tr("Admit &all remaining (%1)").arg(v.remaining()) : tr("Admit &all remaining"));
    const bool ask = v.kind == door::Verdict::Kind::UnpaidAsk;
    m_ui->admitAnywayButton->setVisible(ask);
    m_ui->admitAnywayButton->setEnabled(ask);
    // Undo follows the last verdict: what it admitted, or nothing when it admitted nothing (so a
    // red or amber scan never leaves Undo aimed at the guest before).
    m_undoTickets = v.admittedTickets;
    m_undoWho = v.contactName;
    m_undoActor = stationPolicy().actor(); // who the admission was recorded as: Undo reverts only that
    m_ui->undoButton->setEnabled(!m_undoTickets.isEmpty());
    m_ui->undoButton->setText(m_undoTickets.size() > 1 ? tr("&Undo last admission (%1)").arg(m_undoTickets.size())
                                                      : tr("&Undo last admission"));
    m_ui->undoButton->setToolTip(m_undoTickets.isEmpty() ? tr("The last scan admitted nobody: nothing to undo")
                                                         : tr("Makes the %n ticket(s) just admitted live again", nullptr,
                                                              int(m_undoTickets.size())));
    // A verdict that waits for staff ("Admit anyway", a guest found by name) stays until they
    // decide: clearing it would take its buttons away.
    const bool waits = v.kind == door::Verdict::Kind::UnpaidAsk || (v.kind == door::Verdict::Kind::Found && canAdmitMore);
    m_banner->setClearAfterMs(waits ? 0 : m_services.config.door().clearAfterMs);
    m_banner->show(tone, v.title, v.detail, !waits);
    m_sounds->setEnabled(m_services.config.door().sound);
    m_sounds->play(v.tone());
    QString who = v.contactName;
    if (!v.eventName.isEmpty())
        who += (who.isEmpty() ? QString() : QStringLiteral(" · ")) + v.eventName;
    // "Already used by Door 2 on 29/11/2026 at 20:14 — Anna Albrecht · Summer Gala 2026"
    const QString head = v.kind == door::Verdict::Kind::AlreadyUsed || who.isEmpty() || v.kind == door::Verdict::Kind::OtherEvent
        ? v.line().section(QStringLiteral(" — "), 0, 0)
        : v.title;
    addRecentScan(m_ui->recentList, tone,
                  who.isEmpty() || v.kind == door::Verdict::Kind::OtherEvent ? head : head + QStringLiteral(" — ") + who);
}

door::DoorCheck::Policy CheckInPanel::stationPolicy() const
{
    door::DoorCheck::Policy policy = door::DoorCheck::Policy::from(m_services.config);
    policy.station = m_services.station;
    policy.events = m_events;
    return policy;
}

void CheckInPanel::setBanner(const QString &tone, const QString &title, const QString &detail)
{
    m_banner->show(tone, title, detail, false);
}

void CheckInPanel::undo()
{
    if (m_undoTickets.isEmpty() || m_busy)
        return;
    const QList<qint64> ticketIds = m_undoTickets;
    const QString who = m_undoWho;
    const QString actor = m_undoActor;
    m_busy = true;
    m_ui->undoButton->setEnabled(false);
    m_worker.run(
        this,
        [ticketIds, actor, station = m_services.doorStation](db::Database &database) {
            // One transaction; only used -> live, and only what this station admitted: a ticket a
            // refund cancelled meanwhile, or another station admitted again, stays as it is.
            // Offline: only an admission still queued, in the door cache (the queue drops it with it);
            // one already on the shared database is refused until the station is online.
            if (station)
                return station->undo(ticketIds, actor, kUndoReason);
            if (isDoorLogin(database))
                return door::DoorStation::undoAsDoor(database, ticketIds, actor);
            return db::TicketRepository(database).undoAdmissions(ticketIds, actor, kUndoReason);
        },
        [this, ticketIds, who](core::Result<db::BulkResult> result) {
            m_busy = false;
            if (!result) {
                setBanner(QStringLiteral("red"), tr("Undo failed"), result.error().message);
                m_ui->undoButton->setEnabled(m_undoTickets == ticketIds);
                return;
            }
            if (m_undoTickets == ticketIds)
                m_undoTickets.clear();
            m_ui->undoButton->setEnabled(!m_undoTickets.isEmpty());
            disarm();
            QString detail = who.isEmpty() ? tr("%n ticket(s) are live again.", nullptr, result->changed)
                                           : tr("%n ticket(s) of %1 are live again.", nullptr, result->changed).arg(who);
            if (!result->problems.isEmpty())
                detail += u'\n' + tr("Not undone:") + u'\n' + result->problems.join(u'\n');
            m_banner->show(result->problems.isEmpty() ? QStringLiteral("neutral") : QStringLiteral("amber"),
                           result->changed == 0 ? tr("Nothing undone") : tr("Admission undone"), detail, true);
            addRecentScan(m_ui->recentList, QStringLiteral("neutral"),
                          who.isEmpty() ? tr("Undone: %n ticket(s)", nullptr, result->changed)
                                        : tr("Undone: %n ticket(s) of %1", nullptr, result->changed).arg(who));
            Q_EMIT ticketsChanged();
            focusScanField();
            startNext();
        });
}

void CheckInPanel::setEvents(const QStringList &events)
{
    m_events = events;
    m_search->setEvents(m_events);
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
    if (m_cameraButton->isChecked() && !m_camera->isOn())
        cameraToggled(true);
}

void CheckInPanel::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_camera->stop(); // the button stays down: the camera comes back with the panel
}

void CheckInPanel::cameraToggled(bool on)
{
    m_camera->setVisible(on);
    if (!on) {
        m_camera->stop();
    } else if (isVisible()) {
        m_camera->setMirrored(m_services.config.flag(core::ConfigKey::StationCameraMirror));
        m_camera->start(m_services.config.text(core::ConfigKey::StationCamera));
    }
    focusScanField(); // a USB scanner still types into the scan field
}

DbWorker &CheckInPanel::lookupWorker() const
{
    return m_services.dbWorker ? *m_services.dbWorker : m_worker;
}

void CheckInPanel::reloadEvents()
{
    // A door login reads the events through its view (issue 13 point 3).
    const bool door = !m_services.role || *m_services.role == db::DatabaseRole::Door;
    m_search->setDoorViews(door);
    lookupWorker().run(
        this,
        [door](db::Database &database) {
            QList<QPair<QString, QString>> events; // id, name
            if (auto list = db::OrderRepository(database).events(door)) {
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
    m_search->setEvents(m_events);
    if (m_services.configStore) {
        if (m_services.configStore->set(core::ConfigKey::DoorEvent, chosen))
            (void)m_services.configStore->config().save(); // best effort: the choice holds for this run anyway
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
