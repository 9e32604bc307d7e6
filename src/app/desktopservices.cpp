#include "app/desktopservices.h"

#include "core/logsink.h"
#include "db/database.h"
#include "gui/secretaccess.h"

#include <QJsonObject>

namespace qrt::app {

namespace {

bool inSection(const QSet<core::ConfigKey> &keys, QStringView section)
{
    for (core::ConfigKey key : keys) {
        if (core::Config::info(key).section == section)
            return true;
    }
    return false;
}

} // namespace

DesktopServices::DesktopServices(core::ConfigStore &config, std::shared_ptr<db::Database> database, QObject *parent)
    : QObject(parent), m_config(config), m_ghl(config.config().ghl()), m_sync(database), m_dbWorker(database),
      m_countWorker(database, nullptr, QStringLiteral("qrt-gui-count")),
      m_scanWorker(database->withOptions(db::ConnectionOptions::door()), nullptr, QStringLiteral("qrt-gui-scan")),
      m_changeWatcher(database),
      m_reconciler(database, reconcile::ReconcilerOptions::fromConfig(config.config())),
      m_webhook(database, webhook::WebhookServiceSettings::fromConfig(config.config()), core::SystemClock::instance()),
      m_services { config.config(), database, config.config().stationName() }
{
    m_services.configStore = &m_config;
    m_services.dbWorker = &m_dbWorker;
    m_services.countWorker = &m_countWorker;
    m_services.scanWorker = &m_scanWorker;
    m_services.changeWatcher = &m_changeWatcher;
    m_services.ghl = &m_ghl;
    m_services.sync = &m_sync;
    m_services.webhookService = &m_webhook;
    m_services.webhookServer = &m_webhook.server();
    m_services.feed = &m_webhook.feed();
    m_services.reconciler = &m_reconciler;
    connect(&m_config, &core::ConfigStore::keysChanged, this, &DesktopServices::takeSettings);
    // Bound beyond loopback without [feed] token: the listener generates one on its first start; it
    // is kept like the other secrets (the keychain) and used from then on (Settings shows it).
    m_webhook.setFeedTokenKeeper([this](const QString &token) -> core::Result<void> {
        core::LogSink::addSecret(token);
        // Queued: the service is in the middle of listening; the new setting reaches it unchanged.
        QMetaObject::invokeMethod(this, [this, token] { keepFeedToken(token); }, Qt::QueuedConnection);
        return {};
    });
    // The desktop reconciles while its listener listens (PRODUCT.md section 3, [sync]).
    connect(&m_webhook, &webhook::WebhookService::listeningChanged, this, [this](bool listening) {
        if (listening && !m_reconciler.isStarted())
            m_reconciler.start();
        else if (!listening && m_reconciler.isStarted())
            m_reconciler.stop();
    });
    m_webhook.setStatusDetail(
        [r = &m_reconciler] { return QJsonObject { { QStringLiteral("reconciliation"), r->statusJson() } }; });
}

DesktopServices::~DesktopServices() = default;

void DesktopServices::keepFeedToken(const QString &token)
{
    if (m_config.config().text(core::ConfigKey::FeedToken).isEmpty())
        (void)m_config.set(core::ConfigKey::FeedToken, token);
    if (!m_services.secrets)
        return;
    m_services.secrets->write(gui::SecretAccess::Secret::FeedToken, token, this, [this](const core::Result<void> &saved) {
        if (!saved)
            emit problem(tr("The generated event feed token is used but could not be saved: %1").arg(saved.error().toString()));
    });
}

void DesktopServices::takeSettings(const QSet<core::ConfigKey> &keys)
{
    const core::Config &config = m_config.config();
    if (inSection(keys, u"ghl"))
        m_ghl.setSettings(config.ghl()); // a new token, location or base URL for the next request
    if (keys.contains(core::ConfigKey::StationName))
        m_services.station = config.stationName();
    if (inSection(keys, u"ghl") || inSection(keys, u"qr") || inSection(keys, u"sync") || inSection(keys, u"station"))
        m_reconciler.setOptions(reconcile::ReconcilerOptions::fromConfig(config));
    // The service itself compares: the worker always takes GHL and QR settings, the listener
    // listens again only when its own changed.
    if (inSection(keys, u"ghl") || inSection(keys, u"qr") || inSection(keys, u"webhook") || inSection(keys, u"feed")) {
        if (auto r = m_webhook.setSettings(webhook::WebhookServiceSettings::fromConfig(config)); !r)
            emit problem(tr("The listener keeps its previous settings: %1").arg(r.error().toString()));
    }
}

} // namespace qrt::app
