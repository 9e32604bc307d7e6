#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace qrt::test {

// Which database a test executable runs against: QRT_TEST_BACKEND=sqlite|postgresql (ctest sets
// it; the same executable is registered once per backend).
db::Dialect backendFromEnvironment();
QString backendName(db::Dialect dialect);

// The message a PostgreSQL test fails with when scripts/test did not start a server.
QString postgresMissingMessage();

// A fresh, empty database for one test: a file in a temporary folder, or a new database on the
// PostgreSQL server of QRT_TEST_PG_URL, dropped again when this object goes.
class TestDatabase
{
public:
    static core::Result<std::unique_ptr<TestDatabase>> create(db::Dialect dialect);
    ~TestDatabase();

    QString url() const { return m_url; }
    db::Database &db() { return *m_db; }
    std::shared_ptr<db::Database> shared() { return m_db; }
    core::Result<void> migrate();
    // Runs SQL directly, for fixtures that build what another program would have written.
    core::Result<void> exec(const QString &sql);
    core::Result<QVariant> scalar(const QString &sql);

private:
    TestDatabase() = default;
    QString m_url;
    QString m_pgName;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<db::Database> m_db;
};

} // namespace qrt::test

// For a suite's initTestCase(): sets `dialect` to this run's backend and says which in the log;
// fails the run when it is PostgreSQL and scripts/test started no server (never a silent skip).
#define QRT_REQUIRE_BACKEND(dialect)                                                                                   \
    do {                                                                                                              \
        (dialect) = ::qrt::test::backendFromEnvironment();                                                            \
        qInfo("Running against %s", qPrintable(::qrt::test::backendName(dialect)));                                   \
        if ((dialect) == ::qrt::db::Dialect::PostgreSQL && qEnvironmentVariableIsEmpty("QRT_TEST_PG_URL"))            \
            QFAIL(qPrintable(::qrt::test::postgresMissingMessage()));                                                 \
    } while (false)

// For init(): a fresh database of `dialect` in `member` (a std::unique_ptr<TestDatabase>), or the
// test fails with the reason.
#define QRT_FRESH_DATABASE(member, dialect)                                                                            \
    do {                                                                                                              \
        auto created_ = ::qrt::test::TestDatabase::create(dialect);                                                   \
        QVERIFY2(created_, qPrintable(created_ ? QString() : created_.error().toString()));                           \
        (member) = std::move(created_).value();                                                                       \
    } while (false)
