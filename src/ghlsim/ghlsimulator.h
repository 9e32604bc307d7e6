#pragma once

#include "ghlsim/simtypes.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcGhlSim)

namespace qrt::ghlsim {

class SimFaultInjector;
class SimGenerator;
class SimRateLimiter;
class SimRouter;
class SimStore;
class SimTransport;
struct SimResponse;

// A stand-in for the GHL API v2 (2021-07-28) on 127.0.0.1: the endpoints this product uses
// (orders, contacts, custom fields, file uploads into FILE_UPLOAD fields, each with the token
// scope it needs), shaped as payments.json / contacts.json / locations.json / forms.json describe
// them, a seeded, deterministic store of orders and contacts (and the files uploaded to them),
// the X-RateLimit-* headers and 429s, latency and fault injection, and a log of every request.
// HTTP/1.1 with keep-alive, Content-Length or chunked bodies; many concurrent connections.
//
// Inside: SimTransport (src/webhook's HTTP server), SimStore (the account's data), SimGenerator
// (seeded sample data), SimRateLimiter, SimFaultInjector, and a route table (SimRouter) to one
// handler per endpoint (simhandlers.h). handle() runs every request through them in that order.
class GhlSimulator : public QObject
{
    Q_OBJECT
public:
    explicit GhlSimulator(QObject *parent = nullptr);
    ~GhlSimulator() override;

    bool listen(quint16 port = 0); // 127.0.0.1
    void close();
    bool isListening() const;
    quint16 port() const;
    QUrl baseUrl() const; // http://127.0.0.1:<port>

    static QString apiVersion() { return QStringLiteral("2021-07-28"); }
    QString locationId() const;
    void setLocationId(const QString &id);
    QString token() const;
    void setToken(const QString &token);

    // --- data -------------------------------------------------------------------------------
    // Replaces the store with `orders` orders over a few events (products) with ticket types
    // (price names) "General Admission", "VIP", "Student", quantities 1-6; same seed, same data.
    void generate(int orders, quint32 seed);
    // Appends n new orders (new contacts), createdAt/updatedAt = now. Returns their ids.
    QStringList addOrders(int n);
    int orderCount() const;
    QStringList orderIds() const;                      // in list order (newest first)
    QJsonObject orderJson(const QString &orderId) const; // GetOrderResponseSchema, {} if unknown
    // Mutations bump updatedAt. false: unknown order / item.
    bool setItemQuantity(const QString &orderId, int itemIndex, int qty);
    bool cancelOrder(const QString &orderId);   // status "cancelled"
    bool refundOrder(const QString &orderId);   // paymentStatus "refunded", status "refunded"
    bool removeOrder(const QString &orderId);   // gone: GET answers 404
    // Puts an order in as is (tests); needs "_id". Replaces one with the same id.
    void putOrder(const QJsonObject &order);

    QStringList contactIds() const;
    SimContact contact(const QString &contactId) const;
    void putContact(const SimContact &contact);
    QString contactFieldValue(const QString &contactId, const QString &fieldId) const;
    // A FILE_UPLOAD field's value as GHL keeps it (contacts.json FileField.field_value):
    // {fileId: {"meta": {..., "originalname", "mimetype", "size"}, "url", "documentId"}}; {} if none.
    QJsonObject contactFiles(const QString &contactId, const QString &fieldId) const;
    // Every file POST /forms/upload-custom-files accepted, in arrival order, bytes included.
    QList<SimUpload> uploads() const;
    // How many uploads (contact, field[, file name]) received; an empty fileName counts them all.
    int uploadCount(const QString &contactId, const QString &fieldId, const QString &fileName = {}) const;
    // Uploads per (contact, field, file name): a count above 1 is a file delivered twice.
    QHash<SimUploadKey, int> uploadCounts() const;
    void clearUploads();

    QList<SimCustomField> customFields() const;
    void setCustomFields(const QList<SimCustomField> &fields);

    // --- knobs ------------------------------------------------------------------------------
    void setLatencyMs(int ms);
    // Burst limit: at most `max` requests in any `intervalMs` window (sliding, by arrival);
    // beyond it 429 with Retry-After. 0 disables. GHL's real limit is 100 per 10000 ms.
    void setRateLimit(int max, int intervalMs);
    void setDailyLimit(int max);
    // Faults for the order endpoints (GET /payments/orders...), or for a path prefix.
    void setFaults(const SimFaults &faults, quint32 seed = 1);
    void setPathFaults(const QString &pathPrefix, const SimFaults &faults);
    void clearFaults();
    // Answer the next n requests to the order endpoints with this status (e.g. 500, 429).
    void failNext(int n, int status, int retryAfterS = 1);
    // Uploads larger than this are refused (400); forms.json's limit, 50 MB, by default.
    void setMaxUploadBytes(qint64 bytes);
    // The token's scopes (e.g. without "forms.write"): a request to an endpoint needing another
    // one gets 401 "The token is not authorized for this scope.". Empty (default): every scope.
    void setTokenScopes(const QStringList &scopes);

    // --- traffic ----------------------------------------------------------------------------
    QList<SimRequest> requests() const { return m_log; }
    int requestCount() const { return int(m_log.size()); }
    int requestCount(Endpoint endpoint) const;
    int statusCount(int status) const;
    // Largest number of requests that arrived within any window of intervalMs.
    int maxRequestsInWindow(int intervalMs) const;
    int openConnections() const;
    int maxOpenConnections() const;
    void resetLog();

Q_SIGNALS:
    void requestReceived(const qrt::ghlsim::SimRequest &request);

private:
    SimResponse handle(SimRequest &request);

    std::unique_ptr<SimStore> m_store;
    std::unique_ptr<SimGenerator> m_generator;
    std::unique_ptr<SimRateLimiter> m_limiter;
    std::unique_ptr<SimFaultInjector> m_faults;
    std::unique_ptr<SimRouter> m_router;
    QList<SimRequest> m_log;
    QElapsedTimer m_clock;
    std::unique_ptr<SimTransport> m_transport; // last: it goes first, while what it calls is whole
};

} // namespace qrt::ghlsim
