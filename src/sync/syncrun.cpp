#include "sync/syncrun.h"

#include "core/clock.h"
#include "ghl/getorderjob.h"
#include "ghl/ghlclient.h"
#include "ghl/listordersjob.h"
#include "sync/logging.h"

#include <QTimer>

#include <algorithm>

namespace qrt::sync {

namespace {
constexpr int kPageSize = 100; // the most GHL returns per List Orders page
constexpr int kPageTries = 3;
} // namespace

SyncRun::SyncRun(const SyncRequest &request, const core::Clock &clock) : m_request(request), m_clock(clock) { }

SyncRun::~SyncRun() = default;

int SyncRun::window() const
{
    // Enough queued behind the in-flight requests that a free slot never waits for us.
    return std::max(4, std::max(1, m_request.ghl.concurrency) * 2);
}

RunWork SyncRun::work() const
{
    RunWork w;
    w.lists = m_request.mode != SyncMode::IdList;
    w.pages = m_pages;
    w.orders = m_orders;
    w.unrequested = int(std::max<qsizetype>(0, m_toFetch.size() - m_next));
    w.pending = int(m_pending.size());
    w.writerBusy = m_writerBusy;
    return w;
}

void SyncRun::dispatch(RunEvent event)
{
    for (;;) {
        const RunState from = m_state;
        const RunState to = nextState(from, event, work());
        if (to == from)
            return;
        qCDebug(lcSync).noquote() << "sync" << toString(from) << "->" << toString(to) << "on" << toString(event);
        m_state = to;
        enter(to, from);
        // Entering may have moved the run on already (a cancelled request answers at once).
        if (m_state != to)
            return;
        event = RunEvent::Entered;
    }
}

void SyncRun::enter(RunState to, RunState from)
{
    if (to == RunState::Fetching)
        chooseOrders(); // first, so that the phase's progress signal has the total
    if (to == RunState::Finished)
        m_progressTimer->stop();
    setPhase(phaseFor(to, m_phase));
    switch (to) {
    case RunState::Listing:
        requestPage(0);
        break;
    case RunState::Fetching:
        feed();
        break;
    case RunState::Draining:
        flush(true);
        break;
    case RunState::Cancelling:
    case RunState::Failing:
        if (m_client)
            m_client->cancelAll();
        break;
    case RunState::Finishing:
        finish(from);
        break;
    case RunState::Starting:
    case RunState::Finished:
        break;
    }
}

void SyncRun::run()
{
    m_startMs = m_clock.monotonicMs();
    m_startedAt = m_clock.now();
    m_client = new ghl::GhlClient(m_request.ghl, &m_clock, this);
    ghl::RetryPolicy policy = m_client->retryPolicy();
    if (m_request.ghlMaxAttempts > 0)
        policy.maxAttempts = m_request.ghlMaxAttempts;
    if (m_request.ghlRetryBaseDelayMs > 0) {
        policy.baseDelayMs = m_request.ghlRetryBaseDelayMs;
        policy.maxDelayMs = std::max(policy.baseDelayMs, policy.baseDelayMs * 16);
    }
    m_client->setRetryPolicy(policy);
    connect(m_client, &ghl::GhlClient::rateLimitWaitChanged, this, [this](int ms) {
        m_counts.rateLimitWaitMs = ms;
        m_dirty = true;
    });
    connect(m_client, &ghl::GhlClient::retrying, this,
            [this](const QString &, int, int, const ghl::GhlError &error) {
                if (error.httpStatus == 429)
                    ++m_counts.http429;
            });

    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(std::max(50, m_request.progressIntervalMs));
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_dirty)
            emitProgress();
    });
    m_progressTimer->start();
    m_flushTimer = new QTimer(this);
    m_flushTimer->setSingleShot(true);
    connect(m_flushTimer, &QTimer::timeout, this, [this] { flush(true); });

    qCInfo(lcSync).noquote() << "sync started:" << toString(m_request.mode) << "station" << m_request.station;
    Q_EMIT started();
    m_writerBusy = true;
    Q_EMIT beginRequested();
}

void SyncRun::onBegun(const RunStart &start)
{
    m_runId = start.runId;
    m_writerBusy = false;
    if (!start.error.isEmpty())
        setFatal(tr("The sync could not start because the database is not available: %1").arg(start.error));
    else
        m_stored = start.stored;
    dispatch(RunEvent::Begun);
}

void SyncRun::requestPage(int offset)
{
    ghl::ListOrdersQuery query;
    query.limit = kPageSize;
    query.offset = offset;
    ghl::ListOrdersJob *job = m_client->listOrders(query);
    ++m_pages;
    connect(job, &ghl::GhlJob::finished, this, [this, job] { onPage(job); });
}

void SyncRun::onPage(ghl::ListOrdersJob *job)
{
    --m_pages;
    countAnswer(*job);
    const ghl::GhlError &error = job->error();
    const int offset = job->query().offset;
    if (error.kind == ghl::GhlError::Kind::Cancelled) {
        // The run is stopping; nothing to note.
    } else if (error.isError()) {
        // A lost page hides 100 orders: beyond the client's retries of transient errors, ask
        // again for answers it does not retry (a truncated or malformed body).
        if (error.kind != ghl::GhlError::Kind::Unauthorized && m_state == RunState::Listing
            && ++m_pageTries[offset] < kPageTries) {
            requestPage(offset);
            return;
        }
        if (error.kind == ghl::GhlError::Kind::Unauthorized || offset == 0) {
            setFatal(tr("Could not list the orders in GHL: %1").arg(error.message()));
        } else {
            // Without this page we do not know these orders; the others still sync.
            fail({}, tr("Orders %1 to %2 of the GHL order list could not be read: %3")
                         .arg(offset + 1)
                         .arg(offset + kPageSize)
                         .arg(error.message()));
        }
    } else {
        const ghl::OrderPage &page = job->page();
        for (const ghl::OrderSummary &s : page.orders) {
            if (s.id.isEmpty())
                continue;
            if (!m_listedUpdated.contains(s.id))
                m_listedIds.append(s.id);
            m_listedUpdated.insert(s.id, s.updatedAt);
            m_counts.noteUpdated(s.updatedAt);
        }
        m_counts.listed = int(m_listedIds.size());
        if (offset == 0 && m_state == RunState::Listing) {
            m_counts.listTotal = page.totalCount;
            // Offset paging: every further page can be asked for at once; the client keeps
            // them within the concurrency and the rate limit.
            for (int next = kPageSize; next < page.totalCount; next += kPageSize)
                requestPage(next);
        }
    }
    dispatch(RunEvent::PageListed);
}

void SyncRun::countAnswer(const ghl::GhlJob &job)
{
    m_counts.requests += job.attempts(); // retries included
    if (job.error().httpStatus == 429)
        ++m_counts.http429; // the last answer; retried ones are counted as they are retried
    m_dirty = true;
}

void SyncRun::chooseOrders()
{
    if (m_request.mode == SyncMode::IdList) {
        m_toFetch = m_request.orderIds;
        m_toFetch.removeDuplicates();
    } else if (m_request.mode == SyncMode::Full) {
        m_toFetch = m_listedIds;
    } else {
        for (const QString &id : std::as_const(m_listedIds)) {
            const QDateTime listed = m_listedUpdated.value(id);
            const auto stored = m_stored.constFind(id);
            // Unknown times are fetched: better one request too many than a stale order.
            if (stored == m_stored.cend() || !stored->isValid() || !listed.isValid()
                || stored->toMSecsSinceEpoch() != listed.toMSecsSinceEpoch())
                m_toFetch.append(id);
            else
                ++m_counts.unchanged;
        }
    }
    m_ordersStartMs = m_clock.monotonicMs() - m_startMs;
    m_counts.total = int(m_toFetch.size());
    qCInfo(lcSync) << "fetching" << m_toFetch.size() << "order(s);" << m_counts.unchanged << "unchanged";
}

void SyncRun::feed()
{
    while (m_state == RunState::Fetching && m_next < m_toFetch.size() && m_orders < window()) {
        ghl::GetOrderJob *job = m_client->getOrder(m_toFetch.at(m_next++));
        ++m_orders;
        connect(job, &ghl::GhlJob::finished, this, [this, job] { onOrder(job); });
    }
}

void SyncRun::onOrder(ghl::GetOrderJob *job)
{
    --m_orders;
    countAnswer(*job);
    const ghl::GhlError &error = job->error();
    if (error.isError()) {
        switch (error.kind) {
        case ghl::GhlError::Kind::Cancelled:
            break;
        case ghl::GhlError::Kind::Unauthorized:
            setFatal(tr("GHL refused the token: %1").arg(error.message()));
            break;
        case ghl::GhlError::Kind::NotFound:
            fail(job->orderId(), tr("not found in GHL (it may have been deleted, or the id is wrong)"));
            break;
        default:
            fail(job->orderId(), error.message());
            break;
        }
    } else {
        ++m_counts.fetched;
        m_counts.noteUpdated(job->order().ghlUpdatedAt);
        m_pending.append(job->order());
        if (m_pending.size() == 1)
            m_flushTimer->start(std::max(1, m_request.batchIntervalMs));
        flush(false);
    }
    feed();
    dispatch(RunEvent::OrderFetched);
}

void SyncRun::flush(bool force)
{
    if (m_writerBusy || m_pending.isEmpty() || (m_state != RunState::Fetching && m_state != RunState::Draining))
        return;
    const int batch = std::max(1, m_request.batchSize);
    const bool allFetched = m_next >= m_toFetch.size() && m_orders == 0;
    if (!force && !allFetched && m_pending.size() < batch)
        return;
    // When the writer lags behind, batches grow (fewer commits), up to a bound that keeps each
    // transaction short.
    const qsizetype n = std::min<qsizetype>(m_pending.size(), qsizetype(batch) * 4);
    QList<core::Order> orders = m_pending.mid(0, n);
    m_pending.remove(0, n);
    m_flushTimer->stop();
    if (!m_pending.isEmpty())
        m_flushTimer->start(std::max(1, m_request.batchIntervalMs));
    m_writerBusy = true;
    Q_EMIT writeRequested(orders);
}

void SyncRun::onWritten(const BatchOutcome &outcome)
{
    m_writerBusy = false;
    m_dirty = true;
    // A failed batch may have committed some of its orders (PostgreSQL commits it in chunks): they
    // and their tickets are saved, so they count.
    m_counts.written += outcome.saved;
    if (!outcome.error.isEmpty()) {
        setFatal(tr("Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were "
                    "not saved. Orders saved before are complete; run the sync again once the database is back. %1",
                    nullptr, outcome.orders - outcome.saved)
                     .arg(outcome.error));
    }
    m_counts.ticketsAdded += outcome.added;
    m_counts.ticketsCancelled += outcome.cancelled;
    m_counts.ticketsRestored += outcome.restored;
    m_counts.conflicts += outcome.conflicts;
    if (outcome.error.isEmpty())
        flush(false);
    dispatch(RunEvent::BatchWritten);
}

void SyncRun::fail(const QString &orderId, const QString &reason)
{
    if (!orderId.isEmpty()) {
        if (m_failedIds.contains(orderId))
            return;
        m_failedIds.insert(orderId);
    }
    m_counts.failures.append({ orderId, reason });
    m_dirty = true;
    qCWarning(lcSync).noquote() << "order" << (orderId.isEmpty() ? QStringLiteral("(list)") : orderId) << "failed:" << reason;
    Q_EMIT orderFailed(orderId, reason);
}

void SyncRun::setFatal(const QString &message)
{
    if (nextState(m_state, RunEvent::Failed, work()) == m_state)
        return; // already failing or finishing: the first reason stands
    m_error = message;
    qCWarning(lcSync).noquote() << "sync stopped:" << message;
    dispatch(RunEvent::Failed);
}

void SyncRun::cancel()
{
    if (nextState(m_state, RunEvent::Cancelled, work()) == m_state)
        return;
    qCInfo(lcSync) << "sync cancelled";
    dispatch(RunEvent::Cancelled);
}

void SyncRun::finish(RunState from)
{
    m_flushTimer->stop();
    m_finishedAt = m_clock.now();
    if (from == RunState::Failing) {
        m_status = SyncStatus::Failed;
    } else if (from == RunState::Cancelling) {
        m_status = SyncStatus::Cancelled;
        m_error = tr("The sync was cancelled; %n order(s) were saved before it stopped.", nullptr, m_counts.written);
    } else {
        m_status = m_counts.failures.isEmpty() ? SyncStatus::Succeeded : SyncStatus::Partial;
    }
    const SyncSummary s = summary();
    qCInfo(lcSync).noquote() << "sync finished:" << toString(s.status) << s.synced << "saved," << s.failed
                             << "failed," << s.requests << "requests";
    Q_EMIT endRequested(s);
}

void SyncRun::onEnded(const SyncSummary &summary)
{
    dispatch(RunEvent::Ended);
    Q_EMIT finished(summary);
}

SyncSummary SyncRun::summary() const
{
    SyncSummary s;
    s.mode = m_request.mode;
    s.station = m_request.station;
    s.runId = m_runId;
    s.startedAt = m_startedAt;
    s.finishedAt = m_finishedAt;
    s.status = m_status;
    s.error = m_error;
    m_counts.fill(s);
    return s;
}

void SyncRun::setPhase(SyncPhase phase)
{
    if (m_phase == phase)
        return;
    m_phase = phase;
    emitProgress();
}

void SyncRun::emitProgress()
{
    m_dirty = false;
    SyncProgress p;
    p.phase = m_phase;
    m_counts.fill(p);
    const qint64 elapsed = m_startedAt.isValid() ? m_clock.monotonicMs() - m_startMs : 0;
    p.elapsedMs = elapsed;
    p.etaMs = -1;
    const int done = p.written + p.failed;
    if (p.phase == SyncPhase::Done) {
        p.etaMs = 0;
    } else if (m_ordersStartMs >= 0 && done > 0 && p.total > 0) {
        const qint64 spent = elapsed - m_ordersStartMs;
        p.etaMs = qint64(double(spent) / done * std::max(0, p.total - done));
    }
    Q_EMIT progressChanged(p);
}

} // namespace qrt::sync
