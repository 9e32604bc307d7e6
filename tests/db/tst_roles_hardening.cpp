// The door roles against a hostile neighbour (issue 13, the reviewer's findings): a door login that
// may CREATE in the schema plants functions and an operator that would run with the owner's rights
// (none runs, and roles install takes CREATE from PUBLIC); Supabase's default privileges for anon and
// authenticated reach neither the qrt_door_* views nor the tables; the door functions refuse refunded
// and cancelled orders as DoorCheck does; migration 14 run by another table owner does not fail.
#include "db/database.h"
#include "db/doorfunctions.h"
#include "db/migrator.h"
#include "db/orderwriter.h"
#include "db/roles.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>
#include <QUuid>

#include <memory>

using namespace qrt;

namespace {
core::Order order(const QString &id, int tickets)
{
    core::Order o;
    o.orderId = id;
    o.contactFirstName = QStringLiteral("Guest");
    o.contactLastName = id;
    o.contactEmail = id + QStringLiteral("@example.org");
    o.paymentStatus = QStringLiteral("paid");
    o.eventId = QStringLiteral("jazz");
    o.eventName = QStringLiteral("Jazz night");
    o.totalPaid = 20.0 * tickets;
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.items.append({ o.eventId, o.eventName, {}, {}, QStringLiteral("GA"), tickets, 20.0, QStringLiteral("EUR"), -1 });
    o.ticketQuantities[QStringLiteral("GA")] = tickets;
    return o;
}

// Runs `sql` on `connection`: its first column, or "ERROR <SQLSTATE> <message>".
QString run(QSqlDatabase connection, const QString &sql)
{
    QSqlQuery q(connection);
    if (!q.exec(sql))
        return QStringLiteral("ERROR ") + q.lastError().nativeErrorCode() + u' '
            + q.lastError().databaseText().section(u'\n', 0, 0);
    return q.next() ? q.value(0).toString() : QString();
}

// What a function planted by the door login does if it ever runs: fail loudly, naming who ran it.
QString planted(const QString &signature, const QString &returns)
{
    return QStringLiteral("CREATE FUNCTION public.%1 RETURNS %2 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                          "'PLANTED %1 ran as %', current_user; END $$")
        .arg(signature, returns);
}
} // namespace

class TestRolesHardening : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QStringList m_roles; // made by this test case: dropped in cleanup()
    QString m_suffix;

    void migrateAndInstall()
    {
        QVERIFY_OK(m_t->migrate());
        QVERIFY_OK(db::Roles(m_t->db()).install());
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(QStringLiteral("o1"), 3), order(QStringLiteral("o2"), 1) },
                                                   QStringLiteral("t")));
    }
    db::NewOperator door(const QString &name)
    {
        auto made = db::Roles(m_t->db()).addOperator(name + m_suffix, QStringLiteral("door"), {});
        if (!made)
            qFatal("operator add %s failed: %s", qPrintable(name), qPrintable(made.error().toString()));
        m_roles << made->who.name;
        return made.value();
    }
    static std::shared_ptr<db::Database> open(const QString &url)
    {
        auto db = db::Database::open(url);
        if (!db)
            qFatal("cannot open %s: %s", qPrintable(url), qPrintable(db.error().toString()));
        return db.value();
    }
    QString codeOf(const QString &orderId)
    {
        return m_t->scalar(QStringLiteral("SELECT min(code) FROM ghl_qr_tickets WHERE order_id = '%1'").arg(orderId))->toString();
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(m_dialect == db::Dialect::PostgreSQL, "roles are a PostgreSQL feature: run with QRT_TEST_BACKEND=postgresql");
    }

    void init()
    {
        m_suffix = QStringLiteral("_") + QUuid::createUuid().toString(QUuid::Id128).left(6);
        QRT_FRESH_DATABASE(m_t, m_dialect);
    }

    void cleanup()
    {
        m_t.reset(); // drops the database with everything planted in it
        auto admin = open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        for (const QString &name : std::as_const(m_roles))
            QSqlQuery(admin->connection().value()).exec(QStringLiteral("DROP ROLE IF EXISTS ") + db::Roles::quoteIdentifier(name));
        m_roles.clear();
    }

    // Finding 1: PostgreSQL 14 and older let PUBLIC create in schema public. A door login plants
    // shadows of what the functions call; every door function still answers, nothing planted runs.
    void plantedShadowsNeverRun()
    {
        migrateAndInstall();
        QVERIFY_OK(m_t->exec(QStringLiteral("GRANT CREATE ON SCHEMA public TO PUBLIC"))); // as PostgreSQL 14 ships
        const db::NewOperator d = door(QStringLiteral("door_evil"));
        auto evil = open(d.databaseUrl);
        QSqlDatabase c = evil->connection().value();
        for (const QString &sql : { planted(QStringLiteral("cardinality(text[])"), QStringLiteral("integer")),
                                    planted(QStringLiteral("unnest(text[])"), QStringLiteral("SETOF text")),
                                    planted(QStringLiteral("lower(text)"), QStringLiteral("text")),
                                    planted(QStringLiteral("left(text, integer)"), QStringLiteral("text")),
                                    planted(QStringLiteral("format(text, regnamespace)"), QStringLiteral("text")),
                                    planted(QStringLiteral("evil_eq(text, text)"), QStringLiteral("boolean")),
                                    QStringLiteral("CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_eq)") })
            QCOMPARE(run(c, sql), QString());
        const auto calls = [&](const QString &when) {
            const QString code = codeOf(QStringLiteral("o1"));
            const QList<std::pair<QString, QString>> expected = {
                { QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'N', ARRAY['JAZZ'])").arg(code), QStringLiteral("admitted") },
                { QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'N')").arg(code), QStringLiteral("already_used") },
                { QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'N', ARRAY['rock'], false)").arg(code), QStringLiteral("other_event") },
                { QStringLiteral("SELECT outcome FROM qrt_door_admit_order('o1', 'N', ARRAY['jazz'], false)"), QStringLiteral("admitted") },
                { QStringLiteral("SELECT count(*) FROM qrt_door_cache(ARRAY['jazz'])"), QStringLiteral("4") },
                { QStringLiteral("SELECT qrt_door_undo(min(ticket_id), 'N') FROM qrt_door_tickets WHERE code = '%1'").arg(code), QStringLiteral("undone") },
            };
            for (const auto &[sql, answer] : expected)
                QVERIFY2(run(c, sql) == answer, qPrintable(QStringLiteral("%1: %2 answered '%3', not '%4'")
                                                                .arg(when, sql, run(c, sql), answer)));
            db::DoorFunctions fn(*evil);
            auto byCode = fn.admitCode(codeOf(QStringLiteral("o2")), QStringLiteral("N"), { QStringLiteral("jazz") });
            QVERIFY_OK(byCode);
            QVERIFY(byCode->outcome == u"admitted" || byCode->outcome == u"already_used");
        };
        calls(QStringLiteral("with the shadows planted"));
        if (QTest::currentTestFailed())
            return;
        // roles install (again) takes CREATE from PUBLIC, and its grant function calls nothing planted.
        QVERIFY_OK(db::Roles(m_t->db()).install());
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT has_schema_privilege('public', 'public', 'CREATE')"))->toBool(), false);
        QVERIFY(run(c, planted(QStringLiteral("upper(text)"), QStringLiteral("text"))).startsWith(QStringLiteral("ERROR 42501")));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'live'")));
        calls(QStringLiteral("after roles install"));
    }

    // Finding 2: Supabase's ALTER DEFAULT PRIVILEGES gives anon and authenticated ALL on every new
    // table and view in public. After roles install neither reads or changes anything.
    void supabaseApiRolesLockedOut()
    {
        auto admin = open(qEnvironmentVariable("QRT_TEST_PG_URL"));
        for (const QString &role : { QStringLiteral("anon"), QStringLiteral("authenticated") })
            QSqlQuery(admin->connection().value())
                .exec(QStringLiteral("DO $$ BEGIN CREATE ROLE %1 NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$").arg(role));
        for (const QString &kind : { QStringLiteral("TABLES"), QStringLiteral("SEQUENCES"), QStringLiteral("FUNCTIONS") })
            QVERIFY_OK(m_t->exec(QStringLiteral("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON %1 TO anon, authenticated").arg(kind)));
        migrateAndInstall();
        QVERIFY_OK(db::Roles(m_t->db()).install()); // and again: nothing comes back
        auto api = open(m_t->url()); // its own connection: SET ROLE stays there
        QSqlDatabase c = api->connection().value();
        for (const QString &role : { QStringLiteral("anon"), QStringLiteral("authenticated") }) {
            QCOMPARE(run(c, QStringLiteral("SET ROLE ") + role), QString());
            for (const QString &sql : {
                     QStringLiteral("SELECT count(*) FROM qrt_door_tickets"), QStringLiteral("SELECT count(*) FROM qrt_door_event_counts"),
                     QStringLiteral("SELECT count(*) FROM qrt_door_ticket_events"),
                     QStringLiteral("UPDATE qrt_door_ticket_events SET actor = 'forged'"), QStringLiteral("DELETE FROM qrt_door_ticket_events"),
                     QStringLiteral("INSERT INTO qrt_door_ticket_events (ticket_id, order_id, to_status) VALUES (1, 'o1', 'used')"),
                     QStringLiteral("SELECT contact_email FROM ghl_qr_orders"), QStringLiteral("SELECT code FROM ghl_qr_tickets"),
                     QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used'"), QStringLiteral("DELETE FROM ticket_events"),
                     QStringLiteral("SELECT nextval('ticket_events_id_seq')"),
                     QStringLiteral("SELECT count(*) FROM qrt_door_cache(NULL)"), QStringLiteral("SELECT qrt_grant_roles()") }) {
                const QString answer = run(c, sql);
                QVERIFY2(answer.startsWith(QStringLiteral("ERROR 42501")),
                         qPrintable(QStringLiteral("as %1, %2 answered '%3' instead of permission denied").arg(role, sql, answer)));
            }
            QCOMPARE(run(c, QStringLiteral("RESET ROLE")), QString());
        }
        // The door group keeps exactly SELECT on its views.
        const db::NewOperator d = door(QStringLiteral("door_sb"));
        auto station = open(d.databaseUrl);
        QSqlDatabase dc = station->connection().value();
        QCOMPARE(run(dc, QStringLiteral("SELECT count(*) FROM qrt_door_tickets")), QStringLiteral("4"));
        QVERIFY(run(dc, QStringLiteral("DELETE FROM qrt_door_ticket_events")).startsWith(QStringLiteral("ERROR 42501")));
    }

    // Finding 3: a refunded or cancelled order admits nobody through the door functions (DoorCheck's
    // rule: the order's state first, before the event and the ticket).
    void voidOrdersRefused()
    {
        migrateAndInstall();
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(QStringLiteral("o3"), 1), order(QStringLiteral("o4"), 1) },
                                                   QStringLiteral("t")));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'Refunded' WHERE order_id = 'o1'")));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET order_status = 'refunded' WHERE order_id = 'o4'")));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET order_status = 'cancelled' WHERE order_id = 'o2'")));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'voided' WHERE order_id = 'o3'")));
        const db::NewOperator d = door(QStringLiteral("door_void"));
        auto station = open(d.databaseUrl);
        db::DoorFunctions fn(*station);
        const QStringList rock = { QStringLiteral("rock") };
        const QList<std::tuple<QString, QString, QStringList, QString>> cases = {
            { QStringLiteral("code"), QStringLiteral("o1"), {}, QStringLiteral("refunded") },
            { QStringLiteral("order"), QStringLiteral("o1"), {}, QStringLiteral("refunded") },
            { QStringLiteral("code"), QStringLiteral("o4"), {}, QStringLiteral("refunded") },
            { QStringLiteral("code"), QStringLiteral("o2"), {}, QStringLiteral("order_cancelled") },
            { QStringLiteral("order"), QStringLiteral("o2"), rock, QStringLiteral("order_cancelled") },
            { QStringLiteral("code"), QStringLiteral("o3"), rock, QStringLiteral("order_cancelled") },
            { QStringLiteral("order"), QStringLiteral("o3"), {}, QStringLiteral("order_cancelled") },
        };
        for (const auto &[by, orderId, events, expected] : cases) {
            auto a = by == u"code" ? fn.admitCode(codeOf(orderId), QStringLiteral("N"), events)
                                   : fn.admitOrder(orderId, QStringLiteral("N"), events);
            QVERIFY_OK(a);
            QVERIFY2(a->outcome == expected, qPrintable(QStringLiteral("admit order %1 by %2: '%3', expected '%4'")
                                                            .arg(orderId, by, a->outcome, expected)));
            QCOMPARE(a->orderId, orderId);
            QCOMPARE(a->ticketStatus, QStringLiteral("live"));
        }
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ghl_qr_tickets WHERE status <> 'live'"))->toInt(), 0);
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE to_status = 'used'"))->toInt(), 0);
    }

    // A door login undoes only an admission (live -> used) it made itself within 10 minutes: a
    // conflict row it writes (used -> used, as operator, now) does not make another operator's
    // admission, or its own older one, look like its own fresh one.
    void conflictRowDoesNotUnlockUndo()
    {
        migrateAndInstall();
        auto a = open(door(QStringLiteral("door_a")).databaseUrl);
        auto b = open(door(QStringLiteral("door_b")).databaseUrl);
        QSqlDatabase ca = a->connection().value(), cb = b->connection().value();
        const QString code = codeOf(QStringLiteral("o1"));
        const QString id = m_t->scalar(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE code = '%1'").arg(code))->toString();
        QCOMPARE(run(ca, QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'A')").arg(code)), QStringLiteral("admitted"));
        QVERIFY(run(cb, QStringLiteral("SELECT qrt_door_undo(%1, 'B')").arg(id)).startsWith(QStringLiteral("ERROR 42501")));
        QVERIFY(!run(cb, QStringLiteral("SELECT qrt_door_record_conflict(%1, 'B', now())").arg(id)).startsWith(QStringLiteral("ERROR")));
        const QString undo = run(cb, QStringLiteral("SELECT qrt_door_undo(%1, 'B')").arg(id));
        QVERIFY2(undo.startsWith(QStringLiteral("ERROR 42501")),
                 qPrintable(QStringLiteral("door_b undid door_a's admission after writing a conflict row: '%1'").arg(undo)));
        QCOMPARE(run(cb, QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'B')").arg(code)), QStringLiteral("already_used"));
        // Its own admission older than 10 minutes: a fresh conflict row does not renew it.
        const QString code2 = m_t->scalar(QStringLiteral("SELECT max(code) FROM ghl_qr_tickets WHERE order_id = 'o2'"))->toString();
        const QString id2 = m_t->scalar(QStringLiteral("SELECT ticket_id FROM ghl_qr_tickets WHERE code = '%1'").arg(code2))->toString();
        QCOMPARE(run(cb, QStringLiteral("SELECT outcome FROM qrt_door_admit_code('%1', 'B')").arg(code2)), QStringLiteral("admitted"));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ticket_events SET at = now() - interval '11 minutes' WHERE ticket_id = %1").arg(id2)));
        QVERIFY(!run(cb, QStringLiteral("SELECT qrt_door_record_conflict(%1, 'B', now())").arg(id2)).startsWith(QStringLiteral("ERROR")));
        QVERIFY(run(cb, QStringLiteral("SELECT qrt_door_undo(%1, 'B')").arg(id2)).startsWith(QStringLiteral("ERROR 42501")));
        // door_a's own fresh admission stays undoable by door_a after door_b's conflict row.
        QCOMPARE(run(ca, QStringLiteral("SELECT qrt_door_undo(%1, 'A')").arg(id)), QStringLiteral("undone"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE from_status = 'live' AND to_status = 'used'"))->toInt(), 2);
    }

    // qrt_door_record_conflict writes at most one row per ticket and door login, with an offline
    // time that is not in the future nor older than 7 days and a station without control characters:
    // a door login cannot fill the audit trail with rows of its own wording.
    void conflictRowsCannotBeForged()
    {
        migrateAndInstall();
        auto b = open(door(QStringLiteral("door_f")).databaseUrl);
        QSqlDatabase cb = b->connection().value();
        const QString id = m_t->scalar(QStringLiteral("SELECT min(ticket_id) FROM ghl_qr_tickets WHERE order_id = 'o1'"))->toString();
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_by = 'South' WHERE ticket_id = %1").arg(id)));
        const auto conflict = [&](const QString &station, const QString &at) {
            return run(cb, QStringLiteral("SELECT qrt_door_record_conflict(%1, %2, %3)").arg(id, station, at));
        };
        const QString first = conflict(QStringLiteral("'North'"), QStringLiteral("now() - interval '1 hour'"));
        QVERIFY2(first.startsWith(QStringLiteral("offline-conflict: admitted offline by North at ")), qPrintable(first));
        for (const QString &hours : { QStringLiteral("2"), QStringLiteral("3") }) // other stations, other times: no new row
            QVERIFY(!conflict(QStringLiteral("'Gate %1'").arg(hours), QStringLiteral("now() - interval '%1 hours'").arg(hours))
                         .startsWith(QStringLiteral("ERROR")));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM ticket_events WHERE ticket_id = %1 AND reason LIKE 'offline-conflict:%%'").arg(id))->toInt(), 1);
        using Forged = std::pair<QString, QString>; // station, admitted at (SQL)
        const QList<Forged> forged = { Forged(QStringLiteral("'N'"), QStringLiteral("now() - interval '30 days'")),
                                       Forged(QStringLiteral("E'North\\nalready admitted by nobody'"), QStringLiteral("now()")),
                                       Forged(QStringLiteral("repeat('x', 201)"), QStringLiteral("now()")) };
        for (const auto &[station, at] : forged) {
            const QString answer = conflict(station, at);
            QVERIFY2(answer.startsWith(QStringLiteral("ERROR 22023")),
                     qPrintable(QStringLiteral("conflict by %1 at %2 answered '%3', not refused").arg(station, at, answer)));
        }
        // A station whose clock runs ahead: recorded at the database's time, saying so, not refused.
        const QString other = m_t->scalar(QStringLiteral("SELECT max(ticket_id) FROM ghl_qr_tickets WHERE order_id = 'o1'"))->toString();
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_by = 'South' WHERE ticket_id = %1").arg(other)));
        const QString ahead = run(cb, QStringLiteral("SELECT qrt_door_record_conflict(%1, 'North', now() + interval '1 day')").arg(other));
        const QString today = m_t->scalar(QStringLiteral("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')"))->toString();
        QVERIFY2(ahead.startsWith(QStringLiteral("offline-conflict: admitted offline by North at ") + today)
                     && ahead.contains(QStringLiteral("Z (station clock ahead); already admitted by South")),
                 qPrintable(ahead));
    }

    // qrt_door_admit_ticket records "unpaid" only for an order that is not paid, and "offline at TIME"
    // only with a time of the last 7 days (an offline "; unpaid" of an order paid since is left out:
    // refusing it would stop the station's queue).
    void admitTicketReasonsAreChecked()
    {
        migrateAndInstall();
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'unpaid' WHERE order_id = 'o2'")));
        auto d = open(door(QStringLiteral("door_r")).databaseUrl);
        QSqlDatabase c = d->connection().value();
        const QStringList paid = m_t->scalar(QStringLiteral("SELECT string_agg(ticket_id::text, ',' ORDER BY ticket_id) FROM "
                                                            "ghl_qr_tickets WHERE order_id = 'o1'"))->toString().split(u',');
        const QString unpaid = m_t->scalar(QStringLiteral("SELECT min(ticket_id) FROM ghl_qr_tickets WHERE order_id = 'o2'"))->toString();
        const auto admit = [&](const QString &id, const QString &reasonSql) {
            return run(c, QStringLiteral("SELECT status FROM qrt_door_admit_ticket(%1, 'N', %2)").arg(id, reasonSql));
        };
        const auto reasonOf = [&](const QString &id) {
            return m_t->scalar(QStringLiteral("SELECT reason FROM ticket_events WHERE ticket_id = %1 AND to_status = 'used'").arg(id))->toString();
        };
        const QString offlineSql = QStringLiteral("'offline at ' || to_char((now() - interval '%1') AT TIME ZONE 'UTC', "
                                                  "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
        for (const QString &reasonSql : { QStringLiteral("'unpaid'"), offlineSql.arg(QStringLiteral("30 days")), QStringLiteral("'offline at yesterday'") }) {
            const QString answer = admit(paid.at(0), reasonSql);
            QVERIFY2(answer.startsWith(QStringLiteral("ERROR 22023")),
                     qPrintable(QStringLiteral("a paid ticket admitted with the reason %1 answered '%2', not refused").arg(reasonSql, answer)));
        }
        QCOMPARE(admit(unpaid, QStringLiteral("'unpaid'")), QStringLiteral("used"));
        QCOMPARE(reasonOf(unpaid), QStringLiteral("unpaid"));
        QCOMPARE(admit(paid.at(0), offlineSql.arg(QStringLiteral("1 hour")) + QStringLiteral(" || '; unpaid'")), QStringLiteral("used"));
        QVERIFY2(!reasonOf(paid.at(0)).contains(QStringLiteral("unpaid")) && reasonOf(paid.at(0)).startsWith(QStringLiteral("offline at ")),
                 qPrintable(reasonOf(paid.at(0))));
        QCOMPARE(admit(paid.at(1), offlineSql.arg(QStringLiteral("6 days"))), QStringLiteral("used"));
        // A station whose clock runs 6 minutes (or a day) fast: admitted at the database's time, saying so.
        QCOMPARE(admit(paid.at(2), offlineSql.arg(QStringLiteral("-6 minutes")) + QStringLiteral(" || '; unpaid'")), QStringLiteral("used"));
        const QString ahead = reasonOf(paid.at(2));
        QVERIFY2(QRegularExpression(QStringLiteral("^offline at [0-9-]{10}T[0-9:]{8}Z \\(station clock ahead\\)$")).match(ahead).hasMatch(),
                 qPrintable(ahead));
        QVERIFY2(QDateTime::fromString(ahead.mid(11, 20), Qt::ISODate) <= QDateTime::currentDateTimeUtc().addSecs(60), qPrintable(ahead));
    }
    // The station is written to ticket_events.actor and ghl_qr_tickets.updated_by: as for
    // qrt_door_record_conflict, no control characters (a forged second line) and at most 200 characters.
    void admitTicketStationIsChecked()
    {
        migrateAndInstall();
        auto d = open(door(QStringLiteral("door_s")).databaseUrl);
        QSqlDatabase c = d->connection().value();
        const QStringList ids = m_t->scalar(QStringLiteral("SELECT string_agg(ticket_id::text, ',' ORDER BY ticket_id) FROM "
                                                           "ghl_qr_tickets WHERE order_id = 'o1'"))->toString().split(u',');
        for (const QString &station : { QStringLiteral("E'North\\nadmitted by the boss'"), QStringLiteral("E'Gate\\t1'"),
                                        QStringLiteral("repeat('x', 201)") }) {
            const QString answer = run(c, QStringLiteral("SELECT status FROM qrt_door_admit_ticket(%1, %2)").arg(ids.at(0), station));
            QVERIFY2(answer.startsWith(QStringLiteral("ERROR 22023")),
                     qPrintable(QStringLiteral("a ticket admitted by the station %1 answered '%2', not refused").arg(station, answer)));
        }
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT status FROM ghl_qr_tickets WHERE ticket_id = %1").arg(ids.at(0)))->toString(),
                 QStringLiteral("live"));
        QCOMPARE(run(c, QStringLiteral("SELECT status FROM qrt_door_admit_ticket(%1, '%2')").arg(ids.at(0), QString(200, u'x'))),
                 QStringLiteral("used"));
    }

    // Finding 4: `migrate` run by a table owner that did not run roles install (no EXECUTE on
    // qrt_grant_roles) applies migration 14 and says to re-run roles install, instead of failing.
    void migrationByAnotherOwner()
    {
        migrateAndInstall();
        const QString owner = QStringLiteral("owner") + m_suffix;
        const QString password = QUuid::createUuid().toString(QUuid::Id128);
        m_roles << owner;
        QVERIFY_OK(m_t->exec(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(owner, password)));
        QVERIFY_OK(m_t->exec(QStringLiteral("GRANT CREATE, USAGE ON SCHEMA public TO %1").arg(owner)));
        QVERIFY_OK(m_t->exec(QStringLiteral("ALTER TABLE ticket_events OWNER TO %1").arg(owner)));
        QVERIFY_OK(m_t->exec(QStringLiteral("ALTER TABLE ghl_qr_users OWNER TO %1").arg(owner)));
        QVERIFY_OK(m_t->exec(QStringLiteral("ALTER TABLE schema_migrations OWNER TO %1").arg(owner)));
        QVERIFY_OK(m_t->exec(QStringLiteral("DELETE FROM schema_migrations WHERE version = 14")));
        QUrl url(m_t->url());
        url.setUserName(owner);
        url.setPassword(password);
        auto asOwner = open(url.toString());
        auto report = db::Migrator(*asOwner).migrate();
        QVERIFY_OK(report);
        QCOMPARE(report->applied, QList<int>({ 14 }));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM schema_migrations WHERE version = 14"))->toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestRolesHardening)
#include "tst_roles_hardening.moc"
