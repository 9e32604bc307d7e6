#include "webhook/ticketeventrelay.h"

#include "db/syncrunrepository.h"
#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "webhook/webhooklogging.h"

#include <QScopeGuard>

#include <algorithm>

namespace qrt::webhook {

namespace {

// What sync_progress says a running run is doing: the phase its writer recorded ("listing",
// "orders", "writing"), else just "running".
QString runningStatus(const db::SyncRunRecord &run)
{
    const QString phase = run.summary.value(u"phase").toString();
    return phase.isEmpty() ? run.status : phase;
}

// The original counted orders saved against orders to sync; while listing, against those listed.
int totalOf(const db::SyncRunRecord &run)
{
    return run.totalOrders > 0 ? run.totalOrders : run.summary.value(u"listTotal").toInt();
}

} // namespace

TicketEventRelay::TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent)
    : QObject(parent), m_database(std::move(database)), m_feed(feed)
{
    m_timer.setInterval(1000);
    connect(&m_timer, &QTimer::timeout, this, &TicketEventRelay::poll);
    connect(&m_feed, &feed::EventFeed::clientConnected, this, &TicketEventRelay::clientsChanged);
    connect(&m_feed, &feed::EventFeed::clientDisconnected, this, &TicketEventRelay::clientsChanged);
}

void TicketEventRelay::clientsChanged()
{
    if (m_feed.clientCount() == 0) {
        m_timer.stop();
        m_lastId = -1;
        m_nextRunId = -1;
        m_openRuns.clear();
        return;
    }
    if (m_lastId < 0) {
        auto latest = db::TicketRepository(*m_database).latestEventId();
        if (!latest) {
            qCWarning(lcWebhook).noquote() << "ticket changes will not reach the feed:" << latest.error().toString();
            return;
        }
        m_lastId = latest.value();
    }
    if (m_nextRunId < 0)
        positionRuns();
    if (!m_timer.isActive())
        m_timer.start();
}

bool TicketEventRelay::positionRuns()
{
    db::SyncRunRepository runs(*m_database);
    auto latest = runs.latestId();
    if (!latest) {
        qCWarning(lcWebhook).noquote() << "sync runs will not reach the feed yet:" << latest.error().toString();
        return false;
    }
    // Runs going on now are followed from their next progress; only their start is not replayed.
    // A run older than the last 100 is not followed (it would have to be running for days).
    auto recent = runs.runsFrom(std::max<qint64>(0, latest.value() - 99));
    if (!recent) {
        qCWarning(lcWebhook).noquote() << "sync runs will not reach the feed yet:" << recent.error().toString();
        return false;
    }
    m_openRuns.clear();
    for (const db::SyncRunRecord &run : recent.value()) {
        if (run.isRunning() && !run.stale)
            m_openRuns.insert(run.id, RunSeen { run.totalOrders, run.syncedOrders, runningStatus(run) });
    }
    m_nextRunId = latest.value() + 1;
    return true;
}

void TicketEventRelay::pollRuns()
{
    if (m_nextRunId < 0 && !positionRuns())
        return;
    qint64 from = m_nextRunId;
    for (auto it = m_openRuns.cbegin(); it != m_openRuns.cend(); ++it)
        from = std::min(from, it.key());
    auto rows = db::SyncRunRepository(*m_database).runsFrom(from);
    if (!rows) {
        qCWarning(lcWebhook).noquote() << "reading sync runs for the feed failed:" << rows.error().toString();
        return;
    }
    for (const db::SyncRunRecord &run : rows.value()) {
        const bool isNew = run.id >= m_nextRunId;
        const auto open = m_openRuns.find(run.id);
        if (!isNew && open == m_openRuns.end())
            continue; // finished and published, or given up on
        if (isNew) {
            m_nextRunId = run.id + 1;
            if (run.isRunning() && run.stale)
                continue; // a crashed run that nobody saw start
            m_feed.publishSyncStatus(true, run.isRunning() ? runningStatus(run) : db::SyncRunStatus::Running);
        }
        if (run.isRunning() && run.stale) {
            m_openRuns.erase(open);
            m_feed.publishSyncStatus(false, QStringLiteral("stale"));
            continue;
        }
        if (run.isRunning()) {
            RunSeen now { totalOf(run), run.syncedOrders, runningStatus(run) };
            RunSeen &seen = m_openRuns[run.id];
            if (now.total != seen.total || now.synced != seen.synced || now.status != seen.status)
                m_feed.publishSyncProgress(true, now.total, now.synced, now.status);
            seen = now;
            continue;
        }
        // Finished (also a run that started and ended between two polls: all of it, in order).
        m_openRuns.remove(run.id);
        m_feed.publishSyncProgress(false, run.totalOrders, run.syncedOrders, run.status);
        m_feed.publishSyncComplete(run.summary);
        m_feed.publishSyncStatus(false, run.status);
    }
}

void TicketEventRelay::poll()
{
    if (m_lastId < 0)
        return;
    // Ticket changes first: those a run made reach clients before the run's sync_complete.
    const QScopeGuard runs([this] { pollRuns(); });
    auto events = db::TicketRepository(*m_database).eventsSince(m_lastId, 500);
    if (!events) {
        qCWarning(lcWebhook).noquote() << "reading ticket changes for the feed failed:" << events.error().toString();
        return;
    }
    for (const core::TicketEvent &e : events.value()) {
        m_feed.publishTicketStatusChanged(e);
        m_lastId = e.id;
    }
}

} // namespace qrt::webhook
