// ghl_qr_users through db::UserRepository (issue 13 point 5), on both databases: each type the
// program writes (Admin, Super Admin, and the Door of `operator add --role door --email`), a
// duplicate e-mail address in another letter case refused with a clear message, edit and remove,
// and on PostgreSQL the list naming each user's operator login and its role.
#include "db/roles.h"
#include "db/userrepository.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QSqlQuery>
#include <QTest>
#include <QUuid>

using namespace qrt;

class TestUsers : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    QStringList m_logins; // PostgreSQL logins made by a test case: dropped in cleanup()

    static db::User user(const QString &name, const QString &email, const QString &type, const QString &id = {})
    {
        db::User u;
        u.id = id;
        u.name = name;
        u.email = email;
        u.type = type;
        return u;
    }

    const db::User *find(const QList<db::User> &users, const QString &email)
    {
        for (const db::User &u : users) {
            if (u.email == email)
                return &u;
        }
        return nullptr;
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup()
    {
        if (m_t) {
            for (const QString &login : std::as_const(m_logins))
                (void)db::Roles(m_t->db()).removeOperator(login);
        }
        m_logins.clear();
        m_t.reset();
    }

    void eachTypeIsSaved_data()
    {
        QTest::addColumn<QString>("type");
        for (const QString &type : db::userType::all)
            QTest::newRow(qPrintable(type)) << type;
    }

    void eachTypeIsSaved()
    {
        QFETCH(QString, type);
        db::UserRepository users(m_t->db());
        auto saved = users.upsert(user(QStringLiteral("Kim"), QStringLiteral(" Kim@Example.org "), type));
        QVERIFY_OK(saved);
        QVERIFY(!saved->id.isEmpty());
        QCOMPARE(saved->email, QStringLiteral("kim@example.org"));
        auto list = users.list();
        QVERIFY_OK(list);
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().type, type);
        QVERIFY(list->first().createdAt.isValid());
        QVERIFY2(list->first().operatorName.isEmpty(), "a user added here is linked to no login");
    }

    void invalidInputIsRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("email");
        QTest::addColumn<QString>("type");
        QTest::newRow("unknown type") << "X" << "x@example.org" << "Root";
        QTest::newRow("type in another case") << "X" << "x@example.org" << "admin";
        QTest::newRow("no @") << "X" << "x.example.org" << "Admin";
        QTest::newRow("two @") << "X" << "x@y@example.org" << "Admin";
        QTest::newRow("nothing before @") << "X" << "@example.org" << "Admin";
        QTest::newRow("a space") << "X" << "x y@example.org" << "Admin";
        QTest::newRow("no name") << " " << "x@example.org" << "Admin";
    }

    void invalidInputIsRefused()
    {
        QFETCH(QString, name);
        QFETCH(QString, email);
        QFETCH(QString, type);
        db::UserRepository users(m_t->db());
        auto r = users.add(user(name, email, type));
        QVERIFY2(!r, "an invalid user was saved");
        QCOMPARE(r.error().code, QStringLiteral("db.invalid"));
        QCOMPARE(users.list()->size(), 0);
    }

    void duplicateEmailIsRefusedInAnyCase()
    {
        db::UserRepository users(m_t->db());
        auto anna = users.add(user(QStringLiteral("Anna"), QStringLiteral("anna@example.org"), db::userType::Admin));
        QVERIFY_OK(anna);
        auto again = users.add(user(QStringLiteral("Anna 2"), QStringLiteral("ANNA@Example.ORG"), db::userType::Door));
        QVERIFY2(!again, "a second user with the same e-mail address in capitals was added");
        QCOMPARE(again.error().code, QStringLiteral("db.duplicate"));
        QVERIFY2(again.error().message.contains(QStringLiteral("Anna")) && again.error().message.contains(QStringLiteral("anna@example.org")),
                 qPrintable(again.error().message));

        // A row of the original system keeps its letter case; it still counts.
        QVERIFY_OK(m_t->exec(QStringLiteral("INSERT INTO ghl_qr_users (name, email, type) VALUES ('Ben', 'Ben@Example.org', 'Admin')")));
        auto ben = users.add(user(QStringLiteral("Other Ben"), QStringLiteral("ben@example.org"), db::userType::Admin));
        QVERIFY(!ben);
        QCOMPARE(ben.error().code, QStringLiteral("db.duplicate"));

        // Editing onto another user's address is refused; keeping one's own is not a duplicate.
        auto moved = users.update(user(QStringLiteral("Anna"), QStringLiteral("BEN@example.org"), db::userType::Admin, anna->id));
        QVERIFY(!moved);
        QCOMPARE(moved.error().code, QStringLiteral("db.duplicate"));
        QVERIFY_OK(users.update(user(QStringLiteral("Anna B."), QStringLiteral("Anna@example.org"), db::userType::SuperAdmin, anna->id)));

        // upsert updates the row with the address in any case rather than failing.
        auto up = users.upsert(user(QStringLiteral("Ben B."), QStringLiteral("BEN@EXAMPLE.ORG"), db::userType::Door));
        QVERIFY_OK(up);
        auto list = users.list();
        QVERIFY_OK(list);
        QCOMPARE(list->size(), 2);
        QCOMPARE(list->at(0).name, QStringLiteral("Anna B."));
        QCOMPARE(list->at(0).type, db::userType::SuperAdmin);
        QCOMPARE(list->at(1).name, QStringLiteral("Ben B."));
        QCOMPARE(list->at(1).type, db::userType::Door);
        QCOMPARE(list->at(1).email, QStringLiteral("ben@example.org"));
    }

    void editAndRemove()
    {
        db::UserRepository users(m_t->db());
        auto kim = users.add(user(QStringLiteral("Kim"), QStringLiteral("kim@example.org"), db::userType::Admin));
        QVERIFY_OK(kim);
        auto edited = users.update(user(QStringLiteral("Kim Lee"), QStringLiteral("kim.lee@example.org"), db::userType::Door, kim->id));
        QVERIFY_OK(edited);
        QCOMPARE(edited->id, kim->id);
        auto list = users.list();
        QCOMPARE(list->size(), 1);
        QCOMPARE(list->first().name, QStringLiteral("Kim Lee"));
        QCOMPARE(list->first().email, QStringLiteral("kim.lee@example.org"));
        QCOMPARE(list->first().type, db::userType::Door);
        QCOMPARE(list->first().createdAt, kim->createdAt);

        QCOMPARE(users.remove(kim->id).value(), true);
        QCOMPARE(users.list()->size(), 0);
        QCOMPARE(users.remove(kim->id).value(), false);
        auto gone = users.update(user(QStringLiteral("Kim"), QStringLiteral("kim@example.org"), db::userType::Admin, kim->id));
        QVERIFY2(!gone, "editing a removed user saved something");
        QCOMPARE(gone.error().kind, core::Error::Kind::NotFound);
        QCOMPARE(users.list()->size(), 0);
    }

    // PostgreSQL: the list names the login each user is linked to and that login's group.
    void listShowsTheOperatorLink()
    {
        if (m_dialect != db::Dialect::PostgreSQL) {
            db::UserRepository users(m_t->db());
            QVERIFY_OK(users.add(user(QStringLiteral("Kim"), QStringLiteral("kim@example.org"), db::userType::Admin)));
            QVERIFY(users.list()->first().operatorRole.isEmpty());
            QSKIP("by design: SQLite has no logins; nothing is linked (the PostgreSQL run checks the link)");
        }
        QVERIFY_OK(db::Roles(m_t->db()).install());
        const QString suffix = QStringLiteral("_") + QUuid::createUuid().toString(QUuid::Id128).left(6);
        db::UserRepository users(m_t->db());
        QVERIFY_OK(users.add(user(QStringLiteral("Anna"), QStringLiteral("anna@example.org"), db::userType::SuperAdmin)));
        QVERIFY_OK(users.add(user(QStringLiteral("Carl"), QStringLiteral("carl@example.org"), db::userType::Admin)));
        db::Roles roles(m_t->db());
        // Linked to an existing row (Anna keeps her type), and a new row made by operator add.
        auto admin = roles.addOperator(QStringLiteral("anna") + suffix, QStringLiteral("admin"), QStringLiteral("Anna@example.org"));
        QVERIFY_OK(admin);
        m_logins << admin->who.name;
        auto door = roles.addOperator(QStringLiteral("door") + suffix, QStringLiteral("door"), QStringLiteral("door1@example.org"));
        QVERIFY_OK(door);
        m_logins << door->who.name;
        // A link to a login that no longer exists (dropped by hand).
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_users SET operator = 'gone%1' WHERE email = 'carl@example.org'").arg(suffix)));

        auto list = users.list();
        QVERIFY_OK(list);
        QCOMPARE(list->size(), 3);
        const db::User *anna = find(list.value(), QStringLiteral("anna@example.org"));
        QVERIFY(anna);
        QCOMPARE(anna->operatorName, admin->who.name);
        QCOMPARE(anna->operatorRole, QStringLiteral("admin"));
        QCOMPARE(anna->type, db::userType::SuperAdmin);
        const db::User *d = find(list.value(), QStringLiteral("door1@example.org"));
        QVERIFY2(d, "operator add --email made no user row");
        QCOMPARE(d->operatorName, door->who.name);
        QCOMPARE(d->operatorRole, QStringLiteral("door"));
        QCOMPARE(d->type, db::userType::Door);
        const db::User *carl = find(list.value(), QStringLiteral("carl@example.org"));
        QVERIFY(carl);
        QCOMPARE(carl->operatorName, QStringLiteral("gone") + suffix);
        QVERIFY2(carl->operatorRole.isEmpty(), "a link to a missing login must not claim a role");

        // The row operator add made can be edited like any other (its type Door is valid), and the
        // link stays.
        db::User changed = *d;
        changed.name = QStringLiteral("Door one");
        QVERIFY_OK(users.update(changed));
        const db::User *after = find(users.list().value(), QStringLiteral("door1@example.org"));
        QCOMPARE(after->name, QStringLiteral("Door one"));
        QCOMPARE(after->operatorName, door->who.name);

        // Removing the user leaves the login (operator remove is the command for that).
        QVERIFY(users.remove(d->id).value());
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1'").arg(door->who.name))->toInt(), 1);
    }

    // PostgreSQL: a change to the users is announced to the other stations (migration 17).
    void changesAreAnnounced()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: SQLite stations see every commit through PRAGMA data_version");
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT count(*) FROM pg_trigger WHERE tgname = 'qrt_notify_users' "
                                            "AND tgrelid = 'ghl_qr_users'::regclass"))
                     ->toInt(),
                 1);
    }
};

QTEST_GUILESS_MAIN(TestUsers)
#include "tst_users.moc"
