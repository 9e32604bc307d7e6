#pragma once

#include "ghl/ghlerror.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrlQuery>

class QHttpMultiPart;
class QNetworkReply;
class QTimer;

namespace qrt::ghl {

class GhlClient;

// One REST call (as Nextcloud's AbstractNetworkJob): start() hands it to the client, which
// sends it within the rate limit, retries transient failures and calls back; the job parses
// the answer, emits finished() exactly once and then deletes itself (deleteLater). finished()
// is never emitted from inside start(), so connecting after start() is safe. Read the results
// (error(), page(), order() ...) in the slot connected to finished(): the job is gone afterwards.
class GhlJob : public QObject
{
    Q_OBJECT
public:
    ~GhlJob() override;

    void start();
    // Finishes the job with a Cancelled error; no-op after it finished.
    void abort();

    bool isStarted() const { return m_started; }
    bool isFinished() const { return m_finished; }
    bool ok() const { return m_finished && !m_error.isError(); }
    const GhlError &error() const { return m_error; }
    int httpStatus() const { return m_httpStatus; }
    int attempts() const { return m_attempts; }
    // "GET /payments/orders/653f...": for logs and error details; never the token.
    QString describe() const;
    GhlClient *client() const { return m_client; }
    // Overrides the client's RetryPolicy::maxAttempts for this request (before start()); 0: policy.
    void setMaxAttempts(int attempts) { m_maxAttempts = attempts; }
    int maxAttempts() const { return m_maxAttempts; }

Q_SIGNALS:
    void finished();

protected:
    struct Request
    {
        QByteArray verb = "GET";
        QString path;     // below the base URL, e.g. "/payments/orders"
        QUrlQuery query;
        QByteArray body;  // JSON for PUT
        QString scope;    // the OAuth scope the endpoint needs, named in 401/403 messages
        bool multipart = false; // the body is createMultiPart()'s, not `body`
    };

    GhlJob(GhlClient *client, QObject *parent);
    virtual Request buildRequest() const = 0;
    // A multipart body (Request::multipart), made anew for every attempt: the client hands it to
    // QNetworkAccessManager and lets the reply own it.
    virtual QHttpMultiPart *createMultiPart() const { return nullptr; }
    // Parses a 2xx body; returns GhlError{} on success or e.g. malformed(...).
    virtual GhlError parse(const QByteArray &body) = 0;
    GhlError malformed(const QString &what) const;

private:
    friend class GhlClient;
    void finish(const GhlError &error);

    QPointer<GhlClient> m_client;
    GhlError m_error;
    int m_httpStatus = 0;
    int m_attempts = 0;
    int m_maxAttempts = 0;
    bool m_started = false;
    bool m_finished = false;
    // Owned by the client's scheduler while the job runs.
    QPointer<QNetworkReply> m_reply;
    QTimer *m_retryTimer = nullptr;
    Request m_request;
    quint64 m_limiterToken = 0;
    bool m_budgetExhausted = false;
};

} // namespace qrt::ghl
