#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace qrt::reconcile {

// What one finished reconciliation did (stored in reconcile_lease.last_summary, so every station
// shows the last one, whoever ran it).
struct ReconcileReport
{
    QString station;
    QDateTime startedAt;
    QDateTime finishedAt;
    QString syncStatus;      // sync::toString(SyncStatus): succeeded, partial, failed
    int ordersListed = 0;
    int ordersSynced = 0;    // written (new or changed)
    int ordersNew = 0;       // of those, not stored before (their webhook never came)
    int ordersUnchanged = 0;
    int ordersFailed = 0;
    int requests = 0;        // GHL requests of the sync
    bool outboxRan = false;  // the QR outbox pass ran (false: not available or cancelled)
    int qrDelivered = 0;
    int qrSkipped = 0;
    int qrFailed = 0;
    QStringList failures;    // "order X: reason", the first few
    QString error;           // why the sync or the pass stopped, for staff

    int failed() const { return ordersFailed + qrFailed; }
    QJsonObject toJson() const;
    static ReconcileReport fromJson(const QJsonObject &json);
};

// The reconciliation loop as a station sees it: for the listener panel and /healthz.
struct ReconcileStatus
{
    enum class State { Off, Stopped, Waiting, Running };
    State state = State::Stopped;
    int intervalS = 0;
    QString station;         // this station
    bool hasLast = false;
    ReconcileReport last;    // the last finished reconciliation, by this or another station
    QString skippedBy;       // this station's last turn was skipped: that station holds the lease or just reconciled
    QDateTime skippedAt;
    QString error;           // this station's last turn could not run (database, no GHL token)
    QDateTime nextRunAt;

    QJsonObject toJson() const;
    // One line for people, translated: "Last reconciliation 12:01 by desk-1: ... Next at 12:11."
    QString summaryLine() const;
};

QString toString(ReconcileStatus::State state); // off, stopped, waiting, running

} // namespace qrt::reconcile

Q_DECLARE_METATYPE(qrt::reconcile::ReconcileReport)
Q_DECLARE_METATYPE(qrt::reconcile::ReconcileStatus)
