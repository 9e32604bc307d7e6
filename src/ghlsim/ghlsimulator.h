#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QLoggingCategory>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcGhlSim)

namespace qrt::ghlsim {

enum class Endpoint { ListOrders, GetOrder, UpdateContact, ListCustomFields, Other };

// One request as the simulator received it (and what it answered).
struct SimRequest
{
    QByteArray method;
    QString path;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    qint64 receivedMs = 0; // monotonic ms since the simulator started
    QDateTime receivedAt;
    Endpoint endpoint = Endpoint::Other;
    int status = 0; // 0: not answered (hang)
    bool faulted = false; // an injected fault answered it

    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

// Shares (0..1) of requests that get an injected fault, drawn from a seeded RNG.
struct SimFaults
{
    double serverError = 0;  // 500 with a JSON body
    double rateLimited = 0;  // 429 with Retry-After
    int retryAfterS = 1;
    double hang = 0;         // never answered (until the client gives up)
    double truncated = 0;    // 200 with the JSON cut in half (Content-Length matches)
    double malformed = 0;    // 200 with a body that is not JSON
};

struct SimCustomField
{
    QString id;
    QString name;
    QString fieldKey;
    QString dataType;
    QString model = QStringLiteral("contact");
};

struct SimContact
{
    QString id;
    QString firstName;
    QString lastName;
    QString email;
    QString phone;
    QMap<QString, QString> customFields; // field id -> value
};

// A stand-in for the GHL API v2 (2021-07-28) on 127.0.0.1: the four endpoints this product
// uses, shaped as payments.json / contacts.json / locations.json describe them, a seeded,
// deterministic store of orders and contacts, the X-RateLimit-* headers and 429s, latency
// and fault injection, and a log of every request. HTTP/1.1 with keep-alive and
// Content-Length bodies; many concurrent connections.
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
    QString locationId() const { return m_locationId; }
    void setLocationId(const QString &id) { m_locationId = id; }
    QString token() const { return m_token; }
    void setToken(const QString &token) { m_token = token; }

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

    QList<SimCustomField> customFields() const { return m_customFields; }
    void setCustomFields(const QList<SimCustomField> &fields) { m_customFields = fields; }

    // --- knobs ------------------------------------------------------------------------------
    void setLatencyMs(int ms) { m_latencyMs = ms; }
    // Burst limit: at most `max` requests in any `intervalMs` window (sliding, by arrival);
    // beyond it 429 with Retry-After. 0 disables. GHL's real limit is 100 per 10000 ms.
    void setRateLimit(int max, int intervalMs);
    void setDailyLimit(int max) { m_dailyLimit = max; }
    // Faults for the order endpoints (GET /payments/orders...), or for a path prefix.
    void setFaults(const SimFaults &faults, quint32 seed = 1);
    void setPathFaults(const QString &pathPrefix, const SimFaults &faults);
    void clearFaults();
    // Answer the next n requests to the order endpoints with this status (e.g. 500, 429).
    void failNext(int n, int status, int retryAfterS = 1);

    // --- traffic ----------------------------------------------------------------------------
    QList<SimRequest> requests() const { return m_log; }
    int requestCount() const { return int(m_log.size()); }
    int requestCount(Endpoint endpoint) const;
    int statusCount(int status) const;
    // Largest number of requests that arrived within any window of intervalMs.
    int maxRequestsInWindow(int intervalMs) const;
    int openConnections() const;
    int maxOpenConnections() const { return m_maxOpenConnections; }
    void resetLog();

Q_SIGNALS:
    void requestReceived(const qrt::ghlsim::SimRequest &request);

private:
    class Server;
    class Connection;
    friend class Connection;
    struct Order;
    struct Response
    {
        int status = 200;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        bool hang = false;
        bool faulted = false;
    };
    Response handle(SimRequest &request);
    Response route(const SimRequest &request);
    Response injectedFault(const SimRequest &request);
    void addRateHeaders(Response &response, qint64 nowMs);
    qint64 nowMs() const;
    quint64 nextRandom(quint64 &state);
    double uniform(quint64 &state);
    QString hexId();
    QString contactIdFor();
    QJsonObject makeOrder(const QDateTime &createdAt);
    void bump(Order &order);
    void sortOrders();
    QJsonObject summaryJson(const QJsonObject &order) const;
    QJsonObject contactJson(const SimContact &contact) const;
    void setupCatalog();

    std::unique_ptr<Server> m_server;
    QString m_locationId = QStringLiteral("3SwdhCu3svxI8AKsPJt6");
    QString m_token = QStringLiteral("sim-token-0123456789");
    QList<std::shared_ptr<Order>> m_orders; // newest first
    QHash<QString, std::shared_ptr<Order>> m_orderIndex;
    QMap<QString, SimContact> m_contacts;
    QList<SimCustomField> m_customFields;
    quint64 m_rng = 1;       // data generation
    quint64 m_faultRng = 1;  // fault draws
    int m_nextSerial = 0;
    int m_latencyMs = 0;
    int m_rateMax = 0;
    int m_rateIntervalMs = 10000;
    int m_dailyLimit = 200000;
    int m_dailyUsed = 0;
    QList<qint64> m_arrivals; // for the burst window
    SimFaults m_orderFaults;
    QList<QPair<QString, SimFaults>> m_pathFaults;
    int m_failNext = 0;
    int m_failNextStatus = 500;
    int m_failNextRetryAfter = 1;
    QList<SimRequest> m_log;
    int m_maxOpenConnections = 0;
    qint64 m_startMs = 0;
    QElapsedTimer m_clock;
    int m_openConnections = 0;
    QStringList m_productIds; // generated events
    QStringList m_generatedContacts; // for repeat buyers, in creation order
    QHash<QString, QList<QJsonObject>> m_productPrices;
    QHash<QString, QString> m_productNames;
};

} // namespace qrt::ghlsim

Q_DECLARE_METATYPE(qrt::ghlsim::SimRequest)
