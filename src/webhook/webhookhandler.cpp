#include "webhook/webhookhandler.h"

#include "webhook/httpserver.h"
#include "webhook/webhooklogging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QJsonDocument>
#include <QUrlQuery>

#include <openssl/crypto.h>

#include <algorithm>

namespace qrt::webhook {

namespace {

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

QByteArray safeHeaders(const HttpRequest &request)
{
    // By name, so that a tunnel's or a workflow's own credential header is covered too.
    static const QByteArrayList secretParts { "auth", "token", "secret", "key", "jwt", "cookie", "session", "password",
                                              "signature" };
    QJsonObject headers;
    for (const auto &[name, value] : request.headers) {
        const QByteArray lower = name.toLower();
        const bool secret = std::any_of(secretParts.cbegin(), secretParts.cend(),
                                        [&lower](const QByteArray &part) { return lower.contains(part); });
        const QString key = QString::fromLatin1(lower);
        QString text = secret ? QStringLiteral("[redacted]") : QString::fromUtf8(value);
        for (QChar &c : text) {
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                c = QChar::ReplacementCharacter;
        }
        const QString before = headers.value(key).toString();
        headers.insert(key, before.isEmpty() ? text : before + QStringLiteral(", ") + text);
    }
    return compact(headers);
}

// One webhook request on its way to its answer. The first answer wins: the deadline's 429 or the
// pipeline's own; whoever comes second sends nothing and reports nothing.
struct WebhookRequestHandler::Answer
{
    HttpRequest request;
    HttpResponder responder;
    std::atomic_bool sent { false };

    // true for the caller that may answer.
    bool claim() { return !sent.exchange(true); }
};

WebhookRequestHandler::WebhookRequestHandler(const core::WebhookSettings &settings, WebhookAuthenticator authenticator,
                                             InboxSink &inbox, StatusProvider status, QObject *parent)
    : QObject(parent), m_path(settings.path.toUtf8()), m_auth(std::move(authenticator)), m_inbox(inbox), m_status(std::move(status))
{
}

void WebhookRequestHandler::setDetailToken(const QString &token)
{
    m_detailTokenHash = token.isEmpty() ? QByteArray() : QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256);
}

void WebhookRequestHandler::install(HttpServer &server)
{
    server.addRoute(m_path, { QByteArrayLiteral("POST") },
        [this](const HttpRequest &r, const HttpResponder &responder) { handleWebhook(r, responder); }, true);
    server.addRoute(QByteArrayLiteral("/healthz"), { QByteArrayLiteral("GET") },
        [this](const HttpRequest &r, const HttpResponder &responder) {
            // The status is a cached probe, but the probe itself (every 2 s at most) reads the
            // database: not on the listener's thread (the GUI's, in the app).
            if (m_executor)
                m_executor([this, r, responder] { handleHealth(r, responder); });
            else
                handleHealth(r, responder);
        });
}

void WebhookRequestHandler::handleWebhook(const HttpRequest &request, const HttpResponder &responder)
{
    auto answer = std::make_shared<Answer>();
    answer->request = request;
    answer->responder = responder;
    // The clock runs from the arrival, so time spent waiting for a pool thread counts too. The
    // deadline holds the request weakly: one answered in time is gone when it comes due.
    m_deadlines.schedule(AnswerDeadlines::Clock::now() + std::chrono::milliseconds(AnswerWithinMs),
                         [this, weak = std::weak_ptr<Answer>(answer)] {
                             if (auto a = weak.lock())
                                 tryLater(*a, QStringLiteral("the inbox did not answer within %1 s").arg(AnswerWithinMs / 1000));
                         });
    if (m_executor)
        m_executor([this, answer] { process(answer); });
    else
        process(answer);
}

void WebhookRequestHandler::process(const std::shared_ptr<Answer> &answer)
{
    if (answer->sent.load())
        return; // the deadline answered while this request waited for a thread
    const HttpRequest &request = answer->request;
    const auto refuse = [&](int status, const QString &reason) {
        if (!answer->claim())
            return;
        emit webhookRefused(status, reason, request.peerAddress);
        answer->responder.send(HttpResponse::error(status, reason));
    };
    const auto unauthorized = [&](const QString &reason) {
        if (!answer->claim())
            return;
        emit webhookRefused(401, reason, request.peerAddress);
        HttpResponse r = HttpResponse::error(401, reason);
        // RFC 9110 section 15.5.2: a 401 names the scheme that would work.
        r.headers.append({ QByteArrayLiteral("WWW-Authenticate"),
                           m_auth.mode() == core::WebhookAuth::SharedSecret ? QByteArrayLiteral("Bearer realm=\"qrtickets-webhook\"")
                                                                            : QByteArrayLiteral("X-GHL-Signature realm=\"qrtickets-webhook\"") });
        answer->responder.send(r);
    };
    if (auto auth = m_auth.authenticate(request); !auth)
        return unauthorized(auth.error().message);

    auto parsed = parseWebhookPayload(request.body);
    if (!parsed) {
        const int status = parsed.error().code == u"webhook.no_order_id" ? 422 : 400;
        qCInfo(lcWebhook).noquote() << "refused webhook from" << request.peerAddress.toString() << status << parsed.error().message;
        return refuse(status, parsed.error().message);
    }
    WebhookEvent event = std::move(parsed).value();
    const QString key = event.idempotencyKey();
    const auto reply = [this, answer](const WebhookEvent &e, bool isNew) {
        const bool answering = answer->claim();
        if (answering) {
            (isNew ? m_accepted : m_duplicates)++;
            qCInfo(lcWebhook).noquote() << (isNew ? "accepted" : "duplicate") << "webhook" << toString(e.shape)
                                        << e.eventType << "order" << e.orderId;
            answer->responder.send(HttpResponse::json(200,
                compact({ { QStringLiteral("status"), isNew ? QStringLiteral("accepted") : QStringLiteral("duplicate") },
                          { QStringLiteral("orderId"), e.orderId } })));
        } else if (isNew) {
            // Answered 429 already; the row is there all the same, and GHL's retry is a duplicate.
            qCInfo(lcWebhook).noquote() << "webhook for order" << e.orderId << "was stored after its 429 answer";
        }
        // The worker is woken whether or not this answer went out: the row is durable.
        emit webhookReceived(e, !isNew);
    };
    // Known to this process: answered without a round trip, also while the database is away.
    if (m_inbox.knownRecently(key))
        return reply(event, false);

    // The inbox is asked only for a delivery its age would refuse: the hot path stays one commit.
    const auto known = [this, &key] { return m_inbox.contains(key); };
    if (auto fresh = m_auth.checkFreshness(event, request, known); !fresh) {
        if (fresh.error().code != u"webhook.unauthenticated") {
            qCWarning(lcWebhook).noquote() << "could not look up webhook" << key << "in the inbox:" << fresh.error().toString();
            return tryLater(*answer, fresh.error().message);
        }
        return unauthorized(fresh.error().message);
    }
    if (answer->sent.load())
        return; // the look-up took longer than the deadline: answered 429, nothing to commit

    event.headers = safeHeaders(request);
    auto committed = [this, answer, reply](const WebhookEvent &e, const core::Result<bool> &stored) {
        if (!stored) {
            qCWarning(lcWebhook).noquote() << "could not store webhook for order" << e.orderId << ':' << stored.error().toString();
            return tryLater(*answer, stored.error().message);
        }
        reply(e, stored.value());
    };
    if (m_asyncInbox)
        m_asyncInbox->commitAsync(event, [committed, event](const core::Result<bool> &stored) { committed(event, stored); });
    else
        committed(event, m_inbox.commit(event));
}

void WebhookRequestHandler::tryLater(Answer &answer, const QString &reason)
{
    if (!answer.claim())
        return;
    // 429, not 503: GHL re-sends a delivery (same webhookId and timestamp) only after a 429.
    emit webhookRefused(429, reason, answer.request.peerAddress);
    HttpResponse r = HttpResponse::error(429, QStringLiteral("The webhook could not be stored; please retry."));
    r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArray::number(RetryAfterS) });
    answer.responder.send(r);
}

bool WebhookRequestHandler::detailAllowed(const HttpRequest &request) const
{
    if (m_detailTokenHash.isEmpty())
        return false;
    QByteArray presented;
    const QByteArray authorization = request.header("authorization");
    if (authorization.size() > 7 && authorization.left(7).compare("bearer ", Qt::CaseInsensitive) == 0)
        presented = authorization.mid(7).trimmed();
    else
        presented = QUrlQuery(QString::fromLatin1(request.query)).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    if (presented.isEmpty())
        return false;
    // Both are SHA-256 digests: the comparison takes the same time whatever was presented.
    const QByteArray digest = QCryptographicHash::hash(presented, QCryptographicHash::Sha256);
    return CRYPTO_memcmp(digest.constData(), m_detailTokenHash.constData(), size_t(digest.size())) == 0;
}

void WebhookRequestHandler::handleHealth(const HttpRequest &request, const HttpResponder &responder)
{
    const QJsonObject status = m_status ? m_status() : QJsonObject();
    const bool degraded = status.value(u"status").toString() == u"degraded";
    QJsonObject body { { QStringLiteral("status"), degraded ? QStringLiteral("degraded") : QStringLiteral("ok") } };
    if (detailAllowed(request)) {
        for (auto it = status.begin(); it != status.end(); ++it)
            body.insert(it.key(), it.value());
        body.insert(QStringLiteral("webhooksAccepted"), static_cast<qint64>(m_accepted.load()));
        body.insert(QStringLiteral("webhooksDuplicate"), static_cast<qint64>(m_duplicates.load()));
        body.insert(QStringLiteral("webhooksRejected"), static_cast<qint64>(m_auth.rejectedCount()));
    }
    responder.send(HttpResponse::json(degraded ? 503 : 200, compact(body)));
}

} // namespace qrt::webhook
