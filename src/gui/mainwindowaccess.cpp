// What the main window shows for the connected role (issue 13 point 3) and the kiosk PIN of a
// one-station check-in screen (issue 13 point 4). The window's other parts are in mainwindow.cpp.
#include "gui/mainwindow.h"

#include "core/config.h"
#include "core/configstore.h"
#include "db/database.h"
#include "gui/checkinpanel.h"
#include "gui/eventoverview.h"
#include "gui/kiosklock.h"
#include "gui/logging.h"
#include "gui/orderlistmodel.h"
#include "gui/services.h"
#include "gui/settings/settingspage.h"
#include "ui_mainwindow.h"
#include "webhook/webhookservice.h"

#include <QAction>
#include <QApplication>
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
        connect(m_kiosk, &KioskLock::lockedChanged, this, [this](bool locked) {
            if (locked)
                closeWindowsBeyondCheckIn(); // an order window left open would show what the lock hides
            applyAccess();
        });
        if (m_services.configStore) {
            connect(m_services.configStore, &core::ConfigStore::keysChanged, this, [this](const QSet<core::ConfigKey> &keys) {
                if (!keys.contains(core::ConfigKey::StationPinHash))
                    return;
                m_kiosk->setPinHash(m_services.config.text(core::ConfigKey::StationPinHash));
                applyAccess();
            });
        }
        m_kiosk->lock(); // a PIN set: the station starts on the check-in screen, locked
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
        closeWindowsBeyondCheckIn();
        if (m_services.webhookService && m_services.webhookService->isRunning())
            m_services.webhookService->stop();
    }
    m_model->setReadable(!m_doorStation); // true again: reloads the first page
    applyAccess();
    if (!m_doorStation && wasDoor)
        refreshAll();
}

void MainWindow::closeWindowsBeyondCheckIn()
{
    QList<QPointer<QWidget>> owned;
    const QWidgetList windows = QApplication::topLevelWidgets();
    for (QWidget *window : windows) {
        // Menus, combo box lists and tool tips close by themselves; the PIN prompt is the way back.
        if (window == this || window->windowType() == Qt::Popup || window->windowType() == Qt::ToolTip
            || (m_kiosk && window == m_kiosk->prompt()))
            continue;
        bool mine = false;
        for (QWidget *up = window->parentWidget(); up && !mine; up = up->parentWidget()) {
            if (up == m_checkIn)
                break; // the check-in screen's own (its "open an image" dialog) stays
            mine = up == this;
        }
        if (mine)
            owned << window;
    }
    for (const QPointer<QWidget> &window : std::as_const(owned)) {
        if (!window)
            continue;
        if (window->isVisible())
            qCInfo(lcGui).noquote() << "closing" << window->metaObject()->className() << window->windowTitle();
        // Hidden first, so that a dialog's reject() does not run: Sync would cancel its run, which goes
        // on without its window. Then closed: order windows, Sync and the Listener panel are deleted
        // (their late answers, such as a message box, never show); the others stay hidden.
        window->hide();
        window->close();
    }
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
    // A toolbar separator only between two groups that both show something (a door station hid
    // the exports and the listener: two separators in a row otherwise).
    QAction *separator = nullptr;
    bool shown = false;
    for (QAction *action : m_ui->mainToolBar->actions()) {
        if (action->isSeparator()) {
            action->setVisible(false);
            if (shown)
                separator = action;
        } else if (action->isVisible()) {
            if (separator)
                separator->setVisible(true);
            separator = nullptr;
            shown = true;
        }
    }
    m_ui->emptySettingsButton->setEnabled(m_ui->actionSettings->isEnabled());
    m_ui->emptySyncButton->setEnabled(m_ui->actionSync->isEnabled());

    const QString role = roleText();
    m_roleStatus->setText(role);
    m_roleStatus->setVisible(!role.isEmpty());
    // A damaged PIN setting leaves the station open (see KioskLock): said in red for as long as it lasts.
    const QString pinProblem = m_kiosk ? m_kiosk->problem() : QString();
    m_roleStatus->setToolTip(pinProblem);
    if (pinProblem.isEmpty())
        m_roleStatus->setPalette(QPalette());
    else
        SettingsPage::markAsError(m_roleStatus);
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
    if (m_kiosk && !m_kiosk->problem().isEmpty())
        return tr("Kiosk PIN damaged: this station is NOT locked. Set the PIN again in Settings → Station.");
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
