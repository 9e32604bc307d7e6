// `qrtickets admit CODE [--event PRODUCT_ID]`: one scan through the door's verdict path, headless
// (scripts, turnstiles, the door benchmark). PRODUCT.md sections 3 and 4b.
#include "app/commands.h"

#include "door/doorcheck.h"

#include <QCoreApplication>
#include <QDebug>
#include <QTextStream>

namespace qrt::app {

int runAdmit(AppContext &context, const QString &scanned, const std::optional<QString> &events)
{
    if (auto r = ensureSchema(context, false); !r) {
        qCritical().noquote() << r.error().toString();
        return ExitFailure;
    }
    door::DoorCheck::Policy policy = door::DoorCheck::Policy::from(context.config);
    if (events) {
        policy.events.clear();
        for (const QString &id : events->split(u',', Qt::SkipEmptyParts)) {
            if (!id.trimmed().isEmpty())
                policy.events << id.trimmed();
        }
    }
    const door::Verdict verdict = door::DoorCheck(*context.database, policy).scan(scanned);
    if (verdict.kind == door::Verdict::Kind::Failed) {
        QTextStream(stderr) << verdict.line() << Qt::endl;
        return ExitFailure;
    }
    QTextStream(stdout) << verdict.line() << Qt::endl;
    return verdict.admitted() ? ExitOk : ExitPartial;
}

} // namespace qrt::app
