#pragma once

// GHL's webhook delivery, as reference/ghl-api/README.md "Retries" describes it: one POST per
// event; only a 429 is retried, with the same body (same webhookId and timestamp), up to six times;
// any other non-2xx answer, or no answer, loses that delivery for good. GHL waits about 10 minutes
// (plus jitter) between tries; the bench compresses that: it honours Retry-After but caps it at a
// few seconds, so an outage of 20 s sees about as many retries as one of 20 minutes would.

#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QRandomGenerator>
#include <QTimer>
#include <QUrl>

#include <algorithm>

namespace qrt::bench {

class GhlWebhookSender : public QObject
{
public:
    static constexpr int MaxRetries = 6;

    struct Delivery
    {
        QString orderId;
        QByteArray body;
        QByteArray signature; // X-GHL-Signature
        int attempts = 0;
        int lastStatus = 0; // 0: no answer
        bool finished = false;
        bool delivered = false; // a 2xx answer
    };

    GhlWebhookSender(const QUrl &url, int retryCapS, int timeoutMs) : m_url(url), m_retryCapS(retryCapS), m_timeoutMs(timeoutMs)
    {
        m_clock.start();
    }

    // GHL sends the event now (its first try).
    void send(const QString &orderId, const QByteArray &body, const QByteArray &signature)
    {
        m_deliveries.append({ orderId, body, signature });
        attempt(m_deliveries.size() - 1);
    }

    bool allFinished() const
    {
        return std::all_of(m_deliveries.cbegin(), m_deliveries.cend(), [](const Delivery &d) { return d.finished; });
    }
    int answers(int status) const { return m_answers.value(status); }
    int attempts() const
    {
        int n = 0;
        for (const Delivery &d : m_deliveries)
            n += d.attempts;
        return n;
    }
    int lostForGood() const // finished without a 2xx: GHL will not send this one again
    {
        return int(std::count_if(m_deliveries.cbegin(), m_deliveries.cend(), [](const Delivery &d) { return d.finished && !d.delivered; }));
    }
    const QList<Delivery> &deliveries() const { return m_deliveries; }
    qint64 lastAnswerMs() const { return m_lastAnswerMs; }
    QHash<int, int> answerCounts() const { return m_answers; }

private:
    void attempt(qsizetype i)
    {
        Delivery &first = m_deliveries[i];
        ++first.attempts;
        QNetworkRequest request(m_url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        request.setRawHeader("X-GHL-Signature", first.signature);
        request.setTransferTimeout(m_timeoutMs);
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        QNetworkReply *reply = m_nam.post(request, first.body);
        connect(reply, &QNetworkReply::finished, this, [this, reply, i] {
            reply->deleteLater();
            Delivery &d = m_deliveries[i];
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            d.lastStatus = status;
            ++m_answers[status];
            m_lastAnswerMs = m_clock.elapsed();
            if (status >= 200 && status < 300) {
                d.delivered = true;
                d.finished = true;
            } else if (status == 429 && d.attempts <= MaxRetries) {
                bool ok = false;
                int waitS = reply->rawHeader("Retry-After").toInt(&ok);
                if (!ok || waitS <= 0)
                    waitS = 600; // GHL's own spacing, capped below like any other
                const int waitMs = std::min(waitS, m_retryCapS) * 1000 + int(QRandomGenerator::global()->bounded(500));
                QTimer::singleShot(waitMs, this, [this, i] { attempt(i); });
            } else {
                d.finished = true; // lost for good, as on GHL
            }
        });
    }

    QUrl m_url;
    int m_retryCapS;
    int m_timeoutMs;
    QNetworkAccessManager m_nam;
    QList<Delivery> m_deliveries;
    QHash<int, int> m_answers;
    QElapsedTimer m_clock;
    qint64 m_lastAnswerMs = 0;
};

} // namespace qrt::bench
