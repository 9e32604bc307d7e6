#pragma once

namespace qrt::feed {
class EventFeed;
}

namespace qrt::sync {

class SyncEngine;

// Publishes the original system's Socket.IO events for every run of the engine: sync_status at
// the start, sync_progress (syncInProgress, totalOrders, syncedOrders, status) as progress comes,
// and sync_complete with the summary, followed by a final sync_status.
void connectToFeed(SyncEngine &engine, feed::EventFeed &feed);

} // namespace qrt::sync
