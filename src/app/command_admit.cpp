// `qrtickets admit CODE [--event PRODUCT_ID]`: one scan through the door's verdict path, headless
// (scripts, turnstiles, the door benchmark). PRODUCT.md sections 3 and 4b.
#include "app/commands.h"

#include "db/doorfunctions.h"
#include "db/migrator.h"
#include "door/doorcheck.h"

#include <QCoreApplication>
#include <QDebug>
#include <QTextStream>

namespace qrt::app {

int runAdmit(AppContext &context, const QString &scanned, const std::optional<QString> &events)
{
    // The door's connection options (short deadlines, keepalive): a turnstile never hangs on a
    // dead server. The schema is only checked, never migrated: that is `qrtickets migrate`'s job,
    // not something every scan may start.
    const std::shared_ptr<db::Database> database = context.database->withOptions(db::ConnectionOptions::door());
    auto version = db::Migrator(*database).currentVersion();
    if (!version) {
        qCritical().noquote() << version.error().toString();
        return ExitFailure;
    }
    const QList<db::Migration> known = db::Migrator::available(database->dialect());
    const int needed = known.isEmpty() ? 0 : known.last().version;
    if (version.value() < needed) {
        qCritical().noquote() << QCoreApplication::translate("qrt::app",
                                                              "The database schema is at version %1; this program needs "
                                                              "version %2. Run `qrtickets migrate` first.")
                                     .arg(version.value())
                                     .arg(needed);
        return ExitFailure;
    }
    door::DoorCheck::Policy policy = door::DoorCheck::Policy::from(context.config);
    // A door operator's login has no right on the tables: it reads the door views and admits
    // through the door functions (`qrtickets roles install`), with the same verdicts.
    auto role = db::detectRole(*database);
    if (!role) {
        qCritical().noquote() << role.error().toString();
        return ExitFailure;
    }
    policy.doorRole = role.value() == db::DatabaseRole::Door;
    if (events) {
        policy.events.clear();
        for (const QString &id : events->split(u',', Qt::SkipEmptyParts)) {
            if (!id.trimmed().isEmpty())
                policy.events << id.trimmed();
        }
    }
    const door::Verdict verdict = door::DoorCheck(*database, policy).scan(scanned);
    if (verdict.kind == door::Verdict::Kind::Failed) {
        QTextStream(stderr) << verdict.line() << Qt::endl;
        return ExitFailure;
    }
    QTextStream(stdout) << verdict.line() << Qt::endl;
    return verdict.admitted() ? ExitOk : ExitPartial;
}

} // namespace qrt::app
