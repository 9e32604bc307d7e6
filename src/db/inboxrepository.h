#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "db/database.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <unordered_map>

namespace qrt::db {

// One accepted webhook, as the listener commits it before answering 200.
struct InboxDelivery
{
    QString idempotencyKey; // unique: a second delivery with the same key is a duplicate
    QString eventType;
    QString orderId;
    QString contactId;
    QByteArray headers; // JSON object of safe headers, or empty
    QByteArray body;    // raw bytes as received
};

enum class InboxState { Pending, Processing, Done, Failed, Dead };
QString toString(InboxState state);
std::optional<InboxState> inboxStateFromString(const QString &text);

// A row of webhook_inbox.
struct InboxItem
{
    qint64 id = 0;
    QString idempotencyKey;
    QDateTime receivedAt;
    QString eventType;
    QString orderId;
    QString contactId;
    QByteArray body;
    InboxState state = InboxState::Pending;
    int attempts = 0; // claims so far, this one included
    QDateTime nextAttemptAt;
    QString lastError;
    QString warning;
    QStringList pushed; // contact custom-field ids already written for this event
    QString claimedBy;
    QDateTime leaseUntil;    // 'processing': the claim holds until then (the database's clock)
    QDateTime attemptsSince; // when the current series of attempts began (dead only after a horizon)
    QDateTime processedAt;
    QDateTime updatedAt;
};

// For /healthz, the listener panel and the status bar.
struct InboxStats
{
    int pending = 0;
    int processing = 0;
    int failed = 0; // waiting for another attempt
    int dead = 0;
    // Done events are not counted: they are most of the table, and counting them would read it
    // all (stats() is asked every 2 s); pruneDone() keeps them bounded.
    int acceptedToday = 0; // received since local midnight
    QString lastError;     // of the most recently failed or dead event
    QDateTime lastErrorAt;

    int depth() const { return pending + processing + failed; }
};

struct InboxBackoff
{
    int baseMs = 5000;          // before the 2nd attempt; doubles each time
    int maxMs = 10 * 60 * 1000; // capped: a GHL outage of hours is retried every 10 minutes
    double jitter = 0.2;        // +/- share of the delay
};

// webhook_inbox: the durable queue between the listener (commit) and the worker (claim ...
// markDone/markFailed). Every claim is atomic: on PostgreSQL with FOR UPDATE SKIP LOCKED, so
// any number of workers on any number of stations can share the table; on SQLite writes are
// serialised by the database. Times come from the injected clock (tests move it).
class InboxRepository
{
public:
    explicit InboxRepository(Database &db, const core::Clock &clock = core::SystemClock::instance())
        : m_db(db), m_clock(clock)
    {
    }

    // INSERT .. ON CONFLICT (idempotency_key) DO NOTHING. true: stored as new; false: duplicate.
    core::Result<bool> commit(const InboxDelivery &delivery);
    // Inserts a row and rolls it back: the first real commit on this thread's connection then
    // does not pay for loading the table, its indexes and its trigger into the session.
    core::Result<void> warmUp();
    // The same for many deliveries in ONE statement and transaction (group commit: one disk flush
    // for a whole burst). result[i]: delivery i is new; a key repeated within the batch is new once.
    // PostgreSQL: one INSERT through libpq with the bodies as binary parameters (inboxbatchpq.h).
    // SQLite (and PostgreSQL without libpq): the prepared statement of each batch size is kept
    // while this object lives, so a long-lived repository (an inbox committer thread) sends one
    // EXECUTE per batch instead of PREPARE, EXECUTE and DEALLOCATE.
    core::Result<QList<bool>> commitBatch(const QList<InboxDelivery> &deliveries);

    // The oldest due pending/failed event, or a 'processing' one whose lease has expired (its
    // worker crashed, hung or lost the database: any station takes it), now 'processing', attempts
    // + 1, claimed by `station` with a lease of leaseS seconds from the database's clock; nullopt
    // when nothing is due.
    core::Result<std::optional<InboxItem>> claimNext(const QString &station, int leaseS = 60);
    // The worker still works on these events: their leases run leaseS seconds from now (database
    // clock). Returns how many were renewed (a row another station re-claimed is not).
    core::Result<int> renewLeases(const QList<qint64> &ids, const QString &station, int leaseS = 60);

    // With `claimer`, markDone/markFailed/markFailedUntil/markDead change the event only while that
    // claim holds it ('processing', claimed_by); else they fail with code db.claim_lost (the lease
    // ran out and another worker took it: its result counts, not this one's).
    core::Result<void> markDone(qint64 id, const QString &warning = {}, const QString &claimer = {});
    // attempts < maxAttempts: 'failed', due again after the backoff; otherwise 'dead'. Returns
    // the state the event is now in.
    core::Result<InboxState> markFailed(qint64 id, const QString &error, int maxAttempts, const InboxBackoff &backoff,
                                        const QString &claimer = {});
    // 'failed', due again after the (capped) backoff, until deadAfterS seconds have passed since the
    // current series of attempts began (attempts_since; a Retry starts a new one): then 'dead'.
    core::Result<InboxState> markFailedUntil(qint64 id, const QString &error, qint64 deadAfterS,
                                             const InboxBackoff &backoff, const QString &claimer = {});
    core::Result<void> markDead(qint64 id, const QString &error, const QString &claimer = {});
    // Records contact fields written for this event (merged with what is there).
    core::Result<void> markPushed(qint64 id, const QStringList &fieldIds);

    // At start-up: events left 'processing' by `claimer` (a crashed process's instance id) go back
    // to 'pending'. Any other claim is left to its lease (the database's clock), never to a
    // station's clock. Returns how many.
    // The claimed_by of every 'processing' event (few: the events being worked on).
    core::Result<QStringList> claimers();
    core::Result<int> resumeInterrupted(const QString &claimer);

    // By hand (listener panel): any event that is not done (dead, failed, pending, or 'processing'
    // also when stuck there), or done with a warning, goes back to 'pending', due now, its lease
    // dropped and its attempts reset. Effects already recorded in the QR outbox are not repeated.
    // false: no such event, or it is done without a warning.
    core::Result<bool> retry(qint64 id);
    // Every 'failed' event is due now (the GHL settings changed: the next attempt may work).
    core::Result<int> makeFailedDue();

    // Index reads only (the waiting, processing and dead rows, today's receipts, the newest
    // error): its cost does not grow with the done rows of the past.
    core::Result<InboxStats> stats();
    // The done events, counted (reads them all: for tests and tools, not for a status line).
    core::Result<int> countDone();
    // Deletes done events received before `receivedBefore`, oldest first, at most `limit`;
    // returns how many. Pending, failed and dead events are never pruned. The caller keeps every
    // key younger than the replay window (a retry of it must stay a duplicate).
    core::Result<int> pruneDone(const QDateTime &receivedBefore, int limit = 5000);
    core::Result<QList<InboxItem>> recent(int limit); // newest first, without bodies
    core::Result<std::optional<InboxItem>> get(qint64 id);
    // Whether a delivery with this idempotency key is stored, whatever its state.
    core::Result<bool> contains(const QString &idempotencyKey);

    // The delay before attempt number `attempts + 1` (pure; exposed for tests and the panel).
    static qint64 backoffMs(int attempts, const InboxBackoff &backoff, quint32 random);

private:
    core::Result<Query *> batchStatement(qsizetype rows);

    Database &m_db;
    const core::Clock &m_clock;
    struct KeptStatement
    {
        std::unique_ptr<Query> query;
        quint64 lastUse = 0;
    };
    std::unordered_map<qsizetype, KeptStatement> m_batchStatements; // by row count, on this thread's connection
    quint64 m_statementUses = 0;
};

} // namespace qrt::db

Q_DECLARE_METATYPE(qrt::db::InboxStats)
Q_DECLARE_METATYPE(qrt::db::InboxItem)
