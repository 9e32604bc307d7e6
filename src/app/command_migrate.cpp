#include "app/commands.h"

#include <QTextStream>

namespace qrt::app {

int runMigrate(AppContext &context)
{
    if (auto r = ensureSchema(context, true); !r) {
        QTextStream(stderr) << r.error().toString() << Qt::endl;
        return ExitFailure;
    }
    return ExitOk;
}

} // namespace qrt::app
