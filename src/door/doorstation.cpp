#include "door/doorstation.h"

#include "db/doorfunctions.h"
#include "db/ticketrepository.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTimer>

Q_LOGGING_CATEGORY(lcDoorStation, "qrt.door.station")

namespace qrt::door {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::door::DoorStation)
};

QString isoTime(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate) : QStringLiteral("an unknown time");
}

// "refunded" or "order-cancelled" when GHL's payment or order status makes the order void (as
// DoorCheck decides, and qrt_door_void), empty when the order is valid.
QString voidKind(const QString &paymentStatus, const QString &orderStatus)
{
    core::Order o;
    o.paymentStatus = paymentStatus;
    o.orderStatus = orderStatus;
    if (!o.isVoid())
        return {};
    const bool refunded = paymentStatus.compare(core::PaymentStatus::Refunded, Qt::CaseInsensitive) == 0
        || orderStatus.compare(core::PaymentStatus::Refunded, Qt::CaseInsensitive) == 0;
    return refunded ? QStringLiteral("refunded") : QStringLiteral("order-cancelled");
}

// The database refused this one admission's data (SQLSTATE class 22 or 23, e.g. 22023 from a door
// function: an offline time older than 7 days): the row becomes a conflict, the rest of the queue
// is sent. Anything else (no answer, a permission) stops the upload as before.
QString rowRefusal(const core::Error &error)
{
    static const QRegularExpression state(QStringLiteral("\\((?:22|23)[0-9A-Z]{3}\\)"));
    if (error.kind != core::Error::Kind::Database || !error.details.contains(state))
        return {};
    QString why = error.details.section(u'\n', 0, 0);
    why.remove(state).remove(QRegularExpression(QStringLiteral("^\\s*ERROR:\\s*")));
    return QStringLiteral("refused: ") + why.trimmed().left(200);
}
} // namespace

// The station's own thread: the cache's full copy and delta pulls while online; the probe, the
// upload of the queue and the way back online while offline. Never the GUI thread.
class DoorStationWorker : public QObject
{
public:
    DoorStationWorker(DoorStation &station, std::shared_ptr<db::Database> pullDb)
        : m_station(station), m_pullDb(std::move(pullDb))
    {
        m_timer.setInterval(station.m_options.probeIntervalMs);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { tick(false); });
    }

    void begin()
    {
        m_timer.start();
        tick(true);
    }

    void tick(bool forcePull)
    {
        if (m_station.m_stopping.load())
            return; // closing: start no statement that could wait for a silent network
        if (m_station.isOffline()) {
            if (auto alive = m_station.m_shared->check(); !alive)
                return; // still no answer: decide from the cache, ask again at the next tick
            if (auto r = upload(); !r) {
                uploadStopped(r.error());
                // No answer again: stay OFFLINE. An answer that refuses (a permission, a constraint):
                // the database is there, so scans go to it again and show such errors; the queue
                // stays and is sent again at every tick, and the panel says why it is not.
                if (DoorStation::goesOffline(r.error()))
                    return;
            } else {
                uploadStopped({});
            }
            m_station.setOffline(false, {});
            forcePull = true;
        } else if (m_station.queued() > 0) {
            auto r = upload();
            uploadStopped(r ? core::Error() : r.error());
        }
        if (m_station.m_stopping.load())
            return;
        if (forcePull || !m_sincePull.isValid() || m_sincePull.elapsed() >= m_station.m_options.pullIntervalMs) {
            auto pulled = m_station.m_cache->pull(*m_pullDb, m_station.doorRole(*m_pullDb));
            if (!pulled) {
                m_station.forgetRoleOn(pulled.error());
                qCInfo(lcDoorStation) << "door cache not refreshed:" << pulled.error().toString();
                return;
            }
            m_sincePull.start();
            m_station.m_cacheReady.store(true);
            Q_EMIT m_station.pulled(pulled.value());
        }
    }

    // Tells the panel once per change why the queue is not sent (an empty error: it is, or it's empty).
    void uploadStopped(const core::Error &error)
    {
        const QString why = error.code.isEmpty() || error.kind == core::Error::Kind::Cancelled ? QString() : error.message;
        m_station.forgetRoleOn(error);
        if (!why.isEmpty())
            qCInfo(lcDoorStation) << "upload of queued admissions stopped:" << error.toString();
        if (why == m_uploadError)
            return;
        m_uploadError = why;
        Q_EMIT m_station.uploadFailed(why);
    }

    // Each queued admission through the conditional UPDATE, oldest first.
    core::Result<void> upload()
    {
        DoorCache &cache = *m_station.m_cache;
        auto queued = cache.admissions(QueuedAdmission::State::Queued);
        if (!queued)
            return queued.error();
        bool conflicts = false;
        db::Database &shared = *m_station.m_shared;
        for (const QueuedAdmission &a : std::as_const(queued.value())) {
            if (m_station.m_stopping.load())
                return core::makeError(core::Error::Kind::Cancelled, QStringLiteral("door.closing"),
                                       Tr::tr("The station is closing; the rest is sent at the next start."));
            // Recorded with the operator who admitted it offline, not the login that uploads it (a
            // door login: through the door function, which records the caller, the same login).
            const bool door = m_station.doorRole(shared);
            QString voided; // the ticket is not used and its order was refunded or cancelled meanwhile
            auto r = door ? doorAdmit(shared, a, voided) : adminAdmit(shared, a, voided);
            if (!r) {
                const QString refused = rowRefusal(r.error());
                if (refused.isEmpty())
                    return r.error();
                qCWarning(lcDoorStation).noquote() << "queued admission of ticket" << a.ticketId << "refused:" << r.error().toString();
                if (auto m = cache.markConflict(a.id, {}, {}, refused); !m)
                    return m.error();
                conflicts = true;
                m_station.countQueue();
                continue;
            }
            // Our own admission already there: a scan whose answer was lost before going offline.
            const bool ours = r->outcome == db::AdmitResult::Outcome::AlreadyUsed && r->usedBy == a.station;
            if (voided.isEmpty() && (r->admitted() || ours)) {
                if (auto m = cache.markUploaded(a.id); !m)
                    return m.error();
                m_station.countQueue();
                continue;
            }
            const QString kind = !voided.isEmpty()                                     ? voided
                               : r->outcome == db::AdmitResult::Outcome::Cancelled  ? QStringLiteral("cancelled")
                               : r->outcome == db::AdmitResult::Outcome::NotFound ? QStringLiteral("unknown")
                                                                                   : QStringLiteral("already-used");
            if (!voided.isEmpty() || r->outcome != db::AdmitResult::Outcome::NotFound) {
                auto e = door ? db::DoorFunctions(shared).recordConflict(a.ticketId, a.station, a.admittedAt)
                              : recordConflict(shared, a, *r, voided);
                if (!e && rowRefusal(e.error()).isEmpty())
                    return e.error();
                if (!e)
                    qCWarning(lcDoorStation).noquote() << "conflict of ticket" << a.ticketId << "not recorded:" << e.error().toString();
            }
            if (auto m = cache.markConflict(a.id, voided.isEmpty() ? r->usedBy : QString(),
                                            voided.isEmpty() ? r->usedAt : QDateTime(), kind);
                !m)
                return m.error();
            conflicts = true;
            m_station.countQueue();
        }
        if (conflicts) {
            auto n = cache.count(QueuedAdmission::State::Conflict);
            Q_EMIT m_station.conflictsChanged(n ? n.value() : 0);
        }
        return {};
    }

    // A queued admission through the table path, unless the ticket is not used and its order is
    // void now (refunded or cancelled while the station was offline): then `voided` says which and
    // nothing is admitted (TicketRepository::admit does not look at the order).
    static core::Result<db::AdmitResult> adminAdmit(db::Database &shared, const QueuedAdmission &a, QString &voided)
    {
        auto q = shared.prepare(QStringLiteral("SELECT t.status, o.payment_status, o.order_status FROM ghl_qr_tickets t "
                                               "JOIN ghl_qr_orders o ON o.order_id = t.order_id WHERE t.ticket_id = :ticket_id"),
                                Tr::tr("read the order of ticket %1").arg(a.ticketId));
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":ticket_id"), a.ticketId).exec(); !r)
            return r.error();
        if (q->next()) {
            const auto status = core::ticketStatusFromString(q->value(QStringLiteral("status")).toString());
            if (status != core::TicketStatus::Used)
                voided = voidKind(q->value(QStringLiteral("payment_status")).toString(),
                                  q->value(QStringLiteral("order_status")).toString());
            if (!voided.isEmpty()) {
                db::AdmitResult result;
                result.outcome = status == core::TicketStatus::Cancelled ? db::AdmitResult::Outcome::Cancelled
                                                                         : db::AdmitResult::Outcome::NotFound;
                result.ticket.ticketId = a.ticketId;
                result.ticket.orderId = a.orderId;
                result.ticket.status = status.value_or(core::TicketStatus::Live);
                return result;
            }
        }
        q->finish();
        return db::TicketRepository(shared).admit(a.ticketId, a.station, DoorStation::uploadReason(a), {}, a.operatorName);
    }

    // A queued admission through qrt_door_admit_ticket; when it lost, the ticket as the door sees it,
    // and `voided` when it is not used and its order is refunded or cancelled now (qrt_door_orders).
    static core::Result<db::AdmitResult> doorAdmit(db::Database &shared, const QueuedAdmission &a, QString &voided)
    {
        db::DoorFunctions door(shared);
        db::AdmitResult result;
        auto won = door.admitTicket(a.ticketId, a.station, DoorStation::uploadReason(a));
        if (!won)
            return won.error();
        auto ticket = won.value() ? core::Result<std::optional<core::Ticket>>(won.value()) : door.ticket(a.ticketId);
        if (!ticket)
            return ticket.error();
        if (!ticket.value()) {
            result.outcome = db::AdmitResult::Outcome::NotFound;
            return result;
        }
        result.ticket = *ticket.value();
        result.outcome = won.value() ? db::AdmitResult::Outcome::Admitted
            : result.ticket.status == core::TicketStatus::Cancelled ? db::AdmitResult::Outcome::Cancelled
                                                                     : db::AdmitResult::Outcome::AlreadyUsed;
        if (result.ticket.status == core::TicketStatus::Used) {
            result.usedBy = result.ticket.updatedBy;
            result.usedAt = result.ticket.updatedAt;
        } else if (!won.value()) {
            auto q = shared.prepare(QStringLiteral("SELECT payment_status, order_status FROM qrt_door_orders WHERE order_id = :order_id"),
                                    Tr::tr("read order %1").arg(result.ticket.orderId));
            if (!q)
                return q.error();
            if (auto r = q->bind(QStringLiteral(":order_id"), result.ticket.orderId).exec(); !r)
                return r.error();
            if (q->next())
                voided = voidKind(q->value(QStringLiteral("payment_status")).toString(),
                                  q->value(QStringLiteral("order_status")).toString());
        }
        return result;
    }

    // One ticket_events row per conflict, whatever happens to the upload afterwards: written only
    // when no row with the same reason (which names both stations and times) is there yet.
    static core::Result<void> recordConflict(db::Database &shared, const QueuedAdmission &a, const db::AdmitResult &r,
                                             const QString &voided)
    {
        const QString reason = voided.isEmpty() ? DoorStation::conflictReason(a, r.usedBy, r.usedAt)
                                                : DoorStation::voidConflictReason(a, voided);
        const QString status = core::toString(r.ticket.status);
        // The operator is who scanned offline (door_queue), not the login uploading now (the column's
        // default, session_user); unknown falls back to that default.
        const QString operatorExpr = shared.isPostgres() ? QStringLiteral("COALESCE(:operator, session_user::text)")
                                                         : QStringLiteral(":operator");
        auto q = shared.prepare(QStringLiteral("INSERT INTO ticket_events (ticket_id, order_id, from_status, to_status, at, actor, "
                                               "reason, operator) SELECT :ticket_id, :order_id, :from_status, :to_status, ")
                                    + shared.nowExpr() + QStringLiteral(", :actor, :reason, ") + operatorExpr
                                    + QStringLiteral(" WHERE NOT EXISTS (SELECT 1 FROM ticket_events "
                                                     "WHERE ticket_id = :ticket_id2 AND reason = :reason2)"),
                                Tr::tr("record a conflict of an offline admission"));
        if (!q)
            return q.error();
        return q->bind(QStringLiteral(":ticket_id"), a.ticketId)
            .bind(QStringLiteral(":order_id"), a.orderId)
            .bind(QStringLiteral(":from_status"), status)
            .bind(QStringLiteral(":to_status"), status)
            .bind(QStringLiteral(":actor"), db::textOrNull(a.station))
            .bind(QStringLiteral(":reason"), reason)
            .bind(QStringLiteral(":operator"), db::textOrNull(a.operatorName))
            .bind(QStringLiteral(":ticket_id2"), a.ticketId)
            .bind(QStringLiteral(":reason2"), reason)
            .exec();
    }

private:
    DoorStation &m_station;
    std::shared_ptr<db::Database> m_pullDb;
    QTimer m_timer { this };
    QElapsedTimer m_sincePull;
    QString m_uploadError; // the last reason the queue was not sent, empty when it was
};

DoorStation::DoorStation(std::shared_ptr<db::Database> shared, Options options, QObject *parent)
    : QObject(parent), m_shared(shared->withOptions(connectionOptions(options.offlineAfterMs))), m_options(std::move(options))
{
    m_thread.setObjectName(QStringLiteral("qrt-door-station"));
}

DoorStation::~DoorStation()
{
    // Never wait for a statement the network swallowed (a pull can have seconds of deadline left):
    // cut what runs on the station's thread now, it fails as a timeout and the thread ends.
    m_stopping.store(true);
    m_thread.quit();
    while (!m_thread.wait(50))
        db::Database::cutStatementsOn(&m_thread);
}

bool DoorStation::goesOffline(const core::Error &error)
{
    // The connection lost, the server unreachable, no answer before a deadline. A refusal (a
    // permission, a constraint, a missing table) is an answer: the scan shows it, online.
    switch (error.kind) {
    case core::Error::Kind::Unreachable:
    case core::Error::Kind::ConnectionLost:
    case core::Error::Kind::Network:
    case core::Error::Kind::Timeout:
        return true;
    default:
        return false;
    }
}

db::ConnectionOptions DoorStation::connectionOptions(int offlineAfterMs)
{
    db::ConnectionOptions o = db::ConnectionOptions::door();
    const int ms = std::max(500, offlineAfterMs);
    o.clientTimeoutMs = ms;
    o.statementTimeoutMs = std::min(o.statementTimeoutMs, ms);
    o.connectTimeoutS = std::max(2, (ms + 999) / 1000); // libpq's shortest connect_timeout is 2 s
    return o;
}

core::Result<void> DoorStation::start()
{
    auto cache = DoorCache::open(m_options.cachePath, m_shared->url().user);
    if (!cache)
        return cache.error();
    m_cache = std::move(cache.value());
    auto copied = m_cache->watermark(); // a copy finished in an earlier run
    m_cacheReady.store(copied && copied->isValid());
    countQueue();
    if (m_queued.load() > 0) // the last run ended offline: scans go to the cache until the upload is done
        setOffline(true, Tr::tr("%n admission(s) made offline are still to be sent.", nullptr, m_queued.load()));
    // The full copy reads whole tables: longer deadlines than a scan's, still short enough that a
    // pull caught by a network drop does not hold up the probe (or closing the station) for long.
    db::ConnectionOptions pullOptions = connectionOptions(m_options.offlineAfterMs);
    pullOptions.clientTimeoutMs = std::max(5000, 3 * m_options.offlineAfterMs);
    pullOptions.statementTimeoutMs = pullOptions.clientTimeoutMs;
    m_worker = new DoorStationWorker(*this, m_shared->withOptions(pullOptions));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
    QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->begin(); }, Qt::QueuedConnection);
    return {};
}

void DoorStation::refreshNow()
{
    if (m_worker)
        QMetaObject::invokeMethod(m_worker, [w = m_worker] { w->tick(true); }, Qt::QueuedConnection);
}

db::Database &DoorStation::current()
{
    return isOffline() && m_cache ? m_cache->db() : *m_shared;
}

Verdict DoorStation::scan(const DoorCheck::Policy &policy, const QString &text)
{
    return check(policy, parseScan(text, policy.urlTemplate));
}

Verdict DoorStation::check(const DoorCheck::Policy &policy, const ScanInput &input, DoorCheck::Mode mode, bool unpaidConfirmed)
{
    if (!isOffline() || !m_cache) {
        DoorCheck::Policy shared = policy;
        shared.doorRole = doorRole(*m_shared);
        Verdict online = DoorCheck(*m_shared, shared).check(input, mode, unpaidConfirmed);
        if (online.kind == Verdict::Kind::Failed)
            forgetRoleOn(online.error);
        if (online.admitted() && m_cache && cacheReady()) {
            if (auto r = m_cache->noteAdmittedOnline(online.admittedTickets, policy.actor()); !r)
                qCWarning(lcDoorStation).noquote() << "the door cache did not take an online admission:" << r.error().toString();
        }
        if (online.kind != Verdict::Kind::Failed || !m_cache || !goesOffline(online.error))
            return online;
        setOffline(true, online.detail);
    }
    if (!cacheReady()) {
        Verdict v;
        v.kind = Verdict::Kind::Failed;
        v.input = input.value;
        v.title = Tr::tr("OFFLINE: door cache not ready");
        v.detail = Tr::tr("The database does not answer, and this station had not finished copying the tickets "
                          "(the door cache) before, so it cannot check this ticket offline. Check the network to "
                          "the database; scans work again as soon as it answers.");
        v.error = core::makeError(core::Error::Kind::Unreachable, QStringLiteral("door.cache_not_ready"), v.detail);
        return v;
    }
    Verdict v = DoorCheck(m_cache->db(), policy).check(input, mode, unpaidConfirmed);
    if (v.kind == Verdict::Kind::Failed)
        return v;
    countQueue();
    v.detail += u'\n'
        + (v.admitted() ? Tr::tr("OFFLINE: decided from this station's copy; sent to the database when it answers again.")
                        : Tr::tr("OFFLINE: decided from this station's copy."));
    return v;
}

core::Result<db::BulkResult> DoorStation::undo(const QList<qint64> &ticketIds, const QString &actor, const QString &reason)
{
    if (!isOffline() || !m_cache) {
        auto undone = doorRole(*m_shared) ? undoAsDoor(*m_shared, ticketIds, actor)
                                          : db::TicketRepository(*m_shared).undoAdmissions(ticketIds, actor, reason);
        if (!undone && undone.error().code != u"door.undo_refused")
            forgetRoleOn(undone.error());
        return undone;
    }
    // Offline: only what this station admitted offline and has not sent (the queue drops it with the
    // undo). An admission already on the shared database would change only the cache and be lost.
    auto queued = m_cache->queuedAmong(ticketIds);
    if (!queued)
        return queued.error();
    if (queued.value() < ticketIds.size())
        return core::makeError(core::Error::Kind::Unreachable, QStringLiteral("door.undo_offline"),
                               Tr::tr("Undo needs the shared database: try again when online. This admission was "
                                      "made while online, and this station is OFFLINE now."));
    auto undone = db::TicketRepository(m_cache->db()).undoAdmissions(ticketIds, actor, reason);
    countQueue();
    return undone;
}

bool DoorStation::doorRole(db::Database &db)
{
    int role = m_role.load();
    if (role < 0) {
        auto detected = db::detectRole(db);
        if (!detected)
            return false; // not reached yet: the statement that follows fails (or goes OFFLINE) as before
        role = int(detected.value());
        if (m_role.exchange(role) != role)
            qCInfo(lcDoorStation) << "the shared database's login is" << (role == int(db::DatabaseRole::Door) ? "a door operator"
                                                                                                               : "not a door operator");
    }
    return role == int(db::DatabaseRole::Door);
}

core::Result<db::BulkResult> DoorStation::undoAsDoor(db::Database &db, const QList<qint64> &ticketIds, const QString &actor)
{
    // qrt_door_undo per ticket (its own transaction): the caller's own admission within 10 minutes.
    // Refused (SQLSTATE 42501): said in plain words, as an error when nothing was undone.
    db::DoorFunctions door(db);
    db::BulkResult result;
    QStringList refused;
    for (qint64 id : ticketIds) {
        auto undone = door.undo(id, actor);
        if (undone) {
            if (undone.value())
                ++result.changed;
            else
                result.problems << Tr::tr("Ticket %1 stays as it is: it is not admitted any more.").arg(id);
            continue;
        }
        if (!undone.error().details.contains(QStringLiteral("42501"))) {
            // Stop at a failure that is not a refusal; what was undone before it stays undone, so
            // say so with the failure rather than only the error.
            if (result.changed == 0)
                return undone.error();
            result.problems << refused << undone.error().message;
            if (const qsizetype rest = ticketIds.size() - ticketIds.indexOf(id) - 1; rest > 0)
                result.problems << Tr::tr("%n more ticket(s) not tried: undo them again.", nullptr, int(rest));
            return result;
        }
        refused << (undone.error().details.contains(QStringLiteral("10 minutes"))
                        ? Tr::tr("Ticket %1 was admitted more than 10 minutes ago: only an admin can undo it.").arg(id)
                        : Tr::tr("Ticket %1 was admitted by another operator: only an admin can undo it.").arg(id));
    }
    if (result.changed == 0 && !refused.isEmpty())
        return core::makeError(core::Error::Kind::Database, QStringLiteral("door.undo_refused"),
                               refused.join(u'\n') + u'\n'
                                   + Tr::tr("A door login undoes only its own admissions, within 10 minutes of them."));
    result.problems << refused;
    return result;
}

void DoorStation::forgetRoleOn(const core::Error &error)
{
    // Refused (42501): the login may have moved to another group since the role was asked (an
    // admin made a door login, or back, without restarting the station): ask again next time.
    if (error.details.contains(QStringLiteral("42501")) && m_role.exchange(-1) >= 0)
        qCInfo(lcDoorStation) << "permission refused: the login's role is asked again at the next statement";
}

void DoorStation::setOffline(bool offline, const QString &why)
{
    if (m_offline.exchange(offline) == offline)
        return;
    qCInfo(lcDoorStation) << (offline ? "OFFLINE:" : "online again") << why;
    Q_EMIT offlineChanged(offline, why);
}

void DoorStation::countQueue()
{
    auto n = m_cache ? m_cache->count(QueuedAdmission::State::Queued) : core::Result<int>(0);
    if (!n)
        return;
    if (m_queued.exchange(n.value()) != n.value())
        Q_EMIT queuedChanged(n.value());
}

QString DoorStation::uploadReason(const QueuedAdmission &a)
{
    QString reason = QStringLiteral("offline at ") + isoTime(a.admittedAt);
    if (!a.reason.isEmpty())
        reason += QStringLiteral("; ") + a.reason;
    return reason;
}

QString DoorStation::voidConflictReason(const QueuedAdmission &a, const QString &voided)
{
    return QStringLiteral("offline-conflict: admitted offline by %1 at %2; the order was %3 since")
        .arg(a.station, isoTime(a.admittedAt),
             voided == u"refunded" ? QStringLiteral("refunded") : QStringLiteral("cancelled"));
}

QString DoorStation::conflictReason(const QueuedAdmission &a, const QString &by, const QDateTime &at)
{
    return QStringLiteral("offline-conflict: admitted offline by %1 at %2; already admitted by %3 at %4")
        .arg(a.station, isoTime(a.admittedAt), by.isEmpty() ? QStringLiteral("an unknown station") : by, isoTime(at));
}

} // namespace qrt::door
