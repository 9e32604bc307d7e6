#pragma once

#include "core/configstore.h"
#include "ghl/ghlclient.h"
#include "gui/changewatcher.h"
#include "gui/dbworker.h"
#include "gui/services.h"
#include "reconcile/reconciler.h"
#include "sync/syncengine.h"
#include "webhook/webhookservice.h"

#include <QObject>
#include <QSet>

#include <memory>

namespace qrt::app {

// The desktop's long-lived objects, built once here and handed to the windows through
// gui::Services: the GHL client, the sync engine, the webhook service (listener, inbox worker and
// event feed; built, started by the listener panel), the reconciliation loop (running while the
// listener listens), the change watcher and the one database worker
// all windows share (plus a second one only for the order list's counts, so that a slow count never
// delays a page, and a third for the check-in panel's scans, on a door connection, so that a scan
// never waits behind a refresh). Each takes new settings from the ConfigStore's change signal: the GHL client
// at once, the inbox worker for its next event, the listener by listening again when its own
// settings changed. `qrtickets serve` builds its webhook service the same way
// (WebhookServiceSettings::fromConfig), without windows and without changes at run time.
class DesktopServices : public QObject
{
    Q_OBJECT
public:
    DesktopServices(core::ConfigStore &config, std::shared_ptr<db::Database> database, QObject *parent = nullptr);
    ~DesktopServices() override;

    // Valid as long as this object; windows must be gone before it is.
    gui::Services &services() { return m_services; }
    ghl::GhlClient &ghl() { return m_ghl; }
    webhook::WebhookService &webhookService() { return m_webhook; }
    reconcile::Reconciler &reconciler() { return m_reconciler; }

Q_SIGNALS:
    // A settings change a service could not take (the listener keeps its old port when the new one
    // is taken), in a sentence for the status bar.
    void problem(const QString &message);

private:
    void takeSettings(const QSet<core::ConfigKey> &keys);
    // A [feed] token the listener generated: into the running configuration and the keychain.
    void keepFeedToken(const QString &token);

    core::ConfigStore &m_config;
    ghl::GhlClient m_ghl;
    sync::SyncEngine m_sync;
    gui::DbWorker m_dbWorker;
    gui::DbWorker m_countWorker; // the order list's counts, so a slow count never delays a page
    gui::DbWorker m_scanWorker;  // the check-in panel's scans: their own thread and door connection
    gui::ChangeWatcher m_changeWatcher;
    // Before the webhook service: /healthz asks it for its status until the service is gone.
    reconcile::Reconciler m_reconciler;
    webhook::WebhookService m_webhook;
    gui::Services m_services;
};

} // namespace qrt::app
