#pragma once

#include <QHash>
#include <QPair>
#include <QSet>
#include <QString>
#include <QStringList>

namespace qrt::ghlsim {
class GhlSimulator;
}

namespace qrt::bench {

// What happened to every order of the simulator, from the two places that cannot lie: the
// simulator's own records (each accepted PUT /contacts/{id} and file upload, whose QR code is decoded
// to find the order it belongs to) and the database's orders and tickets (read directly, never
// through the bench's faulty network).
class Ledger
{
public:
    // `mapping`: product id -> custom field id, as stored in the served database.
    Ledger(ghlsim::GhlSimulator &sim, const QString &databaseUrl, QHash<QString, QString> mapping);
    ~Ledger();

    // Reads what is new in the simulator and the whole of the database's order table.
    bool refresh(QString *error = nullptr);

    struct Figures
    {
        int orders = 0;
        int healed = 0;        // stored with every ticket and, when it has tickets, its QR in every mapped field
        int notStored = 0;     // no order row, or fewer tickets than bought
        int notDelivered = 0;  // stored, but a mapped field never got its QR
        // Fields that hold a newer order of the same contact instead (a contact's field holds one
        // value; the outbox leaves the older order's QR out): counted as healed, and shown.
        int superseded = 0;
        int duplicatePairs = 0; // (order, field) pairs that got more than one QR delivery
        int extraDeliveries = 0; // deliveries beyond the first, over all pairs
        QStringList unhealedSample; // a few order ids, for the log
    };
    Figures figures() const;
    // For the log: what the simulator and the database hold for one order.
    QString explain(const QString &orderId);

private:
    QString orderOfDataUrl(const QString &dataUrl);
    QString orderOfPng(const QByteArray &png);

    ghlsim::GhlSimulator &m_sim;
    QString m_connection;
    QHash<QString, QString> m_mapping;
    qsizetype m_requestCursor = 0;
    qsizetype m_uploadCursor = 0;
    QHash<QByteArray, QString> m_decoded; // hash of the image or data URL -> order id
    QHash<QPair<QString, QString>, int> m_deliveries; // (order, field) -> accepted deliveries
    QHash<QString, int> m_storedTickets;             // order -> ticket rows
};

} // namespace qrt::bench
