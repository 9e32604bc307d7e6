#include "ghlsim/simfaults.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace qrt::ghlsim {

void SimFaultInjector::setOrderFaults(const SimFaults &faults, quint32 seed)
{
    m_orderFaults = faults;
    m_rng.state = seed;
}

void SimFaultInjector::setPathFaults(const QString &pathPrefix, const SimFaults &faults)
{
    for (auto &entry : m_pathFaults) {
        if (entry.first == pathPrefix) {
            entry.second = faults;
            return;
        }
    }
    m_pathFaults.append({ pathPrefix, faults });
}

void SimFaultInjector::clear()
{
    m_orderFaults = SimFaults();
    m_pathFaults.clear();
    m_failNext = 0;
}

void SimFaultInjector::failNext(int n, int status, int retryAfterS)
{
    m_failNext = n;
    m_failNextStatus = status;
    m_failNextRetryAfter = retryAfterS;
}

std::optional<SimResponse> SimFaultInjector::inject(const SimRequest &request, const std::function<SimResponse()> &real)
{
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
        SimResponse r = SimResponse::error(m_failNextStatus, QStringLiteral("Injected failure"));
        r.faulted = true;
        if (r.status == 429 || r.status == 503)
            r.headers.append({ "Retry-After", QByteArray::number(m_failNextRetryAfter) });
        return r;
    }
    if (!faults)
        return std::nullopt;

    // One draw per request, laid over the shares in this order.
    const double draw = m_rng.uniform();
    double edge = faults->serverError;
    if (draw < edge) {
        SimResponse r = SimResponse::error(500, QStringLiteral("Internal server error"));
        r.faulted = true;
        return r;
    }
    edge += faults->rateLimited;
    if (draw < edge) {
        SimResponse r = SimResponse::error(429, QStringLiteral("Too many requests"));
        r.headers.append({ "Retry-After", QByteArray::number(faults->retryAfterS) });
        r.faulted = true;
        return r;
    }
    edge += faults->hang;
    if (draw < edge) {
        SimResponse r;
        r.hang = true;
        r.faulted = true;
        return r;
    }
    edge += faults->truncated;
    if (draw < edge) {
        SimResponse r = real();
        if (r.status == 200)
            r.body.truncate(std::max<qsizetype>(1, r.body.size() / 2));
        r.faulted = true;
        return r;
    }
    edge += faults->malformed;
    if (draw < edge) {
        SimResponse r;
        r.body = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        r.faulted = true;
        return r;
    }
    // The real answer with one field changed: another order's id, or another location's.
    const auto rewritten = [&real](const QString &field, const std::function<QString(const QString &)> &change) {
        SimResponse r = real();
        if (r.status != 200)
            return r;
        QJsonObject order = QJsonDocument::fromJson(r.body).object();
        order.insert(field, change(order.value(field).toString()));
        r.body = QJsonDocument(order).toJson(QJsonDocument::Compact);
        r.faulted = true;
        return r;
    };
    edge += faults->otherOrder;
    if (draw < edge) {
        if (request.endpoint != Endpoint::GetOrder)
            return std::nullopt;
        return rewritten(QStringLiteral("_id"), [](const QString &id) {
            QString other = id.isEmpty() ? QStringLiteral("0") : id;
            other.back() = other.back() == u'0' ? u'1' : u'0';
            return other;
        });
    }
    edge += faults->otherLocation;
    if (draw < edge) {
        if (request.endpoint != Endpoint::GetOrder)
            return std::nullopt;
        return rewritten(QStringLiteral("altId"), [](const QString &) { return QStringLiteral("0therL0cati0nOfAn0therAcct"); });
    }
    return std::nullopt;
}

} // namespace qrt::ghlsim
