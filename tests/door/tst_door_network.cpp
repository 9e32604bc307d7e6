// Nothing hangs the door (issue 15 point 4, PRODUCT.md section 4b): its connections carry libpq
// keepalives, tcp_user_timeout, connect_timeout and a short statement_timeout, and a client deadline
// cuts off a statement whose network went silent. Against PostgreSQL through test::TcpProxy: a scan
// on an open connection when the network is blackholed, a scan that must open a connection then,
// a scan waiting on a row another transaction holds; each answers an error instead of hanging, and
// the door works again once the network is back. Times are printed (measured), never asserted.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "gui/dbworker.h"
#include "support/sampleorders.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTest>

#include <optional>

using namespace qrt;
using Kind = door::Verdict::Kind;

class TestDoorNetwork : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    door::DoorCheck::Policy policy() const
    {
        door::DoorCheck::Policy p;
        p.station = QStringLiteral("Door 1");
        p.admitUnpaid = core::AdmitUnpaid::Always;
        return p;
    }

    // A door connection pool (ConnectionOptions::door()) to the test database through `proxy`.
    std::shared_ptr<db::Database> doorDatabaseThrough(const test::TcpProxy &proxy) const
    {
        auto url = db::DatabaseUrl::parse(m_t->url());
        url.value().host = QStringLiteral("127.0.0.1");
        url.value().port = proxy.port();
        return std::make_shared<db::Database>(url.value(), db::ConnectionOptions::door());
    }

    QStringList ticketCodes(int count)
    {
        QList<core::Order> orders = test::sampleOrders(count);
        auto saved = db::OrderWriter(m_t->db()).save(orders, QStringLiteral("sync"));
        if (!saved)
            return {};
        QStringList codes;
        for (const core::Order &o : orders)
            codes << db::TicketRepository(m_t->db()).forOrder(o.orderId).value().first().code;
        return codes;
    }

    // Scans `code` on the worker's thread (the check-in panel's scan worker) and waits for the verdict.
    std::optional<door::Verdict> scanOn(gui::DbWorker &worker, const QString &code, qint64 *elapsedMs = nullptr)
    {
        std::optional<door::Verdict> verdict;
        QObject context;
        QElapsedTimer clock;
        clock.start();
        const door::DoorCheck::Policy p = policy();
        worker.run(
            &context, [p, code](db::Database &database) { return door::DoorCheck(database, p).scan(code); },
            [&verdict](door::Verdict v) { verdict = std::move(v); });
        // Generous: the bound is the door's own deadlines; this only fails a scan that hangs.
        (void)QTest::qWaitFor([&] { return verdict.has_value(); }, test::kWaitMs);
        if (elapsedMs)
            *elapsedMs = clock.elapsed();
        return verdict;
    }

    static QString describe(const std::optional<door::Verdict> &v)
    {
        return v ? door::toString(v->kind) + QStringLiteral(": ") + v->line() : QStringLiteral("no verdict: the scan hung");
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void doorConnectionsCarryKeepalivesAndTimeouts()
    {
        const QString options = db::Database::connectOptionsFor(db::ConnectionOptions::door());
        for (const char *keyword : { "connect_timeout=3", "keepalives=1", "keepalives_idle=5", "keepalives_interval=2",
                                     "keepalives_count=2", "tcp_user_timeout=5000", "application_name=qrtickets-door" })
            QVERIFY2(options.split(u';').contains(QLatin1String(keyword)),
                     qPrintable(QStringLiteral("the door's connection options lack %1: %2").arg(QLatin1String(keyword), options)));
        // Every connection, not only the door's, notices a dropped network.
        const QString defaults = db::Database::connectOptionsFor(db::ConnectionOptions {});
        QVERIFY2(defaults.contains(QStringLiteral("keepalives=1")) && defaults.contains(QStringLiteral("tcp_user_timeout=")),
                 qPrintable(defaults));
        if (m_dialect != db::Dialect::PostgreSQL)
            return;
        // statement_timeout is set on the door's connections once open, and only there.
        auto door = m_t->db().withOptions(db::ConnectionOptions::door());
        auto shown = door->prepare(QStringLiteral("SELECT current_setting('statement_timeout') AS statement_timeout"), QStringLiteral("show the statement timeout"));
        QVERIFY_OK(shown);
        QVERIFY_OK(shown->execFirst());
        QCOMPARE(shown->value(QStringLiteral("statement_timeout")).toString(), QStringLiteral("3s"));
        auto sync = m_t->db().withOptions(db::ConnectionOptions::sync());
        auto syncShown = sync->prepare(QStringLiteral("SELECT current_setting('statement_timeout') AS statement_timeout"), QStringLiteral("show the statement timeout"));
        QVERIFY_OK(syncShown);
        QVERIFY_OK(syncShown->execFirst());
        QCOMPARE(syncShown->value(QStringLiteral("statement_timeout")).toString(), QStringLiteral("1min"));
    }

    void blackholedScanAnswersAnErrorAndRecovers()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: a network between the door and its database exists only with PostgreSQL");
        const QStringList codes = ticketCodes(4);
        QCOMPARE(codes.size(), 4);
        auto target = db::DatabaseUrl::parse(m_t->url());
        QVERIFY_OK(target);
        test::TcpProxy proxy(QHostAddress(target->host == u"localhost" ? QStringLiteral("127.0.0.1") : target->host),
                             quint16(target->port));
        QVERIFY2(proxy.start(), "the proxy cannot listen on 127.0.0.1");
        gui::DbWorker worker(doorDatabaseThrough(proxy));

        qint64 ms = 0;
        auto online = scanOn(worker, codes.at(0), &ms);
        QVERIFY2(online && online->kind == Kind::Admitted, qPrintable(describe(online)));
        qInfo("online scan through the proxy: %lld ms", ms);

        // The network vanishes with the scan worker's connection open: the statement is sent and
        // nothing ever comes back. The client deadline cuts it off.
        proxy.blackhole();
        auto silent = scanOn(worker, codes.at(1), &ms);
        QVERIFY2(silent, "a scan against a blackholed database never answered");
        QVERIFY2(silent->kind == Kind::Failed, qPrintable(describe(silent)));
        QVERIFY2(silent->detail.contains(QStringLiteral("did not answer")), qPrintable(silent->detail));
        qInfo("scan on an open connection, network blackholed: verdict after %lld ms: %s", ms, qPrintable(silent->line()));

        // Still silent: the next scan must open a connection, which connect_timeout bounds.
        auto reconnect = scanOn(worker, codes.at(2), &ms);
        QVERIFY2(reconnect && reconnect->kind == Kind::Failed, qPrintable(describe(reconnect)));
        qInfo("scan needing a new connection, network blackholed: verdict after %lld ms: %s", ms,
              qPrintable(reconnect->line()));

        // The network returns: the door admits again, without a restart.
        proxy.restore();
        std::optional<door::Verdict> back;
        for (int attempt = 0; attempt < 3 && !(back && back->kind == Kind::Admitted); ++attempt)
            back = scanOn(worker, codes.at(3), &ms);
        QVERIFY2(back && back->kind == Kind::Admitted, qPrintable(describe(back)));
        // The scan that was cut off admitted nothing (its transaction never reached the server, or
        // was rolled back when the server saw the connection close).
        QTRY_COMPARE_WITH_TIMEOUT(core::toString(db::TicketRepository(m_t->db()).byCode(codes.at(1)).value()->status),
                                  core::toString(core::TicketStatus::Live), test::kWaitMs);
    }

    void scanWaitingOnALockedTicketAnswersAnError()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: statement_timeout is PostgreSQL's (SQLite waits on its busy timeout)");
        const QStringList codes = ticketCodes(1);
        QCOMPARE(codes.size(), 1);
        // Another session holds the ticket's row (a stuck transaction somewhere).
        QVERIFY_OK(m_t->db().connection());
        QSqlQuery hold(m_t->db().connection().value());
        QVERIFY(hold.exec(QStringLiteral("BEGIN")));
        QVERIFY2(hold.exec(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE code = '%1' FOR UPDATE").arg(codes.at(0))),
                 qPrintable(hold.lastError().text()));
        gui::DbWorker worker(m_t->db().withOptions(db::ConnectionOptions::door()));
        qint64 ms = 0;
        auto waited = scanOn(worker, codes.at(0), &ms);
        QVERIFY2(waited && waited->kind == Kind::Failed, qPrintable(describe(waited)));
        QVERIFY2(waited->detail.contains(QStringLiteral("did not finish in time")), qPrintable(waited->detail));
        qInfo("scan of a ticket locked by another transaction: verdict after %lld ms", ms);
        hold.exec(QStringLiteral("ROLLBACK"));
    }
};

QTEST_MAIN(TestDoorNetwork)
#include "tst_door_network.moc"
