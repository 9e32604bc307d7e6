// Live refreshes of the order list (issue 15 point 4): an admission made elsewhere re-reads only
// that order's row, a burst of 100 gives one refresh, and the change watcher does its database
// work off the GUI thread (a LISTEN to a blackholed server does not freeze the window). SQLite and
// PostgreSQL (QRT_TEST_BACKEND).
#include "core/config.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "gui/changewatcher.h"
#include "gui/eventoverview.h"
#include "gui/mainwindow.h"
#include "gui/orderlistmodel.h"
#include "support/sampleorders.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "webhook/ticketeventrelay.h"
#include "windowservices.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>

#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <atomic>

using namespace qrt;

class TestLiveRefresh : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void admissionElsewhereRereadsOnlyItsRow();
    void burstOfAdmissionsGivesOneRefresh();
    void watcherConnectsOffTheGuiThread();
    void feedRelayPollsOffTheGuiThread();

private:
    // A window on a fresh database of 500 orders (the list shows 200 of them) whose watcher
    // listens and whose first full refresh is done.
    bool openWindow();
    // Rows of the list holding a live ticket, first `n`.
    QList<int> rowsWithLiveTickets(int n) const;

    db::Dialect m_dialect = db::Dialect::SQLite;
    core::Config m_config = core::Config::defaults();
    std::unique_ptr<test::TestDatabase> m_db;
    std::unique_ptr<test::WindowServices> m_services;
    std::unique_ptr<gui::MainWindow> m_window;
    gui::OrderListModel *m_model = nullptr;
};

void TestLiveRefresh::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("qrtickets-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_liverefresh"));
    QRT_REQUIRE_BACKEND(m_dialect);
    QVERIFY(m_config.set(core::ConfigKey::StationName, QStringLiteral("Door 1")));
}

void TestLiveRefresh::init()
{
    QRT_FRESH_DATABASE(m_db, m_dialect);
    QVERIFY(m_db->migrate());
    QVERIFY(db::OrderWriter(m_db->db()).save(test::sampleOrders(500), QStringLiteral("sync")));
}

void TestLiveRefresh::cleanup()
{
    m_window.reset();
    m_services.reset();
    m_db.reset();
}

bool TestLiveRefresh::openWindow()
{
    m_services = std::make_unique<test::WindowServices>(m_config, m_db->shared(), QStringLiteral("Door 1"));
    // SQLite: this test's connection plays the door's scan worker, which tells the watcher
    // (checkNow) after each admission, as the check-in panel does; no 2 s poll in between.
    if (m_dialect == db::Dialect::SQLite)
        m_services->watcher.setPollInterval(600000);
    m_window = std::make_unique<gui::MainWindow>(*m_services);
    m_model = m_window->orderModel();
    QSignalSpy refreshed(m_model, &gui::OrderListModel::refreshed);
    m_window->show();
    // The watcher starts once the database answered, and then reports "everything" once.
    bool ok = false;
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(m_services->watcher.isListening(), test::kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty() && refreshed.last().at(1).toBool(), test::kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_model->rowCount() == gui::OrderListModel::PageSize && m_model->canFetchMore({}),
                                 test::kWaitMs);
        ok = true;
    }();
    return ok;
}

QList<int> TestLiveRefresh::rowsWithLiveTickets(int n) const
{
    QList<int> rows;
    for (int i = 0; i < m_model->rowCount() && rows.size() < n; ++i) {
        if (m_model->rowAt(i)->tickets.live > 0)
            rows << i;
    }
    return rows;
}

void TestLiveRefresh::admissionElsewhereRereadsOnlyItsRow()
{
    QVERIFY2(openWindow(), "the window did not load its orders and start watching");
    const QList<int> rows = rowsWithLiveTickets(6);
    QVERIFY(rows.size() == 6);
    const int row = rows.last();
    const QString orderId = m_model->orderIdAt(row);
    const int usedBefore = m_model->rowAt(row)->tickets.used;
    QSignalSpy refreshed(m_model, &gui::OrderListModel::refreshed);
    QSignalSpy reset(m_model, &QAbstractItemModel::modelReset);
    QSignalSpy removed(m_model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(m_model, &QAbstractItemModel::dataChanged);

    // Another station admits a ticket (this thread's connection is not the window's).
    auto admitted = db::TicketRepository(m_db->db()).admitNext(orderId, QStringLiteral("Door 2"));
    QVERIFY(admitted && admitted->admitted());
    if (m_dialect == db::Dialect::SQLite)
        m_services->watcher.checkNow();
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowAt(row)->tickets.used, usedBefore + 1, test::kWaitMs);

    QVERIFY2(!refreshed.isEmpty(), "the list changed without a refresh being reported");
    for (const QList<QVariant> &r : std::as_const(refreshed)) {
        QVERIFY2(!r.at(1).toBool(), "one admission made the list re-read every loaded row instead of one");
        QCOMPARE(r.at(0).toInt(), 1);
    }
    QCOMPARE(reset.count(), 0);
    QCOMPARE(removed.count(), 0);
    for (const QList<QVariant> &c : std::as_const(changed)) {
        QCOMPARE(c.at(0).toModelIndex().row(), row);
        QCOMPARE(c.at(1).toModelIndex().row(), row);
    }
    QCOMPARE(m_model->rowCount(), gui::OrderListModel::PageSize);
    QVERIFY2(m_model->canFetchMore({}), "after a live refresh the list no longer loads its next page");

    // For a look by eye: the list after the live update, and the overview.
    const QString out = qEnvironmentVariable("QRT_SCREENSHOT_OUT");
    if (!out.isEmpty()) {
        m_window->resize(1280, 800);
        QVERIFY(m_window->grab().save(out + QStringLiteral("/liverefresh-orders.png")));
        auto *overview = m_window->findChild<gui::EventOverview *>(QStringLiteral("eventOverview"));
        QVERIFY(overview);
        QSignalSpy overviewRefreshed(overview, &gui::EventOverview::refreshed);
        m_window->showOverview();
        QVERIFY(overviewRefreshed.wait(test::kWaitMs));
        QVERIFY(m_window->grab().save(out + QStringLiteral("/liverefresh-overview.png")));
    }
}

void TestLiveRefresh::burstOfAdmissionsGivesOneRefresh()
{
    QVERIFY2(openWindow(), "the window did not load its orders and start watching");
    const QList<int> rows = rowsWithLiveTickets(100);
    QCOMPARE(rows.size(), 100);
    QHash<QString, int> usedBefore;
    for (int row : rows)
        usedBefore.insert(m_model->orderIdAt(row), m_model->rowAt(row)->tickets.used);
    QSignalSpy refreshed(m_model, &gui::OrderListModel::refreshed);
    QSignalSpy reset(m_model, &QAbstractItemModel::modelReset);

    db::TicketRepository tickets(m_db->db());
    for (auto it = usedBefore.cbegin(); it != usedBefore.cend(); ++it) {
        auto admitted = tickets.admitNext(it.key(), QStringLiteral("Door 2"));
        QVERIFY(admitted && admitted->admitted());
        if (m_dialect == db::Dialect::SQLite)
            m_services->watcher.checkNow();
    }
    const auto allShown = [&] {
        for (int row : rows) {
            if (m_model->rowAt(row)->tickets.used != usedBefore.value(m_model->orderIdAt(row)) + 1)
                return false;
        }
        return true;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(allShown(), "the 100 admissions did not all reach the list", test::kWaitMs);
    QVERIFY2(refreshed.count() == 1,
             qPrintable(QStringLiteral("a burst of 100 admissions gave %1 refreshes instead of one").arg(refreshed.count())));
    QCOMPARE(refreshed.first().at(0).toInt(), 100);
    QVERIFY2(!refreshed.first().at(1).toBool(), "100 changed orders were read with a full reload");
    QCOMPARE(reset.count(), 0);
    // Paging still works after it: the next page loads.
    m_model->fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(m_model->rowCount(), 2 * gui::OrderListModel::PageSize, test::kWaitMs);
}

void TestLiveRefresh::watcherConnectsOffTheGuiThread()
{
    if (m_dialect != db::Dialect::PostgreSQL)
        QSKIP("by design: SQLite is a local file, there is no network to blackhole");
    auto target = db::DatabaseUrl::parse(m_db->url());
    QVERIFY(target);
    test::TcpProxy proxy(QHostAddress(target->host == u"localhost" ? QStringLiteral("127.0.0.1") : target->host),
                         quint16(target->port));
    QVERIFY2(proxy.start(), "the proxy cannot listen on 127.0.0.1");
    auto url = target.value();
    url.host = QStringLiteral("127.0.0.1");
    url.port = proxy.port();
    proxy.blackhole();

    gui::ChangeWatcher watcher(std::make_shared<db::Database>(url));
    QVERIFY(watcher.workerThread() != QThread::currentThread());
    // The GUI thread's event loop keeps running while the watcher waits for a server that never
    // answers (its connect_timeout is 3 s): count timer ticks while the connection is pending.
    // "Connecting" ends on the watcher's thread (a direct connection): ticks the GUI thread only
    // gets to after a blocking attempt do not count.
    std::atomic<bool> attemptDone { false };
    connect(&watcher, &gui::ChangeWatcher::startFinished, this, [&] { attemptDone = true; }, Qt::DirectConnection);
    int ticksWhileConnecting = 0;
    QTimer tick;
    tick.setInterval(20);
    connect(&tick, &QTimer::timeout, this, [&] {
        if (proxy.acceptedConnections() > 0 && !attemptDone)
            ++ticksWhileConnecting;
    });
    tick.start();
    watcher.start();
    QTRY_VERIFY2_WITH_TIMEOUT(ticksWhileConnecting >= 10,
                              "the window froze while the change watcher connected to an unreachable server",
                              test::kWaitMs);
    QVERIFY(!watcher.isListening());
    QTRY_VERIFY_WITH_TIMEOUT(attemptDone.load(), test::kWaitMs); // connect_timeout (3 s)

    // The network comes back: asked again, it listens and hears a change.
    proxy.restore();
    QSignalSpy changes(&watcher, &gui::ChangeWatcher::changes);
    QTRY_VERIFY_WITH_TIMEOUT((watcher.isListening() || (watcher.start(), false)), test::kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(!changes.isEmpty(), test::kWaitMs); // "everything", once listening
    changes.clear();
    const QString orderId = test::sampleOrderId(3);
    auto admitted = db::TicketRepository(m_db->db()).admitNext(orderId, QStringLiteral("Door 2"));
    QVERIFY(admitted && admitted->admitted());
    QTRY_VERIFY_WITH_TIMEOUT(!changes.isEmpty(), test::kWaitMs);
    const auto set = changes.last().at(0).value<gui::ChangeSet>();
    QVERIFY2(set.orderIds.contains(orderId), "the change report does not name the admitted order");
}

void TestLiveRefresh::feedRelayPollsOffTheGuiThread()
{
    if (m_dialect != db::Dialect::PostgreSQL)
        QSKIP("by design: SQLite is a local file, there is no network to blackhole");
    auto target = db::DatabaseUrl::parse(m_db->url());
    QVERIFY(target);
    test::TcpProxy proxy(QHostAddress(target->host == u"localhost" ? QStringLiteral("127.0.0.1") : target->host),
                         quint16(target->port));
    QVERIFY2(proxy.start(), "the proxy cannot listen on 127.0.0.1");
    auto url = target.value();
    url.host = QStringLiteral("127.0.0.1");
    url.port = proxy.port();
    proxy.blackhole();

    feed::EventFeed feed;
    QVERIFY(feed.listen(QHostAddress::LocalHost));
    // A connect_timeout longer than the test waits: a relay reading on the GUI thread would freeze
    // it for the whole wait, and ticks after it do not count.
    db::ConnectionOptions slowConnect;
    slowConnect.connectTimeoutS = 2 * test::kWaitMs / 1000;
    webhook::TicketEventRelay relay(std::make_shared<db::Database>(url, slowConnect), feed);
    QVERIFY(relay.workerThread() != QThread::currentThread());
    relay.setInterval(50);
    QWebSocket client;
    QStringList changedOrders;
    connect(&client, &QWebSocket::textMessageReceived, this, [&](const QString &text) {
        const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
        if (o.value(u"event").toString() == u"ticket_status_changed")
            changedOrders << o.value(u"data").toObject().value(u"orderId").toString();
    });
    int ticksWhileConnecting = 0;
    QTimer tick;
    tick.setInterval(20);
    QElapsedTimer sinceConnect;
    connect(&tick, &QTimer::timeout, this, [&] {
        if (proxy.acceptedConnections() > 0 && sinceConnect.isValid() && sinceConnect.elapsed() < test::kWaitMs)
            ++ticksWhileConnecting;
    });
    tick.start();
    // A feed client connects: the relay positions itself in ticket_events, through the dead network.
    sinceConnect.start();
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(feed.serverPort())));
    QTRY_VERIFY_WITH_TIMEOUT(feed.clientCount() == 1, test::kWaitMs);
    QTRY_VERIFY2_WITH_TIMEOUT(ticksWhileConnecting >= 10,
                              "the feed and the window froze while the relay read an unreachable database",
                              test::kWaitMs);

    // The network comes back; a reconnecting client gets the changes made from then on.
    proxy.restore();
    client.close();
    QTRY_VERIFY_WITH_TIMEOUT(feed.clientCount() == 0, test::kWaitMs);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(feed.serverPort())));
    QTRY_VERIFY_WITH_TIMEOUT(feed.clientCount() == 1, test::kWaitMs);
    // Admit one ticket of another order each time round, until the relay (positioned by its first
    // read after the restore) publishes one of them.
    QStringList admitted;
    const auto seen = [&] {
        for (const QString &id : std::as_const(changedOrders)) {
            if (admitted.contains(id))
                return true;
        }
        admitted << test::sampleOrderId(int(admitted.size()));
        db::TicketRepository(m_db->db()).admitNext(admitted.last(), QStringLiteral("Door 2"));
        return false;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(seen(), "no admission reached the feed after the network came back", test::kWaitMs);
}

QTEST_MAIN(TestLiveRefresh)
#include "tst_liverefresh.moc"
