#include "door/doorcache.h"

#include "db/migrator.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

namespace qrt::door {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::door::DoorCache)
};

// What a scan needs of an order; e-mail, phone and totals stay on the shared database.
const QStringList kOrderColumns = {
    QStringLiteral("order_id"), QStringLiteral("location_id"), QStringLiteral("payment_status"),
    QStringLiteral("payment_currency"), QStringLiteral("order_status"), QStringLiteral("contact_id"),
    QStringLiteral("contact_firstname"), QStringLiteral("contact_lastname"), QStringLiteral("date_added"),
    QStringLiteral("event_id"), QStringLiteral("event_name"), QStringLiteral("event_ticket_type"),
    QStringLiteral("event_ticket_qty"), QStringLiteral("ticket_quantities"), QStringLiteral("line_items"),
    QStringLiteral("ghl_updated_at"), QStringLiteral("updated_at"),
};
const QStringList kTicketColumns = {
    QStringLiteral("ticket_id"), QStringLiteral("order_id"), QStringLiteral("ticket_type"), QStringLiteral("status"),
    QStringLiteral("product_id"), QStringLiteral("code"), QStringLiteral("created_at"), QStringLiteral("updated_at"),
    QStringLiteral("updated_by"),
};

// Journals every admission made in the cache (a live -> used ticket_events row: only DoorCheck
// writes ticket_events here, pulls copy ticket rows) in the admission's own transaction; an undo
// here drops the queued row again. Created on the cache file only, never on a product database.
const char *const kJournalTriggers[] = {
    "CREATE TRIGGER IF NOT EXISTS door_cache_journal AFTER INSERT ON ticket_events "
    "WHEN NEW.from_status = 'live' AND NEW.to_status = 'used' BEGIN "
    "INSERT INTO door_queue (ticket_id, order_id, station, operator, admitted_at, mode, reason) VALUES "
    "(NEW.ticket_id, NEW.order_id, NEW.actor, (SELECT value FROM door_cache_meta WHERE key = 'operator'), NEW.at, "
    "'offline', NEW.reason); END",
    "CREATE TRIGGER IF NOT EXISTS door_cache_unjournal AFTER INSERT ON ticket_events "
    "WHEN NEW.from_status = 'used' AND NEW.to_status = 'live' BEGIN "
    "DELETE FROM door_queue WHERE ticket_id = NEW.ticket_id AND state = 'queued'; END",
};

QVariant cacheValue(const QVariant &v)
{
    if (v.typeId() == QMetaType::QDateTime)
        return db::toDb(v.toDateTime());
    return v;
}

QString upsert(const QString &table, const QStringList &columns, const QString &key, const QString &condition)
{
    QStringList placeholders;
    QStringList sets;
    for (const QString &c : columns) {
        placeholders << u':' + c;
        if (c != key)
            sets << c + QStringLiteral(" = excluded.") + c;
    }
    return QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT (%4) DO UPDATE SET %5%6")
        .arg(table, columns.join(QStringLiteral(", ")), placeholders.join(QStringLiteral(", ")), key,
             sets.join(QStringLiteral(", ")), condition);
}

QueuedAdmission::State stateFrom(const QString &s)
{
    if (s == QLatin1String("uploaded"))
        return QueuedAdmission::State::Uploaded;
    if (s == QLatin1String("conflict"))
        return QueuedAdmission::State::Conflict;
    return QueuedAdmission::State::Queued;
}

QString stateName(QueuedAdmission::State s)
{
    switch (s) {
    case QueuedAdmission::State::Uploaded: return QStringLiteral("uploaded");
    case QueuedAdmission::State::Conflict: return QStringLiteral("conflict");
    case QueuedAdmission::State::Queued: break;
    }
    return QStringLiteral("queued");
}
} // namespace

core::Result<std::unique_ptr<DoorCache>> DoorCache::open(const QString &path, const QString &operatorName)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    auto url = db::DatabaseUrl::parse(QStringLiteral("sqlite://") + QFileInfo(path).absoluteFilePath());
    if (!url)
        return url.error();
    std::unique_ptr<DoorCache> cache(new DoorCache);
    cache->m_path = QFileInfo(path).absoluteFilePath();
    db::ConnectionOptions options;
    options.busyTimeoutMs = 5000; // the door thread and the cache's puller share the file
    cache->m_db = std::make_shared<db::Database>(url.value(), options);
    if (auto r = db::Migrator(*cache->m_db).migrate(); !r)
        return r.error();
    for (const char *sql : kJournalTriggers) {
        auto q = cache->m_db->prepare(QString::fromLatin1(sql), Tr::tr("prepare the door cache's journal"));
        if (!q)
            return q.error();
        if (auto r = q->exec(); !r)
            return r.error();
    }
    if (auto r = cache->setMeta(QStringLiteral("operator"), operatorName); !r)
        return r.error();
    return cache;
}

QString DoorCache::defaultPath(const db::DatabaseUrl &shared)
{
    // Host, port and database name identify the shared database; the password never goes in.
    const QString key = shared.host + u':' + QString::number(shared.port) + u'/' + shared.name + shared.path;
    const QString hash = QString::fromLatin1(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Sha1).toHex().left(12));
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/door-cache-") + hash
        + QStringLiteral(".sqlite");
}

core::Result<void> DoorCache::setMeta(const QString &key, const QString &value)
{
    auto q = m_db->prepare(QStringLiteral("INSERT INTO door_cache_meta (key, value) VALUES (:key, :value) "
                                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value"),
                           Tr::tr("write the door cache's settings"));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":key"), key).bind(QStringLiteral(":value"), db::textOrNull(value)).exec();
}

core::Result<QString> DoorCache::meta(const QString &key)
{
    auto q = m_db->prepare(QStringLiteral("SELECT value FROM door_cache_meta WHERE key = :key"),
                           Tr::tr("read the door cache's settings"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":key"), key).exec(); !r)
        return r.error();
    return q->next() ? q->value(QStringLiteral("value")).toString() : QString();
}

core::Result<QDateTime> DoorCache::watermark()
{
    auto text = meta(QStringLiteral("watermark"));
    if (!text)
        return text.error();
    return text->isEmpty() ? QDateTime() : QDateTime::fromString(text.value(), Qt::ISODateWithMs);
}

core::Result<int> DoorCache::pull(db::Database &shared, bool doorViews)
{
    auto since = watermark();
    if (!since)
        return since.error();
    const bool full = !since->isValid();
    const QDateTime from = full ? QDateTime() : since->addSecs(-kOverlapS);
    // Read first (the shared database may be slow), then write the cache in one transaction.
    QList<QVariantMap> orders;
    QList<QVariantMap> tickets;
    QDateTime newest = since.value();
    const auto read = [&](const QString &table, const QStringList &columns, QList<QVariantMap> &rows) -> core::Result<void> {
        QStringList select = columns;
        if (doorViews) // the door's views have no created_at of a ticket (nothing at the door reads it)
            select.replaceInStrings(QRegularExpression(QStringLiteral("^created_at$")), QStringLiteral("updated_at AS created_at"));
        auto q = shared.prepare(QStringLiteral("SELECT %1 FROM %2%3")
                                    .arg(select.join(QStringLiteral(", ")), table,
                                         full ? QString() : QStringLiteral(" WHERE updated_at >= :since")),
                                Tr::tr("read the rows the door needs"));
        if (!q)
            return q.error();
        if (!full)
            q->bind(QStringLiteral(":since"), db::toDb(from));
        if (auto r = q->exec(); !r)
            return r.error();
        while (q->next()) {
            QVariantMap row;
            for (const QString &c : columns)
                row.insert(c, cacheValue(q->value(c)));
            const QDateTime updated = db::timeFromDb(row.value(QStringLiteral("updated_at")));
            if (updated.isValid() && (!newest.isValid() || updated > newest))
                newest = updated;
            rows << row;
        }
        return {};
    };
    // A door login: qrt_door_orders, and qrt_door_cache (every event) or the qrt_door_tickets it
    // serves for a delta.
    const QString ticketSource = !doorViews ? QStringLiteral("ghl_qr_tickets")
        : full                              ? QStringLiteral("qrt_door_cache(NULL)")
                                            : QStringLiteral("qrt_door_tickets");
    if (auto r = read(doorViews ? QStringLiteral("qrt_door_orders") : QStringLiteral("ghl_qr_orders"), kOrderColumns, orders); !r)
        return r.error();
    if (auto r = read(ticketSource, kTicketColumns, tickets); !r)
        return r.error();
    auto written = m_db->inTransaction([&]() -> core::Result<int> {
        const auto write = [&](const QString &sql, const QStringList &columns, const QList<QVariantMap> &rows) -> core::Result<void> {
            auto q = m_db->prepare(sql, Tr::tr("copy the door's rows into the door cache"));
            if (!q)
                return q.error();
            for (const QVariantMap &row : rows) {
                for (const QString &c : columns)
                    q->bind(u':' + c, row.value(c));
                if (auto r = q->exec(); !r)
                    return r.error();
            }
            return {};
        };
        if (auto r = write(upsert(QStringLiteral("ghl_qr_orders"), kOrderColumns, QStringLiteral("order_id"), {}), kOrderColumns, orders); !r)
            return r.error();
        // A ticket this station admitted offline keeps its cached state until the upload decided.
        const QString keepQueued = QStringLiteral(" WHERE NOT EXISTS (SELECT 1 FROM door_queue q WHERE q.ticket_id = "
                                                  "excluded.ticket_id AND q.state = 'queued')");
        if (auto r = write(upsert(QStringLiteral("ghl_qr_tickets"), kTicketColumns, QStringLiteral("ticket_id"), keepQueued),
                           kTicketColumns, tickets);
            !r)
            return r.error();
        if (newest.isValid()) {
            if (auto r = setMeta(QStringLiteral("watermark"), newest.toUTC().toString(Qt::ISODateWithMs)); !r)
                return r.error();
        }
        return int(orders.size() + tickets.size());
    });
    return written;
}

core::Result<QList<QueuedAdmission>> DoorCache::admissions(QueuedAdmission::State state)
{
    auto q = m_db->prepare(QStringLiteral("SELECT id, ticket_id, order_id, station, operator, admitted_at, mode, reason, state, "
                                          "conflict_by, conflict_at, conflict_reason FROM door_queue WHERE state = :state ORDER BY id"),
                           Tr::tr("read the queued admissions"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":state"), stateName(state)).exec(); !r)
        return r.error();
    QList<QueuedAdmission> list;
    while (q->next()) {
        QueuedAdmission a;
        a.id = q->value(QStringLiteral("id")).toLongLong();
        a.ticketId = q->value(QStringLiteral("ticket_id")).toLongLong();
        a.orderId = q->value(QStringLiteral("order_id")).toString();
        a.station = q->value(QStringLiteral("station")).toString();
        a.operatorName = q->value(QStringLiteral("operator")).toString();
        a.admittedAt = db::timeFromDb(q->value(QStringLiteral("admitted_at")));
        a.mode = q->value(QStringLiteral("mode")).toString();
        a.reason = q->value(QStringLiteral("reason")).toString();
        a.state = stateFrom(q->value(QStringLiteral("state")).toString());
        a.conflictBy = q->value(QStringLiteral("conflict_by")).toString();
        a.conflictAt = db::timeFromDb(q->value(QStringLiteral("conflict_at")));
        a.conflictReason = q->value(QStringLiteral("conflict_reason")).toString();
        list << a;
    }
    return list;
}

core::Result<int> DoorCache::queuedAmong(const QList<qint64> &ticketIds)
{
    auto q = m_db->prepare(QStringLiteral("SELECT count(DISTINCT ticket_id) AS n FROM door_queue WHERE ticket_id = :ticket_id "
                                          "AND state = 'queued'"),
                           Tr::tr("read the queued admissions"));
    if (!q)
        return q.error();
    int n = 0;
    for (qint64 id : ticketIds) {
        if (auto r = q->bind(QStringLiteral(":ticket_id"), id).exec(); !r)
            return r.error();
        if (q->next() && q->value(QStringLiteral("n")).toInt() > 0)
            ++n;
    }
    return n;
}

core::Result<int> DoorCache::count(QueuedAdmission::State state)
{
    auto q = m_db->prepare(QStringLiteral("SELECT count(*) AS n FROM door_queue WHERE state = :state"),
                           Tr::tr("count the queued admissions"));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":state"), stateName(state)).execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("n")).toInt();
}

core::Result<void> DoorCache::noteAdmittedOnline(const QList<qint64> &ticketIds, const QString &actor)
{
    for (qint64 id : ticketIds) {
        auto q = m_db->prepare(QStringLiteral("UPDATE ghl_qr_tickets SET status = 'used', updated_by = :actor, updated_at = ")
                                   + m_db->nowExpr() + QStringLiteral(" WHERE ticket_id = :id AND status = 'live'"),
                               Tr::tr("note an admission in the door cache"));
        if (!q)
            return q.error();
        if (auto r = q->bind(QStringLiteral(":actor"), actor).bind(QStringLiteral(":id"), id).exec(); !r)
            return r.error();
    }
    return {};
}

core::Result<void> DoorCache::markUploaded(qint64 id)
{
    auto q = m_db->prepare(QStringLiteral("UPDATE door_queue SET state = 'uploaded', uploaded_at = ") + m_db->nowExpr()
                               + QStringLiteral(" WHERE id = :id"),
                           Tr::tr("mark a queued admission uploaded"));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":id"), id).exec();
}

core::Result<void> DoorCache::markConflict(qint64 id, const QString &by, const QDateTime &at, const QString &reason)
{
    auto q = m_db->prepare(QStringLiteral("UPDATE door_queue SET state = 'conflict', conflict_by = :by, conflict_at = :at, "
                                          "conflict_reason = :reason, uploaded_at = ")
                               + m_db->nowExpr() + QStringLiteral(" WHERE id = :id"),
                           Tr::tr("record a conflict of a queued admission"));
    if (!q)
        return q.error();
    return q->bind(QStringLiteral(":by"), db::textOrNull(by))
        .bind(QStringLiteral(":at"), db::toDb(at))
        .bind(QStringLiteral(":reason"), reason)
        .bind(QStringLiteral(":id"), id)
        .exec();
}

} // namespace qrt::door
