// The offline phase of bench_door (see offline.h). One station (DoorStation on its own door cache)
// reaches PostgreSQL through tests/support/tcpproxy at the bench's round trip:
// - door.offline_switch_ms: with the station's connection open (an online scan just made), the proxy
//   blackholes (packets vanish, no RST) and the next scan is timed to its verdict decided from the
//   cache; the offlineChanged signal's time is printed beside it. Repeated; median and max.
// - door.queued_lost: a child process (this executable, --offline-child) scans N tickets while the
//   network is gone and is killed with SIGKILL; a new station on the same cache file uploads once
//   the network returns. Lost = admissions the child reported that left no trace on the shared
//   database (neither the uploaded admission nor a conflict in ticket_events).
// - door.conflicts_made / door.conflicts_reported: before the kill, K of the child's queued tickets
//   are admitted on the shared database by another station (a DoorCheck on a direct connection);
//   after the upload the station's conflict list and ticket_events must hold exactly K.
#include "offline.h"

#include "db/database.h"
#include "door/doorcache.h"
#include "door/doorcheck.h"
#include "door/doorstation.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <functional>

namespace qrt::benchdoor {

namespace {

door::DoorCheck::Policy policy(const QString &station)
{
    door::DoorCheck::Policy p;
    p.station = station;
    p.admitUnpaid = core::AdmitUnpaid::Always;
    return p;
}

// Runs this thread's events until `done` or `ms` passed.
bool waitFor(const std::function<bool()> &done, int ms)
{
    QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return true;
}

QString num(double v)
{
    return QString::number(v, 'f', 1);
}

QString idList(const QList<qint64> &ids)
{
    QStringList s;
    for (qint64 id : ids)
        s << QString::number(id);
    return s.isEmpty() ? QStringLiteral("0") : s.join(u',');
}

} // namespace

int offlineChild(const QStringList &arguments)
{
    // arguments: program --offline-child URL CACHE OFFLINE_AFTER_MS CODES_FILE
    QTextStream out(stdout);
    if (arguments.size() < 6) {
        QTextStream(stderr) << "offline child: expected URL CACHE MS CODES_FILE" << Qt::endl;
        return 2;
    }
    auto url = db::DatabaseUrl::parse(arguments.at(2));
    QFile codesFile(arguments.at(5));
    if (!url || !codesFile.open(QIODevice::ReadOnly)) {
        QTextStream(stderr) << "offline child: bad URL or codes file" << Qt::endl;
        return 2;
    }
    const QStringList codes = QString::fromUtf8(codesFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    door::DoorStation station(std::make_shared<db::Database>(url.value()),
                              { arguments.at(3), arguments.at(4).toInt(), 5000, 300 });
    if (auto r = station.start(); !r) {
        QTextStream(stderr) << "offline child: " << r.error().toString() << Qt::endl;
        return 1;
    }
    for (const QString &code : codes) {
        const door::Verdict v = station.scan(policy(QStringLiteral("Door 1")), code);
        if (v.admitted() && station.isOffline())
            for (qint64 id : v.admittedTickets)
                out << "admitted " << id << ' ' << code << Qt::endl; // flushed: the parent may kill us any time
        else
            out << "not-admitted " << door::toString(v.kind) << ' ' << code << Qt::endl;
    }
    out << "done " << station.queued() << Qt::endl;
    QTimer::singleShot(120000, qApp, &QCoreApplication::quit); // in case the parent is gone
    return QCoreApplication::exec(); // until the SIGKILL
}

bool runOffline(test::TestDatabase &pg, const OfflineParams &p, QTextStream &out)
{
    out << "info: offline mode: PostgreSQL only (SQLite has no offline mode: there the station is the database); "
        << p.rttMs << " ms round trip, offline_after_ms " << p.offlineAfterMs << Qt::endl;
    QElapsedTimer phase;
    phase.start();
    const auto fail = [&](const QString &why) {
        out << "info: offline phase stopped: " << why << Qt::endl;
        return false;
    };
    const auto scalar = [&](const QString &sql) -> qint64 {
        auto v = pg.scalar(sql);
        return v ? v->toLongLong() : -1;
    };

    // Tickets: two per switch repetition (an online scan, then the timed one), then the queued ones.
    QStringList codes;
    {
        auto c = pg.db().connection();
        if (!c)
            return fail(c.error().toString());
        QSqlQuery q(c.value());
        if (!q.exec(QStringLiteral("SELECT code FROM ghl_qr_tickets WHERE status = 'live' ORDER BY ticket_id DESC LIMIT %1")
                        .arg(2 * p.switchRepeats + p.queued)))
            return fail(q.lastError().text());
        while (q.next())
            codes << q.value(0).toString();
    }
    if (codes.size() < 2 * p.switchRepeats + p.queued)
        return fail(QStringLiteral("only %1 live tickets").arg(codes.size()));

    auto target = db::DatabaseUrl::parse(pg.url());
    if (!target)
        return fail(target.error().toString());
    test::TcpProxy proxy(QHostAddress(target->host == u"localhost" ? QStringLiteral("127.0.0.1") : target->host),
                         quint16(target->port));
    if (!proxy.start())
        return fail(QStringLiteral("the TCP proxy could not listen"));
    proxy.setLatencyMs(p.rttMs / 2);
    db::DatabaseUrl through = target.value();
    through.host = QStringLiteral("127.0.0.1");
    through.port = proxy.port();
    QUrl throughText(pg.url()); // for the child's command line
    throughText.setHost(through.host);
    throughText.setPort(through.port);
    auto shared = std::make_shared<db::Database>(through);
    QTemporaryDir dir;
    const QString cachePath = dir.filePath(QStringLiteral("door-cache.sqlite"));
    const door::DoorStation::Options options { cachePath, p.offlineAfterMs, 5000, 300 };

    // 1. door.offline_switch_ms
    QList<double> verdictMs, signalMs;
    {
        door::DoorStation station(shared, options);
        int pulls = 0;
        QObject::connect(&station, &door::DoorStation::pulled, [&pulls](int) { ++pulls; });
        QElapsedTimer sinceBlackhole;
        double signalAt = -1;
        QObject::connect(&station, &door::DoorStation::offlineChanged, [&](bool offline, const QString &) {
            if (offline && sinceBlackhole.isValid())
                signalAt = sinceBlackhole.nsecsElapsed() / 1e6;
        });
        if (auto r = station.start(); !r)
            return fail(r.error().toString());
        if (!waitFor([&] { return pulls > 0; }, 60000))
            return fail(QStringLiteral("the door cache's first copy did not finish within 60 s"));
        out << "info: door cache filled in " << phase.elapsed() << " ms" << Qt::endl;
        for (int i = 0; i < p.switchRepeats; ++i) {
            // Online again, nothing queued, and this thread's connection open (an online scan).
            if (!waitFor([&] { return !station.isOffline() && station.queued() == 0; }, 30000))
                return fail(QStringLiteral("the station did not come back online within 30 s"));
            const door::Verdict online = station.scan(policy(QStringLiteral("Door 1")), codes.at(2 * i));
            if (online.kind == door::Verdict::Kind::Failed || station.isOffline())
                return fail(QStringLiteral("the online scan failed: ") + online.line());
            proxy.blackhole();
            signalAt = -1;
            sinceBlackhole.start();
            const door::Verdict v = station.scan(policy(QStringLiteral("Door 1")), codes.at(2 * i + 1));
            const double ms = sinceBlackhole.nsecsElapsed() / 1e6;
            sinceBlackhole.invalidate();
            if (v.kind == door::Verdict::Kind::Failed || !station.isOffline() || !v.detail.contains(QStringLiteral("OFFLINE")))
                return fail(QStringLiteral("the scan after the blackhole was not decided offline: ") + v.line());
            verdictMs << ms;
            signalMs << signalAt;
            proxy.restore();
        }
        if (!waitFor([&] { return !station.isOffline() && station.queued() == 0; }, 30000))
            return fail(QStringLiteral("the station did not come back online within 30 s"));
    }
    std::sort(verdictMs.begin(), verdictMs.end());
    std::sort(signalMs.begin(), signalMs.end());
    const auto median = [](const QList<double> &v) { return v.at(v.size() / 2); };
    out << "info: blackhole to the first verdict decided from the cache, " << verdictMs.size() << " repetitions:";
    for (double v : std::as_const(verdictMs))
        out << ' ' << num(v);
    out << " ms; to the offlineChanged signal: median " << num(median(signalMs)) << " ms, max " << num(signalMs.last())
        << " ms" << Qt::endl;
    out << "figure: door.offline_switch_ms = " << num(median(verdictMs)) << Qt::endl; // the median
    out << "figure: door.offline_switch_max_ms = " << num(verdictMs.last()) << Qt::endl;
    out << "figure: door.offline_after_ms = " << p.offlineAfterMs << Qt::endl;

    // 2. Scans while offline in a child process, K of them admitted elsewhere meanwhile, kill -9.
    const QStringList queuedCodes = codes.mid(2 * p.switchRepeats, p.queued);
    const QString codesPath = dir.filePath(QStringLiteral("codes.txt"));
    {
        QFile f(codesPath);
        if (!f.open(QIODevice::WriteOnly) || f.write(queuedCodes.join(u'\n').toUtf8()) < 0)
            return fail(QStringLiteral("cannot write ") + codesPath);
    }
    proxy.blackhole();
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(),
                { kOfflineChildArg, throughText.toString(), cachePath, QString::number(p.offlineAfterMs), codesPath });
    QElapsedTimer scanning;
    scanning.start();
    QList<qint64> offlineAdmitted;
    QHash<qint64, QString> codeOf;
    int notAdmitted = 0, childQueued = -1;
    QString line;
    while (childQueued < 0) {
        if (!child.canReadLine() && !child.waitForReadyRead(30000)) {
            child.kill();
            child.waitForFinished();
            return fail(QStringLiteral("the offline child stopped answering: ") + child.errorString());
        }
        while (child.canReadLine()) {
            const QStringList f = QString::fromUtf8(child.readLine()).trimmed().split(u' ');
            if (f.value(0) == u"admitted") {
                offlineAdmitted << f.value(1).toLongLong();
                codeOf.insert(offlineAdmitted.last(), f.value(2));
            } else if (f.value(0) == u"not-admitted") {
                ++notAdmitted;
            } else if (f.value(0) == u"done") {
                childQueued = f.value(1).toInt();
            }
        }
    }
    const qint64 scanMs = scanning.elapsed();
    // Another station, on a direct connection, admits K of the queued tickets.
    int conflictsMade = 0;
    QList<qint64> contested;
    {
        db::Database direct(target.value(), db::ConnectionOptions::door());
        door::DoorCheck other(direct, policy(QStringLiteral("Door 2")));
        for (int i = 0; i < offlineAdmitted.size() && conflictsMade < p.conflicts; i += 7) {
            const door::Verdict v = other.scan(codeOf.value(offlineAdmitted.at(i)));
            if (v.admitted()) {
                ++conflictsMade;
                contested << offlineAdmitted.at(i);
            } else {
                out << "info: Door 2 could not admit a queued ticket: " << v.line() << Qt::endl;
            }
        }
    }
    child.kill(); // SIGKILL: no destructor, no flush
    child.waitForFinished(10000);
    out << "info: the child scanned " << queuedCodes.size() << " tickets offline in " << scanMs << " ms ("
        << offlineAdmitted.size() << " admitted, " << notAdmitted << " not admitted, " << childQueued
        << " queued), then was killed with SIGKILL (" << (child.exitStatus() == QProcess::CrashExit ? "crash exit" : "normal exit")
        << ")" << Qt::endl;

    // 3. A new station on the same cache file; the network returns; the upload.
    door::DoorStation station(shared, options);
    int conflictSignal = -1;
    QObject::connect(&station, &door::DoorStation::conflictsChanged, [&](int n) { conflictSignal = n; });
    if (auto r = station.start(); !r)
        return fail(r.error().toString());
    const int queuedAtRestart = station.queued();
    const bool offlineAtRestart = station.isOffline();
    proxy.restore();
    QElapsedTimer upload;
    upload.start();
    const bool uploaded = waitFor([&] { return !station.isOffline() && station.queued() == 0; }, 60000);
    out << "info: after the restart the station had " << queuedAtRestart << " queued admissions, "
        << (offlineAtRestart ? "OFFLINE" : "online (expected OFFLINE)") << "; "
        << (uploaded ? QStringLiteral("uploaded and online again in %1 ms (%2 ms per queued admission at this round trip)")
                           .arg(upload.elapsed())
                           .arg(queuedAtRestart > 0 ? upload.elapsed() / queuedAtRestart : 0)
                     : QStringLiteral("NOT uploaded within 60 s (%1 still queued)").arg(station.queued()))
        << Qt::endl;

    const QString ids = idList(offlineAdmitted);
    const qint64 reached = scalar(QStringLiteral("SELECT count(DISTINCT ticket_id) FROM ticket_events WHERE ticket_id IN (%1) "
                                                 "AND (reason LIKE 'offline at %' OR reason LIKE 'offline-conflict:%')")
                                      .arg(ids));
    auto listed = station.cache()->admissions(door::QueuedAdmission::State::Conflict);
    const qint64 conflictEvents = scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE reason LIKE 'offline-conflict:%'"));
    const qint64 contestedEvents = scalar(QStringLiteral("SELECT count(DISTINCT ticket_id) FROM ticket_events WHERE ticket_id IN (%1) "
                                                         "AND reason LIKE 'offline-conflict:%'")
                                              .arg(idList(contested)));
    const qint64 doubles = scalar(QStringLiteral("SELECT count(*) FROM (SELECT ticket_id FROM ticket_events WHERE from_status = 'live' "
                                                 "AND to_status = 'used' GROUP BY ticket_id HAVING count(*) > 1) x"));
    out << "info: kill -9 of a child process (not an in-process restart); " << reached << " of " << offlineAdmitted.size()
        << " offline admissions reached the shared database (uploaded or recorded as a conflict)" << Qt::endl;
    out << "figure: door.queued_lost = " << (reached < 0 ? -1 : offlineAdmitted.size() - reached) << Qt::endl;
    out << "info: conflicts: " << (listed ? listed->size() : -1) << " in the station's list, " << conflictEvents
        << " offline-conflict rows in ticket_events (" << contestedEvents << " of the " << contested.size()
        << " contested tickets), conflictsChanged said " << conflictSignal << Qt::endl;
    out << "figure: door.conflicts_made = " << conflictsMade << Qt::endl;
    out << "figure: door.conflicts_reported = " << (listed ? listed->size() : -1) << Qt::endl;
    out << "figure: door.conflict_events = " << conflictEvents << Qt::endl;
    out << "figure: door.offline_double_admissions = " << doubles << Qt::endl;
    out << "info: offline phase took " << phase.elapsed() / 1000.0 << " s" << Qt::endl;
    return true;
}

} // namespace qrt::benchdoor
