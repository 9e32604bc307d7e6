#pragma once

#include "ghlsim/simresponse.h"
#include "ghlsim/simtypes.h"
#include "webhook/httpresponder.h"

#include <QList>
#include <QObject>

#include <functional>

class QTimer;

namespace qrt::webhook {
struct HttpRequest;
}

namespace qrt::ghlsim {

// The simulator's HTTP side: src/webhook's HttpServer (its parser, keep-alive and pipelining) on
// 127.0.0.1, every request handed to one callback as a SimRequest. Answers wait out the latency
// knob; an answer a "hang" fault withholds is parked until close(), so the client times out.
// A child of the simulator, so that moveToThread() takes the listener along.
class SimTransport : public QObject
{
public:
    using Handler = std::function<SimResponse(SimRequest &request)>;

    SimTransport(Handler handler, QObject *parent);
    ~SimTransport() override;

    bool listen(quint16 port);
    // Stops listening and closes every connection; parked and delayed answers are dropped.
    void close();
    bool isListening() const;
    quint16 port() const;

    void setLatencyMs(int ms) { m_latencyMs = ms; }
    int openConnections() const;
    int maxOpenConnections() const;
    void resetMaxOpenConnections(); // to the connections open now

private:
    class Listener;

    void onRequest(const webhook::HttpRequest &request, const webhook::HttpResponder &responder);
    void answerLater(const webhook::HttpResponder &responder, const SimResponse &response);
    void dropPending();

    Handler m_handler;
    Listener *m_listener;
    int m_latencyMs = 0;
    QList<webhook::HttpResponder> m_parked; // hung requests; a connection waits for its answer
    QList<QTimer *> m_delayed;              // answers waiting out the latency
};

} // namespace qrt::ghlsim
