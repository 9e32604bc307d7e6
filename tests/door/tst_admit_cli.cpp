// `qrtickets admit CODE [--event PRODUCT_ID]` as scripts and turnstiles run it: the real
// executable as a child process against a database the test filled, on SQLite and PostgreSQL.
// Exit 0 admitted, 3 not admitted, 2 bad usage; the verdict line starts as the panel's banner.
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "support/childprocess.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QTest>

using namespace qrt;

class TestAdmitCli : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QString m_bin;
    test::FreshHome m_home;

    test::ChildRun admit(const QStringList &args)
    {
        return test::runChild(m_bin, QStringList { QStringLiteral("admit") } + args + QStringList { QStringLiteral("--database"), m_t->url() },
                              m_home.environment({ { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("Turnstile 4") } }),
                              2 * test::kWaitMs);
    }

    static QString show(const test::ChildRun &r)
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(r.exitCode).arg(r.out, r.err);
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        m_bin = test::qrticketsBinary();
        QVERIFY2(!m_bin.isEmpty(), "QRT_QRTICKETS_BIN is not set: run this test through ctest");
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        // Order 1: 2 VIP tickets of the Summer Gala and 2 of the Jazz Night; order 5: refunded.
        auto saved = db::OrderWriter(m_t->db()).save({ test::sampleMultiEventOrder(1), test::sampleOrders(1, 5).first() },
                                                     QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }

    void cleanup() { m_t.reset(); }

    void olderSchemaIsAClearErrorNeverAMigration()
    {
        QVERIFY_OK(m_t->exec(QStringLiteral("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM (SELECT version FROM schema_migrations) m)")));
        auto run = admit({ test::sampleOrderId(1) });
        QVERIFY2(run.exitCode != 0 && run.err.contains(QStringLiteral("qrtickets migrate")), qPrintable(show(run)));
        for (const core::Ticket &t : db::TicketRepository(m_t->db()).forOrder(test::sampleOrderId(1)).value())
            QVERIFY2(t.status == core::TicketStatus::Live, "admitted on a schema it does not know");
    }

    void admitsAndTellsAsThePanelDoes()
    {
        const QString id = test::sampleOrderId(1);
        const QString jazz = test::sampleEventId(1);
        // An order link admits one ticket, the next live one of the station's events.
        auto first = admit({ QStringLiteral("https://qr.example.com/orders/") + id.toUpper(), QStringLiteral("--event"), jazz });
        QVERIFY2(first.exitCode == 0, qPrintable(show(first)));
        QVERIFY2(first.out.startsWith(QStringLiteral("Admitted 1 of 2 — ")), qPrintable(show(first)));
        QVERIFY2(first.out.contains(QStringLiteral("Payment: paid")), qPrintable(show(first)));
        const auto tickets = db::TicketRepository(m_t->db()).forOrder(id).value();
        int jazzUsed = 0, galaUsed = 0;
        for (const core::Ticket &t : tickets) {
            jazzUsed += t.productId == jazz && t.status == core::TicketStatus::Used ? 1 : 0;
            galaUsed += t.productId != jazz && t.status == core::TicketStatus::Used ? 1 : 0;
        }
        QCOMPARE(jazzUsed, 1);
        QCOMPARE(galaUsed, 0);

        // A ticket code used already: exit 3, who and when.
        QString usedCode;
        for (const core::Ticket &t : tickets) {
            if (t.status == core::TicketStatus::Used)
                usedCode = t.code;
        }
        auto again = admit({ usedCode });
        QVERIFY2(again.exitCode == 3, qPrintable(show(again)));
        QVERIFY2(again.out.startsWith(QStringLiteral("Already used by Turnstile 4 on ")), qPrintable(show(again)));

        // A Gala ticket at the Jazz door: not admitted.
        const QString galaCode = tickets.first().code;
        auto other = admit({ galaCode, QStringLiteral("--event"), jazz });
        QVERIFY2(other.exitCode == 3, qPrintable(show(other)));
        QVERIFY2(other.out.startsWith(QStringLiteral("Other event: Summer Gala 2026")), qPrintable(show(other)));

        auto unknown = admit({ QStringLiteral("0123456789abcdef0123456789abcdef") });
        QVERIFY2(unknown.exitCode == 3, qPrintable(show(unknown)));
        QVERIFY2(unknown.out.startsWith(QStringLiteral("Unknown ticket")), qPrintable(show(unknown)));

        auto refunded = admit({ test::sampleOrderId(5) });
        QVERIFY2(refunded.exitCode == 3, qPrintable(show(refunded)));
        QVERIFY2(refunded.out.startsWith(QStringLiteral("Refunded")), qPrintable(show(refunded)));
    }

    void badUsageIsExitTwo()
    {
        auto missing = admit({});
        QVERIFY2(missing.exitCode == 2, qPrintable(show(missing)));
        auto extra = admit({ QStringLiteral("a"), QStringLiteral("b") });
        QVERIFY2(extra.exitCode == 2, qPrintable(show(extra)));
        auto misplaced = test::runChild(m_bin, { QStringLiteral("migrate"), QStringLiteral("--event"), QStringLiteral("x"),
                                                 QStringLiteral("--database"), m_t->url() },
                                        m_home.environment(), 2 * test::kWaitMs);
        QVERIFY2(misplaced.exitCode == 2, qPrintable(show(misplaced)));
    }
};

QTEST_GUILESS_MAIN(TestAdmitCli)
#include "tst_admit_cli.moc"
