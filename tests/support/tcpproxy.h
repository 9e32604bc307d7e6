#pragma once

#include <QHostAddress>
#include <QString>

#include <memory>

class QThread;

namespace qrt::test {

class TcpProxyCore;

// A TCP proxy on 127.0.0.1 between a client and a server (PostgreSQL, the GHL simulator, any TCP
// service), for tests and benchmarks that need a bad network: it runs on a thread of its own, so a
// test may block (a QSqlQuery waiting on PostgreSQL) while the proxy keeps working.
//
//   TcpProxy proxy(QHostAddress::LocalHost, pgPort);
//   proxy.start();                 // then connect the client to proxy.port()
//   proxy.setLatencyMs(10);        // 10 ms each way: 20 ms round trips, byte order kept
//   proxy.blackhole();             // the network vanishes: nothing forwarded, nothing answered
//   proxy.restore();               // it comes back: what was held is delivered, in order
//
// Modes (each call returns once the proxy's thread has applied it):
// - pass: bytes forwarded both ways, after the latency if one is set.
// - blackhole: what a dropped Wi-Fi does. New connections are accepted (no RST, no answer: a
//   PostgreSQL client waits for its start-up reply until its connect_timeout), nothing is forwarded
//   either way on any connection, old or new, and no connection is closed. Bytes sent meanwhile are
//   held and delivered in order on restore(), as TCP retransmits them when the network returns; a
//   client that gave up meanwhile closes its side, and that close reaches the server on restore().
//   Limit: on loopback the kernel still acknowledges every segment, so TCP keepalives and
//   tcp_user_timeout do not fire; the client's own deadlines (connect_timeout, a ping with a timer)
//   do. Use cutAll() for the moment the operating system finally gives up on a connection.
// - refuse: the server is down: new connections are refused (the listening port is closed:
//   "connection refused"); existing ones are left as they are (cutAll() closes them).
// - restore(): back to pass (the latency stays as set), on the same port.
class TcpProxy
{
public:
    TcpProxy(const QHostAddress &targetHost, quint16 targetPort);
    ~TcpProxy();
    TcpProxy(const TcpProxy &) = delete;
    TcpProxy &operator=(const TcpProxy &) = delete;

    // Listens on 127.0.0.1 (`port` 0: any free port); false when it cannot.
    bool start(quint16 port = 0);
    quint16 port() const;

    void setLatencyMs(int msEachWay);
    void blackhole();
    void refuse();
    void restore();
    // Closes every current connection at once, both sides, with a reset (what a client sees when the
    // server or a NAT forgets it); new ones are served according to the mode.
    void cutAll();

    // Connections open now (both sides), and accepted since start().
    int openConnections() const;
    int acceptedConnections() const;
    // Bytes forwarded client->server and server->client (held bytes count once delivered).
    qint64 bytesToServer() const;
    qint64 bytesToClient() const;

private:
    std::unique_ptr<QThread> m_thread;
    TcpProxyCore *m_core = nullptr; // lives on m_thread
};

} // namespace qrt::test
