#include "gui/syncdialog.h"

#include "ui_syncdialog.h"

#include "core/config.h"
#include "db/syncrunrepository.h"
#include "gui/dbworker.h"
#include "gui/services.h"

#include "sync/syncengine.h"
#include "sync/synctypes.h"

#include <QDateTime>
#include <QFileDialog>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLocale>
#include <QPushButton>
#include <QShortcut>
#include <QTimer>

#include <cmath>

namespace qrt::gui {

namespace {

QString durationText(qint64 ms)
{
    const qint64 s = (ms + 999) / 1000;
    if (s < 60)
        return SyncDialog::tr("%n second(s)", nullptr, int(s));
    const qint64 m = (s + 30) / 60;
    if (m < 60)
        return SyncDialog::tr("%n minute(s)", nullptr, int(m));
    return SyncDialog::tr("%1 h %2 min").arg(m / 60).arg(m % 60);
}

// A bar that is done shows full even when there was nothing to do (0 of 0).
void setBar(QProgressBar *bar, int value, int maximum)
{
    if (maximum <= 0) {
        bar->setRange(0, 1);
        bar->setValue(value > 0 ? 1 : 0);
        bar->setFormat(value > 0 ? QStringLiteral("%p%") : QString());
        return;
    }
    bar->setFormat(QStringLiteral("%v / %m"));
    bar->setRange(0, maximum);
    bar->setValue(std::min(value, maximum));
}

} // namespace

struct SyncDialog::Private
{
    Services &services;
    QTimer *rateTimer = nullptr;
    QDateTime rateLimitUntil;
    bool running = false;     // a run this dialog follows (started here or elsewhere)
    bool mine = false;        // started by this dialog
    bool idList = false;
    DbWorker *dbWorker = nullptr; // the application's one database thread
    QTimer *otherRunTimer = nullptr;
    bool checkingOtherRun = false;
    QString otherRun; // non-empty: a run of another station or `serve` is in progress

    explicit Private(Services &s) : services(s) { }
};

SyncDialog::SyncDialog(Services &services, QWidget *parent)
    : QDialog(parent), m_ui(std::make_unique<Ui::SyncDialog>()), d(std::make_unique<Private>(services))
{
    m_ui->setupUi(this);
    QPalette errorPalette = m_ui->orderFileError->palette();
    const bool dark = errorPalette.color(QPalette::Window).lightness() < 128;
    errorPalette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c));
    m_ui->orderFileError->setPalette(errorPalette);
    m_ui->summaryGroup->hide();
    m_ui->rateLimitLabel->hide();
    m_ui->failuresTable->setColumnCount(2);
    m_ui->failuresTable->setHorizontalHeaderLabels({ tr("Order"), tr("Reason") });
    m_ui->failuresTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_ui->failuresTable->horizontalHeader()->setStretchLastSection(true);
    m_ui->failuresTable->verticalHeader()->hide();
    m_ui->failuresTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    for (QProgressBar *bar : { m_ui->listingBar, m_ui->ordersBar, m_ui->writingBar })
        setBar(bar, 0, 0);

    d->rateTimer = new QTimer(this);
    d->rateTimer->setInterval(250);
    connect(d->rateTimer, &QTimer::timeout, this, &SyncDialog::showRateLimit);
    m_ui->rateLimitLabel->setStyleSheet(QStringLiteral("font-weight: bold"));
    m_ui->otherRunLabel->hide();
    if (d->services.database) {
        // sync_runs is shared by every station and by `qrtickets serve`: look there for a run
        // that is not ours, so two stations do not sync the same location at once.
        d->dbWorker = d->services.dbWorker;
        d->otherRunTimer = new QTimer(this);
        d->otherRunTimer->setInterval(3000);
        connect(d->otherRunTimer, &QTimer::timeout, this, &SyncDialog::checkOtherRun);
        d->otherRunTimer->start();
        checkOtherRun();
    }

    connect(m_ui->startButton, &QPushButton::clicked, this, &SyncDialog::startSync);
    connect(m_ui->cancelButton, &QPushButton::clicked, this, &SyncDialog::reject);
    connect(m_ui->closeButton, &QPushButton::clicked, this, &QDialog::accept);
    connect(m_ui->browseButton, &QPushButton::clicked, this, &SyncDialog::browseOrderFile);
    for (QRadioButton *radio : { m_ui->modeIncrementalRadio, m_ui->modeFullRadio, m_ui->modeFileRadio })
        connect(radio, &QRadioButton::toggled, this, &SyncDialog::updateModeState);
    connect(m_ui->orderFileEdit, &QLineEdit::textChanged, this, &SyncDialog::updateModeState);
    m_ui->startButton->setDefault(true);
    // F5 starts a sync in the main window too; here it starts one when nothing runs.
    auto *f5 = new QShortcut(QKeySequence(Qt::Key_F5), this);
    connect(f5, &QShortcut::activated, this, [this] {
        if (m_ui->startButton->isEnabled())
            startSync();
    });

    if (sync::SyncEngine *engine = d->services.sync) {
        connect(engine, &sync::SyncEngine::started, this, [this] {
            if (!d->running) {
                // Started elsewhere (the main window, a shortcut): follow it.
                m_ui->summaryGroup->hide();
                m_ui->failuresTable->setRowCount(0);
                setRunning(true);
            }
        });
        connect(engine, &sync::SyncEngine::progressChanged, this, &SyncDialog::showProgress);
        connect(engine, &sync::SyncEngine::orderFailed, this, &SyncDialog::addFailure);
        connect(engine, &sync::SyncEngine::finished, this, &SyncDialog::showSummary);
        if (engine->isRunning()) {
            setRunning(true);
            showProgress(engine->progress());
        }
    }
    setRunning(d->running);
    updateModeState();
}

SyncDialog::~SyncDialog() = default;

void SyncDialog::updateModeState()
{
    const bool file = m_ui->modeFileRadio->isChecked();
    m_ui->orderFileEdit->setEnabled(file && !d->running);
    m_ui->browseButton->setEnabled(file && !d->running);
    if (!file)
        m_ui->orderFileError->hide();
    const bool haveEngine = d->services.sync != nullptr;
    const bool ready = !file || !m_ui->orderFileEdit->text().trimmed().isEmpty();
    m_ui->startButton->setEnabled(haveEngine && !d->running && ready && d->otherRun.isEmpty());
    m_ui->otherRunLabel->setText(d->otherRun);
    m_ui->otherRunLabel->setVisible(!d->running && !d->otherRun.isEmpty());
    if (!haveEngine) {
        m_ui->statusLabel->setText(tr("Syncing is not available in this build."));
    } else if (!d->running && m_ui->statusLabel->text().isEmpty()) {
        m_ui->statusLabel->setText(tr("Ready. An incremental sync fetches only new and changed orders."));
    }
}

void SyncDialog::checkOtherRun()
{
    if (!d->dbWorker || d->checkingOtherRun || d->running)
        return;
    d->checkingOtherRun = true;
    d->dbWorker->run(
        this,
        [](db::Database &database) {
            auto running = db::SyncRunRepository(database).running();
            return running ? running.value() : std::optional<db::SyncRunRecord>();
        },
        [this](std::optional<db::SyncRunRecord> run) {
            d->checkingOtherRun = false;
            QString text;
            if (run && !d->running) {
                text = tr("A sync started by %1 at %2 is running; Sync is available again when it ends.")
                           .arg(run->station.isEmpty() ? tr("another station") : run->station,
                                QLocale().toString(run->startedAt.toLocalTime().time(), QLocale::ShortFormat));
            }
            if (text != d->otherRun) {
                d->otherRun = text;
                updateModeState();
            }
        });
}

void SyncDialog::browseOrderFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Order list"), m_ui->orderFileEdit->text(),
                                                      tr("JSON files (*.json);;All files (*)"));
    if (!path.isEmpty())
        m_ui->orderFileEdit->setText(path);
}

void SyncDialog::setRunning(bool running)
{
    d->running = running;
    m_ui->modeGroup->setEnabled(!running);
    m_ui->cancelButton->setEnabled(running);
    m_ui->closeButton->setEnabled(!running);
    m_ui->cancelButton->setDefault(running);
    if (!running) {
        d->rateTimer->stop();
        m_ui->rateLimitLabel->hide();
    }
    updateModeState();
}

void SyncDialog::startSync()
{
    sync::SyncEngine *engine = d->services.sync;
    if (!engine || engine->isRunning())
        return;
    sync::SyncRequest request;
    request.station = d->services.station;
    request.ghl = d->services.config.ghl();
    d->idList = false;
    if (m_ui->modeFullRadio->isChecked()) {
        request.mode = sync::SyncMode::Full;
    } else if (m_ui->modeFileRadio->isChecked()) {
        auto ids = sync::readOrderIdFile(m_ui->orderFileEdit->text().trimmed());
        if (!ids) {
            m_ui->orderFileError->setText(ids.error().message);
            m_ui->orderFileError->show();
            return;
        }
        m_ui->orderFileError->hide();
        request.mode = sync::SyncMode::IdList;
        request.orderIds = ids.value();
        d->idList = true;
    }
    if (request.ghl.token.isEmpty() || request.ghl.locationId.isEmpty()) {
        m_ui->statusLabel->setText(tr("Enter the GHL location ID and token in Settings first."));
        return;
    }
    m_ui->summaryGroup->hide();
    m_ui->failuresTable->setRowCount(0);
    for (QProgressBar *bar : { m_ui->listingBar, m_ui->ordersBar, m_ui->writingBar })
        setBar(bar, 0, 0);
    m_ui->listingCount->clear();
    m_ui->ordersCount->clear();
    m_ui->writingCount->clear();
    m_ui->timeLeftLabel->clear();
    // Set before start(): the engine's started() must not look like a run begun elsewhere.
    d->running = true;
    d->mine = true;
    if (!engine->start(request)) {
        d->mine = false;
        setRunning(false);
        m_ui->statusLabel->setText(tr("A sync is already running."));
        return;
    }
    setRunning(true);
    m_ui->statusLabel->setText(tr("Starting ..."));
}

void SyncDialog::reject()
{
    if (d->running && d->services.sync) {
        m_ui->statusLabel->setText(tr("Cancelling ... orders already saved stay saved."));
        m_ui->cancelButton->setEnabled(false);
        d->services.sync->cancel();
        return;
    }
    QDialog::reject();
}

void SyncDialog::showProgress(const sync::SyncProgress &p)
{
    if (!d->running)
        setRunning(true);
    const bool listing = p.phase == sync::SyncPhase::Listing;
    if (d->idList) {
        setBar(m_ui->listingBar, 1, 0);
        m_ui->listingCount->setText(tr("not needed"));
    } else if (listing && p.listTotal == 0) {
        m_ui->listingBar->setRange(0, 0); // busy until GHL says how many there are
        m_ui->listingCount->setText(tr("%n order(s)", nullptr, p.listed));
    } else {
        // Past the listing phase it is complete, even if GHL's total was an estimate.
        const int total = std::max(p.listTotal, p.listed);
        setBar(m_ui->listingBar, listing ? p.listed : total, total);
        m_ui->listingCount->setText(tr("%1 of %2").arg(listing ? p.listed : total).arg(total));
    }
    const bool afterListing = !listing && p.phase != sync::SyncPhase::Idle;
    const int doneFetching = std::min(p.total, p.fetched + p.failed);
    const int doneWriting = std::min(p.total, p.written + p.failed);
    if (afterListing) {
        setBar(m_ui->ordersBar, p.phase == sync::SyncPhase::Done ? p.total : doneFetching, p.total);
        setBar(m_ui->writingBar, p.phase == sync::SyncPhase::Done ? p.total : doneWriting, p.total);
        if (p.phase == sync::SyncPhase::Done && p.total == 0) {
            setBar(m_ui->ordersBar, 1, 0);
            setBar(m_ui->writingBar, 1, 0);
        }
        QString orders = tr("%1 of %2").arg(doneFetching).arg(p.total);
        if (p.unchanged > 0)
            orders += tr(", %n unchanged", nullptr, p.unchanged);
        m_ui->ordersCount->setText(orders);
        QString written = tr("%1 of %2").arg(p.written).arg(p.total);
        if (p.failed > 0)
            written += tr(", %n failed", nullptr, p.failed);
        m_ui->writingCount->setText(written);
    }

    m_ui->statusLabel->setText(tr("%1 ... %n request(s) sent to GHL", nullptr, p.requests).arg(sync::displayName(p.phase)));
    if (p.phase == sync::SyncPhase::Done || p.etaMs == 0)
        m_ui->timeLeftLabel->clear();
    else if (p.etaMs < 0)
        m_ui->timeLeftLabel->setText(tr("Estimating the time left ..."));
    else
        m_ui->timeLeftLabel->setText(tr("About %1 left (%2 so far)").arg(durationText(p.etaMs), durationText(p.elapsedMs)));

    if (p.rateLimitWaitMs > 0) {
        d->rateLimitUntil = QDateTime::currentDateTimeUtc().addMSecs(p.rateLimitWaitMs);
        if (!d->rateTimer->isActive())
            d->rateTimer->start();
    } else {
        d->rateLimitUntil = {};
        d->rateTimer->stop();
    }
    showRateLimit();
}

void SyncDialog::showRateLimit()
{
    // Counts down between progress updates so the wait is visibly moving.
    const qint64 left = d->rateLimitUntil.isValid() ? QDateTime::currentDateTimeUtc().msecsTo(d->rateLimitUntil) : 0;
    if (left <= 0) {
        d->rateTimer->stop();
        m_ui->rateLimitLabel->hide();
        return;
    }
    m_ui->rateLimitLabel->setText(tr("Waiting for GHL rate limit (%n s)", nullptr, int((left + 999) / 1000)));
    m_ui->rateLimitLabel->show();
}

void SyncDialog::addFailure(const QString &orderId, const QString &reason)
{
    QTableWidget *table = m_ui->failuresTable;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (!orderId.isEmpty() && table->item(r, 0)->text() == orderId) {
            table->item(r, 1)->setText(reason);
            return;
        }
    }
    const int row = table->rowCount();
    table->insertRow(row);
    table->setItem(row, 0, new QTableWidgetItem(orderId.isEmpty() ? tr("(order list)") : orderId));
    auto *why = new QTableWidgetItem(reason);
    why->setToolTip(reason);
    table->setItem(row, 1, why);
    m_ui->summaryGroup->show();
    if (!d->running || m_ui->summaryLabel->text().isEmpty())
        m_ui->summaryLabel->setText(tr("Failed so far:"));
}

void SyncDialog::showSummary(const sync::SyncSummary &s)
{
    d->mine = false;
    sync::SyncProgress done = d->services.sync ? d->services.sync->progress() : sync::SyncProgress {};
    if (s.status != sync::SyncStatus::Cancelled && s.status != sync::SyncStatus::Failed) {
        done.phase = sync::SyncPhase::Done;
        showProgress(done);
    }
    setRunning(false);
    m_ui->timeLeftLabel->clear();

    // The summary's list is authoritative (the live signals may have been throttled or missed).
    m_ui->failuresTable->setRowCount(0);
    for (const sync::SyncFailure &f : s.failures)
        addFailure(f.orderId, f.reason);

    QStringList lines;
    lines << tr("<b>%1</b> in %2.").arg(sync::displayName(s.status).toHtmlEscaped(), durationText(s.durationMs()));
    lines << tr("%n order(s) synced", nullptr, s.synced) + u", " + tr("%n unchanged", nullptr, s.unchanged) + u", "
            + tr("%n failed", nullptr, s.failed) + u'.';
    if (s.ticketsAdded || s.ticketsCancelled || s.ticketsRestored)
        lines << tr("Tickets: %1 added, %2 cancelled, %3 restored.").arg(s.ticketsAdded).arg(s.ticketsCancelled).arg(s.ticketsRestored);
    if (s.http429 > 0)
        lines << tr("GHL asked us to slow down %n time(s); the sync waited and went on.", nullptr, s.http429);
    if (!s.error.isEmpty())
        lines << s.error.toHtmlEscaped();
    for (const QString &c : s.conflicts)
        lines << c.toHtmlEscaped();
    if (!s.failures.isEmpty())
        lines << tr("These orders were not synced; run the sync again later or check them in GHL:");
    m_ui->summaryLabel->setTextFormat(Qt::RichText);
    m_ui->summaryLabel->setText(lines.join(QStringLiteral("<br>")));
    m_ui->failuresTable->setVisible(!s.failures.isEmpty());
    m_ui->failuresTable->resizeRowsToContents();
    m_ui->summaryGroup->show();
    m_ui->statusLabel->setText(sync::displayName(s.status));
    m_ui->closeButton->setFocus();
    emit syncFinished();
}

} // namespace qrt::gui
