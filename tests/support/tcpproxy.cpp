#include "support/tcpproxy.h"

#include <QElapsedTimer>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>

#ifdef Q_OS_UNIX
#include <sys/socket.h>
#endif

namespace qrt::test {

namespace {

enum class Mode { Pass, Blackhole, Refuse };

struct Chunk
{
    qint64 due = 0; // on the core's clock
    QByteArray bytes;
};

// One direction of a connection.
struct Pipe
{
    QList<Chunk> queue;
    bool sourceClosed = false;
    bool closeSent = false;
};

// One client connection and its connection to the server; sockets and timer are its children.
class Link : public QObject
{
public:
    QTcpSocket *client = nullptr;
    QTcpSocket *server = nullptr; // created once the proxy may talk to the server
    bool serverConnected = false;
    bool dead = false;
    Pipe up;   // client -> server
    Pipe down; // server -> client
    QTimer timer;
};

// Closes the socket with a reset rather than a FIN, as an operating system that forgot the
// connection would answer the next segment.
void resetSocket(QTcpSocket *socket)
{
    if (!socket)
        return;
#ifdef Q_OS_UNIX
    const qintptr fd = socket->socketDescriptor();
    if (fd >= 0) {
        linger l {};
        l.l_onoff = 1;
        l.l_linger = 0;
        ::setsockopt(int(fd), SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
#endif
    socket->abort();
}

} // namespace

// Everything here runs on the proxy's thread; TcpProxy calls in with blocking queued calls.
class TcpProxyCore : public QObject
{
public:
    TcpProxyCore(const QHostAddress &host, quint16 port) : m_target(host), m_targetPort(port) { m_clock.start(); }

    bool listen(quint16 port)
    {
        if (!m_listener) {
            m_listener = new QTcpServer(this);
            connect(m_listener, &QTcpServer::newConnection, this, &TcpProxyCore::acceptAll);
        }
        if (!m_listener->listen(QHostAddress::LocalHost, port))
            return false;
        m_port = m_listener->serverPort();
        return true;
    }

    void setMode(Mode mode)
    {
        m_mode = mode;
        if (mode == Mode::Refuse) {
            if (m_listener)
                m_listener->close();
            return;
        }
        if (m_listener && !m_listener->isListening())
            listen(m_port);
        if (mode == Mode::Pass) {
            for (Link *link : linksNow())
                pump(link);
        }
    }

    void setLatency(int ms) { m_latencyMs = std::max(0, ms); }

    void cutAll()
    {
        for (Link *link : linksNow()) {
            resetSocket(link->client);
            resetSocket(link->server);
            drop(link);
        }
    }

    void shutdown()
    {
        cutAll();
        for (const QPointer<Link> &l : std::as_const(m_links))
            delete l.data(); // now, not left to an event loop that is about to end
        m_links.clear();
        delete m_listener;
        m_listener = nullptr;
    }

    quint16 port() const { return m_port; }

    std::atomic<int> open { 0 };
    std::atomic<int> accepted { 0 };
    std::atomic<qint64> toServer { 0 };
    std::atomic<qint64> toClient { 0 };

private:
    QList<Link *> linksNow() const
    {
        QList<Link *> now;
        for (const QPointer<Link> &l : m_links) {
            if (l && !l->dead)
                now << l.data();
        }
        return now;
    }

    void acceptAll()
    {
        while (m_listener && m_listener->hasPendingConnections()) {
            QTcpSocket *socket = m_listener->nextPendingConnection();
            auto *link = new Link;
            link->setParent(this);
            socket->setParent(link);
            socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            link->client = socket;
            link->timer.setSingleShot(true);
            link->timer.setTimerType(Qt::PreciseTimer);
            connect(&link->timer, &QTimer::timeout, this, [this, link] { pump(link); });
            connect(socket, &QTcpSocket::readyRead, this, [this, link] { take(link, link->client, link->up); });
            connect(socket, &QTcpSocket::disconnected, this, [this, link] { closed(link, link->up); });
            connect(socket, &QTcpSocket::errorOccurred, this, [this, link] { closed(link, link->up); });
            m_links << link;
            ++accepted;
            ++open;
            pump(link);
        }
        m_links.removeIf([](const QPointer<Link> &l) { return l.isNull(); });
    }

    void connectServer(Link *link)
    {
        auto *server = new QTcpSocket(link);
        link->server = server;
        connect(server, &QTcpSocket::connected, this, [this, link] {
            link->serverConnected = true;
            link->server->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            pump(link);
        });
        connect(server, &QTcpSocket::readyRead, this, [this, link] { take(link, link->server, link->down); });
        connect(server, &QTcpSocket::disconnected, this, [this, link] { closed(link, link->down); });
        connect(server, &QTcpSocket::errorOccurred, this, [this, link] {
            if (!link->serverConnected) { // the server refused: so does the proxy
                resetSocket(link->client);
                drop(link);
                return;
            }
            closed(link, link->down);
        });
        server->connectToHost(m_target, m_targetPort);
    }

    void take(Link *link, QTcpSocket *from, Pipe &pipe)
    {
        if (link->dead)
            return;
        const QByteArray bytes = from->readAll();
        if (bytes.isEmpty())
            return;
        qint64 due = m_clock.elapsed() + m_latencyMs;
        if (!pipe.queue.isEmpty())
            due = std::max(due, pipe.queue.last().due); // a shorter latency never overtakes
        pipe.queue.append({ due, bytes });
        pump(link);
    }

    void closed(Link *link, Pipe &pipe)
    {
        if (link->dead || pipe.sourceClosed)
            return;
        pipe.sourceClosed = true;
        pump(link);
    }

    // Delivers what is due, closes what is finished, and arms the timer for the next chunk.
    void pump(Link *link)
    {
        if (link->dead || m_mode == Mode::Blackhole)
            return;
        if (!link->server) {
            if (link->up.sourceClosed && link->up.queue.isEmpty())
                return drop(link);
            connectServer(link);
        }
        const qint64 now = m_clock.elapsed();
        if (link->serverConnected)
            deliver(link->up, link->server, now, toServer);
        deliver(link->down, link->client, now, toClient);
        if (link->dead)
            return;
        const bool clientGone = link->client->state() == QAbstractSocket::UnconnectedState;
        const bool serverGone = link->server->state() == QAbstractSocket::UnconnectedState;
        if ((link->up.closeSent || link->down.closeSent) && clientGone && serverGone)
            return drop(link);
        qint64 next = -1;
        for (const Pipe *p : { &link->up, &link->down }) {
            if (!p->queue.isEmpty())
                next = next < 0 ? p->queue.first().due : std::min(next, p->queue.first().due);
        }
        if (next >= 0)
            link->timer.start(int(std::max<qint64>(0, next - now)));
    }

    void deliver(Pipe &pipe, QTcpSocket *to, qint64 now, std::atomic<qint64> &counter)
    {
        while (!pipe.queue.isEmpty() && pipe.queue.first().due <= now) {
            const Chunk chunk = pipe.queue.takeFirst();
            if (to->state() == QAbstractSocket::ConnectedState) {
                to->write(chunk.bytes);
                counter += chunk.bytes.size();
            }
        }
        if (pipe.queue.isEmpty() && pipe.sourceClosed && !pipe.closeSent) {
            pipe.closeSent = true;
            to->disconnectFromHost(); // after what was written; may emit disconnected at once
        }
    }

    void drop(Link *link)
    {
        if (link->dead)
            return;
        link->dead = true;
        --open;
        link->timer.stop();
        for (QTcpSocket *s : { link->client, link->server }) {
            if (!s)
                continue;
            disconnect(s, nullptr, this, nullptr);
            s->abort();
        }
        link->deleteLater();
    }

    QHostAddress m_target;
    quint16 m_targetPort = 0;
    QTcpServer *m_listener = nullptr;
    quint16 m_port = 0;
    Mode m_mode = Mode::Pass;
    int m_latencyMs = 0;
    QElapsedTimer m_clock;
    QList<QPointer<Link>> m_links;
};

namespace {

template <typename F>
void onProxyThread(TcpProxyCore *core, F &&f)
{
    QMetaObject::invokeMethod(core, std::forward<F>(f), Qt::BlockingQueuedConnection);
}

} // namespace

TcpProxy::TcpProxy(const QHostAddress &targetHost, quint16 targetPort)
    : m_thread(std::make_unique<QThread>()), m_core(new TcpProxyCore(targetHost, targetPort))
{
    m_thread->setObjectName(QStringLiteral("tcpproxy"));
    m_core->moveToThread(m_thread.get());
    m_thread->start();
}

TcpProxy::~TcpProxy()
{
    onProxyThread(m_core, [core = m_core] { core->shutdown(); });
    m_thread->quit();
    m_thread->wait();
    delete m_core; // its thread has ended; nothing of it runs any more
}

bool TcpProxy::start(quint16 port)
{
    bool ok = false;
    onProxyThread(m_core, [&] { ok = m_core->listen(port); });
    return ok;
}

quint16 TcpProxy::port() const
{
    quint16 p = 0;
    onProxyThread(m_core, [&] { p = m_core->port(); });
    return p;
}

void TcpProxy::setLatencyMs(int msEachWay)
{
    onProxyThread(m_core, [&] { m_core->setLatency(msEachWay); });
}

void TcpProxy::blackhole()
{
    onProxyThread(m_core, [&] { m_core->setMode(Mode::Blackhole); });
}

void TcpProxy::refuse()
{
    onProxyThread(m_core, [&] { m_core->setMode(Mode::Refuse); });
}

void TcpProxy::restore()
{
    onProxyThread(m_core, [&] { m_core->setMode(Mode::Pass); });
}

void TcpProxy::cutAll()
{
    onProxyThread(m_core, [&] { m_core->cutAll(); });
}

int TcpProxy::openConnections() const { return m_core->open; }
int TcpProxy::acceptedConnections() const { return m_core->accepted; }
qint64 TcpProxy::bytesToServer() const { return m_core->toServer; }
qint64 TcpProxy::bytesToClient() const { return m_core->toClient; }

} // namespace qrt::test
