#pragma once

#include "ghlsim/simrandom.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QStringList>

namespace qrt::ghlsim {

class SimStore;

// Seeded, deterministic sample data: a few events (products) with the ticket types (prices)
// "General Admission", "VIP" and "Student", one or two lines of 1-6 tickets per order, about
// one repeat buyer in ten, a few pending and refunded orders. Same seed, same data.
class SimGenerator
{
public:
    // Replaces the store's orders and contacts with `orders` orders, newest first.
    void generate(SimStore &store, int orders, quint32 seed);
    // Appends n new orders (new contacts) created now; returns their ids.
    QStringList addOrders(SimStore &store, int n);

private:
    void setupCatalog();
    QJsonObject makeOrder(SimStore &store, const QDateTime &createdAt);
    QString hexId();
    QString contactId();

    SplitMix64 m_rng;
    int m_nextSerial = 0;
    QStringList m_productIds; // the generated events
    QHash<QString, QString> m_productNames;
    QHash<QString, QList<QJsonObject>> m_productPrices;
    QStringList m_generatedContacts; // for repeat buyers, in creation order
};

} // namespace qrt::ghlsim
