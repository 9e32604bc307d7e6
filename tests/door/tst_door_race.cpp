// Stations racing at the door (issue 15 point 10) on SQLite and PostgreSQL: four stations, each on
// its own connection as the benchmark runs them, scan the same tickets (by code and by order link)
// at once; every ticket is admitted exactly once, with one ticket_events row. On PostgreSQL also:
// the statements a station keeps prepared are prepared again after the server dropped its
// connection (a reconnect is another backend: the old statements are gone).
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QHash>
#include <QRandomGenerator>
#include <QTest>
#include <QThread>

#include <algorithm>

using namespace qrt;
using Kind = door::Verdict::Kind;

namespace {
const QString kUrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");

door::DoorCheck::Policy policy(int station)
{
    door::DoorCheck::Policy p;
    p.station = QStringLiteral("Door %1").arg(station);
    p.admitUnpaid = core::AdmitUnpaid::Always;
    p.urlTemplate = kUrlTemplate;
    return p;
}
} // namespace

class TestDoorRace : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        auto saved = db::OrderWriter(m_t->db()).save(test::sampleOrders(12), QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }

    void cleanup() { m_t.reset(); }

    void fourStationsAdmitEachTicketOnce()
    {
        // What the stations scan: every ticket's code and every order's link, twice, shuffled
        // differently per station, so that they collide on the same tickets.
        QStringList scans;
        QHash<QString, int> liveTickets; // order -> live tickets
        for (int i = 0; i < 12; ++i) {
            const QString id = test::sampleOrderId(i);
            auto tickets = db::TicketRepository(m_t->db()).forOrder(id);
            QVERIFY_OK(tickets);
            for (const core::Ticket &t : std::as_const(tickets.value())) {
                scans << t.code;
                liveTickets[id] += t.status == core::TicketStatus::Live ? 1 : 0;
            }
            scans << QString(kUrlTemplate).replace(QStringLiteral("{order_id}"), id);
        }
        scans += scans;
        constexpr int kStations = 4;
        QList<QList<door::Verdict>> verdicts(kStations);
        QList<QThread *> threads;
        for (int s = 0; s < kStations; ++s) {
            QStringList mine = scans;
            std::shuffle(mine.begin(), mine.end(), QRandomGenerator(quint32(s + 1)));
            threads << QThread::create([this, s, mine, &verdicts] {
                db::Database database(db::DatabaseUrl::parse(m_t->url()).value(), db::ConnectionOptions::door());
                door::DoorCheck station(database, policy(s + 1));
                for (const QString &scan : mine)
                    verdicts[s] << station.scan(scan);
            });
            threads.last()->start();
        }
        for (QThread *t : std::as_const(threads)) {
            QVERIFY2(t->wait(120000), "a station did not finish its scans within two minutes");
            delete t;
        }

        QHash<qint64, QStringList> admittedBy; // ticket -> the stations that were told "admitted"
        for (int s = 0; s < kStations; ++s) {
            for (const door::Verdict &v : std::as_const(verdicts.at(s))) {
                QVERIFY2(v.kind == Kind::Admitted || v.kind == Kind::AlreadyUsed || v.kind == Kind::TicketCancelled
                             || v.kind == Kind::Refunded || v.kind == Kind::OrderCancelled,
                         qPrintable(QStringLiteral("Door %1: %2: %3").arg(s + 1).arg(door::toString(v.kind), v.line())));
                for (qint64 id : v.admittedTickets)
                    admittedBy[id] << QStringLiteral("Door %1").arg(s + 1);
            }
        }
        int live = 0;
        for (int n : std::as_const(liveTickets))
            live += n;
        QCOMPARE(admittedBy.size(), live); // every live ticket got in
        for (auto it = admittedBy.cbegin(); it != admittedBy.cend(); ++it)
            QVERIFY2(it.value().size() == 1, qPrintable(QStringLiteral("ticket %1 was admitted by %2")
                                                            .arg(it.key())
                                                            .arg(it.value().join(QStringLiteral(" and ")))));
        auto twice = m_t->scalar(QStringLiteral("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE to_status = "
                                                "'used' GROUP BY ticket_id HAVING count(*) > 1) x"));
        QVERIFY_OK(twice);
        QCOMPARE(twice->toInt(), 0);
        auto admissions = m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE to_status = 'used'"));
        QVERIFY_OK(admissions);
        QCOMPARE(admissions->toInt(), live);
    }

    void statementsArePreparedAgainAfterAReconnect()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("PostgreSQL only: a SQLite file has no server connection to lose (by design)");
        QList<core::Ticket> tickets;
        for (int i = 0; i < 12; ++i) {
            for (const core::Ticket &t : db::TicketRepository(m_t->db()).forOrder(test::sampleOrderId(i)).value())
                tickets += t.status == core::TicketStatus::Live ? QList<core::Ticket> { t } : QList<core::Ticket> {};
        }
        QVERIFY(tickets.size() >= 3);
        db::Database database(db::DatabaseUrl::parse(m_t->url()).value(), db::ConnectionOptions::door());
        door::DoorCheck station(database, policy(1));
        const door::Verdict first = station.scan(tickets.at(0).code);
        QVERIFY2(first.kind == Kind::Admitted, qPrintable(first.line()));

        // The server drops the station's connection (a restart, a pooler, an idle timeout).
        QVERIFY_OK(m_t->exec(QStringLiteral("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                                            "'qrtickets-door' AND datname = current_database()")));
        // Another read on the same connection notices first (and reconnects on its next use); the
        // station's next scan then runs on a new backend and must not use the statements it had
        // prepared on the old one.
        auto noticed = db::TicketRepository(database).forOrder(tickets.at(1).orderId);
        QVERIFY2(!noticed, "the read on the terminated connection should have failed");
        const door::Verdict again = station.scan(tickets.at(1).code);
        QVERIFY2(again.kind == Kind::Admitted, qPrintable(QStringLiteral("after a reconnect: ") + again.line()));
        const door::Verdict repeat = station.scan(tickets.at(0).code);
        QVERIFY2(repeat.kind == Kind::AlreadyUsed, qPrintable(repeat.line()));
    }
};

QTEST_GUILESS_MAIN(TestDoorRace)
#include "tst_door_race.moc"
