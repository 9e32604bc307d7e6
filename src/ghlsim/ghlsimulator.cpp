#include "ghlsim/ghlsimulator.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcGhlSim, "qrtickets.ghlsim", QtInfoMsg)

namespace qrt::ghlsim {

namespace {

constexpr qsizetype kMaxHeaderBytes = 64 * 1024;
constexpr qsizetype kMaxBodyBytes = 16 * 1024 * 1024;
constexpr int kUnlimitedMax = 1000000; // advertised when the burst limit is off

QByteArray reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Status";
    }
}

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QDateTime fromIso(const QString &s)
{
    return QDateTime::fromString(s, Qt::ISODateWithMs).toUTC();
}

QByteArray errorBody(int status, const QJsonValue &message)
{
    QJsonObject o { { QStringLiteral("statusCode"), status }, { QStringLiteral("message"), message } };
    if (status == 422)
        o.insert(QStringLiteral("error"), QStringLiteral("Unprocessable Entity"));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

Endpoint classify(const QByteArray &method, const QString &path)
{
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    if (method == "GET" && parts.size() == 2 && parts[0] == u"payments" && parts[1] == u"orders")
        return Endpoint::ListOrders;
    if (method == "GET" && parts.size() == 3 && parts[0] == u"payments" && parts[1] == u"orders")
        return Endpoint::GetOrder;
    if (method == "PUT" && parts.size() == 2 && parts[0] == u"contacts")
        return Endpoint::UpdateContact;
    if (method == "GET" && parts.size() == 3 && parts[0] == u"locations" && parts[2] == u"customFields")
        return Endpoint::ListCustomFields;
    return Endpoint::Other;
}

const char *const kFirstNames[] = { "Anna", "Ben", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
                                    "Kira", "Luca", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
                                    "Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe" };
const char *const kLastNames[] = { "Adler", "Berger", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
                                   "Ito", "Jensen", "Kowalski", "Lopez", "Meyer", "Nowak", "Okafor", "Petrov",
                                   "Quaresma", "Rossi", "Schmidt", "Tanaka", "Urban", "Vogel", "Weber", "Yilmaz" };

} // namespace

struct GhlSimulator::Order
{
    QJsonObject json; // GetOrderResponseSchema
};

// ---------------------------------------------------------------------------------------------
class GhlSimulator::Server : public QTcpServer
{
public:
    // A child of the simulator, so that moveToThread() takes the listener along.
    explicit Server(GhlSimulator *sim) : QTcpServer(sim), m_sim(sim) { }

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    GhlSimulator *m_sim;
};

// One socket; requests on it are answered in order (HTTP/1.1 keep-alive, no pipelining tricks).
class GhlSimulator::Connection : public QObject
{
public:
    Connection(qintptr descriptor, GhlSimulator *sim, QObject *parent)
        : QObject(parent)
        , m_sim(sim)
        , m_socket(new QTcpSocket(this))
    {
        m_socket->setSocketDescriptor(descriptor);
        ++m_sim->m_openConnections;
        m_sim->m_maxOpenConnections = std::max(m_sim->m_maxOpenConnections, m_sim->m_openConnections);
        connect(m_socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        connect(m_socket, &QTcpSocket::disconnected, this, [this] { deleteLater(); });
    }
    ~Connection() override { --m_sim->m_openConnections; }

private:
    void onReadyRead()
    {
        m_buffer += m_socket->readAll();
        processNext();
    }

    void fail(int status, const QString &message)
    {
        GhlSimulator::Response r;
        r.status = status;
        r.body = errorBody(status, message);
        write(r, true);
    }

    void processNext()
    {
        if (m_busy || m_closing)
            return;
        const qsizetype end = m_buffer.indexOf("\r\n\r\n");
        if (end < 0) {
            if (m_buffer.size() > kMaxHeaderBytes)
                fail(431, QStringLiteral("Request headers too large"));
            return;
        }
        const QList<QByteArray> lines = m_buffer.left(end).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            fail(400, QStringLiteral("Malformed request line"));
            return;
        }
        SimRequest request;
        request.method = requestLine[0];
        const QUrl target(QString::fromLatin1(requestLine[1]));
        request.path = target.path();
        request.query = QUrlQuery(target.query(QUrl::FullyEncoded));
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            request.headers.insert(line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed());
        }
        if (request.header("transfer-encoding").toLower().contains("chunked")) {
            fail(501, QStringLiteral("Chunked bodies are not supported; send Content-Length"));
            return;
        }
        bool ok = true;
        const QByteArray lengthHeader = request.header("content-length");
        const qint64 length = lengthHeader.isEmpty() ? 0 : lengthHeader.toLongLong(&ok);
        if (!ok || length < 0) {
            fail(400, QStringLiteral("Bad Content-Length"));
            return;
        }
        if (length > kMaxBodyBytes) {
            fail(413, QStringLiteral("Body too large"));
            return;
        }
        if (m_buffer.size() < end + 4 + length)
            return; // wait for the body
        request.body = m_buffer.mid(end + 4, length);
        m_buffer.remove(0, end + 4 + length);
        const bool close = request.header("connection").toLower() == "close";

        m_busy = true;
        const GhlSimulator::Response response = m_sim->handle(request);
        if (response.hang)
            return; // stays busy: nothing more is answered on this socket until the client gives up
        const int latency = m_sim->m_latencyMs;
        if (latency <= 0) {
            write(response, close);
            return;
        }
        QTimer::singleShot(latency, this, [this, response, close] { write(response, close); });
    }

    void write(const GhlSimulator::Response &response, bool close)
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reason(response.status) + "\r\n";
        out += "Content-Type: application/json; charset=utf-8\r\n";
        out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        for (const auto &[name, value] : response.headers)
            out += name + ": " + value + "\r\n";
        out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
        out += "\r\n";
        out += response.body;
        m_socket->write(out);
        m_busy = false;
        if (close) {
            m_closing = true;
            m_socket->disconnectFromHost();
            return;
        }
        if (!m_buffer.isEmpty())
            processNext();
    }

    GhlSimulator *m_sim;
    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_busy = false;
    bool m_closing = false;
};

void GhlSimulator::Server::incomingConnection(qintptr descriptor)
{
    new Connection(descriptor, m_sim, this);
}

// ---------------------------------------------------------------------------------------------
GhlSimulator::GhlSimulator(QObject *parent)
    : QObject(parent)
    , m_server(std::make_unique<Server>(this))
{
    qRegisterMetaType<qrt::ghlsim::SimRequest>();
    m_clock.start();
    m_rateMax = 100; // GHL's real burst limit until a test says otherwise
    m_rateIntervalMs = 10000;
    m_customFields = {
        { QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"), QStringLiteral("contact.qr_code"),
          QStringLiteral("LARGE_TEXT"), QStringLiteral("contact") },
        { QStringLiteral("ticketUrlFld0000000b"), QStringLiteral("Ticket Link"), QStringLiteral("contact.ticket_link"),
          QStringLiteral("TEXT"), QStringLiteral("contact") },
        { QStringLiteral("qrImageFld000000000c"), QStringLiteral("QR Image"), QStringLiteral("contact.qr_image"),
          QStringLiteral("FILE_UPLOAD"), QStringLiteral("contact") },
        { QStringLiteral("dealNoteFld00000000d"), QStringLiteral("Deal Note"), QStringLiteral("opportunity.deal_note"),
          QStringLiteral("TEXT"), QStringLiteral("opportunity") },
    };
}

GhlSimulator::~GhlSimulator()
{
    close();
}

bool GhlSimulator::listen(quint16 port)
{
    m_server->setListenBacklogSize(512);
    if (!m_server->listen(QHostAddress::LocalHost, port)) {
        qCWarning(lcGhlSim) << "cannot listen on 127.0.0.1 port" << port << ":" << m_server->errorString();
        return false;
    }
    qCInfo(lcGhlSim) << "GHL simulator on" << baseUrl().toString();
    return true;
}

void GhlSimulator::close()
{
    if (!m_server)
        return;
    m_server->close();
    // Only our Connection objects: the server's own children (socket engine) are not ours to delete.
    const auto children = m_server->findChildren<QObject *>(QString(), Qt::FindDirectChildrenOnly);
    for (QObject *c : children) {
        if (auto *connection = dynamic_cast<Connection *>(c))
            delete connection;
    }
}

bool GhlSimulator::isListening() const
{
    return m_server->isListening();
}

quint16 GhlSimulator::port() const
{
    return m_server->serverPort();
}

QUrl GhlSimulator::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    return url;
}

qint64 GhlSimulator::nowMs() const
{
    return m_clock.elapsed();
}

quint64 GhlSimulator::nextRandom(quint64 &state)
{
    // splitmix64: tiny, seedable, same sequence on every platform
    quint64 z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

double GhlSimulator::uniform(quint64 &state)
{
    return double(nextRandom(state) >> 11) * (1.0 / 9007199254740992.0);
}

QString GhlSimulator::hexId()
{
    const quint64 a = nextRandom(m_rng);
    const quint64 b = nextRandom(m_rng);
    return QString(QString::number(a, 16).rightJustified(16, u'0') + QString::number(b, 16).rightJustified(16, u'0')).left(24);
}

QString GhlSimulator::contactIdFor()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString id;
    for (int i = 0; i < 20; ++i)
        id += QLatin1Char(alphabet[nextRandom(m_rng) % 62]);
    return id;
}

// ---------------------------------------------------------------------------------------------
// data

void GhlSimulator::setupCatalog()
{
    m_productIds.clear();
    m_productPrices.clear();
    m_productNames.clear();
    const QStringList events = { QStringLiteral("Summer Gala 2026"), QStringLiteral("Jazz Night at the Harbour"),
                                 QStringLiteral("Tech Conference Day") };
    const double base[] = { 45, 30, 120 };
    for (int e = 0; e < events.size(); ++e) {
        const QString productId = hexId();
        m_productIds << productId;
        m_productNames.insert(productId, events[e]);
        QList<QJsonObject> prices;
        const QList<QPair<QString, double>> types = { { QStringLiteral("General Admission"), base[e] },
                                                      { QStringLiteral("VIP"), base[e] * 2.5 },
                                                      { QStringLiteral("Student"), std::round(base[e] * 0.6) } };
        for (const auto &[name, amount] : types)
            prices.append(QJsonObject { { QStringLiteral("_id"), hexId() },
                                        { QStringLiteral("name"), name },
                                        { QStringLiteral("amount"), amount },
                                        { QStringLiteral("currency"), QStringLiteral("USD") } });
        m_productPrices.insert(productId, prices);
    }
}

QJsonObject GhlSimulator::makeOrder(const QDateTime &createdAt)
{
    // 10% repeat buyers once there are contacts.
    SimContact contact;
    if (!m_generatedContacts.isEmpty() && uniform(m_rng) < 0.1) {
        const QString id = m_generatedContacts.at(qsizetype(nextRandom(m_rng) % quint64(m_generatedContacts.size())));
        contact = m_contacts.value(id);
    } else {
        contact.id = contactIdFor();
        contact.firstName = QString::fromLatin1(kFirstNames[nextRandom(m_rng) % std::size(kFirstNames)]);
        contact.lastName = QString::fromLatin1(kLastNames[nextRandom(m_rng) % std::size(kLastNames)]);
        contact.email = contact.firstName.toLower() + u'.' + contact.lastName.toLower() + QString::number(m_nextSerial)
            + QStringLiteral("@example.com");
        contact.phone = QStringLiteral("+1555") + QString::number(1000000 + nextRandom(m_rng) % 9000000);
        m_contacts.insert(contact.id, contact);
        m_generatedContacts << contact.id;
    }
    ++m_nextSerial;

    QJsonArray items;
    double amount = 0;
    const int lines = uniform(m_rng) < 0.15 ? 2 : 1;
    QString firstProduct;
    for (int l = 0; l < lines; ++l) {
        const QString productId = m_productIds.at(qsizetype(nextRandom(m_rng) % quint64(m_productIds.size())));
        const QList<QJsonObject> &prices = m_productPrices[productId];
        const QJsonObject price = prices.at(qsizetype(nextRandom(m_rng) % quint64(prices.size())));
        const int qty = 1 + int(nextRandom(m_rng) % 6);
        amount += qty * price.value(u"amount").toDouble();
        items.append(QJsonObject {
            { QStringLiteral("_id"), hexId() },
            { QStringLiteral("name"), QString(m_productNames.value(productId) + QStringLiteral(" - ") + price.value(u"name").toString()) },
            { QStringLiteral("qty"), qty },
            { QStringLiteral("product"),
              QJsonObject { { QStringLiteral("_id"), productId },
                            { QStringLiteral("name"), m_productNames.value(productId) },
                            { QStringLiteral("productType"), QStringLiteral("SERVICE") } } },
            { QStringLiteral("price"), price },
        });
    }
    const double statusDraw = uniform(m_rng);
    QString status = QStringLiteral("completed");
    QString paymentStatus = QStringLiteral("paid");
    if (statusDraw > 0.98) {
        status = QStringLiteral("refunded");
        paymentStatus = QStringLiteral("refunded");
    } else if (statusDraw > 0.95) {
        status = QStringLiteral("pending");
        paymentStatus = QStringLiteral("unpaid");
    }
    const QDateTime updatedAt = createdAt.addMSecs(qint64(nextRandom(m_rng) % 120000));
    return QJsonObject {
        { QStringLiteral("_id"), hexId() },
        { QStringLiteral("altId"), m_locationId },
        { QStringLiteral("altType"), QStringLiteral("location") },
        { QStringLiteral("contactId"), contact.id },
        { QStringLiteral("currency"), QStringLiteral("USD") },
        { QStringLiteral("amount"), amount },
        { QStringLiteral("status"), status },
        { QStringLiteral("paymentStatus"), paymentStatus },
        { QStringLiteral("liveMode"), true },
        { QStringLiteral("createdAt"), iso(createdAt) },
        { QStringLiteral("updatedAt"), iso(updatedAt) },
        { QStringLiteral("fulfillmentStatus"), QStringLiteral("unfulfilled") },
        { QStringLiteral("contactSnapshot"),
          QJsonObject { { QStringLiteral("id"), contact.id },
                        { QStringLiteral("firstName"), contact.firstName },
                        { QStringLiteral("lastName"), contact.lastName },
                        { QStringLiteral("email"), contact.email },
                        { QStringLiteral("phone"), contact.phone } } },
        { QStringLiteral("amountSummary"),
          QJsonObject { { QStringLiteral("subtotal"), amount }, { QStringLiteral("discount"), 0 } } },
        { QStringLiteral("source"),
          QJsonObject { { QStringLiteral("type"), QStringLiteral("funnel") },
                        { QStringLiteral("id"), QStringLiteral("tK7iSrc0000000000001") },
                        { QStringLiteral("name"), QStringLiteral("Ticket shop") } } },
        { QStringLiteral("items"), items },
    };
}

void GhlSimulator::generate(int orders, quint32 seed)
{
    m_rng = seed;
    m_orders.clear();
    m_orderIndex.clear();
    m_contacts.clear();
    m_generatedContacts.clear();
    m_nextSerial = 0;
    setupCatalog();
    // A fixed start keeps the data the same for a seed; spaced back from there, newest first.
    QDateTime t(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < orders; ++i) {
        auto order = std::make_shared<Order>();
        order->json = makeOrder(t);
        m_orderIndex.insert(order->json.value(u"_id").toString(), order);
        m_orders.append(order);
        t = t.addSecs(-qint64(60 + nextRandom(m_rng) % 5400));
    }
    qCDebug(lcGhlSim) << "generated" << orders << "orders with seed" << seed;
}

QStringList GhlSimulator::addOrders(int n)
{
    if (m_productIds.isEmpty())
        setupCatalog();
    QStringList ids;
    QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < n; ++i) {
        auto order = std::make_shared<Order>();
        order->json = makeOrder(now.addMSecs(i));
        order->json.insert(QStringLiteral("updatedAt"), order->json.value(u"createdAt"));
        const QString id = order->json.value(u"_id").toString();
        m_orderIndex.insert(id, order);
        m_orders.append(order);
        ids << id;
    }
    sortOrders();
    return ids;
}

void GhlSimulator::sortOrders()
{
    std::stable_sort(m_orders.begin(), m_orders.end(), [](const auto &a, const auto &b) {
        return a->json.value(u"createdAt").toString() > b->json.value(u"createdAt").toString();
    });
}

int GhlSimulator::orderCount() const
{
    return int(m_orders.size());
}

QStringList GhlSimulator::orderIds() const
{
    QStringList ids;
    ids.reserve(m_orders.size());
    for (const auto &o : m_orders)
        ids << o->json.value(u"_id").toString();
    return ids;
}

QJsonObject GhlSimulator::orderJson(const QString &orderId) const
{
    const auto order = m_orderIndex.value(orderId);
    return order ? order->json : QJsonObject();
}

void GhlSimulator::bump(Order &order)
{
    const QDateTime previous = fromIso(order.json.value(u"updatedAt").toString());
    QDateTime next = QDateTime::currentDateTimeUtc();
    if (previous.isValid() && next <= previous)
        next = previous.addMSecs(1);
    order.json.insert(QStringLiteral("updatedAt"), iso(next));
}

bool GhlSimulator::setItemQuantity(const QString &orderId, int itemIndex, int qty)
{
    const auto order = m_orderIndex.value(orderId);
    if (!order)
        return false;
    QJsonArray items = order->json.value(u"items").toArray();
    if (itemIndex < 0 || itemIndex >= items.size() || qty < 0)
        return false;
    QJsonObject item = items.at(itemIndex).toObject();
    item.insert(QStringLiteral("qty"), qty);
    items.replace(itemIndex, item);
    double amount = 0;
    for (const QJsonValue &v : std::as_const(items)) {
        const QJsonObject i = v.toObject();
        amount += i.value(u"qty").toInt() * i.value(u"price").toObject().value(u"amount").toDouble();
    }
    order->json.insert(QStringLiteral("items"), items);
    order->json.insert(QStringLiteral("amount"), amount);
    order->json.insert(QStringLiteral("amountSummary"),
                       QJsonObject { { QStringLiteral("subtotal"), amount }, { QStringLiteral("discount"), 0 } });
    bump(*order);
    return true;
}

bool GhlSimulator::cancelOrder(const QString &orderId)
{
    const auto order = m_orderIndex.value(orderId);
    if (!order)
        return false;
    order->json.insert(QStringLiteral("status"), QStringLiteral("cancelled"));
    bump(*order);
    return true;
}

bool GhlSimulator::refundOrder(const QString &orderId)
{
    const auto order = m_orderIndex.value(orderId);
    if (!order)
        return false;
    order->json.insert(QStringLiteral("status"), QStringLiteral("refunded"));
    order->json.insert(QStringLiteral("paymentStatus"), QStringLiteral("refunded"));
    bump(*order);
    return true;
}

bool GhlSimulator::removeOrder(const QString &orderId)
{
    const auto order = m_orderIndex.take(orderId);
    if (!order)
        return false;
    m_orders.removeOne(order);
    return true;
}

void GhlSimulator::putOrder(const QJsonObject &json)
{
    const QString id = json.value(u"_id").toString();
    if (id.isEmpty())
        return;
    removeOrder(id);
    auto order = std::make_shared<Order>();
    order->json = json;
    m_orderIndex.insert(id, order);
    m_orders.append(order);
    sortOrders();
    const QJsonObject snap = json.value(u"contactSnapshot").toObject();
    const QString contactId = snap.value(u"id").toString(json.value(u"contactId").toString());
    if (!contactId.isEmpty() && !m_contacts.contains(contactId)) {
        SimContact c;
        c.id = contactId;
        c.firstName = snap.value(u"firstName").toString();
        c.lastName = snap.value(u"lastName").toString();
        c.email = snap.value(u"email").toString();
        c.phone = snap.value(u"phone").toString();
        m_contacts.insert(contactId, c);
    }
}

QStringList GhlSimulator::contactIds() const
{
    return m_contacts.keys();
}

SimContact GhlSimulator::contact(const QString &contactId) const
{
    return m_contacts.value(contactId);
}

void GhlSimulator::putContact(const SimContact &contact)
{
    m_contacts.insert(contact.id, contact);
}

QString GhlSimulator::contactFieldValue(const QString &contactId, const QString &fieldId) const
{
    return m_contacts.value(contactId).customFields.value(fieldId);
}

// ---------------------------------------------------------------------------------------------
// knobs and traffic

void GhlSimulator::setRateLimit(int max, int intervalMs)
{
    m_rateMax = std::max(0, max);
    m_rateIntervalMs = std::max(1, intervalMs);
    m_arrivals.clear();
}

void GhlSimulator::setFaults(const SimFaults &faults, quint32 seed)
{
    m_orderFaults = faults;
    m_faultRng = seed;
}

void GhlSimulator::setPathFaults(const QString &pathPrefix, const SimFaults &faults)
{
    for (auto &entry : m_pathFaults) {
        if (entry.first == pathPrefix) {
            entry.second = faults;
            return;
        }
    }
    m_pathFaults.append({ pathPrefix, faults });
}

void GhlSimulator::clearFaults()
{
    m_orderFaults = SimFaults();
    m_pathFaults.clear();
    m_failNext = 0;
}

void GhlSimulator::failNext(int n, int status, int retryAfterS)
{
    m_failNext = n;
    m_failNextStatus = status;
    m_failNextRetryAfter = retryAfterS;
}

int GhlSimulator::requestCount(Endpoint endpoint) const
{
    return int(std::count_if(m_log.cbegin(), m_log.cend(), [endpoint](const SimRequest &r) { return r.endpoint == endpoint; }));
}

int GhlSimulator::statusCount(int status) const
{
    return int(std::count_if(m_log.cbegin(), m_log.cend(), [status](const SimRequest &r) { return r.status == status; }));
}

int GhlSimulator::maxRequestsInWindow(int intervalMs) const
{
    QList<qint64> times;
    times.reserve(m_log.size());
    for (const SimRequest &r : m_log)
        times << r.receivedMs;
    std::sort(times.begin(), times.end());
    int best = 0;
    qsizetype first = 0;
    for (qsizetype last = 0; last < times.size(); ++last) {
        while (times[last] - times[first] >= intervalMs)
            ++first;
        best = std::max(best, int(last - first + 1));
    }
    return best;
}

int GhlSimulator::openConnections() const
{
    return m_openConnections;
}

void GhlSimulator::resetLog()
{
    m_log.clear();
    m_maxOpenConnections = m_openConnections;
}

// ---------------------------------------------------------------------------------------------
// requests

void GhlSimulator::addRateHeaders(Response &response, qint64 now)
{
    Q_UNUSED(now)
    const int max = m_rateMax > 0 ? m_rateMax : kUnlimitedMax;
    const int used = m_rateMax > 0 ? int(m_arrivals.size()) : 0;
    response.headers.append({ "X-RateLimit-Max", QByteArray::number(max) });
    response.headers.append({ "X-RateLimit-Remaining", QByteArray::number(std::max(0, max - used)) });
    response.headers.append({ "X-RateLimit-Interval-Milliseconds", QByteArray::number(m_rateIntervalMs) });
    response.headers.append({ "X-RateLimit-Limit-Daily", QByteArray::number(m_dailyLimit) });
    response.headers.append({ "X-RateLimit-Daily-Remaining", QByteArray::number(std::max(0, m_dailyLimit - m_dailyUsed)) });
}

GhlSimulator::Response GhlSimulator::handle(SimRequest &request)
{
    const qint64 now = nowMs();
    request.receivedMs = now;
    request.receivedAt = QDateTime::currentDateTimeUtc();
    request.endpoint = classify(request.method, request.path);

    Response response;
    const auto answer = [&](int status, const QJsonValue &message) {
        response.status = status;
        response.body = errorBody(status, message);
    };

    // Burst window by arrival; refused requests do not count.
    while (!m_arrivals.isEmpty() && m_arrivals.first() <= now - m_rateIntervalMs)
        m_arrivals.removeFirst();
    if (request.header("authorization") != "Bearer " + m_token.toUtf8()) {
        answer(401, request.header("authorization").isEmpty() ? QStringLiteral("Unauthorized")
                                                               : QStringLiteral("Invalid JWT"));
    } else if (request.header("version").isEmpty()) {
        answer(400, QStringLiteral("Version header is missing"));
    } else if (request.header("version") != apiVersion().toLatin1()) {
        answer(400, QStringLiteral("Version header is invalid"));
    } else if (m_rateMax > 0 && m_arrivals.size() >= m_rateMax) {
        answer(429, QStringLiteral("Too many requests"));
        const qint64 wait = m_arrivals.first() + m_rateIntervalMs - now;
        response.headers.append({ "Retry-After", QByteArray::number(std::max<qint64>(1, (wait + 999) / 1000)) });
    } else if (m_dailyUsed >= m_dailyLimit) {
        answer(429, QStringLiteral("Daily request limit reached"));
        response.headers.append({ QByteArrayLiteral("Retry-After"), QByteArrayLiteral("3600") });
    } else {
        if (m_rateMax > 0)
            m_arrivals.append(now);
        ++m_dailyUsed;
        response = injectedFault(request);
        if (response.status == 0)
            response = route(request);
    }
    if (!response.hang)
        addRateHeaders(response, now);
    request.status = response.hang ? 0 : response.status;
    request.faulted = response.faulted;
    m_log.append(request);
    qCDebug(lcGhlSim).noquote() << request.method << request.path << "->" << (response.hang ? QStringLiteral("hang") : QString::number(response.status));
    Q_EMIT requestReceived(request);
    return response;
}

GhlSimulator::Response GhlSimulator::injectedFault(const SimRequest &request)
{
    Response r;
    r.status = 0;
    const SimFaults *faults = nullptr;
    for (const auto &[prefix, f] : std::as_const(m_pathFaults)) {
        if (request.path.startsWith(prefix)) {
            faults = &f;
            break;
        }
    }
    const bool orderEndpoint = request.endpoint == Endpoint::ListOrders || request.endpoint == Endpoint::GetOrder;
    if (!faults && orderEndpoint)
        faults = &m_orderFaults;
    if (orderEndpoint && m_failNext > 0) {
        --m_failNext;
        r.status = m_failNextStatus;
        r.body = errorBody(r.status, QStringLiteral("Injected failure"));
        r.faulted = true;
        if (r.status == 429 || r.status == 503)
            r.headers.append({ "Retry-After", QByteArray::number(m_failNextRetryAfter) });
        return r;
    }
    if (!faults)
        return r;
    const double draw = uniform(m_faultRng);
    double edge = faults->serverError;
    if (draw < edge) {
        r.status = 500;
        r.body = errorBody(500, QStringLiteral("Internal server error"));
        r.faulted = true;
        return r;
    }
    edge += faults->rateLimited;
    if (draw < edge) {
        r.status = 429;
        r.body = errorBody(429, QStringLiteral("Too many requests"));
        r.headers.append({ "Retry-After", QByteArray::number(faults->retryAfterS) });
        r.faulted = true;
        return r;
    }
    edge += faults->hang;
    if (draw < edge) {
        r.status = 200;
        r.hang = true;
        r.faulted = true;
        return r;
    }
    edge += faults->truncated;
    if (draw < edge) {
        r = route(request);
        if (r.status == 200)
            r.body.truncate(std::max<qsizetype>(1, r.body.size() / 2));
        r.faulted = true;
        return r;
    }
    edge += faults->malformed;
    if (draw < edge) {
        r.status = 200;
        r.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        r.faulted = true;
        return r;
    }
    return r;
}

QJsonObject GhlSimulator::summaryJson(const QJsonObject &o) const
{
    const QJsonObject snap = o.value(u"contactSnapshot").toObject();
    const QString name = QString(snap.value(u"firstName").toString() + u' ' + snap.value(u"lastName").toString()).trimmed();
    return QJsonObject {
        { QStringLiteral("_id"), o.value(u"_id") },
        { QStringLiteral("altId"), o.value(u"altId") },
        { QStringLiteral("altType"), o.value(u"altType") },
        { QStringLiteral("contactId"), o.value(u"contactId") },
        { QStringLiteral("contactName"), name },
        { QStringLiteral("contactEmail"), snap.value(u"email") },
        { QStringLiteral("currency"), o.value(u"currency") },
        { QStringLiteral("amount"), o.value(u"amount") },
        { QStringLiteral("subtotal"), o.value(u"amountSummary").toObject().value(u"subtotal") },
        { QStringLiteral("discount"), 0 },
        { QStringLiteral("status"), o.value(u"status") },
        { QStringLiteral("paymentStatus"), o.value(u"paymentStatus") },
        { QStringLiteral("liveMode"), o.value(u"liveMode") },
        { QStringLiteral("totalProducts"), int(o.value(u"items").toArray().size()) },
        { QStringLiteral("sourceType"), QStringLiteral("funnel") },
        { QStringLiteral("sourceName"), QStringLiteral("Ticket shop") },
        { QStringLiteral("sourceId"), QStringLiteral("tK7iSrc0000000000001") },
        { QStringLiteral("createdAt"), o.value(u"createdAt") },
        { QStringLiteral("updatedAt"), o.value(u"updatedAt") },
        { QStringLiteral("fulfillmentStatus"), o.value(u"fulfillmentStatus") },
    };
}

QJsonObject GhlSimulator::contactJson(const SimContact &c) const
{
    QJsonArray fields;
    for (auto it = c.customFields.cbegin(); it != c.customFields.cend(); ++it)
        fields.append(QJsonObject { { QStringLiteral("id"), it.key() }, { QStringLiteral("value"), it.value() } });
    return QJsonObject {
        { QStringLiteral("id"), c.id },
        { QStringLiteral("name"), QString(c.firstName + u' ' + c.lastName).trimmed() },
        { QStringLiteral("locationId"), m_locationId },
        { QStringLiteral("firstName"), c.firstName },
        { QStringLiteral("lastName"), c.lastName },
        { QStringLiteral("email"), c.email },
        { QStringLiteral("phone"), c.phone },
        { QStringLiteral("customFields"), fields },
    };
}

GhlSimulator::Response GhlSimulator::route(const SimRequest &request)
{
    Response r;
    const auto fail = [&r](int status, const QJsonValue &message) {
        r.status = status;
        r.body = errorBody(status, message);
        return r;
    };
    const auto ok = [&r](const QJsonObject &o) {
        r.status = 200;
        r.body = QJsonDocument(o).toJson(QJsonDocument::Compact);
        return r;
    };
    const QStringList parts = request.path.split(u'/', Qt::SkipEmptyParts);
    const auto checkAlt = [&]() -> int {
        const QString altId = request.query.queryItemValue(QStringLiteral("altId"), QUrl::FullyDecoded);
        const QString altType = request.query.queryItemValue(QStringLiteral("altType"), QUrl::FullyDecoded);
        QJsonArray problems;
        if (altId.isEmpty())
            problems.append(QStringLiteral("altId should not be empty"));
        if (altType != u"location")
            problems.append(QStringLiteral("altType must be one of the following values: location"));
        if (!problems.isEmpty()) {
            fail(422, problems);
            return 422;
        }
        if (altId != m_locationId) {
            fail(403, QStringLiteral("The token does not have access to this location."));
            return 403;
        }
        return 0;
    };

    switch (request.endpoint) {
    case Endpoint::ListOrders: {
        if (checkAlt())
            return r;
        const auto number = [&](const QString &key, int fallback, bool *valid) {
            const QString v = request.query.queryItemValue(key);
            if (v.isEmpty())
                return fallback;
            bool isNumber = false;
            const int n = v.toInt(&isNumber);
            if (!isNumber)
                *valid = false;
            return n;
        };
        bool valid = true;
        const int limit = number(QStringLiteral("limit"), 10, &valid);
        const int offset = number(QStringLiteral("offset"), 0, &valid);
        if (!valid || limit < 1 || offset < 0)
            return fail(422, QJsonArray { QStringLiteral("limit must be a positive number and offset must not be negative") });
        const int pageSize = std::min(limit, 100);
        const auto q = [&](const char *key) {
            return request.query.queryItemValue(QLatin1StringView(key), QUrl::FullyDecoded);
        };
        const QString status = q("status");
        const QString paymentStatus = q("paymentStatus");
        const QString contactId = q("contactId");
        const QString search = q("search");
        const QDate startAt = QDate::fromString(q("startAt").left(10), Qt::ISODate);
        const QDate endAt = QDate::fromString(q("endAt").left(10), Qt::ISODate);
        QJsonArray data;
        int total = 0;
        const bool filtered = !status.isEmpty() || !paymentStatus.isEmpty() || !contactId.isEmpty() || !search.isEmpty()
            || startAt.isValid() || endAt.isValid();
        if (!filtered) {
            // The common case (a full sync pages through everything) without a scan.
            for (qsizetype i = offset; i < m_orders.size() && data.size() < pageSize; ++i)
                data.append(summaryJson(m_orders.at(i)->json));
            return ok(QJsonObject { { QStringLiteral("data"), data }, { QStringLiteral("totalCount"), int(m_orders.size()) } });
        }
        for (const auto &order : std::as_const(m_orders)) {
            const QJsonObject &o = order->json;
            if (!status.isEmpty() && o.value(u"status").toString() != status)
                continue;
            if (!paymentStatus.isEmpty() && o.value(u"paymentStatus").toString() != paymentStatus)
                continue;
            if (!contactId.isEmpty() && o.value(u"contactId").toString() != contactId)
                continue;
            if (startAt.isValid() || endAt.isValid()) {
                const QDate created = fromIso(o.value(u"createdAt").toString()).date();
                if ((startAt.isValid() && created < startAt) || (endAt.isValid() && created > endAt))
                    continue;
            }
            if (!search.isEmpty()) {
                const QJsonObject s = summaryJson(o);
                const QString hay = s.value(u"contactName").toString() + u' ' + s.value(u"contactEmail").toString() + u' '
                    + s.value(u"_id").toString();
                if (!hay.contains(search, Qt::CaseInsensitive))
                    continue;
            }
            if (total >= offset && data.size() < pageSize)
                data.append(summaryJson(o));
            ++total;
        }
        return ok(QJsonObject { { QStringLiteral("data"), data }, { QStringLiteral("totalCount"), total } });
    }
    case Endpoint::GetOrder: {
        if (checkAlt())
            return r;
        const auto order = m_orderIndex.value(parts.at(2));
        if (!order)
            return fail(404, QStringLiteral("Order not found"));
        return ok(order->json);
    }
    case Endpoint::UpdateContact: {
        const QString contactId = parts.at(1);
        if (!m_contacts.contains(contactId))
            return fail(404, QStringLiteral("Contact not found"));
        if (!request.header("content-type").toLower().startsWith("application/json"))
            return fail(422, QJsonArray { QStringLiteral("Content-Type must be application/json") });
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(request.body, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject())
            return fail(400, QStringLiteral("Body is not a JSON object"));
        const QJsonValue fieldsValue = doc.object().value(u"customFields");
        if (!fieldsValue.isArray())
            return fail(422, QJsonArray { QStringLiteral("customFields must be an array") });
        QMap<QString, QString> updates;
        const QJsonArray fields = fieldsValue.toArray();
        for (qsizetype i = 0; i < fields.size(); ++i) {
            const QJsonObject f = fields.at(i).toObject();
            if (!fields.at(i).isObject() || !f.value(u"id").isString() || f.value(u"id").toString().isEmpty())
                return fail(422, QJsonArray { QStringLiteral("customFields.%1.id must be a string").arg(i) });
            const QJsonValue v = f.value(u"field_value");
            if (v.isUndefined())
                return fail(422, QJsonArray { QStringLiteral("customFields.%1.field_value should not be empty").arg(i) });
            updates.insert(f.value(u"id").toString(),
                           v.isString() ? v.toString() : QString::fromUtf8(QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact)).mid(1).chopped(1));
        }
        SimContact &c = m_contacts[contactId];
        for (auto it = updates.cbegin(); it != updates.cend(); ++it)
            c.customFields.insert(it.key(), it.value());
        return ok(QJsonObject { { QStringLiteral("succeded"), true }, { QStringLiteral("contact"), contactJson(c) } });
    }
    case Endpoint::ListCustomFields: {
        if (parts.at(1) != m_locationId)
            return fail(403, QStringLiteral("The token does not have access to this location."));
        const QString model = request.query.queryItemValue(QStringLiteral("model"));
        if (!model.isEmpty() && model != u"contact" && model != u"opportunity" && model != u"all")
            return fail(422, QJsonArray { QStringLiteral("model must be one of the following values: contact, opportunity, all") });
        QJsonArray list;
        int position = 0;
        for (const SimCustomField &f : std::as_const(m_customFields)) {
            if (!model.isEmpty() && model != u"all" && f.model != model)
                continue;
            list.append(QJsonObject { { QStringLiteral("id"), f.id },
                                      { QStringLiteral("name"), f.name },
                                      { QStringLiteral("fieldKey"), f.fieldKey },
                                      { QStringLiteral("placeholder"), f.name },
                                      { QStringLiteral("dataType"), f.dataType },
                                      { QStringLiteral("position"), position++ },
                                      { QStringLiteral("locationId"), m_locationId },
                                      { QStringLiteral("model"), f.model } });
        }
        return ok(QJsonObject { { QStringLiteral("customFields"), list } });
    }
    case Endpoint::Other:
        break;
    }
    return fail(404, QStringLiteral("Cannot %1 %2").arg(QString::fromLatin1(request.method), request.path));
}

} // namespace qrt::ghlsim
