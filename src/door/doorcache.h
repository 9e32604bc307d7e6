#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QList>
#include <QString>

#include <memory>

namespace qrt::door {

// One admission a station made while the shared database did not answer (door_queue, migration 13).
struct QueuedAdmission
{
    enum class State { Queued, Uploaded, Conflict };
    qint64 id = 0;
    qint64 ticketId = 0;
    QString orderId;
    QString station;  // who admitted it here (DoorCheck::Policy::actor())
    QString operatorName; // the database user of this station
    QDateTime admittedAt;
    QString mode;     // "offline"
    QString reason;   // "unpaid" when admitted anyway
    State state = State::Queued;
    QString conflictBy;   // the station that had admitted the ticket on the shared database
    QDateTime conflictAt; // and when
    QString conflictReason; // "already-used", "cancelled", "unknown", "refunded", "order-cancelled", or
                            // "refused: <the database's words>" (the row's data refused, e.g. older than 7 days)
};

// A station's door cache (PRODUCT.md section 4b "Offline"): a local SQLite file with the product's
// own schema (the Migrator runs on it) holding copies of what a scan needs: orders (ids, names,
// event, payment and order status, line items; no e-mail, phone or totals) and all their tickets
// (codes, products, status, who used them). The same DoorCheck decides against it when the shared
// database does not answer. An admission made here is journaled in door_queue by a trigger that
// exists only in the cache file, in the same transaction as the admission itself: a queued
// admission is never lost, also across a restart.
//
// Kept fresh by pull(): a full copy the first time, then the rows whose updated_at is at or after
// the last pull's newest updated_at minus kOverlapS (orders carry their writer's clock, tickets the
// database's; the overlap covers skew and transactions that committed late). A ticket with a queued
// admission is never overwritten by a pull. Blocking: call it on a door thread.
class DoorCache
{
public:
    static constexpr int kOverlapS = 120;

    // Opens (creates) and migrates the file. operatorName is recorded with each queued admission.
    static core::Result<std::unique_ptr<DoorCache>> open(const QString &path, const QString &operatorName);
    // Where a station keeps its cache for `shared` when nothing else says: beside its data, one
    // file per shared database (so a station switched to another database never mixes them).
    static QString defaultPath(const db::DatabaseUrl &shared);

    db::Database &db() { return *m_db; }
    std::shared_ptr<db::Database> shared() { return m_db; }
    QString path() const { return m_path; }

    // Copies what changed on `shared` since the last pull (everything the first time); returns the
    // number of rows copied. doorViews: `shared`'s login is a door operator: the same rows through
    // the door's views and qrt_door_cache (line items without prices, created_at = updated_at).
    core::Result<int> pull(db::Database &shared, bool doorViews = false);
    // The newest updated_at seen by the last pull (invalid before the first).
    core::Result<QDateTime> watermark();

    core::Result<QList<QueuedAdmission>> admissions(QueuedAdmission::State state);
    core::Result<int> count(QueuedAdmission::State state);
    // How many of these tickets have an admission of this station still queued (not yet sent).
    core::Result<int> queuedAmong(const QList<qint64> &ticketIds);
    // This station admitted these tickets online: the copy says used at once (not journaled; the
    // shared database has them), so a scan offline before the next pull is not a second green.
    core::Result<void> noteAdmittedOnline(const QList<qint64> &ticketIds, const QString &actor);
    core::Result<void> markUploaded(qint64 id);
    core::Result<void> markConflict(qint64 id, const QString &by, const QDateTime &at, const QString &reason);

private:
    DoorCache() = default;
    core::Result<void> setMeta(const QString &key, const QString &value);
    core::Result<QString> meta(const QString &key);
    std::shared_ptr<db::Database> m_db;
    QString m_path;
};

} // namespace qrt::door
