// Sync benchmark (PRODUCT.md section 5): the engine against the original web system's algorithm,
// on the same GHL simulator and the same PostgreSQL, in the same run. Prints "figure:" lines;
// asserts nothing about time.
#include "db/database.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "support/syncfixture.h"
#include "support/testdatabase.h"
#include "sync/syncengine.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlError>
#include <QSqlQuery>
#include <QTextStream>
#include <QTimer>

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
    QTextStream(stderr) << "bench_sync: " << message << Qt::endl;
    std::exit(1);
}

std::unique_ptr<test::TestDatabase> freshDatabase()
{
    auto t = test::TestDatabase::create(db::Dialect::PostgreSQL);
    if (!t)
        die(t.error().toString());
    if (auto m = t.value()->migrate(); !m)
        die(m.error().toString());
    return std::move(t.value());
}

sync::SyncSummary runEngine(test::TestDatabase &t, const sync::SyncRequest &request, qint64 *elapsedMs)
{
    sync::SyncEngine engine(t.shared());
    QElapsedTimer timer;
    timer.start();
    const sync::SyncSummary summary = test::runOnce(engine, request, 10 * test::kWaitMs);
    *elapsedMs = timer.elapsed();
    if (summary.status != sync::SyncStatus::Succeeded)
        die(QStringLiteral("the engine's run did not succeed: %1 %2").arg(sync::toString(summary.status), summary.error));
    return summary;
}

// The original system (app/api/ghl/orders/sync): for every id of valid_order_list.json, GET the
// order and upsert it, one after the other; then for every order read its tickets and insert the
// missing ones one by one. Autocommit statements, as supabase-js issues them.
void runOriginal(test::TestDatabase &t, const ghlsim::GhlSimulator &sim, const QStringList &ids)
{
    auto c = t.db().connection();
    if (!c)
        die(c.error().toString());
    QSqlDatabase db = c.value();
    QNetworkAccessManager nam;
    QList<core::Order> orders;
    QSqlQuery upsert(db);
    upsert.prepare(QStringLiteral(
        "INSERT INTO ghl_qr_orders (order_id, location_id, total_paid, payment_status, payment_currency, order_status, "
        "contact_id, contact_firstname, contact_lastname, contact_email, contact_phone, date_added, event_id, "
        "event_name, event_image, event_ticket_price, event_ticket_currency, event_available_qty, event_ticket_qty, "
        "event_ticket_type, ticket_quantities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "CAST(? AS jsonb)) ON CONFLICT (order_id) DO UPDATE SET location_id = excluded.location_id, "
        "total_paid = excluded.total_paid, payment_status = excluded.payment_status, "
        "payment_currency = excluded.payment_currency, order_status = excluded.order_status, "
        "contact_id = excluded.contact_id, contact_firstname = excluded.contact_firstname, "
        "contact_lastname = excluded.contact_lastname, contact_email = excluded.contact_email, "
        "contact_phone = excluded.contact_phone, date_added = excluded.date_added, event_id = excluded.event_id, "
        "event_name = excluded.event_name, event_image = excluded.event_image, "
        "event_ticket_price = excluded.event_ticket_price, event_ticket_currency = excluded.event_ticket_currency, "
        "event_available_qty = excluded.event_available_qty, event_ticket_qty = excluded.event_ticket_qty, "
        "event_ticket_type = excluded.event_ticket_type, ticket_quantities = excluded.ticket_quantities"));
    for (const QString &id : ids) {
        QUrl url = sim.baseUrl();
        url.setPath(QStringLiteral("/payments/orders/") + id);
        url.setQuery(QStringLiteral("altId=%1&altType=location").arg(sim.locationId()));
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", "Bearer " + sim.token().toUtf8());
        request.setRawHeader("Version", ghlsim::GhlSimulator::apiVersion().toUtf8());
        request.setRawHeader("Accept", "application/json");
        QNetworkReply *reply = nam.get(request);
        QEventLoop wait;
        QObject::connect(reply, &QNetworkReply::finished, &wait, &QEventLoop::quit);
        wait.exec();
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        auto order = ghl::parseOrder(body);
        if (!order)
            die(QStringLiteral("baseline: order %1: %2").arg(id, order.error().toString()));
        const core::Order &o = order.value();
        QJsonObject quantities;
        for (auto it = o.ticketQuantities.cbegin(); it != o.ticketQuantities.cend(); ++it)
            quantities.insert(it.key(), it.value());
        const QVariantList values = { o.orderId, o.locationId, o.totalPaid, o.paymentStatus, o.paymentCurrency,
                                      o.orderStatus, o.contactId, o.contactFirstName, o.contactLastName, o.contactEmail,
                                      o.contactPhone, db::toDb(o.dateAdded), o.eventId, o.eventName, o.eventImage,
                                      o.eventTicketPrice, o.eventTicketCurrency, o.eventAvailableQty, o.eventTicketQty,
                                      o.eventTicketType,
                                      QString::fromUtf8(QJsonDocument(quantities).toJson(QJsonDocument::Compact)) };
        for (int i = 0; i < values.size(); ++i)
            upsert.bindValue(i, values.at(i));
        if (!upsert.exec())
            die(QStringLiteral("baseline upsert: ") + upsert.lastError().text());
        orders.append(o);
    }
    QSqlQuery select(db);
    select.prepare(QStringLiteral("SELECT ticket_id, ticket_type FROM ghl_qr_tickets WHERE order_id = ?"));
    QSqlQuery insert(db);
    insert.prepare(QStringLiteral("INSERT INTO ghl_qr_tickets (order_id, ticket_type, status) VALUES (?, ?, 'live')"));
    for (const core::Order &o : std::as_const(orders)) {
        select.bindValue(0, o.orderId);
        if (!select.exec())
            die(QStringLiteral("baseline select: ") + select.lastError().text());
        QHash<QString, int> existing;
        while (select.next())
            ++existing[select.value(1).toString()];
        for (auto it = o.ticketQuantities.cbegin(); it != o.ticketQuantities.cend(); ++it) {
            for (int n = existing.value(it.key()); n < it.value(); ++n) {
                insert.bindValue(0, o.orderId);
                insert.bindValue(1, it.key());
                if (!insert.exec())
                    die(QStringLiteral("baseline insert: ") + insert.lastError().text());
            }
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsEmpty("QRT_TEST_PG_URL"))
        die(QStringLiteral("QRT_TEST_PG_URL is not set: run it through scripts/bench sync, which starts PostgreSQL."));
    QLoggingCategory::setFilterRules(QStringLiteral("qrtickets.*.info=false"));

    ghlsim::GhlSimulator sim;
    if (!sim.listen())
        die(QStringLiteral("the GHL simulator could not listen"));

    // (1) 2,000 orders, 25 ms per answer, no rate limit: original algorithm vs engine.
    constexpr int kOrders = 2000;
    sim.generate(kOrders, 2026);
    sim.setLatencyMs(25);
    sim.setRateLimit(0, 10000);
    const QStringList ids = sim.orderIds();

    auto originalDb = freshDatabase();
    sim.resetLog();
    QElapsedTimer timer;
    timer.start();
    runOriginal(*originalDb, sim, ids);
    const double originalS = timer.elapsed() / 1000.0;
    const int originalRequests = sim.requestCount();
    originalDb.reset();
    out() << "figure: sync.original_s = " << QString::number(originalS, 'f', 2) << Qt::endl;

    auto engineDb = freshDatabase();
    sync::SyncRequest full;
    full.mode = sync::SyncMode::Full;
    full.station = QStringLiteral("bench");
    full.ghl = test::ghlSettingsFor(sim); // the [ghl] defaults: concurrency 6, 30 s per request
    sim.resetLog();
    qint64 engineMs = 0;
    const auto fullSummary = runEngine(*engineDb, full, &engineMs);
    const double engineS = engineMs / 1000.0;
    out() << "figure: sync.engine_s = " << QString::number(engineS, 'f', 2) << Qt::endl;
    out() << "figure: sync.speedup_vs_original = " << QString::number(originalS / engineS, 'f', 2) << Qt::endl;
    out() << "info: engine full sync made " << fullSummary.requests << " requests, saved " << fullSummary.synced
          << " orders, added " << fullSummary.ticketsAdded << " tickets" << Qt::endl;

    // (3) Incremental re-sync after 10 orders changed (same database as the engine's full sync).
    for (int i = 0; i < 10; ++i)
        sim.setItemQuantity(ids.at(i * 150 + 7), 0, 6);
    sim.resetLog();
    sync::SyncRequest incremental = full;
    incremental.mode = sync::SyncMode::Incremental;
    qint64 incrementalMs = 0;
    const auto inc = runEngine(*engineDb, incremental, &incrementalMs);
    out() << "info: incremental re-sync fetched " << inc.total << " orders in " << incrementalMs << " ms" << Qt::endl;
    out() << "figure: sync.incremental_requests = " << sim.requestCount() << Qt::endl;
    out() << "figure: sync.original_requests = " << originalRequests << Qt::endl;
    engineDb.reset();

    // (2) Rate limit on, scaled down from GHL's 100 per 10 s to 100 per 2 s. 595 orders and 6
    // list pages are 601 requests: with a perfect limiter the last one goes out 6 intervals after
    // the first, so (requests - 1) / (last - first) is the achieved rate.
    constexpr int kMax = 100;
    constexpr int kIntervalMs = 2000;
    sim.generate(595, 7);
    sim.setLatencyMs(5);
    sim.setRateLimit(kMax, kIntervalMs);
    auto rateDb = freshDatabase();
    sim.resetLog();
    qint64 rateMs = 0;
    sync::SyncRequest limited = full;
    limited.ghl = test::ghlSettingsFor(sim);
    const auto rateSummary = runEngine(*rateDb, limited, &rateMs);
    const QList<ghlsim::SimRequest> log = sim.requests();
    const qint64 first = log.isEmpty() ? 0 : log.first().receivedMs;
    const qint64 last = log.isEmpty() ? 0 : log.last().receivedMs;
    const double achieved = last > first ? double(log.size() - 1) / ((last - first) / 1000.0) : 0;
    const double allowed = kMax / (kIntervalMs / 1000.0);
    out() << "info: rate-limited run: " << log.size() << " requests in " << rateMs << " ms, " << QString::number(achieved, 'f', 1)
          << " req/s of " << allowed << " allowed, busiest window " << sim.maxRequestsInWindow(kIntervalMs) << Qt::endl;
    out() << "figure: sync.rate_limit_efficiency = " << QString::number(achieved / allowed, 'f', 3) << Qt::endl;
    out() << "figure: sync.http_429 = " << sim.statusCount(429) << Qt::endl;
    Q_UNUSED(rateSummary)
    return 0;
}
