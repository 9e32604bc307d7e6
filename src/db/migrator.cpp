#include "db/migrator.h"

#include "db/logging.h"
#include "db/searchtext.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>

#include <algorithm>

static void initResources()
{
    Q_INIT_RESOURCE(qrt_migrations);
}

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::Migrator)
};
} // namespace

Migrator::Migrator(Database &db) : m_db(db)
{
    initResources();
}

QList<Migration> Migrator::available(Dialect dialect)
{
    initResources();
    const QString dir = dialect == Dialect::PostgreSQL ? QStringLiteral(":/sql/postgresql") : QStringLiteral(":/sql/sqlite");
    static const QRegularExpression pattern(QStringLiteral("^(\\d{4})_(.+)\\.sql$"));
    QList<Migration> result;
    const QStringList files = QDir(dir).entryList({ QStringLiteral("*.sql") }, QDir::Files, QDir::Name);
    for (const QString &file : files) {
        const auto match = pattern.match(file);
        if (!match.hasMatch())
            continue;
        QFile f(dir + u'/' + file);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        result.append({ match.captured(1).toInt(), match.captured(2), QString::fromUtf8(f.readAll()) });
    }
    std::sort(result.begin(), result.end(), [](const Migration &a, const Migration &b) { return a.version < b.version; });
    return result;
}

QStringList Migrator::splitStatements(const QString &sql)
{
    QStringList statements;
    QString current;
    const qsizetype n = sql.size();
    qsizetype i = 0;
    auto flush = [&] {
        const QString s = current.trimmed();
        if (!s.isEmpty())
            statements << s;
        current.clear();
    };
    auto isTrigger = [&current] {
        static const QRegularExpression re(QStringLiteral("^\\s*CREATE\\s+(TEMP\\s+|TEMPORARY\\s+)?TRIGGER\\b"),
                                           QRegularExpression::CaseInsensitiveOption);
        return re.match(current).hasMatch();
    };
    auto endsWithEnd = [&current] {
        static const QRegularExpression re(QStringLiteral("\\bEND\\s*$"), QRegularExpression::CaseInsensitiveOption);
        return re.match(current).hasMatch();
    };
    while (i < n) {
        const QChar c = sql[i];
        if (c == u'-' && i + 1 < n && sql[i + 1] == u'-') { // line comment
            while (i < n && sql[i] != u'\n')
                ++i;
            continue;
        }
        if (c == u'/' && i + 1 < n && sql[i + 1] == u'*') { // block comment
            const qsizetype end = sql.indexOf(QStringLiteral("*/"), i + 2);
            i = end < 0 ? n : end + 2;
            continue;
        }
        if (c == u'\'' || c == u'"') { // quoted literal or identifier, doubled quote escapes
            const qsizetype start = i++;
            while (i < n) {
                if (sql[i] == c) {
                    if (i + 1 < n && sql[i + 1] == c) {
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                ++i;
            }
            current += QStringView(sql).mid(start, i - start);
            continue;
        }
        if (c == u'$') { // PostgreSQL dollar quoting: $$ ... $$ or $tag$ ... $tag$
            static const QRegularExpression tagRe(QStringLiteral("\\G\\$[A-Za-z_]*\\$"));
            const auto m = tagRe.match(sql, i, QRegularExpression::NormalMatch,
                                       QRegularExpression::AnchorAtOffsetMatchOption);
            if (m.hasMatch()) {
                const QString tag = m.captured();
                const qsizetype end = sql.indexOf(tag, i + tag.size());
                const qsizetype stop = end < 0 ? n : end + tag.size();
                current += QStringView(sql).mid(i, stop - i);
                i = stop;
                continue;
            }
        }
        if (c == u';') {
            if (isTrigger() && !endsWithEnd()) {
                current += c;
                ++i;
                continue;
            }
            flush();
            ++i;
            continue;
        }
        current += c;
        ++i;
    }
    flush();
    return statements;
}

core::Result<void> Migrator::ensureTable(QSqlDatabase &connection)
{
    QSqlQuery q(connection);
    const QString sql = m_db.isPostgres()
        ? QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
        : QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                         "applied_at text NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))");
    if (!q.exec(sql))
        return m_db.fail(q, Tr::tr("create the schema_migrations table"));
    return {};
}

core::Result<int> Migrator::currentVersion()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(QStringLiteral("SELECT max(version) FROM schema_migrations")))
        return 0; // no table yet: nothing applied
    return q.next() ? q.value(0).toInt() : 0;
}

core::Result<MigrationReport> Migrator::migrate()
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlDatabase db = connection.value();
    // Up to date: nothing to write. An operator login (qrtickets_admin / qrtickets_door, issue 13)
    // may not create tables and need not: every station starts with this call.
    {
        QSqlQuery probe(db);
        if (probe.exec(QStringLiteral("SELECT version FROM schema_migrations"))) {
            QList<int> applied;
            while (probe.next())
                applied << probe.value(0).toInt();
            const QList<Migration> all = available(m_db.dialect());
            if (std::all_of(all.cbegin(), all.cend(), [&](const Migration &m) { return applied.contains(m.version); })) {
                MigrationReport upToDate;
                upToDate.currentVersion = applied.isEmpty() ? 0 : *std::max_element(applied.cbegin(), applied.cend());
                return upToDate;
            }
        }
    }
    Transaction tx(m_db, db);
    if (auto r = tx.begin(); !r)
        return r.error();
    if (m_db.isPostgres()) {
        // Two stations starting at once: the second waits, then finds nothing to do.
        QSqlQuery lock(db);
        if (!lock.exec(QStringLiteral("SELECT pg_advisory_xact_lock(727274)")))
            return m_db.fail(lock, Tr::tr("lock the schema for migration"));
        // "IF NOT EXISTS ... skipping" notices are expected when adopting a database: keep stderr clean.
        lock.exec(QStringLiteral("SET LOCAL client_min_messages = warning"));
    }
    // An operator login (issue 13) may not create or alter tables: say what to do, not just "denied".
    const auto explained = [](core::Error e) {
        if (e.details.contains(QStringLiteral("42501"))) {
            e.code = QStringLiteral("db.migrate_permission");
            e.message = Tr::tr("The database schema is older than this program needs, and this database login may not "
                               "change it (an operator login). Run `qrtickets migrate` and `qrtickets roles install` with "
                               "the database owner's URL, then start again.");
        }
        return e;
    };
    if (auto r = ensureTable(db); !r)
        return explained(r.error());

    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT version FROM schema_migrations")))
        return m_db.fail(q, Tr::tr("read the applied migrations"));
    QList<int> done;
    while (q.next())
        done << q.value(0).toInt();

    MigrationReport report;
    const QList<Migration> all = available(m_db.dialect());
    for (const Migration &m : all) {
        if (done.contains(m.version))
            continue;
        qCInfo(lcDb).noquote() << "applying migration" << m.version << m.name;
        const QStringList statements = splitStatements(m.sql);
        for (const QString &statement : statements) {
            QSqlQuery s(db);
            if (!s.exec(statement)) {
                core::Error e = m_db.fail(s, Tr::tr("apply migration %1 (%2)").arg(m.version).arg(m.name));
                e.details += QStringLiteral("\nStatement: ") + statement.left(300);
                return explained(e);
            }
        }
        if (m.version == 12) { // C++ step: fold the search column as SQL's lower() cannot (searchtext.h)
            if (auto r = refoldSearchColumn(m_db, db); !r)
                return r.error();
        }
        QSqlQuery record(db);
        record.prepare(QStringLiteral("INSERT INTO schema_migrations (version, name) VALUES (?, ?)"));
        record.addBindValue(m.version);
        record.addBindValue(m.name);
        if (!record.exec())
            return m_db.fail(record, Tr::tr("record migration %1").arg(m.version));
        report.applied << m.version;
    }
    if (auto r = tx.commit(); !r)
        return r.error();
    done += report.applied;
    report.currentVersion = done.isEmpty() ? 0 : *std::max_element(done.cbegin(), done.cend());
    return report;
}

} // namespace qrt::db
