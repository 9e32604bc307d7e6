#include "sync/runstate.h"

namespace qrt::sync {

namespace {

// Cancelling and failing wait for what cannot be taken back: requests in flight (cancelled, they
// come back at once) and the batch being written (each of its transactions commits or rolls back whole).
RunState stopping(RunState state, const RunWork &work)
{
    const bool waiting = work.pages > 0 || work.orders > 0 || work.writerBusy;
    return waiting ? state : RunState::Finishing;
}

// Every order is in: what is left is writing the fetched ones.
RunState afterFetching(const RunWork &work)
{
    return work.writerBusy || work.pending > 0 ? RunState::Draining : RunState::Finishing;
}

} // namespace

RunState nextState(RunState state, RunEvent event, const RunWork &work)
{
    switch (state) {
    case RunState::Finished:
        return RunState::Finished;
    case RunState::Finishing:
        // The outcome is being recorded: a late cancel or failure changes nothing.
        return event == RunEvent::Ended ? RunState::Finished : RunState::Finishing;
    case RunState::Failing:
        // The first failure stands; a cancel after it changes nothing.
        if (event == RunEvent::Failed || event == RunEvent::Cancelled)
            return RunState::Failing;
        return stopping(state, work);
    case RunState::Cancelling:
        // A failure while cancelling (the batch being written could not be saved) is reported.
        if (event == RunEvent::Failed)
            return RunState::Failing;
        if (event == RunEvent::Cancelled)
            return RunState::Cancelling;
        return stopping(state, work);
    case RunState::Starting:
    case RunState::Listing:
    case RunState::Fetching:
    case RunState::Draining:
        break;
    }
    if (event == RunEvent::Failed)
        return RunState::Failing;
    if (event == RunEvent::Cancelled)
        return RunState::Cancelling;

    switch (state) {
    case RunState::Starting:
        // Nothing moves until the writer has recorded the run.
        if (event != RunEvent::Begun)
            return RunState::Starting;
        return work.lists ? RunState::Listing : RunState::Fetching;
    case RunState::Listing:
        // Pages are asked for all at once after the first: none in flight means the list is read.
        return work.pages > 0 ? RunState::Listing : RunState::Fetching;
    case RunState::Fetching:
        if (work.unrequested > 0 || work.orders > 0)
            return RunState::Fetching;
        return afterFetching(work);
    case RunState::Draining:
        return afterFetching(work);
    default:
        return state;
    }
}

SyncPhase phaseFor(RunState state, SyncPhase current)
{
    switch (state) {
    case RunState::Starting: return SyncPhase::Idle;
    case RunState::Listing: return SyncPhase::Listing;
    case RunState::Fetching: return SyncPhase::Orders;
    case RunState::Draining: return SyncPhase::Writing;
    case RunState::Finished: return SyncPhase::Done;
    case RunState::Cancelling:
    case RunState::Failing:
    case RunState::Finishing:
        break;
    }
    return current;
}

QString toString(RunState state)
{
    switch (state) {
    case RunState::Starting: return QStringLiteral("starting");
    case RunState::Listing: return QStringLiteral("listing");
    case RunState::Fetching: return QStringLiteral("fetching");
    case RunState::Draining: return QStringLiteral("draining");
    case RunState::Cancelling: return QStringLiteral("cancelling");
    case RunState::Failing: return QStringLiteral("failing");
    case RunState::Finishing: return QStringLiteral("finishing");
    case RunState::Finished: return QStringLiteral("finished");
    }
    return {};
}

QString toString(RunEvent event)
{
    switch (event) {
    case RunEvent::Entered: return QStringLiteral("entered");
    case RunEvent::Begun: return QStringLiteral("begun");
    case RunEvent::PageListed: return QStringLiteral("page listed");
    case RunEvent::OrderFetched: return QStringLiteral("order fetched");
    case RunEvent::BatchWritten: return QStringLiteral("batch written");
    case RunEvent::Cancelled: return QStringLiteral("cancelled");
    case RunEvent::Failed: return QStringLiteral("failed");
    case RunEvent::Ended: return QStringLiteral("ended");
    }
    return {};
}

void RunCounters::noteUpdated(const QDateTime &updatedAt)
{
    if (updatedAt.isValid() && (!watermark.isValid() || updatedAt > watermark))
        watermark = updatedAt;
}

void RunCounters::fill(SyncProgress &progress) const
{
    progress.listed = listed;
    progress.listTotal = listTotal;
    progress.total = total;
    progress.fetched = fetched;
    progress.written = written;
    progress.failed = int(failures.size());
    progress.unchanged = unchanged;
    progress.rateLimitWaitMs = rateLimitWaitMs;
    progress.requests = requests;
}

void RunCounters::fill(SyncSummary &summary) const
{
    summary.listed = listed;
    summary.total = total;
    summary.synced = written;
    summary.unchanged = unchanged;
    summary.failed = int(failures.size());
    summary.requests = requests;
    summary.http429 = http429;
    summary.ticketsAdded = ticketsAdded;
    summary.ticketsCancelled = ticketsCancelled;
    summary.ticketsRestored = ticketsRestored;
    summary.watermark = watermark;
    summary.failures = failures;
    summary.conflicts = conflicts;
}

} // namespace qrt::sync
