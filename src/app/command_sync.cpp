#include "app/commands.h"

#include "db/syncrunrepository.h"
#include "sync/syncengine.h"

#include <QCoreApplication>
#include <QDebug>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QLocale>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#define QRT_ISATTY _isatty
#define QRT_FILENO _fileno
#else
#include <unistd.h>
#define QRT_ISATTY isatty
#define QRT_FILENO fileno
#endif

namespace qrt::app {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::app::sync)
};

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void onInterrupt(int)
{
    g_interrupted = 1;
}

QString duration(qint64 ms)
{
    const int s = int(std::min<qint64>((ms + 999) / 1000, 99 * 3600));
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar(u'0')).arg(s % 60, 2, 10, QChar(u'0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar(u'0'));
}

QString progressLine(const sync::SyncProgress &p)
{
    QString line = sync::displayName(p.phase);
    if (p.phase == sync::SyncPhase::Listing) {
        line += Tr::tr(": %1 of %2 listed").arg(p.listed).arg(p.listTotal > 0 ? QString::number(p.listTotal) : QStringLiteral("?"));
    } else {
        line += Tr::tr(": %1 of %2 saved").arg(p.written).arg(p.total);
        if (p.failed > 0)
            line += Tr::tr(", %n failed", nullptr, p.failed);
        if (p.unchanged > 0)
            line += Tr::tr(", %n unchanged", nullptr, p.unchanged);
    }
    line += Tr::tr(", %n request(s)", nullptr, p.requests);
    if (p.etaMs > 0)
        line += Tr::tr(", about %1 left").arg(duration(p.etaMs));
    if (p.rateLimitWaitMs > 0)
        line += Tr::tr(" (waiting %1 s for the GHL rate limit)").arg(p.rateLimitWaitMs / 1000.0, 0, 'f', 1);
    return line;
}

} // namespace

int runSync(AppContext &context, const QString &mode, const QString &ordersFile)
{
    QTextStream err(stderr);
    loadSecretsFromKeychain(context.config);

    sync::SyncRequest request;
    request.mode = mode == u"full" ? sync::SyncMode::Full : sync::SyncMode::Incremental;
    request.station = context.station();
    request.ghl = context.config.ghl();
    if (request.ghl.token.isEmpty()) {
        err << Tr::tr("No GHL token is set. Set QRTICKETS_GHL_TOKEN (a Private Integration token with scope "
                  "payments/orders.readonly), or store it in the keychain from the Settings dialog.")
            << Qt::endl;
        return ExitUsage;
    }
    if (request.ghl.locationId.isEmpty()) {
        err << Tr::tr("No GHL location id is set. Set [ghl] location_id in the configuration file, or "
                  "QRTICKETS_GHL_LOCATION_ID.")
            << Qt::endl;
        return ExitUsage;
    }
    if (!ordersFile.isEmpty()) {
        auto ids = sync::readOrderIdFile(ordersFile);
        if (!ids) {
            err << ids.error().toString() << Qt::endl;
            return ExitUsage;
        }
        request.mode = sync::SyncMode::IdList;
        request.orderIds = ids.value();
    }
    if (auto r = ensureSchema(context, false); !r) {
        err << r.error().toString() << Qt::endl;
        return ExitFailure;
    }
    {
        db::SyncRunRepository runs(*context.database);
        if (auto running = runs.running(); running && running.value()) {
            const db::SyncRunRecord &other = *running.value();
            err << Tr::tr("Note: a sync started at %1 by %2 is still marked as running; syncing anyway (the results "
                      "merge safely).")
                       .arg(QLocale().toString(other.startedAt.toLocalTime(), QLocale::ShortFormat),
                            other.station.isEmpty() ? Tr::tr("another station") : other.station)
                << Qt::endl;
        }
    }

    const bool tty = QRT_ISATTY(QRT_FILENO(stderr)) != 0;
    sync::SyncEngine engine(context.database);
    QEventLoop loop;
    sync::SyncSummary summary;
    QElapsedTimer sincePrint;
    sync::SyncPhase printedPhase = sync::SyncPhase::Idle;
    int lastWidth = 0;

    QObject::connect(&engine, &sync::SyncEngine::progressChanged, &loop, [&](const sync::SyncProgress &p) {
        const QString text = progressLine(p);
        if (tty) {
            constexpr int barWidth = 24;
            const int filled = int(p.fraction() * barWidth + 0.5);
            QString line = u'[' + QString(filled, u'#') + QString(barWidth - filled, u'.') + QStringLiteral("] ")
                + QStringLiteral("%1% ").arg(int(p.fraction() * 100), 3) + text;
            const int width = int(line.size());
            if (width < lastWidth)
                line += QString(lastWidth - width, u' ');
            lastWidth = width;
            err << u'\r' << line;
            err.flush();
        } else if (p.phase != printedPhase || !sincePrint.isValid() || sincePrint.elapsed() >= 2000) {
            // Logs and pipes get a line now and then, not a redrawn bar.
            printedPhase = p.phase;
            sincePrint.start();
            err << text << Qt::endl;
        }
    });
    QObject::connect(&engine, &sync::SyncEngine::finished, &loop, [&](const sync::SyncSummary &s) {
        summary = s;
        loop.quit();
    });

    g_interrupted = 0;
    auto previousInt = std::signal(SIGINT, onInterrupt);
    auto previousTerm = std::signal(SIGTERM, onInterrupt);
    QTimer interruptPoll;
    QObject::connect(&interruptPoll, &QTimer::timeout, &loop, [&] {
        if (g_interrupted) {
            g_interrupted = 0;
            engine.cancel();
        }
    });
    interruptPoll.start(200);

    engine.start(request);
    loop.exec();
    interruptPoll.stop();
    std::signal(SIGINT, previousInt);
    std::signal(SIGTERM, previousTerm);
    if (tty && lastWidth > 0)
        err << Qt::endl;

    err << Tr::tr("Sync %1 (%2) in %3: %4 of %n order(s) saved, %5 failed, %6 unchanged; tickets %7 added, %8 "
                  "cancelled;",
                  nullptr, summary.total)
               .arg(sync::displayName(summary.status).toLower(), sync::displayName(summary.mode), duration(summary.durationMs()))
               .arg(summary.synced)
               .arg(summary.failed)
               .arg(summary.unchanged)
               .arg(summary.ticketsAdded)
               .arg(summary.ticketsCancelled)
        << u' ' << Tr::tr("%n GHL request(s).", nullptr, summary.requests) << Qt::endl;
    if (!summary.failures.isEmpty()) {
        err << Tr::tr("Failed orders:") << Qt::endl;
        for (const sync::SyncFailure &f : std::as_const(summary.failures))
            err << QStringLiteral("  ") << (f.orderId.isEmpty() ? Tr::tr("(order list)") : f.orderId) << QStringLiteral(": ")
                << f.reason << Qt::endl;
    }
    if (!summary.conflicts.isEmpty()) {
        err << Tr::tr("Ticket conflicts (left as they are):") << Qt::endl;
        for (const QString &c : std::as_const(summary.conflicts))
            err << QStringLiteral("  ") << c << Qt::endl;
    }
    if (!summary.error.isEmpty() && summary.status != sync::SyncStatus::Cancelled)
        err << summary.error << Qt::endl;

    switch (summary.status) {
    case sync::SyncStatus::Succeeded: return ExitOk;
    case sync::SyncStatus::Partial: return ExitPartial;
    default: return ExitFailure;
    }
}

} // namespace qrt::app
