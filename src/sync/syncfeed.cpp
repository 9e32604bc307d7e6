#include "sync/syncfeed.h"

#include "feed/eventfeed.h"
#include "sync/syncengine.h"

namespace qrt::sync {

void connectToFeed(SyncEngine &engine, feed::EventFeed &feed)
{
    // publish*() may be called from any thread; the feed queues to its own.
    QObject::connect(&engine, &SyncEngine::started, &feed,
                     [f = &feed] { f->publishSyncStatus(true, toString(SyncPhase::Listing)); });
    QObject::connect(&engine, &SyncEngine::progressChanged, &feed, [f = &feed](const SyncProgress &p) {
        if (p.phase == SyncPhase::Done)
            return; // sync_complete says it
        // The original counted orders saved against orders to sync.
        f->publishSyncProgress(true, p.total > 0 ? p.total : p.listTotal, p.written, toString(p.phase));
    });
    QObject::connect(&engine, &SyncEngine::finished, &feed, [f = &feed](const SyncSummary &s) {
        f->publishSyncProgress(false, s.total, s.synced, toString(s.status));
        f->publishSyncComplete(s.toJson());
        f->publishSyncStatus(false, toString(s.status));
    });
}

} // namespace qrt::sync
