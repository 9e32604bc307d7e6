#include "ghl/ghlclient.h"

#include "ghl/getcontactjob.h"
#include "ghl/getorderjob.h"
#include "ghl/ghljob.h"
#include "ghl/listcustomfieldsjob.h"
#include "ghl/listordersjob.h"
#include "ghl/ratelimiter.h"
#include "ghl/updatecontactfieldjob.h"
#include "ghl/uploadcustomfilesjob.h"

#include <QHttpMultiPart>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QTimer>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcGhl, "qrtickets.ghl", QtInfoMsg)

namespace qrt::ghl {

namespace {

int headerInt(const QNetworkReply *reply, const char *name, bool *found)
{
    const QByteArray v = reply->rawHeader(name).trimmed();
    bool ok = false;
    const int n = v.toInt(&ok);
    if (ok)
        *found = true;
    return ok ? n : -1;
}

bool readRateHeaders(const QNetworkReply *reply, RateLimitState *state)
{
    bool found = false;
    state->max = headerInt(reply, "X-RateLimit-Max", &found);
    state->remaining = headerInt(reply, "X-RateLimit-Remaining", &found);
    state->intervalMs = headerInt(reply, "X-RateLimit-Interval-Milliseconds", &found);
    state->dailyLimit = headerInt(reply, "X-RateLimit-Limit-Daily", &found);
    state->dailyRemaining = headerInt(reply, "X-RateLimit-Daily-Remaining", &found);
    return found;
}

// Retry-After: delay-seconds or an HTTP date. -1 when absent or unreadable.
int retryAfterMs(const QNetworkReply *reply, const QDateTime &now)
{
    const QByteArray v = reply->rawHeader("Retry-After").trimmed();
    if (v.isEmpty())
        return -1;
    bool ok = false;
    const double seconds = v.toDouble(&ok);
    if (ok)
        return seconds < 0 ? -1 : int(std::min(seconds, 3600.0) * 1000);
    const QDateTime at = QDateTime::fromString(QString::fromLatin1(v), Qt::RFC2822Date);
    if (!at.isValid())
        return -1;
    return int(std::clamp<qint64>(now.msecsTo(at), 0, 3600 * 1000));
}

QByteArray encodeQuery(const QUrlQuery &query)
{
    QByteArray out;
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[key, value] : items) {
        if (!out.isEmpty())
            out += '&';
        out += QUrl::toPercentEncoding(key) + '=' + QUrl::toPercentEncoding(value);
    }
    return out;
}

GhlError makeGhlError(GhlError::Kind kind, int status, const QString &message, const QString &details)
{
    return GhlError::make(kind, status, message, details);
}

} // namespace

GhlClient::GhlClient(const core::GhlSettings &settings, QObject *parent)
    : GhlClient(settings, &core::SystemClock::instance(), parent)
{
}

GhlClient::GhlClient(const core::GhlSettings &settings, const core::Clock *clock, QObject *parent)
    : QObject(parent)
    , m_settings(settings)
    , m_clock(clock ? clock : &core::SystemClock::instance())
    , m_nam(new QNetworkAccessManager(this))
    , m_limiter(std::make_unique<RateLimiter>())
    , m_scheduleTimer(new QTimer(this))
{
    qRegisterMetaType<qrt::ghl::GhlError>();
    qRegisterMetaType<qrt::ghl::RateLimitState>();
    m_budget = m_retry.retryBudget;
    m_jitterState = QRandomGenerator::global()->generate() | 1u;
    m_scheduleTimer->setSingleShot(true);
    m_scheduleTimer->setTimerType(Qt::PreciseTimer);
    connect(m_scheduleTimer, &QTimer::timeout, this, &GhlClient::schedule);
}

GhlClient::~GhlClient()
{
    // Jobs that outlive us (other parents) learn that they will not be answered.
    const QList<GhlJob *> jobs = m_inFlight + m_queue + m_waitingRetry;
    for (GhlJob *job : jobs) {
        detachReply(job);
        job->finish(makeGhlError(GhlError::Kind::Cancelled, 0, tr("The request to GHL was cancelled."), job->describe()));
    }
    m_inFlight.clear();
    m_queue.clear();
    m_waitingRetry.clear();
}

void GhlClient::setSettings(const core::GhlSettings &settings)
{
    const bool otherAccount = settings.baseUrl != m_settings.baseUrl || settings.locationId != m_settings.locationId
        || settings.token != m_settings.token;
    m_settings = settings;
    if (otherAccount)
        m_limiter->reset(); // another server or account: another rate-limit window
    qCInfo(lcGhl) << "settings changed: base URL" << m_settings.baseUrl.toDisplayString() << "location"
                  << m_settings.locationId << "timeout" << m_settings.requestTimeoutMs << "ms";
    QTimer::singleShot(0, this, &GhlClient::schedule);
}

void GhlClient::setRetryPolicy(const RetryPolicy &policy)
{
    m_retry = policy;
    m_budget = policy.retryBudget;
}

int GhlClient::retryBudgetRemaining() const
{
    return int(std::floor(m_budget));
}

ListOrdersJob *GhlClient::listOrders(const ListOrdersQuery &query)
{
    auto *job = new ListOrdersJob(this, query);
    job->start();
    return job;
}

GetOrderJob *GhlClient::getOrder(const QString &orderId)
{
    auto *job = new GetOrderJob(this, orderId);
    job->start();
    return job;
}

GetContactJob *GhlClient::getContact(const QString &contactId)
{
    auto *job = new GetContactJob(this, contactId);
    job->start();
    return job;
}

UpdateContactFieldJob *GhlClient::updateContactFields(const QString &contactId, const QList<ContactFieldValue> &fields)
{
    auto *job = new UpdateContactFieldJob(this, contactId, fields);
    job->start();
    return job;
}

ListCustomFieldsJob *GhlClient::listCustomFields()
{
    auto *job = new ListCustomFieldsJob(this);
    job->start();
    return job;
}

UploadCustomFilesJob *GhlClient::uploadCustomFile(const QString &contactId, const QString &fieldId,
                                                  const QString &fileName, const QByteArray &content,
                                                  const QByteArray &mimeType)
{
    auto *job = new UploadCustomFilesJob(this, contactId, fieldId, fileName, content, mimeType);
    job->start();
    return job;
}

void GhlClient::cancelAll()
{
    const QList<GhlJob *> jobs = m_inFlight + m_queue + m_waitingRetry;
    if (!jobs.isEmpty())
        qCInfo(lcGhl) << "cancelling" << jobs.size() << "request(s)";
    for (GhlJob *job : jobs)
        completeJob(job, makeGhlError(GhlError::Kind::Cancelled, 0, tr("The request to GHL was cancelled."), job->describe()));
    setWait(0);
}

int GhlClient::rateLimitWaitMs() const
{
    return m_queue.isEmpty() ? 0 : m_wait;
}

RateLimitState GhlClient::rateLimitState() const
{
    return m_limiter->state();
}

int GhlClient::pendingCount() const
{
    return int(m_queue.size() + m_inFlight.size() + m_waitingRetry.size());
}

int GhlClient::inFlightCount() const
{
    return int(m_inFlight.size());
}

qint64 GhlClient::nowMs() const
{
    return m_clock->monotonicMs();
}

void GhlClient::enqueue(GhlJob *job)
{
    m_queue.append(job);
    schedule();
}

void GhlClient::abortJob(GhlJob *job)
{
    completeJob(job, makeGhlError(GhlError::Kind::Cancelled, 0, tr("The request to GHL was cancelled."), job->describe()));
}

void GhlClient::forget(GhlJob *job)
{
    detachReply(job);
    m_queue.removeOne(job);
    m_waitingRetry.removeOne(job);
}

void GhlClient::detachReply(GhlJob *job)
{
    m_inFlight.removeOne(job);
    if (QNetworkReply *reply = job->m_reply) {
        job->m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
        // It may have reached GHL: it counts in the window as if answered now.
        m_limiter->onFinished(job->m_limiterToken, nowMs(), nullptr);
    }
}

void GhlClient::setWait(int ms)
{
    if (ms == m_wait)
        return;
    m_wait = ms;
    if (ms > 0)
        qCDebug(lcGhl) << "waiting" << ms << "ms for the GHL rate limit";
    Q_EMIT rateLimitWaitChanged(ms);
}

void GhlClient::schedule()
{
    m_scheduleTimer->stop();
    const qsizetype limit = std::max(1, m_settings.concurrency);
    while (!m_queue.isEmpty() && m_inFlight.size() < limit) {
        const qint64 wait = m_limiter->waitMs(nowMs());
        if (wait > 0) {
            m_scheduleTimer->start(int(std::min<qint64>(wait, 24 * 3600 * 1000)));
            setWait(int(wait));
            return;
        }
        if (wait < 0)
            break; // the first answer will tell the limits
        send(m_queue.takeFirst());
    }
    setWait(0);
}

void GhlClient::send(GhlJob *job)
{
    job->m_request = job->buildRequest();
    const GhlJob::Request &r = job->m_request;
    if (m_settings.token.isEmpty()) {
        completeJob(job, makeGhlError(GhlError::Kind::Unauthorized, 0,
                                      tr("No GHL token is set: enter the Private Integration token (scope %1) in Settings.")
                                          .arg(r.scope),
                                      job->describe()));
        return;
    }
    if (!m_settings.baseUrl.isValid() || m_settings.baseUrl.host().isEmpty()) {
        completeJob(job, makeGhlError(GhlError::Kind::Network, 0,
                                      tr("The GHL base URL is not set or not valid; check it in Settings."),
                                      job->describe()));
        return;
    }

    QUrl url = m_settings.baseUrl;
    QString path = url.path(QUrl::FullyEncoded);
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + r.path, QUrl::TolerantMode);
    const QByteArray query = encodeQuery(r.query);
    if (!query.isEmpty())
        url.setQuery(QString::fromLatin1(query), QUrl::TolerantMode);
    else
        url.setQuery(QString());

    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + m_settings.token.toUtf8());
    request.setRawHeader("Version", m_settings.apiVersion.toUtf8());
    request.setRawHeader("Accept", "application/json");
    if (!r.body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setTransferTimeout(std::max(1, m_settings.requestTimeoutMs));

    QNetworkReply *reply = nullptr;
    QHttpMultiPart *multiPart = r.multipart ? job->createMultiPart() : nullptr;
    if (multiPart) {
        // QNetworkAccessManager sets Content-Type with the boundary, and Content-Length.
        reply = m_nam->sendCustomRequest(request, r.verb, multiPart);
        multiPart->setParent(reply);
    } else if (r.verb == "GET")
        reply = m_nam->get(request);
    else if (r.verb == "PUT")
        reply = m_nam->put(request, r.body);
    else
        reply = m_nam->sendCustomRequest(request, r.verb, r.body);

    ++job->m_attempts;
    job->m_reply = reply;
    job->m_limiterToken = m_limiter->onSent(nowMs());
    m_inFlight.append(job);
    connect(reply, &QNetworkReply::finished, this, [this, job, reply] { onReplyFinished(job, reply); });
    qCDebug(lcGhl) << "sending" << job->describe() << "attempt" << job->m_attempts;
}

QString GhlClient::scrub(QString text) const
{
    if (!m_settings.token.isEmpty())
        text.replace(m_settings.token, QStringLiteral("<token>"));
    return text;
}

GhlError GhlClient::httpError(const GhlJob *job, int status, const QByteArray &body) const
{
    // GHL error bodies: {"statusCode":401,"message":"Invalid JWT"} or "message":[...].
    QString serverMessage;
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QJsonValue m = o.value(u"message");
    if (m.isString()) {
        serverMessage = m.toString();
    } else if (m.isArray()) {
        QStringList parts;
        for (const QJsonValue &v : m.toArray())
            parts << v.toString();
        serverMessage = parts.join(QStringLiteral("; "));
    }
    serverMessage = scrub(serverMessage.left(300));
    QString details = QStringLiteral("HTTP %1 on %2").arg(status).arg(job->describe());
    if (!serverMessage.isEmpty())
        details += QStringLiteral(": ") + serverMessage;

    if (status == 401)
        return makeGhlError(GhlError::Kind::Unauthorized, status,
                            tr("GHL refused the request (HTTP 401): the token is invalid or missing scope %1. "
                               "Check the Private Integration token in Settings.")
                                .arg(job->m_request.scope),
                            details);
    if (status == 403)
        return makeGhlError(GhlError::Kind::Unauthorized, status,
                            tr("GHL refused the request (HTTP 403): the token is invalid or missing scope %1, or it "
                               "has no access to location %2. Check the token and the location id in Settings.")
                                .arg(job->m_request.scope, m_settings.locationId),
                            details);
    if (status == 404 || (status == 400 && serverMessage.contains(QStringLiteral("not found"), Qt::CaseInsensitive)))
        return makeGhlError(GhlError::Kind::NotFound, status,
                            tr("GHL does not know what was asked for (%1): it may have been deleted.").arg(job->describe()),
                            details);
    if (status == 429)
        return makeGhlError(GhlError::Kind::RateLimited, status,
                            tr("GHL's rate limit was exceeded (too many requests)."), details);
    if (status >= 500)
        return makeGhlError(GhlError::Kind::Server, status,
                            tr("GHL had a problem on its side (HTTP %1). Try again later.").arg(status), details);
    return makeGhlError(GhlError::Kind::BadRequest, status,
                        serverMessage.isEmpty() ? tr("GHL refused the request (HTTP %1).").arg(status)
                                                : tr("GHL refused the request (HTTP %1): %2").arg(status).arg(serverMessage),
                        details);
}

GhlError GhlClient::networkError(const GhlJob *job, QNetworkReply *reply) const
{
    const QString host = reply->url().host();
    const QString details = scrub(job->describe() + QStringLiteral(": ") + reply->errorString());
    switch (reply->error()) {
    case QNetworkReply::OperationCanceledError: // what setTransferTimeout() ends with
    case QNetworkReply::TimeoutError:
        return makeGhlError(GhlError::Kind::Timeout, 0,
                            tr("GHL did not answer within %1 seconds.").arg(m_settings.requestTimeoutMs / 1000.0), details);
    case QNetworkReply::ConnectionRefusedError:
        return makeGhlError(GhlError::Kind::Network, 0,
                            tr("Could not connect to GHL at %1: the connection was refused.").arg(host), details);
    case QNetworkReply::RemoteHostClosedError:
        return makeGhlError(GhlError::Kind::Network, 0,
                            tr("GHL at %1 closed the connection before answering.").arg(host), details);
    case QNetworkReply::HostNotFoundError:
        return makeGhlError(GhlError::Kind::Network, 0,
                            tr("The GHL server %1 could not be found. Check the internet connection and the base URL.")
                                .arg(host),
                            details);
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::InsecureRedirectError:
        return makeGhlError(GhlError::Kind::Network, 0,
                            tr("No secure connection to GHL at %1 could be made (TLS error). Check the computer's "
                               "date and time and any proxy or firewall.")
                                .arg(host),
                            details);
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
        return makeGhlError(GhlError::Kind::Network, 0, tr("The network is not available."), details);
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
    case QNetworkReply::ProxyAuthenticationRequiredError:
        return makeGhlError(GhlError::Kind::Network, 0, tr("The proxy refused or failed the connection to GHL."), details);
    default:
        return makeGhlError(GhlError::Kind::Network, 0,
                            tr("The connection to GHL at %1 failed.").arg(host), details);
    }
}

void GhlClient::onReplyFinished(GhlJob *job, QNetworkReply *reply)
{
    reply->deleteLater();
    m_inFlight.removeOne(job);
    if (job->m_reply == reply)
        job->m_reply = nullptr;
    const qint64 now = nowMs();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    RateLimitState headers;
    const bool hasHeaders = readRateHeaders(reply, &headers);
    m_limiter->onFinished(job->m_limiterToken, now, hasHeaders ? &headers : nullptr);
    if (hasHeaders)
        Q_EMIT rateLimitStateChanged(m_limiter->state());

    if (!job->m_finished) {
        job->m_httpStatus = status;
        GhlError error;
        int retryAfter = -1;
        if (status >= 200 && status < 300) {
            error = job->parse(reply->readAll());
            if (!error.isError()) {
                error.httpStatus = status;
                m_budget = std::min<double>(m_retry.retryBudget, m_budget + m_retry.refillPerSuccess);
                qCDebug(lcGhl) << job->describe() << "-> HTTP" << status;
            }
            error.httpStatus = status;
        } else if (status != 0) {
            error = httpError(job, status, reply->readAll());
            if (status == 429 || status == 503)
                retryAfter = retryAfterMs(reply, m_clock->now());
            if (status == 429) {
                // Everyone waits, not just this request.
                m_limiter->holdFor(now, retryAfter > 0 ? retryAfter : backoffMs(1));
            }
        } else {
            error = networkError(job, reply);
        }
        if (error.isError())
            retryOrFinish(job, error, retryAfter);
        else
            completeJob(job, error);
    }
    schedule();
}

int GhlClient::backoffMs(int attempt)
{
    const double base = std::max(1, m_retry.baseDelayMs) * std::pow(2.0, std::clamp(attempt - 1, 0, 30));
    const double capped = std::min<double>(base, std::max(1, m_retry.maxDelayMs));
    m_jitterState = m_jitterState * 1664525u + 1013904223u;
    const double unit = double(m_jitterState >> 8) / double(1u << 24); // 0..1
    const double jittered = capped * (1.0 + std::clamp(m_retry.jitter, 0.0, 1.0) * (2.0 * unit - 1.0));
    return std::max(1, int(jittered));
}

void GhlClient::retryOrFinish(GhlJob *job, const GhlError &error, int retryAfterMs)
{
    GhlError final = error;
    if (error.isTransient()) {
        const int maxAttempts = job->m_maxAttempts > 0 ? job->m_maxAttempts : std::max(1, m_retry.maxAttempts);
        const bool attemptsLeft = job->m_attempts < maxAttempts;
        if (retryAfterMs > m_retry.maxRetryAfterMs) {
            final.error.message = tr("GHL asks to wait %n minute(s) before the next request (its daily limit may be "
                                     "used up).",
                                     nullptr, int((retryAfterMs + 59999) / 60000));
            completeJob(job, final);
            return;
        }
        if (attemptsLeft && m_budget >= 1.0) {
            m_budget -= 1.0;
            const int delay = retryAfterMs > 0 ? retryAfterMs : backoffMs(job->m_attempts);
            qCInfo(lcGhl).noquote() << "retrying" << job->describe() << "attempt" << job->m_attempts + 1 << "in"
                                    << delay << "ms after:" << (error.error.details.isEmpty() ? error.error.message : error.error.details);
            Q_EMIT retrying(job->describe(), job->m_attempts + 1, delay, error);
            auto *timer = new QTimer(job);
            timer->setSingleShot(true);
            job->m_retryTimer = timer;
            m_waitingRetry.append(job);
            connect(timer, &QTimer::timeout, this, [this, job, timer] {
                if (job->m_retryTimer == timer)
                    job->m_retryTimer = nullptr;
                timer->deleteLater();
                if (job->m_finished || !m_waitingRetry.removeOne(job))
                    return;
                m_queue.prepend(job);
                schedule();
            });
            timer->start(delay);
            return;
        }
        if (attemptsLeft)
            job->m_budgetExhausted = true;
        QString why = job->m_budgetExhausted
            ? tr("Gave up: GHL failed too often recently and the retry budget is used up.")
            : tr("Gave up after %n attempt(s).", nullptr, job->m_attempts);
        if (error.kind == GhlError::Kind::RateLimited)
            final.error.message = tr("GHL kept answering 'too many requests' (rate limit).") + u' ' + why;
        else
            final.error.message = error.error.message + u' ' + why;
    }
    completeJob(job, final);
}

void GhlClient::completeJob(GhlJob *job, const GhlError &error)
{
    if (job->m_finished)
        return;
    forget(job);
    if (error.isError() && error.kind != GhlError::Kind::Cancelled)
        qCWarning(lcGhl).noquote() << job->describe() << "failed:" << error.error.toString();
    job->finish(error);
}

} // namespace qrt::ghl
