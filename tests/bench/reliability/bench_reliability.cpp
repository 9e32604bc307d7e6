// bench_reliability: "never lose an order" (PRODUCT.md section 5, issue 12 point 7), measured over
// real sockets: the GHL simulator, `qrtickets serve` (a child process, QRT_QRTICKETS_BIN) on a
// throwaway PostgreSQL (QRT_TEST_PG_URL) reached through a TCP proxy (tests/support/tcpproxy.h).
//
// Phase 1: N orders in the simulator; 30% never get a webhook; the others are delivered as GHL
// does (webhooksender.h: only a 429 is retried, same body, capped Retry-After), spread over a few
// seconds; meanwhile PostgreSQL goes away for 20 s (the proxy refuses and cuts every connection, as
// a stopped server; --pg-fault blackhole: silence instead, as a dropped network), then GHL answers
// 500 to everything for 20 s. Then the bench waits until every order is healed: stored with all its
// tickets, and its QR accepted by the simulator in every mapped field (ledger.h).
// Phase 2: 2,000 orders stored and delivered, then the GHL requests one reconciliation pass costs
// when nothing changed (the passes of serve's [sync] reconcile_interval_s loop, told apart by their
// first List Orders page).
//
// Prints "figure: reliability.NAME = VALUE". Run it through scripts/bench reliability.
// Options: --orders N (300), --no-webhook-percent P (30), --burst-s S (10), --pg-down-at-s S (2),
// --pg-down-s S (20), --pg-fault down|blackhole, --ghl-500-s S (20), --retry-cap-s S (5),
// --interval-s S (5: QRTICKETS_SYNC_RECONCILE_INTERVAL_S), --max-heal-s S (60), --latency-ms N (20),
// --fields text|mixed (mixed: every other event maps to a FILE_UPLOAD field), --rate-limit (GHL's
// real 100 requests / 10 s), --unchanged-orders N (2000; 0 skips phase 2).

#include "ledger.h"
#include "webhooksender.h"

#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/tcpproxy.h"
#include "support/testdatabase.h"
#include "webhook/testkeys.h"

#include "db/fieldmappingrepository.h"
#include "ghlsim/ghlsimulator.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QLoggingCategory>
#include <QSet>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace qrt;
using namespace qrt::servetest;

namespace {

const QString UrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
const QString Path = QStringLiteral("/api/ghl/webhook-qr");
const QString TextField = QStringLiteral("qrCodeFld0000000000a");   // LARGE_TEXT in the simulator
const QString UploadField = QStringLiteral("qrImageFld000000000c"); // FILE_UPLOAD in the simulator

void figure(const char *name, double value, int decimals = 0)
{
    std::printf("figure: %s = %.*f\n", name, decimals, value);
    std::fflush(stdout);
}

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
}

int intOption(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
}

QString stringOption(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

void spin(int ms)
{
    QEventLoop loop; // the simulator and the webhook sender live on this thread
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// The simulator's events (products) for `seed`: the catalog is the seed's first draws, so after
// this the simulator holds the same catalog and no orders.
QStringList catalog(ghlsim::GhlSimulator &sim, quint32 seed)
{
    sim.generate(100, seed);
    QSet<QString> products;
    for (const QString &id : sim.orderIds()) {
        for (const QString &p : productsOf(sim.orderJson(id)))
            products.insert(p);
    }
    sim.generate(0, seed);
    return QStringList(products.cbegin(), products.cend());
}

// Product -> custom field, stored in the database as the mapping tab would.
QHash<QString, QString> mapFields(db::Database &database, const QStringList &products, bool mixed)
{
    QStringList sorted(products.cbegin(), products.cend());
    sorted.sort();
    QHash<QString, QString> mapping;
    db::FieldMappingRepository fields(database);
    for (qsizetype i = 0; i < sorted.size(); ++i) {
        const QString field = mixed && i % 2 == 1 ? UploadField : TextField;
        mapping.insert(sorted.at(i), field);
        (void)fields.upsert(sorted.at(i), field, field == UploadField ? QStringLiteral("QR Image") : QStringLiteral("QR Code"));
    }
    return mapping;
}

std::unique_ptr<test::TestDatabase> freshDatabase()
{
    auto t = test::TestDatabase::create(db::Dialect::PostgreSQL);
    if (!t) {
        say(QStringLiteral("cannot create a test database: ") + t.error().toString());
        return nullptr;
    }
    if (auto m = t.value()->migrate(); !m) {
        say(QStringLiteral("cannot migrate the test database: ") + m.error().toString());
        return nullptr;
    }
    return std::move(t.value());
}

struct Serve
{
    test::FreshHome home;
    quint16 port = 0;
    std::unique_ptr<QProcess> process;
};

// `qrtickets serve` on `databaseUrl` against `sim`, its listener on a free port; null when it
// does not come up within a minute.
std::unique_ptr<Serve> startServe(const QString &databaseUrl, ghlsim::GhlSimulator &sim, const QByteArray &publicKey,
                                  int intervalS)
{
    auto s = std::make_unique<Serve>();
    s->port = test::freePort();
    const QProcessEnvironment env = s->home.environment({
        { QStringLiteral("QRTICKETS_DATABASE_URL"), databaseUrl },
        { QStringLiteral("QRTICKETS_GHL_BASE_URL"), sim.baseUrl().toString() },
        { QStringLiteral("QRTICKETS_GHL_TOKEN"), sim.token() },
        { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), sim.locationId() },
        { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(s->port) },
        { QStringLiteral("QRTICKETS_WEBHOOK_PATH"), Path },
        { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("ghl-signature") },
        { QStringLiteral("QRTICKETS_WEBHOOK_GHL_PUBLIC_KEY"), QString::fromLatin1(publicKey) },
        { QStringLiteral("QRTICKETS_QR_URL_TEMPLATE"), UrlTemplate },
        { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("bench") },
        { QStringLiteral("QRTICKETS_SYNC_RECONCILE_INTERVAL_S"), QString::number(intervalS) },
        // Quiet: no info lines, and no warning per webhook refused while PostgreSQL is away.
        { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.info=false\nqrtickets.webhook.warning=false") },
    });
    s->process = test::startChild(test::qrticketsBinary(), { QStringLiteral("serve") }, env, QProcess::ForwardedErrorChannel);
    QNetworkAccessManager nam;
    const QUrl health(QStringLiteral("http://127.0.0.1:%1/healthz").arg(s->port));
    for (int i = 0; i < 600; ++i) {
        if (s->process->state() == QProcess::NotRunning)
            break;
        if (send(nam, "GET", health, {}, {}, 2000).status == 200)
            return s;
        spin(100);
    }
    say(QStringLiteral("qrtickets serve did not come up (exit code %1)").arg(s->process->exitCode()));
    return nullptr;
}

void stopServe(Serve &s)
{
    if (s.process->state() == QProcess::NotRunning)
        return;
    s.process->terminate();
    if (!s.process->waitForFinished(30000)) {
        s.process->kill();
        s.process->waitForFinished(10000);
    }
}

void setGhlDown(ghlsim::GhlSimulator &sim, bool down)
{
    if (!down)
        return sim.clearFaults();
    ghlsim::SimFaults all;
    all.serverError = 1.0;
    sim.setFaults(all);
    for (const char *prefix : { "/contacts", "/forms", "/locations", "/payments" })
        sim.setPathFaults(QString::fromLatin1(prefix), all);
}

// Phase 2: the requests of one reconciliation pass over `orders` unchanged orders; -1 when no two
// passes of the loop were seen (the loop does not run) or they never settled.
int unchangedReconcileCost(int orders, int intervalS, const QByteArray &publicKey, int budgetS)
{
    ghlsim::GhlSimulator sim;
    sim.setRateLimit(0, 10000);
    if (!sim.listen())
        return -1;
    const QStringList products = catalog(sim, 77);
    sim.generate(orders, 77);
    auto database = freshDatabase();
    if (!database)
        return -1;
    mapFields(database->db(), products, false);
    auto serve = startServe(database->url(), sim, publicKey, intervalS);
    if (!serve)
        return -1;
    QElapsedTimer clock;
    clock.start();
    int cost = -1;
    int passesSeen = 0;
    while (clock.elapsed() < qint64(budgetS) * 1000 && serve->process->state() == QProcess::Running) {
        spin(500);
        const QList<ghlsim::SimRequest> log = sim.requests();
        QList<qsizetype> starts; // a pass starts with List Orders' first page
        for (qsizetype i = 0; i < log.size(); ++i) {
            const ghlsim::SimRequest &r = log.at(i);
            if (r.endpoint == ghlsim::Endpoint::ListOrders && r.query.queryItemValue(QStringLiteral("offset")).toInt() == 0)
                starts << i;
        }
        passesSeen = int(starts.size());
        if (log.isEmpty() && clock.elapsed() > (3 * intervalS + 15) * 1000LL)
            break; // serve never called GHL on its own: there is no reconciliation loop
        if (starts.size() < 3)
            continue;
        // The last complete pass, once it neither fetched nor wrote anything: nothing changed.
        const qsizetype from = starts.at(starts.size() - 2), to = starts.last();
        int work = 0;
        for (qsizetype i = from; i < to; ++i)
            work += log.at(i).endpoint == ghlsim::Endpoint::ListOrders ? 0 : 1;
        if (work == 0) {
            cost = int(to - from);
            break;
        }
    }
    if (cost < 0)
        say(QStringLiteral("unchanged reconciliation: %1 pass(es) of the loop seen in %2 s, never one with nothing to do")
                .arg(passesSeen).arg(clock.elapsed() / 1000));
    stopServe(*serve);
    return cost;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("qrtickets.*.info=false\nqrtickets.*.warning=false"));
    const QStringList args = app.arguments();
    const int orders = intOption(args, QStringLiteral("--orders"), 300);
    const int noWebhookPercent = intOption(args, QStringLiteral("--no-webhook-percent"), 30);
    const int burstS = intOption(args, QStringLiteral("--burst-s"), 10);
    const int pgDownAtS = intOption(args, QStringLiteral("--pg-down-at-s"), 2);
    const int pgDownS = intOption(args, QStringLiteral("--pg-down-s"), 20);
    const bool blackhole = stringOption(args, QStringLiteral("--pg-fault"), QStringLiteral("down")) == u"blackhole";
    const int ghl500S = intOption(args, QStringLiteral("--ghl-500-s"), 20);
    const int retryCapS = intOption(args, QStringLiteral("--retry-cap-s"), 5);
    const int intervalS = intOption(args, QStringLiteral("--interval-s"), 5);
    const int maxHealS = intOption(args, QStringLiteral("--max-heal-s"), 60);
    const int latencyMs = intOption(args, QStringLiteral("--latency-ms"), 20);
    const bool mixed = stringOption(args, QStringLiteral("--fields"), QStringLiteral("mixed")) == u"mixed";
    const bool rateLimit = args.contains(QStringLiteral("--rate-limit"));
    const int unchangedOrders = intOption(args, QStringLiteral("--unchanged-orders"), 2000);
    const QString pgUrl = qEnvironmentVariable("QRT_TEST_PG_URL");
    if (pgUrl.isEmpty() || !QFile::exists(test::qrticketsBinary())) {
        say(QStringLiteral("bench_reliability needs QRT_TEST_PG_URL and QRT_QRTICKETS_BIN; run it through scripts/bench reliability."));
        return 2;
    }

    ghlsim::GhlSimulator sim;
    sim.setLatencyMs(latencyMs);
    if (!rateLimit)
        sim.setRateLimit(0, 10000);
    if (!sim.listen()) {
        say(QStringLiteral("the GHL simulator cannot listen"));
        return 1;
    }
    const QStringList products = catalog(sim, 2026); // the orders come during the run
    auto database = freshDatabase();
    if (!database)
        return 1;
    const QHash<QString, QString> mapping = mapFields(database->db(), products, mixed);

    // serve reaches PostgreSQL only through the proxy, the bench's own checks go direct.
    const QUrl direct(database->url());
    test::TcpProxy pgProxy(QHostAddress(direct.host()), quint16(direct.port(5432)));
    if (!pgProxy.start()) {
        say(QStringLiteral("the PostgreSQL proxy cannot listen"));
        return 1;
    }
    QUrl proxied = direct;
    proxied.setHost(QStringLiteral("127.0.0.1"));
    proxied.setPort(pgProxy.port());
    const auto key = webhook::testing::TestKey::ed25519();
    auto serve = startServe(proxied.toString(), sim, key.spkiBase64(), intervalS);
    if (!serve)
        return 1;

    // The orders are bought during the run, one every burstS / orders, as on a sales night: each
    // new order of the simulator gets its webhook at once, except P of every 100 (the laptop was
    // closed, the tunnel down): those only a reconciliation can find.
    bench::GhlWebhookSender sender(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(serve->port).arg(Path)), retryCapS, 10000);
    say(QStringLiteral("reliability: %1 orders bought over %2 s, %3% of them without a webhook, fields %4, GHL latency %5 ms%6; "
                       "PostgreSQL %7 from %8 s for %9 s, then GHL answers 500 for %10 s; reconcile interval %11 s")
            .arg(orders).arg(burstS).arg(noWebhookPercent).arg(mixed ? QStringLiteral("text + file upload") : QStringLiteral("text"))
            .arg(latencyMs).arg(rateLimit ? QStringLiteral(", rate limit on") : QString())
            .arg(blackhole ? QStringLiteral("blackholed") : QStringLiteral("down")).arg(pgDownAtS).arg(pgDownS)
            .arg(ghl500S).arg(intervalS));

    QElapsedTimer clock;
    clock.start();
    qint64 lastFaultEndMs = -1;
    int bought = 0;
    int withWebhook = 0;
    QTimer buying;
    buying.setInterval(std::max(1, burstS * 1000 / std::max(1, orders)));
    QObject::connect(&buying, &QTimer::timeout, &app, [&] {
        if (bought >= orders)
            return buying.stop();
        const QString id = sim.addOrders(1).value(0);
        if ((bought++ * 37) % 100 < noWebhookPercent || id.isEmpty())
            return;
        const QByteArray body = marketplaceBody(sim.orderJson(id), QStringLiteral("rel-") + id, sim.locationId());
        sender.send(id, body, key.sign(body));
        ++withWebhook;
    });
    buying.start();
    QTimer::singleShot(pgDownAtS * 1000, &app, [&] {
        say(QStringLiteral("t=%1 s: PostgreSQL goes away").arg(clock.elapsed() / 1000.0, 0, 'f', 1));
        if (blackhole) {
            pgProxy.blackhole();
        } else {
            pgProxy.refuse();
            pgProxy.cutAll();
        }
    });
    QTimer::singleShot((pgDownAtS + pgDownS) * 1000, &app, [&] {
        say(QStringLiteral("t=%1 s: PostgreSQL is back; GHL answers 500").arg(clock.elapsed() / 1000.0, 0, 'f', 1));
        pgProxy.restore();
        setGhlDown(sim, true);
    });
    QTimer::singleShot((pgDownAtS + pgDownS + ghl500S) * 1000, &app, [&] {
        setGhlDown(sim, false);
        lastFaultEndMs = clock.elapsed();
        say(QStringLiteral("t=%1 s: GHL is back (last fault over)").arg(lastFaultEndMs / 1000.0, 0, 'f', 1));
    });

    const auto otherAnswers = [&] { // no answer (0) or any status but 200, 429 and 503
        int n = 0;
        const QHash<int, int> counts = sender.answerCounts();
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            n += it.key() == 200 || it.key() == 429 || it.key() == 503 ? 0 : it.value();
        return n;
    };
    bench::Ledger ledger(sim, database->url(), mapping);
    qint64 healedAtMs = -1;
    qint64 lastReportMs = 0;
    bench::Ledger::Figures f;
    bool serveDied = false;
    for (;;) {
        spin(500);
        QString error;
        if (!ledger.refresh(&error))
            say(QStringLiteral("cannot read the database: ") + error);
        f = ledger.figures();
        const qint64 now = clock.elapsed();
        if (serve->process->state() != QProcess::Running && !serveDied) {
            serveDied = true;
            say(QStringLiteral("t=%1 s: qrtickets serve EXITED (code %2)").arg(now / 1000.0, 0, 'f', 1).arg(serve->process->exitCode()));
        }
        if (now - lastReportMs >= 5000) {
            lastReportMs = now;
            say(QStringLiteral("t=%1 s: healed %2/%3 (not stored %4, QR missing %5), webhooks 200:%6 429:%7 503:%8 other/none:%9")
                    .arg(now / 1000.0, 0, 'f', 1).arg(f.healed).arg(f.orders).arg(f.notStored).arg(f.notDelivered)
                    .arg(sender.answers(200)).arg(sender.answers(429)).arg(sender.answers(503))
                    .arg(otherAnswers()));
        }
        if (lastFaultEndMs < 0 || bought < orders)
            continue;
        if (f.healed == f.orders && healedAtMs < 0)
            healedAtMs = now;
        const bool timeUp = now - lastFaultEndMs > qint64(maxHealS) * 1000;
        if ((healedAtMs >= 0 && sender.allFinished()) || timeUp || serveDied)
            break;
    }
    // Anything still arriving late (a retried PUT) shows up as a duplicate: look once more.
    spin(std::min(3000, intervalS * 1000));
    stopServe(*serve);
    ledger.refresh();
    f = ledger.figures();
    for (const QString &id : std::as_const(f.unhealedSample))
        say(QStringLiteral("not healed: ") + ledger.explain(id));
    say(QStringLiteral("%1 orders bought, %2 with a webhook").arg(bought).arg(withWebhook));
    say(QStringLiteral("webhook deliveries: %1 attempts, %2 lost for good at GHL (answered neither 2xx nor 429 within six retries)")
            .arg(sender.attempts()).arg(sender.lostForGood()));
    if (f.extraDeliveries > 0)
        say(QStringLiteral("%1 QR deliveries beyond the first, over %2 (order, field) pairs").arg(f.extraDeliveries).arg(f.duplicatePairs));

    figure("reliability.orders", f.orders);
    figure("reliability.orders_lost", f.orders - f.healed);
    figure("reliability.orders_not_stored", f.notStored);
    figure("reliability.orders_qr_missing", f.notDelivered);
    figure("reliability.duplicate_qr_deliveries", f.duplicatePairs);
    figure("reliability.fields_superseded", f.superseded); // held by a newer order of the same contact
    figure("reliability.heal_s", healedAtMs < 0 ? -1 : std::max<qint64>(0, healedAtMs - lastFaultEndMs) / 1000.0, 1);
    figure("reliability.answers_503", sender.answers(503));
    figure("reliability.answers_429", sender.answers(429));
    figure("reliability.webhooks_lost_at_ghl", sender.lostForGood());

    if (unchangedOrders > 0) {
        say(QStringLiteral("reconciliation cost: %1 unchanged orders").arg(unchangedOrders));
        const int cost = unchangedReconcileCost(unchangedOrders, intervalS, key.spkiBase64(), 60 + unchangedOrders / 20);
        figure("reliability.reconcile_requests_2000_unchanged", cost);
    }
    return f.healed == f.orders && f.duplicatePairs == 0 && sender.answers(503) == 0 ? 0 : 1;
}
