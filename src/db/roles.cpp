// `qrtickets roles install`: the group roles and their grants, and the checks every roles/operator
// command makes first (PostgreSQL, CREATEROLE, the owner of the tables). Operators: operators.cpp.
#include "db/roles.h"

#include "db/migrator.h"

#include <QCoreApplication>
#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::Roles)
};
} // namespace

core::Result<void> Roles::requirePostgres() const
{
    if (m_db.isPostgres())
        return {};
    return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.sqlite"),
                           Tr::tr("Operators and roles need PostgreSQL: this station uses SQLite (%1), which has no "
                                  "database users. On SQLite, Settings can require a PIN to leave the check-in screen.")
                               .arg(m_db.url().display()));
}

// Unprepared: PostgreSQL prepares neither DDL (CREATE ROLE) nor SET.
core::Result<void> Roles::run(const QString &sql, const QString &what)
{
    auto connection = m_db.connection();
    if (!connection)
        return connection.error();
    QSqlQuery q(connection.value());
    if (!q.exec(sql))
        return m_db.fail(q, what);
    return {};
}

core::Result<void> Roles::requireCreateRole()
{
    auto q = m_db.prepare(QStringLiteral("SELECT current_user::text AS who, rolsuper OR rolcreaterole AS may FROM pg_roles "
                                         "WHERE rolname = current_user"),
                          Tr::tr("read the connecting role's rights"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    if (q->value(QStringLiteral("may")).toBool())
        return {};
    return core::makeError(core::Error::Kind::Unauthorized, QStringLiteral("roles.no_createrole"),
                           Tr::tr("The database user %1 may not create roles (it lacks CREATEROLE). Run this command "
                                  "with the database owner's URL (on Supabase: the postgres user), e.g. "
                                  "--database postgresql://postgres:…@host:5432/db.")
                               .arg(q->value(QStringLiteral("who")).toString()));
}

core::Result<void> Roles::requireGroups()
{
    auto q = m_db.prepare(QStringLiteral("SELECT count(*) AS n FROM pg_roles WHERE rolname IN ('qrtickets_admin', "
                                         "'qrtickets_door')"),
                          Tr::tr("look for the QR Tickets group roles"));
    if (!q)
        return q.error();
    if (auto r = q->execFirst(); !r)
        return r.error();
    if (q->value(QStringLiteral("n")).toInt() == 2)
        return {};
    return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.missing"),
                           Tr::tr("The group roles qrtickets_admin and qrtickets_door do not exist yet. Run "
                                  "`qrtickets roles install` first."));
}

core::Result<bool> Roles::roleExists(const QString &name)
{
    auto q = m_db.prepare(QStringLiteral("SELECT count(*) AS n FROM pg_roles WHERE rolname = :name"),
                          Tr::tr("look for role %1").arg(name));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":name"), name).execFirst(); !r)
        return r.error();
    return q->value(QStringLiteral("n")).toInt() > 0;
}

core::Result<std::optional<QString>> Roles::groupOf(const QString &name)
{
    auto q = m_db.prepare(QStringLiteral("SELECT g.rolname AS grp FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid "
                                         "JOIN pg_roles g ON g.oid = m.roleid WHERE r.rolname = :name "
                                         "AND g.rolname IN ('qrtickets_admin', 'qrtickets_door') ORDER BY g.rolname"),
                          Tr::tr("read the groups of role %1").arg(name));
    if (!q)
        return q.error();
    if (auto r = q->bind(QStringLiteral(":name"), name).exec(); !r)
        return r.error();
    if (!q->next())
        return std::optional<QString>();
    return std::optional<QString>(q->value(QStringLiteral("grp")).toString() == kAdminGroup ? QStringLiteral("admin")
                                                                                             : QStringLiteral("door"));
}

core::Result<void> Roles::validateName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    static const QStringList reserved = { QStringLiteral("public"),       QStringLiteral("none"),
                                          QStringLiteral("current_user"), QStringLiteral("session_user"),
                                          QStringLiteral("current_role"), QStringLiteral("user"),
                                          kAdminGroup,                    kDoorGroup };
    if (!re.match(name).hasMatch())
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.bad_name"),
                               Tr::tr("'%1' cannot be an operator's name: use lower-case letters, digits and '_' "
                                      "(starting with a letter, at most 63), e.g. door_north.")
                                   .arg(name.left(80)));
    if (name.startsWith(QStringLiteral("pg_")) || reserved.contains(name))
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.bad_name"),
                               Tr::tr("'%1' is reserved; choose another operator name.").arg(name));
    return {};
}

QString Roles::quoteIdentifier(const QString &name)
{
    QString quoted = name;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

core::Result<void> Roles::install()
{
    if (auto r = requirePostgres(); !r)
        return r;
    Migrator migrator(m_db);
    auto version = migrator.currentVersion();
    if (!version)
        return version.error();
    const QList<Migration> known = Migrator::available(m_db.dialect());
    const int needed = known.isEmpty() ? 0 : known.last().version;
    if (version.value() < needed)
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.schema"),
                               Tr::tr("The database schema is at version %1; the roles need version %2. Run "
                                      "`qrtickets migrate` first.")
                                   .arg(version.value())
                                   .arg(needed));
    if (auto r = requireCreateRole(); !r)
        return r;
    // GRANT by a role that does not own a table only warns ("no privileges were granted"): refuse
    // clearly instead.
    auto owner = m_db.prepare(QStringLiteral("SELECT c.relowner::regrole::text AS owner, pg_has_role(current_user, c.relowner, "
                                             "'USAGE') AS mine, current_schema()::text AS schema FROM pg_class c "
                                             "WHERE c.oid = to_regclass('ghl_qr_tickets')"),
                              Tr::tr("read who owns the tables"));
    if (!owner)
        return owner.error();
    if (auto r = owner->execFirst(); !r)
        return r.error();
    if (!owner->value(QStringLiteral("mine")).toBool())
        return core::makeError(core::Error::Kind::Unauthorized, QStringLiteral("roles.not_owner"),
                               Tr::tr("The tables belong to %1: run `qrtickets roles install` with that user's URL.")
                                   .arg(owner->value(QStringLiteral("owner")).toString()));
    const QString schema = owner->value(QStringLiteral("schema")).toString();
    owner->finish();

    QFile file(QStringLiteral(":/sql/roles/postgresql_roles.sql"));
    if (!file.open(QIODevice::ReadOnly))
        return core::makeError(QStringLiteral("roles.resource"), Tr::tr("The roles script is missing from this program."));
    // The schema's name goes into function bodies (dollar-quoted) and string literals: refuse the
    // two characters that could end either rather than escape them twice.
    if (schema.contains(u'$') || schema.contains(u'\''))
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.schema_name"),
                               Tr::tr("The tables are in schema %1, whose name holds '$' or a quote: roles need a "
                                      "schema name without them.")
                                   .arg(schema));
    QString sql = QString::fromUtf8(file.readAll());
    sql.replace(QStringLiteral("@SCHEMA_LITERAL@"), u'\'' + quoteIdentifier(schema) + u'\'');
    sql.replace(QStringLiteral("@SCHEMA@"), quoteIdentifier(schema));
    const QStringList statements = Migrator::splitStatements(sql);
    return m_db.inTransaction([&]() -> core::Result<void> {
        // The same lock as `migrate`: roles and a migration never interleave.
        if (auto r = run(QStringLiteral("SELECT pg_advisory_xact_lock(727274)"), Tr::tr("lock the schema")); !r)
            return r;
        if (auto r = run(QStringLiteral("SET LOCAL client_min_messages = warning"), Tr::tr("quieten notices")); !r)
            return r;
        for (const QString &statement : statements) {
            if (auto r = run(statement, Tr::tr("install the roles")); !r) {
                core::Error e = r.error();
                e.details += QStringLiteral("\nStatement: ") + statement.left(300);
                return e;
            }
        }
        return {};
    });
}

} // namespace qrt::db
