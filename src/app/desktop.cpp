#include "app/commands.h"

#include "app/secretstore.h"
#include "core/config.h"
#include "ghl/ghlclient.h"
#include "ghlsim/ghlsimulator.h"
#include "gui/mainwindow.h"
#include "gui/secretaccess.h"
#include "gui/services.h"
#ifdef QRT_HAVE_SYNC
#include "sync/syncengine.h"
#endif

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QMessageBox>
#include <QTemporaryDir>
#include <QUuid>
#include <QTranslator>

#include <memory>

namespace qrt::app {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("qrt::app::Desktop", text);
}

// The Settings dialog reaches the OS keychain only through this.
class KeychainSecrets : public gui::SecretAccess
{
public:
    core::Result<QString> read(Secret secret) override { return SecretStore::readBlocking(key(secret)); }
    core::Result<void> write(Secret secret, const QString &value) override
    {
        return SecretStore::writeBlocking(key(secret), value);
    }
    core::Result<void> remove(Secret secret) override { return SecretStore::removeBlocking(key(secret)); }

private:
    static SecretStore::Key key(Secret secret)
    {
        switch (secret) {
        case Secret::GhlToken: return SecretStore::GhlToken;
        case Secret::WebhookSecret: return SecretStore::WebhookSecret;
        case Secret::FeedToken: return SecretStore::FeedToken;
        }
        return SecretStore::GhlToken;
    }
};

// Demo mode must not touch the user's keychain.
class MemorySecrets : public gui::SecretAccess
{
public:
    core::Result<QString> read(Secret secret) override { return m_values.value(int(secret)); }
    core::Result<void> write(Secret secret, const QString &value) override
    {
        m_values.insert(int(secret), value);
        return {};
    }
    core::Result<void> remove(Secret secret) override
    {
        m_values.remove(int(secret));
        return {};
    }

private:
    QHash<int, QString> m_values;
};

// [station] language other than "system" overrides the system-locale translators main.cpp
// installed (translators installed later are asked first).
void installLanguage(const core::Config &config)
{
    const QString language = config.text(core::ConfigKey::StationLanguage);
    if (language.isEmpty() || language == u"system")
        return;
    auto *qt = new QTranslator(qApp);
    if (qt->load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(qt);
    else
        delete qt;
    auto *own = new QTranslator(qApp);
    if (own->load(QStringLiteral(":/i18n/qrtickets_") + language))
        QCoreApplication::installTranslator(own);
    else
        delete own;
}

void showFatal(const QString &title, const core::Error &error, const QString &action)
{
    QMessageBox box(QMessageBox::Critical, title, error.message, QMessageBox::Ok);
    box.setInformativeText(action);
    if (!error.details.isEmpty())
        box.setDetailedText(error.details);
    box.exec();
}

} // namespace

int runDesktop(AppContext &context, bool demo)
{
    installLanguage(context.config);

    // Demo: a GHL simulator in this process, a fresh SQLite file and a configuration of their own
    // (nothing the user has is read or written), so Sync, open an order, admit works at once.
    std::unique_ptr<ghlsim::GhlSimulator> simulator;
    QTemporaryDir demoDir;
    if (demo) {
        simulator = std::make_unique<ghlsim::GhlSimulator>();
        simulator->generate(200, 20261124);
        // No burst limit and a little latency: a demo sync takes seconds and still shows progress.
        simulator->setRateLimit(0, 10000);
        simulator->setLatencyMs(20);
        if (!demoDir.isValid() || !simulator->listen()) {
            showFatal(tr("QR Tickets demo"),
                      core::makeError(QStringLiteral("demo.start"), tr("The demo could not start its GHL simulator.")),
                      tr("Check that a temporary folder is writable and try again."));
            return ExitFailure;
        }
        core::Config::Sources sources;
        sources.filePath = demoDir.filePath(QStringLiteral("qrtickets-demo.ini"));
        sources.environment = QProcessEnvironment();
        auto config = core::Config::load(sources);
        if (!config) {
            showFatal(tr("QR Tickets demo"), config.error(), tr("Report this as a bug."));
            return ExitFailure;
        }
        const QString dbUrl = QStringLiteral("sqlite://") + QDir(demoDir.path()).filePath(QStringLiteral("demo.db"));
        (void)config->set(core::ConfigKey::DatabaseUrl, dbUrl);
        (void)config->set(core::ConfigKey::GhlBaseUrl, simulator->baseUrl().toString());
        (void)config->set(core::ConfigKey::GhlLocationId, simulator->locationId());
        (void)config->set(core::ConfigKey::GhlToken, simulator->token());
        (void)config->set(core::ConfigKey::StationName, tr("Demo door"));
        // A shared secret (not GHL's signature, which only GHL can make) so the listener panel's
        // "Send test webhook" shows the whole flow.
        (void)config->set(core::ConfigKey::WebhookAuth, QStringLiteral("shared-secret"));
        (void)config->set(core::ConfigKey::WebhookSecret, QUuid::createUuid().toString(QUuid::Id128));
        (void)config->set(core::ConfigKey::StationLanguage, context.config.text(core::ConfigKey::StationLanguage));
        auto database = db::Database::open(dbUrl);
        if (!database) {
            showFatal(tr("QR Tickets demo"), database.error(), tr("Check that a temporary folder is writable."));
            return ExitFailure;
        }
        context.config = std::move(config.value());
        context.database = database.value();
    }

    if (auto schema = ensureSchema(context, false); !schema) {
        showFatal(tr("QR Tickets"), schema.error(),
                  tr("Check [database] url in the settings file (%1) or start QR Tickets with --database URL.")
                      .arg(context.config.filePath()));
        return ExitFailure;
    }
    if (!demo)
        loadSecretsFromKeychain(context.config);

    KeychainSecrets keychain;
    MemorySecrets memory;
    ghl::GhlClient ghlClient(context.config.ghl());
#ifdef QRT_HAVE_SYNC
    sync::SyncEngine syncEngine(context.database);
#endif
    gui::Services services { context.config, context.database, context.station() };
    services.ghl = &ghlClient;
#ifdef QRT_HAVE_SYNC
    services.sync = &syncEngine;
#endif
    services.secrets = demo ? static_cast<gui::SecretAccess *>(&memory) : &keychain;
    services.demo = demo;

    gui::MainWindow window(services);
    window.show();
    if (context.config.webhook().enabled)
        window.startListener();
    return QApplication::exec();
}

} // namespace qrt::app
