#include "support/syncfixture.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include "core/config.h"
#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "db/syncrunrepository.h"
#include "reconcile/reconcilelease.h"
#include "reconcile/reconciler.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <optional>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#endif

using namespace qrt;
using namespace qrt::reconcile;

// The reconciliation loop against a real database (SQLite file or the throwaway PostgreSQL) and
// the GHL simulator over loopback HTTP.
class TestReconcileLoop : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::SyncFixture> m_f;

    ReconcilerOptions options(const QString &station, int intervalMs) const
    {
        ReconcilerOptions o;
        o.station = station;
        o.intervalMs = intervalMs;
        o.ghl = test::ghlSettingsFor(m_f->sim());
        o.qr.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        o.freshS = 0;
        return o;
    }

    int storedOrders()
    {
        auto n = m_f->database().scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_orders"));
        return n ? n->toInt() : -1;
    }

    // Every product of the simulator's orders mapped to a TEXT field that exists in GHL.
    void mapAllProducts()
    {
        db::FieldMappingRepository fields(m_f->database().db());
        QList<ghlsim::SimCustomField> known = m_f->sim().customFields();
        QSet<QString> products;
        for (const QString &id : m_f->sim().orderIds()) {
            for (const QJsonValue &item : m_f->sim().orderJson(id).value(u"items").toArray())
                products.insert(item.toObject().value(u"product").toObject().value(u"_id").toString());
        }
        for (const QString &p : std::as_const(products)) {
            QVERIFY_OK(fields.upsert(p, QStringLiteral("field-") + p, QStringLiteral("QR ") + p));
            known.append({ QStringLiteral("field-") + p, QStringLiteral("QR ") + p, QStringLiteral("contact.qr_") + p,
                           QStringLiteral("TEXT") });
        }
        m_f->sim().setCustomFields(known);
    }

    static QList<ReconcileReport> reports(const QSignalSpy &spy)
    {
        QList<ReconcileReport> out;
        for (const QList<QVariant> &args : spy)
            out << args.first().value<ReconcileReport>();
        return out;
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init() { QRT_SYNC_FIXTURE(m_f, m_dialect); }

    void cleanup() { m_f.reset(); }

    void runsOnceAtStart()
    {
        m_f->sim().generate(5, 11);
        // An hour between runs: the run seen here can only be the one at start.
        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 3600 * 1000));
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, test::kSyncRunMs);
        const ReconcileStatus s = r.status();
        QCOMPARE(toString(s.state), QStringLiteral("waiting"));
        QVERIFY2(s.hasLast, "the status should describe the reconciliation that just ran");
        QCOMPARE(s.last.station, QStringLiteral("desk-1"));
        QVERIFY2(s.nextRunAt > QDateTime::currentDateTimeUtc().addSecs(3000),
                 "the next run should be an interval after the first");
        QVERIFY2(s.summaryLine().contains(QStringLiteral("desk-1")), qPrintable(s.summaryLine()));
        QVERIFY2(s.toJson().value(u"last").toObject().value(u"ordersNew").toInt() == 5, "five orders were new");
    }

    // Reconciling is background work: a webhook burst answered meanwhile gets the CPU first
    // (bench webhook: the run at start took up to a quarter of the CPU during the burst).
    void runsBelowTheListenersCpuPriority()
    {
#ifndef Q_OS_LINUX
        QSKIP("by design: thread nice values are read from Linux's /proc; elsewhere the priority is not lowered");
#else
        // The nice value of this process's thread called `name`, or nullopt when there is none.
        const auto niceOf = [](const QString &name) -> std::optional<int> {
            const QDir tasks(QStringLiteral("/proc/self/task"));
            for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                QFile comm(tasks.filePath(tid + QStringLiteral("/comm")));
                QFile stat(tasks.filePath(tid + QStringLiteral("/stat")));
                if (!comm.open(QIODevice::ReadOnly) || QString::fromUtf8(comm.readAll().trimmed()) != name
                    || !stat.open(QIODevice::ReadOnly))
                    continue;
                const QByteArray text = stat.readAll();
                // After "pid (comm) ": state is field 3, nice field 19.
                const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
                if (fields.size() > 16)
                    return fields.at(16).toInt();
            }
            return std::nullopt;
        };
        const int mine = getpriority(PRIO_PROCESS, 0); // this (the main) thread's nice value
        m_f->sim().generate(2, 12);
        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 3600 * 1000));
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, test::kSyncRunMs);
        const std::optional<int> reconcile = niceOf(QStringLiteral("qrt-reconcile"));
        QVERIFY2(reconcile.has_value(), "the reconciliation thread (qrt-reconcile) should be running");
        QVERIFY2(*reconcile > mine || mine >= 19,
                 qPrintable(QStringLiteral("the reconciliation thread should run at a lower CPU priority (nice %1) than "
                                           "the rest of the process (nice %2)")
                                .arg(*reconcile)
                                .arg(mine)));
#endif
    }

    void runsAgainAfterTheInterval()
    {
        m_f->sim().generate(3, 12);
        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 300));
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        QTRY_VERIFY_WITH_TIMEOUT(done.size() >= 3, test::kSyncRunMs);
        r.stop();
        const auto rs = reports(done);
        for (qsizetype i = 1; i < rs.size(); ++i)
            QVERIFY2(rs.at(i).startedAt >= rs.at(i - 1).finishedAt, "runs of one station follow each other");
        // The first run stored the orders; later ones find them unchanged (an incremental sync).
        QCOMPARE(rs.at(0).ordersNew, 3);
        QCOMPARE(rs.at(1).ordersNew, 0);
        QCOMPARE(rs.at(1).ordersUnchanged, 3);
        QCOMPARE(rs.at(1).syncStatus, QStringLiteral("succeeded"));
    }

    void anOrderWithoutAWebhookIsStoredByOneRun()
    {
        m_f->sim().generate(20, 13);
        auto first = m_f->runOnce(m_f->request(sync::SyncMode::Full));
        QCOMPARE(sync::toString(first.status), QStringLiteral("succeeded"));
        QCOMPARE(storedOrders(), 20);
        // Two orders arrive in GHL and their webhooks never reach the station.
        const QStringList lost = m_f->sim().addOrders(2);
        QCOMPARE(lost.size(), 2);

        mapAllProducts();

        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 3600 * 1000));
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, test::kSyncRunMs);
        const ReconcileReport report = reports(done).first();
        // The QR outbox pass ran after the sync and delivered the codes no webhook ever asked for.
        QVERIFY2(report.outboxRan, "the QR outbox pass should run after the sync");
        QVERIFY2(report.qrDelivered > 0, qPrintable(QStringLiteral("QR codes delivered: %1, failed: %2 (%3)")
                                                        .arg(report.qrDelivered)
                                                        .arg(report.qrFailed)
                                                        .arg(report.failures.join(QStringLiteral("; ")))));
        QCOMPARE(report.qrFailed, 0);
        QCOMPARE(report.ordersNew, 2);
        QCOMPARE(report.ordersSynced, 2);
        QCOMPARE(report.ordersUnchanged, 20);
        db::OrderRepository orders(m_f->database().db());
        for (const QString &id : lost) {
            auto row = orders.get(id);
            QVERIFY_OK(row);
            QVERIFY2(row->has_value(), qPrintable(QStringLiteral("order %1 should be stored after one reconciliation").arg(id)));
        }
        // What the reconciliation did is in the database, for every station to show.
        ReconcileLease lease(m_f->database().db(), QStringLiteral("reader"), QStringLiteral("reader"));
        auto state = lease.read();
        QVERIFY_OK(state);
        QCOMPARE(state->lastStation, QStringLiteral("desk-1"));
        QCOMPARE(ReconcileReport::fromJson(state->lastSummary).ordersNew, 2);
        QVERIFY2(state->holder.isEmpty(), "the lease should be free after the run");

        // The next run finds nothing to heal: each (order, field) is delivered once.
        r.runNow();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 2, test::kSyncRunMs);
        const ReconcileReport again = reports(done).at(1);
        QVERIFY(again.outboxRan);
        QCOMPARE(again.qrDelivered, 0);
        QCOMPARE(again.ordersSynced, 0);
    }

    void twoStationsNeverReconcileAtTheSameTime()
    {
        m_f->sim().generate(30, 14);
        m_f->sim().setLatencyMs(15); // each run takes a while, so the two stations' turns collide
        Reconciler a(m_f->database().shared(), options(QStringLiteral("desk-a"), 200));
        Reconciler b(m_f->database().shared(), options(QStringLiteral("desk-b"), 250));
        QSignalSpy doneA(&a, &Reconciler::reconciled);
        QSignalSpy doneB(&b, &Reconciler::reconciled);
        int skips = 0;
        QStringList skippedBy;
        for (Reconciler *r : { &a, &b }) {
            connect(r, &Reconciler::statusChanged, this, [&](const ReconcileStatus &s) {
                if (!s.skippedBy.isEmpty() && s.skippedAt.isValid() && !skippedBy.contains(s.skippedAt.toString(Qt::ISODateWithMs))) {
                    skippedBy << s.skippedAt.toString(Qt::ISODateWithMs);
                    ++skips;
                }
            });
        }
        a.start();
        b.start();
        QTRY_VERIFY2_WITH_TIMEOUT(doneA.size() + doneB.size() >= 6 && skips >= 1,
                                  qPrintable(QStringLiteral("runs so far: %1 by desk-a, %2 by desk-b; turns skipped: %3")
                                                 .arg(doneA.size())
                                                 .arg(doneB.size())
                                                 .arg(skips)),
                                  test::kSyncRunMs);
        a.stop();
        b.stop();
        const auto runsA = reports(doneA);
        const auto runsB = reports(doneB);
        for (const ReconcileReport &x : runsA) {
            for (const ReconcileReport &y : runsB) {
                const bool apart = x.finishedAt <= y.startedAt || y.finishedAt <= x.startedAt;
                QVERIFY2(apart, qPrintable(QStringLiteral("desk-a reconciled %1 to %2 while desk-b reconciled %3 to %4")
                                               .arg(x.startedAt.toString(Qt::ISODateWithMs), x.finishedAt.toString(Qt::ISODateWithMs),
                                                    y.startedAt.toString(Qt::ISODateWithMs), y.finishedAt.toString(Qt::ISODateWithMs))));
            }
        }
    }

    void anotherStationTakesOverAfterTheLeaseExpires()
    {
        m_f->sim().generate(4, 15);
        // A station took the lease for 3 s and died (never renewed, never released).
        ReconcileLease crashed(m_f->database().db(), QStringLiteral("crashed@host:1:dead"), QStringLiteral("desk-crashed"));
        auto taken = crashed.acquire(3, 0);
        QVERIFY_OK(taken);
        QVERIFY(taken.value());

        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 400));
        QSignalSpy done(&r, &Reconciler::reconciled);
        QStringList skippedBy;
        connect(&r, &Reconciler::statusChanged, this, [&](const ReconcileStatus &s) {
            if (!s.skippedBy.isEmpty())
                skippedBy << s.skippedBy;
        });
        r.start();
        QTRY_VERIFY_WITH_TIMEOUT(!skippedBy.isEmpty(), test::kWaitMs);
        QCOMPARE(skippedBy.first(), QStringLiteral("desk-crashed"));
        QVERIFY2(r.status().summaryLine().contains(QStringLiteral("desk-crashed")), qPrintable(r.status().summaryLine()));
        QCOMPARE(done.size(), 0);
        QCOMPARE(storedOrders(), 0);
        // Once the database's clock passes the lease, this station takes over.
        QTRY_VERIFY_WITH_TIMEOUT(done.size() >= 1, test::kSyncRunMs);
        QCOMPARE(reports(done).first().station, QStringLiteral("desk-1"));
        QCOMPARE(storedOrders(), 4);
        // The dead station cannot renew a lease that is no longer its own.
        auto renewed = crashed.renew(60);
        QVERIFY_OK(renewed);
        QVERIFY2(!renewed.value(), "a lease that expired and was taken over is not the old holder's any more");
    }

    void aStationThatJustReconciledIsNotRepeatedByAnother()
    {
        m_f->sim().generate(2, 16);
        {
            ReconcilerOptions o = options(QStringLiteral("serve-1"), 3600 * 1000);
            Reconciler serve(m_f->database().shared(), o);
            QSignalSpy done(&serve, &Reconciler::reconciled);
            serve.start();
            QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, test::kSyncRunMs);
        }
        // The desktop starts its listener a moment later: serve-1 just did the work.
        ReconcilerOptions o = options(QStringLiteral("desk-1"), 600 * 1000);
        o.freshS = -1; // half the interval, as configured stations do
        Reconciler desk(m_f->database().shared(), o);
        QSignalSpy status(&desk, &Reconciler::statusChanged);
        desk.start();
        QTRY_VERIFY_WITH_TIMEOUT(!desk.status().skippedBy.isEmpty(), test::kWaitMs);
        const ReconcileStatus s = desk.status();
        QCOMPARE(s.skippedBy, QStringLiteral("serve-1"));
        QVERIFY2(s.hasLast && s.last.station == u"serve-1", "the desktop shows serve-1's reconciliation as the last one");
        QCOMPARE(s.last.ordersNew, 2);
        QVERIFY2(s.summaryLine().contains(QStringLiteral("serve-1")), qPrintable(s.summaryLine()));
    }

    void intervalZeroIsOff()
    {
        core::Config config = core::Config::defaults();
        QCOMPARE(config.reconcileIntervalS(), 600);
        QCOMPARE(ReconcilerOptions::fromConfig(config).intervalMs, 600000);
        QVERIFY(config.set(core::ConfigKey::SyncReconcileIntervalS, QStringLiteral("0")));
        QCOMPARE(ReconcilerOptions::fromConfig(config).intervalMs, 0);
        const auto tooShort = config.set(core::ConfigKey::SyncReconcileIntervalS, QStringLiteral("3"));
        QVERIFY2(!tooShort, "an interval of 1 to 4 s is refused");
        QVERIFY2(tooShort.error().message.contains(QStringLiteral("0 (off)")), qPrintable(tooShort.error().message));
        QVERIFY(config.set(core::ConfigKey::SyncReconcileIntervalS, QStringLiteral("5")));

        m_f->sim().generate(3, 17);
        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 0));
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        r.runNow();
        // Room for a run that should not happen; then nothing may have reached GHL or the database.
        QTest::qWait(1500);
        QCOMPARE(done.size(), 0);
        QCOMPARE(m_f->sim().requestCount(), 0);
        QCOMPARE(storedOrders(), 0);
        QCOMPARE(toString(r.status().state), QStringLiteral("off"));
        QVERIFY2(r.status().summaryLine().contains(QStringLiteral("off")), qPrintable(r.status().summaryLine()));
    }

    void stopCancelsTheSyncInFlightAndFreesTheLease()
    {
        m_f->sim().generate(300, 18);
        m_f->sim().setLatencyMs(40);
        Reconciler r(m_f->database().shared(), options(QStringLiteral("desk-1"), 3600 * 1000));
        QSignalSpy stopped(&r, &Reconciler::stopped);
        QSignalSpy done(&r, &Reconciler::reconciled);
        r.start();
        QTRY_VERIFY_WITH_TIMEOUT(m_f->sim().requestCount() >= 5, test::kWaitMs);
        QCOMPARE(toString(r.status().state), QStringLiteral("running"));
        r.stop();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.size(), 1, test::kWaitMs);
        QCOMPARE(done.size(), 0);
        QCOMPARE(toString(r.status().state), QStringLiteral("stopped"));
        ReconcileLease lease(m_f->database().db(), QStringLiteral("reader"), QStringLiteral("reader"));
        auto state = lease.read();
        QVERIFY_OK(state);
        QVERIFY2(state->holder.isEmpty(), "a stopped reconciliation frees its lease at once");
        db::SyncRunRepository runs(m_f->database().db());
        auto last = runs.lastRun();
        QVERIFY_OK(last);
        QVERIFY(last->has_value());
        QCOMPARE(last->value().status, db::SyncRunStatus::Cancelled);
        QVERIFY2(storedOrders() < 300, "the sync should have been stopped before it stored every order");
    }
};

QTEST_GUILESS_MAIN(TestReconcileLoop)
#include "tst_reconcile_loop.moc"
