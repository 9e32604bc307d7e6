#include "db/inboxbatchpq.h"

#include <QSqlDriver>
#include <QSqlError>

#ifdef QRT_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#include <vector>

namespace qrt::db {

#ifdef QRT_HAVE_LIBPQ
namespace {

constexpr int ParamsPerRow = 7;
constexpr Oid ByteaOid = 17; // pg_type.h: BYTEAOID

// The statement for `rows` rows: the columns and conflict rule of InboxRepository's own INSERT.
QByteArray insertSql(qsizetype rows)
{
    QByteArray sql = "INSERT INTO webhook_inbox (idempotency_key, received_at, event_type, order_id, contact_id, "
                     "headers, body, state, attempts, next_attempt_at, updated_at) VALUES ";
    for (qsizetype k = 0; k < rows; ++k) {
        const qsizetype p = k * ParamsPerRow;
        const auto n = [p](int i) { return QByteArray::number(p + i); };
        if (k > 0)
            sql += ',';
        // $2 (now) is bound once per row, as Qt's statement did; received_at = next_attempt_at = updated_at.
        sql += "($" + n(1) + ", $" + n(2) + ", $" + n(3) + ", $" + n(4) + ", $" + n(5) + ", CAST($" + n(6)
            + " AS jsonb), $" + n(7) + ", 'pending', 0, $" + n(2) + ", $" + n(2) + ')';
    }
    sql += " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key";
    return sql;
}

PGconn *pgConnection(const QSqlDatabase &connection)
{
    const QSqlDriver *driver = connection.driver();
    if (!driver || !driver->isOpen())
        return nullptr;
    const QVariant handle = driver->handle();
    // QPSQL's handle is libpq's connection; its type reads "pg_conn*" (PGconn is a typedef).
    if (!handle.isValid() || (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
        return nullptr;
    return *static_cast<PGconn *const *>(handle.constData());
}

} // namespace
#endif

std::optional<core::Result<QSet<QString>>> insertInboxRowsPq(Database &db, const QList<const InboxDelivery *> &rows,
                                                              const QString &now, const QString &what)
{
#ifdef QRT_HAVE_LIBPQ
    // The client deadline (door, sync) is armed by Qt-side statements only: keep those on Qt.
    if (!db.isPostgres() || db.options().clientTimeoutMs > 0 || rows.isEmpty())
        return std::nullopt;
    auto connection = db.connection();
    if (!connection)
        return core::Result<QSet<QString>>(connection.error());
    PGconn *pg = pgConnection(connection.value());
    if (!pg || PQstatus(pg) != CONNECTION_OK || PQtransactionStatus(pg) != PQTRANS_IDLE)
        return std::nullopt; // inside someone's transaction, or not libpq's: Qt runs it as before

    // Text parameters in UTF-8 (the client_encoding QPSQL sets); the body as binary bytea.
    const qsizetype count = rows.size() * ParamsPerRow;
    std::vector<QByteArray> text;
    text.reserve(size_t(count));
    std::vector<const char *> values(size_t(count), nullptr);
    std::vector<int> lengths(size_t(count), 0);
    std::vector<int> formats(size_t(count), 0);
    std::vector<Oid> types(size_t(count), 0);
    const QByteArray nowUtf8 = now.toUtf8();
    for (qsizetype k = 0; k < rows.size(); ++k) {
        const InboxDelivery &d = *rows.at(k);
        const size_t p = size_t(k * ParamsPerRow);
        const auto setText = [&](size_t i, const QByteArray &utf8, bool nullWhenEmpty) {
            if (nullWhenEmpty && utf8.isEmpty())
                return; // NULL, as textOrNull() binds an empty text
            text.push_back(utf8);
            values[p + i] = text.back().constData();
        };
        setText(0, d.idempotencyKey.toUtf8(), false);
        setText(1, nowUtf8, false);
        setText(2, d.eventType.toUtf8(), true);
        setText(3, d.orderId.toUtf8(), true);
        setText(4, d.contactId.toUtf8(), true);
        setText(5, d.headers, true);
        // A null body is NULL, as Qt binds it on the other path, so the NOT NULL column refuses it
        // there and here alike (and the batch is retried row by row); "" is an empty bytea.
        values[p + 6] = d.body.isNull() ? nullptr : d.body.constData();
        lengths[p + 6] = int(d.body.size());
        formats[p + 6] = 1;
        types[p + 6] = ByteaOid;
    }
    const QByteArray sql = insertSql(rows.size());
    PGresult *result = PQexecParams(pg, sql.constData(), int(count), types.data(), values.data(), lengths.data(),
                                    formats.data(), 0);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_TUPLES_OK) {
        const bool lost = !result || PQstatus(pg) != CONNECTION_OK;
        const QString message = QString::fromUtf8(result ? PQresultErrorMessage(result) : PQerrorMessage(pg)).trimmed();
        const char *state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
        PQclear(result);
        const QSqlError error(QStringLiteral("QPSQL: Unable to create query"), message,
                              lost ? QSqlError::ConnectionError : QSqlError::StatementError,
                              state ? QString::fromLatin1(state) : QString());
        return core::Result<QSet<QString>>(db.fail(error, what));
    }
    QSet<QString> inserted;
    const int n = PQntuples(result);
    inserted.reserve(n);
    for (int i = 0; i < n; ++i)
        inserted.insert(QString::fromUtf8(PQgetvalue(result, i, 0), PQgetlength(result, i, 0)));
    PQclear(result);
    return core::Result<QSet<QString>>(std::move(inserted));
#else
    Q_UNUSED(db);
    Q_UNUSED(rows);
    Q_UNUSED(now);
    Q_UNUSED(what);
    return std::nullopt;
#endif
}

} // namespace qrt::db
