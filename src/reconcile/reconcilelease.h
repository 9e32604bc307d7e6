#pragma once

#include "core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

namespace qrt::db {
class Database;
}

namespace qrt::reconcile {

// The one row of reconcile_lease as it is now.
struct LeaseState
{
    QString holder;        // instance id of the reconciler that runs now; empty when free
    QString holderStation; // its station name
    QDateTime leaseUntil;
    bool live = false;     // holder set and lease_until still ahead of the database's clock
    QString lastHolder;
    QString lastStation;   // the last reconciliation that finished
    QDateTime lastStartedAt;
    QDateTime lastFinishedAt;
    QJsonObject lastSummary;
};

// Who reconciles now, decided by the database (never by a station's clock): every time is
// written and compared with the database's now(), in one UPDATE that either takes the row or
// does not, so two stations asking at once cannot both get it (PostgreSQL re-checks the WHERE
// on the row it locked; SQLite has one writer at a time). Runs on the caller's thread connection.
class ReconcileLease
{
public:
    // holder: unique for this reconciler (station plus process); station: its name for people.
    ReconcileLease(db::Database &db, QString holder, QString station);

    // Takes the lease for leaseS seconds when it is free, expired or already ours, and no other
    // reconciler finished a reconciliation less than freshS seconds ago (0: no such check).
    // false: someone else has it (read() says who).
    core::Result<bool> acquire(int leaseS, int freshS);
    // Extends a lease we hold; false when it is no longer ours (it expired and another took it).
    core::Result<bool> renew(int leaseS);
    // Records a finished reconciliation (what it healed) and frees the lease.
    core::Result<void> finish(const QJsonObject &summary);
    // Frees the lease without recording anything (a cancelled run).
    core::Result<void> release();
    core::Result<LeaseState> read();

private:
    QString nowPlus(const QString &placeholder) const; // SQL: the database's now + :placeholder seconds
    QString now() const;

    db::Database &m_db;
    QString m_holder;
    QString m_station;
};

} // namespace qrt::reconcile
