#include "app/commands.h"

#include <QDebug>

namespace qrt::app {

int runMigrate(AppContext &context)
{
    if (auto r = ensureSchema(context, true); !r) {
        qCritical().noquote() << r.error().toString(); // stderr and the log file
        return ExitFailure;
    }
    return ExitOk;
}

} // namespace qrt::app
