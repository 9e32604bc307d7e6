// What the main window shows for the connected role (issue 13 point 3) and the kiosk PIN of a
// one-station check-in screen (issue 13 point 4). The window's other parts are in mainwindow.cpp.
#include "gui/mainwindow.h"

#include "core/config.h"
#include "core/configstore.h"
#include "db/database.h"
#include "gui/eventoverview.h"
#include "gui/kiosklock.h"
#include "gui/logging.h"
#include "gui/orderdialog.h"
#include "gui/orderlistmodel.h"
#include "gui/services.h"
#include "ui_mainwindow.h"
#include "webhook/webhookservice.h"

#include <QAction>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QStatusBar>
#include <QToolBar>

namespace qrt::gui {

namespace {
// A door station's actions: everything else (orders, find, exports, door lists with e-mails and
// phones, sync, listener, users) is off and hidden, shortcuts included.
const QStringList kDoorActions = { QStringLiteral("actionCheckIn"), QStringLiteral("actionOverview"),
                                   QStringLiteral("actionSettings"), QStringLiteral("actionAbout"),
                                   QStringLiteral("actionQuit") };
// A locked kiosk: Check-in only; Settings and Quit ask for the PIN, the lock action unlocks.
const QStringList kLockedActions = { QStringLiteral("actionCheckIn"), QStringLiteral("actionSettings"),
                                     QStringLiteral("actionAbout"), QStringLiteral("actionQuit"),
                                     QStringLiteral("actionKioskLock") };
} // namespace

void MainWindow::setupAccess()
{
    m_roleStatus = new QLabel(this);
    m_roleStatus->setObjectName(QStringLiteral("roleStatusLabel"));
    statusBar()->addWidget(m_roleStatus);

    if (!m_services.database || !m_services.database->isPostgres()) {
        m_kiosk = new KioskLock(this);
        m_kiosk->setPinHash(m_services.config.text(core::ConfigKey::StationPinHash));
        auto *lockAction = new QAction(this);
        lockAction->setObjectName(QStringLiteral("actionKioskLock"));
        lockAction->setIcon(QIcon(QStringLiteral(":/icons/checkin.svg")));
        m_ui->menuView->addSeparator();
        m_ui->menuView->addAction(lockAction);
        m_ui->mainToolBar->addAction(lockAction);
        connect(lockAction, &QAction::triggered, this, [this] {
            if (!m_kiosk->isLocked()) {
                m_kiosk->lock();
                return;
            }
            m_kiosk->askPin(this, tr("leave the check-in screen"), [this] { m_kiosk->unlock(); });
        });
        connect(m_kiosk, &KioskLock::lockedChanged, this, &MainWindow::applyAccess);
        if (m_services.configStore) {
            connect(m_services.configStore, &core::ConfigStore::keysChanged, this, [this](const QSet<core::ConfigKey> &keys) {
                if (!keys.contains(core::ConfigKey::StationPinHash))
                    return;
                m_kiosk->setPinHash(m_services.config.text(core::ConfigKey::StationPinHash));
                applyAccess();
            });
        }
        m_kiosk->lock(); // a PIN set: the station starts on the check-in screen, locked
        if (!m_kiosk->problem().isEmpty())
            statusBar()->showMessage(m_kiosk->problem());
    }
    // A tab that is not the role's never stays current (a mnemonic, a test, a restored state).
    connect(m_ui->mainTabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (index >= 0 && !m_ui->mainTabs->isTabVisible(index))
            showCheckIn();
    });
    m_role = m_services.role;
    m_doorStation = !m_role || *m_role == db::DatabaseRole::Door;
    m_model->setReadable(!m_doorStation);
    m_overview->setDoorViews(m_doorStation);
    applyAccess();
    if (m_doorStation)
        qCInfo(lcGui).noquote() << "door station:" << roleText();
}

void MainWindow::applyRole(std::optional<db::DatabaseRole> role)
{
    const bool wasDoor = m_doorStation;
    m_role = role;
    m_services.role = role; // what the check-in panel reads with
    m_doorStation = !role || *role == db::DatabaseRole::Door;
    if (wasDoor != m_doorStation)
        qCInfo(lcGui).noquote() << "role now:" << roleText();
    m_overview->setDoorViews(m_doorStation);
    if (m_doorStation && !wasDoor) {
        // An admin login became a door login: what it may no longer read goes.
        for (const QPointer<OrderDialog> &dialog : std::as_const(m_orderDialogs)) {
            if (dialog)
                dialog->close();
        }
        if (m_listenerPanel)
            m_listenerPanel->close();
        if (m_services.webhookService && m_services.webhookService->isRunning())
            m_services.webhookService->stop();
    }
    m_model->setReadable(!m_doorStation); // true again: reloads the first page
    applyAccess();
    if (!m_doorStation && wasDoor)
        refreshAll();
}

void MainWindow::applyAccess()
{
    const bool locked = m_kiosk && m_kiosk->isLocked() && !m_doorStation;
    QTabWidget *tabs = m_ui->mainTabs;
    for (int i = 0; i < tabs->count(); ++i) {
        QWidget *tab = tabs->widget(i);
        const bool allowed = m_doorStation ? (tab == m_ui->checkInTab || tab == m_ui->overviewTab)
            : locked                       ? tab == m_ui->checkInTab
                                           : true;
        tabs->setTabVisible(i, allowed);
    }
    if (!tabs->isTabVisible(tabs->currentIndex()))
        showCheckIn();

    // The window's own actions (the .ui's, and those pages add with an "action" name).
    for (QAction *action : findChildren<QAction *>(Qt::FindDirectChildrenOnly)) {
        const QString name = action->objectName();
        if (!name.startsWith(QStringLiteral("action")))
            continue;
        bool allowed = m_doorStation ? kDoorActions.contains(name) : locked ? kLockedActions.contains(name) : true;
        if (name == u"actionKioskLock")
            allowed = allowed && m_kiosk && m_kiosk->hasPin() && !m_doorStation;
        action->setEnabled(allowed);
        action->setVisible(allowed);
    }
    if (QAction *lockAction = findChild<QAction *>(QStringLiteral("actionKioskLock"), Qt::FindDirectChildrenOnly)) {
        lockAction->setText(locked ? tr("&Unlock…") : tr("Loc&k check-in screen"));
        lockAction->setToolTip(locked ? tr("Leave the check-in screen (asks for the station's PIN)")
                                      : tr("Show only the check-in screen until the PIN is entered"));
    }
    // A menu with nothing left in it goes too (Tools holds only Sync).
    for (QAction *menuAction : menuBar()->actions()) {
        QMenu *menu = menuAction->menu();
        if (!menu)
            continue;
        bool any = false;
        for (const QAction *a : menu->actions())
            any = any || (!a->isSeparator() && a->isVisible());
        menuAction->setVisible(any);
    }
    m_ui->emptySettingsButton->setEnabled(m_ui->actionSettings->isEnabled());
    m_ui->emptySyncButton->setEnabled(m_ui->actionSync->isEnabled());

    const QString role = roleText();
    m_roleStatus->setText(role);
    m_roleStatus->setVisible(!role.isEmpty());
}

void MainWindow::openSettings()
{
    if (m_kiosk && m_kiosk->isLocked()) {
        m_kiosk->askPin(this, tr("open Settings"), [this] { editSettings(); });
        return;
    }
    editSettings();
}

QString MainWindow::roleText() const
{
    if (m_kiosk && m_kiosk->isLocked() && !m_doorStation)
        return tr("%1 · check-in only (PIN to leave)").arg(m_services.station);
    if (!m_services.database || !m_services.database->isPostgres())
        return QString();
    const QString user = m_services.database->url().user;
    if (!m_role)
        return tr("%1 · role not known yet: door station").arg(user);
    switch (*m_role) {
    case db::DatabaseRole::Door:
        return tr("%1 · door station").arg(user);
    case db::DatabaseRole::Admin:
        return tr("%1 · admin").arg(user);
    case db::DatabaseRole::Full:
        break;
    }
    return tr("%1 · all rights").arg(user);
}

} // namespace qrt::gui
