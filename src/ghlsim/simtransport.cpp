#include "ghlsim/simtransport.h"

#include "ghlsim/ghlsimulator.h"
#include "webhook/httpserver.h"

#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace qrt::ghlsim {

namespace {

webhook::HttpServer::Options serverOptions()
{
    webhook::HttpServer::Options o;
    o.maxConnections = 100000;       // tests and benchmarks open many; nothing is refused
    o.idleTimeoutMs = 5 * 60 * 1000; // longer than QNetworkAccessManager keeps an idle connection
    o.limits.maxHeaderBytes = 64 * 1024;
    o.limits.maxBodyBytes = 54 * 1024 * 1024; // forms.json's 50 MB upload, with room for the multipart framing
    o.webSocketPath.clear(); // GHL has no event feed
    o.logCategory = &lcGhlSim;
    return o;
}

SimRequest toSimRequest(const webhook::HttpRequest &in)
{
    SimRequest r;
    r.method = in.method;
    const QUrl target(QString::fromLatin1(in.target));
    r.path = target.path();
    r.query = QUrlQuery(target.query(QUrl::FullyEncoded));
    for (const auto &[name, value] : in.headers)
        r.headers.insert(name, value); // the parser lower-cases names; a repeated header: the last wins
    r.body = in.body;
    return r;
}

webhook::HttpResponse toHttpResponse(const SimResponse &in)
{
    webhook::HttpResponse r;
    r.status = in.status;
    r.body = in.body;
    r.contentType = QByteArrayLiteral("application/json; charset=utf-8");
    r.headers = in.headers;
    return r;
}

} // namespace

// Remembers the most connections open at once.
class SimTransport::Listener : public webhook::HttpServer
{
public:
    using HttpServer::HttpServer;
    int peak = 0;

protected:
    void incomingConnection(qintptr socketDescriptor) override
    {
        HttpServer::incomingConnection(socketDescriptor);
        peak = std::max(peak, connectionCount());
    }
};

SimTransport::SimTransport(Handler handler, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_listener(new Listener(serverOptions(), this))
{
    m_listener->setFallbackHandler([this](const webhook::HttpRequest &request, const webhook::HttpResponder &responder) {
        onRequest(request, responder);
    });
}

SimTransport::~SimTransport()
{
    // A held responder refers to its connection: drop them all while the connections exist.
    close();
}

bool SimTransport::listen(quint16 port)
{
    m_listener->setListenBacklogSize(512);
    if (!m_listener->listen(QHostAddress::LocalHost, port)) {
        qCWarning(lcGhlSim) << "cannot listen on 127.0.0.1 port" << port << ":" << m_listener->errorString();
        return false;
    }
    return true;
}

void SimTransport::close()
{
    // Closing first means the answers dropped below end their connections instead of serving
    // further pipelined requests.
    if (m_listener->isListening() || m_listener->connectionCount() > 0)
        m_listener->stop();
    dropPending();
}

bool SimTransport::isListening() const
{
    return m_listener->isListening();
}

quint16 SimTransport::port() const
{
    return m_listener->serverPort();
}

int SimTransport::openConnections() const
{
    return m_listener->connectionCount();
}

int SimTransport::maxOpenConnections() const
{
    return m_listener->peak;
}

void SimTransport::resetMaxOpenConnections()
{
    m_listener->peak = m_listener->connectionCount();
}

void SimTransport::onRequest(const webhook::HttpRequest &request, const webhook::HttpResponder &responder)
{
    SimRequest simRequest = toSimRequest(request);
    const SimResponse response = m_handler(simRequest);
    if (response.hang) {
        // Nothing more is answered on this connection until the client gives up.
        m_parked.append(responder);
    } else if (m_latencyMs > 0) {
        answerLater(responder, response);
    } else {
        responder.send(toHttpResponse(response));
    }
}

void SimTransport::answerLater(const webhook::HttpResponder &responder, const SimResponse &response)
{
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, timer, responder, answer = toHttpResponse(response)] {
        m_delayed.removeOne(timer);
        timer->deleteLater();
        responder.send(answer);
    });
    m_delayed.append(timer);
    timer->start(m_latencyMs);
}

void SimTransport::dropPending()
{
    // A responder dropped unanswered answers 500 to a connection still open, or just lets a
    // connection whose client is gone be deleted.
    m_parked.clear();
    const QList<QTimer *> delayed = std::exchange(m_delayed, {});
    qDeleteAll(delayed);
}

} // namespace qrt::ghlsim
