#include "db/inboxrepository.h"

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

const char kColumns[] = "id, idempotency_key, received_at, event_type, order_id, contact_id, body, state, attempts, "
                        "next_attempt_at, last_error, warning, pushed, claimed_by, processed_at, updated_at";

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

InboxItem itemFrom(const QSqlQuery &q)
{
    InboxItem item;
    item.id = q.value(0).toLongLong();
    item.idempotencyKey = q.value(1).toString();
    item.receivedAt = timeFromDb(q.value(2));
    item.eventType = q.value(3).toString();
    item.orderId = q.value(4).toString();
    item.contactId = q.value(5).toString();
    item.body = q.value(6).toByteArray();
    item.state = inboxStateFromString(q.value(7).toString()).value_or(InboxState::Pending);
    item.attempts = q.value(8).toInt();
    item.nextAttemptAt = timeFromDb(q.value(9));
    item.lastError = q.value(10).toString();
    item.warning = q.value(11).toString();
    item.pushed = listFromJson(q.value(12));
    item.claimedBy = q.value(13).toString();
    item.processedAt = timeFromDb(q.value(14));
    item.updatedAt = timeFromDb(q.value(15));
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
// The values of one row of the inbox INSERT, in its column order.
void bindDelivery(QSqlQuery &q, const InboxDelivery &d, const QString &now)
{
    q.addBindValue(d.idempotencyKey);
    q.addBindValue(now);
    q.addBindValue(textOrNull(d.eventType));
    q.addBindValue(textOrNull(d.orderId));
    q.addBindValue(textOrNull(d.contactId));
    q.addBindValue(d.headers.isEmpty() ? QVariant(QMetaType(QMetaType::QString)) : QVariant(QString::fromUtf8(d.headers)));
    q.addBindValue(d.body);
    q.addBindValue(now);
    q.addBindValue(now);
}
} // namespace

core::Result<bool> InboxRepository::commit(const InboxDelivery &d)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString now = toDb(m_clock.now()).toString();
    q.prepare(QStringLiteral("INSERT INTO webhook_inbox (idempotency_key, received_at, event_type, order_id, contact_id, "
                             "headers, body, state, attempts, next_attempt_at, updated_at) VALUES (?, ?, ?, ?, ?, ")
              + m_db.jsonParam()
              + QStringLiteral(", ?, 'pending', 0, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING"));
    bindDelivery(q, d, now);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("store the webhook for order %1").arg(d.orderId));
    return q.numRowsAffected() > 0;
}

core::Result<void> InboxRepository::warmUp()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    Transaction tx(m_db, connection.value());
    if (auto r = tx.begin(); !r)
        return r.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("INSERT INTO webhook_inbox (idempotency_key, body) VALUES (?, ?)"));
    q.addBindValue(QString(QStringLiteral("warm-up:") + QString::number(QRandomGenerator::global()->generate64())));
    q.addBindValue(QByteArrayLiteral("{}"));
    if (!q.exec())
        return m_db.fail(q, Tr::tr("prepare the webhook inbox"));
    tx.rollback();
    return {};
}

core::Result<QSqlQuery *> InboxRepository::batchStatement(const QSqlDatabase &connection, qsizetype rows)
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
    const QString row = QStringLiteral("(?, ?, ?, ?, ?, ") + m_db.jsonParam() + QStringLiteral(", ?, 'pending', 0, ?, ?)");
    QStringList values;
    values.reserve(rows);
    for (qsizetype k = 0; k < rows; ++k)
        values << row;
    auto q = std::make_unique<QSqlQuery>(connection);
    if (!q->prepare(QStringLiteral("INSERT INTO webhook_inbox (idempotency_key, received_at, event_type, order_id, contact_id, "
                                   "headers, body, state, attempts, next_attempt_at, updated_at) VALUES ")
                    + values.join(u',') + QStringLiteral(" ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key")))
        return m_db.fail(*q, Tr::tr("prepare storing %1 webhooks").arg(rows));
    QSqlQuery *kept = q.get();
    m_batchStatements.emplace(rows, KeptStatement { std::move(q), use });
    return kept;
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
    // Binds and runs the batch; one statement is one transaction: every row is durable, or none.
    const auto execute = [&]() -> core::Result<QSqlQuery *> {
        auto connection = m_db.connection();
        if (!connection)
            return connection.error();
        auto q = batchStatement(connection.value(), rows.size());
        if (!q)
            return q.error();
        for (qsizetype i : std::as_const(rows))
            bindDelivery(*q.value(), deliveries.at(i), now);
        if (!q.value()->exec()) {
            const core::Error error = m_db.fail(*q.value(), what);
            m_batchStatements.erase(rows.size());
            return error;
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
    QSqlQuery *q = executed.value();
    while (q->next())
        result[first.value(q->value(0).toString())] = true;
    q->finish(); // the statement stays prepared; its result set is released
    return result;
}

core::Result<std::optional<InboxItem>> InboxRepository::claimNext(const QString &station)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString now = toDb(m_clock.now()).toString();
    // SKIP LOCKED: a second worker passes over the row the first is claiming instead of waiting
    // for it and then finding it taken.
    const QString lock = m_db.isPostgres() ? QStringLiteral(" FOR UPDATE SKIP LOCKED") : QString();
    // The claim index (migration 4) holds only waiting events in this order. PostgreSQL picks it
    // by itself; SQLite, without ANALYZE statistics, would sort every waiting event instead.
    const QString index = m_db.isPostgres() ? QString() : QStringLiteral(" INDEXED BY webhook_inbox_claim_idx");
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'processing', attempts = attempts + 1, claimed_by = ?, "
                             "updated_at = ? WHERE id = (SELECT id FROM webhook_inbox")
              + index
              + QStringLiteral(" WHERE state IN ('pending', 'failed') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 1")
              + lock + QStringLiteral(") AND state IN ('pending', 'failed') RETURNING ") + QLatin1StringView(kColumns));
    q.addBindValue(station);
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("take the next webhook from the inbox"));
    if (!q.next())
        return std::optional<InboxItem>();
    return std::optional<InboxItem>(itemFrom(q));
}

core::Result<void> InboxRepository::markDone(qint64 id, const QString &warning)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString now = toDb(m_clock.now()).toString();
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'done', warning = ?, last_error = NULL, processed_at = ?, "
                             "updated_at = ? WHERE id = ?"));
    q.addBindValue(textOrNull(warning.isEmpty() ? QString() : warning));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("mark webhook %1 as processed").arg(id));
    return {};
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
                                                     const InboxBackoff &backoff)
{
    auto current = get(id);
    if (!current)
        return current.error();
    if (!current->has_value())
        return core::makeError(QStringLiteral("db.not_found"), Tr::tr("Webhook %1 is not in the inbox.").arg(id));
    const int attempts = current->value().attempts;
    if (attempts >= maxAttempts) {
        if (auto r = markDead(id, error); !r)
            return r.error();
        return InboxState::Dead;
    }
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QDateTime now = m_clock.now();
    const QDateTime next = now.addMSecs(backoffMs(attempts, backoff, QRandomGenerator::global()->generate()));
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'failed', last_error = ?, next_attempt_at = ?, "
                             "updated_at = ? WHERE id = ?"));
    q.addBindValue(error);
    q.addBindValue(toDb(next));
    q.addBindValue(toDb(now));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("record the failure of webhook %1").arg(id));
    return InboxState::Failed;
}

core::Result<void> InboxRepository::markDead(qint64 id, const QString &error)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'dead', last_error = ?, updated_at = ? WHERE id = ?"));
    q.addBindValue(error);
    q.addBindValue(toDb(m_clock.now()));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("record the failure of webhook %1").arg(id));
    return {};
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
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET pushed = ?, updated_at = ? WHERE id = ?"));
    q.addBindValue(listToJson(pushed));
    q.addBindValue(toDb(m_clock.now()));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("record the contact update of webhook %1").arg(id));
    return {};
}

core::Result<int> InboxRepository::resumeInterrupted(const QString &station, int staleAfterS)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QDateTime now = m_clock.now();
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'pending', next_attempt_at = ?, updated_at = ? "
                             "WHERE state = 'processing' AND (claimed_by = ? OR claimed_by IS NULL OR updated_at < ?)"));
    q.addBindValue(toDb(now));
    q.addBindValue(toDb(now));
    q.addBindValue(station);
    q.addBindValue(toDb(now.addSecs(-staleAfterS)));
    if (!q.exec())
        return m_db.fail(q, Tr::tr("resume interrupted webhooks"));
    const int n = q.numRowsAffected();
    if (n > 0)
        qCInfo(lcDb) << "resumed" << n << "webhook(s) interrupted while processing";
    return n;
}

core::Result<bool> InboxRepository::retry(qint64 id)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QString now = toDb(m_clock.now()).toString();
    q.prepare(QStringLiteral("UPDATE webhook_inbox SET state = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? "
                             "WHERE id = ? AND (state IN ('dead', 'failed') OR (state = 'done' AND warning IS NOT NULL))"));
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("retry webhook %1").arg(id));
    return q.numRowsAffected() > 0;
}

core::Result<InboxStats> InboxRepository::stats()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    const QDateTime midnight = QDateTime(m_clock.now().toLocalTime().date(), QTime(0, 0));
    q.prepare(QStringLiteral("SELECT "
                             "SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN state = 'processing' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN state = 'dead' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), "
                             "SUM(CASE WHEN received_at >= ? THEN 1 ELSE 0 END) FROM webhook_inbox"));
    q.addBindValue(toDb(midnight));
    if (!q.exec() || !q.next())
        return m_db.fail(q, Tr::tr("count the webhooks in the inbox"));
    InboxStats s;
    s.pending = q.value(0).toInt();
    s.processing = q.value(1).toInt();
    s.failed = q.value(2).toInt();
    s.dead = q.value(3).toInt();
    s.done = q.value(4).toInt();
    s.acceptedToday = q.value(5).toInt();
    q.finish();
    QSqlQuery e(connection.value());
    if (!e.exec(QStringLiteral("SELECT last_error, updated_at FROM webhook_inbox WHERE state IN ('failed', 'dead') "
                               "AND last_error IS NOT NULL ORDER BY updated_at DESC LIMIT 1")))
        return m_db.fail(e, Tr::tr("read the last webhook error"));
    if (e.next()) {
        s.lastError = e.value(0).toString();
        s.lastErrorAt = timeFromDb(e.value(1));
    }
    return s;
}

core::Result<QList<InboxItem>> InboxRepository::recent(int limit)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    // The body is left out (it can be large); the panel shows kind, order, state and error.
    q.prepare(QStringLiteral("SELECT id, idempotency_key, received_at, event_type, order_id, contact_id, NULL, state, "
                             "attempts, next_attempt_at, last_error, warning, pushed, claimed_by, processed_at, updated_at "
                             "FROM webhook_inbox ORDER BY id DESC LIMIT ?"));
    q.addBindValue(std::max(0, limit));
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read the recent webhooks"));
    QList<InboxItem> out;
    while (q.next())
        out.append(itemFrom(q));
    return out;
}

core::Result<std::optional<InboxItem>> InboxRepository::get(qint64 id)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    q.prepare(QStringLiteral("SELECT ") + QLatin1StringView(kColumns) + QStringLiteral(" FROM webhook_inbox WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec())
        return m_db.fail(q, Tr::tr("read webhook %1").arg(id));
    if (!q.next())
        return std::optional<InboxItem>();
    return std::optional<InboxItem>(itemFrom(q));
}

} // namespace qrt::db
