#pragma once

#include "core/result.h"
#include "db/database.h"

#include <QDateTime>
#include <QHash>
#include <QList>

namespace qrt::db {

// Admissions of one event in one 15-minute slot, from ticket_events: a live -> used change is an
// admission, a used -> live change (Undo) takes one back, both counted in the slot they happened.
struct ArrivalBucket
{
    QString eventId;
    QDateTime start; // UTC, a multiple of 15 minutes
    int admitted = 0;
    int undone = 0;
    int net() const { return admitted - undone; }
};

struct ArrivalsReport
{
    QList<ArrivalBucket> buckets; // by start, then event id; only slots with changes
    // "Inside now": per event, the tickets whose status is used at this moment (admitted and not
    // undone, cancelled or reset since). There is no exit scan, so a guest who left still counts.
    QHash<QString, int> insideNow;
    int insideTotal = 0;
    QDateTime from; // the first slot of the window (UTC), invalid when nobody was admitted yet
    QDateTime to;   // the last slot of the window (its start)
};

// What the event overview's arrivals chart shows (issue 15 point 6).
class ArrivalsRepository
{
public:
    static constexpr int kBucketSeconds = 15 * 60;

    // doorViews: from the qrt_door_ticket_events and qrt_door_tickets views, all a door login may
    // read (issue 13 point 3).
    explicit ArrivalsRepository(Database &db, bool doorViews = false) : m_db(db), m_doorViews(doorViews) { }

    // The slots of the `hours` hours up to the latest admission or undo (an evening at the door),
    // and who is inside now.
    core::Result<ArrivalsReport> arrivals(int hours = 12);

    static QDateTime bucketStart(const QDateTime &time);

private:
    Database &m_db;
    bool m_doorViews = false;
};

} // namespace qrt::db
