#pragma once

#include "core/config.h"
#include "core/result.h"
#include "webhook/httpmessage.h"
#include "webhook/answerdeadline.h"
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
    // Whether this key was committed lately by this process (a memory, no database): a known
    // delivery is answered 200 "duplicate" at once, also while the database is slow or away.
    virtual bool knownRecently(const QString &idempotencyKey) const
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
// inbox never holds a credential. Signatures (X-GHL-Signature, X-WH-Signature) are redacted too:
// not secret, but nothing to keep either, and a stored one proves nothing later. Control
// characters in values are replaced by U+FFFD (a NUL would make PostgreSQL refuse the jsonb).
QByteArray safeHeaders(const HttpRequest &request);

// POST {webhook.path}: authenticate, parse, check the replay window, commit to the inbox, answer
// 200 {"status":"accepted"|"duplicate"}; 401/400/422 on refusal, 429 with Retry-After when the
// inbox cannot commit (GHL retries a delivery only after a 429; any other answer loses it).
// Every webhook is answered within AnswerWithinMs of its arrival whatever the database does: a
// commit (or a look-up) still running then gets the 429, exactly once, and its late result
// changes no answer (a row it committed makes GHL's retry a duplicate). A delivery whose key the
// inbox committed lately is a 200 "duplicate" without a database round trip.
// GET /healthz: {"status":"ok"|"degraded"} (503 when degraded, i.e. the database is unreachable),
// with the status provider's detail (inbox depth, dead count, last error, ...) only for a caller
// presenting the detail token (the [feed] token) as "Authorization: Bearer" or ?token=.
class WebhookRequestHandler : public QObject
{
    Q_OBJECT

public:
    // The Retry-After of a 429: GHL's own retry schedule is about 10 minutes.
    static constexpr int RetryAfterS = 600;
    // GHL gives up on an answer after about 5 s (and then never retries): the 429 goes out before.
    static constexpr int AnswerWithinMs = 4000;
    // The /healthz body: "status" ("ok" or "degraded") and, for the detail, anything else. Called
    // for every /healthz: it must be cheap (a cached probe, see WebhookService::status()).
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
    // The token that unlocks /healthz's detail; empty: nobody gets it.
    void setDetailToken(const QString &token);
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
    // Emitted on the thread that answered (a pool thread, the committer or the deadline thread).
    // The reason is plain text for people, free of secrets; it may quote what the sender sent.
    void webhookRefused(int status, const QString &reason, const QHostAddress &peer);

private:
    struct Answer;
    void process(const std::shared_ptr<Answer> &answer);
    void tryLater(Answer &answer, const QString &reason);
    bool detailAllowed(const HttpRequest &request) const;

    QByteArray m_path;
    WebhookAuthenticator m_auth;
    InboxSink &m_inbox;
    StatusProvider m_status;
    Executor m_executor;
    AsyncInboxSink *m_asyncInbox = nullptr;
    QByteArray m_detailTokenHash; // SHA-256 of the detail token; empty: no detail for anyone
    AnswerDeadlines m_deadlines;
    std::atomic<quint64> m_accepted { 0 };
    std::atomic<quint64> m_duplicates { 0 };
};

} // namespace qrt::webhook
