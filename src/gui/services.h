#pragma once

#include "db/doorfunctions.h"

#include <QString>

#include <memory>
#include <optional>

namespace qrt::core {
class Config;
class ConfigStore;
}
namespace qrt::db {
class Database;
}
namespace qrt::ghl {
class GhlClient;
}
namespace qrt::sync {
class SyncEngine;
}
namespace qrt::reconcile {
class Reconciler;
}
namespace qrt::webhook {
class HttpServer;
class WebhookService;
}
namespace qrt::feed {
class EventFeed;
}
namespace qrt::door {
class DoorStation;
}

namespace qrt::gui {

class SecretAccess;
class DbWorker;
class ChangeWatcher;

// The long-lived objects src/app builds (app::DesktopServices) and hands to windows by constructor
// (no globals). Windows only start, stop and observe them; each service takes new settings from
// configStore's change signal, wired in src/app. None is owned here; a pointer is null where a
// caller (a test) has no such object.
struct Services
{
    const core::Config &config; // the running configuration: configStore->config() in the application
    std::shared_ptr<db::Database> database;
    QString station;
    core::ConfigStore *configStore = nullptr; // Settings saves through it, so that every service hears
    DbWorker *dbWorker = nullptr;             // the one database thread all windows share
    // A second database thread, only for the order list's total counts: a filtered count scans
    // more rows than a page and must not delay the next page on dbWorker.
    DbWorker *countWorker = nullptr;
    // The check-in panel's own database thread and connection (db::ConnectionOptions::door(): short
    // statement and client deadlines), so a scan never waits behind a list refresh; null: dbWorker.
    DbWorker *scanWorker = nullptr;
    // PostgreSQL: the door's offline mode (door cache, OFFLINE, queued admissions); null on SQLite.
    door::DoorStation *doorStation = nullptr;
    ChangeWatcher *changeWatcher = nullptr;   // other stations' changes; the main window starts it
    ghl::GhlClient *ghl = nullptr;
    sync::SyncEngine *sync = nullptr;
    webhook::WebhookService *webhookService = nullptr; // built, not started: the listener panel starts it
    webhook::HttpServer *webhookServer = nullptr;      // webhookService's listener
    feed::EventFeed *feed = nullptr;                   // webhookService's event feed
    reconcile::Reconciler *reconciler = nullptr;       // the reconciliation loop, run while the listener runs
    SecretAccess *secrets = nullptr;
    bool demo = false;
    // The connected user's role (issue 13 point 3), detected by src/app when it connects; the window
    // detects it again with every status check. nullopt: not known yet, so the window is a door
    // station (Check-in and counts) until the database says more.
    std::optional<db::DatabaseRole> role = db::DatabaseRole::Full;
};

} // namespace qrt::gui
