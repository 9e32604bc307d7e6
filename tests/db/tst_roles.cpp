// Operators and door roles, enforced by PostgreSQL (issue 13 points 1, 2, 6 and ticket_events.operator):
// what a door login may not do fails with SQLSTATE 42501 (or the right error, never an empty
// result), admission through the door function has one winner per ticket under 8 racing logins,
// `roles install` twice changes nothing, the operator round trip, and no password in any log.
#include "db/database.h"
#include "db/doorfunctions.h"
#include "db/migrator.h"
#include "db/orderwriter.h"
#include "db/roles.h"
#include "db/ticketrepository.h"
#include "db/userrepository.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <QUuid>

#include <algorithm>
#include <atomic>
#include <memory>

using namespace qrt;

namespace {
core::Order order(const QString &id, int tickets, const QString &payment = QStringLiteral("paid"))
{
    core::Order o;
    o.orderId = id;
    o.contactFirstName = QStringLiteral("Guest");
    o.contactLastName = id;
    o.contactEmail = id + QStringLiteral("@example.org");
    o.contactPhone = QStringLiteral("+4912345");
    o.paymentStatus = payment;
    o.eventId = QStringLiteral("jazz");
    o.eventName = QStringLiteral("Jazz night");
    o.totalPaid = 20.0 * tickets;
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.items.append({ o.eventId, o.eventName, {}, {}, QStringLiteral("GA"), tickets, 20.0, QStringLiteral("EUR"), -1 });
    o.ticketQuantities[QStringLiteral("GA")] = tickets;
    return o;
}

// Captures every log message while alive (to prove a password never reaches one).
QStringList *g_captured = nullptr;
void capture(QtMsgType, const QMessageLogContext &, const QString &message)
{
    if (g_captured)
        g_captured->append(message);
}

// Runs `sql` on `connection`; the SQLSTATE it failed with, or "ok".
QString stateOf(QSqlDatabase connection, const QString &sql, QString *text = nullptr)
{
    QSqlQuery q(connection);
    if (q.exec(sql))
        return QStringLiteral("ok");
    if (text)
        *text = q.lastError().databaseText().section(u'\n', 0, 0);
    return q.lastError().nativeErrorCode();
}
} // namespace

class TestRoles : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QStringList m_logins; // made by this test case: removed in cleanup()
    QString m_suffix;

    // A door (or admin) login of this test database, and its own Database.
    db::NewOperator add(const QString &name, const QString &role, const QString &email = {})
    {
        auto made = db::Roles(m_t->db()).addOperator(name + m_suffix, role, email);
        if (!made)
            qFatal("operator add %s failed: %s", qPrintable(name), qPrintable(made.error().toString()));
        m_logins << made->who.name;
        return made.value();
    }
    static std::shared_ptr<db::Database> open(const QString &url)
    {
        auto db = db::Database::open(url);
        return db ? db.value() : nullptr;
    }
    QList<qint64> ticketIds(const QString &orderId)
    {
        QList<qint64> ids;
        for (const core::Ticket &t : db::TicketRepository(m_t->db()).forOrder(orderId).value())
            ids << t.ticketId;
        return ids;
    }
    QString codeOf(qint64 ticketId)
    {
        return m_t->scalar(QStringLiteral("SELECT code FROM ghl_qr_tickets WHERE ticket_id = %1").arg(ticketId))->toString();
    }
    // Everything roles install may touch, as text: groups, memberships, grants, views, functions.
    QString catalogSnapshot()
    {
        auto q = m_t->db().prepare(
            QStringLiteral(
                "SELECT string_agg(x, E'\\n' ORDER BY x) AS snap FROM ("
                " SELECT 'role ' || rolname || rolsuper || rolinherit || rolcreaterole || rolcanlogin AS x FROM pg_roles"
                "  WHERE rolname LIKE 'qrtickets%'"
                " UNION ALL SELECT 'member ' || m.roleid::regrole || ' ' || m.member::regrole || m.admin_option FROM pg_auth_members m"
                "  WHERE m.roleid::regrole::text LIKE 'qrtickets%'"
                " UNION ALL SELECT 'rel ' || c.oid || ' ' || c.relname || ' ' || c.relkind::text || coalesce(c.relacl::text, '-') FROM pg_class c"
                "  WHERE c.relnamespace = 'public'::regnamespace"
                " UNION ALL SELECT 'view ' || c.relname || pg_get_viewdef(c.oid) FROM pg_class c"
                "  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'v'"
                " UNION ALL SELECT 'fn ' || p.oid || ' ' || p.oid::regprocedure || prosecdef || coalesce(proconfig::text, '-')"
                "  || coalesce(proacl::text, '-') || md5(prosrc) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
                " UNION ALL SELECT 'schema ' || nspname || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname = 'public'"
                " UNION ALL SELECT 'default ' || defaclobjtype::text || defaclacl::text FROM pg_default_acl) s"),
            QStringLiteral("snapshot the catalog"));
        if (!q || !q->execFirst())
            return QStringLiteral("(snapshot failed)");
        return q->value(QStringLiteral("snap")).toString();
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(m_dialect == db::Dialect::PostgreSQL, "roles are a PostgreSQL feature: run with QRT_TEST_BACKEND=postgresql");
    }

    void init()
    {
        // Roles belong to the server, not the test database: names unique per run.
        m_suffix = QStringLiteral("_") + QUuid::createUuid().toString(QUuid::Id128).left(6);
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        QVERIFY_OK(db::Roles(m_t->db()).install());
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(QStringLiteral("o1"), 3), order(QStringLiteral("o2"), 1) },
                                                   QStringLiteral("t")));
    }

    void cleanup()
    {
        m_t.reset(); // drops the database, ending the logins' sessions
        if (m_logins.isEmpty())
            return;
        auto admin = open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        for (const QString &name : std::as_const(m_logins))
            QSqlQuery(admin->connection().value()).exec(QStringLiteral("DROP ROLE IF EXISTS ") + db::Roles::quoteIdentifier(name));
        m_logins.clear();
    }

    void sqliteRefuses()
    {
        QTemporaryDir dir;
        auto lite = open(QStringLiteral("sqlite://") + dir.filePath(QStringLiteral("one.db")));
        QVERIFY(lite);
        db::Roles roles(*lite);
        for (const core::Error &e : { roles.install().error(), roles.operators().error(),
                                      roles.addOperator(QStringLiteral("door1"), QStringLiteral("door"), {}).error() }) {
            QCOMPARE(e.code, QStringLiteral("roles.sqlite"));
            QVERIFY2(e.message.contains(QStringLiteral("need PostgreSQL")), qPrintable(e.message));
        }
    }

    // Every forbidden action of a door login, with the error it gets (the list in issue 13's note).
    void doorForbidden()
    {
        const db::NewOperator door = add(QStringLiteral("door_a"), QStringLiteral("door"));
        auto d = open(door.databaseUrl);
        QVERIFY(d);
        auto c = d->connection();
        QVERIFY_OK(c);
        const qint64 ticket = ticketIds(QStringLiteral("o1")).first();
        struct Case
        {
            const char *what;
            QString sql;
            const char *state;
        };
        const QList<Case> cases = {
            { "UPDATE a ticket", QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used'"), "42501" },
            { "SELECT contact_email", QStringLiteral("SELECT contact_email FROM ghl_qr_orders"), "42501" },
            { "SELECT phone and total", QStringLiteral("SELECT contact_phone, total_paid FROM ghl_qr_orders"), "42501" },
            { "SELECT the tickets table", QStringLiteral("SELECT count(*) FROM ghl_qr_tickets"), "42501" },
            { "e-mail through the door view", QStringLiteral("SELECT contact_email FROM qrt_door_tickets"), "42703" },
            { "DELETE tickets", QStringLiteral("DELETE FROM ghl_qr_tickets"), "42501" },
            { "DELETE the audit trail", QStringLiteral("DELETE FROM ticket_events"), "42501" },
            { "forge an audit row", QStringLiteral("INSERT INTO ticket_events (ticket_id, order_id, to_status) VALUES (1, 'o1', 'used')"), "42501" },
            { "TRUNCATE", QStringLiteral("TRUNCATE ghl_qr_tickets"), "42501" },
            { "UPDATE through the door view", QStringLiteral("UPDATE qrt_door_tickets SET status = 'used'"), "55000" },
            { "admin function qrt_grant_roles()", QStringLiteral("SELECT qrt_grant_roles()"), "42501" },
            { "internal admit without checks", QStringLiteral("SELECT * FROM qrt_door_admit_id(%1, 'x', NULL)").arg(ticket), "42501" },
            { "read the users", QStringLiteral("SELECT email FROM ghl_qr_users"), "42501" },
            { "read the webhook inbox", QStringLiteral("SELECT body FROM webhook_inbox"), "42501" },
            { "create a table", QStringLiteral("CREATE TABLE door_own (a int)"), "42501" },
            { "grant itself admin", QStringLiteral("GRANT qrtickets_admin TO ") + door.who.name, "42501" },
        };
        for (const Case &k : cases) {
            QString text;
            const QString state = stateOf(c.value(), k.sql, &text);
            qInfo("door login: %-34s -> SQLSTATE %s %s", k.what, qPrintable(state), qPrintable(text));
            // A function refused at the call, not half-way through its body.
            const bool function = k.sql.contains(QStringLiteral("qrt_"));
            QVERIFY2(state == QLatin1String(k.state) && (!function || state != u"42501" || text.contains(QStringLiteral("for function"))),
                     qPrintable(QStringLiteral("%1 as a door login gave %2 (%3), expected SQLSTATE %4 (a function refused at the call: \"permission denied for function\")")
                                    .arg(QLatin1String(k.what), state, text, QLatin1String(k.state))));
        }
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets WHERE status = 'live'"))->toInt(), 4);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE to_status = 'used'"))->toInt(), 0);
        // What it may do: read the door view and the cache, admit.
        QCOMPARE(stateOf(c.value(), QStringLiteral("SELECT contact_lastname, payment_status FROM qrt_door_tickets")), QStringLiteral("ok"));
        QCOMPARE(stateOf(c.value(), QStringLiteral("SELECT * FROM qrt_door_cache(NULL)")), QStringLiteral("ok"));
        QCOMPARE(stateOf(c.value(), QStringLiteral("SELECT max(version) FROM schema_migrations")), QStringLiteral("ok"));
    }

    // Parameters are values, never SQL: injected text admits nothing and answers "not_found".
    void injectionThroughParameters()
    {
        const db::NewOperator door = add(QStringLiteral("door_i"), QStringLiteral("door"));
        auto d = open(door.databaseUrl);
        auto c = d->connection();
        QVERIFY_OK(c);
        const QString code = codeOf(ticketIds(QStringLiteral("o1")).first());
        const QStringList evil = { code + QStringLiteral("' OR '1'='1"), QStringLiteral("' OR 1=1 --"),
                                   QStringLiteral("x'); UPDATE ghl_qr_tickets SET status = 'used'; --"),
                                   QStringLiteral("%"), code + QStringLiteral(";") };
        for (const QString &value : evil) {
            QSqlQuery q(c.value());
            q.prepare(QStringLiteral("SELECT outcome FROM qrt_door_admit_code(?, ?, ?, true)"));
            q.addBindValue(value);
            q.addBindValue(QStringLiteral("x'); DELETE FROM ticket_events; --"));
            q.addBindValue(QStringLiteral("{\"jazz' OR 1=1 --\"}"));
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            QVERIFY2(q.next(), "the door function answered nothing");
            QCOMPARE(q.value(0).toString(), QStringLiteral("not_found"));
            QSqlQuery o(c.value());
            o.prepare(QStringLiteral("SELECT outcome FROM qrt_door_admit_order(?, 'x', NULL, true)"));
            o.addBindValue(QStringLiteral("o1' OR '1'='1"));
            QVERIFY2(o.exec() && o.next(), qPrintable(o.lastError().text()));
            QCOMPARE(o.value(0).toString(), QStringLiteral("not_found"));
        }
        // An injected station name is stored as text, not run.
        QSqlQuery q(c.value());
        q.prepare(QStringLiteral("SELECT outcome FROM qrt_door_admit_code(?, ?)"));
        q.addBindValue(code);
        q.addBindValue(QStringLiteral("x'); DELETE FROM ticket_events; --"));
        QVERIFY2(q.exec() && q.next(), qPrintable(q.lastError().text()));
        QCOMPARE(q.value(0).toString(), QStringLiteral("admitted"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets WHERE status = 'used'"))->toInt(), 1);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT actor FROM ticket_events WHERE to_status = 'used'"))->toString(),
                 QStringLiteral("x'); DELETE FROM ticket_events; --"));
        // Operator names are checked, never quoted through.
        for (const QString &bad : { QStringLiteral("bob\"; DROP ROLE postgres; --"), QStringLiteral("Robert"),
                                    QStringLiteral("pg_door"), QStringLiteral("a b"), QString(), QStringLiteral("qrtickets_admin"),
                                    QStringLiteral("1door"), QString(64, u'a') }) {
            auto made = db::Roles(m_t->db()).addOperator(bad, QStringLiteral("door"), {});
            QVERIFY2(!made, qPrintable(bad));
            QCOMPARE(made.error().code, QStringLiteral("roles.bad_name"));
        }
        auto mail = db::Roles(m_t->db()).addOperator(QStringLiteral("door_m") + m_suffix, QStringLiteral("door"),
                                                     QStringLiteral("x@y'); DROP TABLE ghl_qr_users; --"));
        QVERIFY(!mail);
        QCOMPARE(mail.error().code, QStringLiteral("roles.bad_email"));
    }

    // Admit, already used, undo own admission within the limit; nobody else's, nothing older.
    void admitAndUndo()
    {
        const db::NewOperator a = add(QStringLiteral("door_u"), QStringLiteral("door"));
        const db::NewOperator b = add(QStringLiteral("door_v"), QStringLiteral("door"));
        auto da = open(a.databaseUrl), dbb = open(b.databaseUrl);
        auto ca = da->connection();
        auto cb = dbb->connection();
        QVERIFY_OK(ca);
        QVERIFY_OK(cb);
        const QList<qint64> ids = ticketIds(QStringLiteral("o1"));
        const auto admit = [](QSqlDatabase c, const QString &code) {
            QSqlQuery q(c);
            q.prepare(QStringLiteral("SELECT outcome, used_by, admitted_in_order, total_in_order FROM qrt_door_admit_code(?, 'North')"));
            q.addBindValue(code);
            return q.exec() && q.next() ? q.value(0).toString() + u' ' + q.value(2).toString() + u'/' + q.value(3).toString()
                                        : q.lastError().text();
        };
        QCOMPARE(admit(ca.value(), codeOf(ids[0])), QStringLiteral("admitted 1/3"));
        QCOMPARE(admit(cb.value(), codeOf(ids[0])), QStringLiteral("already_used 1/3"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT operator || ' at ' || actor FROM ticket_events WHERE to_status = 'used'"))->toString(),
                 a.who.name + QStringLiteral(" at North"));
        QString text;
        QCOMPARE(stateOf(cb.value(), QStringLiteral("SELECT qrt_door_undo(%1, 'South')").arg(ids[0]), &text), QStringLiteral("42501"));
        qInfo("door login: undo another operator's admission -> SQLSTATE 42501 %s", qPrintable(text));
        QCOMPARE(stateOf(ca.value(), QStringLiteral("SELECT qrt_door_undo(%1, 'North')").arg(ids[0])), QStringLiteral("ok"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(ids[0]))->toString(),
                 QStringLiteral("live"));
        // An admission older than 10 minutes stays.
        QCOMPARE(admit(ca.value(), codeOf(ids[1])), QStringLiteral("admitted 1/3"));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ticket_events SET at = now() - interval '11 minutes' WHERE ticket_id = %1").arg(ids[1])));
        QCOMPARE(stateOf(ca.value(), QStringLiteral("SELECT qrt_door_undo(%1, 'North')").arg(ids[1]), &text), QStringLiteral("42501"));
        qInfo("door login: undo its own admission after 11 minutes -> SQLSTATE 42501 %s", qPrintable(text));
        // By order: the next live ticket; unpaid refused when the station says so.
        QSqlQuery q(cb.value());
        QVERIFY(q.exec(QStringLiteral("SELECT outcome, ticket_id FROM qrt_door_admit_order('o1', 'South')")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("admitted"));
        QCOMPARE(q.value(1).toLongLong(), ids[0]);
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'unpaid' WHERE order_id = 'o2'")));
        QVERIFY(q.exec(QStringLiteral("SELECT outcome FROM qrt_door_admit_order('o2', 'South', NULL, false)")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("unpaid"));
        QVERIFY(q.exec(QStringLiteral("SELECT outcome FROM qrt_door_admit_order('o2', 'South', ARRAY['rock'])")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("not_found"));
        // The cache: every ticket with names, event, payment and ticket status.
        QVERIFY(q.exec(QStringLiteral("SELECT count(*) FROM qrt_door_cache(ARRAY['JAZZ'])")) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
    }

    // The C++ side a door station uses: its role, and the door functions with bound parameters.
    void roleAndDoorFunctionsFromCpp()
    {
        const db::NewOperator door = add(QStringLiteral("door_c"), QStringLiteral("door"));
        const db::NewOperator admin = add(QStringLiteral("admin_c"), QStringLiteral("admin"));
        auto d = open(door.databaseUrl), a = open(admin.databaseUrl);
        QCOMPARE(db::detectRole(m_t->db()).value(), db::DatabaseRole::Full);
        QCOMPARE(db::detectRole(*a).value(), db::DatabaseRole::Admin);
        QCOMPARE(db::detectRole(*d).value(), db::DatabaseRole::Door);
        QVERIFY_OK(db::Migrator(*a).migrate()); // every station starts so: up to date, nothing to create
        QVERIFY_OK(db::Migrator(*d).migrate());
        db::DoorFunctions fn(*d);
        const qint64 id = ticketIds(QStringLiteral("o1")).first();
        auto other = fn.admitCode(codeOf(id), QStringLiteral("North"), { QStringLiteral("rock"), QStringLiteral("a\"b'}") });
        QVERIFY_OK(other);
        QCOMPARE(other->outcome, QStringLiteral("other_event"));
        auto first = fn.admitCode(codeOf(id), QStringLiteral("North"), { QStringLiteral("JAZZ") });
        QVERIFY_OK(first);
        QCOMPARE(first->outcome, QStringLiteral("admitted"));
        QCOMPARE(first->ticketId, id);
        QCOMPARE(first->lastName, QStringLiteral("o1"));
        QCOMPARE(first->admittedInOrder, 1);
        QCOMPARE(first->totalInOrder, 3);
        auto second = fn.admitCode(codeOf(id), QStringLiteral("South"));
        QCOMPARE(second->outcome, QStringLiteral("already_used"));
        QCOMPARE(second->usedBy, QStringLiteral("North"));
        QVERIFY(second->usedAt.isValid());
        auto cache = fn.cache({ QStringLiteral("jazz") });
        QVERIFY_OK(cache);
        QCOMPARE(cache->size(), 4);
        QCOMPARE(cache->first().eventId, QStringLiteral("jazz"));
        QVERIFY(!cache->first().code.isEmpty());
        QCOMPARE(fn.undo(id, QStringLiteral("North")).value(), true);
        QCOMPARE(fn.undo(id, QStringLiteral("North")).value(), false);
        auto byOrder = fn.admitOrder(QStringLiteral("o2"), QStringLiteral("North"));
        QCOMPARE(byOrder->outcome, QStringLiteral("admitted"));
    }

    // ticket_events.operator (migration 14): the database user for every change, through the
    // program's own admission path (no code names it: the column's DEFAULT session_user does).
    void operatorRecordedByDefault()
    {
        const qint64 id = ticketIds(QStringLiteral("o2")).first();
        QVERIFY_OK(db::TicketRepository(m_t->db()).admit(id, QStringLiteral("Gate 1")));
        const QString owner = m_t->scalar(QStringLiteral("SELECT session_user::text"))->toString();
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT operator FROM ticket_events WHERE ticket_id = %1 AND to_status = 'used'").arg(id))->toString(), owner);
        // An admin login through the same C++ path.
        const db::NewOperator admin = add(QStringLiteral("admin_a"), QStringLiteral("admin"));
        auto adminDb = open(admin.databaseUrl);
        QVERIFY_OK(db::TicketRepository(*adminDb).undoAdmissions({ id }, QStringLiteral("Gate 1"), QStringLiteral("mistake")));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT operator FROM ticket_events WHERE ticket_id = %1 ORDER BY id DESC LIMIT 1").arg(id))
                     ->toString(),
                 admin.who.name);
    }

    void installTwiceChangesNothing()
    {
        const QString before = catalogSnapshot();
        QVERIFY(before.contains(QStringLiteral("qrt_door_admit_code")));
        QVERIFY_OK(db::Roles(m_t->db()).install());
        const QString after = catalogSnapshot();
        if (before != after) {
            const QStringList a = before.split(u'\n'), b = after.split(u'\n');
            for (const QString &line : b)
                if (!a.contains(line))
                    qWarning("new after the second install: %s", qPrintable(line));
        }
        QVERIFY2(before == after, "the second roles install changed the catalog (see the lines above)");
        // And a later migration keeps the grants current: qrt_grant_roles() re-grants what was lost.
        QVERIFY_OK(m_t->exec(QStringLiteral("REVOKE ALL ON ghl_qr_orders FROM qrtickets_admin")));
        QVERIFY_OK(m_t->exec(QStringLiteral("SELECT qrt_grant_roles()")));
        QCOMPARE(catalogSnapshot(), before);
    }

    void operatorRoundTrip()
    {
        db::Roles roles(m_t->db());
        QVERIFY_OK(db::UserRepository(m_t->db()).upsert({ {}, QStringLiteral("Anna"), QStringLiteral("anna@example.org"),
                                                         QStringLiteral("Admin"), {} }));
        const db::NewOperator door = add(QStringLiteral("door_r"), QStringLiteral("door"), QStringLiteral("Anna@Example.org"));
        QVERIFY(door.databaseUrl.startsWith(QStringLiteral("postgresql://") + door.who.name + u':' + door.password + u'@'));
        auto list = roles.operators();
        QVERIFY_OK(list);
        bool found = false;
        for (const db::Operator &o : std::as_const(list.value()))
            if (o.name == door.who.name) {
                found = true;
                QCOMPARE(o.role, QStringLiteral("door"));
                QCOMPARE(o.email, QStringLiteral("anna@example.org"));
            }
        QVERIFY2(found, "operator list does not show the new login");
        // The printed URL logs in, as that user; the server keeps a SCRAM verifier, not the password.
        auto d = open(door.databaseUrl);
        auto c = d->connection();
        QVERIFY_OK(c);
        QSqlQuery who(c.value());
        QVERIFY(who.exec(QStringLiteral("SELECT session_user::text")) && who.next());
        QCOMPARE(who.value(0).toString(), door.who.name);
        const QString stored = m_t->scalar(QStringLiteral("SELECT rolpassword FROM pg_authid WHERE rolname = '%1'").arg(door.who.name))->toString();
        QVERIFY2(stored.startsWith(QStringLiteral("SCRAM-SHA-256$4096:")) && !stored.contains(door.password), qPrintable(stored));
        // A door login may not make logins.
        auto denied = db::Roles(*d).addOperator(QStringLiteral("door_x") + m_suffix, QStringLiteral("door"), {});
        QVERIFY(!denied);
        QCOMPARE(denied.error().code, QStringLiteral("roles.no_createrole"));
        qInfo("door login: operator add -> %s", qPrintable(denied.error().message));
        // Twice the same name; removing what is not an operator.
        QCOMPARE(roles.addOperator(door.who.name, QStringLiteral("admin"), {}).error().code, QStringLiteral("roles.exists"));
        QCOMPARE(roles.removeOperator(QStringLiteral("postgres")).error().code, QStringLiteral("roles.not_operator"));
        // Remove: its open session ends, the login goes, the user row is unlinked.
        auto ended = roles.removeOperator(door.who.name);
        QVERIFY_OK(ended);
        QCOMPARE(ended.value(), 1);
        QVERIFY(!who.exec(QStringLiteral("SELECT 1")));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1'").arg(door.who.name))->toInt(), 0);
        QVERIFY(m_t->scalar(QStringLiteral("SELECT operator FROM ghl_qr_users WHERE email = 'anna@example.org'"))->isNull());
        QCOMPARE(roles.removeOperator(door.who.name).error().code, QStringLiteral("roles.not_operator"));
        QVERIFY(!open(door.databaseUrl)->connection());
    }

    // The owner on Supabase is no superuser: CREATEROLE only. Removing a login with an open session
    // must still end that session (pg_terminate_backend needs the login's privileges).
    void removeAsCreateRoleOwner()
    {
        const QString manager = QStringLiteral("mgr") + m_suffix;
        m_logins << manager;
        QVERIFY_OK(m_t->exec(QStringLiteral("CREATE ROLE %1 LOGIN CREATEROLE PASSWORD 'mgr-secret' IN ROLE qrtickets_admin").arg(manager)));
        const db::NewOperator door = add(QStringLiteral("door_k"), QStringLiteral("door"));
        auto d = open(door.databaseUrl);
        QVERIFY_OK(d->connection());
        QUrl url(m_t->url());
        url.setUserName(manager);
        url.setPassword(QStringLiteral("mgr-secret"));
        auto m = open(url.toString());
        auto ended = db::Roles(*m).removeOperator(door.who.name);
        QVERIFY_OK(ended);
        QCOMPARE(ended.value(), 1);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1'").arg(door.who.name))->toInt(), 0);
    }

    // The command line: the password appears once on stdout, never on stderr or in the log files,
    // nor in a log message of the library (captured in-process as well).
    void passwordNeverLogged()
    {
        const QString bin = qEnvironmentVariable("QRT_QRTICKETS_BIN");
        QVERIFY2(QFileInfo(bin).isExecutable(), "QRT_QRTICKETS_BIN does not name the built qrtickets executable");
        QTemporaryDir logs;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QRTICKETS_LOG_DIR"), logs.path());
        env.insert(QStringLiteral("QRTICKETS_LOG_LEVEL"), QStringLiteral("debug"));
        p.setProcessEnvironment(env);
        const QString name = QStringLiteral("door_cli") + m_suffix;
        m_logins << name;
        p.start(bin, { QStringLiteral("operator"), QStringLiteral("add"), name, QStringLiteral("--role"), QStringLiteral("door"),
                       QStringLiteral("--database"), m_t->url() });
        QVERIFY(p.waitForFinished(test::kWaitMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(p.exitCode() == 0, qPrintable(out + err));
        const QString url = out.trimmed().section(u'\n', -1);
        const QString password = url.section(u'@', 0, 0).section(u':', -1);
        QCOMPARE(password.size(), 24);
        QCOMPARE(out.count(password), 1);
        QVERIFY2(!err.contains(password), qPrintable(err));
        int files = 0;
        for (const QFileInfo &f : QDir(logs.path()).entryInfoList(QDir::Files)) {
            QFile file(f.filePath());
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray text = file.readAll();
            QVERIFY2(text.contains(name.toUtf8()), "the log should say that the operator was added");
            QVERIFY2(!text.contains(password.toUtf8()), qPrintable(f.fileName()));
            ++files;
        }
        QVERIFY2(files > 0, "qrtickets wrote no log file");
        // list and remove through the CLI too.
        p.start(bin, { QStringLiteral("operator"), QStringLiteral("list"), QStringLiteral("--database"), m_t->url() });
        QVERIFY(p.waitForFinished(test::kWaitMs));
        QVERIFY2(QString::fromUtf8(p.readAllStandardOutput()).contains(name + QStringLiteral("  door")), "operator list");
        p.start(bin, { QStringLiteral("operator"), QStringLiteral("remove"), name, QStringLiteral("--database"), m_t->url() });
        QVERIFY(p.waitForFinished(test::kWaitMs));
        QCOMPARE(p.exitCode(), 0);

        // In-process: every message the library logs while adding (and failing to add) a login.
        QStringList captured;
        g_captured = &captured;
        const QtMessageHandler previous = qInstallMessageHandler(capture);
        auto made = db::Roles(m_t->db()).addOperator(QStringLiteral("door_log") + m_suffix, QStringLiteral("door"), {});
        if (made)
            m_logins << made->who.name;
        auto again = db::Roles(m_t->db()).addOperator(QStringLiteral("door_log") + m_suffix, QStringLiteral("door"), {});
        qInstallMessageHandler(previous);
        g_captured = nullptr;
        QVERIFY_OK(made);
        QVERIFY(!again);
        QVERIFY2(!captured.join(u'\n').contains(made->password), "a log message contains the password");
        QVERIFY(!again.error().toString().contains(made->password));
    }

    // 8 door logins, each on its own connection and thread, scan the same 500 tickets in their own
    // order through qrt_door_admit_code: every ticket is admitted exactly once.
    void raceEightDoorsFiveHundredTickets()
    {
        QList<core::Order> orders;
        for (int i = 0; i < 100; ++i)
            orders << order(QStringLiteral("race%1").arg(i, 3, 10, QLatin1Char('0')), 5);
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(orders, QStringLiteral("t")));
        QStringList codes;
        {
            auto q = m_t->db().prepare(QStringLiteral("SELECT code FROM ghl_qr_tickets WHERE order_id LIKE 'race%'"), QStringLiteral("codes"));
            QVERIFY_OK(q);
            QVERIFY_OK(q->exec());
            while (q->next())
                codes << q->value(QStringLiteral("code")).toString();
        }
        QCOMPARE(codes.size(), 500);
        constexpr int doors = 8;
        QList<std::shared_ptr<db::Database>> dbs;
        for (int i = 0; i < doors; ++i)
            dbs << open(add(QStringLiteral("race%1").arg(i), QStringLiteral("door")).databaseUrl);
        std::atomic<int> admitted { 0 }, refused { 0 }, failed { 0 };
        std::vector<int> perDoor(doors, 0); // one element per thread
        QList<QThread *> threads;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < doors; ++i) {
            threads << QThread::create([&, i] {
                auto c = dbs[i]->connection();
                if (!c) {
                    failed += 500;
                    return;
                }
                QStringList mine = codes;
                std::shuffle(mine.begin(), mine.end(), *QRandomGenerator::global());
                QSqlQuery q(c.value());
                q.prepare(QStringLiteral("SELECT outcome FROM qrt_door_admit_code(?, ?)"));
                for (const QString &code : std::as_const(mine)) {
                    q.bindValue(0, code);
                    q.bindValue(1, QStringLiteral("Door %1").arg(i));
                    if (!q.exec() || !q.next()) {
                        ++failed;
                        continue;
                    }
                    if (q.value(0).toString() == u"admitted") {
                        ++admitted;
                        ++perDoor[i];
                    } else if (q.value(0).toString() == u"already_used") {
                        ++refused;
                    } else {
                        ++failed;
                    }
                }
            });
            threads.last()->start();
        }
        for (QThread *t : std::as_const(threads)) {
            QVERIFY(t->wait(test::kSyncRunMs));
            delete t;
        }
        const qint64 ms = timer.elapsed();
        QStringList split;
        for (int n : std::as_const(perDoor))
            split << QString::number(n);
        qInfo("race: %d door logins x 500 tickets: %d admitted, %d already used, %d failed in %lld ms; per login %s", doors,
              admitted.load(), refused.load(), failed.load(), ms, qPrintable(split.join(u'/')));
        QCOMPARE(failed.load(), 0);
        QCOMPARE(admitted.load(), 500);
        QCOMPARE(refused.load(), 500 * (doors - 1));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE to_status = 'used' AND order_id LIKE 'race%'"))->toInt(), 500);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(DISTINCT ticket_id) FROM ticket_events WHERE order_id LIKE 'race%' AND to_status = 'used'"))->toInt(), 500);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE order_id LIKE 'race%' AND to_status = 'used' AND operator NOT LIKE 'race%'"))->toInt(), 0);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT sum(tickets_used) FROM ghl_qr_orders WHERE order_id LIKE 'race%'"))->toInt(), 500);
    }
};

QTEST_GUILESS_MAIN(TestRoles)
#include "tst_roles.moc"
