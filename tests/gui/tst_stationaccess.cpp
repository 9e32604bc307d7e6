// The desktop by role and the kiosk PIN (issue 13 points 3 and 4). PostgreSQL: a real door login made
// with `roles install` / `operator add` sees Check-in and the event overview only (tabs, menu actions
// and shortcuts), Settings with the Database and Station pages only, and its start logs no refused
// statement; an admin login sees everything. SQLite: a station with a PIN starts locked on Check-in;
// leaving it, Settings and Quit ask for the PIN; wrong tries are refused and rate-limited.
#include "core/config.h"
#include "core/pinhash.h"
#include "db/doorfunctions.h"
#include "db/orderwriter.h"
#include "db/roles.h"
#include "gui/eventoverview.h"
#include "gui/guestsearch.h"
#include "gui/kiosklock.h"
#include "gui/mainwindow.h"
#include "gui/orderdialog.h"
#include "gui/orderlistmodel.h"
#include "gui/settings/kioskpinsettings.h"
#include "gui/settingsdialog.h"
#include "guitestutil.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "windowservices.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPointer>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QUuid>

#include <algorithm>
#include <functional>
#include <memory>

using namespace qrt;

namespace {
QStringList *g_log = nullptr;
QtMessageHandler g_previous = nullptr;
void capture(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (g_log)
        g_log->append(message);
    g_previous(type, context, message);
}

QStringList visibleTabs(QTabWidget *tabs)
{
    QStringList names;
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->isTabVisible(i))
            names << tabs->widget(i)->objectName();
    }
    return names;
}

QStringList tabTitles(QTabWidget *tabs)
{
    QStringList titles;
    for (int i = 0; i < tabs->count(); ++i)
        titles << tabs->tabText(i).remove(u'&');
    return titles;
}

// The windows shown besides `main` (menus and tool tips aside): what a person at the screen can reach.
QWidgetList otherWindows(QWidget *main)
{
    QWidgetList shown;
    for (QWidget *window : QApplication::topLevelWidgets()) {
        if (window != main && window->isVisible() && window->windowType() != Qt::Popup && window->windowType() != Qt::ToolTip)
            shown << window;
    }
    return shown;
}

// Toolbar separators shown first, last or next to another: an empty gap on the toolbar.
int redundantSeparators(QToolBar *toolBar)
{
    int redundant = 0;
    bool previousSeparator = true; // at the start: a separator would be first
    for (QAction *action : toolBar->actions()) {
        if (!action->isVisible())
            continue;
        if (action->isSeparator() && previousSeparator)
            ++redundant;
        previousSeparator = action->isSeparator();
    }
    return redundant + (previousSeparator && !toolBar->actions().isEmpty() ? 1 : 0);
}

QString windowNames(const QWidgetList &windows)
{
    QStringList names;
    for (const QWidget *window : windows)
        names << QStringLiteral("%1 \"%2\"").arg(QLatin1StringView(window->metaObject()->className()), window->windowTitle());
    return names.join(QStringLiteral(", "));
}

// A screenshot of the "screen": the main window and every other window shown, side by side, each
// under its title.
void screenShot(QWidget *main, const QString &name)
{
    const QWidgetList windows = QWidgetList { main } + otherWindows(main);
    QList<QPixmap> shots;
    QSize size(0, 0);
    const int title = main->fontMetrics().height() + 8;
    for (QWidget *window : windows) {
        shots << window->grab();
        size = QSize(size.width() + shots.last().width() + 16, std::max(size.height(), shots.last().height() + title + 16));
    }
    QPixmap canvas(size);
    canvas.fill(QColor(0x55, 0x5a, 0x64));
    QPainter painter(&canvas);
    painter.setPen(Qt::white);
    int x = 8;
    for (int i = 0; i < windows.size(); ++i) {
        painter.drawText(x, 8, shots[i].width(), title, Qt::AlignLeft | Qt::AlignVCenter, windows[i]->windowTitle());
        painter.drawPixmap(x, 8 + title, shots[i]);
        x += shots[i].width() + 16;
    }
    painter.end();
    for (const char *variable : { "QRT_SCREENSHOT_OUT", "QRT_SCREENSHOT_DIR" }) {
        if (!qEnvironmentVariableIsSet(variable))
            continue;
        const QString dir = qEnvironmentVariable(variable);
        QDir().mkpath(dir);
        if (!canvas.save(dir + u'/' + name + QStringLiteral(".png")))
            qWarning("could not save screenshot %s in %s", qPrintable(name), qPrintable(dir));
    }
}

// Runs `inspect` on the next modal Settings dialog (it runs its own event loop) and closes it.
void onNextSettings(std::function<void(QDialog *)> inspect)
{
    auto *poll = new QTimer(qApp);
    poll->setInterval(20);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, inspect] {
        auto *dialog = qobject_cast<gui::SettingsDialog *>(QApplication::activeModalWidget());
        if (!dialog)
            return;
        poll->stop();
        poll->deleteLater();
        inspect(dialog);
        dialog->reject();
    });
    poll->start();
}
} // namespace

class TestStationAccess : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    core::Config m_config = core::Config::defaults();
    std::unique_ptr<test::TestDatabase> m_db;
    QStringList m_logins;
    QStringList m_log;
    QString m_lastUrl; // the last login's URL, as `operator add` printed it

    // A login of this test database in `role`, and the role the desktop detects for it.
    std::shared_ptr<db::Database> login(const QString &role)
    {
        const QString name = role + QStringLiteral("_") + QUuid::createUuid().toString(QUuid::Id128).left(8);
        auto made = db::Roles(m_db->db()).addOperator(name, role, {});
        if (!made) {
            qWarning("operator add failed: %s", qPrintable(made.error().toString()));
            return nullptr;
        }
        m_logins << name;
        m_lastUrl = made->databaseUrl;
        auto opened = db::Database::open(made->databaseUrl);
        return opened ? opened.value() : nullptr;
    }

    void verifyDoorWindow(gui::MainWindow &window);

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("qrtickets-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_stationaccess"));
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY(m_config.set(core::ConfigKey::StationName, QStringLiteral("Door 1")));
        g_log = &m_log;
        g_previous = qInstallMessageHandler(capture);
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_db, m_dialect);
        QVERIFY(m_db->migrate());
        QVERIFY(db::OrderWriter(m_db->db()).save(test::sampleOrders(30), QStringLiteral("sync")));
        if (m_dialect == db::Dialect::PostgreSQL)
            QVERIFY(db::Roles(m_db->db()).install());
        m_log.clear();
    }

    void cleanup()
    {
        m_db.reset(); // drops the database, ending the logins' sessions
        if (m_logins.isEmpty())
            return;
        auto owner = db::Database::open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        for (const QString &name : std::as_const(m_logins))
            QSqlQuery(owner.value()->connection().value()).exec(QStringLiteral("DROP ROLE IF EXISTS ") + name);
        m_logins.clear();
    }

    void doorStationShowsOnlyTheDoor()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: door logins are PostgreSQL roles; this case runs in gui.access.postgresql");
        auto door = login(QStringLiteral("door"));
        QVERIFY(door);
        const auto role = db::detectRole(*door);
        QVERIFY2(role && role.value() == db::DatabaseRole::Door, "the door login is not detected as a door operator");
        core::Config config = m_config;
        QVERIFY(config.set(core::ConfigKey::DatabaseUrl, m_lastUrl));
        test::WindowServices services(config, door, QStringLiteral("Door 1"));
        services.role = role.value();
        gui::MainWindow window(services);
        window.resize(1000, 640);
        window.show();
        verifyDoorWindow(window);
        if (QTest::currentTestFailed())
            return;
        for (const QString &line : std::as_const(m_log)) {
            QVERIFY2(!line.contains(QStringLiteral("42501")) && !line.contains(QStringLiteral("permission denied")),
                     qPrintable(QStringLiteral("the door station tried a statement the database refuses it: ") + line));
        }
    }

    // A role not known yet (the database did not answer the question) is a door station too, and
    // becomes what the next status check finds.
    void unknownRoleIsADoorStationUntilKnown()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: roles are PostgreSQL's; this case runs in gui.access.postgresql");
        auto admin = login(QStringLiteral("admin"));
        QVERIFY(admin);
        test::WindowServices services(m_config, admin, QStringLiteral("Box office"));
        services.role = std::nullopt;
        gui::MainWindow window(services);
        window.show();
        QVERIFY(window.isDoorStation());
        auto *tabs = test::child<QTabWidget>(&window, "mainTabs");
        QVERIFY(!visibleTabs(tabs).contains(QStringLiteral("ordersTab")));
        // The first status check asks the database: an admin, so everything comes back.
        QTRY_VERIFY_WITH_TIMEOUT(!window.isDoorStation(), test::kWaitMs);
        QVERIFY(visibleTabs(tabs).contains(QStringLiteral("ordersTab")));
        QVERIFY(test::child<QAction>(&window, "actionSync")->isEnabled());
        QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->rowCount() > 0, test::kWaitMs);
    }

    void adminSeesEverything()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: admin logins are PostgreSQL roles; this case runs in gui.access.postgresql");
        auto admin = login(QStringLiteral("admin"));
        QVERIFY(admin);
        const auto role = db::detectRole(*admin);
        QVERIFY(role && role.value() == db::DatabaseRole::Admin);
        test::WindowServices services(m_config, admin, QStringLiteral("Box office"));
        services.role = role.value();
        gui::MainWindow window(services);
        window.show();
        QVERIFY(!window.isDoorStation());
        auto *tabs = test::child<QTabWidget>(&window, "mainTabs");
        for (int i = 0; i < tabs->count(); ++i)
            QVERIFY2(tabs->isTabVisible(i), qPrintable(tabs->widget(i)->objectName() + QStringLiteral(" is hidden for an admin")));
        for (const char *name : { "actionOrders", "actionFind", "actionExportCsv", "actionPrintDoorList", "actionSync",
                                  "actionListener", "actionSettings" }) {
            auto *action = test::child<QAction>(&window, name);
            QVERIFY(action);
            QVERIFY2(action->isEnabled() && action->isVisible(), name);
        }
        QVERIFY(!window.findChild<QAction *>(QStringLiteral("actionKioskLock"))); // PostgreSQL: no kiosk PIN
        auto *roleLabel = test::child<QLabel>(&window, "roleStatusLabel");
        QVERIFY2(roleLabel->text().endsWith(QStringLiteral("· admin")), qPrintable(roleLabel->text()));
        QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->rowCount() > 0, test::kWaitMs);
        bool inspected = false;
        onNextSettings([&](QDialog *dialog) {
            auto *pages = dialog->findChild<QTabWidget *>(QStringLiteral("tabs"));
            inspected = pages && pages->count() == 6;
        });
        test::child<QAction>(&window, "actionSettings")->trigger();
        QVERIFY2(inspected, "an admin's Settings do not show all six pages");
    }

    // A status check finds the admin login moved to the door group: its order window and the
    // Listener panel close at once, as on a locked kiosk (one function does both).
    void adminTurnedDoorClosesItsWindows()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: admin logins are PostgreSQL roles; this case runs in gui.access.postgresql");
        auto admin = login(QStringLiteral("admin"));
        QVERIFY(admin);
        test::WindowServices services(m_config, admin, QStringLiteral("Box office"));
        services.role = db::DatabaseRole::Admin;
        gui::MainWindow window(services);
        window.show();
        QPointer<gui::OrderDialog> order = window.openOrder(test::sampleOrders(30).at(0).orderId);
        QVERIFY(order);
        test::child<QAction>(&window, "actionListener")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(otherWindows(&window).size() == 2, test::kWaitMs);
        window.applyRole(db::DatabaseRole::Door);
        const QWidgetList left = otherWindows(&window);
        QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("still open at a door station: ") + windowNames(left)));
        QTRY_VERIFY2_WITH_TIMEOUT(!order, "the order window was hidden, not closed", test::kWaitMs);
    }

    void kioskPinSettingsStoreTheHashOnly()
    {
        core::Config config = core::Config::defaults();
        QVERIFY(config.set(core::ConfigKey::DatabaseUrl, QStringLiteral("sqlite:///tmp/kiosk.db")));
        gui::KioskPinSettings page;
        page.load(config);
        page.pinField()->setText(QStringLiteral("2468"));
        page.repeatField()->setText(QStringLiteral("2469"));
        QCOMPARE(page.validate(), 1); // the two differ
        page.repeatField()->setText(QStringLiteral("2468"));
        QCOMPARE(page.validate(), 0);
        QStringList problems;
        QCOMPARE(page.save(config, problems), QList<core::ConfigKey> { core::ConfigKey::StationPinHash });
        const QString stored = config.text(core::ConfigKey::StationPinHash);
        QVERIFY2(!stored.contains(QStringLiteral("2468")), "the PIN itself was stored");
        QVERIFY(core::verifyPin(QStringLiteral("2468"), stored).value());
        page.load(config);
        page.removeCheck()->setChecked(true);
        QCOMPARE(page.save(config, problems), QList<core::ConfigKey> { core::ConfigKey::StationPinHash });
        QVERIFY(config.text(core::ConfigKey::StationPinHash).isEmpty());
    }

    void kioskPinGuardsTheCheckInScreen()
    {
        if (m_dialect != db::Dialect::SQLite)
            QSKIP("by design: the kiosk PIN is for one station on SQLite; this case runs in gui.access.sqlite");
        core::Config config = m_config;
        QVERIFY(config.set(core::ConfigKey::DatabaseUrl, m_db->url()));
        QVERIFY(config.set(core::ConfigKey::StationPinHash, core::hashPin(QStringLiteral("2468"))));
        test::WindowServices services(config, m_db->shared(), QStringLiteral("Door 1"));
        gui::MainWindow window(services);
        window.resize(1000, 640);
        window.show();
        gui::KioskLock *kiosk = window.kioskLock();
        QVERIFY(kiosk);
        QVERIFY2(kiosk->isLocked(), "a station with a PIN must start locked on the check-in screen");
        auto *tabs = test::child<QTabWidget>(&window, "mainTabs");
        QCOMPARE(visibleTabs(tabs), QStringList { QStringLiteral("checkInTab") });
        for (const char *name : { "actionOrders", "actionOverview", "actionFind", "actionExportCsv", "actionSync" })
            QVERIFY2(!test::child<QAction>(&window, name)->isEnabled(), name);
        QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier);
        QCOMPARE(tabs->currentWidget()->objectName(), QStringLiteral("checkInTab"));
        test::screenshot(&window, QStringLiteral("kiosk-locked"));

        // Settings asks for the PIN first; the right PIN opens them, the screen stays locked.
        auto *settings = test::child<QAction>(&window, "actionSettings");
        settings->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(kiosk->prompt() && kiosk->prompt()->isVisible(), test::kWaitMs);
        auto *prompt = qobject_cast<gui::PinPrompt *>(kiosk->prompt());
        prompt->field()->setText(QStringLiteral("1111"));
        QTest::keyClick(prompt->field(), Qt::Key_Return);
        QVERIFY(prompt->isVisible());
        QCOMPARE(prompt->message()->text(), QStringLiteral("Wrong PIN."));
        test::screenshot(prompt, QStringLiteral("kiosk-pin-wrong"));
        bool settingsOpened = false;
        onNextSettings([&](QDialog *dialog) {
            settingsOpened = true;
            auto *pin = dialog->findChild<gui::KioskPinSettings *>();
            QVERIFY2(pin && !pin->isHidden(), "the Station page holds no kiosk PIN field");
        });
        prompt->field()->setText(QStringLiteral("2468"));
        QTest::keyClick(prompt->field(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(settingsOpened, test::kWaitMs);
        QVERIFY(kiosk->isLocked());

        // Quitting asks too: the window stays.
        window.close();
        QVERIFY(window.isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(kiosk->prompt() && kiosk->prompt()->isVisible(), test::kWaitMs);
        kiosk->prompt()->reject();
        QTRY_VERIFY(!kiosk->prompt());
        QVERIFY(window.isVisible());

        // Unlock with the right PIN: every page again; Lock returns to the check-in screen.
        auto *lockAction = test::child<QAction>(&window, "actionKioskLock");
        QVERIFY(lockAction->isVisible() && lockAction->isEnabled());
        lockAction->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(kiosk->prompt() && kiosk->prompt()->isVisible(), test::kWaitMs);
        prompt = qobject_cast<gui::PinPrompt *>(kiosk->prompt());
        prompt->field()->setText(QStringLiteral("2468"));
        QTest::keyClick(prompt->field(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!kiosk->isLocked(), test::kWaitMs);
        QVERIFY(visibleTabs(tabs).contains(QStringLiteral("ordersTab")));
        QVERIFY(test::child<QAction>(&window, "actionSync")->isEnabled());
        lockAction->trigger();
        QVERIFY(kiosk->isLocked());
        QCOMPARE(visibleTabs(tabs), QStringList { QStringLiteral("checkInTab") });

        // Three wrong tries in a row: the next try waits, even with the right PIN.
        lockAction->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(kiosk->prompt() && kiosk->prompt()->isVisible(), test::kWaitMs);
        prompt = qobject_cast<gui::PinPrompt *>(kiosk->prompt());
        for (int i = 0; i < 3; ++i) {
            prompt->field()->setText(QStringLiteral("0000"));
            QTest::keyClick(prompt->field(), Qt::Key_Return);
        }
        QVERIFY2(prompt->message()->text().contains(QStringLiteral("wait 30 s ")), qPrintable(prompt->message()->text()));
        prompt->field()->setText(QStringLiteral("2468"));
        QTest::keyClick(prompt->field(), Qt::Key_Return);
        QVERIFY2(prompt->message()->text().startsWith(QStringLiteral("Too many wrong tries")), qPrintable(prompt->message()->text()));
        QVERIFY(kiosk->isLocked());
        test::screenshot(prompt, QStringLiteral("kiosk-pin-wait"));
        prompt->reject();
        QTRY_VERIFY(!kiosk->prompt());
        // Let the test end: no PIN any more, so the window may close.
        kiosk->setPinHash(QString());
    }

    // An admin opens an order, the Listener panel and Sync, then locks the screen and walks away:
    // none of them stays open over the check-in screen, and none can be opened again without the PIN.
    void kioskLockClosesTheOtherWindows()
    {
        if (m_dialect != db::Dialect::SQLite)
            QSKIP("by design: the kiosk PIN is for one station on SQLite; this case runs in gui.access.sqlite");
        core::Config config = m_config;
        QVERIFY(config.set(core::ConfigKey::DatabaseUrl, m_db->url()));
        QVERIFY(config.set(core::ConfigKey::StationPinHash, core::hashPin(QStringLiteral("2468"))));
        test::WindowServices services(config, m_db->shared(), QStringLiteral("Box office"));
        gui::MainWindow window(services);
        window.resize(1000, 640);
        window.show();
        gui::KioskLock *kiosk = window.kioskLock();
        QVERIFY(kiosk && kiosk->isLocked());
        kiosk->unlock(); // as the right PIN does
        QPointer<gui::OrderDialog> order = window.openOrder(test::sampleOrders(30).at(0).orderId);
        QVERIFY(order);
        test::child<QAction>(&window, "actionListener")->trigger();
        test::child<QAction>(&window, "actionSync")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(otherWindows(&window).size() == 3, test::kWaitMs);
        const auto showsEmail = [&order] {
            const QList<QLabel *> labels = order->findChildren<QLabel *>();
            return std::any_of(labels.cbegin(), labels.cend(), [](const QLabel *label) { return label->text().contains(u'@'); });
        };
        QTRY_VERIFY2_WITH_TIMEOUT(showsEmail(), "the order window shows no e-mail", test::kWaitMs);
        QCoreApplication::processEvents(); // the toolbar's layout after unlocking, for the picture
        screenShot(&window, QStringLiteral("kiosk-lock-before"));

        test::child<QAction>(&window, "actionKioskLock")->trigger();
        QVERIFY(kiosk->isLocked());
        const QWidgetList left = otherWindows(&window);
        QVERIFY2(left.isEmpty(), qPrintable(QStringLiteral("still open over the locked check-in screen: ") + windowNames(left)));
        QTRY_VERIFY2_WITH_TIMEOUT(!order, "the order window was hidden, not closed", test::kWaitMs);
        QCOMPARE(redundantSeparators(test::child<QToolBar>(&window, "mainToolBar")), 0);
        // What opened them is off while locked (their shortcuts too): nothing opens again.
        for (const char *name : { "actionOpenOrder", "actionListener", "actionSync", "actionExportCsv", "actionPrintDoorList" })
            test::child<QAction>(&window, name)->trigger();
        QTest::keyClick(&window, Qt::Key_L, Qt::ControlModifier);
        QTest::keyClick(&window, Qt::Key_F5);
        QCoreApplication::processEvents();
        QVERIFY2(otherWindows(&window).isEmpty(), qPrintable(QStringLiteral("opened while locked: ") + windowNames(otherWindows(&window))));
        screenShot(&window, QStringLiteral("kiosk-lock-after"));
        kiosk->setPinHash(QString()); // the window may close at the end
    }

    // A pin_hash that is not a PIN hash: the station stays unlocked (fail open, see KioskLock) and
    // says so in red in the status bar for as long as it lasts.
    void damagedPinHashIsSaidLoudly()
    {
        if (m_dialect != db::Dialect::SQLite)
            QSKIP("by design: the kiosk PIN is for one station on SQLite; this case runs in gui.access.sqlite");
        core::Config config = m_config;
        QVERIFY(config.set(core::ConfigKey::DatabaseUrl, m_db->url()));
        QVERIFY(config.set(core::ConfigKey::StationPinHash, QStringLiteral("2468")));
        test::WindowServices services(config, m_db->shared(), QStringLiteral("Door 1"));
        gui::MainWindow window(services);
        window.resize(1000, 640);
        window.show();
        QVERIFY(!window.kioskLock()->isLocked());
        QVERIFY(!window.kioskLock()->problem().isEmpty());
        auto *label = test::child<QLabel>(&window, "roleStatusLabel");
        QVERIFY2(label->isVisible() && label->text().contains(QStringLiteral("NOT locked")), qPrintable(label->text()));
        QVERIFY2(std::any_of(m_log.cbegin(), m_log.cend(), [](const QString &line) { return line.contains(QStringLiteral("kiosk PIN not used")); }),
                 "the damaged PIN setting was not logged");
        test::screenshot(&window, QStringLiteral("kiosk-pin-damaged"));
    }
};

void TestStationAccess::verifyDoorWindow(gui::MainWindow &window)
{
    QVERIFY(window.isDoorStation());
    auto *tabs = test::child<QTabWidget>(&window, "mainTabs");
    QCOMPARE(visibleTabs(tabs), (QStringList { QStringLiteral("checkInTab"), QStringLiteral("overviewTab") }));
    QCOMPARE(tabs->currentWidget()->objectName(), QStringLiteral("checkInTab"));
    // Menu actions and their shortcuts are off, not only the tabs hidden.
    for (const char *name : { "actionOrders", "actionFind", "actionOpenOrder", "actionExportCsv", "actionDoorListCsv",
                              "actionDoorListPdf", "actionPrintDoorList", "actionSync", "actionListener" }) {
        auto *action = test::child<QAction>(&window, name);
        QVERIFY(action);
        QVERIFY2(!action->isEnabled() && !action->isVisible(), qPrintable(QStringLiteral("%1 is usable at a door station").arg(QLatin1StringView(name))));
    }
    for (const char *name : { "actionCheckIn", "actionOverview", "actionSettings", "actionQuit" })
        QVERIFY2(test::child<QAction>(&window, name)->isEnabled(), name);
    QCOMPARE(redundantSeparators(test::child<QToolBar>(&window, "mainToolBar")), 0);
    QTest::keyClick(&window, Qt::Key_1, Qt::ControlModifier); // Orders
    QTest::keyClick(&window, Qt::Key_O, Qt::AltModifier);     // the Orders tab's mnemonic
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier); // Find order
    QVERIFY2(tabs->currentWidget()->objectName() != QStringLiteral("ordersTab"), "a shortcut opened the order list");
    QCOMPARE(window.orderModel()->rowCount(), 0);
    auto *roleLabel = test::child<QLabel>(&window, "roleStatusLabel");
    QVERIFY2(roleLabel->text().endsWith(QStringLiteral("· door station")), qPrintable(roleLabel->text()));
    test::screenshot(&window, QStringLiteral("door-station-checkin"));

    // Find by name works through the door view: names and order ids, never an e-mail.
    auto *search = test::child<gui::GuestSearch>(&window, "guestSearch");
    QSignalSpy searched(search, &gui::GuestSearch::searched);
    const core::Order guest = test::sampleOrders(30).at(3);
    QTest::keyClicks(search->field(), guest.contactLastName); // typed: the search follows edits
    QTRY_VERIFY_WITH_TIMEOUT(!searched.isEmpty(), test::kWaitMs);
    QVERIFY2(searched.last().at(0).toInt() > 0, qPrintable(QStringLiteral("no guest found for %1").arg(guest.contactLastName)));
    for (int i = 0; i < search->results()->count(); ++i)
        QVERIFY2(!search->results()->item(i)->text().contains(u'@'), qPrintable(search->results()->item(i)->text()));
    search->clear();

    // The event overview: counts from the door views.
    auto *overview = test::child<gui::EventOverview>(&window, "eventOverview");
    QSignalSpy refreshed(overview, &gui::EventOverview::refreshed);
    window.showOverview();
    QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), test::kWaitMs);
    auto *summary = test::child<QLabel>(&window, "overviewSummary");
    QVERIFY2(summary->text().contains(QStringLiteral("admitted")), qPrintable(summary->text()));
    test::screenshot(&window, QStringLiteral("door-station-overview"));

    // Settings: the database (its own connection) and the station, nothing else.
    QStringList pages;
    onNextSettings([&](QDialog *dialog) {
        pages = tabTitles(dialog->findChild<QTabWidget *>(QStringLiteral("tabs")));
        test::screenshot(dialog, QStringLiteral("door-station-settings"));
    });
    test::child<QAction>(&window, "actionSettings")->trigger();
    QCOMPARE(pages, (QStringList { QStringLiteral("Database"), QStringLiteral("Station") }));
}

QTEST_MAIN(TestStationAccess)
#include "tst_stationaccess.moc"
