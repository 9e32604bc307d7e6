#pragma once

#include <QString>

namespace qrt::core {

// The id a worker claims rows with (webhook_inbox.claimed_by, qr_outbox.claimed_by):
// "station@host:pid:random", a new random part each call (one per worker). Two
// processes with one station name (desktop and serve on one machine, two stations left at the
// default host name) never take each other's claims for their own.
QString instanceId(const QString &station);

// The station name part of an instance id (for display); a plain station name stays as it is.
QString stationOfInstance(const QString &claimedBy);

// True when `claimedBy` is the instance id of a process of this machine that no longer runs (a
// crash, kill -9): its claims can be taken at once instead of after their lease. False for this
// process (its other workers), for other machines and for anything that is not an instance id.
bool isDeadLocalInstance(const QString &claimedBy);

} // namespace qrt::core
