#pragma once

// Internal to the sync engine: where a run stands, what moves it on, and what it has counted.
// Pure values and one pure function, so the rules can be tested without threads, GHL or a
// database (tests/sync/tst_runstate.cpp).

#include "sync/synctypes.h"

#include <QDateTime>
#include <QList>
#include <QString>
#include <QStringList>

namespace qrt::sync {

// The stages of one run. Only nextState() changes it.
enum class RunState {
    Starting,   // the writer is recording the run (sync_runs row; incremental: stored update times)
    Listing,    // list pages in flight
    Fetching,   // order details in flight; full batches are written meanwhile
    Draining,   // every order is in; the last batches are being written
    Cancelling, // staff cancelled: waiting for requests in flight and the batch being written
    Failing,    // the run cannot go on (token refused, database gone ...): waiting as when cancelling
    Finishing,  // the writer records the end of the run
    Finished,   // finished(summary) was sent; nothing more happens
};

// What happened. The run updates its bookkeeping (RunWork) first, then asks nextState().
enum class RunEvent {
    Entered,      // the run did the work of entering its new state (it may have nothing to wait for)
    Begun,        // the writer recorded the start (or could not: a Failed follows)
    PageListed,   // a list page came back, read or given up
    OrderFetched, // an order request came back, read or given up
    BatchWritten, // the writer saved a batch (or could not: a Failed follows)
    Cancelled,    // staff asked to stop
    Failed,       // something the run cannot go on without failed
    Ended,        // the writer recorded the end of the run
};

// What the run is still waiting for, as nextState() needs it.
struct RunWork
{
    bool lists = true;      // the mode lists orders first (full, incremental); not for an id list
    int pages = 0;          // list requests in flight
    int orders = 0;         // order requests in flight
    int unrequested = 0;    // orders to fetch that were not requested yet
    int pending = 0;        // fetched orders not handed to the writer yet
    bool writerBusy = false; // the writer is recording the start or saving a batch
};

// The one transition function: where a run in `state` goes on `event`, given what it waits for.
RunState nextState(RunState state, RunEvent event, const RunWork &work);

// The phase a progress bar shows in a state; `current` for the states that keep the last one.
SyncPhase phaseFor(RunState state, SyncPhase current);

QString toString(RunState state); // "starting", "listing", ... for logs and test messages
QString toString(RunEvent event); // "entered", "begun", ...

// Everything a run counts, kept once: SyncProgress and SyncSummary are views of it.
struct RunCounters
{
    int listed = 0;    // distinct order summaries listed
    int listTotal = 0; // totalCount GHL reported
    int total = 0;     // orders to fetch
    int fetched = 0;
    int written = 0;
    int unchanged = 0;
    int requests = 0;
    int http429 = 0;
    int rateLimitWaitMs = 0;
    int ticketsAdded = 0;
    int ticketsCancelled = 0;
    int ticketsRestored = 0;
    QDateTime watermark; // newest GHL updatedAt seen
    QList<SyncFailure> failures;
    QStringList conflicts;

    void noteUpdated(const QDateTime &updatedAt);

    // The counted part of a progress snapshot (phase, timings and ETA are the run's).
    void fill(SyncProgress &progress) const;
    // The counted part of a summary (mode, station, status, times and error are the run's).
    void fill(SyncSummary &summary) const;
};

} // namespace qrt::sync
