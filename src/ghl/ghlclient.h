#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "ghl/ghlerror.h"
#include "ghl/ghltypes.h"

#include <QList>
#include <QLoggingCategory>
#include <QObject>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QTimer;

Q_DECLARE_LOGGING_CATEGORY(lcGhl)

namespace qrt::ghl {

class GhlJob;
class ListOrdersJob;
class GetOrderJob;
class GetContactJob;
class UpdateContactFieldJob;
class ListCustomFieldsJob;
class UploadCustomFilesJob;
class RateLimiter;

// Transient failures (429, 5xx, network errors, timeouts) are retried with exponential backoff
// and jitter, honouring Retry-After. Each request has maxAttempts; every retry also costs one
// token of a client-wide budget (successes refill it a little), so a broken GHL cannot keep
// the client retrying forever.
struct RetryPolicy
{
    int maxAttempts = 5;      // per request, including the first
    int baseDelayMs = 1000;   // delay before the 2nd attempt; doubles each time
    int maxDelayMs = 60000;
    double jitter = 0.25;     // +/- share of the delay
    int retryBudget = 100;    // client-wide retries available
    double refillPerSuccess = 0.1;
    // A Retry-After longer than this (e.g. the daily limit is used up) is not waited out by the
    // request: it fails RateLimited at once. The client still holds further requests back.
    int maxRetryAfterMs = 120000;
};

// The GHL REST client: owns the QNetworkAccessManager, settings (base URL, location, token,
// API version, timeout, concurrency), the rate limiter and retry policy. Jobs are created
// with a client and queued through it; the factory methods below create and start them.
class GhlClient : public QObject
{
    Q_OBJECT
public:
    explicit GhlClient(const core::GhlSettings &settings, QObject *parent = nullptr);
    // clock: for rate-limit windows and backoff; not owned, must outlive the client.
    GhlClient(const core::GhlSettings &settings, const core::Clock *clock, QObject *parent = nullptr);
    ~GhlClient() override;

    // Applies to requests sent from now on (Settings dialog, demo mode); in-flight ones finish.
    void setSettings(const core::GhlSettings &settings);
    const core::GhlSettings &settings() const { return m_settings; }

    void setRetryPolicy(const RetryPolicy &policy);
    const RetryPolicy &retryPolicy() const { return m_retry; }
    int retryBudgetRemaining() const;

    QNetworkAccessManager *networkAccessManager() const { return m_nam; }

    // Created (child of the client), started, deleted after finished().
    ListOrdersJob *listOrders(const ListOrdersQuery &query);
    GetOrderJob *getOrder(const QString &orderId);
    GetContactJob *getContact(const QString &contactId);
    UpdateContactFieldJob *updateContactFields(const QString &contactId, const QList<ContactFieldValue> &fields);
    ListCustomFieldsJob *listCustomFields();
    // POST /forms/upload-custom-files (scope forms.write): puts `content` as file `fileName` into
    // the FILE_UPLOAD custom field `fieldId` of the contact (uploadcustomfilesjob.h). For a QR code:
    // fileName "qr-<order_id>.png", content the PNG; TEXT / LARGE_TEXT fields take the data URL
    // through updateContactFields() instead.
    UploadCustomFilesJob *uploadCustomFile(const QString &contactId, const QString &fieldId, const QString &fileName,
                                           const QByteArray &content,
                                           const QByteArray &mimeType = QByteArrayLiteral("image/png"));

    // Aborts everything in flight, queued or waiting to retry; those jobs finish Cancelled.
    void cancelAll();

    // How long the next request must wait for the GHL rate limit, 0 when it may go now.
    int rateLimitWaitMs() const;
    RateLimitState rateLimitState() const;
    int pendingCount() const;  // queued + in flight + waiting to retry
    int inFlightCount() const;

Q_SIGNALS:
    // Emitted when the client starts or stops holding requests back for the rate limit
    // (ms > 0: "waiting for GHL rate limit", 0: sending again).
    void rateLimitWaitChanged(int ms);
    void rateLimitStateChanged(const qrt::ghl::RateLimitState &state);
    // A request failed transiently and will be sent again after delayMs.
    void retrying(const QString &request, int attempt, int delayMs, const qrt::ghl::GhlError &error);

private:
    friend class GhlJob;
    void enqueue(GhlJob *job);
    void abortJob(GhlJob *job);
    void schedule();
    void send(GhlJob *job);
    void onReplyFinished(GhlJob *job, QNetworkReply *reply);
    void retryOrFinish(GhlJob *job, const GhlError &error, int retryAfterMs);
    void completeJob(GhlJob *job, const GhlError &error);
    void forget(GhlJob *job);
    void detachReply(GhlJob *job);
    GhlError httpError(const GhlJob *job, int status, const QByteArray &body) const;
    GhlError networkError(const GhlJob *job, QNetworkReply *reply) const;
    int backoffMs(int attempt);
    QString scrub(QString text) const;
    void setWait(int ms);
    qint64 nowMs() const;

    core::GhlSettings m_settings;
    const core::Clock *m_clock;
    QNetworkAccessManager *m_nam;
    std::unique_ptr<RateLimiter> m_limiter;
    RetryPolicy m_retry;
    double m_budget = 0;
    QList<GhlJob *> m_queue;
    QList<GhlJob *> m_inFlight;
    QList<GhlJob *> m_waitingRetry;
    QTimer *m_scheduleTimer;
    int m_wait = 0;
    quint32 m_jitterState = 0x9e3779b9u;
};

} // namespace qrt::ghl
