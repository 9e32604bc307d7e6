#include "ghlsim/ghlsimulator.h"

#include "ghlsim/simfaults.h"
#include "ghlsim/simgenerator.h"
#include "ghlsim/simhandlers.h"
#include "ghlsim/simratelimiter.h"
#include "ghlsim/simrouter.h"
#include "ghlsim/simstore.h"
#include "ghlsim/simtransport.h"

#include <algorithm>
#include <optional>

Q_LOGGING_CATEGORY(lcGhlSim, "qrtickets.ghlsim", QtInfoMsg)

namespace qrt::ghlsim {

namespace {

// Every endpoint wants the location's bearer token and the API version header.
std::optional<SimResponse> refuseCredentials(const SimStore &store, const SimRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    if (authorization != "Bearer " + store.token().toUtf8())
        return SimResponse::error(401, authorization.isEmpty() ? QStringLiteral("Unauthorized") : QStringLiteral("Invalid JWT"));
    const QByteArray version = request.header("version");
    if (version.isEmpty())
        return SimResponse::error(400, QStringLiteral("Version header is missing"));
    if (version != GhlSimulator::apiVersion().toLatin1())
        return SimResponse::error(400, QStringLiteral("Version header is invalid"));
    return std::nullopt;
}

} // namespace

GhlSimulator::GhlSimulator(QObject *parent)
    : QObject(parent)
    , m_store(std::make_unique<SimStore>())
    , m_generator(std::make_unique<SimGenerator>())
    , m_limiter(std::make_unique<SimRateLimiter>())
    , m_faults(std::make_unique<SimFaultInjector>())
    , m_router(std::make_unique<SimRouter>())
    , m_transport(std::make_unique<SimTransport>([this](SimRequest &request) { return handle(request); }, this))
{
    qRegisterMetaType<qrt::ghlsim::SimRequest>();
    m_clock.start();
    // The route table: the endpoints the product calls, with the scope each needs.
    m_router->add("GET", QStringLiteral("/payments/orders"), Endpoint::ListOrders, &handlers::listOrders,
                  QStringLiteral("payments/orders.readonly"));
    m_router->add("GET", QStringLiteral("/payments/orders/{orderId}"), Endpoint::GetOrder, &handlers::getOrder,
                  QStringLiteral("payments/orders.readonly"));
    m_router->add("PUT", QStringLiteral("/contacts/{contactId}"), Endpoint::UpdateContact, &handlers::updateContact,
                  QStringLiteral("contacts.write"));
    m_router->add("GET", QStringLiteral("/contacts/{contactId}"), Endpoint::GetContact, &handlers::getContact,
                  QStringLiteral("contacts.readonly"));
    m_router->add("GET", QStringLiteral("/locations/{locationId}/customFields"), Endpoint::ListCustomFields,
                  &handlers::listCustomFields, QStringLiteral("locations/customFields.readonly"));
    m_router->add("POST", QStringLiteral("/forms/upload-custom-files"), Endpoint::UploadCustomFiles,
                  &handlers::uploadCustomFiles, QStringLiteral("forms.write"));
}

GhlSimulator::~GhlSimulator() = default; // the transport goes first and closes

// ---------------------------------------------------------------------------------------------
// requests

SimResponse GhlSimulator::handle(SimRequest &request)
{
    const qint64 now = m_clock.elapsed();
    request.receivedMs = now;
    request.receivedAt = QDateTime::currentDateTimeUtc();
    const SimRouter::Match route = m_router->match(request.method, request.path);
    request.endpoint = route.endpoint();

    const auto answer = [&] { return SimRouter::dispatch(route, *m_store, request); };
    std::optional<SimResponse> response = refuseCredentials(*m_store, request);
    if (!response && !m_store->hasScope(route.scope()))
        response = SimResponse::error(401, QStringLiteral("The token is not authorized for this scope."));
    if (!response)
        response = m_limiter->admit(now);
    if (!response)
        response = m_faults->inject(request, answer);
    if (!response)
        response = answer();
    if (!response->hang)
        m_limiter->addHeaders(*response, now);

    request.status = response->hang ? 0 : response->status;
    request.faulted = response->faulted;
    m_log.append(request);
    qCDebug(lcGhlSim).noquote() << request.method << request.path << "->"
                                << (response->hang ? QStringLiteral("hang") : QString::number(response->status));
    Q_EMIT requestReceived(request);
    return *response;
}

// ---------------------------------------------------------------------------------------------
// listening

bool GhlSimulator::listen(quint16 port)
{
    if (!m_transport->listen(port))
        return false;
    qCInfo(lcGhlSim) << "GHL simulator on" << baseUrl().toString();
    return true;
}

void GhlSimulator::close()
{
    m_transport->close();
}

bool GhlSimulator::isListening() const
{
    return m_transport->isListening();
}

quint16 GhlSimulator::port() const
{
    return m_transport->port();
}

QUrl GhlSimulator::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port());
    return url;
}

// ---------------------------------------------------------------------------------------------
// data

QString GhlSimulator::locationId() const { return m_store->locationId(); }
void GhlSimulator::setLocationId(const QString &id) { m_store->setLocationId(id); }
QString GhlSimulator::token() const { return m_store->token(); }
void GhlSimulator::setToken(const QString &token) { m_store->setToken(token); }

void GhlSimulator::generate(int orders, quint32 seed)
{
    m_generator->generate(*m_store, orders, seed);
    qCDebug(lcGhlSim) << "generated" << orders << "orders with seed" << seed;
}

QStringList GhlSimulator::addOrders(int n) { return m_generator->addOrders(*m_store, n); }
int GhlSimulator::orderCount() const { return m_store->orderCount(); }
QStringList GhlSimulator::orderIds() const { return m_store->orderIds(); }

QJsonObject GhlSimulator::orderJson(const QString &orderId) const
{
    const QJsonObject *order = m_store->order(orderId);
    return order ? *order : QJsonObject();
}

bool GhlSimulator::setItemQuantity(const QString &orderId, int itemIndex, int qty)
{
    return m_store->setItemQuantity(orderId, itemIndex, qty);
}

bool GhlSimulator::cancelOrder(const QString &orderId) { return m_store->cancelOrder(orderId); }
bool GhlSimulator::refundOrder(const QString &orderId) { return m_store->refundOrder(orderId); }
bool GhlSimulator::removeOrder(const QString &orderId) { return m_store->removeOrder(orderId); }
void GhlSimulator::putOrder(const QJsonObject &order) { m_store->putOrder(order); }

QStringList GhlSimulator::contactIds() const { return m_store->contactIds(); }
SimContact GhlSimulator::contact(const QString &contactId) const { return m_store->contact(contactId); }
void GhlSimulator::putContact(const SimContact &contact) { m_store->putContact(contact); }

QString GhlSimulator::contactFieldValue(const QString &contactId, const QString &fieldId) const
{
    return m_store->contact(contactId).customFields.value(fieldId);
}

QJsonObject GhlSimulator::contactFiles(const QString &contactId, const QString &fieldId) const
{
    return m_store->contact(contactId).files.value(fieldId);
}

QList<SimUpload> GhlSimulator::uploads() const { return m_store->uploads(); }

int GhlSimulator::uploadCount(const QString &contactId, const QString &fieldId, const QString &fileName) const
{
    const QList<SimUpload> &all = m_store->uploads();
    return int(std::count_if(all.cbegin(), all.cend(), [&](const SimUpload &u) {
        return u.contactId == contactId && u.fieldId == fieldId && (fileName.isEmpty() || u.fileName == fileName);
    }));
}

QHash<SimUploadKey, int> GhlSimulator::uploadCounts() const
{
    QHash<SimUploadKey, int> counts;
    for (const SimUpload &u : m_store->uploads())
        ++counts[SimUploadKey { u.contactId, u.fieldId, u.fileName }];
    return counts;
}

void GhlSimulator::clearUploads() { m_store->clearUploads(); }
void GhlSimulator::setMaxUploadBytes(qint64 bytes) { m_store->setMaxUploadBytes(bytes); }
void GhlSimulator::setTokenScopes(const QStringList &scopes) { m_store->setTokenScopes(scopes); }

QList<SimCustomField> GhlSimulator::customFields() const { return m_store->customFields(); }
void GhlSimulator::setCustomFields(const QList<SimCustomField> &fields) { m_store->setCustomFields(fields); }

// ---------------------------------------------------------------------------------------------
// knobs

void GhlSimulator::setLatencyMs(int ms) { m_transport->setLatencyMs(ms); }
void GhlSimulator::setRateLimit(int max, int intervalMs) { m_limiter->setBurst(max, intervalMs); }
void GhlSimulator::setDailyLimit(int max) { m_limiter->setDaily(max); }
void GhlSimulator::setFaults(const SimFaults &faults, quint32 seed) { m_faults->setOrderFaults(faults, seed); }
void GhlSimulator::setPathFaults(const QString &pathPrefix, const SimFaults &faults) { m_faults->setPathFaults(pathPrefix, faults); }
void GhlSimulator::clearFaults() { m_faults->clear(); }
void GhlSimulator::failNext(int n, int status, int retryAfterS) { m_faults->failNext(n, status, retryAfterS); }

// ---------------------------------------------------------------------------------------------
// traffic

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

int GhlSimulator::openConnections() const { return m_transport->openConnections(); }
int GhlSimulator::maxOpenConnections() const { return m_transport->maxOpenConnections(); }

void GhlSimulator::resetLog()
{
    m_log.clear();
    m_transport->resetMaxOpenConnections();
}

} // namespace qrt::ghlsim
