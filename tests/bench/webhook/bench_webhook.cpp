// bench_webhook: 1,000 signed OrderCreate webhooks over 50 keep-alive connections against
// `qrtickets serve` (a child process, QRT_QRTICKETS_BIN) on PostgreSQL (QRT_TEST_PG_URL), the
// GHL simulator answering after 100 ms; then the same burst against a baseline in this process
// that answers only after doing the work (QR + PUT + GET + save), as the original web system did.
// Prints "figure: NAME = VALUE" lines. Run it through scripts/bench webhook.
//
// Options: --events N (1000), --connections N (50), --latency-ms N (100), --rate-limit (keep the
// simulator's real 100 requests / 10 s limit; off by default, or draining 2,000 requests would
// take 200 s and measure GHL's limit rather than us). QRT_BENCH_DUMP=FILE writes the status and
// milliseconds of every request of the qrtickets burst, one line each, for looking at outliers.

#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/testdatabase.h"
#include "webhook/testkeys.h"

#include "db/fieldmappingrepository.h"
#include "db/inboxrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "ghl/getorderjob.h"
#include "ghl/ghlclient.h"
#include "ghl/orderjson.h"
#include "ghl/updatecontactfieldjob.h"
#include "ghlsim/ghlsimulator.h"
#include "qr/qrcode.h"
#include "webhook/httpserver.h"
#include "webhook/webhookauth.h"
#include "webhook/webhookpayload.h"

#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QProcess>
#include <QSet>
#include <QTextStream>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace qrt;
using namespace qrt::servetest;

namespace {

const QString UrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
const QByteArray Path = "/api/ghl/webhook-qr";

void figure(const char *name, double value, int decimals = 1)
{
    std::printf("figure: %s = %.*f\n", name, decimals, value);
    std::fflush(stdout);
}

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype index = std::clamp<qsizetype>(qsizetype(std::ceil(p * double(values.size()))) - 1, 0, values.size() - 1);
    return values.at(index);
}

struct Verdict
{
    int lost = 0;           // acknowledged but not processed
    int processedTwice = 0; // tickets beyond the quantities, or more than one contact update
};

// Compares the database and the simulator's log with what the acknowledged events asked for.
Verdict verify(db::Database &database, ghlsim::GhlSimulator &sim, const QStringList &orderIds,
               const QList<BurstClient::Outcome> &outcomes)
{
    Verdict v;
    QHash<QString, int> puts;
    for (const ghlsim::SimRequest &r : sim.requests()) {
        if (r.endpoint != ghlsim::Endpoint::UpdateContact || r.status != 200)
            continue;
        const QJsonArray f = QJsonDocument::fromJson(r.body).object().value(u"customFields").toArray();
        auto url = qr::QrDecoder::decodeDataUrl(f.first().toObject().value(u"field_value").toString());
        if (url)
            ++puts[url.value().section(u'/', -1)];
    }
    // The QR outbox's rules (PRODUCT.md 3, as tst_serve_crash checks them): a cancelled or refunded
    // order gets no QR; of two orders of one contact the newest one's QR stays and an older one may
    // be skipped (orderIds is newest first).
    QHash<QString, QString> newestOfContact;
    for (const QString &id : orderIds) {
        auto o = ghl::orderFromJson(sim.orderJson(id));
        if (o && !o->isVoid() && !newestOfContact.contains(o->contactId))
            newestOfContact.insert(o->contactId, id);
    }
    db::TicketRepository tickets(database);
    for (qsizetype i = 0; i < orderIds.size(); ++i) {
        if (outcomes.at(i).status != 200)
            continue;
        const QString id = orderIds.at(i);
        const QJsonObject json = sim.orderJson(id);
        auto parsed = ghl::orderFromJson(json);
        const bool isVoid = parsed && parsed->isVoid();
        const bool mayBeSkipped = parsed && newestOfContact.value(parsed->contactId) != id;
        const int want = expectedTickets(json);
        auto have = tickets.forOrder(id);
        const int count = have ? int(have->size()) : -1;
        const int updates = puts.value(id);
        if (count < want || (updates == 0 && !isVoid && !mayBeSkipped))
            ++v.lost;
        else if (updates > (isVoid ? 0 : 1) || count > want)
            ++v.processedTwice;
    }
    return v;
}

// The original's way: do everything, then answer. Several GHL clients, because one
// QNetworkAccessManager opens at most 6 connections to a host and Node's fetch is not limited so.
class BaselineServer
{
public:
    BaselineServer(db::Database &database, ghlsim::GhlSimulator &sim, const core::WebhookSettings &settings,
                   webhook::WebhookAuthenticator auth, int clients)
        : m_database(database), m_auth(std::move(auth)), m_server()
    {
        core::GhlSettings g;
        g.baseUrl = sim.baseUrl();
        g.locationId = sim.locationId();
        g.token = sim.token();
        g.apiVersion = ghlsim::GhlSimulator::apiVersion();
        g.concurrency = 6;
        g.requestTimeoutMs = 60000;
        for (int i = 0; i < clients; ++i)
            m_clients << new ghl::GhlClient(g, &m_server);
        m_qr.urlTemplate = UrlTemplate;
        m_server.addRoute(Path, { QByteArrayLiteral("POST") },
            [this](const webhook::HttpRequest &r, const webhook::HttpResponder &responder) { handle(r, responder); }, true);
        m_started = m_server.start(settings).ok();
    }
    bool started() const { return m_started; }
    quint16 port() const { return m_server.serverPort(); }

private:
    void handle(const webhook::HttpRequest &request, const webhook::HttpResponder &responder)
    {
        if (!m_auth.authenticate(request))
            return responder.send(webhook::HttpResponse::error(401, QStringLiteral("unauthenticated")));
        auto event = webhook::parseWebhookPayload(request.body);
        if (!event)
            return responder.send(webhook::HttpResponse::error(400, event.error().message));
        const webhook::WebhookEvent e = event.value();
        ghl::GhlClient *client = m_clients.at(m_next++ % m_clients.size());
        auto dataUrl = qr::QrEncoder::orderDataUrl(m_qr, e.orderId);
        db::FieldMappingRepository fields(m_database);
        QList<ghl::ContactFieldValue> values;
        for (const QString &p : e.productIds) {
            auto m = fields.forProduct(p);
            if (m && m->has_value())
                values.append({ m->value().fieldId, dataUrl.value() });
        }
        auto *put = client->updateContactFields(e.contactId, values);
        QObject::connect(put, &ghl::GhlJob::finished, &m_server, [this, put, client, e, responder, dataUrl] {
            if (!put->ok())
                return responder.send(webhook::HttpResponse::error(500, put->error().message()));
            auto *get = client->getOrder(e.orderId);
            QObject::connect(get, &ghl::GhlJob::finished, &m_server, [this, get, responder, dataUrl] {
                if (!get->ok())
                    return responder.send(webhook::HttpResponse::error(500, get->error().message()));
                core::Order order = get->order();
                order.qrCodeImage = dataUrl.value();
                db::OrderWriter writer(m_database);
                if (auto saved = writer.save({ order }, QStringLiteral("baseline")); !saved)
                    return responder.send(webhook::HttpResponse::error(500, saved.error().message));
                responder.send(webhook::HttpResponse::json(200, QByteArrayLiteral("{\"success\":true}")));
            });
        });
    }

    db::Database &m_database;
    webhook::WebhookAuthenticator m_auth;
    webhook::HttpServer m_server;
    QList<ghl::GhlClient *> m_clients;
    core::QrSettings m_qr;
    int m_next = 0;
    bool m_started = false;
};

int intOption(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("qrtickets.*.info=false\nqrtickets.*.warning=false"));
    const QStringList args = app.arguments();
    const int events = intOption(args, QStringLiteral("--events"), 1000);
    const int connections = intOption(args, QStringLiteral("--connections"), 50);
    const int latencyMs = intOption(args, QStringLiteral("--latency-ms"), 100);
    const bool rateLimit = args.contains(QStringLiteral("--rate-limit"));
    // --rounds N: N bursts (each of new orders) against one serve, each after the previous one has
    // drained; the figures are the medians of the rounds, each round is printed too. One burst puts
    // p99 at its 10th-slowest answer, so a single round is noisy on a shared machine.
    const int rounds = std::max(1, intOption(args, QStringLiteral("--rounds"), 1));
    const QString bin = test::qrticketsBinary();
    if (qEnvironmentVariableIsEmpty("QRT_TEST_PG_URL") || !QFile::exists(bin)) {
        say(QStringLiteral("bench_webhook needs QRT_TEST_PG_URL and QRT_QRTICKETS_BIN; run it through scripts/bench webhook."));
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
    sim.generate(events * rounds, 2026);
    const QStringList orderIds = sim.orderIds();
    QSet<QString> products;
    for (const QString &id : orderIds) {
        for (const QString &p : productsOf(sim.orderJson(id)))
            products.insert(p);
    }
    // The QR outbox resolves a mapped field's type from GHL's custom fields: they must exist there.
    QList<ghlsim::SimCustomField> known = sim.customFields();
    for (const QString &p : std::as_const(products))
        known.append({ QStringLiteral("field-") + p, p, QStringLiteral("contact.qr_") + p, QStringLiteral("TEXT") });
    sim.setCustomFields(known);
    const auto key = webhook::testing::TestKey::ed25519();

    // Signed just before each burst, so the timestamps are inside the replay window.
    const auto signedRequests = [&](const QString &prefix, int first = 0) {
        QList<QByteArray> requests;
        for (int i = first; i < first + events; ++i) {
            const QByteArray body = marketplaceBody(sim.orderJson(orderIds.at(i)), prefix + QString::number(i), sim.locationId());
            requests << rawPost(Path, body, "X-GHL-Signature: " + key.sign(body) + "\r\n");
        }
        return requests;
    };
    const auto freshDatabase = [&]() -> std::unique_ptr<test::TestDatabase> {
        auto t = test::TestDatabase::create(db::Dialect::PostgreSQL);
        if (!t || !t.value()->migrate()) {
            say(QStringLiteral("cannot create a test database: ") + (t ? QString() : t.error().toString()));
            return nullptr;
        }
        db::FieldMappingRepository fields(t.value()->db());
        for (const QString &p : std::as_const(products))
            (void)fields.upsert(p, QStringLiteral("field-") + p, p);
        return std::move(t.value());
    };

    // --- qrtickets serve --------------------------------------------------------------------
    auto served = freshDatabase();
    if (!served)
        return 1;
    test::FreshHome home;
    const quint16 port = test::freePort();
    const QProcessEnvironment env = home.environment({
        { QStringLiteral("QRTICKETS_DATABASE_URL"), served->url() },
        { QStringLiteral("QRTICKETS_GHL_BASE_URL"), sim.baseUrl().toString() },
        { QStringLiteral("QRTICKETS_GHL_TOKEN"), sim.token() },
        { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), sim.locationId() },
        { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(port) },
        { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("ghl-signature") },
        { QStringLiteral("QRTICKETS_WEBHOOK_GHL_PUBLIC_KEY"), QString::fromLatin1(key.spkiBase64()) },
        { QStringLiteral("QRTICKETS_QR_URL_TEMPLATE"), UrlTemplate },
        { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("bench") },
        { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("qrtickets.*.info=false") },
        // No reconciliation: at start it would sync all events x rounds generated orders and
        // deliver their QR codes while round 1 is sent (17 s of a sync and an outbox pass on the
        // same 2 cores), and the orders would be stored before their webhooks came, so the check
        // below would no longer see what the webhooks did.
        { QStringLiteral("QRTICKETS_SYNC_RECONCILE_INTERVAL_S"), QStringLiteral("0") },
    });
    const auto serveChild = test::startChild(bin, { QStringLiteral("serve") }, env, QProcess::ForwardedErrorChannel);
    QProcess &serve = *serveChild;
    QNetworkAccessManager nam;
    const QUrl health(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port));
    bool up = false;
    for (int i = 0; i < 300 && !up; ++i) {
        up = send(nam, "GET", health, {}, {}, 2000).status == 200;
        if (!up)
            QThread::msleep(100);
    }
    if (!up) {
        say(QStringLiteral("qrtickets serve did not come up"));
        return 1;
    }

    say(QStringLiteral("burst: %1 signed OrderCreate events over %2 connections, GHL latency %3 ms%4, %5 round(s)")
            .arg(events).arg(connections).arg(latencyMs).arg(rateLimit ? QStringLiteral(", rate limit on") : QString())
            .arg(rounds));
    say(QStringLiteral("measured: per request, from its first byte written to its whole answer read, on this process's "
                       "sockets (one request at a time on each); `qrtickets serve` is a process of its own, reconciliation "
                       "off; the GHL simulator shares this thread but is idle while a burst is sent (serve works on a "
                       "burst once arrivals pause for 50 ms); each round starts once the previous one is worked off"));
    db::InboxRepository inbox(served->db());
    QList<BurstClient::Outcome> allOutcomes;
    QList<double> p50s, p99s, maxes, rates, drains;
    int accepted = 0;
    for (int round = 0; round < rounds; ++round) {
        BurstClient burst(port, signedRequests(QStringLiteral("bench-r%1-").arg(round), round * events), connections);
        QElapsedTimer sinceStart;
        sinceStart.start();
        burst.run(600000);
        QList<double> acks;
        int roundAccepted = 0;
        for (const BurstClient::Outcome &o : burst.outcomes()) {
            if (o.status == 200) {
                ++roundAccepted;
                acks << o.ms;
            }
        }
        accepted += roundAccepted;
        allOutcomes += burst.outcomes();
        if (!qEnvironmentVariableIsEmpty("QRT_BENCH_DUMP")) {
            QFile dump(qEnvironmentVariable("QRT_BENCH_DUMP"));
            if (dump.open(QIODevice::Append)) {
                for (const BurstClient::Outcome &o : burst.outcomes())
                    dump.write(QByteArray::number(o.status) + ' ' + QByteArray::number(o.ms, 'f', 2) + '\n');
            }
        }
        double drainS = -1;
        for (;;) {
            auto s = inbox.stats();
            if (s && s->depth() == 0) {
                drainS = double(sinceStart.elapsed()) / 1000.0;
                break;
            }
            if (sinceStart.elapsed() > 900000)
                break;
            QEventLoop loop; // the simulator lives on this thread
            QTimer::singleShot(100, &loop, &QEventLoop::quit);
            loop.exec();
        }
        p50s << percentile(acks, 0.50);
        p99s << percentile(acks, 0.99);
        maxes << (acks.isEmpty() ? 0 : *std::max_element(acks.begin(), acks.end()));
        rates << (burst.wallMs() > 0 ? roundAccepted * 1000.0 / burst.wallMs() : 0);
        drains << drainS;
        if (rounds > 1)
            say(QStringLiteral("round %1: ack p50 %2 ms, p99 %3 ms, %4 accepted/s, drained in %5 s")
                    .arg(round + 1)
                    .arg(p50s.last(), 0, 'f', 2)
                    .arg(p99s.last(), 0, 'f', 2)
                    .arg(rates.last(), 0, 'f', 0)
                    .arg(drainS, 0, 'f', 1));
    }
    serve.terminate();
    serve.waitForFinished(60000);
    const Verdict served_ = verify(served->db(), sim, orderIds.mid(0, events * rounds), allOutcomes);
    auto finalStats = inbox.stats();

    // With one round these are that round's figures; with more, the medians of the rounds.
    figure("webhook.ack_p50_ms", percentile(p50s, 0.50), 2);
    figure("webhook.ack_p99_ms", percentile(p99s, 0.50), 2);
    figure("webhook.ack_max_ms", percentile(maxes, 0.50), 2);
    figure("webhook.accepted_per_s", percentile(rates, 0.50), 0);
    figure("webhook.accepted", accepted, 0);
    figure("webhook.lost", served_.lost + (events * rounds - accepted), 0);
    figure("webhook.processed_twice", served_.processedTwice, 0);
    figure("webhook.dead", finalStats ? finalStats->dead : -1, 0);
    figure("webhook.drain_s", percentile(drains, 0.50), 1);
    if (rounds > 1)
        figure("webhook.rounds", rounds, 0);

    // --- baseline: answer after the work --------------------------------------------------
    auto base = freshDatabase();
    if (!base)
        return 1;
    sim.resetLog();
    core::WebhookSettings ws;
    ws.bind = QStringLiteral("127.0.0.1");
    ws.port = 0;
    ws.path = QString::fromLatin1(Path);
    ws.auth = core::WebhookAuth::GhlSignature;
    ws.ghlPublicKey = QString::fromLatin1(key.spkiBase64());
    ws.replayWindowS = 300;
    auto auth = webhook::WebhookAuthenticator::create(ws, core::SystemClock::instance());
    if (!auth) {
        say(auth.error().toString());
        return 1;
    }
    BaselineServer baseline(base->db(), sim, ws, auth.value(), (connections + 5) / 6);
    if (!baseline.started()) {
        say(QStringLiteral("the baseline cannot listen"));
        return 1;
    }
    BurstClient baseBurst(baseline.port(), signedRequests(QStringLiteral("baseline-")), connections);
    baseBurst.run(900000);
    QList<double> baseAcks;
    for (const BurstClient::Outcome &o : baseBurst.outcomes()) {
        if (o.status == 200)
            baseAcks << o.ms;
    }
    figure("webhook.baseline_ack_p50_ms", percentile(baseAcks, 0.50), 2);
    figure("webhook.baseline_ack_p99_ms", percentile(baseAcks, 0.99), 2);
    figure("webhook.baseline_accepted_per_s", baseBurst.wallMs() > 0 ? baseAcks.size() * 1000.0 / baseBurst.wallMs() : 0, 0);
    figure("webhook.baseline_failed", events - baseAcks.size(), 0);
    return served_.lost == 0 && served_.processedTwice == 0 && accepted == events * rounds ? 0 : 1;
}
