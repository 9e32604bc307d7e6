#include "support/testdatabase.h"

#include "db/migrator.h"

#include <QProcessEnvironment>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

namespace qrt::test {

db::Dialect backendFromEnvironment()
{
    const QString b = qEnvironmentVariable("QRT_TEST_BACKEND", QStringLiteral("sqlite")).toLower();
    return b.startsWith(QStringLiteral("postgres")) ? db::Dialect::PostgreSQL : db::Dialect::SQLite;
}

QString backendName(db::Dialect dialect)
{
    return dialect == db::Dialect::PostgreSQL ? QStringLiteral("PostgreSQL") : QStringLiteral("SQLite");
}

QString postgresMissingMessage()
{
    return QStringLiteral("This test needs PostgreSQL, but QRT_TEST_PG_URL is not set. Run it through scripts/test, "
                          "which starts a throwaway server, or set QRT_TEST_PG_URL=postgresql://user:pw@host:port/db. "
                          "To leave PostgreSQL tests out on purpose: ctest -LE postgres.");
}

core::Result<std::unique_ptr<TestDatabase>> TestDatabase::create(db::Dialect dialect)
{
    std::unique_ptr<TestDatabase> t(new TestDatabase);
    if (dialect == db::Dialect::SQLite) {
        t->m_dir = std::make_unique<QTemporaryDir>();
        if (!t->m_dir->isValid())
            return core::makeError(QStringLiteral("test"), QStringLiteral("cannot create a temporary folder"));
        t->m_url = QStringLiteral("sqlite://") + t->m_dir->filePath(QStringLiteral("test.db"));
    } else {
        const QString server = qEnvironmentVariable("QRT_TEST_PG_URL");
        if (server.isEmpty())
            return core::makeError(QStringLiteral("test.nopg"), postgresMissingMessage());
        auto admin = db::Database::open(server);
        if (!admin)
            return admin.error();
        t->m_pgName = QStringLiteral("qrt_test_") + QUuid::createUuid().toString(QUuid::Id128).left(16);
        {
            auto c = admin.value()->connection();
            if (!c)
                return core::makeError(c.error().code,
                                       QStringLiteral("Cannot reach the test PostgreSQL server of QRT_TEST_PG_URL: ")
                                           + c.error().toString());
            QSqlQuery q(c.value());
            if (!q.exec(QStringLiteral("CREATE DATABASE ") + t->m_pgName))
                return admin.value()->fail(q, QStringLiteral("create a test database"));
        }
        QUrl url(server);
        url.setPath(u'/' + t->m_pgName);
        t->m_url = url.toString();
    }
    auto database = db::Database::open(t->m_url);
    if (!database)
        return database.error();
    t->m_db = database.value();
    return t;
}

TestDatabase::~TestDatabase()
{
    m_db.reset();
    if (m_pgName.isEmpty())
        return;
    auto admin = db::Database::open(qEnvironmentVariable("QRT_TEST_PG_URL"));
    if (!admin)
        return;
    if (auto c = admin.value()->connection()) {
        QSqlQuery q(c.value());
        q.exec(QStringLiteral("DROP DATABASE IF EXISTS ") + m_pgName + QStringLiteral(" WITH (FORCE)"));
    }
}

core::Result<void> TestDatabase::migrate()
{
    db::Migrator migrator(*m_db);
    auto r = migrator.migrate();
    if (!r)
        return r.error();
    return {};
}

core::Result<void> TestDatabase::exec(const QString &sql)
{
    auto c = m_db->connection();
    if (!c)
        return c.error();
    for (const QString &statement : db::Migrator::splitStatements(sql)) {
        QSqlQuery q(c.value());
        if (!q.exec(statement))
            return m_db->fail(q, QStringLiteral("run test SQL: ") + statement.left(120));
    }
    return {};
}

core::Result<QVariant> TestDatabase::scalar(const QString &sql)
{
    auto c = m_db->connection();
    if (!c)
        return c.error();
    QSqlQuery q(c.value());
    if (!q.exec(sql) || !q.next())
        return m_db->fail(q, QStringLiteral("run test SQL: ") + sql.left(120));
    return q.value(0);
}

} // namespace qrt::test
