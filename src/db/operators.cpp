// `qrtickets operator add|list|remove`: LOGIN roles in qrtickets_admin / qrtickets_door with
// generated passwords (roles.h). The password leaves this file only in NewOperator: it is sent to
// the server as a SCRAM verifier and never written to a log.
#include "db/roles.h"
#include "db/userrepository.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QUrl>
#include <QUrlQuery>

namespace qrt::db {

namespace {
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::Roles)
};

QByteArray hmac(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

QByteArray xorInto(QByteArray a, const QByteArray &b)
{
    for (qsizetype i = 0; i < a.size(); ++i)
        a[i] = char(a[i] ^ b[i]);
    return a;
}
} // namespace

QString Roles::generatePassword()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString password;
    for (int i = 0; i < 24; ++i)
        password += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(62)]);
    return password;
}

QString Roles::scramVerifier(const QString &password, const QByteArray &salt)
{
    constexpr int iterations = 4096; // PostgreSQL's default scram_iterations
    const QByteArray key = password.toUtf8(); // ASCII passwords: SASLprep leaves them unchanged
    // Hi(): PBKDF2-HMAC-SHA-256 with one 32-byte block.
    QByteArray u = hmac(key, salt + QByteArray("\x00\x00\x00\x01", 4));
    QByteArray salted = u;
    for (int i = 1; i < iterations; ++i) {
        u = hmac(key, u);
        salted = xorInto(salted, u);
    }
    const QByteArray storedKey = QCryptographicHash::hash(hmac(salted, "Client Key"), QCryptographicHash::Sha256);
    const QByteArray serverKey = hmac(salted, "Server Key");
    return QStringLiteral("SCRAM-SHA-256$%1:%2$%3:%4")
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(storedKey.toBase64()),
             QString::fromLatin1(serverKey.toBase64()));
}

QString Roles::urlWith(const DatabaseUrl &url, const QString &user, const QString &password)
{
    QUrl u;
    u.setScheme(QStringLiteral("postgresql"));
    u.setUserName(user);
    u.setPassword(password);
    u.setHost(url.host);
    u.setPort(url.port);
    u.setPath(u'/' + url.name);
    if (!url.connectOptions.isEmpty()) {
        QUrlQuery query;
        for (const QString &option : url.connectOptions.split(u';', Qt::SkipEmptyParts)) {
            const qsizetype eq = option.indexOf(u'=');
            query.addQueryItem(option.left(eq), eq < 0 ? QString() : option.mid(eq + 1));
        }
        u.setQuery(query);
    }
    return u.toString(QUrl::FullyEncoded);
}

core::Result<NewOperator> Roles::addOperator(const QString &name, const QString &role, const QString &email)
{
    if (auto r = requirePostgres(); !r)
        return r.error();
    if (auto r = validateName(name); !r)
        return r.error();
    if (role != u"admin" && role != u"door")
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.bad_role"),
                               Tr::tr("--role must be admin or door, not '%1'.").arg(role.left(40)));
    const QString mail = email.trimmed().toLower();
    if (!email.isEmpty() && !UserRepository::isEmailAddress(mail))
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.bad_email"),
                               Tr::tr("'%1' is not an e-mail address.").arg(email.left(120)));
    if (auto r = requireCreateRole(); !r)
        return r.error();
    if (auto r = requireGroups(); !r)
        return r.error();
    auto exists = roleExists(name);
    if (!exists)
        return exists.error();
    if (exists.value())
        return core::makeError(core::Error::Kind::Invalid, QStringLiteral("roles.exists"),
                               Tr::tr("A database role named %1 already exists: choose another name, or remove the "
                                      "operator first (`qrtickets operator remove %1`).")
                                   .arg(name));

    NewOperator made;
    made.who.name = name;
    made.who.role = role;
    made.who.email = mail;
    made.password = generatePassword();
    QByteArray salt(16, Qt::Uninitialized);
    for (char &c : salt)
        c = char(QRandomGenerator::system()->bounded(256));
    // DDL takes no bound parameters: the name passed validateName() and is quoted anyway; the
    // verifier is base64 and '$', ':' only.
    const QString create = QStringLiteral("CREATE ROLE %1 WITH LOGIN INHERIT NOCREATEDB NOCREATEROLE PASSWORD '%2' IN ROLE %3")
                               .arg(quoteIdentifier(name), scramVerifier(made.password, salt),
                                    role == u"admin" ? kAdminGroup : kDoorGroup);
    auto done = m_db.inTransaction([&]() -> core::Result<void> {
        if (auto r = run(create, Tr::tr("create the login %1").arg(name)); !r)
            return r;
        if (mail.isEmpty())
            return {};
        auto link = m_db.prepare(QStringLiteral("UPDATE ghl_qr_users SET operator = :name WHERE lower(email) = :email"),
                                 Tr::tr("link user %1 to %2").arg(mail, name));
        if (!link)
            return link.error();
        if (auto r = link->bind(QStringLiteral(":name"), name).bind(QStringLiteral(":email"), mail).exec(); !r)
            return r;
        if (link->rowsAffected() > 0)
            return {};
        auto insert = m_db.prepare(QStringLiteral("INSERT INTO ghl_qr_users (name, email, type, operator) "
                                                  "VALUES (:name, :email, :type, :name2)"),
                                   Tr::tr("add user %1").arg(mail));
        if (!insert)
            return insert.error();
        return insert->bind(QStringLiteral(":name"), name)
            .bind(QStringLiteral(":email"), mail)
            .bind(QStringLiteral(":type"), role == u"admin" ? userType::Admin : userType::Door)
            .bind(QStringLiteral(":name2"), name)
            .exec();
    });
    if (!done)
        return done.error();
    made.databaseUrl = urlWith(m_db.url(), name, made.password);
    return made;
}

core::Result<QList<Operator>> Roles::operators()
{
    if (auto r = requirePostgres(); !r)
        return r.error();
    auto q = m_db.prepare(
        QStringLiteral("SELECT r.rolname::text AS name, g.rolname::text AS grp, "
                       "(SELECT string_agg(u.email, ', ' ORDER BY u.email) FROM ghl_qr_users u WHERE u.operator = r.rolname) "
                       "AS email, (SELECT count(*) FROM pg_stat_activity a WHERE a.usename = r.rolname) AS sessions "
                       "FROM pg_roles r JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
                       "WHERE g.rolname IN ('qrtickets_admin', 'qrtickets_door') ORDER BY r.rolname, g.rolname"),
        Tr::tr("list the operators"));
    if (!q)
        return q.error();
    if (auto r = q->exec(); !r)
        return r.error();
    QList<Operator> list;
    while (q->next()) {
        const QString name = q->value(QStringLiteral("name")).toString();
        if (!list.isEmpty() && list.last().name == name)
            continue; // in both groups: admin (sorted first) says it all
        list.append({ name, q->value(QStringLiteral("grp")).toString() == kAdminGroup ? QStringLiteral("admin") : QStringLiteral("door"),
                      q->value(QStringLiteral("email")).toString(), q->value(QStringLiteral("sessions")).toInt() });
    }
    return list;
}

core::Result<int> Roles::removeOperator(const QString &name)
{
    if (auto r = requirePostgres(); !r)
        return r.error();
    if (auto r = validateName(name); !r)
        return r.error();
    if (auto r = requireCreateRole(); !r)
        return r.error();
    auto group = groupOf(name);
    if (!group)
        return group.error();
    if (!group.value())
        return core::makeError(core::Error::Kind::NotFound, QStringLiteral("roles.not_operator"),
                               Tr::tr("%1 is not a QR Tickets operator (no login in qrtickets_admin or qrtickets_door); "
                                      "nothing was changed.")
                                   .arg(name));
    // No new sessions from here on, then end the open ones, then drop.
    if (auto r = run(QStringLiteral("ALTER ROLE %1 NOLOGIN").arg(quoteIdentifier(name)), Tr::tr("lock out %1").arg(name)); !r)
        return r.error();
    // Ending another role's session needs its privileges: a non-superuser owner with CREATEROLE (the
    // Supabase postgres user) first makes itself a member of the login it is about to drop (DROP
    // ROLE removes that membership again).
    auto member = m_db.prepare(QStringLiteral("SELECT pg_has_role(current_user, :name, 'USAGE') AS has"),
                               Tr::tr("check the rights on %1").arg(name));
    if (!member)
        return member.error();
    if (auto r = member->bind(QStringLiteral(":name"), name).execFirst(); !r)
        return r.error();
    const bool has = member->value(QStringLiteral("has")).toBool();
    member->finish();
    if (!has) {
        if (auto r = run(QStringLiteral("GRANT %1 TO CURRENT_USER").arg(quoteIdentifier(name)),
                         Tr::tr("take over the sessions of %1").arg(name));
            !r)
            return r.error();
    }
    auto ended = m_db.prepare(QStringLiteral("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) AS ended FROM "
                                             "pg_stat_activity WHERE usename = :name AND pid <> pg_backend_pid()"),
                              Tr::tr("end the sessions of %1").arg(name));
    if (!ended)
        return ended.error();
    if (auto r = ended->bind(QStringLiteral(":name"), name).execFirst(); !r)
        return r.error();
    const int count = ended->value(QStringLiteral("ended")).toInt();
    ended->finish();
    auto dropped = m_db.inTransaction([&]() -> core::Result<void> {
        auto unlink = m_db.prepare(QStringLiteral("UPDATE ghl_qr_users SET operator = NULL WHERE operator = :name"),
                                   Tr::tr("unlink the users of %1").arg(name));
        if (!unlink)
            return unlink.error();
        if (auto r = unlink->bind(QStringLiteral(":name"), name).exec(); !r)
            return r;
        return run(QStringLiteral("DROP ROLE %1").arg(quoteIdentifier(name)), Tr::tr("drop the login %1").arg(name));
    });
    if (!dropped)
        return dropped.error();
    return count;
}

} // namespace qrt::db
