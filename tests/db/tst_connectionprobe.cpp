#include "db/connectionprobe.h"
#include "db/database.h"
#include "support/freeport.h"
#include "support/timeouts.h"

#include <QPointer>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <optional>

using namespace qrt;

// db::tryOpenAsync: a database URL tried on a thread of its own, the answer back on the asking
// object's thread, and no answer at all once that object is gone.
class TestConnectionProbe : public QObject
{
    Q_OBJECT

private slots:
    void reachableSqliteIsOk()
    {
        QTemporaryDir dir;
        QVERIFY2(dir.isValid(), "no temporary folder for the SQLite file");
        const QString url = QStringLiteral("sqlite://") + dir.filePath(QStringLiteral("probe.db"));
        QObject context;
        std::optional<db::OpenResult> answer;
        QThread *answeredOn = nullptr;
        QPointer<QThread> probe = db::tryOpenAsync(url, &context, [&](db::OpenResult result) {
            answeredOn = QThread::currentThread();
            answer = std::move(result);
        });
        QTRY_VERIFY2_WITH_TIMEOUT(answer.has_value(), "the probe of a SQLite file never answered", test::kWaitMs);
        QVERIFY2(answer->ok(), qPrintable(answer->ok() ? QString() : answer->error().toString()));
        QCOMPARE(answer->value()->url().dialect, db::Dialect::SQLite);
        QCOMPARE(answeredOn, context.thread()); // the asking object's thread, not the probe's
        QTRY_VERIFY2_WITH_TIMEOUT(probe.isNull(), "the probe's thread never ended", test::kWaitMs);
    }

    void closedPostgresPortNamesHostAndPort()
    {
        const quint16 port = test::freePort();
        QVERIFY2(port != 0, "no free local port to point PostgreSQL at");
        const QString url = QStringLiteral("postgresql://door:s3cret-pw@127.0.0.1:%1/qrtickets").arg(port);
        QObject context;
        std::optional<db::OpenResult> answer;
        QPointer<QThread> probe = db::tryOpenAsync(url, &context, [&](db::OpenResult result) { answer = std::move(result); });
        QTRY_VERIFY2_WITH_TIMEOUT(answer.has_value(), "the probe of a closed PostgreSQL port never answered", test::kWaitMs);
        QVERIFY2(!answer->ok(), "a PostgreSQL URL on a closed port was reported as connected");
        const QString where = QStringLiteral("127.0.0.1:%1").arg(port);
        QVERIFY2(answer->error().message.contains(where),
                 qPrintable(QStringLiteral("the error does not name %1: %2").arg(where, answer->error().toString())));
        QVERIFY2(!answer->error().toString().contains(QStringLiteral("s3cret-pw")), "the error shows the password");
        QTRY_VERIFY2_WITH_TIMEOUT(probe.isNull(), "the probe's thread never ended", test::kWaitMs);
    }

    void noAnswerAfterTheContextIsGone()
    {
        QSemaphore release;
        bool opened = false;
        bool answered = false;
        auto *context = new QObject;
        // The opener waits for the test, so the context is surely gone before the answer; and
        // tryOpenAsync returning while it waits shows that the caller is never blocked.
        QPointer<QThread> probe = db::tryOpenAsync(
            QStringLiteral("sqlite:///nowhere/probe.db"), context, [&](db::OpenResult) { answered = true; },
            [&](const QString &) -> db::OpenResult {
                release.acquire();
                opened = true;
                return core::makeError(QStringLiteral("test.probe"), QStringLiteral("not opened"));
            });
        QVERIFY2(probe, "tryOpenAsync returned no probe thread");
        delete context;
        release.release();
        // The thread object deletes itself only after the answer was delivered or dropped.
        QTRY_VERIFY2_WITH_TIMEOUT(probe.isNull(), "the probe's thread never ended", test::kWaitMs);
        QVERIFY2(opened, "the probe ended without trying the URL");
        QVERIFY2(!answered, "the probe answered an object that was already destroyed");
    }
};

QTEST_GUILESS_MAIN(TestConnectionProbe)
#include "tst_connectionprobe.moc"
