#include "gui/mainwindow.h"

#include "core/config.h"
#include "core/configstore.h"
#include "core/version.h"
#include "db/database.h"
#include "db/inboxrepository.h"
#include "db/orderrepository.h"
#include "db/syncrunrepository.h"
#include "sync/synctypes.h"
#include "gui/changewatcher.h"
#include "gui/checkinpanel.h"
#include "gui/offlinebar.h"
#include "door/doorstation.h"
#include "gui/dbworker.h"
#include "gui/eventoverview.h"
#include "gui/kiosklock.h"
#include "gui/logging.h"
#include "gui/messages.h"
#include "gui/orderdialog.h"
#include "gui/orderlistmodel.h"
#include "gui/services.h"
#include "gui/windowshortcutsfirst.h"
#include "gui/userspage.h"
#include "ui_mainwindow.h"

#include "gui/syncdialog.h"
#include "gui/settingsdialog.h"
#include "gui/listenerpanel.h"
#include "webhook/httpserver.h"
#include "webhook/webhookservice.h"

#include <QCloseEvent>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>

#include <optional>
#include <utility>

namespace qrt::gui {

namespace {
struct StatusInfo
{
    core::Result<void> reachable;
    std::optional<db::SyncRunRecord> lastSync;
    std::optional<db::InboxStats> inbox;
    std::optional<core::Result<db::DatabaseRole>> role; // PostgreSQL: the connected user's, asked again each time
};

struct FilterChoices
{
    core::Result<QList<db::EventInfo>> events = QList<db::EventInfo>();
    core::Result<QStringList> payments = QStringList();
};

} // namespace

MainWindow::MainWindow(Services &services, QWidget *parent)
    : QMainWindow(parent), m_ui(std::make_unique<Ui::MainWindow>()), m_services(services)
{
    m_ui->setupUi(this);
    setWindowIcon(QIcon(QStringLiteral(":/appicon/qrtickets.svg")));
    setWindowTitle(services.demo ? tr("QR Tickets — Demo") : tr("QR Tickets"));

    Q_ASSERT(services.dbWorker && services.countWorker); // src/app builds them (app::DesktopServices)
    m_worker = services.dbWorker;
    m_model = new OrderListModel(*m_worker, *services.countWorker, this);
    // A door station reads no order at all (setupAccess below): not even the first page the header's sort asks for.
    m_model->setReadable(services.role == db::DatabaseRole::Full || services.role == db::DatabaseRole::Admin);
    m_exports = new ExportActions(*m_worker, this, m_ui->eventFilter);
    connect(m_exports, &ExportActions::finished, this, &MainWindow::exportFinished);
    m_ui->orderView->setModel(m_model);
    m_ui->orderView->verticalHeader()->hide();
    m_ui->orderView->verticalHeader()->setDefaultSectionSize(m_ui->orderView->fontMetrics().height() + 8);
    m_ui->orderView->horizontalHeader()->setSectionsMovable(true);
    m_ui->orderView->horizontalHeader()->setStretchLastSection(true);
    m_ui->orderView->horizontalHeader()->setSortIndicator(OrderListModel::Updated, Qt::DescendingOrder);

    // Offline mode at the door (PostgreSQL): the station's door cache, OFFLINE, the upload queue.
    if (!services.doorStation)
        startDoorStation(services, this);
    // Scans on their own thread and door connection: never queued behind a list refresh.
    m_checkIn = new CheckInPanel(services, services.scanWorker ? *services.scanWorker : *m_worker, m_ui->checkInTab);
    m_checkIn->setObjectName(QStringLiteral("checkInPanel"));
    m_ui->checkInTabLayout->addWidget(m_checkIn);
    m_overview = new EventOverview(*m_worker, m_ui->overviewTab);
    m_overview->setObjectName(QStringLiteral("eventOverview"));
    m_ui->overviewTabLayout->addWidget(m_overview);
    // The original system's users and their operator logins (issue 13 point 5); reads when shown.
    auto *users = new UsersPage(*m_worker, services.changeWatcher, m_ui->mainTabs);
    users->setObjectName(QStringLiteral("usersPage"));
    m_ui->mainTabs->addTab(users, tr("Users"));

    QFont titleFont = m_ui->emptyTitle->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.8);
    titleFont.setBold(true);
    m_ui->emptyTitle->setFont(titleFont);
    if (services.demo) {
        // The demo is already connected to its simulator: the first step is Sync, not Settings.
        m_ui->emptyTitle->setText(tr("Welcome to the demo"));
        m_ui->emptyText->setText(
            tr("<p>A built-in GHL simulator holds about 200 sample orders.</p>"
               "<p>Press <b>Sync</b> (F5) to fetch them, open an order, admit guests in the <b>Check-in</b> tab, "
               "or send a test webhook from the <b>Listener</b> panel.</p>"
               "<p>Nothing you do here touches your own settings or data.</p>"));
        m_ui->emptySettingsButton->hide();
        m_ui->emptySyncButton->setText(tr("&Sync the sample orders"));
    } else {
        m_ui->emptyText->setText(
            tr("<p>QR Tickets shows the orders of your GoHighLevel location here.</p>"
               "<p><b>1.</b> Open <b>Settings</b> (Ctrl+,) and enter your GHL location id and private integration token.<br>"
               "<b>2.</b> Press <b>Sync</b> (F5) to fetch your orders.<br>"
               "<b>3.</b> Use the <b>Check-in</b> tab at the door.</p>"
               "<p>Just looking around? Start <code>qrtickets --demo</code> for a built-in GHL simulator with sample orders.</p>"));
    }

    m_dbStatus = new QLabel(this);
    m_dbStatus->setObjectName(QStringLiteral("dbStatusLabel"));
    m_listenerStatus = new QLabel(this);
    m_listenerStatus->setObjectName(QStringLiteral("listenerStatusLabel"));
    m_syncStatus = new QLabel(this);
    m_syncStatus->setObjectName(QStringLiteral("syncStatusLabel"));
    statusBar()->addWidget(m_dbStatus);
    statusBar()->addWidget(m_listenerStatus);
    statusBar()->addPermanentWidget(m_syncStatus);
    m_listenerStatus->setVisible(false); // once the listener has been started (refreshStatus)
    if (services.webhookService)
        connect(services.webhookService, &webhook::WebhookService::listeningChanged, this, &MainWindow::refreshStatus);

    setupActions();
    setupFilters();
    setupAccess(); // the role's tabs and actions, the kiosk PIN (mainwindowaccess.cpp)

    connect(m_model, &OrderListModel::loaded, this, &MainWindow::updatePage);
    connect(m_model, &OrderListModel::totalCountChanged, this, &MainWindow::updateCountLabel);
    connect(m_model, &OrderListModel::rowsInserted, this, &MainWindow::updateCountLabel);
    connect(m_model, &OrderListModel::loadFailed, this,
            [this](const core::Error &error) { m_ui->countLabel->setText(tr("Could not read the orders: %1").arg(error.message)); });
    connect(m_ui->orderView, &QTableView::activated, this, &MainWindow::openCurrentOrder);
    // An admission at the door refreshes nothing at once: the watcher reads which orders changed
    // after the burst, and the order list re-reads only those rows, only when it is looked at.
    connect(m_checkIn, &CheckInPanel::ticketsChanged, this, [this] {
        if (m_watcher && m_watcher->isListening())
            m_watcher->checkNow();
        else
            scheduleRefresh();
    });
    m_refreshCoalesce.setSingleShot(true);
    m_refreshCoalesce.setInterval(300);
    connect(&m_refreshCoalesce, &QTimer::timeout, this, &MainWindow::refreshAll);
    connect(m_ui->mainTabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_ui->mainTabs->widget(index) == m_ui->ordersTab && m_ordersStale) {
            m_ordersStale = false;
            m_model->refreshPending();
        }
        if (m_ui->mainTabs->widget(index) == m_ui->checkInTab)
            m_checkIn->focusScanField();
        else if (m_ui->mainTabs->widget(index) == m_ui->overviewTab)
            m_overview->refresh();
    });

    // Started once the database answered on the worker (see refreshStatus): opening its
    // GUI-thread connection to an unreachable server would freeze the window.
    m_watcher = services.changeWatcher;
    if (m_watcher) {
        connect(m_watcher, &ChangeWatcher::changes, this, [this](const ChangeSet &changes) {
            m_model->noteChanges(changes);
            scheduleRefresh();
        });
        connect(m_watcher, &ChangeWatcher::changed, this, &MainWindow::refreshStatus); // the inbox, sync runs
    }

    m_statusTimer.setInterval(15000);
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    m_statusTimer.start();

    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("MainWindow/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("MainWindow/state")).toByteArray());
    if (!m_ui->orderView->horizontalHeader()->restoreState(settings.value(QStringLiteral("MainWindow/orderColumns")).toByteArray())) {
        // First-run widths from typical content, so nothing important is cut off.
        const QFontMetrics fm = m_ui->orderView->fontMetrics();
        const int pad = fm.horizontalAdvance(QStringLiteral("MM"));
        const struct
        {
            int column;
            QString sample;
        } widths[] = {
            { OrderListModel::OrderId, QStringLiteral("66f0ed661dcf9000000000e7") },
            { OrderListModel::Contact, QStringLiteral("Queenie Zimmermann") },
            { OrderListModel::Email, QStringLiteral("olivia.zimmermann@example.org") },
            { OrderListModel::Event, QStringLiteral("Jazz Night at the Harbour") },
            { OrderListModel::Total, QStringLiteral("1,234.00 EUR") },
            { OrderListModel::PaymentStatus, QStringLiteral("refunded") },
        };
        for (const auto &w : widths)
            m_ui->orderView->setColumnWidth(w.column, fm.horizontalAdvance(w.sample) + pad);
        for (int c : { OrderListModel::Live, OrderListModel::Used, OrderListModel::Cancelled })
            m_ui->orderView->setColumnWidth(c, fm.horizontalAdvance(m_model->headerData(c, Qt::Horizontal).toString()) + pad);
    }
    const QHeaderView *header = m_ui->orderView->horizontalHeader();
    // Loads the first page (once: restoring the header may already have sorted).
    if (m_model->totalCount() < 0 && !m_model->isLoading())
        m_model->sort(header->sortIndicatorSection(), header->sortIndicatorOrder());
    loadFilterChoices();
    refreshStatus();
}

MainWindow::~MainWindow()
{
    // A scan queued or running on the scan worker uses this window's door station (a child,
    // deleted right after this): let it finish first. At most one scan's deadline.
    if (!m_services.doorStation || m_services.doorStation->parent() != this)
        return;
    if (DbWorker *scans = m_services.scanWorker ? m_services.scanWorker : m_worker)
        scans->drain();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_kiosk && m_kiosk->isLocked() && !m_quitWithPin) {
        event->ignore();
        m_kiosk->askPin(this, tr("quit"), [this] {
            m_quitWithPin = true;
            close();
        });
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("MainWindow/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("MainWindow/state"), saveState());
    settings.setValue(QStringLiteral("MainWindow/orderColumns"), m_ui->orderView->horizontalHeader()->saveState());
    for (const QPointer<OrderDialog> &dialog : std::as_const(m_orderDialogs)) {
        if (dialog)
            dialog->close();
    }
    QMainWindow::closeEvent(event);
}

void MainWindow::setupActions()
{
    auto icon = [](const char *name) { return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1StringView(name))); };
    m_ui->actionSync->setIcon(icon("sync"));
    m_ui->actionSettings->setIcon(icon("settings"));
    m_ui->actionCheckIn->setIcon(icon("checkin"));
    m_ui->actionOverview->setIcon(icon("overview"));
    m_ui->actionExportCsv->setIcon(icon("export"));
    m_ui->actionPrintDoorList->setIcon(icon("print"));
    m_ui->actionListener->setIcon(icon("listener"));
    m_ui->actionQuit->setMenuRole(QAction::QuitRole);
    m_ui->actionAbout->setMenuRole(QAction::AboutRole);
    m_ui->actionSettings->setMenuRole(QAction::PreferencesRole);

    connect(m_ui->actionFind, &QAction::triggered, this, [this] {
        m_ui->mainTabs->setCurrentWidget(m_ui->ordersTab);
        m_ui->searchEdit->setFocus(Qt::ShortcutFocusReason);
        m_ui->searchEdit->selectAll();
    });
    m_ui->searchEdit->installEventFilter(new WindowShortcutsFirst(this, m_ui->searchEdit));
    connect(m_ui->actionOpenOrder, &QAction::triggered, this, &MainWindow::openCurrentOrder);
    connect(m_ui->actionOrders, &QAction::triggered, this, [this] { m_ui->mainTabs->setCurrentWidget(m_ui->ordersTab); });
    connect(m_ui->actionCheckIn, &QAction::triggered, this, &MainWindow::showCheckIn);
    connect(m_ui->actionOverview, &QAction::triggered, this, &MainWindow::showOverview);
    connect(m_ui->actionExportCsv, &QAction::triggered, this, [this] { m_exports->exportOrderListInteractive(m_model->query()); });
    connect(m_ui->actionDoorListCsv, &QAction::triggered, this, [this] { m_exports->doorListInteractive(DoorListFormat::Csv, false); });
    connect(m_ui->actionDoorListPdf, &QAction::triggered, this, [this] { m_exports->doorListInteractive(DoorListFormat::Pdf, false); });
    connect(m_ui->actionPrintDoorList, &QAction::triggered, this, [this] { m_exports->doorListInteractive(DoorListFormat::Pdf, true); });
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::about);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QMainWindow::close);
    connect(m_ui->actionSync, &QAction::triggered, this, &MainWindow::openSync);
    connect(m_ui->actionSettings, &QAction::triggered, this, &MainWindow::openSettings);
    connect(m_ui->actionListener, &QAction::triggered, this, &MainWindow::openListener);
    connect(m_ui->emptySettingsButton, &QPushButton::clicked, m_ui->actionSettings, &QAction::trigger);
    connect(m_ui->emptySyncButton, &QPushButton::clicked, m_ui->actionSync, &QAction::trigger);

    m_ui->emptySettingsButton->setEnabled(m_ui->actionSettings->isEnabled());
    m_ui->emptySyncButton->setEnabled(m_ui->actionSync->isEnabled());
}

void MainWindow::setupFilters()
{
    m_ui->eventFilter->addItem(tr("All events"), QString());
    m_ui->paymentFilter->addItem(tr("Any payment status"), QString());
    m_ui->checkInFilter->addItem(tr("Any check-in state"), QVariant::fromValue(int(db::CheckInState::Any)));
    m_ui->checkInFilter->addItem(tr("Not arrived"), QVariant::fromValue(int(db::CheckInState::NotArrived)));
    m_ui->checkInFilter->addItem(tr("Partly admitted"), QVariant::fromValue(int(db::CheckInState::Partial)));
    m_ui->checkInFilter->addItem(tr("All admitted"), QVariant::fromValue(int(db::CheckInState::Complete)));
    m_ui->checkInFilter->addItem(tr("No live tickets"), QVariant::fromValue(int(db::CheckInState::NoLiveTickets)));

    m_searchDebounce.setSingleShot(true);
    m_searchDebounce.setInterval(150);
    connect(m_ui->searchEdit, &QLineEdit::textChanged, &m_searchDebounce, qOverload<>(&QTimer::start));
    connect(&m_searchDebounce, &QTimer::timeout, this, [this] { m_model->setSearch(m_ui->searchEdit->text()); });
    // Enter in the search field: search now and go to the first hit.
    connect(m_ui->searchEdit, &QLineEdit::returnPressed, this, [this] {
        m_searchDebounce.stop();
        m_model->setSearch(m_ui->searchEdit->text());
        m_ui->orderView->setFocus();
        if (m_model->rowCount() > 0)
            m_ui->orderView->selectRow(0);
    });
    connect(m_ui->eventFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setEventFilter(m_ui->eventFilter->currentData().toString()); });
    connect(m_ui->paymentFilter, &QComboBox::currentIndexChanged, this,
            [this] { m_model->setPaymentFilter(m_ui->paymentFilter->currentData().toString()); });
    connect(m_ui->checkInFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setCheckInFilter(static_cast<db::CheckInState>(m_ui->checkInFilter->currentData().toInt()));
    });
}

void MainWindow::loadFilterChoices()
{
    if (m_doorStation)
        return; // the order list's filters: not a door station's to read
    if (m_filtersBusy) {
        m_filtersAgain = true; // one in flight, one pending: a burst of changes reads them twice at most
        return;
    }
    m_filtersBusy = true;
    m_worker->run(
        this,
        [](db::Database &database) {
            FilterChoices choices;
            db::OrderRepository orders(database);
            choices.events = orders.events();
            choices.payments = orders.paymentStatuses();
            return choices;
        },
        [this](FilterChoices choices) {
            m_filtersBusy = false;
            if (std::exchange(m_filtersAgain, false))
                QTimer::singleShot(0, this, &MainWindow::loadFilterChoices);
            if (choices.events) {
                const QString current = m_ui->eventFilter->currentData().toString();
                QSignalBlocker block(m_ui->eventFilter);
                while (m_ui->eventFilter->count() > 1)
                    m_ui->eventFilter->removeItem(1);
                for (const db::EventInfo &e : choices.events.value())
                    m_ui->eventFilter->addItem(tr("%1 (%2)").arg(e.eventName.isEmpty() ? e.eventId : e.eventName).arg(e.orders),
                                               e.eventId);
                m_ui->eventFilter->setCurrentIndex(std::max(0, m_ui->eventFilter->findData(current)));
            }
            if (choices.payments) {
                const QString current = m_ui->paymentFilter->currentData().toString();
                QSignalBlocker block(m_ui->paymentFilter);
                while (m_ui->paymentFilter->count() > 1)
                    m_ui->paymentFilter->removeItem(1);
                for (const QString &p : choices.payments.value())
                    m_ui->paymentFilter->addItem(core::paymentStatusDisplayName(p), p);
                m_ui->paymentFilter->setCurrentIndex(std::max(0, m_ui->paymentFilter->findData(current)));
            }
        });
}

void MainWindow::updatePage()
{
    const bool empty = m_model->rowCount() == 0 && !m_model->isFiltered();
    m_ui->ordersStack->setCurrentWidget(empty ? m_ui->emptyPage : m_ui->listPage);
    updateCountLabel();
}

void MainWindow::updateCountLabel()
{
    const int total = m_model->totalCount();
    const int shown = m_model->rowCount();
    if (total < 0)
        m_ui->countLabel->setText(tr("%n order(s) loaded, counting…", nullptr, shown));
    else if (total == 0 && m_model->isFiltered())
        m_ui->countLabel->setText(tr("No order matches the search and filters. Clear them to see every order."));
    else
        m_ui->countLabel->setText(tr("%n order(s)", nullptr, total));
}

void MainWindow::scheduleRefresh()
{
    if (!m_refreshCoalesce.isActive())
        m_refreshCoalesce.start();
}

void MainWindow::refreshAll()
{
    m_refreshCoalesce.stop();
    const bool wasEmpty = m_ui->ordersStack->currentWidget() == m_ui->emptyPage;
    if (wasEmpty) {
        m_model->reload();
    } else if (m_ui->mainTabs->currentWidget() == m_ui->ordersTab) {
        m_ordersStale = false;
        m_model->refreshPending(); // the changed orders only, when the watcher said which
    } else {
        m_ordersStale = true;
    }
    if (m_ui->mainTabs->currentWidget() == m_ui->overviewTab)
        m_overview->refresh();
    for (const QPointer<OrderDialog> &dialog : std::as_const(m_orderDialogs)) {
        if (dialog)
            dialog->reload();
    }
    loadFilterChoices();
    refreshStatus();
}

void MainWindow::refreshStatus()
{
    if (m_statusBusy)
        return;
    m_statusBusy = true;
    m_worker->run(
        this,
        [door = m_doorStation](db::Database &database) {
            StatusInfo info;
            info.reachable = database.check();
            if (info.reachable && database.isPostgres())
                info.role = db::detectRole(database); // a login moved to another group, or known at last
            if (info.reachable && !door) {
                auto last = db::SyncRunRepository(database).lastFinishedRun();
                if (last && last->has_value())
                    info.lastSync = last->value();
                auto inbox = db::InboxRepository(database).stats();
                if (inbox)
                    info.inbox = inbox.value();
            }
            return info;
        },
        [this](StatusInfo info) {
            m_statusBusy = false;
            if (info.role && info.role->ok() && m_role != info.role->value())
                applyRole(info.role->value());
            const db::DatabaseUrl &url = m_services.database->url();
            if (info.reachable) {
                m_dbStatus->setText(tr("%1: %2 — connected").arg(url.kindName(), url.display()));
                m_dbStatus->setToolTip(m_watcher && m_watcher->isListening()
                                           ? tr("Changes made at other stations appear here live.")
                                           : QString());
                // On its own thread; once listening it reports "everything changed" (anything
                // that changed before it listened would be missed).
                if (m_watcher && !m_watcher->isListening() && !m_doorStation) // it reads the tables
                    m_watcher->start();
            } else {
                m_dbStatus->setText(tr("%1: %2 — not reachable").arg(url.kindName(), url.display()));
                m_dbStatus->setToolTip(info.reachable.error().message);
            }
            m_syncStatus->setVisible(!m_doorStation);
            if (m_doorStation && m_ui->mainTabs->currentWidget() == m_ui->overviewTab)
                m_overview->refresh(); // no change watcher at a door (it reads the tables): every status check
            if (info.lastSync) {
                const db::SyncRunRecord &r = *info.lastSync;
                m_syncStatus->setText(tr("Last sync: %1, %2 (%n order(s), %3 failed)", nullptr, r.syncedOrders)
                                          .arg(QLocale().toString(r.finishedAt.toLocalTime(), QLocale::ShortFormat),
                                               sync::statusDisplayName(r.status))
                                          .arg(r.failedOrders));
            } else {
                m_syncStatus->setText(tr("Never synced — press F5"));
            }
            const bool started = m_services.webhookService && m_services.webhookService->isRunning();
            m_listenerStatus->setVisible(started);
            if (started) {
                QString text = m_services.webhookServer->isListening()
                    ? tr("Listener: %1:%2")
                          .arg(m_services.webhookServer->serverAddress().toString())
                          .arg(m_services.webhookServer->serverPort())
                    : tr("Listener: off");
                if (info.inbox)
                    text += tr(" — %1 today, %2 dead").arg(info.inbox->acceptedToday).arg(info.inbox->dead);
                m_listenerStatus->setText(text);
            }
        });
}

OrderDialog *MainWindow::openOrder(const QString &orderId)
{
    if (orderId.isEmpty())
        return nullptr;
    if (QPointer<OrderDialog> existing = m_orderDialogs.value(orderId)) {
        existing->raise();
        existing->activateWindow();
        return existing;
    }
    auto *dialog = new OrderDialog(m_services, *m_worker, orderId, this);
    dialog->setObjectName(QStringLiteral("orderDialog"));
    connect(dialog, &OrderDialog::ticketsChanged, this, [this] {
        m_model->refresh();
        m_overview->refresh();
    });
    m_orderDialogs.insert(orderId, dialog);
    dialog->show();
    return dialog;
}

void MainWindow::openCurrentOrder()
{
    const QModelIndex current = m_ui->orderView->currentIndex();
    if (current.isValid())
        openOrder(m_model->orderIdAt(current.row()));
}

void MainWindow::showCheckIn()
{
    m_ui->mainTabs->setCurrentWidget(m_ui->checkInTab);
    m_checkIn->focusScanField();
}

void MainWindow::showOverview()
{
    m_ui->mainTabs->setCurrentWidget(m_ui->overviewTab);
    m_overview->refresh();
}

void MainWindow::exportOrderList(const QString &path, exporter::CsvSeparator separator)
{
    m_exports->exportOrderList(m_model->query(), path, separator);
}

void MainWindow::exportDoorList(const QString &eventId, const QString &path, DoorListFormat format,
                                exporter::CsvSeparator separator)
{
    m_exports->exportDoorList(eventId, path, format, separator);
}

void MainWindow::openSync()
{
    auto *dialog = new SyncDialog(m_services, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &SyncDialog::syncFinished, this, &MainWindow::refreshAll);
    dialog->show();
}

void MainWindow::editSettings()
{
    // The dialog edits and saves a copy; the store then tells every service what changed.
    core::Config edited = m_services.config;
    SettingsDialog dialog(edited, m_services.secrets, m_worker, this, m_doorStation);
    connect(&dialog, &SettingsDialog::settingsSaved, this, [this, &edited] {
        if (m_services.configStore)
            m_services.configStore->apply(edited);
        refreshAll();
    });
    dialog.exec();
}

void MainWindow::startListener()
{
    // The service is started directly; the panel opens only to say why it could not start.
    if (m_doorStation) {
        qCInfo(lcGui) << "door station: the webhook listener is not started";
        return;
    }
    webhook::WebhookService *service = m_services.webhookService;
    if (service && !service->isListening() && !service->startListening()) {
        openListener();
        qobject_cast<ListenerPanel *>(m_listenerPanel.data())->startListening(); // shows the reason
    }
    refreshStatus();
}

void MainWindow::openListener()
{
    if (!m_listenerPanel) {
        auto *panel = new ListenerPanel(m_services, this);
        panel->setWindowFlag(Qt::Window);
        panel->setAttribute(Qt::WA_DeleteOnClose);
        panel->setWindowTitle(tr("Listener"));
        connect(panel, &ListenerPanel::listeningChanged, this, &MainWindow::refreshStatus);
        m_listenerPanel = panel;
    }
    m_listenerPanel->show();
    m_listenerPanel->raise();
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About QR Tickets"),
                       tr("<h3>QR Tickets %1</h3><p>GoHighLevel orders, QR codes and door check-in for event staff.</p>"
                          "<p>Database: %2</p><p>Station: %3</p>")
                           .arg(core::version(), m_services.database->url().display().toHtmlEscaped(),
                                m_services.station.toHtmlEscaped()));
}

} // namespace qrt::gui
