#include "support/testdatabase.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

using namespace qrt;

namespace {
struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};
} // namespace

class TestCli : public QObject
{
    Q_OBJECT

    QString m_bin;
    QTemporaryDir m_home;
    db::Dialect m_dialect = db::Dialect::SQLite;

    Run run(const QStringList &args, const QMap<QString, QString> &env = {})
    {
        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        // A clean slate: no settings of the person running the tests leak in.
        for (const QString &k : e.keys())
            if (k.startsWith(QStringLiteral("QRTICKETS_")))
                e.remove(k);
        e.insert(QStringLiteral("HOME"), m_home.path());
        e.insert(QStringLiteral("XDG_CONFIG_HOME"), m_home.filePath(QStringLiteral("config")));
        e.insert(QStringLiteral("XDG_DATA_HOME"), m_home.filePath(QStringLiteral("data")));
        e.insert(QStringLiteral("QRTICKETS_LOG_DIR"), m_home.filePath(QStringLiteral("logs")));
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            e.insert(it.key(), it.value());
        p.setProcessEnvironment(e);
        p.start(m_bin, args);
        if (!p.waitForFinished(60000)) {
            p.kill();
            p.waitForFinished();
        }
        return { p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
                 QString::fromUtf8(p.readAllStandardError()) };
    }

    QString logs()
    {
        QString all;
        const QDir d(m_home.filePath(QStringLiteral("logs")));
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
        m_bin = qEnvironmentVariable("QRT_QRTICKETS_BIN");
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
