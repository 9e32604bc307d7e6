// Door benchmark (PRODUCT.md section 5, issue 15 point 10): scan to verdict while a full sync runs.
// Four stations (threads, each with its own db::Database and ConnectionOptions::door()) scan a
// shuffled list of ticket codes and order links (20% repeats) against PostgreSQL through
// tests/support/tcpproxy at a 20 ms round trip; then one station on SQLite. Baseline in the same
// run: the same scans through one serial worker shared with the old list reload (refreshAll: the
// order list and the overview read again after every admission). Prints "figure:" lines; asserts
// nothing about time. Then the offline phase on PostgreSQL (offline.cpp): the switch to OFFLINE
// after a blackhole, admissions queued offline surviving a kill -9, conflicts reported.
//
//   bench_door [--tickets N] [--rtt MS] [--stations N] [--baseline-scans N] [--skip-sqlite]
//              [--no-offline | --only-offline] [--offline-after MS] [--offline-repeats N]
//              [--offline-scans N] [--offline-conflicts K]
#include "db/database.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "offline.h"
#include "support/syncfixture.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"
#include "sync/syncengine.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QMutex>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>

using namespace qrt;

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

[[noreturn]] void die(const QString &message)
{
    QTextStream(stderr) << "bench_door: " << message << Qt::endl;
    std::exit(1);
}

const QString kUrlTemplate = QStringLiteral("https://tickets.example.com/order/{order_id}");

// What the stations scan: each ticket once (its code, or its order's link as printed for the buyer),
// plus repeats of earlier scans, shuffled.
QStringList scanList(test::TestDatabase &t, int tickets, quint32 seed)
{
    auto c = t.db().connection();
    if (!c)
        die(c.error().toString());
    QSqlQuery q(c.value());
    if (!q.exec(QStringLiteral("SELECT code, order_id FROM ghl_qr_tickets WHERE status = 'live' ORDER BY ticket_id LIMIT %1")
                    .arg(tickets)))
        die(QStringLiteral("read the tickets: ") + q.lastError().text());
    QRandomGenerator rng(seed);
    QStringList scans;
    while (q.next()) {
        // A quarter scanned as the order link (admits the order's next ticket), the rest as the code.
        if (rng.bounded(4) == 0)
            scans << QString(kUrlTemplate).replace(QStringLiteral("{order_id}"), q.value(1).toString());
        else
            scans << q.value(0).toString();
    }
    if (scans.size() < tickets)
        out() << "info: only " << scans.size() << " live tickets to scan (asked for " << tickets << ")" << Qt::endl;
    const qsizetype unique = scans.size();
    for (qsizetype i = 0; i < unique / 5; ++i)
        scans << scans.at(rng.bounded(int(unique)));
    std::shuffle(scans.begin(), scans.end(), *QRandomGenerator::global());
    return scans;
}

struct Timings
{
    QList<double> ms;
    QHash<QString, QList<double>> msByKind;
    QHash<QString, int> kinds;
    QHash<qint64, int> admittedBy; // ticket -> verdicts that said "admitted" for it
    void merge(const Timings &o)
    {
        ms += o.ms;
        for (auto it = o.msByKind.cbegin(); it != o.msByKind.cend(); ++it)
            msByKind[it.key()] += it.value();
        for (auto it = o.kinds.cbegin(); it != o.kinds.cend(); ++it)
            kinds[it.key()] += it.value();
        for (auto it = o.admittedBy.cbegin(); it != o.admittedBy.cend(); ++it)
            admittedBy[it.key()] += it.value();
    }
    double percentile(double p) const { return percentileOf(ms, p); }
    static double percentileOf(const QList<double> &values, double p)
    {
        if (values.isEmpty())
            return 0;
        QList<double> sorted = values;
        std::sort(sorted.begin(), sorted.end());
        return sorted.at(std::min<qsizetype>(sorted.size() - 1, qsizetype(p * sorted.size())));
    }
};

// Serialises scans and reloads as the old panel's single DbWorker did.
struct SerialWorker
{
    QMutex mutex;
};

// One station: its own Database (door options), scanning its share of the list one after the other.
Timings station(const QString &url, const QStringList &scans, int index, int stations, SerialWorker *serial)
{
    Timings t;
    db::Database database(db::DatabaseUrl::parse(url).value(), db::ConnectionOptions::door());
    door::DoorCheck::Policy policy;
    policy.station = QStringLiteral("Door %1").arg(index + 1);
    policy.admitUnpaid = core::AdmitUnpaid::Always;
    policy.urlTemplate = kUrlTemplate;
    door::DoorCheck check(database, policy);
    for (qsizetype i = index; i < scans.size(); i += stations) {
        QElapsedTimer timer;
        timer.start();
        door::Verdict v;
        if (serial) {
            QMutexLocker lock(&serial->mutex);
            v = check.scan(scans.at(i));
            t.ms << timer.nsecsElapsed() / 1e6;
            if (v.admitted()) { // the old refreshAll on the same worker, ahead of the next scan
                db::OrderQuery all;
                all.limit = 10000;
                if (auto r = db::OrderRepository(database).list(all); !r)
                    QTextStream(stderr) << "reload: " << r.error().toString() << Qt::endl;
                if (auto r = db::TicketRepository(database).overview(); !r)
                    QTextStream(stderr) << "reload: " << r.error().toString() << Qt::endl;
            }
        } else {
            v = check.scan(scans.at(i));
            t.ms << timer.nsecsElapsed() / 1e6;
        }
        ++t.kinds[door::toString(v.kind)];
        t.msByKind[door::toString(v.kind)] << t.ms.last();
        for (qint64 id : std::as_const(v.admittedTickets))
            ++t.admittedBy[id];
    }
    return t;
}

// Runs the stations on threads while full syncs run one after the other on this thread's event loop.
Timings runStations(const QString &url, const QStringList &scans, int stations, SerialWorker *serial,
                    test::TestDatabase &direct, ghlsim::GhlSimulator &sim, int *syncs, bool withSync = true, int syncBatch = 0)
{
    QList<Timings> results(stations);
    std::atomic<int> running { stations };
    QList<QThread *> threads;
    for (int i = 0; i < stations; ++i) {
        threads << QThread::create([&, i] {
            results[i] = station(url, scans, i, stations, serial);
            --running;
        });
        threads.last()->start();
    }
    sync::SyncRequest full;
    full.mode = sync::SyncMode::Full;
    full.station = QStringLiteral("bench-sync");
    full.ghl = test::ghlSettingsFor(sim);
    if (syncBatch > 0)
        full.batchSize = syncBatch;
    *syncs = 0;
    while (!withSync && running > 0)
        QThread::msleep(50);
    while (running > 0) {
        sync::SyncEngine engine(direct.shared()); // the sync writes straight to the server
        const sync::SyncSummary s = test::runOnce(engine, full, 600000);
        if (s.status != sync::SyncStatus::Succeeded)
            out() << "info: a sync during the scans ended " << sync::toString(s.status) << ": " << s.error << Qt::endl;
        ++*syncs;
    }
    Timings all;
    for (QThread *t : std::as_const(threads)) {
        t->wait();
        delete t;
    }
    for (const Timings &r : std::as_const(results))
        all.merge(r);
    return all;
}

int doubleAdmissions(test::TestDatabase &t, const Timings &timings)
{
    int twice = 0;
    for (auto it = timings.admittedBy.cbegin(); it != timings.admittedBy.cend(); ++it)
        twice += it.value() > 1 ? 1 : 0;
    auto events = t.scalar(QStringLiteral("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE to_status = "
                                          "'used' GROUP BY ticket_id HAVING count(*) > 1) x"));
    if (!events)
        die(events.error().toString());
    return std::max(twice, events->toInt());
}

QString ms(double v)
{
    return QString::number(v, 'f', 1);
}

void report(const QString &prefix, const Timings &t, int syncs)
{
    out() << "info: " << prefix << ": " << t.ms.size() << " scans during " << syncs << " full sync(s); verdicts:";
    for (auto it = t.kinds.cbegin(); it != t.kinds.cend(); ++it)
        out() << ' ' << it.key() << '=' << it.value() << " (p50 " << ms(Timings::percentileOf(t.msByKind.value(it.key()), 0.5))
              << " ms, p99 " << ms(Timings::percentileOf(t.msByKind.value(it.key()), 0.99)) << " ms)";
    out() << Qt::endl;
}

// A world of `dialect` with the orders synced from the simulator once (so there are tickets to scan).
std::unique_ptr<test::TestDatabase> syncedDatabase(db::Dialect dialect, ghlsim::GhlSimulator &sim)
{
    auto t = test::TestDatabase::create(dialect);
    if (!t)
        die(t.error().toString());
    if (auto m = t.value()->migrate(); !m)
        die(m.error().toString());
    sync::SyncEngine engine(t.value()->shared());
    sync::SyncRequest full;
    full.mode = sync::SyncMode::Full;
    full.station = QStringLiteral("bench-setup");
    full.ghl = test::ghlSettingsFor(sim);
    const auto s = test::runOnce(engine, full, 600000);
    if (s.status != sync::SyncStatus::Succeeded)
        die(QStringLiteral("the first sync did not succeed: ") + s.error);
    return std::move(t.value());
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("qrtickets.*.info=false\nqrt.*.info=false"));
    if (app.arguments().value(1) == benchdoor::kOfflineChildArg)
        return benchdoor::offlineChild(app.arguments());
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption ticketsOpt(QStringLiteral("tickets"), QStringLiteral("Tickets to scan (5000)."), QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption rttOpt(QStringLiteral("rtt"), QStringLiteral("Round trip to PostgreSQL in ms (20)."), QStringLiteral("ms"), QStringLiteral("20"));
    const QCommandLineOption stationsOpt(QStringLiteral("stations"), QStringLiteral("Stations on PostgreSQL (4)."), QStringLiteral("n"), QStringLiteral("4"));
    const QCommandLineOption baselineOpt(QStringLiteral("baseline-scans"), QStringLiteral("Scans of the baseline (600)."), QStringLiteral("n"), QStringLiteral("600"));
    const QCommandLineOption skipSqliteOpt(QStringLiteral("skip-sqlite"), QStringLiteral("PostgreSQL only."));
    const QCommandLineOption noSyncOpt(QStringLiteral("no-sync"), QStringLiteral("No sync during the scans (to compare)."));
    const QCommandLineOption syncBatchOpt(QStringLiteral("sync-batch"), QStringLiteral("Orders per sync write transaction (the engine's default)."), QStringLiteral("n"), QStringLiteral("0"));
    const QCommandLineOption noOfflineOpt(QStringLiteral("no-offline"), QStringLiteral("Skip the offline phase."));
    const QCommandLineOption onlyOfflineOpt(QStringLiteral("only-offline"), QStringLiteral("Only the offline phase."));
    const QCommandLineOption offlineAfterOpt(QStringLiteral("offline-after"), QStringLiteral("The stations' offline_after_ms (3000)."),
                                             QStringLiteral("ms"), QStringLiteral("3000"));
    const QCommandLineOption offlineRepeatsOpt(QStringLiteral("offline-repeats"), QStringLiteral("Blackholes timed (5)."),
                                               QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption offlineScansOpt(QStringLiteral("offline-scans"), QStringLiteral("Tickets scanned offline before the kill (200)."),
                                             QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption offlineConflictsOpt(QStringLiteral("offline-conflicts"),
                                                 QStringLiteral("Of those, admitted meanwhile by another station (10)."),
                                                 QStringLiteral("k"), QStringLiteral("10"));
    parser.addOptions({ ticketsOpt, rttOpt, stationsOpt, baselineOpt, skipSqliteOpt, noSyncOpt, syncBatchOpt, noOfflineOpt,
                        onlyOfflineOpt, offlineAfterOpt, offlineRepeatsOpt, offlineScansOpt, offlineConflictsOpt });
    parser.process(app);
    const int tickets = std::max(10, parser.value(ticketsOpt).toInt());
    const int rtt = std::max(0, parser.value(rttOpt).toInt());
    const int stations = std::max(1, parser.value(stationsOpt).toInt());
    const int baselineScans = std::max(0, parser.value(baselineOpt).toInt());

    if (qEnvironmentVariableIsEmpty("QRT_TEST_PG_URL"))
        die(QStringLiteral("QRT_TEST_PG_URL is not set: run it through scripts/bench door, which starts PostgreSQL."));

    ghlsim::GhlSimulator sim;
    if (!sim.listen())
        die(QStringLiteral("the GHL simulator could not listen"));
    sim.generate(std::max(10, tickets / 2), 2026); // about two tickets per order
    sim.setRateLimit(0, 10000);
    sim.setLatencyMs(5);

    // PostgreSQL, stations through the proxy at `rtt`; the sync writes directly.
    const auto pgRun = [&](SerialWorker *serial, int limit, Timings *timings, int *syncs) {
        auto pg = syncedDatabase(db::Dialect::PostgreSQL, sim);
        QStringList scans = scanList(*pg, tickets, 15);
        if (limit > 0 && scans.size() > limit)
            scans = scans.mid(0, limit);
        QUrl url(pg->url());
        test::TcpProxy proxy(QHostAddress(url.host() == u"localhost" ? QStringLiteral("127.0.0.1") : url.host()),
                             quint16(url.port(5432)));
        if (!proxy.start())
            die(QStringLiteral("the TCP proxy could not listen"));
        proxy.setLatencyMs(rtt / 2);
        url.setHost(QStringLiteral("127.0.0.1"));
        url.setPort(proxy.port());
        *timings = runStations(url.toString(), scans, stations, serial, *pg, sim, syncs, !parser.isSet(noSyncOpt),
                               parser.value(syncBatchOpt).toInt());
        return doubleAdmissions(*pg, *timings);
    };

    if (!parser.isSet(onlyOfflineOpt)) {
        Timings now;
        int syncs = 0;
        const int doubles = pgRun(nullptr, 0, &now, &syncs);
        report(QStringLiteral("PostgreSQL, %1 station(s), %2 ms round trip").arg(stations).arg(rtt), now, syncs);
        out() << "figure: door.verdict_p50_ms = " << ms(now.percentile(0.50)) << Qt::endl;
        out() << "figure: door.verdict_p99_ms = " << ms(now.percentile(0.99)) << Qt::endl;
        out() << "figure: door.double_admissions = " << doubles << Qt::endl;

        if (baselineScans > 0) {
            Timings old;
            int oldSyncs = 0;
            SerialWorker serial;
            const int oldDoubles = pgRun(&serial, baselineScans, &old, &oldSyncs);
            report(QStringLiteral("baseline (one serial worker with the list reload)"), old, oldSyncs);
            out() << "figure: door.baseline_verdict_p50_ms = " << ms(old.percentile(0.50)) << Qt::endl;
            out() << "figure: door.baseline_verdict_p99_ms = " << ms(old.percentile(0.99)) << Qt::endl;
            out() << "figure: door.baseline_double_admissions = " << oldDoubles << Qt::endl;
            const double p99 = now.percentile(0.99);
            out() << "figure: door.p99_speedup_vs_baseline = " << QString::number(p99 > 0 ? old.percentile(0.99) / p99 : 0, 'f', 2)
                  << Qt::endl;
        }

        if (!parser.isSet(skipSqliteOpt)) {
            auto lite = syncedDatabase(db::Dialect::SQLite, sim);
            const QStringList scans = scanList(*lite, tickets, 15);
            int liteSyncs = 0;
            const Timings t = runStations(lite->url(), scans, 1, nullptr, *lite, sim, &liteSyncs);
            report(QStringLiteral("SQLite, one station"), t, liteSyncs);
            out() << "figure: door.sqlite_verdict_p50_ms = " << ms(t.percentile(0.50)) << Qt::endl;
            out() << "figure: door.sqlite_verdict_p99_ms = " << ms(t.percentile(0.99)) << Qt::endl;
            out() << "figure: door.sqlite_double_admissions = " << doubleAdmissions(*lite, t) << Qt::endl;
        }
    }

    if (parser.isSet(noOfflineOpt)) {
        out() << "info: offline phase skipped (--no-offline)" << Qt::endl;
    } else {
        benchdoor::OfflineParams offline;
        offline.rttMs = rtt;
        offline.offlineAfterMs = std::max(500, parser.value(offlineAfterOpt).toInt());
        offline.switchRepeats = std::max(1, parser.value(offlineRepeatsOpt).toInt());
        offline.queued = std::max(1, parser.value(offlineScansOpt).toInt());
        offline.conflicts = std::max(0, parser.value(offlineConflictsOpt).toInt());
        auto pg = syncedDatabase(db::Dialect::PostgreSQL, sim);
        if (!benchdoor::runOffline(*pg, offline, out()))
            return 1;
    }
    return 0;
}
