#include "db/database.h"
#include "support/verify.h"
#include "db/fieldmappingrepository.h"
#include "db/migrator.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "db/userrepository.h"
#include "ghl/orderjson.h"
#include "support/testdatabase.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>
#include <QThread>

#include <atomic>
#include <stdexcept>

using namespace qrt;
using core::TicketStatus;
using Outcome = db::AdmitResult::Outcome;

namespace QTest {
template <>
inline char *toString(const Outcome &o)
{
    static const char *names[] = { "Admitted", "AlreadyUsed", "Cancelled", "NotFound", "NoLiveTickets" };
    return qstrdup(names[static_cast<int>(o)]);
}
} // namespace QTest

namespace {
core::Order makeOrder(const QString &id, QList<std::pair<QString, int>> types, const QString &event = QStringLiteral("ev1"))
{
    core::Order o;
    o.orderId = id;
    o.locationId = QStringLiteral("loc1");
    o.totalPaid = 42.5;
    o.paymentStatus = QStringLiteral("paid");
    o.paymentCurrency = QStringLiteral("EUR");
    o.orderStatus = QStringLiteral("completed");
    o.contactId = QStringLiteral("c-") + id;
    o.contactFirstName = QStringLiteral("Ada");
    o.contactLastName = QStringLiteral("Lovelace ") + id;
    o.contactEmail = id + QStringLiteral("@example.com");
    o.contactPhone = QStringLiteral("+441234");
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.ghlUpdatedAt = QDateTime(QDate(2026, 5, 2), QTime(8, 30, 0, 125), Qt::UTC);
    o.eventId = event;
    o.eventName = QStringLiteral("Gala ") + event;
    for (const auto &[type, qty] : types) {
        o.items.append({ event, o.eventName, {}, {}, type, qty, 10.0, QStringLiteral("EUR"), -1 });
        o.ticketQuantities[type] += qty;
    }
    o.eventTicketType = types.isEmpty() ? QString() : types.first().first;
    return o;
}

int countStatus(const QList<core::Ticket> &tickets, TicketStatus s)
{
    return static_cast<int>(std::count_if(tickets.cbegin(), tickets.cend(), [s](const auto &t) { return t.status == s; }));
}
} // namespace

class TestDb : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    bool pg() const { return m_dialect == db::Dialect::PostgreSQL; }
    db::Database &database() { return m_t->db(); }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        const QString fn = QString::fromLatin1(QTest::currentTestFunction());
        if (!fn.startsWith(QStringLiteral("adopt")) && !fn.startsWith(QStringLiteral("url"))
            && !fn.startsWith(QStringLiteral("connection")))
            QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    // --- URLs and connections ---------------------------------------------------------------

    void urlParsing()
    {
        auto s = db::DatabaseUrl::parse(QStringLiteral("sqlite:///var/lib/qr/tickets.db"));
        QVERIFY(s);
        QCOMPARE(s->path, QStringLiteral("/var/lib/qr/tickets.db"));
        auto w = db::DatabaseUrl::parse(QStringLiteral("sqlite:///C:/Users/door/qr.db"));
        QVERIFY(w);
        QCOMPARE(w->path, QStringLiteral("C:/Users/door/qr.db"));
        auto p = db::DatabaseUrl::parse(QStringLiteral("postgresql://qr:p%40ss@db.example.com:6543/tickets?sslmode=require"));
        QVERIFY(p);
        QCOMPARE(p->host, QStringLiteral("db.example.com"));
        QCOMPARE(p->port, 6543);
        QCOMPARE(p->user, QStringLiteral("qr"));
        QCOMPARE(p->password, QStringLiteral("p@ss"));
        QCOMPARE(p->name, QStringLiteral("tickets"));
        QCOMPARE(p->connectOptions, QStringLiteral("sslmode=require"));
        QVERIFY(!p->display().contains(QStringLiteral("p@ss")));
        for (const char *bad : { "", "mysql://x/y", "sqlite://relative/x.db", "postgresql:///nohost", "not a url" }) {
            auto r = db::DatabaseUrl::parse(QString::fromLatin1(bad));
            QVERIFY2(!r, bad);
            QVERIFY2(r.error().message.contains(QStringLiteral("sqlite:///path/file.db")), qPrintable(r.error().message));
        }
    }

    void connectionErrorsAreClear()
    {
        // A port where nothing listens.
        auto unreachable = db::Database::open(QStringLiteral("postgresql://u:p@127.0.0.1:1/x"));
        QVERIFY(unreachable);
        auto r = unreachable.value()->check();
        QVERIFY(!r);
        QCOMPARE(r.error().code, QStringLiteral("db.unreachable"));
        QVERIFY2(r.error().message.contains(QStringLiteral("127.0.0.1:1")), qPrintable(r.error().message));

        auto sqlite = db::Database::open(QStringLiteral("sqlite:///proc/no-such-dir/x.db"));
        QVERIFY(sqlite);
        auto s = sqlite.value()->check();
        QVERIFY(!s);
        QCOMPARE(s.error().code, QStringLiteral("db.open"));

        if (pg()) {
            QUrl url(qEnvironmentVariable("QRT_TEST_PG_URL"));
            url.setPassword(QStringLiteral("wrong-password"));
            auto wrong = db::Database::open(url.toString());
            QVERIFY(wrong);
            auto w = wrong.value()->check();
            QVERIFY(!w);
            QCOMPARE(w.error().code, QStringLiteral("db.auth"));
            QVERIFY(!w.error().message.contains(QStringLiteral("wrong-password")));
            QUrl missing(qEnvironmentVariable("QRT_TEST_PG_URL"));
            missing.setPath(QStringLiteral("/no_such_database_here"));
            auto m = db::Database::open(missing.toString()).value()->check();
            QVERIFY(!m);
            QCOMPARE(m.error().code, QStringLiteral("db.missing"));
        }
    }

    void connectionPerThread()
    {
        QVERIFY_OK(m_t->migrate());
        QString mainName, otherName;
        auto c = database().connection();
        QVERIFY(c);
        mainName = c->connectionName();
        QThread *thread = QThread::create([&] {
            auto other = database().connection();
            if (other)
                otherName = other->connectionName();
        });
        thread->start();
        QVERIFY(thread->wait(30000));
        delete thread;
        QVERIFY(!otherName.isEmpty());
        QVERIFY(mainName != otherName);
        QVERIFY2(!QSqlDatabase::contains(otherName), "a finished thread's connection was not removed");
    }

    // --- Migrations ---------------------------------------------------------------------------

    void migrationsAreRecordedAndIdempotent()
    {
        db::Migrator m(database());
        auto v = m.currentVersion();
        QVERIFY(v);
        QVERIFY(v.value() >= 1);
        const int migrations = static_cast<int>(db::Migrator::available(database().dialect()).size());
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).value().toInt(), migrations);
        auto again = m.migrate();
        QVERIFY(again);
        QVERIFY(again->applied.isEmpty());
        QCOMPARE(again->currentVersion, v.value());
        for (const char *table : { "ghl_qr_orders", "ghl_qr_tickets", "ghl_qr_fields", "ghl_qr_users", "ticket_events",
                                   "webhook_inbox", "sync_runs" })
            QVERIFY2(m_t->scalar(QStringLiteral("SELECT count(*) FROM ") + QLatin1StringView(table)), table);
    }

    void statementSplitter()
    {
        const QString sql = QStringLiteral("CREATE TABLE a (x text DEFAULT ';'); -- comment; here\n"
                                           "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
                                           "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 'y'; END;\n"
                                           "/* block; */ SELECT 'it''s;'");
        const QStringList s = db::Migrator::splitStatements(sql);
        QCOMPARE(s.size(), 4);
        QVERIFY(s[1].contains(QStringLiteral("SELECT 1; $$")));
        QVERIFY(s[2].endsWith(QStringLiteral("END")));
        QCOMPARE(s[3], QStringLiteral("SELECT 'it''s;'"));
    }

    void adoptOriginalDatabase()
    {
        if (!pg())
            QSKIP("PostgreSQL only by design: the original web system ran on PostgreSQL (Supabase)");
        // The original system's tables exactly as PRODUCT.md section 2 lists them, with data.
        QVERIFY_OK(m_t->exec(QStringLiteral(R"SQL(
            CREATE TABLE ghl_qr_orders (order_id text PRIMARY KEY, location_id text, total_paid numeric,
              payment_status text, payment_currency text, order_status text, contact_id text, contact_firstname text,
              contact_lastname text, contact_email text, contact_phone text, date_added timestamptz, event_id text,
              event_name text, event_image text, event_ticket_price numeric, event_ticket_currency text,
              event_available_qty integer, event_ticket_qty integer, event_ticket_type text, qr_code_image text,
              ticket_quantities jsonb, inserted_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
            CREATE TABLE ghl_qr_tickets (ticket_id serial PRIMARY KEY,
              order_id text REFERENCES ghl_qr_orders(order_id) ON DELETE CASCADE, ticket_type text, status text DEFAULT 'live');
            CREATE TABLE ghl_qr_fields (id serial PRIMARY KEY, product_id text UNIQUE, field_id text, field_name text,
              created_at timestamptz DEFAULT now());
            CREATE TABLE ghl_qr_users (id uuid PRIMARY KEY, name text, email text UNIQUE, type text,
              created_at timestamptz DEFAULT now());
            INSERT INTO ghl_qr_orders (order_id, location_id, total_paid, payment_status, payment_currency, contact_id,
              contact_firstname, contact_lastname, contact_email, date_added, event_id, event_name, event_ticket_qty,
              event_ticket_type, qr_code_image, ticket_quantities, inserted_at, updated_at)
              VALUES ('653f5e0cde5a1314e62a837c', 'loc1', 99.95, 'paid', 'USD', 'c1', 'Grace', 'Hopper', 'grace@example.com',
              '2024-03-01T10:00:00Z', 'prod1', 'Spring Gala', 3, 'VIP', 'data:image/png;base64,AAAA',
              '{"VIP": 2, "GA": 1}', '2024-03-01T10:01:00Z', '2024-03-02T09:00:00Z'),
              ('653f5e0cde5a1314e62a837d', 'loc1', 10, 'refunded', 'USD', 'c2', 'Alan', 'Turing', 'alan@example.com',
              '2024-03-03T10:00:00Z', 'prod1', 'Spring Gala', 1, 'GA', NULL, '{"GA": 1}', '2024-03-03T10:01:00Z',
              '2024-03-03T10:01:00Z');
            INSERT INTO ghl_qr_tickets (order_id, ticket_type, status) VALUES
              ('653f5e0cde5a1314e62a837c', 'VIP', 'used'), ('653f5e0cde5a1314e62a837c', 'VIP', 'live'),
              ('653f5e0cde5a1314e62a837c', 'GA', 'live'), ('653f5e0cde5a1314e62a837d', 'GA', 'cancelled');
            INSERT INTO ghl_qr_fields (product_id, field_id, field_name) VALUES ('prod1', 'fld1', 'QR Gala');
            INSERT INTO ghl_qr_users (id, name, email, type) VALUES
              ('7d0c6f4e-0f5e-4a51-9a3e-2c8f3b1e9a10', 'Root', 'root@example.com', 'Super Admin');
        )SQL")));
        const QString snapshot = QStringLiteral(
            "SELECT string_agg(t::text, '|' ORDER BY 1) FROM (SELECT order_id, location_id, total_paid, payment_status, "
            "payment_currency, contact_id, contact_firstname, contact_lastname, contact_email, date_added, event_id, "
            "event_name, event_ticket_qty, event_ticket_type, qr_code_image, ticket_quantities, inserted_at, updated_at "
            "FROM ghl_qr_orders) t");
        const QString ticketSnapshot = QStringLiteral(
            "SELECT string_agg(t::text, '|' ORDER BY 1) FROM (SELECT ticket_id, order_id, ticket_type, status FROM "
            "ghl_qr_tickets) t");
        const QString orders = m_t->scalar(snapshot).value().toString();
        const QString tickets = m_t->scalar(ticketSnapshot).value().toString();

        QVERIFY_OK(m_t->migrate());

        QCOMPARE(m_t->scalar(snapshot).value().toString(), orders);
        QCOMPARE(m_t->scalar(ticketSnapshot).value().toString(), tickets);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT field_id FROM ghl_qr_fields WHERE product_id = 'prod1'")).value().toString(),
                 QStringLiteral("fld1"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT email FROM ghl_qr_users")).value().toString(),
                 QStringLiteral("root@example.com"));
        // New columns exist and were filled where they derive from old data.
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(DISTINCT code) FROM ghl_qr_tickets WHERE length(code) = 32"))
                     .value()
                     .toInt(),
                 4);
        db::OrderRepository orderRepo(database());
        auto row = orderRepo.get(QStringLiteral("653f5e0cde5a1314e62a837c"));
        QVERIFY(row && row.value());
        QCOMPARE(row.value()->tickets.used, 1);
        QCOMPARE(row.value()->tickets.live, 2);
        QCOMPARE(row.value()->order.ticketQuantities.value(QStringLiteral("VIP")), 2);
        QCOMPARE(row.value()->order.qrCodeImage, QStringLiteral("data:image/png;base64,AAAA"));
        QCOMPARE(row.value()->order.dateAdded, QDateTime(QDate(2024, 3, 1), QTime(10, 0), Qt::UTC));
        for (const char *column : { "ghl_updated_at", "synced_at", "qr_pushed_at", "line_items", "tickets_live" })
            QVERIFY2(m_t->scalar(QStringLiteral("SELECT count(") + QLatin1StringView(column)
                                 + QStringLiteral(") FROM ghl_qr_orders")),
                     column);
        for (const char *column : { "product_id", "code", "created_at", "updated_at", "updated_by" })
            QVERIFY2(m_t->scalar(QStringLiteral("SELECT count(") + QLatin1StringView(column)
                                 + QStringLiteral(") FROM ghl_qr_tickets")),
                     column);
        // A second migrate changes nothing.
        db::Migrator again(database());
        auto r = again.migrate();
        QVERIFY(r);
        QVERIFY(r->applied.isEmpty());
        QCOMPARE(m_t->scalar(snapshot).value().toString(), orders);

        // Sync over the adopted rows: the used VIP stays, nothing is duplicated, product ids are adopted.
        db::TicketRepository ticketRepo(database());
        core::Order fromGhl = makeOrder(QStringLiteral("653f5e0cde5a1314e62a837c"),
                                        { { QStringLiteral("VIP"), 2 }, { QStringLiteral("GA"), 1 } }, QStringLiteral("prod1"));
        QVERIFY_OK(orderRepo.upsert({ fromGhl }));
        auto rec = ticketRepo.reconcile(fromGhl, QStringLiteral("door-1"));
        QVERIFY_OK(rec);
        QVERIFY2(!rec->changed(), "reconciling an adopted order that matches GHL changed its tickets");
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets WHERE product_id = 'prod1'")).value().toInt(), 3);
        // The new status constraint applies to new writes.
        QVERIFY(!m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'bogus' WHERE ticket_id = 1")));
    }

    // --- Orders -------------------------------------------------------------------------------

    void orderRoundTrip()
    {
        db::OrderRepository repo(database());
        core::Order o = makeOrder(QStringLiteral("ord1"), { { QStringLiteral("VIP"), 2 }, { QStringLiteral("GA"), 3 } });
        QVERIFY_OK(repo.upsert({ o }));
        auto got = repo.get(QStringLiteral("ord1"));
        QVERIFY_OK(got);
        QVERIFY(got.value().has_value());
        const core::Order &g = got.value()->order;
        QCOMPARE(g.orderId, o.orderId);
        QCOMPARE(g.totalPaid, o.totalPaid);
        QCOMPARE(g.contactEmail, o.contactEmail);
        QCOMPARE(g.dateAdded, o.dateAdded);
        QCOMPARE(g.ghlUpdatedAt, o.ghlUpdatedAt);
        QCOMPARE(g.ticketQuantities, o.ticketQuantities);
        QCOMPARE(g.items, o.items);
        QVERIFY(g.syncedAt.isValid());

        QVERIFY_OK(repo.setQrImage(QStringLiteral("ord1"), QStringLiteral("data:image/png;base64,QR"),
                                   QDateTime::currentDateTimeUtc()));
        o.contactEmail = QStringLiteral("new@example.com");
        QVERIFY_OK(repo.upsert({ o }));
        got = repo.get(QStringLiteral("ord1"));
        QCOMPARE(got.value()->order.contactEmail, QStringLiteral("new@example.com"));
        QCOMPARE(got.value()->order.qrCodeImage, QStringLiteral("data:image/png;base64,QR"));
        QVERIFY(got.value()->order.qrPushedAt.isValid());
        QVERIFY(!repo.get(QStringLiteral("nope")).value().has_value());
        QVERIFY(!repo.setQrImage(QStringLiteral("nope"), QStringLiteral("x"), QDateTime::currentDateTimeUtc()));
    }

    void batchUpsertIsAllOrNothing()
    {
        db::OrderRepository repo(database());
        QList<core::Order> batch { makeOrder(QStringLiteral("a1"), {}), makeOrder(QStringLiteral("a2"), {}),
                                   makeOrder(QString(), {}) };
        QVERIFY(!repo.upsert(batch));
        QCOMPARE(repo.count({}).value(), 0);
    }

    void listFilterSortPage()
    {
        db::OrderRepository repo(database());
        db::TicketRepository tickets(database());
        QList<core::Order> orders;
        for (int i = 0; i < 250; ++i) {
            core::Order o = makeOrder(QStringLiteral("o%1").arg(i, 4, 10, QLatin1Char('0')), { { QStringLiteral("GA"), 1 + i % 3 } },
                                      i % 2 ? QStringLiteral("evA") : QStringLiteral("evB"));
            o.paymentStatus = i % 5 == 0 ? QStringLiteral("refunded") : QStringLiteral("paid");
            o.totalPaid = i;
            if (i == 7) {
                o.contactFirstName = QStringLiteral("Zoë");
                o.contactLastName = QStringLiteral("O'Brien");
                o.contactEmail = QStringLiteral("zoe.obrien@example.org");
            }
            orders << o;
        }
        QVERIFY_OK(repo.upsert(orders));
        for (const core::Order &o : std::as_const(orders))
            QVERIFY_OK(tickets.reconcile(o, QStringLiteral("t")));
        QVERIFY(tickets.admitNext(QStringLiteral("o0007"), QStringLiteral("door")).value().admitted());

        QCOMPARE(repo.count({}).value(), 250);
        db::OrderQuery q;
        q.search = QStringLiteral("o'brien");
        auto found = repo.list(q);
        QVERIFY_OK(found);
        QCOMPARE(found->size(), 1);
        QCOMPARE(found->first().order.orderId, QStringLiteral("o0007"));
        QCOMPARE(found->first().tickets.used, 1);
        q.search = QStringLiteral("zoe.obrien example");
        QCOMPARE(repo.count(q).value(), 1);

        db::OrderQuery ev;
        ev.eventId = QStringLiteral("evA");
        ev.paymentStatus = QStringLiteral("paid");
        QCOMPARE(repo.count(ev).value(), 100); // odd i (125) minus multiples of 5 among them (25)

        db::OrderQuery arrived;
        arrived.checkIn = db::CheckInState::Partial;
        QCOMPARE(repo.count(arrived).value(), 1);
        arrived.checkIn = db::CheckInState::NotArrived;
        QCOMPARE(repo.count(arrived).value(), 199); // 50 refunded orders have no live tickets

        db::OrderQuery sorted;
        sorted.sort = db::OrderSort::Total;
        sorted.order = Qt::AscendingOrder;
        sorted.limit = 100;
        QList<QString> seen;
        for (int page = 0; page < 3; ++page) {
            sorted.offset = page * 100;
            auto rows = repo.list(sorted);
            QVERIFY_OK(rows);
            for (const auto &r : rows.value())
                seen << r.order.orderId;
        }
        QCOMPARE(seen.size(), 250);
        QCOMPARE(seen.first(), QStringLiteral("o0000"));
        QCOMPARE(seen.last(), QStringLiteral("o0249"));
        QCOMPARE(QSet<QString>(seen.cbegin(), seen.cend()).size(), 250);

        db::OrderQuery byLive;
        byLive.sort = db::OrderSort::Live;
        byLive.limit = 1;
        QCOMPARE(repo.list(byLive).value().first().tickets.live, 3);

        QCOMPARE(repo.events().value().size(), 2);
        QCOMPARE(repo.paymentStatuses().value(), (QStringList { QStringLiteral("paid"), QStringLiteral("refunded") }));
        QCOMPARE(repo.ghlUpdatedAt().value().size(), 250);
    }

    void searchTextIsNeverSql_data()
    {
        QTest::addColumn<QString>("search");
        QTest::newRow("drop") << "'; DROP TABLE ghl_qr_orders; --";
        QTest::newRow("or true") << "x' OR '1'='1";
        QTest::newRow("percent") << "%";
        QTest::newRow("underscore") << "_";
        QTest::newRow("backslash") << "\\";
        QTest::newRow("quote") << "\"";
        QTest::newRow("semicolon") << ";";
    }
    void searchTextIsNeverSql()
    {
        QFETCH(QString, search);
        db::OrderRepository repo(database());
        QVERIFY_OK(repo.upsert({ makeOrder(QStringLiteral("plain1"), {}), makeOrder(QStringLiteral("plain2"), {}) }));
        db::OrderQuery q;
        q.search = search;
        auto rows = repo.list(q);
        QVERIFY_OK(rows);
        QCOMPARE(rows->size(), 0);
        QCOMPARE(repo.count({}).value(), 2);
    }

    void hundredThousandOrders()
    {
        db::OrderRepository repo(database());
        QList<core::Order> orders;
        orders.reserve(100000);
        for (int i = 0; i < 100000; ++i) {
            core::Order o = makeOrder(QStringLiteral("h%1").arg(i, 6, 10, QLatin1Char('0')), {},
                                      QStringLiteral("ev%1").arg(i % 7));
            o.contactLastName = QStringLiteral("Name%1").arg(i);
            orders << o;
        }
        QVERIFY_OK(repo.upsert(orders));
        QCOMPARE(repo.count({}).value(), 100000);
        db::OrderQuery q;
        q.search = QStringLiteral("name99999");
        QCOMPARE(repo.list(q).value().size(), 1);
        q = {};
        q.sort = db::OrderSort::Contact;
        q.order = Qt::AscendingOrder;
        q.offset = 99990;
        q.limit = 200;
        QCOMPARE(repo.list(q).value().size(), 10);
        q = {};
        q.eventId = QStringLiteral("ev3");
        QCOMPARE(repo.count(q).value(), 14286);
    }

    // --- Tickets ------------------------------------------------------------------------------

    void reconcileGrowShrinkNeverTouchesUsed()
    {
        db::OrderRepository orders(database());
        db::TicketRepository repo(database());
        core::Order o = makeOrder(QStringLiteral("r1"), { { QStringLiteral("VIP"), 2 }, { QStringLiteral("GA"), 3 } });
        QVERIFY_OK(orders.upsert({ o }));
        auto r = repo.reconcile(o, QStringLiteral("st"));
        QVERIFY_OK(r);
        QCOMPARE(r->added, 5);
        auto t = repo.forOrder(QStringLiteral("r1")).value();
        QCOMPARE(t.size(), 5);
        QCOMPARE(QSet<QString>({ t[0].code, t[1].code, t[2].code, t[3].code, t[4].code }).size(), 5);

        // Same quantities again: nothing changes.
        QVERIFY(!repo.reconcile(o, QStringLiteral("st")).value().changed());

        // Growth adds.
        o.items[1].qty = 5;
        r = repo.reconcile(o, QStringLiteral("st"));
        QCOMPARE(r->added, 2);

        // Admit two GA, then GHL shrinks GA to 1: newest live ones are cancelled, used ones stay.
        QList<core::Ticket> ga;
        for (const auto &x : repo.forOrder(QStringLiteral("r1")).value())
            if (x.ticketType == u"GA")
                ga << x;
        QCOMPARE(ga.size(), 5);
        QVERIFY(repo.admit(ga[0].ticketId, QStringLiteral("door")).value().admitted());
        QVERIFY(repo.admit(ga[1].ticketId, QStringLiteral("door")).value().admitted());
        o.items[1].qty = 1;
        r = repo.reconcile(o, QStringLiteral("st"));
        QVERIFY_OK(r);
        QCOMPARE(r->cancelled, 3);
        QCOMPARE(r->conflicts.size(), 1); // two used, GHL says one
        t = repo.forOrder(QStringLiteral("r1")).value();
        QCOMPARE(countStatus(t, TicketStatus::Used), 2);
        for (const auto &x : t)
            if (x.ticketType == u"GA" && x.status == TicketStatus::Cancelled)
                QVERIFY(x.ticketId > ga[1].ticketId);

        // GHL grows GA back to 3: the sync-cancelled tickets come back rather than new ones.
        o.items[1].qty = 3;
        r = repo.reconcile(o, QStringLiteral("st"));
        QCOMPARE(r->restored, 1);
        QCOMPARE(r->added, 0);

        // Staff cancel a VIP with a reason: a sync does not bring it back or replace it.
        const qint64 vip = t[0].ticketId;
        QVERIFY_OK(repo.setStatus(vip, TicketStatus::Cancelled, QStringLiteral("refunded one at the box office"),
                                  QStringLiteral("door")));
        r = repo.reconcile(o, QStringLiteral("st"));
        QVERIFY(!r->changed());

        // Order refunded in GHL: every live ticket cancelled, used ones left with a conflict.
        o.orderStatus = QStringLiteral("refunded");
        r = repo.reconcile(o, QStringLiteral("st"));
        QVERIFY_OK(r);
        t = repo.forOrder(QStringLiteral("r1")).value();
        QCOMPARE(countStatus(t, TicketStatus::Live), 0);
        QCOMPARE(countStatus(t, TicketStatus::Used), 2);
        QVERIFY(!r->conflicts.isEmpty());

        // Everything was audited.
        const int events = m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE order_id = 'r1'")).value().toInt();
        QCOMPARE(events, 7 + 2 + 3 + 1 + 1 + countStatus(t, TicketStatus::Cancelled) - 3 - 1 + 1);
        auto history = repo.history(QStringLiteral("r1"));
        QVERIFY_OK(history);
        QCOMPARE(history->size(), events);
        QVERIFY(std::any_of(history->cbegin(), history->cend(), [](const core::TicketEvent &e) {
            return e.reason == u"refunded one at the box office" && e.actor == u"door";
        }));
        // Counts kept by the database agree with the tickets.
        auto row = orders.get(QStringLiteral("r1")).value().value();
        QCOMPARE(row.tickets.used, countStatus(t, TicketStatus::Used));
        QCOMPARE(row.tickets.cancelled, countStatus(t, TicketStatus::Cancelled));
        QCOMPARE(row.tickets.live, 0);
    }

    void transitionsNeedReasonsAndInvalidOnesAreRefused()
    {
        db::OrderRepository orders(database());
        db::TicketRepository repo(database());
        core::Order o = makeOrder(QStringLiteral("s1"), { { QStringLiteral("GA"), 3 } });
        QVERIFY_OK(orders.upsert({ o }));
        QVERIFY_OK(repo.reconcile(o, {}));
        const auto t = repo.forOrder(QStringLiteral("s1")).value();
        auto noReason = repo.setStatus(t[0].ticketId, TicketStatus::Cancelled, QString(), QStringLiteral("a"));
        QVERIFY(!noReason);
        QVERIFY2(noReason.error().message.contains(QStringLiteral("reason")), qPrintable(noReason.error().message));
        QCOMPARE(core::toString(repo.byId(t[0].ticketId).value()->status), core::toString(TicketStatus::Live));

        QVERIFY_OK(repo.setStatus(t[0].ticketId, TicketStatus::Cancelled, QStringLiteral("fraud"), QStringLiteral("a")));
        auto bad = repo.setStatus(t[0].ticketId, TicketStatus::Used, QStringLiteral("x"), QStringLiteral("a"));
        QVERIFY(!bad);
        QCOMPARE(bad.error().code, QStringLiteral("ticket.transition"));
        auto same = repo.setStatus(t[0].ticketId, TicketStatus::Cancelled, QStringLiteral("x"), QStringLiteral("a"));
        QVERIFY(!same);
        QVERIFY(!repo.setStatus(999999, TicketStatus::Used, {}, QStringLiteral("a")));

        // Admission needs no reason; undo does.
        QVERIFY_OK(repo.setStatus(t[1].ticketId, TicketStatus::Used, {}, QStringLiteral("a")));
        QVERIFY(!repo.setStatus(t[1].ticketId, TicketStatus::Live, {}, QStringLiteral("a")));
        QVERIFY_OK(repo.setStatus(t[1].ticketId, TicketStatus::Live, QStringLiteral("scanned by mistake"), QStringLiteral("a")));

        // Bulk: cancelled ones cannot be admitted, the rest are.
        auto bulk = repo.setStatusForOrder(QStringLiteral("s1"), TicketStatus::Used, {}, QStringLiteral("b"));
        QVERIFY_OK(bulk);
        QCOMPARE(bulk->changed, 2);
        QCOMPARE(bulk->problems.size(), 1);
        auto bulkIds = repo.setStatus(QList<qint64> { t[1].ticketId, t[2].ticketId, 424242 }, TicketStatus::Cancelled,
                                      QStringLiteral("group refunded"), QStringLiteral("b"));
        QVERIFY_OK(bulkIds);
        QCOMPARE(bulkIds->changed, 2);
        QCOMPARE(bulkIds->problems.size(), 1);
    }

    void admissionOutcomes()
    {
        db::OrderRepository orders(database());
        db::TicketRepository repo(database());
        core::Order o = makeOrder(QStringLiteral("ad1"), { { QStringLiteral("GA"), 2 } });
        QVERIFY_OK(orders.upsert({ o }));
        QVERIFY_OK(repo.reconcile(o, {}));
        auto first = repo.admitNext(QStringLiteral("ad1"), QStringLiteral("door-1"));
        QVERIFY_OK(first);
        QCOMPARE(first->outcome, Outcome::Admitted);
        QCOMPARE(first->admittedInOrder, 1);
        QCOMPARE(first->totalInOrder, 2);
        auto again = repo.admit(first->ticket.ticketId, QStringLiteral("door-2"));
        QCOMPARE(again->outcome, Outcome::AlreadyUsed);
        QCOMPARE(again->usedBy, QStringLiteral("door-1"));
        QVERIFY(again->usedAt.isValid());
        auto second = repo.admitByCode(repo.forOrder(QStringLiteral("ad1")).value()[1].code.toUpper(), QStringLiteral("door-2"));
        QCOMPARE(second->outcome, Outcome::Admitted);
        QCOMPARE(second->admittedInOrder, 2);
        auto none = repo.admitNext(QStringLiteral("ad1"), QStringLiteral("door-1"));
        QCOMPARE(none->outcome, Outcome::NoLiveTickets);
        QVERIFY(!none->usedBy.isEmpty());
        QCOMPARE(repo.admitNext(QStringLiteral("missing"), QStringLiteral("d")).value().outcome, Outcome::NotFound);
        QCOMPARE(repo.admitByCode(QStringLiteral("0000"), QStringLiteral("d")).value().outcome, Outcome::NotFound);
        QVERIFY_OK(repo.setStatus(first->ticket.ticketId, TicketStatus::Cancelled, QStringLiteral("x"), QStringLiteral("d")));
        QCOMPARE(repo.admit(first->ticket.ticketId, QStringLiteral("d")).value().outcome, Outcome::Cancelled);
    }

    void twoStationsRaceForTheSameTickets()
    {
        db::OrderRepository orders(database());
        db::TicketRepository repo(database());
        QList<core::Order> batch;
        for (int i = 0; i < 50; ++i)
            batch << makeOrder(QStringLiteral("race%1").arg(i), { { QStringLiteral("GA"), 10 } });
        QVERIFY_OK(orders.upsert(batch));
        for (const auto &o : std::as_const(batch))
            QVERIFY_OK(repo.reconcile(o, {}));
        QList<qint64> ids;
        for (const auto &o : std::as_const(batch))
            for (const auto &t : repo.forOrder(o.orderId).value())
                ids << t.ticketId;
        QCOMPARE(ids.size(), 500);

        std::atomic<int> wins[2] = { 0, 0 };
        std::atomic<int> toldWhoWon[2] = { 0, 0 };
        std::atomic<int> errors { 0 };
        QStringList errorText;
        QMutex errorLock;
        auto station = [&](int n) {
            const QString me = QStringLiteral("station-%1").arg(n);
            const QString other = QStringLiteral("station-%1").arg(1 - n);
            db::TicketRepository mine(database()); // this thread's own connection
            for (qint64 id : std::as_const(ids)) {
                auto r = mine.admit(id, me);
                if (!r) {
                    ++errors;
                    QMutexLocker lock(&errorLock);
                    errorText << r.error().toString();
                    continue;
                }
                if (r->outcome == Outcome::Admitted)
                    ++wins[n];
                else if (r->outcome == Outcome::AlreadyUsed && r->usedBy == other && r->usedAt.isValid())
                    ++toldWhoWon[n];
            }
        };
        QThread *a = QThread::create(station, 0);
        QThread *b = QThread::create(station, 1);
        a->start();
        b->start();
        QVERIFY(a->wait(300000));
        QVERIFY(b->wait(300000));
        delete a;
        delete b;
        QVERIFY2(errors == 0, qPrintable(errorText.join(u'\n')));
        QCOMPARE(wins[0] + wins[1], 500);
        QCOMPARE(toldWhoWon[0].load(), wins[1].load());
        QCOMPARE(toldWhoWon[1].load(), wins[0].load());
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE to_status = 'used'")).value().toInt(), 500);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets WHERE status = 'used'")).value().toInt(), 500);
        qInfo("station-0 admitted %d, station-1 admitted %d", wins[0].load(), wins[1].load());
    }

    void overviewPerEventAndType()
    {
        db::OrderRepository orders(database());
        db::TicketRepository repo(database());
        core::Order a = makeOrder(QStringLiteral("ov1"), { { QStringLiteral("VIP"), 2 }, { QStringLiteral("GA"), 1 } });
        core::Order b = makeOrder(QStringLiteral("ov2"), { { QStringLiteral("GA"), 4 } });
        QVERIFY_OK(orders.upsert({ a, b }));
        QVERIFY_OK(repo.reconcile(a, {}));
        QVERIFY_OK(repo.reconcile(b, {}));
        QVERIFY(repo.admitNext(QStringLiteral("ov2"), QStringLiteral("d")).value().admitted());
        QVERIFY_OK(repo.setStatusForOrder(QStringLiteral("ov1"), TicketStatus::Cancelled, QStringLiteral("refund"), QStringLiteral("d")));
        auto rows = repo.overview();
        QVERIFY_OK(rows);
        QCOMPARE(rows->size(), 2);
        const db::OverviewRow ga = rows->at(0).ticketType == u"GA" ? rows->at(0) : rows->at(1);
        QCOMPARE(ga.sold, 4);
        QCOMPARE(ga.admitted, 1);
        QCOMPARE(ga.remaining, 3);
        QCOMPARE(ga.cancelled, 1);

        // One order for two events: each group carries its own event's name, also the event
        // that is first in no order (the order's event_name is its first product's).
        core::Order both = makeOrder(QStringLiteral("ov3"), { { QStringLiteral("GA"), 1 } });
        both.items.append({ QStringLiteral("ev2"), QStringLiteral("Matinee"), {}, {}, QStringLiteral("Seat"), 2, 5.0,
                            QStringLiteral("EUR"), -1 });
        QVERIFY_OK(orders.upsert({ both }));
        QVERIFY_OK(repo.reconcile(both, {}));
        auto mixed = repo.overview();
        QVERIFY_OK(mixed);
        QStringList seen;
        for (const db::OverviewRow &r : mixed.value())
            seen << r.eventId + u'/' + r.eventName + u'/' + r.ticketType + u'=' + QString::number(r.sold);
        QCOMPARE(seen, (QStringList { u"ev1/Gala ev1/GA=5"_qs, u"ev1/Gala ev1/VIP=0"_qs, u"ev2/Matinee/Seat=2"_qs }));
    }

    void malformedOrderWritesNothing()
    {
        db::OrderRepository orders(database());
        const QByteArray broken = R"({"_id":"x1","items":[{"qty":"two"}]})";
        auto parsed = ghl::parseOrder(broken);
        QVERIFY(!parsed);
        QVERIFY(parsed.error().message.contains(QStringLiteral("x1")));
        QCOMPARE(orders.count({}).value(), 0);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets")).value().toInt(), 0);
    }

    void writerSavesOrdersWithTicketsAtomically()
    {
        db::OrderWriter writer(database());
        auto saved = writer.save({ makeOrder(QStringLiteral("w1"), { { QStringLiteral("GA"), 2 } }),
                                   makeOrder(QStringLiteral("w2"), { { QStringLiteral("VIP"), 1 } }) },
                                  QStringLiteral("st"));
        QVERIFY_OK(saved);
        QCOMPARE(saved->size(), 2);
        QCOMPARE(saved->at(0).added, 2);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets")).value().toInt(), 3);
        // Saving the same again is a no-op for tickets; a bad order in the batch rolls all back.
        auto again = writer.save({ makeOrder(QStringLiteral("w1"), { { QStringLiteral("GA"), 5 } }), makeOrder(QString(), {}) },
                                 QStringLiteral("st"));
        QVERIFY(!again);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets")).value().toInt(), 3);
    }

    void fieldMappingsAndUsers()
    {
        db::FieldMappingRepository fields(database());
        QVERIFY_OK(fields.upsert(QStringLiteral("p1"), QStringLiteral("f1"), QStringLiteral("QR ticket")));
        QVERIFY_OK(fields.upsert(QStringLiteral("p1"), QStringLiteral("f2"), QStringLiteral("QR ticket 2")));
        QVERIFY(!fields.upsert(QString(), QStringLiteral("f"), {}));
        QCOMPARE(fields.list().value().size(), 1);
        QCOMPARE(fields.forProduct(QStringLiteral("p1")).value()->fieldId, QStringLiteral("f2"));
        QVERIFY(!fields.forProduct(QStringLiteral("p2")).value().has_value());
        QVERIFY(fields.remove(QStringLiteral("p1")).value());
        QVERIFY(!fields.remove(QStringLiteral("p1")).value());

        db::UserRepository users(database());
        auto u = users.upsert({ {}, QStringLiteral("Ann"), QStringLiteral("Ann@Example.com"), QStringLiteral("Admin"), {} });
        QVERIFY_OK(u);
        QVERIFY(!u->id.isEmpty());
        QVERIFY_OK(users.upsert({ {}, QStringLiteral("Ann B"), QStringLiteral("ann@example.com"), QStringLiteral("Super Admin"), {} }));
        QCOMPARE(users.list().value().size(), 1);
        QCOMPARE(users.list().value().first().type, QStringLiteral("Super Admin"));
        QVERIFY(!users.upsert({ {}, QStringLiteral("X"), QStringLiteral("x@example.com"), QStringLiteral("Root"), {} }));
        QVERIFY(users.remove(u->id).value());
    }

    void fieldMappingsApplyAllOrNothing()
    {
        db::FieldMappingRepository fields(database());
        QVERIFY_OK(fields.upsert(QStringLiteral("p1"), QStringLiteral("f1"), QStringLiteral("QR ticket")));
        QVERIFY_OK(fields.apply({ { QStringLiteral("p1"), QString(), QString() },
                                  { QStringLiteral("p2"), QStringLiteral("f2"), QStringLiteral("QR 2") },
                                  { QStringLiteral("p3"), QStringLiteral("f3"), QStringLiteral("QR 3") } }));
        QVERIFY2(!fields.forProduct(QStringLiteral("p1")).value().has_value(), "an empty field id removes the mapping");
        QCOMPARE(fields.list().value().size(), 2);

        // A change that cannot be saved leaves every mapping as it was.
        auto r = fields.apply({ { QStringLiteral("p2"), QString(), QString() },
                                { QStringLiteral("p4"), QStringLiteral("f4"), {} },
                                { QString(), QStringLiteral("f5"), {} } });
        QVERIFY2(!r, "a mapping without a product must be refused");
        QCOMPARE(fields.forProduct(QStringLiteral("p2")).value()->fieldId, QStringLiteral("f2"));
        QVERIFY2(!fields.forProduct(QStringLiteral("p4")).value().has_value(), "nothing of a refused batch is kept");
        QCOMPARE(fields.list().value().size(), 2);
    }

    // --- Database::inTransaction and named columns ------------------------------------------

    void inTransactionCommitsOrRollsBack_data()
    {
        QTest::addColumn<int>("ending"); // 0: fn succeeds, 1: fn returns an error, 2: fn throws
        QTest::addColumn<bool>("kept");
        QTest::addRow("success commits") << 0 << true;
        QTest::addRow("an error rolls back") << 1 << false;
        QTest::addRow("an exception rolls back") << 2 << false;
    }

    void inTransactionCommitsOrRollsBack()
    {
        QFETCH(int, ending);
        QFETCH(bool, kept);
        db::FieldMappingRepository fields(database());
        const auto write = [&]() -> core::Result<void> {
            if (auto r = fields.upsert(QStringLiteral("p1"), QStringLiteral("f1"), QStringLiteral("QR")); !r)
                return r;
            if (ending == 1)
                return core::makeError(QStringLiteral("test.refused"), QStringLiteral("refused on purpose"));
            if (ending == 2)
                throw std::runtime_error("thrown on purpose");
            return {};
        };
        try {
            const auto r = database().inTransaction(write);
            QCOMPARE(r.ok(), ending == 0);
            if (!r.ok())
                QCOMPARE(r.error().code, QStringLiteral("test.refused"));
        } catch (const std::runtime_error &) {
            QCOMPARE(ending, 2);
        }
        QCOMPARE(fields.forProduct(QStringLiteral("p1")).value().has_value(), kept);
        // The connection is usable afterwards: no transaction was left open.
        QVERIFY_OK(database().inTransaction([&] { return fields.remove(QStringLiteral("p2")); }));
    }

    void queryReadsColumnsByNameAndSaysWhatFailed()
    {
        auto q = database().prepare(QStringLiteral("SELECT 2 AS two, 1 AS one"), QStringLiteral("read two numbers"));
        QVERIFY_OK(q);
        QVERIFY_OK(q->execFirst());
        QCOMPARE(q->value(QStringLiteral("one")).toInt(), 1);
        QCOMPARE(q->value(QStringLiteral("two")).toInt(), 2);

        auto bad = database().prepare(QStringLiteral("SELECT nothing FROM no_such_table"), QStringLiteral("read a table"));
        const core::Error error = bad ? bad->exec().error() : bad.error();
        QCOMPARE(error.message, QStringLiteral("The database could not read a table."));
    }
};

QTEST_GUILESS_MAIN(TestDb)
#include "tst_db.moc"
