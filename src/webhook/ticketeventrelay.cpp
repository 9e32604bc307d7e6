#include "webhook/ticketeventrelay.h"

#include "db/syncrunrepository.h"
#include "db/ticketrepository.h"
#include "feed/eventfeed.h"
#include "webhook/webhooklogging.h"

#include <QHash>
#include <QScopeGuard>
#include <QTimer>

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

// The relay's half on its own thread: the timer, the positions and the database reads. What it
// finds goes to the feed as queued calls on the feed's thread, in the order they were made.
class RelayPoller : public QObject
{
public:
    RelayPoller(std::shared_ptr<db::Database> database, feed::EventFeed &feed)
        : m_database(std::move(database)), m_feed(feed), m_timer(new QTimer(this))
    {
        m_timer->setInterval(1000);
        connect(m_timer, &QTimer::timeout, this, &RelayPoller::poll);
    }

    void setInterval(int ms) { m_timer->setInterval(ms); }
    void clientsChanged(int clients);
    void poll();

private:
    // What was last published of a run still going on.
    struct RunSeen
    {
        int total = -1;
        int synced = -1;
        QString status;
    };

    bool positionRuns();
    void pollRuns();
    template <typename Publish>
    void publish(Publish publish)
    {
        feed::EventFeed *feed = &m_feed;
        QMetaObject::invokeMethod(feed, [feed, publish = std::move(publish)] { publish(*feed); }, Qt::QueuedConnection);
    }

    std::shared_ptr<db::Database> m_database;
    feed::EventFeed &m_feed; // only posted to: it lives on another thread
    QTimer *m_timer;
    qint64 m_lastId = -1; // -1: not positioned yet
    qint64 m_nextRunId = -1; // runs from here on are new to the feed; -1: not positioned yet
    QHash<qint64, RunSeen> m_openRuns; // published as running, not yet as finished
};

TicketEventRelay::TicketEventRelay(std::shared_ptr<db::Database> database, feed::EventFeed &feed, QObject *parent)
    : QObject(parent), m_feed(feed)
{
    m_thread.setObjectName(QStringLiteral("qrt-feed-relay"));
    m_poller = new RelayPoller(std::move(database), feed);
    m_poller->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_poller, &QObject::deleteLater);
    m_thread.start();
    connect(&m_feed, &feed::EventFeed::clientConnected, this, &TicketEventRelay::clientsChanged);
    connect(&m_feed, &feed::EventFeed::clientDisconnected, this, &TicketEventRelay::clientsChanged);
}

TicketEventRelay::~TicketEventRelay()
{
    m_thread.quit();
    m_thread.wait();
}

void TicketEventRelay::setInterval(int ms)
{
    QMetaObject::invokeMethod(m_poller, [poller = m_poller, ms] { poller->setInterval(ms); }, Qt::QueuedConnection);
}

void TicketEventRelay::poll()
{
    QMetaObject::invokeMethod(m_poller, [poller = m_poller] { poller->poll(); }, Qt::QueuedConnection);
}

void TicketEventRelay::clientsChanged()
{
    const int clients = m_feed.clientCount(); // read here, on the feed's thread
    QMetaObject::invokeMethod(m_poller, [poller = m_poller, clients] { poller->clientsChanged(clients); }, Qt::QueuedConnection);
}

void RelayPoller::clientsChanged(int clients)
{
    if (clients == 0) {
        m_timer->stop();
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
    if (!m_timer->isActive())
        m_timer->start();
}

bool RelayPoller::positionRuns()
{
    db::SyncRunRepository runs(*m_database);
    auto latest = runs.latestId();
    if (!latest) {
        qCWarning(lcWebhook).noquote() << "sync runs will not reach the feed yet:" << latest.error().toString();
        return false;
    }
    // Runs going on now are announced at once (sync_status {syncInProgress: true}: positioning
    // happens on this thread a moment after the client connected, and a run that started in
    // between must not lose its start) and followed from their next progress.
    // A run older than the last 100 is not followed (it would have to be running for days).
    auto recent = runs.runsFrom(std::max<qint64>(0, latest.value() - 99));
    if (!recent) {
        qCWarning(lcWebhook).noquote() << "sync runs will not reach the feed yet:" << recent.error().toString();
        return false;
    }
    m_openRuns.clear();
    for (const db::SyncRunRecord &run : recent.value()) {
        // A run that started between the two reads is new to pollRuns, which announces it: here it
        // would be announced twice (sync_status, sync_status).
        if (run.id > latest.value())
            continue;
        if (run.isRunning() && !run.stale) {
            m_openRuns.insert(run.id, RunSeen { run.totalOrders, run.syncedOrders, runningStatus(run) });
            publish([status = runningStatus(run)](feed::EventFeed &f) { f.publishSyncStatus(true, status); });
        }
    }
    m_nextRunId = latest.value() + 1;
    return true;
}

void RelayPoller::pollRuns()
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
            publish([status = run.isRunning() ? runningStatus(run) : QString(db::SyncRunStatus::Running)](feed::EventFeed &f) {
                f.publishSyncStatus(true, status);
            });
        }
        if (run.isRunning() && run.stale) {
            m_openRuns.erase(open);
            publish([](feed::EventFeed &f) { f.publishSyncStatus(false, QStringLiteral("stale")); });
            continue;
        }
        if (run.isRunning()) {
            RunSeen now { totalOf(run), run.syncedOrders, runningStatus(run) };
            RunSeen &seen = m_openRuns[run.id];
            if (now.total != seen.total || now.synced != seen.synced || now.status != seen.status)
                publish([now](feed::EventFeed &f) { f.publishSyncProgress(true, now.total, now.synced, now.status); });
            seen = now;
            continue;
        }
        // Finished (also a run that started and ended between two polls: all of it, in order).
        m_openRuns.remove(run.id);
        publish([run](feed::EventFeed &f) {
            f.publishSyncProgress(false, run.totalOrders, run.syncedOrders, run.status);
            f.publishSyncComplete(run.summary);
            f.publishSyncStatus(false, run.status);
        });
    }
}

void RelayPoller::poll()
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
        publish([e](feed::EventFeed &f) { f.publishTicketStatusChanged(e); });
        m_lastId = e.id;
    }
}

} // namespace qrt::webhook
