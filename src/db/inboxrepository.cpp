#include "db/inboxrepository.h"

#include "db/inboxbatchpq.h"
#include "db/logging.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlQuery>

#include <algorithm>
#include <cmath>

namespace qrt::db {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::InboxRepository)
};

const QString kColumns = QStringLiteral("id, idempotency_key, received_at, event_type, order_id, contact_id, body, "
                                        "state, attempts, next_attempt_at, last_error, warning, pushed, claimed_by, "
                                        "lease_until, attempts_since, processed_at, updated_at");

// The state as SQL text ('pending', ...): toString(InboxState) is the one spelling.
QString sqlState(InboxState state)
{
    return sqlString(toString(state));
}

// "state IN ('pending', 'failed')": in the statement's text, so SQLite can match the partial
// claim index (migration 4) against it.
QString sqlStates(std::initializer_list<InboxState> states)
{
    QStringList out;
    for (InboxState s : states)
        out << sqlState(s);
    return QStringLiteral("state IN (") + out.join(QStringLiteral(", ")) + u')';
}

QStringList listFromJson(const QVariant &value)
{
    QStringList out;
    if (value.isNull())
        return out;
    const QJsonArray array = QJsonDocument::fromJson(value.toString().toUtf8()).array();
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

QString listToJson(const QStringList &list)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(list)).toJson(QJsonDocument::Compact));
}

InboxItem itemFrom(const Query &q)
{
    const auto v = [&q](const char *column) { return q.value(QLatin1StringView(column)); };
    InboxItem item;
    item.id = v("id").toLongLong();
    item.idempotencyKey = v("idempotency_key").toString();
    item.receivedAt = timeFromDb(v("received_at"));
    item.eventType = v("event_type").toString();
    item.orderId = v("order_id").toString();
    item.contactId = v("contact_id").toString();
    item.body = v("body").toByteArray();
    item.state = inboxStateFromString(v("state").toString()).value_or(InboxState::Pending);
    item.attempts = v("attempts").toInt();
    item.nextAttemptAt = timeFromDb(v("next_attempt_at"));
    item.lastError = v("last_error").toString();
    item.warning = v("warning").toString();
    item.pushed = listFromJson(v("pushed"));
    item.claimedBy = v("claimed_by").toString();
    item.leaseUntil = timeFromDb(v("lease_until"));
    item.attemptsSince = timeFromDb(v("attempts_since"));
    item.processedAt = timeFromDb(v("processed_at"));
    item.updatedAt = timeFromDb(v("updated_at"));
    return item;
}

} // namespace

QString toString(InboxState state)
{
    switch (state) {
    case InboxState::Pending: return QStringLiteral("pending");
    case InboxState::Processing: return QStringLiteral("processing");
    case InboxState::Done: return QStringLiteral("done");
    case InboxState::Failed: return QStringLiteral("failed");
    case InboxState::Dead: return QStringLiteral("dead");
    }
    return {};
}

std::optional<InboxState> inboxStateFromString(const QString &text)
{
    for (InboxState s : { InboxState::Pending, InboxState::Processing, InboxState::Done, InboxState::Failed, InboxState::Dead }) {
        if (toString(s) == text)
            return s;
    }
    return std::nullopt;
}

namespace {
// The columns of the inbox INSERT; row k of a batch names its placeholders ":key_k", ...
const QString kInsertColumns = QStringLiteral("INSERT INTO webhook_inbox (idempotency_key, received_at, event_type, "
                                              "order_id, contact_id, headers, body, state, attempts, next_attempt_at, "
                                              "updated_at) VALUES ");

QString rowValues(const Database &db, const QString &suffix)
{
    return QStringLiteral("(:key%1, :now%1, :event_type%1, :order_id%1, :contact_id%1, ").arg(suffix)
        + db.jsonParam(QStringLiteral(":headers") + suffix) + QStringLiteral(", :body%1, ").arg(suffix)
        + sqlState(InboxState::Pending) + QStringLiteral(", 0, :now%1, :now%1)").arg(suffix);
}

void bindDelivery(Query &q, const InboxDelivery &d, const QString &now, const QString &suffix)
{
    q.bind(QStringLiteral(":key") + suffix, d.idempotencyKey)
        .bind(QStringLiteral(":now") + suffix, now)
        .bind(QStringLiteral(":event_type") + suffix, textOrNull(d.eventType))
        .bind(QStringLiteral(":order_id") + suffix, textOrNull(d.orderId))
        .bind(QStringLiteral(":contact_id") + suffix, textOrNull(d.contactId))
        .bind(QStringLiteral(":headers") + suffix,
              d.headers.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(QString::fromUtf8(d.headers)))
        .bind(QStringLiteral(":body") + suffix, d.body);
}
} // namespace

core::Result<bool> InboxRepository::commit(const InboxDelivery &d)
{
    auto q = m_db.prepare(kInsertColumns + rowValues(m_db, QString())
                              + QStringLiteral(" ON CONFLICT (idempotency_key) DO NOTHING"),
                          Tr::tr("store the webhook for order %1").arg(d.orderId));
    if (!q)
        return q.error();
    bindDelivery(q.value(), d, toDb(m_clock.now()).toString(), QString());
    if (auto r = q->exec(); !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<void> InboxRepository::warmUp()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    if (m_db.isPostgres()) {
        // A door login (issue 13) may not write the inbox and never listens: nothing to warm up, and
        // no refused INSERT in the log of every door station's start.
        auto may = m_db.prepare(QStringLiteral("SELECT has_table_privilege('webhook_inbox', 'INSERT') AS may"),
                                Tr::tr("check the right to write the webhook inbox"));
        if (!may)
            return may.error();
        if (auto r = may->execFirst(); !r)
            return r.error();
        if (!may->value(QStringLiteral("may")).toBool())
            return {};
    }
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    // Rolled back on purpose: the one place that does not commit, so no inTransaction here.
    auto q = m_db.prepare(QStringLiteral("INSERT INTO webhook_inbox (idempotency_key, body) VALUES (:key, :body)"),
                          Tr::tr("prepare the webhook inbox"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":key"), QString(QStringLiteral("warm-up:") + QString::number(QRandomGenerator::global()->generate64())))
        .bind(QStringLiteral(":body"), QByteArrayLiteral("{}"));
    if (auto r = q->exec(); !r)
        return r;
    tx.rollback();
    return {};
}

core::Result<Query *> InboxRepository::batchStatement(qsizetype rows)
{
    const quint64 use = ++m_statementUses;
    if (auto it = m_batchStatements.find(rows); it != m_batchStatements.end()) {
        it->second.lastUse = use;
        return it->second.query.get();
    }
    if (m_batchStatements.size() >= 64) { // a burst uses a few dozen sizes: drop the least used
        auto oldest = std::min_element(m_batchStatements.begin(), m_batchStatements.end(),
                                       [](const auto &a, const auto &b) { return a.second.lastUse < b.second.lastUse; });
        m_batchStatements.erase(oldest);
    }
    QStringList values;
    values.reserve(rows);
    for (qsizetype k = 0; k < rows; ++k)
        values << rowValues(m_db, QStringLiteral("_%1").arg(k));
    auto q = m_db.prepare(kInsertColumns + values.join(u',')
                              + QStringLiteral(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key"),
                          Tr::tr("prepare storing %1 webhooks").arg(rows));
    if (!q)
        return q.error();
    auto kept = std::make_unique<Query>(std::move(q.value()));
    Query *raw = kept.get();
    m_batchStatements.emplace(rows, KeptStatement { std::move(kept), use });
    return raw;
}

core::Result<QList<bool>> InboxRepository::commitBatch(const QList<InboxDelivery> &deliveries)
{
    QList<bool> result(deliveries.size(), false);
    if (deliveries.isEmpty())
        return result;
    // First occurrence of each key in this batch; later ones are duplicates of it.
    QHash<QString, qsizetype> first;
    QList<qsizetype> rows;
    for (qsizetype i = 0; i < deliveries.size(); ++i) {
        if (!first.contains(deliveries.at(i).idempotencyKey)) {
            first.insert(deliveries.at(i).idempotencyKey, i);
            rows << i;
        }
    }
    const QString now = toDb(m_clock.now()).toString();
    const QString what = Tr::tr("store %1 webhooks").arg(deliveries.size());
    // PostgreSQL: the bodies as binary parameters through libpq (see inboxbatchpq.h).
    {
        QList<const InboxDelivery *> unique;
        unique.reserve(rows.size());
        for (qsizetype i : std::as_const(rows))
            unique << &deliveries.at(i);
        if (auto direct = insertInboxRowsPq(m_db, unique, now, what)) {
            if (!*direct)
                return direct->error();
            for (const QString &key : direct->value())
                result[first.value(key)] = true;
            return result;
        }
    }
    // Binds and runs the batch; one statement is one transaction: every row is durable, or none.
    const auto execute = [&]() -> core::Result<Query *> {
        auto q = batchStatement(rows.size());
        if (!q)
            return q.error();
        for (qsizetype k = 0; k < rows.size(); ++k)
            bindDelivery(*q.value(), deliveries.at(rows.at(k)), now, QStringLiteral("_%1").arg(k));
        if (auto r = q.value()->describe(what).exec(); !r) {
            m_batchStatements.erase(rows.size());
            return r.error();
        }
        return q.value();
    };
    const bool reused = m_batchStatements.count(rows.size()) > 0;
    auto executed = execute();
    // A kept statement dies with its session: after a reconnect (here or by another repository on
    // this thread) it fails once; it is prepared again on the new session, unless the server is away.
    if (!executed && reused && executed.error().kind != core::Error::Kind::ConnectionLost) {
        m_batchStatements.clear();
        executed = execute();
    }
    if (!executed)
        return executed.error();
    Query *q = executed.value();
    while (q->next())
        result[first.value(q->value(QStringLiteral("idempotency_key")).toString())] = true;
    q->finish(); // the statement stays prepared; its result set is released
    return result;
}


namespace {
// The claimer's condition of a mark; empty: any state (tools, tests).
QString heldBy(const QString &claimer)
{
    return claimer.isEmpty() ? QString()
                             : QStringLiteral(" AND state = ") + sqlState(InboxState::Processing)
            + QStringLiteral(" AND claimed_by = :me");
}

core::Result<void> lostUnlessChanged(Query &q, qint64 id, const QString &claimer)
{
    if (claimer.isEmpty() || q.rowsAffected() > 0)
        return {};
    return core::makeError(QStringLiteral("db.claim_lost"),
                           QCoreApplication::translate("qrt::db::InboxRepository",
                                                       "Webhook %1 was taken over by another worker after its claim ran "
                                                       "out; its result was not recorded here.")
                               .arg(id));
}
} // namespace

core::Result<std::optional<InboxItem>> InboxRepository::claimNext(const QString &station, int leaseS)
{
    const QString claimSet = QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Processing)
        + QStringLiteral(", attempts = attempts + 1, claimed_by = :station, lease_until = ")
        + m_db.nowPlusExpr(QStringLiteral(":lease_s"))
        + QStringLiteral(", attempts_since = COALESCE(attempts_since, :now), updated_at = :now WHERE id = (");
    {
        // First a 'processing' event whose lease has run out (its worker is gone): rare, and read
        // through the partial lease index (migration 6). The database's clock decides.
        const QString expired = QStringLiteral("state = ") + sqlState(InboxState::Processing)
            + QStringLiteral(" AND lease_until IS NOT NULL AND lease_until <= ") + m_db.nowExpr();
        auto q = m_db.prepare(claimSet + QStringLiteral("SELECT id FROM webhook_inbox WHERE ") + expired
                                  + QStringLiteral(" ORDER BY lease_until, id LIMIT 1")
                                  + (m_db.isPostgres() ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString())
                                  + QStringLiteral(") AND ") + expired + QStringLiteral(" RETURNING ") + kColumns,
                              Tr::tr("take over a webhook whose worker stopped"));
        if (!q)
            return q.error();
        q->bind(QStringLiteral(":station"), station)
            .bind(QStringLiteral(":lease_s"), m_db.secondsValue(std::max(1, leaseS)))
            .bind(QStringLiteral(":now"), toDb(m_clock.now()).toString());
        if (auto r = q->exec(); !r)
            return r.error();
        if (q->next())
            return std::optional<InboxItem>(itemFrom(q.value()));
    }
    // SKIP LOCKED: a second worker passes over the row the first is claiming instead of waiting
    // for it and then finding it taken.
    const QString lock = m_db.isPostgres() ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString();
    // The claim index (migration 4) holds only waiting events in this order. PostgreSQL picks it
    // by itself; SQLite, without ANALYZE statistics, would sort every waiting event instead.
    const QString index = m_db.isPostgres() ? QString() : QStringLiteral(" INDEXED BY webhook_inbox_claim_idx");
    const QString waiting = sqlStates({ InboxState::Pending, InboxState::Failed });
    auto q = m_db.prepare(claimSet + QStringLiteral("SELECT id FROM webhook_inbox") + index + QStringLiteral(" WHERE ") + waiting
                              + QStringLiteral(" AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT 1") + lock
                              + QStringLiteral(") AND ") + waiting + QStringLiteral(" RETURNING ") + kColumns,
                          Tr::tr("take the next webhook from the inbox"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":station"), station)
        .bind(QStringLiteral(":lease_s"), m_db.secondsValue(std::max(1, leaseS)))
        .bind(QStringLiteral(":now"), toDb(m_clock.now()).toString());
    if (auto r = q->exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<InboxItem>();
    return std::optional<InboxItem>(itemFrom(q.value()));
}

core::Result<void> InboxRepository::markDone(qint64 id, const QString &warning, const QString &claimer)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Done)
                              + QStringLiteral(", warning = :warning, last_error = NULL, lease_until = NULL, "
                                               "processed_at = :now, updated_at = :now WHERE id = :id")
                              + heldBy(claimer),
                          Tr::tr("mark webhook %1 as processed").arg(id));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":warning"), textOrNull(warning.isEmpty() ? QString() : warning))
        .bind(QStringLiteral(":now"), toDb(m_clock.now()).toString())
        .bind(QStringLiteral(":id"), id);
    if (!claimer.isEmpty())
        q->bind(QStringLiteral(":me"), claimer);
    if (auto r = q->exec(); !r)
        return r.error();
    return lostUnlessChanged(q.value(), id, claimer);
}

qint64 InboxRepository::backoffMs(int attempts, const InboxBackoff &backoff, quint32 random)
{
    const int exponent = std::clamp(attempts - 1, 0, 30);
    const double raw = std::min(double(backoff.baseMs) * std::pow(2.0, exponent), double(backoff.maxMs));
    const double unit = double(random) / double(std::numeric_limits<quint32>::max()); // 0..1
    const double factor = 1.0 + backoff.jitter * (2.0 * unit - 1.0);
    return std::max<qint64>(0, qint64(std::llround(raw * factor)));
}

core::Result<InboxState> InboxRepository::markFailed(qint64 id, const QString &error, int maxAttempts,
                                                     const InboxBackoff &backoff, const QString &claimer)
{
    auto current = get(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Webhook %1 is not in the inbox.").arg(id));
    const int attempts = current->value().attempts;
    if (attempts >= maxAttempts) {
        if (auto r = markDead(id, error, claimer); !r)
            return r.error();
        return InboxState::Dead;
    }
    const QDateTime now = m_clock.now();
    const QDateTime next = now.addMSecs(backoffMs(attempts, backoff, QRandomGenerator::global()->generate()));
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Failed)
                              + QStringLiteral(", last_error = :error, next_attempt_at = :next, lease_until = NULL, "
                                               "updated_at = :now WHERE id = :id")
                              + heldBy(claimer),
                          Tr::tr("record the failure of webhook %1").arg(id));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":error"), error)
        .bind(QStringLiteral(":next"), toDb(next))
        .bind(QStringLiteral(":now"), toDb(now))
        .bind(QStringLiteral(":id"), id);
    if (!claimer.isEmpty())
        q->bind(QStringLiteral(":me"), claimer);
    if (auto r = q->exec(); !r)
        return r.error();
    if (auto lost = lostUnlessChanged(q.value(), id, claimer); !lost)
        return lost.error();
    return InboxState::Failed;
}

core::Result<InboxState> InboxRepository::markFailedUntil(qint64 id, const QString &error, qint64 deadAfterS,
                                                          const InboxBackoff &backoff, const QString &claimer)
{
    auto current = get(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Webhook %1 is not in the inbox.").arg(id));
    const InboxItem &item = current->value();
    const QDateTime since = item.attemptsSince.isValid() ? item.attemptsSince : item.receivedAt;
    if (since.isValid() && since.secsTo(m_clock.now()) >= deadAfterS) {
        if (auto r = markDead(id, error, claimer); !r)
            return r.error();
        return InboxState::Dead;
    }
    // Below the horizon the attempts cap is never reached: only the backoff applies.
    return markFailed(id, error, std::numeric_limits<int>::max(), backoff, claimer);
}

core::Result<int> InboxRepository::renewLeases(const QList<qint64> &ids, const QString &station, int leaseS)
{
    int renewed = 0;
    for (qint64 id : ids) {
        auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET lease_until = ") + m_db.nowPlusExpr(QStringLiteral(":lease_s"))
                                  + QStringLiteral(" WHERE id = :id AND state = ") + sqlState(InboxState::Processing)
                                  + QStringLiteral(" AND claimed_by = :station"),
                              Tr::tr("renew the claim on webhook %1").arg(id));
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":id"), id)
                         .bind(QStringLiteral(":station"), station)
                         .bind(QStringLiteral(":lease_s"), m_db.secondsValue(std::max(1, leaseS)))
                         .exec();
            !r)
            return r.error();
        renewed += q->rowsAffected();
    }
    return renewed;
}

core::Result<void> InboxRepository::markDead(qint64 id, const QString &error, const QString &claimer)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Dead)
                              + QStringLiteral(", last_error = :error, lease_until = NULL, updated_at = :now WHERE id = :id")
                              + heldBy(claimer),
                          Tr::tr("record the failure of webhook %1").arg(id));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":error"), error).bind(QStringLiteral(":now"), toDb(m_clock.now())).bind(QStringLiteral(":id"), id);
    if (!claimer.isEmpty())
        q->bind(QStringLiteral(":me"), claimer);
    if (auto r = q->exec(); !r)
        return r.error();
    return lostUnlessChanged(q.value(), id, claimer);
}

core::Result<void> InboxRepository::markPushed(qint64 id, const QStringList &fieldIds)
{
    auto current = get(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Webhook %1 is not in the inbox.").arg(id));
    QStringList pushed = current->value().pushed;
    for (const QString &f : fieldIds) {
        if (!pushed.contains(f))
            pushed << f;
    }
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET pushed = :pushed, updated_at = :now WHERE id = :id"),
                          Tr::tr("record the contact update of webhook %1").arg(id));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":pushed"), listToJson(pushed))
        .bind(QStringLiteral(":now"), toDb(m_clock.now()))
        .bind(QStringLiteral(":id"), id)
        .exec();
}

core::Result<QStringList> InboxRepository::claimers()
{
    auto q = m_db.prepare(QStringLiteral("SELECT DISTINCT claimed_by FROM webhook_inbox WHERE state = ")
                              + sqlState(InboxState::Processing) + QStringLiteral(" AND claimed_by IS NOT NULL"),
                          Tr::tr("resume interrupted webhooks"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QStringList out;
    while (q->next())
        out << q->value(QStringLiteral("claimed_by")).toString();
    return out;
}

core::Result<int> InboxRepository::resumeInterrupted(const QString &claimer)
{
    const QDateTime now = m_clock.now();
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Pending)
                              + QStringLiteral(", next_attempt_at = :now, updated_at = :now WHERE state = ")
                              + sqlState(InboxState::Processing)
                              + QStringLiteral(" AND (claimed_by = :station OR claimed_by IS NULL)"),
                          Tr::tr("resume interrupted webhooks"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":now"), toDb(now))
        .bind(QStringLiteral(":station"), claimer);
    if (auto r = q->exec(); !r)
        return r.error();
    const int n = q->rowsAffected();
    if (n > 0)
        qCInfo(lcDb) << "resumed" << n << "webhook(s) interrupted while processing";
    return n;
}

core::Result<bool> InboxRepository::retry(qint64 id)
{
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET state = ") + sqlState(InboxState::Pending)
                              + QStringLiteral(", attempts = 0, attempts_since = NULL, lease_until = NULL, next_attempt_at "
                                               "= :now, updated_at = :now WHERE id = :id AND (")
                              + sqlStates({ InboxState::Dead, InboxState::Failed, InboxState::Pending })
                              // A 'processing' event only when its worker is gone (the lease ran out).
                              + QStringLiteral(" OR (state = ") + sqlState(InboxState::Processing)
                              + QStringLiteral(" AND (lease_until IS NULL OR lease_until <= ") + m_db.nowExpr()
                              + QStringLiteral("))")
                              + QStringLiteral(" OR (state = ")
                              + sqlState(InboxState::Done) + QStringLiteral(" AND warning IS NOT NULL))"),
                          Tr::tr("retry webhook %1").arg(id));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":now"), toDb(m_clock.now()).toString()).bind(QStringLiteral(":id"), id);
    if (auto r = q->exec(); !r)
        return r.error();
    return q->rowsAffected() > 0;
}

core::Result<int> InboxRepository::makeFailedDue()
{
    auto q = m_db.prepare(QStringLiteral("UPDATE webhook_inbox SET next_attempt_at = :now WHERE state = ")
                              + sqlState(InboxState::Failed) + QStringLiteral(" AND next_attempt_at > :now"),
                          Tr::tr("retry the failed webhooks"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":now"), toDb(m_clock.now()).toString()).exec(); !r)
        return r.error();
    return q->rowsAffected();
}

core::Result<InboxStats> InboxRepository::stats()
{
    const QDateTime midnight = QDateTime(m_clock.now().toLocalTime().date(), QTime(0, 0));
    InboxStats s;
    // The state prefix of webhook_inbox_due_idx: only the rows of these states are read.
    auto q = m_db.prepare(QStringLiteral("SELECT state, COUNT(*) AS n FROM webhook_inbox WHERE ")
                              + sqlStates({ InboxState::Pending, InboxState::Processing, InboxState::Failed, InboxState::Dead })
                              + QStringLiteral(" GROUP BY state"),
                          Tr::tr("count the webhooks in the inbox"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    while (q->next()) {
        const int n = q->value(QStringLiteral("n")).toInt();
        switch (inboxStateFromString(q->value(QStringLiteral("state")).toString()).value_or(InboxState::Done)) {
        case InboxState::Pending: s.pending = n; break;
        case InboxState::Processing: s.processing = n; break;
        case InboxState::Failed: s.failed = n; break;
        case InboxState::Dead: s.dead = n; break;
        case InboxState::Done: break;
        }
    }
    q->finish();
    // webhook_inbox_received_idx: today's rows only.
    auto t = m_db.prepare(QStringLiteral("SELECT COUNT(*) AS today FROM webhook_inbox WHERE received_at >= :midnight"),
                          Tr::tr("count the webhooks in the inbox"));
    if (!t)
        return t.error();
    if (auto r = t->bind(QStringLiteral(":midnight"), toDb(midnight)).execFirst(); !r)
        return r.error();
    s.acceptedToday = t->value(QStringLiteral("today")).toInt();
    t->finish();
    auto e = m_db.prepare(QStringLiteral("SELECT last_error, updated_at FROM webhook_inbox WHERE ")
                              + sqlStates({ InboxState::Failed, InboxState::Dead })
                              + QStringLiteral(" AND last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1"),
                          Tr::tr("read the last webhook error"));
    if (!e)
        return e.error();
    if (auto r = e->exec(); !r)
        return r.error();
    if (e->next()) {
        s.lastError = e->value(QStringLiteral("last_error")).toString();
        s.lastErrorAt = timeFromDb(e->value(QStringLiteral("updated_at")));
    }
    return s;
}

core::Result<int> InboxRepository::countDone()
{
    auto q = m_db.prepare(QStringLiteral("SELECT COUNT(*) AS n FROM webhook_inbox WHERE state = ") + sqlState(InboxState::Done),
                          Tr::tr("count the webhooks in the inbox"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("n")).toInt();
}

core::Result<int> InboxRepository::pruneDone(const QDateTime &receivedBefore, int limit)
{
    // By id through a bounded sub-select (PostgreSQL has no DELETE ... LIMIT): a short statement
    // each time, so the committer's INSERTs never wait long behind a prune.
    auto q = m_db.prepare(QStringLiteral("DELETE FROM webhook_inbox WHERE id IN (SELECT id FROM webhook_inbox WHERE "
                                         "received_at < :before AND state = ")
                              + sqlState(InboxState::Done) + QStringLiteral(" ORDER BY received_at LIMIT :limit)"),
                          Tr::tr("delete old processed webhooks"));
    if (!q)
        return q.error();
    q->bind(QStringLiteral(":before"), toDb(receivedBefore)).bind(QStringLiteral(":limit"), std::max(1, limit));
    if (auto r = q->exec(); !r)
        return r.error();
    return q->rowsAffected();
}

core::Result<QList<InboxItem>> InboxRepository::recent(int limit)
{
    // The body is left out (it can be large); the panel shows kind, order, state and error.
    QString columns = kColumns;
    columns.replace(QStringLiteral(" body,"), QStringLiteral(" NULL AS body,"));
    auto q = m_db.prepare(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM webhook_inbox ORDER BY id DESC LIMIT :limit"),
                          Tr::tr("read the recent webhooks"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":limit"), std::max(0, limit)).exec(); !r)
        return r.error();
    QList<InboxItem> out;
    while (q->next())
        out.append(itemFrom(q.value()));
    return out;
}

core::Result<std::optional<InboxItem>> InboxRepository::get(qint64 id)
{
    auto q = m_db.prepare(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM webhook_inbox WHERE id = :id"),
                          Tr::tr("read webhook %1").arg(id));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":id"), id).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<InboxItem>();
    return std::optional<InboxItem>(itemFrom(q.value()));
}

core::Result<bool> InboxRepository::contains(const QString &idempotencyKey)
{
    auto q = m_db.prepare(QStringLiteral("SELECT 1 FROM webhook_inbox WHERE idempotency_key = :key"),
                          Tr::tr("look up webhook %1").arg(idempotencyKey.left(80)));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":key"), idempotencyKey).exec(); !r)
        return r.error();
    return q->next();
}

} // namespace qrt::db
