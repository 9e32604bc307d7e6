#include "app/commands.h"

#include "app/desktopservices.h"
#include "app/keychainsecrets.h"
#include "app/secretstore.h"
#include "core/logsink.h"
#include "core/config.h"
#include "core/configstore.h"
#include "ghlsim/ghlsimulator.h"
#include "gui/mainwindow.h"
#include "gui/secretaccess.h"
#include "gui/services.h"
#include "gui/startupproblem.h"

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QMessageBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QUuid>
#include <QTranslator>

#include <memory>

namespace qrt::app {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::app::Desktop)
};

// Demo mode must not touch the user's keychain.
class MemorySecrets : public gui::SecretAccess
{
public:
    void read(Secret secret, QObject *, ReadDone done) override { done(m_values.value(int(secret))); }
    void write(Secret secret, const QString &value, QObject *, WriteDone done) override
    {
        m_values.insert(int(secret), value);
        done({});
    }
    void remove(Secret secret, QObject *, WriteDone done) override
    {
        m_values.remove(int(secret));
        done({});
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
            showFatal(Tr::tr("QR Tickets demo"),
                      core::makeError(QStringLiteral("demo.start"), Tr::tr("The demo could not start its GHL simulator.")),
                      Tr::tr("Check that a temporary folder is writable and try again."));
            return ExitFailure;
        }
        core::Config::Sources sources;
        sources.filePath = demoDir.filePath(QStringLiteral("qrtickets-demo.ini"));
        sources.fileMustExist = false; // the demo's own file, written only if Settings saves
        sources.environment = QProcessEnvironment();
        auto config = core::Config::load(sources);
        if (!config) {
            showFatal(Tr::tr("QR Tickets demo"), config.error(), Tr::tr("Report this as a bug."));
            return ExitFailure;
        }
        const QString dbUrl = QStringLiteral("sqlite://") + QDir(demoDir.path()).filePath(QStringLiteral("demo.db"));
        (void)config->set(core::ConfigKey::DatabaseUrl, dbUrl);
        (void)config->set(core::ConfigKey::GhlBaseUrl, simulator->baseUrl().toString());
        (void)config->set(core::ConfigKey::GhlLocationId, simulator->locationId());
        (void)config->set(core::ConfigKey::GhlToken, simulator->token());
        (void)config->set(core::ConfigKey::StationName, Tr::tr("Demo door"));
        // A shared secret (not GHL's signature, which only GHL can make) so the listener panel's
        // "Send test webhook" shows the whole flow.
        (void)config->set(core::ConfigKey::WebhookAuth, QStringLiteral("shared-secret"));
        (void)config->set(core::ConfigKey::WebhookSecret, QUuid::createUuid().toString(QUuid::Id128));
        (void)config->set(core::ConfigKey::StationLanguage, context.config.text(core::ConfigKey::StationLanguage));
        auto database = db::Database::open(dbUrl);
        if (!database) {
            showFatal(Tr::tr("QR Tickets demo"), database.error(), Tr::tr("Check that a temporary folder is writable."));
            return ExitFailure;
        }
        context.config = std::move(config.value());
        context.database = database.value();
    }

    SecretStore store;
    KeychainSecrets keychain(store);
    MemorySecrets memory;
    if (demo) {
        if (auto schema = ensureSchema(context, false); !schema) {
            showFatal(Tr::tr("QR Tickets demo"), schema.error(), Tr::tr("Report this as a bug."));
            return ExitFailure;
        }
    } else {
        // Staff are never locked out: a database that cannot be used (unreachable, refusing, a URL
        // that does not parse) opens a window that says why and offers Settings, Retry and the
        // local database. The first try has no window to freeze; it is bounded by the connect timeout.
        std::optional<core::Error> problem = context.databaseProblem;
        QString failedUrl = context.problemDatabaseUrl;
        if (!problem) {
            failedUrl = context.config.text(core::ConfigKey::DatabaseUrl);
            auto opened = openDatabase(failedUrl);
            if (opened)
                context.database = opened.value();
            else
                problem = opened.error();
        }
        if (problem) {
            gui::StartupProblemDialog::Hooks hooks;
            hooks.reloadConfig = [file = context.configFileArgument,
                                  url = context.databaseUrlArgument]() -> core::Result<core::Config> {
                auto again = loadDesktopContext(file, url);
                if (!again)
                    return again.error();
                if (again->databaseProblem)
                    return *again->databaseProblem;
                return again->config;
            };
            hooks.openDatabase = &openDatabase;
            gui::StartupProblemDialog dialog(context.config, *problem, failedUrl, hooks, &keychain);
            if (dialog.exec() != QDialog::Accepted)
                return ExitFailure;
            context.database = dialog.database();
        }
        // Start-up waits a few seconds for the keychain (it may ask to be unlocked); what arrives
        // later is picked up below.
        store.setPatienceMs(5000);
        loadSecretsFromKeychain(context.config, store);
        store.setPatienceMs(30000); // Settings: time to answer a "create a keyring?" prompt
    }

    // The running configuration and the services built on it, before any window and gone after them.
    core::ConfigStore config(context.config);
    DesktopServices desktop(config, context.database);
    gui::Services &services = desktop.services();
    services.secrets = demo ? static_cast<gui::SecretAccess *>(&memory) : &keychain;
    services.demo = demo;
    // Who this station is (issue 13 point 3), before the window reads anything: a door login's
    // window never tries what only an admin may (the database would refuse it anyway).
    if (auto role = db::detectRole(*context.database))
        services.role = role.value();
    else
        services.role = std::nullopt; // a door station until the window's next status check knows

    gui::MainWindow window(services);
    QObject::connect(&desktop, &DesktopServices::problem, &window,
                     [&window](const QString &message) { window.statusBar()->showMessage(message, 15000); });
    // Late keychain answers: a secret read after start-up is used from then on (every service hears
    // of it through the ConfigStore); a token the Settings dialog reported as unsaved may have been
    // saved after all.
    QObject::connect(&store, &SecretStore::lateRead, &window, [&](SecretStore::Key key, const QString &value) {
        const core::ConfigKey configKey = key == SecretStore::GhlToken ? core::ConfigKey::GhlToken
            : key == SecretStore::WebhookSecret                         ? core::ConfigKey::WebhookSecret
                                                                        : core::ConfigKey::FeedToken;
        if (value.isEmpty() || !config.config().text(configKey).isEmpty())
            return;
        core::LogSink::addSecret(value);
        (void)config.set(configKey, value);
        window.statusBar()->showMessage(Tr::tr("The system keychain answered: the %1 is now in use.")
                                            .arg(SecretStore::displayName(key)),
                                        10000);
    });
    QObject::connect(&store, &SecretStore::lateWrite, &window, [&](SecretStore::Key key, bool ok, const QString &error) {
        window.statusBar()->showMessage(ok ? Tr::tr("The system keychain answered late: the %1 is saved now.")
                                                 .arg(SecretStore::displayName(key))
                                           : Tr::tr("The system keychain answered late and did not save the %1: %2")
                                                 .arg(SecretStore::displayName(key), error),
                                        15000);
    });
    window.show();
    if (config.config().webhook().enabled)
        window.startListener();
    return QApplication::exec();
}

} // namespace qrt::app
