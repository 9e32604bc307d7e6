// `qrtickets roles install` and `qrtickets operator add|list|remove` (issue 13; PRODUCT.md sections 3
// and 4b "Operators and roles", "Roles, precisely"). The work is in src/db/roles.h.
#include "app/commands.h"

#include "db/roles.h"

#include <QCoreApplication>
#include <QDebug>
#include <QTextStream>

namespace qrt::app {

namespace {
// SQLite, a bad name or role, a missing group: the user's setup, exit 2. The database refusing
// (no CREATEROLE, not the owner, an error): exit 1.
int failed(const core::Error &error)
{
    QTextStream(stderr) << error.toString() << Qt::endl;
    return error.kind == core::Error::Kind::Invalid ? ExitUsage : ExitFailure;
}
} // namespace

int runRolesInstall(AppContext &context)
{
    db::Roles roles(*context.database);
    if (auto r = roles.install(); !r)
        return failed(r.error());
    QTextStream(stdout) << QCoreApplication::translate("qrt::app",
                                                       "The group roles qrtickets_admin and qrtickets_door and their "
                                                       "grants are installed on %1. Add logins with `qrtickets operator add`.")
                               .arg(context.database->url().display())
                        << Qt::endl;
    return ExitOk;
}

int runOperatorAdd(AppContext &context, const QString &name, const QString &role, const QString &email)
{
    db::Roles roles(*context.database);
    auto made = roles.addOperator(name, role, email);
    if (!made)
        return failed(made.error());
    // The password goes to stdout once, inside the URL, and nowhere else (no log line names it).
    QTextStream out(stdout);
    out << QCoreApplication::translate("qrt::app", "Operator %1 (%2) created%3. Its password is shown only now; put "
                                                   "this database URL in that station's Settings:")
               .arg(made->who.name, made->who.role,
                    made->who.email.isEmpty() ? QString()
                                              : QCoreApplication::translate("qrt::app", ", linked to %1").arg(made->who.email))
        << u'\n'
        << made->databaseUrl << Qt::endl;
    qInfo().noquote() << "operator" << made->who.name << "added in group" << made->who.role;
    return ExitOk;
}

int runOperatorList(AppContext &context)
{
    db::Roles roles(*context.database);
    auto list = roles.operators();
    if (!list)
        return failed(list.error());
    QTextStream out(stdout);
    if (list->isEmpty()) {
        out << QCoreApplication::translate("qrt::app", "No operators yet. Add one with `qrtickets operator add NAME "
                                                       "--role admin|door`.")
            << Qt::endl;
        return ExitOk;
    }
    qsizetype width = 4;
    for (const db::Operator &o : std::as_const(list.value()))
        width = std::max(width, o.name.size());
    out << QStringLiteral("NAME").leftJustified(width + 2) << QStringLiteral("ROLE   SESSIONS  E-MAIL") << u'\n';
    for (const db::Operator &o : std::as_const(list.value()))
        out << o.name.leftJustified(width + 2) << o.role.leftJustified(7) << QString::number(o.sessions).leftJustified(10)
            << o.email << u'\n';
    out.flush();
    return ExitOk;
}

int runOperatorRemove(AppContext &context, const QString &name)
{
    db::Roles roles(*context.database);
    auto ended = roles.removeOperator(name);
    if (!ended)
        return failed(ended.error());
    QTextStream(stdout) << QCoreApplication::translate("qrt::app", "Operator %1 removed; %n open session(s) ended.", nullptr,
                                                       ended.value())
                               .arg(name)
                        << Qt::endl;
    qInfo().noquote() << "operator" << name << "removed";
    return ExitOk;
}

} // namespace qrt::app
