// bench_listener: legitimate signed webhooks at 10/s against `qrtickets serve` (a child process,
// QRT_QRTICKETS_BIN; SQLite in a fresh home, or --database URL) while one attack at a time runs
// for --seconds (30): none (baseline), 2,000 idle sockets, 256 slowloris clients, 250 connections
// sending 1 MiB bodies with bad signatures, a /healthz pipeline flood. Per attack it prints
// listener.<attack>.ok_share (answered 200), .p99_ms (time to the answer, a failure counting with
// its time) and .rss_peak_mb (serve's VmRSS from /proc), then listener.log_lines_per_min: serve's
// stderr lines under a connect/close flood (half of the clients send a malformed line first).
// The legitimate sender connects from 127.0.0.1 (as GHL through a tunnel on the host); the
// attackers from 127.0.0.2-127.0.0.254 (Linux routes all of 127/8 to lo), as attackers on the
// venue LAN do not share GHL's address. idle_same_address is the idle attack from 127.0.0.1 too:
// the worst case, where only behaviour tells GHL from the attackers. --attacks a,b,... runs some.
// Run it through scripts/bench listener.

#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "webhook/testkeys.h"

#include "ghlsim/ghlsimulator.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#endif

using namespace qrt;
using namespace qrt::servetest;

namespace {

const QByteArray Path = "/api/ghl/webhook-qr";

void figure(const QByteArray &name, double value, int decimals)
{
    std::printf("figure: %s = %.*f\n", name.constData(), decimals, value);
    std::fflush(stdout);
}

void say(const QString &text)
{
    std::fprintf(stderr, "%s\n", qPrintable(text));
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype index = std::clamp<qsizetype>(qsizetype(std::ceil(p * double(values.size()))) - 1, 0, values.size() - 1);
    return values.at(index);
}

int intOption(const QStringList &args, const QString &name, int fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1).toInt() : fallback;
}

double rssMb(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

// The legitimate sender, on its own thread so that the attackers' work on the main thread does not
// delay it: every 100 ms a new connection with one signed webhook, timed from connect to answer.
class LegitSender : public QObject
{
public:
    struct Outcome
    {
        int status = 0;
        double ms = 0;
    };

    LegitSender(quint16 port, QList<QByteArray> requests) : m_port(port), m_requests(std::move(requests)) { }

    // Runs on the sender's thread until count requests have an outcome.
    void run(int count, int intervalMs)
    {
        QEventLoop loop;
        QTimer tick;
        int started = 0;
        QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
            if (started < count)
                startOne(m_next++);
            if (++started >= count)
                tick.stop();
        });
        tick.start(intervalMs);
        QTimer check;
        QObject::connect(&check, &QTimer::timeout, &loop, [&] {
            if (started >= count && m_pending == 0)
                loop.quit();
        });
        check.start(50);
        loop.exec();
    }

    QList<Outcome> take()
    {
        QMutexLocker lock(&m_mutex);
        return std::exchange(m_outcomes, {});
    }

private:
    void startOne(int index)
    {
        auto *socket = new QTcpSocket;
        auto *timer = new QElapsedTimer;
        auto *buffer = new QByteArray;
        auto *deadline = new QTimer(socket);
        timer->start();
        ++m_pending;
        const QByteArray request = m_requests.at(index % m_requests.size());
        auto finish = [this, socket, timer, buffer](int status) {
            if (socket->property("done").toBool())
                return;
            socket->setProperty("done", true);
            {
                QMutexLocker lock(&m_mutex);
                m_outcomes.append({ status, double(timer->nsecsElapsed()) / 1e6 });
            }
            --m_pending;
            delete timer;
            delete buffer;
            socket->abort();
            socket->deleteLater();
        };
        QObject::connect(socket, &QTcpSocket::connected, socket, [socket, request] { socket->write(request); });
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer, finish] {
            *buffer += socket->readAll();
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            qsizetype length = 0;
            for (const QByteArray &line : buffer->left(end).split('\n')) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            if (buffer->size() >= end + 4 + length)
                finish(buffer->split(' ').value(1).toInt());
        });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [finish] { finish(0); });
        QObject::connect(socket, &QAbstractSocket::errorOccurred, socket, [finish, socket, timer] {
            if (!qEnvironmentVariableIsEmpty("QRT_BENCH_DEBUG") && !socket->property("done").toBool())
                say(QStringLiteral("legitimate delivery failed after %1 ms: %2").arg(timer->elapsed()).arg(socket->errorString()));
            finish(0);
        });
        QObject::connect(deadline, &QTimer::timeout, socket, [finish] { finish(0); });
        deadline->start(10000);
        socket->connectToHost(QHostAddress::LocalHost, m_port);
    }

    quint16 m_port;
    QList<QByteArray> m_requests;
    int m_next = 0;
    int m_pending = 0;
    QMutex m_mutex;
    QList<Outcome> m_outcomes;
};

// One attack: `clients` sockets on this thread, each reopened when the server closes it. The
// behaviour is given by onConnected (what to send first) and onTick (every tickMs per socket).
class Attack : public QObject
{
public:
    std::function<void(QTcpSocket *)> onConnected;
    std::function<void(QTcpSocket *)> onTick;
    std::function<void(QTcpSocket *)> onBytesWritten;
    bool readAnswers = true;
    bool reconnect = true;
    bool sameAddressAsGhl = false; // else from 127.0.0.2-127.0.0.254, in turn

    Attack(quint16 port, int clients, int tickMs = 0) : m_port(port), m_clients(clients)
    {
        if (tickMs > 0) {
            connect(&m_tick, &QTimer::timeout, this, [this] {
                const auto sockets = m_sockets;
                for (QTcpSocket *s : sockets) {
                    if (onTick && s->state() == QAbstractSocket::ConnectedState)
                        onTick(s);
                }
            });
            m_tick.setInterval(tickMs);
        }
    }
    ~Attack() override { stop(); }

    void start()
    {
        m_running = true;
        // Opened a few hundred at a time, so the kernel's accept queue is not what is measured.
        for (int i = 0; i < m_clients; ++i)
            QTimer::singleShot(i / 200 * 20, this, [this] { open(); });
        if (m_tick.interval() > 0)
            m_tick.start();
    }
    void stop()
    {
        m_running = false;
        m_tick.stop();
        const auto sockets = m_sockets;
        m_sockets.clear();
        for (QTcpSocket *s : sockets) {
            s->disconnect(this);
            s->abort();
            s->deleteLater();
        }
    }
    quint64 connects() const { return m_connects; }

    void open()
    {
        if (!m_running)
            return;
        auto *s = new QTcpSocket(this);
        m_sockets.append(s);
        ++m_connects;
        connect(s, &QTcpSocket::connected, this, [this, s] {
            if (onConnected)
                onConnected(s);
        });
        connect(s, &QTcpSocket::readyRead, this, [this, s] {
            if (readAnswers)
                s->readAll();
        });
        connect(s, &QTcpSocket::bytesWritten, this, [this, s] {
            if (onBytesWritten)
                onBytesWritten(s);
        });
        connect(s, &QTcpSocket::disconnected, this, [this, s] { replace(s); });
        connect(s, &QAbstractSocket::errorOccurred, this, [this, s] { replace(s); });
        if (!sameAddressAsGhl)
            s->bind(QHostAddress(quint32(0x7f000002u + m_connects % 253)));
        s->connectToHost(QHostAddress::LocalHost, m_port);
    }

private:
    void replace(QTcpSocket *s)
    {
        if (!m_sockets.removeOne(s))
            return;
        s->disconnect(this);
        s->deleteLater();
        if (m_running && reconnect)
            QTimer::singleShot(0, this, [this] { open(); });
    }

    quint16 m_port;
    int m_clients;
    QTimer m_tick;
    bool m_running = false;
    QList<QTcpSocket *> m_sockets;
    quint64 m_connects = 0;
};

std::unique_ptr<Attack> makeAttack(const QString &name, quint16 port)
{
    if (name == u"idle")
        return std::make_unique<Attack>(port, 2000);
    if (name == u"idle_same_address") {
        auto a = std::make_unique<Attack>(port, 2000);
        a->sameAddressAsGhl = true;
        return a;
    }
    if (name == u"slowloris") {
        auto a = std::make_unique<Attack>(port, 256, 500);
        a->onConnected = [](QTcpSocket *s) { s->write("POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "); };
        a->onTick = [](QTcpSocket *s) { s->write("z"); };
        return a;
    }
    if (name == u"bigbody") {
        // 250 connections sending 1 MiB bodies with a bad signature as fast as they are read.
        auto a = std::make_unique<Attack>(port, 250);
        static const QByteArray chunk(64 * 1024, 'x');
        const auto topUp = [](QTcpSocket *s) {
            qint64 left = s->property("left").toLongLong();
            while (left > 0 && s->bytesToWrite() < 128 * 1024) {
                const qint64 n = std::min<qint64>(left, chunk.size());
                s->write(chunk.constData(), n);
                left -= n;
            }
            s->setProperty("left", left);
        };
        a->onConnected = [topUp](QTcpSocket *s) {
            s->write("POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "X-GHL-Signature: AAAA\r\nContent-Length: 1048576\r\n\r\n");
            s->setProperty("left", qint64(1048576));
            topUp(s);
        };
        a->onBytesWritten = topUp;
        return a;
    }
    if (name == u"healthz") {
        // Pipelined GET /healthz as fast as the listener takes them, on 16 connections.
        auto a = std::make_unique<Attack>(port, 16);
        static const QByteArray batch = [] {
            QByteArray b;
            for (int i = 0; i < 200; ++i)
                b += "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
            return b;
        }();
        const auto topUp = [](QTcpSocket *s) {
            while (s->bytesToWrite() < 64 * 1024)
                s->write(batch);
        };
        a->onConnected = topUp;
        a->onBytesWritten = topUp;
        return a;
    }
    if (name == u"connectclose") {
        // Connect and close at once; every other client sends a malformed line first.
        auto a = std::make_unique<Attack>(port, 64);
        a->onConnected = [](QTcpSocket *s) {
            static int n = 0;
            if (++n % 2)
                s->write("\x01garbage\r\n\r\n");
            s->flush();
            s->abort();
        };
        return a;
    }
    return nullptr;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int seconds = std::max(5, intOption(args, QStringLiteral("--seconds"), 30));
    const qsizetype dbIndex = args.indexOf(QStringLiteral("--database"));
    const QString bin = test::qrticketsBinary();
    if (!QFile::exists(bin)) {
        say(QStringLiteral("bench_listener needs QRT_QRTICKETS_BIN; run it through scripts/bench listener."));
        return 2;
    }
#ifdef Q_OS_LINUX
    // 2,000 idle sockets plus the rest need more than the usual 1,024 descriptors (this process
    // only; serve keeps what it was given).
    rlimit files {};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < 8192) {
        const rlim_t before = files.rlim_cur;
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, 8192);
        setrlimit(RLIMIT_NOFILE, &files);
        say(QStringLiteral("open files: raised from %1 to %2 for the attackers").arg(before).arg(files.rlim_cur));
    }
#endif

    QStringList attacks { QStringLiteral("baseline"), QStringLiteral("idle"), QStringLiteral("idle_same_address"),
                          QStringLiteral("slowloris"), QStringLiteral("bigbody"), QStringLiteral("healthz") };
    bool logFlood = true;
    if (const qsizetype i = args.indexOf(QStringLiteral("--attacks")); i >= 0 && i + 1 < args.size()) {
        attacks = args.at(i + 1).split(u',', Qt::SkipEmptyParts);
        logFlood = attacks.removeAll(QStringLiteral("logs")) > 0;
    }
    const int perPhase = seconds * 10;
    ghlsim::GhlSimulator sim;
    sim.setRateLimit(0, 10000);
    if (!sim.listen()) {
        say(QStringLiteral("the GHL simulator cannot listen"));
        return 1;
    }
    sim.generate(perPhase * int(attacks.size()), 2026);
    const QStringList orderIds = sim.orderIds();
    const auto key = webhook::testing::TestKey::ed25519();
    QList<QByteArray> requests;
    for (qsizetype i = 0; i < orderIds.size(); ++i) {
        const QByteArray body = marketplaceBody(sim.orderJson(orderIds.at(i)), QStringLiteral("listener-%1").arg(i), sim.locationId());
        QByteArray r = rawPost(Path, body, "Connection: close\r\nX-GHL-Signature: " + key.sign(body) + "\r\n");
        requests << r;
    }

    test::FreshHome home;
    const QString database = dbIndex >= 0 && dbIndex + 1 < args.size()
        ? args.at(dbIndex + 1)
        : QStringLiteral("sqlite://") + home.filePath(QStringLiteral("listener.db"));
    const quint16 port = test::freePort();
    const QProcessEnvironment env = home.environment({
        { QStringLiteral("QRTICKETS_DATABASE_URL"), database },
        { QStringLiteral("QRTICKETS_GHL_BASE_URL"), sim.baseUrl().toString() },
        { QStringLiteral("QRTICKETS_GHL_TOKEN"), sim.token() },
        { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), sim.locationId() },
        { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(port) },
        { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("ghl-signature") },
        { QStringLiteral("QRTICKETS_WEBHOOK_GHL_PUBLIC_KEY"), QString::fromLatin1(key.spkiBase64()) },
        { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("bench") },
    });
    const auto serveChild = test::startChild(bin, { QStringLiteral("serve") }, env, QProcess::SeparateChannels);
    QProcess &serve = *serveChild;
    std::atomic<qint64> logLines { 0 };
    QObject::connect(&serve, &QProcess::readyReadStandardError, &serve, [&] {
        const QByteArray err = serve.readAllStandardError();
        logLines += err.count('\n');
        if (!qEnvironmentVariableIsEmpty("QRT_BENCH_SERVE_LOG")) {
            QFile f(qEnvironmentVariable("QRT_BENCH_SERVE_LOG"));
            if (f.open(QIODevice::Append))
                f.write(err);
        }
    });
    QObject::connect(&serve, &QProcess::readyReadStandardOutput, &serve, [&] { serve.readAllStandardOutput(); });
    QNetworkAccessManager nam;
    const QUrl health(QStringLiteral("http://127.0.0.1:%1/healthz").arg(port));
    bool up = false;
    for (int i = 0; i < 300 && !up; ++i) {
        up = send(nam, "GET", health, {}, {}, 2000).status == 200;
        if (!up) {
            QEventLoop wait;
            QTimer::singleShot(100, &wait, &QEventLoop::quit);
            wait.exec();
        }
    }
    if (!up) {
        say(QStringLiteral("qrtickets serve did not come up"));
        return 1;
    }
    const qint64 pid = serve.processId();
    say(QStringLiteral("listener bench: %1 s per attack, legitimate signed webhooks at 10/s, database %2")
            .arg(seconds).arg(database.startsWith(u"sqlite") ? QStringLiteral("SQLite") : QStringLiteral("as given")));

    QThread senderThread;
    senderThread.start();
    LegitSender sender(port, requests);
    sender.moveToThread(&senderThread);
    const auto pause = [](int ms) {
        QEventLoop wait;
        QTimer::singleShot(ms, &wait, &QEventLoop::quit);
        wait.exec();
    };

    bool allMet = true;
    for (const QString &name : attacks) {
        std::unique_ptr<Attack> attack = makeAttack(name, port);
        if (attack)
            attack->start();
        double peak = rssMb(pid);
        QTimer sampler;
        QObject::connect(&sampler, &QTimer::timeout, [&] { peak = std::max(peak, rssMb(pid)); });
        sampler.start(200);
        pause(1000); // the attack is in full swing before the first legitimate delivery
        std::atomic_bool done { false };
        QMetaObject::invokeMethod(&sender, [&] {
            sender.run(perPhase, 100);
            done = true;
        }, Qt::QueuedConnection);
        while (!done)
            pause(50);
        const quint64 attackConnects = attack ? attack->connects() : 0;
        if (attack)
            attack->stop();
        sampler.stop();
        const QList<LegitSender::Outcome> outcomes = sender.take();
        QList<double> ms;
        int ok = 0;
        QMap<int, int> statuses;
        for (const LegitSender::Outcome &o : outcomes) {
            ms << o.ms;
            ok += o.status == 200 ? 1 : 0;
            ++statuses[o.status];
        }
        const double share = outcomes.isEmpty() ? 0 : double(ok) / double(outcomes.size());
        const double p99 = percentile(ms, 0.99);
        const QByteArray prefix = "listener." + name.toLatin1();
        figure(prefix + ".ok_share", share, 3);
        figure(prefix + ".p99_ms", p99, 1);
        figure(prefix + ".rss_peak_mb", peak, 1);
        QStringList spread;
        for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
            spread << QStringLiteral("%1 x%2").arg(it.key()).arg(it.value());
        say(QStringLiteral("%1: %2 legitimate deliveries (%3), p50 %4 ms, %5 attacker connections")
                .arg(name).arg(outcomes.size()).arg(spread.join(u", ")).arg(percentile(ms, 0.5), 0, 'f', 1)
                .arg(attackConnects));
        allMet = allMet && share >= 1.0 && p99 < 100 && peak < 300;
        pause(3000); // the listener closes what the attack left
    }

    // Log volume under a connect/close flood.
    if (logFlood) {
        std::unique_ptr<Attack> flood = makeAttack(QStringLiteral("connectclose"), port);
        pause(500);
        serve.readAllStandardError();
        const qint64 before = logLines;
        flood->start();
        QElapsedTimer t;
        t.start();
        pause(std::max(seconds, 60) * 1000); // a whole minute: summaries are per minute
        flood->stop();
        pause(11000); // the next summary of the minute is written within 10 s
        const double minutes = double(t.elapsed()) / 60000.0;
        const double perMinute = double(logLines - before) / minutes;
        figure("listener.log_lines_per_min", perMinute, 1);
        say(QStringLiteral("connect/close flood: %1 connections, %2 log lines in %3 s")
                .arg(flood->connects()).arg(logLines - before).arg(t.elapsed() / 1000));
        allMet = allMet && perMinute < 100;
    }
    senderThread.quit();
    senderThread.wait();
    serve.terminate();
    serve.waitForFinished(60000);
    return allMet ? 0 : 1;
}
