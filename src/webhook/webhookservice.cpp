#include "webhook/webhookservice.h"

#include "webhook/ticketeventrelay.h"

#include "feed/eventfeed.h"
#include "webhook/webhooklogging.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QTcpSocket>

namespace qrt::webhook {

WebhookServiceSettings WebhookServiceSettings::fromConfig(const core::Config &config)
{
    WebhookServiceSettings s;
    s.webhook = config.webhook();
    s.ghl = config.ghl();
    s.qr = config.qr();
    s.feedToken = config.text(core::ConfigKey::FeedToken);
    s.worker.station = config.stationName();
    s.worker.concurrency = std::max(1, s.ghl.concurrency);
    return s;
}

WebhookService::WebhookService(std::shared_ptr<db::Database> database, WebhookServiceSettings settings,
                               const core::Clock &clock, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_settings(std::move(settings)), m_clock(clock),
      m_sink(m_database, clock), m_server(m_settings.http), m_feed(new feed::EventFeed(clock, this))
{
    m_handlerPool.setMaxThreadCount(m_settings.handlerThreads > 0 ? m_settings.handlerThreads
                                                                  : std::max(2, QThread::idealThreadCount()));
    m_workerThread.setObjectName(QStringLiteral("inbox-worker"));
    connect(&m_server, &HttpServer::webSocketUpgradeRequested, m_feed, &feed::EventFeed::handleConnection,
            Qt::DirectConnection);
    qRegisterMetaType<RejectedDelivery>();
    m_healthClock.start();
    // Refusals the HTTP layer answers itself (413, 411, 431, 415, a malformed request ...); the
    // webhook handler reports its own (401, 400, 422, 429) with their reasons.
    connect(&m_server, &HttpServer::requestAnswered, this,
            [this](const QByteArray &, const QByteArray &path, int status, const QHostAddress &peer) {
                if (status < 400 || status == 404 || status == 405)
                    return;
                const bool handlerAnswer = status == 400 || status == 401 || status == 422 || status == 429;
                if (path.isEmpty() || (path == m_settings.webhook.path.toUtf8() && !handlerAnswer))
                    noteRejected(status, QString::fromLatin1(reasonPhrase(status)), peer);
            });
    // Pruning deletes on a pool thread, never on this one (the GUI's, in the desktop).
    m_pruneTimer = new QTimer(this);
    m_pruneTimer->setInterval(std::max(1, m_settings.pruneIntervalS) * 1000);
    connect(m_pruneTimer, &QTimer::timeout, this, [this] {
        if (m_pruning.exchange(true))
            return; // the previous prune still runs
        m_handlerPool.start([this] {
            if (auto pruned = pruneInbox(); !pruned)
                qCWarning(lcWebhook).noquote() << "could not prune the webhook inbox:" << pruned.error().toString();
            m_pruning = false;
        });
    });
}

WebhookService::~WebhookService()
{
    m_pruneTimer->stop();
    m_server.stop();
    m_handlerPool.waitForDone();
    m_sink.waitIdle(); // its callbacks answer through the handler
    if (m_workerThread.isRunning()) {
        if (m_worker)
            QMetaObject::invokeMethod(m_worker, &InboxWorker::stop, Qt::QueuedConnection);
        m_workerThread.quit();
        m_workerThread.wait();
    }
}

core::Result<void> WebhookService::start()
{
    if (m_running)
        return {};
    auto auth = WebhookAuthenticator::create(m_settings.webhook, m_clock);
    if (!auth)
        return auth.error();
    if (auto exposed = HttpServer::checkExposure(m_settings.webhook); !exposed)
        return exposed.error();

    m_worker = new InboxWorker(m_database, m_settings.ghl, m_settings.qr, m_settings.worker, m_clock);
    m_worker->moveToThread(&m_workerThread);
    connect(&m_workerThread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &InboxWorker::eventProcessed, m_feed,
            [feed = m_feed](qint64, const QString &orderId, const QString &, const QJsonObject &details) {
                feed->publishOrderSynced(orderId, details);
            });
    connect(m_worker, &InboxWorker::stopped, this, &WebhookService::finishStop, Qt::QueuedConnection);
    if (!m_relay)
        m_relay = new TicketEventRelay(m_database, *m_feed, this);
    QString feedProblem;
    m_settings.feedToken = feedTokenFor(m_settings.webhook, m_settings.feedToken, &feedProblem);
    applyFeedGate(m_settings.webhook, m_settings.feedToken);
    install(auth.value());
    if (!feedProblem.isEmpty())
        m_warnings << feedProblem;
    m_workerThread.start();
    QMetaObject::invokeMethod(m_worker, &InboxWorker::start, Qt::QueuedConnection);

    if (auto started = m_server.start(m_settings.webhook); !started) {
        QMetaObject::invokeMethod(m_worker, &InboxWorker::stop, Qt::QueuedConnection);
        m_workerThread.quit();
        m_workerThread.wait();
        m_worker = nullptr;
        return started.error();
    }
    m_running = true;
    m_pruneTimer->start();
    emit listeningChanged(true);
    return {};
}

core::Result<void> WebhookService::startListening()
{
    if (!m_running)
        return start();
    return listen(m_settings.webhook, m_settings.feedToken);
}

core::Result<void> WebhookService::setSettings(const WebhookServiceSettings &settings)
{
    m_settings.ghl = settings.ghl;
    m_settings.qr = settings.qr;
    if (m_worker) {
        QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, ghl = settings.ghl, qr = settings.qr] { worker->setSettings(ghl, qr); },
            Qt::QueuedConnection);
    }
    // [webhook] enabled only says whether the desktop starts the listener at launch: a running
    // listener does not listen again for it.
    core::WebhookSettings comparable = settings.webhook;
    comparable.enabled = m_settings.webhook.enabled;
    // A token generated here stays until the settings carry one of their own.
    const QString feedToken = settings.feedToken.isEmpty() && !m_generatedFeedToken.isEmpty()
        && comparable.bindsBeyondLoopback() ? m_generatedFeedToken : settings.feedToken;
    if (comparable == m_settings.webhook && feedToken == m_settings.feedToken) {
        m_settings.webhook.enabled = settings.webhook.enabled;
        return {};
    }
    if (!m_running || m_stopping || !m_server.isListening()) {
        m_settings.webhook = settings.webhook;
        m_settings.feedToken = feedToken;
        return {};
    }
    return listen(settings.webhook, feedToken);
}

void WebhookService::install(WebhookAuthenticator authenticator)
{
    m_warnings = authenticator.warnings();
    m_server.clearRoutes();
    m_handler = std::make_unique<WebhookRequestHandler>(m_settings.webhook, std::move(authenticator), m_sink,
                                                        [this] { return status(); });
    // Signatures are checked on the pool (an Ed25519 verification is about 120 µs, the listener's
    // thread would otherwise be the bottleneck of a burst); commits are grouped by the sink's
    // committer thread, which also sends the answers.
    m_handler->setExecutor([this](std::function<void()> job) { m_handlerPool.start(std::move(job)); });
    m_handler->setAsyncInbox(&m_sink);
    m_handler->setDetailToken(m_settings.feedToken);
    m_handler->install(m_server);
    connect(m_handler.get(), &WebhookRequestHandler::webhookRefused, this, &WebhookService::noteRejected,
            Qt::DirectConnection);
    // Emitted on the committer thread: both receivers are queued to their own threads.
    connect(m_handler.get(), &WebhookRequestHandler::webhookReceived, m_worker,
            [worker = m_worker](const WebhookEvent &, bool duplicate) {
                if (!duplicate)
                    worker->wake();
            });
    connect(m_handler.get(), &WebhookRequestHandler::webhookReceived, m_feed,
            [feed = m_feed](const WebhookEvent &e, bool duplicate) {
                feed->publishWebhookReceived(e.webhookId, e.eventType.isEmpty() ? toString(e.shape) : e.eventType,
                                             e.orderId, duplicate);
            });
}

QString WebhookService::feedTokenFor(const core::WebhookSettings &webhook, const QString &token, QString *problem)
{
    if (!token.isEmpty() || !webhook.bindsBeyondLoopback())
        return token;
    if (!m_generatedFeedToken.isEmpty())
        return m_generatedFeedToken; // generated before; the new settings do not carry it yet
    if (!m_feedTokenKeeper) {
        *problem = tr("The event feed (/ws) refuses every client: the listener is reachable from other machines "
                      "and no [feed] token is set.");
        return {};
    }
    const QString generated = feed::EventFeed::generateToken();
    if (auto kept = m_feedTokenKeeper(generated); !kept) {
        *problem = tr("The event feed (/ws) refuses every client: the listener is reachable from other machines, no "
                      "[feed] token is set, and a generated one cannot be stored: %1")
                       .arg(kept.error().toString());
        qCWarning(lcWebhook).noquote() << *problem;
        return {};
    }
    qCInfo(lcWebhook) << "generated and stored a [feed] token: the listener is reachable from other machines";
    m_generatedFeedToken = generated;
    return generated;
}

void WebhookService::applyFeedGate(const core::WebhookSettings &webhook, const QString &token)
{
    m_feed->setToken(token);
    m_feed->setExposed(webhook.bindsBeyondLoopback());
}

void WebhookService::stopListening()
{
    m_server.stop();
    emit listeningChanged(false);
}

core::Result<void> WebhookService::listen(const core::WebhookSettings &webhook, const QString &feedToken)
{
    if (!m_running || m_stopping)
        return core::makeError(QStringLiteral("webhook.not_running"), tr("The webhook service is not running."));
    auto auth = WebhookAuthenticator::create(webhook, m_clock);
    if (!auth)
        return auth.error();
    if (auto exposed = HttpServer::checkExposure(webhook); !exposed)
        return exposed.error();
    core::WebhookSettings previous = m_settings.webhook;
    if (previous.port == 0 && m_server.isListening())
        previous.port = m_server.serverPort(); // "as before" is the port it had, not a new free one
    m_server.stop();
    // Requests still being checked or committed answer through the handler they came to.
    m_handlerPool.waitForDone();
    m_sink.waitIdle();
    const QString previousToken = m_settings.feedToken;
    const WebhookAuthenticator previousAuth = m_handler->authenticator();
    QString feedProblem;
    const QString token = feedTokenFor(webhook, feedToken, &feedProblem);
    m_settings.webhook = webhook;
    m_settings.feedToken = token;
    applyFeedGate(webhook, token);
    install(auth.value());
    if (!feedProblem.isEmpty())
        m_warnings << feedProblem;
    auto started = m_server.start(webhook);
    if (!started) {
        // The port is taken or the address is not this machine's: the listener goes on as it
        // was, if it can, and the caller shows why the new settings did not take.
        m_settings.webhook = previous;
        m_settings.feedToken = previousToken;
        applyFeedGate(previous, previousToken);
        install(previousAuth);
        if (auto restored = m_server.start(previous); !restored)
            qCWarning(lcWebhook).noquote() << "the listener could not listen again as before either:" << restored.error().toString();
    }
    emit listeningChanged(m_server.isListening());
    return started;
}

void WebhookService::stop()
{
    if (!m_running || m_stopping)
        return;
    m_stopping = true;
    m_server.stop();
    // Every request that got in is committed and answered before the worker is told to stop.
    m_handlerPool.waitForDone();
    m_sink.waitIdle();
    QMetaObject::invokeMethod(m_worker, &InboxWorker::stop, Qt::QueuedConnection);
}

void WebhookService::finishStop()
{
    m_workerThread.quit();
    m_workerThread.wait();
    m_worker = nullptr;
    m_pruneTimer->stop();
    m_feed->close();
    m_running = false;
    m_stopping = false;
    emit listeningChanged(false);
    emit stopped();
}

void WebhookService::setStatusDetail(std::function<QJsonObject()> detail)
{
    std::lock_guard lock(m_healthMutex);
    m_statusDetail = std::move(detail);
}

QJsonObject WebhookService::status()
{
    // One caller at a time probes (on its own thread: /healthz is answered on the pool); the
    // others answer from the last probe, so a /healthz flood costs one query every 2 s at most.
    constexpr qint64 ProbeHungMs = WebhookRequestHandler::AnswerWithinMs;
    std::unique_lock lock(m_healthMutex);
    const qint64 now = m_healthClock.elapsed();
    const bool stale = m_healthAtMs < 0 || now - m_healthAtMs > HealthMaxAgeMs;
    if (stale && m_probeStartedMs < 0) {
        m_probeStartedMs = now;
        lock.unlock();
        QJsonObject fresh = probe();
        lock.lock();
        m_health = std::move(fresh);
        m_healthAtMs = m_healthClock.elapsed();
        m_probeStartedMs = -1;
        m_healthDone.notify_all();
        return m_health;
    }
    if (m_healthAtMs < 0) // the first probe runs: wait for it, not longer than an answer may take
        m_healthDone.wait_for(lock, std::chrono::milliseconds(ProbeHungMs), [this] { return m_healthAtMs >= 0; });
    if (m_probeStartedMs >= 0 && m_healthClock.elapsed() - m_probeStartedMs > ProbeHungMs) {
        // A probe that takes this long: the database does not answer (stopped, blackholed, locked).
        QJsonObject hung = m_health;
        hung.insert(QStringLiteral("status"), QStringLiteral("degraded"));
        hung.insert(QStringLiteral("database"), QStringLiteral("The database has not answered for %1 s.")
                                                     .arg((m_healthClock.elapsed() - m_probeStartedMs) / 1000));
        return hung;
    }
    if (m_healthAtMs < 0)
        return { { QStringLiteral("status"), QStringLiteral("degraded") },
                 { QStringLiteral("database"), QStringLiteral("The database has not answered yet.") } };
    return m_health;
}

QJsonObject WebhookService::probe()
{
    ++m_probes;
    db::InboxRepository repo(*m_database, m_clock);
    auto stats = repo.stats();
    if (!stats)
        return { { QStringLiteral("status"), QStringLiteral("degraded") },
                 { QStringLiteral("database"), stats.error().message } };
    const db::InboxStats &s = stats.value();
    QJsonObject o { { QStringLiteral("status"), QStringLiteral("ok") },
                    { QStringLiteral("inboxDepth"), s.depth() },
                    { QStringLiteral("inboxPending"), s.pending },
                    { QStringLiteral("inboxProcessing"), s.processing },
                    { QStringLiteral("inboxFailed"), s.failed },
                    { QStringLiteral("inboxDead"), s.dead },
                    { QStringLiteral("acceptedToday"), s.acceptedToday },
                    { QStringLiteral("lastError"), s.lastError },
                    { QStringLiteral("lastErrorAt"), s.lastErrorAt.isValid() ? s.lastErrorAt.toString(Qt::ISODateWithMs) : QString() },
                    { QStringLiteral("feedClients"), m_feed->clientCount() } };
    std::function<QJsonObject()> detail;
    {
        std::lock_guard lock(m_healthMutex);
        detail = m_statusDetail;
    }
    if (detail) {
        const QJsonObject extra = detail();
        for (auto it = extra.begin(); it != extra.end(); ++it)
            o.insert(it.key(), it.value());
    }
    return o;
}

core::Result<int> WebhookService::pruneInbox()
{
    // Never a key a retry inside the replay window could still ask about (plus an hour of margin).
    const qint64 keepS = std::max<qint64>(qint64(m_settings.inboxKeepDays) * 86400, qint64(m_settings.webhook.replayWindowS) + 3600);
    const QDateTime before = m_clock.now().addSecs(-keepS);
    db::InboxRepository repo(*m_database, m_clock);
    int total = 0;
    for (;;) {
        constexpr int Chunk = 5000;
        auto pruned = repo.pruneDone(before, Chunk);
        if (!pruned)
            return pruned.error();
        total += pruned.value();
        if (pruned.value() < Chunk)
            break;
    }
    if (total > 0)
        qCInfo(lcWebhook) << "pruned" << total << "processed webhook(s) received before" << before.toString(Qt::ISODate);
    return total;
}

void WebhookService::noteRejected(int status, const QString &reason, const QHostAddress &peer)
{
    RejectedDelivery r;
    r.at = QDateTime::currentDateTimeUtc();
    r.peer = peer.toString();
    r.status = status;
    // The reason may quote what the sender sent (a timestamp): shown escaped, bounded.
    QString text = reason.left(300);
    QString escaped;
    escaped.reserve(text.size());
    for (QChar c : std::as_const(text)) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            escaped += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
        else
            escaped += c;
    }
    r.reason = escaped;
    {
        std::lock_guard lock(m_rejectionsMutex);
        m_rejections.append(r);
        if (m_rejections.size() > MaxRejections)
            m_rejections.removeFirst();
    }
    QMetaObject::invokeMethod(this, [this, r] { emit deliveryRejected(r); }, Qt::QueuedConnection);
}

QList<RejectedDelivery> WebhookService::recentRejections() const
{
    std::lock_guard lock(m_rejectionsMutex);
    return m_rejections;
}

} // namespace qrt::webhook
