#pragma once

#include "ghlsim/simtypes.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QStringList>

#include <functional>
#include <memory>

namespace qrt::ghlsim {

QString isoTime(const QDateTime &t);       // what GHL sends: UTC with milliseconds
QDateTime fromIsoTime(const QString &s);

// What the simulated GHL account holds: its location id and token, the orders (the JSON of
// GetOrderResponseSchema, newest first, indexed by id), the contacts and the custom fields.
// No HTTP and no randomness: the generator fills it, the endpoint handlers read and update it,
// tests change it through GhlSimulator.
class SimStore
{
public:
    SimStore();

    QString locationId() const { return m_locationId; }
    void setLocationId(const QString &id) { m_locationId = id; }
    QString token() const { return m_token; }
    void setToken(const QString &token) { m_token = token; }

    // --- orders -----------------------------------------------------------------------------
    void clear(); // every order and contact
    // Adds at the end of the list; sortOrders() puts it in place.
    void appendOrder(const QJsonObject &order);
    void sortOrders(); // newest createdAt first; stable
    int orderCount() const { return int(m_orders.size()); }
    const QJsonObject &orderAt(qsizetype index) const { return m_orders.at(index)->json; }
    QStringList orderIds() const;
    const QJsonObject *order(const QString &orderId) const; // nullptr if unknown
    // Mutations bump updatedAt. false: unknown order / item.
    bool setItemQuantity(const QString &orderId, int itemIndex, int qty);
    bool cancelOrder(const QString &orderId);
    bool refundOrder(const QString &orderId);
    bool removeOrder(const QString &orderId);
    // As is (needs "_id"), replacing one with the same id; adds the snapshot's contact if new.
    void putOrder(const QJsonObject &order);

    // --- contacts ---------------------------------------------------------------------------
    bool hasContact(const QString &contactId) const { return m_contacts.contains(contactId); }
    QStringList contactIds() const { return m_contacts.keys(); }
    SimContact contact(const QString &contactId) const { return m_contacts.value(contactId); }
    void putContact(const SimContact &contact) { m_contacts.insert(contact.id, contact); }
    // Sets the given fields (id -> value) and keeps the others; false: unknown contact.
    bool updateContactFields(const QString &contactId, const QMap<QString, QString> &values);

    // --- custom fields ----------------------------------------------------------------------
    QList<SimCustomField> customFields() const { return m_customFields; }
    void setCustomFields(const QList<SimCustomField> &fields) { m_customFields = fields; }

private:
    struct Order
    {
        QJsonObject json;
    };
    std::shared_ptr<Order> find(const QString &orderId) const { return m_orderIndex.value(orderId); }
    // Applies edit to the order's JSON and bumps updatedAt; false: unknown order, or edit refused.
    bool change(const QString &orderId, const std::function<bool(QJsonObject &)> &edit);
    static void bump(Order &order);

    QString m_locationId = QStringLiteral("3SwdhCu3svxI8AKsPJt6");
    QString m_token = QStringLiteral("sim-token-0123456789");
    QList<std::shared_ptr<Order>> m_orders; // newest first
    QHash<QString, std::shared_ptr<Order>> m_orderIndex;
    QMap<QString, SimContact> m_contacts;
    QList<SimCustomField> m_customFields;
};

} // namespace qrt::ghlsim
