#pragma once

#include "gui/changewatcher.h"
#include "gui/dbworker.h"
#include "gui/services.h"

namespace qrt::test {

// gui::Services with the database threads and the change watcher that src/app builds
// (app::DesktopServices), for tests that drive windows without the whole application. Not
// copyable: declare it where the windows live (`test::WindowServices s = services();`).
struct WindowServices : gui::Services
{
    WindowServices(const core::Config &config, std::shared_ptr<db::Database> database, const QString &station)
        : gui::Services { config, database, station }, worker(database), countThread(database), watcher(database)
    {
        dbWorker = &worker;
        countWorker = &countThread;
        changeWatcher = &watcher;
    }

    gui::DbWorker worker;
    gui::DbWorker countThread; // the order list's counts (app::DesktopServices builds one too)
    gui::ChangeWatcher watcher;
};

} // namespace qrt::test
