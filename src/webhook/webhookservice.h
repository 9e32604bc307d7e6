#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "db/database.h"
#include "db/inboxrepository.h"
#include "webhook/httpserver.h"
#include "webhook/inboxsink.h"
#include "webhook/inboxworker.h"
#include "webhook/webhookhandler.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>
#include <QThread>
#include <QThreadPool>
#include <QTimer>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>

namespace qrt::feed {
class EventFeed;
}

namespace qrt::webhook {

struct WebhookServiceSettings
{
    core::WebhookSettings webhook;
    core::GhlSettings ghl;
    core::QrSettings qr;
    QString feedToken;
    InboxWorkerOptions worker;
    HttpServer::Options http;
    int handlerThreads = 0; // signature checks and parsing off the listener's thread; 0: one per core
    // Done inbox events older than this are deleted in the background, every pruneIntervalS; never
    // one younger than the replay window plus an hour (its retry must stay a duplicate).
    int inboxKeepDays = 30;
    int pruneIntervalS = 3600;

    // [webhook], [ghl], [qr], [feed] and [station] of a configuration.
    static WebhookServiceSettings fromConfig(const core::Config &config);
};

// A webhook the listener refused (401, 400, 413, 422, 429, ...), for the listener panel. Never a
// secret: the reason is the answer's text, with control characters shown escaped and bounded.
struct RejectedDelivery
{
    QDateTime at;
    QString peer;
    int status = 0;
    QString reason;
};

// What `qrtickets serve` (and the desktop's listener) runs: the HTTP listener with the webhook
// route and /healthz, signature checks on a thread per core, group commits to the inbox (the 200
// goes out only after the commit), the inbox worker on its own thread, and the event feed on /ws
// of the same port.
class WebhookService : public QObject
{
    Q_OBJECT
public:
    WebhookService(std::shared_ptr<db::Database> database, WebhookServiceSettings settings,
                   const core::Clock &clock = core::SystemClock::instance(), QObject *parent = nullptr);
    ~WebhookService() override;

    // Starts the worker and listens. Errors: a bad public key, auth = none beyond loopback
    // ("webhook.insecure"), the port in use.
    core::Result<void> start();
    // Stops accepting webhooks (open connections are closed once answered); the worker goes on
    // with what the inbox holds, and the feed stays. listen() starts accepting again.
    void stopListening();
    // Accepts webhooks again, with these settings: authentication, keys and secret, path, bind
    // address, port and the feed token take effect now, so a station can change them without
    // restarting. The worker keeps its GHL and QR settings. Needs a started service. Settings it
    // must refuse change nothing; if it cannot listen with them (port taken), it listens as
    // before and returns the error. The /healthz counters of this process start again from 0.
    // Waits for the commits in progress, which takes long only while the database is away.
    core::Result<void> listen(const core::WebhookSettings &webhook, const QString &feedToken);
    // What a window's Start does: start() the first time, later listen() again with the settings
    // the service has now (setSettings() keeps them current).
    core::Result<void> startListening();
    // The configuration changed while the application runs. The worker takes the GHL and QR
    // settings for its next event; a listening listener listens again when its own settings (bind,
    // port, path, authentication, keys, secret, feed token) differ, and returns listen()'s error;
    // one that is not listening takes them at its next start.
    core::Result<void> setSettings(const WebhookServiceSettings &settings);
    // Stops accepting, lets the commits and the events in progress finish, then emits stopped().
    void stop();
    bool isRunning() const { return m_running; }
    bool isListening() const { return m_server.isListening(); }

    quint16 port() const { return m_server.serverPort(); }
    HttpServer &server() { return m_server; }
    feed::EventFeed &feed() { return *m_feed; }
    InboxWorker *worker() const { return m_worker; }
    WebhookRequestHandler *handler() const { return m_handler.get(); } // replaced by listen()
    QStringList warnings() const { return m_warnings; }

    // Keeps (stores) a [feed] token the service generated: called when the listener is about to
    // listen beyond loopback and no token is set. Returns why it cannot be kept; the feed then
    // stays closed (every /ws request 401) and warnings() says so. Without a keeper nothing is
    // generated. The generated token is used for the rest of this service's life, also when new
    // settings still carry none (the keeper's owner saves it to them).
    using FeedTokenKeeper = std::function<core::Result<void>(const QString &token)>;
    void setFeedTokenKeeper(FeedTokenKeeper keeper) { m_feedTokenKeeper = std::move(keeper); }
    QString feedToken() const { return m_settings.feedToken; }

    // /healthz: "status" ("ok", or "degraded" while the database does not answer) and the detail
    // (inbox depth, dead count, last error, ...). A cached probe: at most one database probe
    // every HealthMaxAgeMs however many ask; only the first call after start may wait for it.
    QJsonObject status();
    static constexpr int HealthMaxAgeMs = 2000;
    quint64 healthProbes() const { return m_probes.load(); } // database probes so far
    // More detail for /healthz's authenticated callers (e.g. the last reconciliation), merged in.
    // Called on a pool thread at most once per probe; must not block for long.
    void setStatusDetail(std::function<QJsonObject()> detail);

    // Deletes done inbox events older than the retention (see WebhookServiceSettings); runs on
    // the calling thread. The service calls it in the background every pruneIntervalS.
    core::Result<int> pruneInbox();

    // The last refused deliveries, newest last (at most MaxRejections). Any thread.
    QList<RejectedDelivery> recentRejections() const;
    static constexpr int MaxRejections = 50;

Q_SIGNALS:
    void stopped();
    // After start(), stopListening(), listen() and stop(): whether webhooks are accepted now.
    void listeningChanged(bool listening);
    // A delivery was refused; emitted on this object's thread.
    void deliveryRejected(const qrt::webhook::RejectedDelivery &rejected);

private:
    void install(WebhookAuthenticator authenticator);
    void finishStop();
    // The token the feed uses with these settings: `token`, else a generated one (kept by the
    // keeper) when bound beyond loopback; *problem says why there is none where one is needed.
    QString feedTokenFor(const core::WebhookSettings &webhook, const QString &token, QString *problem);
    void applyFeedGate(const core::WebhookSettings &webhook, const QString &token);
    void noteRejected(int status, const QString &reason, const QHostAddress &peer);
    QJsonObject probe();

    std::shared_ptr<db::Database> m_database;
    WebhookServiceSettings m_settings;
    const core::Clock &m_clock;
    BatchingInboxSink m_sink;
    HttpServer m_server;
    feed::EventFeed *m_feed;
    std::unique_ptr<WebhookRequestHandler> m_handler;
    QThreadPool m_handlerPool;
    QThread m_workerThread;
    InboxWorker *m_worker = nullptr;
    class TicketEventRelay *m_relay = nullptr; // ticket_status_changed for the feed
    QStringList m_warnings;
    FeedTokenKeeper m_feedTokenKeeper;
    QString m_generatedFeedToken; // kept by the keeper; empty: none generated
    bool m_running = false;
    bool m_stopping = false;
    QTimer *m_pruneTimer = nullptr;
    std::atomic_bool m_pruning { false };
    std::atomic<quint64> m_probes { 0 };
    mutable std::mutex m_healthMutex;
    std::condition_variable m_healthDone;
    QJsonObject m_health;          // the last probe's answer; empty before the first
    qint64 m_healthAtMs = -1;      // when it was taken (m_healthClock)
    qint64 m_probeStartedMs = -1;  // a probe runs since then; -1: none
    QElapsedTimer m_healthClock;
    std::function<QJsonObject()> m_statusDetail;
    mutable std::mutex m_rejectionsMutex;
    QList<RejectedDelivery> m_rejections;
};

} // namespace qrt::webhook

Q_DECLARE_METATYPE(qrt::webhook::RejectedDelivery)
