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

    // Puts an uploaded file into the contact's FILE_UPLOAD field (replacing its file unless the
    // field takes several) and records it; false: unknown contact.
    bool addUpload(const SimUpload &upload, bool keepOthers);
    const QList<SimUpload> &uploads() const { return m_uploads; }
    void clearUploads() { m_uploads.clear(); }

    // --- custom fields ----------------------------------------------------------------------
    QList<SimCustomField> customFields() const { return m_customFields; }
    void setCustomFields(const QList<SimCustomField> &fields) { m_customFields = fields; }
    const SimCustomField *customField(const QString &fieldId) const; // nullptr if unknown

    // --- limits and scopes ------------------------------------------------------------------
    // forms.json: "File size is limited to 50 MB".
    qint64 maxUploadBytes() const { return m_maxUploadBytes; }
    void setMaxUploadBytes(qint64 bytes) { m_maxUploadBytes = bytes; }
    // The token's scopes; empty: every scope (the default).
    QStringList tokenScopes() const { return m_scopes; }
    void setTokenScopes(const QStringList &scopes) { m_scopes = scopes; }
    bool hasScope(const QString &scope) const { return m_scopes.isEmpty() || scope.isEmpty() || m_scopes.contains(scope); }

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
    QList<SimUpload> m_uploads;
    qint64 m_maxUploadBytes = 50LL * 1024 * 1024;
    QStringList m_scopes;
};

} // namespace qrt::ghlsim
