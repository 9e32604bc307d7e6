#include "sync/syncworkers.h"

#include "db/database.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/syncrunrepository.h"
#include "ghl/getorderjob.h"
#include "ghl/ghlclient.h"
#include "ghl/listordersjob.h"
#include "sync/logging.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QThread>
#include <QTimer>

#include <algorithm>

namespace qrt::sync {

namespace {
constexpr int kPageSize = 100; // the most GHL returns per List Orders page
constexpr int kPageTries = 3;
} // namespace

// --- SyncWriter ---------------------------------------------------------------------------------

SyncWriter::SyncWriter(std::shared_ptr<db::Database> database, const SyncRequest &request)
    : m_db(std::move(database)), m_request(request)
{
}

bool SyncWriter::shouldRetry(const QString &code) const
{
    // A lost connection is closed by Database::fail; the next connection() opens a fresh one.
    // While the server restarts, opening fails as "unreachable" for a moment.
    return !m_abort && (code == u"db.connection_lost" || code == u"db.unreachable");
}

template <typename Op>
auto SyncWriter::retrying(const char *what, Op op, int &attempts)
{
    int delay = std::max(1, m_request.dbRetryBaseMs);
    for (attempts = 1;; ++attempts) {
        auto result = op();
        if (result || attempts >= std::max(1, m_request.dbAttempts) || !shouldRetry(result.error().code))
            return result;
        qCWarning(lcSync).noquote() << what << "failed, retrying in" << delay << "ms:" << result.error().toString();
        // This thread only writes: sleeping here holds up nothing but the next batch.
        for (int slept = 0; slept < delay && !m_abort; slept += 50)
            QThread::msleep(50);
        delay = std::min(delay * 2, 8000);
    }
}

void SyncWriter::begin()
{
    RunStart start;
    db::SyncRunRepository runs(*m_db);
    auto id = runs.start(toString(m_request.mode), m_request.station);
    if (!id) {
        start.error = id.error().toString();
        Q_EMIT begun(start);
        return;
    }
    start.runId = m_runId = id.value();
    // Other stations (and this one after a crash) tell a live run from a dead one by this.
    m_heartbeat = new QTimer(this);
    m_heartbeat->setInterval(std::max(50, m_request.heartbeatMs));
    connect(m_heartbeat, &QTimer::timeout, this, &SyncWriter::beat);
    m_heartbeat->start();
    if (m_request.mode == SyncMode::Incremental) {
        db::OrderRepository orders(*m_db);
        auto stored = orders.ghlUpdatedAt();
        if (!stored)
            start.error = stored.error().toString();
        else
            start.stored = std::move(stored).value();
    }
    Q_EMIT begun(start);
}

void SyncWriter::write(const QList<core::Order> &orders)
{
    BatchOutcome outcome;
    outcome.orders = int(orders.size());
    db::OrderWriter writer(*m_db);
    const auto saved = retrying("saving a batch", [&] { return writer.save(orders, m_request.station); }, outcome.attempts);
    if (saved) {
        for (const db::ReconcileResult &r : saved.value()) {
            outcome.added += r.added;
            outcome.cancelled += r.cancelled;
            outcome.restored += r.restored;
            for (const QString &c : r.conflicts)
                outcome.conflicts << tr("order %1: %2").arg(r.orderId, c);
        }
        if (outcome.attempts > 1)
            qCInfo(lcSync) << "batch of" << orders.size() << "orders saved on attempt" << outcome.attempts;
    } else {
        const QString e = saved.error().toString();
        outcome.error = outcome.attempts > 1 ? tr("%1 (gave up after %n attempt(s))", nullptr, outcome.attempts).arg(e) : e;
    }
    Q_EMIT written(outcome);
}

void SyncWriter::beat()
{
    db::SyncRunRepository runs(*m_db);
    if (auto alive = runs.heartbeat(m_runId); !alive)
        qCInfo(lcSync).noquote() << "could not record the sync's heartbeat:" << alive.error().toString();
}

void SyncWriter::end(const SyncSummary &summary)
{
    if (m_heartbeat)
        m_heartbeat->stop();
    SyncSummary s = summary;
    if (m_runId > 0) {
        db::SyncRunRecord r;
        r.id = m_runId;
        r.mode = toString(s.mode);
        r.station = s.station;
        r.status = toString(s.status);
        r.totalOrders = s.total;
        r.syncedOrders = s.synced;
        r.failedOrders = s.failed;
        r.requests = s.requests;
        r.ticketsAdded = s.ticketsAdded;
        r.ticketsCancelled = s.ticketsCancelled;
        r.watermark = s.watermark;
        r.summary = s.toJson();
        r.error = s.error;
        db::SyncRunRepository runs(*m_db);
        // The run's outcome matters after a restart too: a lost connection gets a few more tries.
        int attempts = 0;
        if (auto done = retrying("recording the end of the sync run", [&] { return runs.finish(r); }, attempts); !done)
            qCWarning(lcSync).noquote() << "could not record the end of sync run" << m_runId << ":" << done.error().toString();
    }
    Q_EMIT ended(s);
}

// --- SyncRun ------------------------------------------------------------------------------------

SyncRun::SyncRun(const SyncRequest &request) : m_request(request)
{
    m_summary.mode = request.mode;
    m_summary.station = request.station;
}

SyncRun::~SyncRun() = default;

int SyncRun::window() const
{
    // Enough queued behind the in-flight requests that a free slot never waits for us.
    return std::max(4, std::max(1, m_request.ghl.concurrency) * 2);
}

void SyncRun::run()
{
    m_clock.start();
    m_summary.startedAt = QDateTime::currentDateTimeUtc();
    m_client = new ghl::GhlClient(m_request.ghl, this);
    ghl::RetryPolicy policy = m_client->retryPolicy();
    if (m_request.ghlMaxAttempts > 0)
        policy.maxAttempts = m_request.ghlMaxAttempts;
    if (m_request.ghlRetryBaseDelayMs > 0) {
        policy.baseDelayMs = m_request.ghlRetryBaseDelayMs;
        policy.maxDelayMs = std::max(policy.baseDelayMs, policy.baseDelayMs * 16);
    }
    m_client->setRetryPolicy(policy);
    connect(m_client, &ghl::GhlClient::rateLimitWaitChanged, this, [this](int ms) {
        m_progress.rateLimitWaitMs = ms;
        m_dirty = true;
    });
    connect(m_client, &ghl::GhlClient::retrying, this,
            [this](const QString &, int, int, const ghl::GhlError &error) {
                if (error.httpStatus == 429)
                    ++m_summary.http429;
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
    Q_EMIT beginRequested();
}

void SyncRun::onBegun(const RunStart &start)
{
    m_summary.runId = start.runId;
    m_begun = true;
    if (!start.error.isEmpty()) {
        setFatal(tr("The sync could not start because the database is not available: %1").arg(start.error));
        return;
    }
    if (m_cancelled) {
        checkDone();
        return;
    }
    m_stored = start.stored;
    if (m_request.mode == SyncMode::IdList) {
        m_listingDone = true;
        m_toFetch = m_request.orderIds;
        m_toFetch.removeDuplicates();
        startOrders();
    } else {
        startListing();
    }
}

void SyncRun::startListing()
{
    setPhase(SyncPhase::Listing);
    requestPage(0);
}

void SyncRun::requestPage(int offset)
{
    ghl::ListOrdersQuery query;
    query.limit = kPageSize;
    query.offset = offset;
    ghl::ListOrdersJob *job = m_client->listOrders(query);
    ++m_pagesOutstanding;
    connect(job, &ghl::GhlJob::finished, this, [this, job] { onPage(job); });
}

void SyncRun::onPage(ghl::ListOrdersJob *job)
{
    --m_pagesOutstanding;
    m_progress.requests += job->attempts();
    m_summary.requests += job->attempts();
    m_dirty = true;
    const ghl::GhlError &error = job->error();
    const int offset = job->query().offset;
    if (error.isError()) {
        if (error.kind == ghl::GhlError::Kind::Cancelled) {
            checkDone();
            return;
        }
        if (error.httpStatus == 429)
            ++m_summary.http429;
        // A lost page hides 100 orders: beyond the client's retries of transient errors, ask
        // again for answers it does not retry (a truncated or malformed body).
        if (error.kind != ghl::GhlError::Kind::Unauthorized && !m_cancelled && m_fatal.isEmpty()
            && ++m_pageTries[offset] < kPageTries) {
            requestPage(offset);
            return;
        }
        if (error.kind == ghl::GhlError::Kind::Unauthorized || offset == 0) {
            setFatal(tr("Could not list the orders in GHL: %1").arg(error.message()));
            return;
        }
        // Without this page we do not know these orders; the others still sync.
        fail({}, tr("Orders %1 to %2 of the GHL order list could not be read: %3")
                     .arg(offset + 1)
                     .arg(offset + kPageSize)
                     .arg(error.message()));
    } else {
        const ghl::OrderPage &page = job->page();
        for (const ghl::OrderSummary &s : page.orders) {
            if (s.id.isEmpty())
                continue;
            if (!m_listedUpdated.contains(s.id))
                m_listedIds.append(s.id);
            m_listedUpdated.insert(s.id, s.updatedAt);
            noteUpdated(s.updatedAt);
        }
        m_progress.listed = int(m_listedIds.size());
        if (offset == 0) {
            m_progress.listTotal = page.totalCount;
            // Offset paging: every further page can be asked for at once; the client keeps
            // them within the concurrency and the rate limit.
            for (int next = kPageSize; next < page.totalCount; next += kPageSize)
                requestPage(next);
        }
    }
    if (m_pagesOutstanding > 0 || m_cancelled || !m_fatal.isEmpty()) {
        checkDone();
        return;
    }
    m_listingDone = true;
    m_summary.listed = int(m_listedIds.size());
    if (m_request.mode == SyncMode::Full) {
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
                ++m_summary.unchanged;
        }
        m_progress.unchanged = m_summary.unchanged;
    }
    startOrders();
}

void SyncRun::startOrders()
{
    m_ordersStarted = true;
    m_ordersStartMs = m_clock.elapsed();
    m_summary.total = m_progress.total = int(m_toFetch.size());
    qCInfo(lcSync) << "fetching" << m_toFetch.size() << "order(s);" << m_summary.unchanged << "unchanged";
    setPhase(SyncPhase::Orders);
    feed();
    checkDone();
}

void SyncRun::feed()
{
    while (!m_cancelled && m_fatal.isEmpty() && m_next < m_toFetch.size() && m_ordersOutstanding < window()) {
        ghl::GetOrderJob *job = m_client->getOrder(m_toFetch.at(m_next++));
        ++m_ordersOutstanding;
        connect(job, &ghl::GhlJob::finished, this, [this, job] { onOrder(job); });
    }
}

void SyncRun::onOrder(ghl::GetOrderJob *job)
{
    --m_ordersOutstanding;
    m_progress.requests += job->attempts();
    m_summary.requests += job->attempts();
    m_dirty = true;
    const ghl::GhlError &error = job->error();
    if (error.isError()) {
        if (error.httpStatus == 429)
            ++m_summary.http429;
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
        ++m_progress.fetched;
        noteUpdated(job->order().ghlUpdatedAt);
        m_pending.append(job->order());
        if (m_pending.size() == 1)
            m_flushTimer->start(std::max(1, m_request.batchIntervalMs));
        flush(false);
    }
    feed();
    checkDone();
}

void SyncRun::flush(bool force)
{
    if (m_writing || m_pending.isEmpty() || m_cancelled || !m_fatal.isEmpty())
        return;
    const int batch = std::max(1, m_request.batchSize);
    const bool allFetched = m_ordersStarted && m_next >= m_toFetch.size() && m_ordersOutstanding == 0;
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
    m_writing = true;
    Q_EMIT writeRequested(orders);
}

void SyncRun::onWritten(const BatchOutcome &outcome)
{
    m_writing = false;
    m_dirty = true;
    if (!outcome.error.isEmpty()) {
        setFatal(tr("Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were "
                    "not saved. Orders saved before are complete; run the sync again once the database is back. %1",
                    nullptr, outcome.orders)
                     .arg(outcome.error));
        return;
    }
    m_progress.written += outcome.orders;
    m_summary.synced += outcome.orders;
    m_summary.ticketsAdded += outcome.added;
    m_summary.ticketsCancelled += outcome.cancelled;
    m_summary.ticketsRestored += outcome.restored;
    m_summary.conflicts += outcome.conflicts;
    flush(false);
    checkDone();
}

void SyncRun::fail(const QString &orderId, const QString &reason)
{
    if (!orderId.isEmpty()) {
        if (m_failedIds.contains(orderId))
            return;
        m_failedIds.insert(orderId);
    }
    m_summary.failures.append({ orderId, reason });
    m_summary.failed = int(m_summary.failures.size());
    m_progress.failed = m_summary.failed;
    m_dirty = true;
    qCWarning(lcSync).noquote() << "order" << (orderId.isEmpty() ? QStringLiteral("(list)") : orderId) << "failed:" << reason;
    Q_EMIT orderFailed(orderId, reason);
}

void SyncRun::setFatal(const QString &message)
{
    if (!m_fatal.isEmpty() || m_finishing)
        return;
    m_fatal = message;
    qCWarning(lcSync).noquote() << "sync stopped:" << message;
    if (m_client)
        m_client->cancelAll();
    checkDone();
}

void SyncRun::cancel()
{
    if (m_cancelled || m_finishing)
        return;
    m_cancelled = true;
    qCInfo(lcSync) << "sync cancelled";
    if (m_client)
        m_client->cancelAll();
    checkDone();
}

void SyncRun::checkDone()
{
    // Until the writer answered begin() there is no run row to close: onBegun() comes back here.
    if (m_finishing || !m_begun)
        return;
    if (m_writing || m_pagesOutstanding > 0 || m_ordersOutstanding > 0) {
        if (m_listingDone && m_ordersStarted && m_next >= m_toFetch.size() && m_ordersOutstanding == 0)
            setPhase(SyncPhase::Writing);
        return;
    }
    if (m_fatal.isEmpty() && !m_cancelled) {
        if (!m_listingDone || !m_ordersStarted || m_next < m_toFetch.size())
            return;
        if (!m_pending.isEmpty()) {
            setPhase(SyncPhase::Writing);
            flush(true);
            return;
        }
    }
    finish();
}

void SyncRun::finish()
{
    m_finishing = true;
    m_flushTimer->stop();
    m_summary.finishedAt = QDateTime::currentDateTimeUtc();
    if (!m_fatal.isEmpty()) {
        m_summary.status = SyncStatus::Failed;
        m_summary.error = m_fatal;
    } else if (m_cancelled) {
        m_summary.status = SyncStatus::Cancelled;
        m_summary.error = tr("The sync was cancelled; %n order(s) were saved before it stopped.", nullptr,
                             m_summary.synced);
    } else {
        m_summary.status = m_summary.failures.isEmpty() ? SyncStatus::Succeeded : SyncStatus::Partial;
    }
    m_summary.failed = int(m_summary.failures.size());
    qCInfo(lcSync).noquote() << "sync finished:" << toString(m_summary.status) << m_summary.synced << "saved,"
                             << m_summary.failed << "failed," << m_summary.requests << "requests";
    Q_EMIT endRequested(m_summary);
}

void SyncRun::onEnded(const SyncSummary &summary)
{
    m_progressTimer->stop();
    setPhase(SyncPhase::Done);
    Q_EMIT finished(summary);
}

void SyncRun::setPhase(SyncPhase phase)
{
    if (m_progress.phase == phase)
        return;
    m_progress.phase = phase;
    emitProgress();
}

void SyncRun::noteUpdated(const QDateTime &updatedAt)
{
    if (updatedAt.isValid() && (!m_summary.watermark.isValid() || updatedAt > m_summary.watermark))
        m_summary.watermark = updatedAt;
}

void SyncRun::emitProgress()
{
    m_dirty = false;
    m_progress.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    m_progress.etaMs = -1;
    const int done = m_progress.written + m_progress.failed;
    if (m_progress.phase == SyncPhase::Done) {
        m_progress.etaMs = 0;
    } else if (m_ordersStartMs >= 0 && done > 0 && m_progress.total > 0) {
        const qint64 spent = m_clock.elapsed() - m_ordersStartMs;
        m_progress.etaMs = qint64(double(spent) / done * std::max(0, m_progress.total - done));
    }
    Q_EMIT progressChanged(m_progress);
}

} // namespace qrt::sync
