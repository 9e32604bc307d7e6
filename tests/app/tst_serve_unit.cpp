// `qrtickets serve` under the packaged systemd unit's own system-call filter
// (installer/linux/qrtickets-serve.service), installed by seccomp_launcher as systemd would: the
// service must answer /healthz, stay up, store a webhook and stop with exit code 0 on SIGTERM.
// A call the filter denies kills the process with SIGSYS unless the unit says
// SystemCallErrorNumber=; that is how the unit used to kill its own service at start-up.
//
// QRT_SECCOMP_LAUNCHER, QRT_QRTICKETS_BIN and QRT_SERVE_UNIT name the launcher, the program and
// the unit (ctest sets them to the build tree's; tests/app/package_test.sh to the package's).
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/timeouts.h"

#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <unistd.h>

using namespace qrt;

namespace {
const QByteArray Secret = "seccomp-test-secret";
constexpr int StartMs = 60000;
} // namespace

class TestServeUnit : public QObject
{
    Q_OBJECT

    QString m_launcher;
    QString m_bin;
    QString m_unit;
    QNetworkAccessManager m_nam;

    // The status of one request, 0 when nothing answered.
    int request(const QByteArray &verb, quint16 port, const QString &path, const QByteArray &body = {})
    {
        QNetworkRequest r(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)));
        r.setTransferTimeout(5000);
        if (!body.isEmpty()) {
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
            r.setRawHeader("X-Webhook-Secret", Secret);
        }
        QNetworkReply *reply = m_nam.sendCustomRequest(r, verb, body);
        QEventLoop loop;
        connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        return status;
    }

    // The unit runs serve as a dynamic user; run as root, the launcher becomes nobody, who must
    // be able to use the temporary home.
    static void openToNobody(const QString &dir)
    {
        if (::geteuid() == 0)
            QFile::setPermissions(dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                           | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther
                                           | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup);
    }

    struct Serve
    {
        test::FreshHome home;
        quint16 port = 0;
        QProcess process;
    };

    // Starts `qrtickets serve` under `unit`'s filter: a SQLite database in a fresh home, shared-
    // secret authentication on 127.0.0.1 and a free port, no GHL token, nothing from the
    // developer's QRTICKETS_* settings.
    void start(Serve &s, const QString &unit)
    {
        QVERIFY(s.home.isValid());
        openToNobody(s.home.path());
        s.port = test::freePort();
        QFile ini(s.home.filePath(QStringLiteral("serve.ini")));
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write(QStringLiteral("[database]\nurl=sqlite://%1\n[webhook]\nbind=127.0.0.1\nport=%2\nauth=shared-secret\n"
                                 "[ghl]\nbase_url=http://127.0.0.1:9\n[log]\ndir=%3\n")
                      .arg(s.home.filePath(QStringLiteral("qrtickets.db")))
                      .arg(s.port)
                      .arg(s.home.logDir())
                      .toUtf8());
        ini.close();
        QProcessEnvironment env = s.home.environment();
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")); // a service has no desktop session
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen")); // as the unit sets it
        env.insert(QStringLiteral("QRTICKETS_WEBHOOK_SECRET"), QString::fromLatin1(Secret)); // secrets.env
        s.process.setProcessEnvironment(env);
        s.process.start(m_launcher, { unit, QStringLiteral("--"), m_bin, QStringLiteral("serve"), QStringLiteral("--config"),
                                      ini.fileName() });
        QVERIFY2(s.process.waitForStarted(), qPrintable(s.process.errorString()));
    }

    static QString output(QProcess &p)
    {
        return QString::fromUtf8(p.readAllStandardOutput() + p.readAllStandardError());
    }

    static QString how(const QProcess &p)
    {
        if (p.state() != QProcess::NotRunning)
            return QStringLiteral("still running");
        if (p.exitStatus() == QProcess::CrashExit)
            return QStringLiteral("killed by signal %1%2")
                .arg(p.exitCode())
                .arg(p.exitCode() == SIGSYS ? QStringLiteral(" (SIGSYS: a system call the unit denies)") : QString());
        return QStringLiteral("exited with code %1").arg(p.exitCode());
    }

private slots:
    void initTestCase()
    {
        m_launcher = qEnvironmentVariable("QRT_SECCOMP_LAUNCHER");
        m_bin = qEnvironmentVariable("QRT_QRTICKETS_BIN");
        m_unit = qEnvironmentVariable("QRT_SERVE_UNIT");
        QVERIFY2(QFileInfo(m_launcher).isExecutable(), "QRT_SECCOMP_LAUNCHER does not name the built seccomp_launcher");
        QVERIFY2(QFileInfo(m_bin).isExecutable(), "QRT_QRTICKETS_BIN does not name a qrtickets executable");
        QVERIFY2(QFileInfo::exists(m_unit), "QRT_SERVE_UNIT does not name qrtickets-serve.service");
        m_nam.setProxy(QNetworkProxy::NoProxy);
    }

    // What the unit says, as the launcher reads it: an allow list, setpriority in it, and a denied
    // call answered with EPERM rather than SIGSYS.
    void unitDeniesWithAnErrorNotAKill()
    {
        QProcess p;
        p.start(m_launcher, { QStringLiteral("--print"), m_unit });
        QVERIFY(p.waitForFinished(test::kWaitMs));
        const QString printed = output(p);
        QCOMPARE(p.exitCode(), 0);
        const QStringList lines = printed.split(u'\n');
        QCOMPARE(lines.value(0), QStringLiteral("allow-list"));
        QVERIFY2(lines.contains(QStringLiteral("denied: EPERM")),
                 "the unit should set SystemCallErrorNumber=EPERM: without it a denied call kills the service");
        QVERIFY2(lines.contains(QStringLiteral("setpriority")), "the inbox worker lowers its priority: setpriority must be allowed");
        QVERIFY2(!lines.contains(QStringLiteral("reboot")), "the filter should still keep @privileged calls out");
    }

    // The launcher really enforces a unit: one that denies the network calls without an errno
    // kills serve with SIGSYS when it opens its socket.
    void launcherEnforcesTheFilter()
    {
        test::FreshHome unitDir;
        QFile unit(unitDir.filePath(QStringLiteral("deny-network.service")));
        QVERIFY(unit.open(QIODevice::WriteOnly));
        unit.write("[Service]\nDynamicUser=yes\nSystemCallFilter=@system-service\nSystemCallFilter=~@network-io\n");
        unit.close();
        Serve s;
        start(s, unit.fileName());
        if (!s.process.waitForFinished(StartMs))
            s.process.kill();
        const QString out = output(s.process);
        QVERIFY2(s.process.exitStatus() == QProcess::CrashExit && s.process.exitCode() == SIGSYS,
                 qPrintable(QStringLiteral("serve under a unit that denies @network-io should be killed by SIGSYS; it %1:\n%2")
                                .arg(how(s.process), out)));
    }

    void serveRunsUnderTheUnitsFilter()
    {
        Serve s;
        start(s, m_unit);
        QTRY_VERIFY_WITH_TIMEOUT(s.process.state() != QProcess::Running || request("GET", s.port, QStringLiteral("/healthz")) == 200,
                                 StartMs);
        QVERIFY2(s.process.state() == QProcess::Running,
                 qPrintable(QStringLiteral("serve under the unit's system-call filter %1 before answering /healthz:\n%2")
                                .arg(how(s.process), output(s.process))));

        // A webhook goes through the inbox (SQLite commits, the worker thread) under the filter.
        const int stored = request("POST", s.port, QStringLiteral("/api/ghl/webhook-qr"), R"({"order_id":"seccomp-1"})");
        QVERIFY2(stored == 200, qPrintable(QStringLiteral("a webhook was answered %1, not 200:\n%2").arg(stored).arg(output(s.process))));

        // Still up a few seconds later (the worker's first round and the reconciliation ran).
        QTest::qWait(3000);
        QVERIFY2(s.process.state() == QProcess::Running,
                 qPrintable(QStringLiteral("serve %1 after start-up:\n%2").arg(how(s.process), output(s.process))));
        QCOMPARE(request("GET", s.port, QStringLiteral("/healthz")), 200);

        s.process.terminate(); // SIGTERM, as systemctl stop sends it
        QVERIFY2(s.process.waitForFinished(test::kWaitMs), "serve did not stop within 30 s of SIGTERM");
        const QString out = output(s.process);
        QVERIFY2(s.process.exitStatus() == QProcess::NormalExit && s.process.exitCode() == 0,
                 qPrintable(QStringLiteral("serve should exit 0 on SIGTERM; it %1:\n%2").arg(how(s.process), out)));
    }
};

QTEST_MAIN(TestServeUnit)
#include "tst_serve_unit.moc"
