#include "webhook/webhookhandler.h"

#include "webhook/httpserver.h"
#include "webhook/webhooklogging.h"

#include <QCoreApplication>
#include <QJsonDocument>

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
    static const QByteArrayList secretParts { "auth", "token", "secret", "key", "jwt", "cookie", "session", "password" };
    QJsonObject headers;
    for (const auto &[name, value] : request.headers) {
        const QByteArray lower = name.toLower();
        const bool secret = std::any_of(secretParts.cbegin(), secretParts.cend(),
                                        [&lower](const QByteArray &part) { return lower.contains(part); });
        const QString key = QString::fromLatin1(lower);
        const QString text = secret ? QStringLiteral("[redacted]") : QString::fromUtf8(value);
        const QString before = headers.value(key).toString();
        headers.insert(key, before.isEmpty() ? text : before + QStringLiteral(", ") + text);
    }
    return compact(headers);
}

WebhookRequestHandler::WebhookRequestHandler(const core::WebhookSettings &settings, WebhookAuthenticator authenticator,
                                             InboxSink &inbox, StatusProvider status, QObject *parent)
    : QObject(parent), m_path(settings.path.toUtf8()), m_auth(std::move(authenticator)), m_inbox(inbox), m_status(std::move(status))
{
}

void WebhookRequestHandler::install(HttpServer &server)
{
    server.addRoute(m_path, { QByteArrayLiteral("POST") },
        [this](const HttpRequest &r, const HttpResponder &responder) { handleWebhook(r, responder); }, true);
    server.addRoute(QByteArrayLiteral("/healthz"), { QByteArrayLiteral("GET") },
        [this](const HttpRequest &r, const HttpResponder &responder) {
            // The status reads the database: not on the listener's thread (the GUI's, in the app).
            if (m_executor)
                m_executor([this, r, responder] { handleHealth(r, responder); });
            else
                handleHealth(r, responder);
        });
}

void WebhookRequestHandler::handleWebhook(const HttpRequest &request, const HttpResponder &responder)
{
    if (m_executor)
        m_executor([this, request, responder] { process(request, responder); });
    else
        process(request, responder);
}

void WebhookRequestHandler::process(const HttpRequest &request, const HttpResponder &responder)
{
    const auto refuse = [&](int status, const QString &reason) {
        emit webhookRefused(status, reason);
        responder.send(HttpResponse::error(status, reason));
    };
    const auto unauthorized = [&](const QString &reason) {
        emit webhookRefused(401, reason);
        HttpResponse r = HttpResponse::error(401, reason);
        // RFC 9110 section 15.5.2: a 401 names the scheme that would work.
        r.headers.append({ QByteArrayLiteral("WWW-Authenticate"),
                           m_auth.mode() == core::WebhookAuth::SharedSecret ? QByteArrayLiteral("Bearer realm=\"qrtickets-webhook\"")
                                                                            : QByteArrayLiteral("X-GHL-Signature realm=\"qrtickets-webhook\"") });
        responder.send(r);
    };
    if (auto auth = m_auth.authenticate(request); !auth)
        return unauthorized(auth.error().message);

    auto parsed = parseWebhookPayload(request.body);
    if (!parsed) {
        const int status = parsed.error().code == u"webhook.no_order_id" ? 422 : 400;
        qCInfo(lcWebhook).noquote() << "refused webhook from" << request.peerAddress.toString() << status << parsed.error().message;
        return refuse(status, parsed.error().message);
    }
    // The inbox is asked only for a delivery its age would refuse: the hot path stays one commit.
    const auto known = [this, &parsed] { return m_inbox.contains(parsed.value().idempotencyKey()); };
    if (auto fresh = m_auth.checkFreshness(parsed.value(), request, known); !fresh) {
        if (fresh.error().code != u"webhook.unauthenticated") {
            qCWarning(lcWebhook).noquote() << "could not look up webhook" << parsed.value().idempotencyKey()
                                           << "in the inbox:" << fresh.error().toString();
            return tryLater(responder, fresh.error().message);
        }
        return unauthorized(fresh.error().message);
    }

    WebhookEvent event = std::move(parsed).value();
    event.headers = safeHeaders(request);
    auto answer = [this, responder](const WebhookEvent &e, const core::Result<bool> &stored) {
        if (!stored) {
            qCWarning(lcWebhook).noquote() << "could not store webhook for order" << e.orderId << ':' << stored.error().toString();
            return tryLater(responder, stored.error().message);
        }
        const bool isNew = stored.value();
        (isNew ? m_accepted : m_duplicates)++;
        qCInfo(lcWebhook).noquote() << (isNew ? "accepted" : "duplicate") << "webhook" << toString(e.shape)
                                    << e.eventType << "order" << e.orderId;
        responder.send(HttpResponse::json(200,
            compact({ { QStringLiteral("status"), isNew ? QStringLiteral("accepted") : QStringLiteral("duplicate") },
                      { QStringLiteral("orderId"), e.orderId } })));
        emit webhookReceived(e, !isNew);
    };
    if (m_asyncInbox)
        m_asyncInbox->commitAsync(event, [answer, event](const core::Result<bool> &stored) { answer(event, stored); });
    else
        answer(event, m_inbox.commit(event));
}

void WebhookRequestHandler::tryLater(const HttpResponder &responder, const QString &reason)
{
    // 429, not 503: GHL re-sends a delivery (same webhookId and timestamp) only after a 429.
    emit webhookRefused(429, reason);
    HttpResponse r = HttpResponse::error(429, QStringLiteral("The webhook could not be stored; please retry."));
    r.headers.append({ QByteArrayLiteral("Retry-After"), QByteArray::number(RetryAfterS) });
    responder.send(r);
}

void WebhookRequestHandler::handleHealth(const HttpRequest &, const HttpResponder &responder)
{
    QJsonObject body { { QStringLiteral("status"), QStringLiteral("ok") } };
    if (m_status) {
        const QJsonObject extra = m_status();
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
    }
    body.insert(QStringLiteral("webhooksAccepted"), static_cast<qint64>(m_accepted.load()));
    body.insert(QStringLiteral("webhooksDuplicate"), static_cast<qint64>(m_duplicates.load()));
    body.insert(QStringLiteral("webhooksRejected"), static_cast<qint64>(m_auth.rejectedCount()));
    responder.send(HttpResponse::json(200, compact(body)));
}

} // namespace qrt::webhook
