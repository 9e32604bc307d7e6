#pragma once

#include <QString>
#include <QStringList>

class QTextStream;

namespace qrt::test {
class TestDatabase;
}

namespace qrt::benchdoor {

// The offline phase of bench_door (issue 15 point 10; PRODUCT.md section 4b "Offline"), on
// PostgreSQL only (with SQLite the station is the database: there is no offline mode).
struct OfflineParams
{
    int rttMs = 20;           // the proxy's round trip, as in the online phase
    int offlineAfterMs = 3000; // [door] offline_after_ms of the stations
    int switchRepeats = 5;    // blackholes timed for door.offline_switch_ms
    int queued = 200;         // tickets scanned offline before the kill -9 (door.queued_lost)
    int conflicts = 10;       // of those, admitted meanwhile by another station (door.conflicts_made)
};

// Prints the "figure:" and "info:" lines of the phase; returns false when it could not run.
bool runOffline(test::TestDatabase &pg, const OfflineParams &params, QTextStream &out);

// The child process the phase kills with SIGKILL: bench_door --offline-child URL CACHE MS CODES_FILE.
inline const QString kOfflineChildArg = QStringLiteral("--offline-child");
int offlineChild(const QStringList &arguments);

} // namespace qrt::benchdoor
