#include "app/commands.h"

#include <QTextStream>

// Built only while src/gui is not part of the build (QRT_ONLY_MODULES without gui).
namespace qrt::app {

int runDesktop(AppContext &, bool)
{
    QTextStream(stderr) << "This build has no desktop application (src/gui was left out of the build)." << Qt::endl;
    return ExitFailure;
}

} // namespace qrt::app
