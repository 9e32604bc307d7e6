#include "sync/syncwriter.h"

#include "db/database.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/syncrunrepository.h"
#include "sync/logging.h"

#include <QJsonObject>
#include <QTimer>

#include <algorithm>

namespace qrt::sync {

SyncWriter::SyncWriter(std::shared_ptr<db::Database> database, const SyncRequest &request)
    // Its own connections (ConnectionOptions::sync(): a statement_timeout and a client deadline),
    // so a statement stuck on a vanished network ends as an error the retries below handle.
    : m_db(database->withOptions(db::ConnectionOptions::sync())), m_request(request), m_retryTimer(new QTimer(this))
{
    // A child moves with the writer to its thread, so the pause runs on that thread's event loop.
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &SyncWriter::attempt);
}

void SyncWriter::abortRetries()
{
    m_abort = true;
    // Called from the engine's thread: the pause is cut short in the writer's own.
    QMetaObject::invokeMethod(this, &SyncWriter::tryNow, Qt::QueuedConnection);
}

void SyncWriter::tryNow()
{
    if (!m_retryTimer->isActive())
        return;
    m_retryTimer->stop();
    attempt();
}

bool SyncWriter::shouldRetry(const core::Error &error) const
{
    // A lost connection (Kind::ConnectionLost) is closed by Database::fail; the next connection()
    // opens a fresh one. While the server restarts, opening fails as Kind::Unreachable for a moment.
    // A refused statement or a locked SQLite file is not transient: trying again changes nothing.
    // A deadlock or serialization failure OrderWriter could not get past in its own attempts is
    // worth a pause and another try too: the door's burst passes.
    return !m_abort && (error.isTransient() || error.code == u"db.deadlock" || error.code == u"db.serialization");
}

void SyncWriter::retrying(const char *what, Operation op, Outcome done)
{
    m_op = Pending { what, std::move(op), std::move(done), 0, std::max(1, m_request.dbRetryBaseMs) };
    attempt();
}

void SyncWriter::attempt()
{
    ++m_op.attempts;
    const core::Result<void> result = m_op.op();
    if (!result && m_op.attempts < std::max(1, m_request.dbAttempts) && shouldRetry(result.error())) {
        qCWarning(lcSync).noquote() << m_op.what << "failed, retrying in" << m_op.delayMs
                                    << "ms:" << result.error().toString();
        m_retryTimer->start(m_op.delayMs);
        m_op.delayMs = std::min(m_op.delayMs * 2, 8000);
        return;
    }
    Pending finished = std::exchange(m_op, {});
    finished.done(result, finished.attempts);
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
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(std::max(50, m_request.progressRecordMs));
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_progressDirty)
            beat();
    });
    m_progressTimer->start();
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
    auto outcome = std::make_shared<BatchOutcome>();
    outcome->orders = int(orders.size());
    auto writer = std::make_shared<db::OrderWriter>(*m_db);
    // OrderWriter commits a batch in chunks (PostgreSQL): the orders of a committed chunk are
    // counted once, as they commit, and a try after a failure saves only the orders still unsaved.
    // (Saving a committed order again would be harmless, reconciling is idempotent, but it would
    // report nothing added: the counts of the run would be short.)
    auto pending = std::make_shared<QList<core::Order>>(orders);
    const auto save = [this, pending, outcome, writer]() -> core::Result<void> {
        QList<bool> done(pending->size(), false);
        const auto saved = writer->save(*pending, m_request.station, [&](int i, const db::ReconcileResult &r) {
            done[i] = true;
            ++outcome->saved;
            outcome->added += r.added;
            outcome->cancelled += r.cancelled;
            outcome->restored += r.restored;
            for (const QString &c : r.conflicts)
                outcome->conflicts << tr("order %1: %2").arg(r.orderId, c);
        });
        QList<core::Order> rest;
        for (int i = 0; i < pending->size(); ++i)
            if (!done.at(i))
                rest << pending->at(i);
        *pending = std::move(rest);
        if (!saved)
            return saved.error();
        return {};
    };
    retrying("saving a batch", save, [this, outcome](const core::Result<void> &saved, int attempts) {
        outcome->attempts = attempts;
        if (saved) {
            if (attempts > 1)
                qCInfo(lcSync) << "batch of" << outcome->orders << "orders saved on attempt" << attempts;
        } else {
            const QString e = saved.error().toString();
            outcome->error = attempts > 1 ? tr("%1 (gave up after %n attempt(s))", nullptr, attempts).arg(e) : e;
        }
        Q_EMIT written(*outcome);
    });
}

void SyncWriter::beat()
{
    // While a lost connection is waited out, the next attempt tells whether the server is back.
    if (m_retryTimer->isActive())
        return;
    if (m_runId <= 0)
        return;
    db::SyncRunRepository runs(*m_db);
    if (!m_haveProgress) {
        if (auto alive = runs.heartbeat(m_runId); !alive)
            qCInfo(lcSync).noquote() << "could not record the sync's heartbeat:" << alive.error().toString();
        return;
    }
    const SyncProgress &p = m_progress;
    const QJsonObject snapshot { { QStringLiteral("phase"), toString(p.phase) },
                                 { QStringLiteral("listed"), p.listed },
                                 { QStringLiteral("listTotal"), p.listTotal },
                                 { QStringLiteral("fetched"), p.fetched },
                                 { QStringLiteral("unchangedOrders"), p.unchanged } };
    if (auto alive = runs.progress(m_runId, p.total, p.written, p.failed, snapshot); !alive)
        qCInfo(lcSync).noquote() << "could not record the sync's progress:" << alive.error().toString();
    else
        m_progressDirty = false;
}

void SyncWriter::noteProgress(const SyncProgress &progress)
{
    m_progress = progress;
    m_haveProgress = true;
    m_progressDirty = true;
}

void SyncWriter::end(const SyncSummary &summary)
{
    if (m_heartbeat)
        m_heartbeat->stop();
    if (m_progressTimer)
        m_progressTimer->stop();
    if (m_runId <= 0) {
        Q_EMIT ended(summary);
        return;
    }
    db::SyncRunRecord r;
    r.id = m_runId;
    r.mode = toString(summary.mode);
    r.station = summary.station;
    r.status = toString(summary.status);
    r.totalOrders = summary.total;
    r.syncedOrders = summary.synced;
    r.failedOrders = summary.failed;
    r.requests = summary.requests;
    r.ticketsAdded = summary.ticketsAdded;
    r.ticketsCancelled = summary.ticketsCancelled;
    r.watermark = summary.watermark;
    r.summary = summary.toJson();
    r.error = summary.error;
    // The run's outcome matters after a restart too: a lost connection gets a few more tries.
    const auto record = [this, r]() -> core::Result<void> { return db::SyncRunRepository(*m_db).finish(r); };
    retrying("recording the end of the sync run", record, [this, summary](const core::Result<void> &done, int) {
        if (!done)
            qCWarning(lcSync).noquote() << "could not record the end of sync run" << m_runId << ":" << done.error().toString();
        Q_EMIT ended(summary);
    });
}

} // namespace qrt::sync
