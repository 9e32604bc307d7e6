#pragma once

#include "core/config.h"
#include "core/result.h"
#include "webhook/httpmessage.h"
#include "webhook/httpresponder.h"
#include "webhook/webhookauth.h"
#include "webhook/webhookpayload.h"

#include <QJsonObject>
#include <QObject>

#include <atomic>
#include <functional>

namespace qrt::webhook {

class HttpServer;

// Where an accepted webhook is made durable before the 200 answer (the webhook_inbox table).
class InboxSink
{
public:
    virtual ~InboxSink() = default;
    // true: stored as new; false: already there (same idempotencyKey), nothing stored.
    // May be called on a worker thread when the handler has an executor.
    virtual core::Result<bool> commit(const WebhookEvent &event) = 0;
    // Whether a delivery with this idempotency key is already stored. Asked only for a signed
    // delivery outside the replay window (its id is checked before its age); an inbox that cannot
    // tell says false. May be called on a worker thread.
    virtual core::Result<bool> contains(const QString &idempotencyKey)
    {
        Q_UNUSED(idempotencyKey);
        return false;
    }
};

// An inbox that commits in the background and calls back from its own thread when the event is
// durable (or the commit failed): no thread waits for the disk. Optional; see setAsyncInbox().
class AsyncInboxSink
{
public:
    virtual ~AsyncInboxSink() = default;
    virtual void commitAsync(const WebhookEvent &event, std::function<void(const core::Result<bool> &stored)> done) = 0;
};

// The headers of a request as a compact JSON object (lower-case names; a repeated header's values
// joined by ", "), kept in webhook_inbox.headers to tell later what sent an event. A header whose
// name contains auth, token, secret, key, jwt, cookie, session or password has its value replaced
// by "[redacted]" (Authorization, X-Webhook-Secret, X-Api-Key, Cf-Access-Jwt-Assertion, ...): the
// inbox never holds a credential. Signatures are kept; they are not secret.
QByteArray safeHeaders(const HttpRequest &request);

// POST {webhook.path}: authenticate, parse, check the replay window, commit to the inbox, answer
// 200 {"status":"accepted"|"duplicate"}; 401/400/422 on refusal, 429 with Retry-After when the
// inbox cannot commit (GHL retries a delivery only after a 429; any other answer loses it).
// GET /healthz: {"status":"ok"} merged with the status provider's object.
class WebhookRequestHandler : public QObject
{
    Q_OBJECT

public:
    // The Retry-After of a 429: GHL's own retry schedule is about 10 minutes.
    static constexpr int RetryAfterS = 600;
    using StatusProvider = std::function<QJsonObject()>;
    // Runs the handling of one webhook (signature check, parsing, commit); the default runs it
    // inline on the listener's thread. A pool here keeps the listener's thread free for reading
    // and answering while signatures are checked on every core.
    using Executor = std::function<void(std::function<void()> job)>;

    WebhookRequestHandler(const core::WebhookSettings &settings, WebhookAuthenticator authenticator, InboxSink &inbox,
                          StatusProvider status = {}, QObject *parent = nullptr);

    void setExecutor(Executor executor) { m_executor = std::move(executor); }
    // When set, commits go through it instead of InboxSink::commit; the answer is sent from its
    // callback. Not owned; must outlive the handler's requests.
    void setAsyncInbox(AsyncInboxSink *inbox) { m_asyncInbox = inbox; }
    void install(HttpServer &server);

    // Hands the request to the executor; safe to call on any thread.
    void handleWebhook(const HttpRequest &request, const HttpResponder &responder);
    void handleHealth(const HttpRequest &request, const HttpResponder &responder);

    const WebhookAuthenticator &authenticator() const { return m_auth; }
    quint64 acceptedCount() const { return m_accepted.load(); }
    quint64 duplicateCount() const { return m_duplicates.load(); }

signals:
    // After the inbox commit; emitted on the thread that committed.
    void webhookReceived(const qrt::webhook::WebhookEvent &event, bool duplicate);
    // Emitted on the thread that handled the request.
    void webhookRefused(int status, const QString &reason);

private:
    void process(const HttpRequest &request, const HttpResponder &responder);
    void tryLater(const HttpResponder &responder, const QString &reason);

    QByteArray m_path;
    WebhookAuthenticator m_auth;
    InboxSink &m_inbox;
    StatusProvider m_status;
    Executor m_executor;
    AsyncInboxSink *m_asyncInbox = nullptr;
    std::atomic<quint64> m_accepted { 0 };
    std::atomic<quint64> m_duplicates { 0 };
};

} // namespace qrt::webhook
