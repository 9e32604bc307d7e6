#pragma once

#include "gui/changewatcher.h"
#include "gui/dbworker.h"
#include "gui/services.h"

namespace qrt::test {

// gui::Services with the one database thread and the change watcher that src/app builds
// (app::DesktopServices), for tests that drive windows without the whole application. Not
// copyable: declare it where the windows live (`test::WindowServices s = services();`).
struct WindowServices : gui::Services
{
    WindowServices(const core::Config &config, std::shared_ptr<db::Database> database, const QString &station)
        : gui::Services { config, database, station }, worker(database), watcher(database)
    {
        dbWorker = &worker;
        changeWatcher = &watcher;
    }

    gui::DbWorker worker;
    gui::ChangeWatcher watcher;
};

} // namespace qrt::test
