#pragma once

#include <QString>

#include <memory>

namespace qrt::core {
class Config;
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
namespace qrt::webhook {
class HttpServer;
class InboxSink;
class InboxWorker;
class WebhookService;
}
namespace qrt::feed {
class EventFeed;
}

namespace qrt::gui {

class SecretAccess;

// The objects src/app wires together and hands to windows by constructor (no globals). Pointers
// are null when the feature is not built or not running; none is owned here.
struct Services
{
    core::Config &config;
    std::shared_ptr<db::Database> database;
    QString station;
    ghl::GhlClient *ghl = nullptr;
    sync::SyncEngine *sync = nullptr;
    webhook::WebhookService *webhookService = nullptr; // set once the listener panel started it
    webhook::HttpServer *webhookServer = nullptr;
    webhook::InboxWorker *webhookWorker = nullptr;
    webhook::InboxSink *webhookInbox = nullptr;
    feed::EventFeed *feed = nullptr;
    SecretAccess *secrets = nullptr;
    bool demo = false;
};

} // namespace qrt::gui
