#include "support/childprocess.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"

#include <QDir>
#include <QTest>
#include <QUrl>

using namespace qrt;
using Run = test::ChildRun;

class TestCli : public QObject
{
    Q_OBJECT

    QString m_bin;
    test::FreshHome m_home; // a clean slate: no settings of the person running the tests leak in
    db::Dialect m_dialect = db::Dialect::SQLite;

    Run run(const QStringList &args, const QMap<QString, QString> &env = {})
    {
        return test::runChild(m_bin, args, m_home.environment(env), 2 * test::kWaitMs);
    }

    QString logs()
    {
        QString all;
        const QDir d(m_home.logDir());
        for (const QString &f : d.entryList(QDir::Files)) {
            QFile file(d.filePath(f));
            if (file.open(QIODevice::ReadOnly))
                all += QString::fromUtf8(file.readAll());
        }
        return all;
    }

private slots:
    void initTestCase()
    {
        m_bin = test::qrticketsBinary();
        QVERIFY2(QFileInfo(m_bin).isExecutable(), "QRT_QRTICKETS_BIN does not name the built qrtickets executable");
        QRT_REQUIRE_BACKEND(m_dialect);
    }

    void versionAndHelp()
    {
        const Run v = run({ QStringLiteral("--version") });
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.startsWith(QStringLiteral("qrtickets ")), qPrintable(v.out));
        const Run h = run({ QStringLiteral("--help") });
        QCOMPARE(h.exitCode, 0);
        for (const char *word : { "migrate", "--config", "--database", "Exit codes", "QRTICKETS_" })
            QVERIFY2(h.out.contains(QLatin1StringView(word)), word);
    }

    void badUsageIsExitCode2_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mustSay");
        QTest::newRow("unknown option") << QStringList { QStringLiteral("--frobnicate") } << "Unknown option";
        QTest::newRow("unknown command") << QStringList { QStringLiteral("explode") } << "Unknown command 'explode'";
        QTest::newRow("extra argument") << QStringList { QStringLiteral("migrate"), QStringLiteral("now") } << "Unexpected";
        QTest::newRow("demo with command") << QStringList { QStringLiteral("--demo"), QStringLiteral("migrate") } << "--demo";
        QTest::newRow("missing config") << QStringList { QStringLiteral("migrate"), QStringLiteral("--config"), QStringLiteral("/nonexistent/q.ini") }
                                        << "does not exist";
        QTest::newRow("bad database url") << QStringList { QStringLiteral("migrate"), QStringLiteral("--database"), QStringLiteral("mysql://x/y") }
                                          << "[database] url";
    }
    void badUsageIsExitCode2()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mustSay);
        const Run r = run(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(mustSay), qPrintable(r.err));
    }

    void invalidEnvironmentValueNamesTheKey()
    {
        const Run r = run({ QStringLiteral("migrate") }, { { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QStringLiteral("0") } });
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("QRTICKETS_WEBHOOK_PORT")) && r.err.contains(QStringLiteral("1 to 65535")),
                 qPrintable(r.err));
    }

    void migrateTwice()
    {
        auto t = test::TestDatabase::create(m_dialect);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        const QString url = t.value()->url();
        const Run first = run({ QStringLiteral("migrate"), QStringLiteral("--database"), url });
        QVERIFY2(first.exitCode == 0, qPrintable(first.err));
        QVERIFY2(first.out.contains(QStringLiteral("applied")), qPrintable(first.out));
        const Run second = run({ QStringLiteral("migrate") }, { { QStringLiteral("QRTICKETS_DATABASE_URL"), url } });
        QCOMPARE(second.exitCode, 0);
        QVERIFY2(second.out.contains(QStringLiteral("up to date")), qPrintable(second.out));
        QVERIFY(t.value()->scalar(QStringLiteral("SELECT count(*) FROM schema_migrations")).value().toInt() >= 1);
    }

    // Debug logging on (what a user is told to do when reporting a problem): Qt keeps logging
    // while the process exits, after static objects are gone. It crashed at exit ("double free").
    void debugLoggingExitsCleanly()
    {
        auto t = test::TestDatabase::create(m_dialect);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        const Run r = run({ QStringLiteral("migrate"), QStringLiteral("--database"), t.value()->url() },
                          { { QStringLiteral("QRTICKETS_LOG_LEVEL"), QStringLiteral("debug") },
                            { QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("*.debug=true") } });
        QVERIFY2(r.exitCode == 0, qPrintable(QStringLiteral("qrtickets migrate with debug logging ended with %1:\n%2")
                                                 .arg(r.exitCode)
                                                 .arg(r.err.right(2000))));
        QVERIFY2(!r.err.contains(QStringLiteral("invalid QRegularExpression")), qPrintable(r.err.right(2000)));
    }

    void unreachableDatabaseIsExitCode1WithoutThePassword()
    {
        const Run r = run({ QStringLiteral("migrate"), QStringLiteral("--database"),
                            QStringLiteral("postgresql://qr:pw-not-to-leak@127.0.0.1:1/qr") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cannot be reached")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QStringLiteral("pw-not-to-leak")));
        QVERIFY2(!logs().isEmpty(), "nothing was written to the log folder");
        QVERIFY(!logs().contains(QStringLiteral("pw-not-to-leak")));
    }

    void wrongPasswordIsExplained()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("PostgreSQL only by design: SQLite has no credentials");
        QUrl url(qEnvironmentVariable("QRT_TEST_PG_URL"));
        url.setPassword(QStringLiteral("wrong-pw-xyz"));
        const Run r = run({ QStringLiteral("migrate"), QStringLiteral("--database"), url.toString() });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("refused the user name or password")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QStringLiteral("wrong-pw-xyz")));
        QVERIFY(!logs().contains(QStringLiteral("wrong-pw-xyz")));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
