#include "app/appcontext.h"

#include "app/secretstore.h"
#include "core/logsink.h"
#include "db/migrator.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QSettings>
#include <QTextStream>

namespace qrt::app {

namespace {
// The file (--config), the environment and --database, as every command reads them.
core::Config::Sources sourcesFor(const QString &configFile, const QString &databaseUrl)
{
    core::Config::Sources sources;
    sources.filePath = configFile;
    if (!databaseUrl.isEmpty())
        sources.commandLine.insert(core::ConfigKey::DatabaseUrl, databaseUrl);
    return sources;
}
} // namespace

core::Result<AppContext> loadContext(const QString &configFile, const QString &databaseUrl)
{
    auto config = core::Config::load(sourcesFor(configFile, databaseUrl));
    if (!config)
        return config.error();
    auto database = db::Database::open(config->text(core::ConfigKey::DatabaseUrl));
    if (!database)
        return database.error();
    return AppContext { std::move(config.value()), database.value(), std::nullopt, {}, {}, {} };
}

core::Result<AppContext> loadDesktopContext(const QString &configFile, const QString &databaseUrl)
{
    const core::Config::Sources sources = sourcesFor(configFile, databaseUrl);
    auto config = core::Config::load(sources);
    std::optional<core::Error> problem;
    if (!config) {
        // Was it the database URL? Then everything else still loads with the local one in its place.
        core::Config::Sources withoutUrl = sources;
        withoutUrl.skipInvalidDatabaseUrl = true;
        auto rest = core::Config::load(withoutUrl);
        if (!rest)
            return config.error();
        // A valid value above the invalid one (environment over file, command line over both) wins anyway.
        const auto origin = rest->origin(core::ConfigKey::DatabaseUrl);
        const bool overridden = databaseUrl.isEmpty() ? origin == core::Config::Origin::Environment
                                                      : origin == core::Config::Origin::CommandLine;
        if (!overridden)
            problem = config.error();
        config = std::move(rest);
    }
    AppContext context { std::move(config.value()), nullptr, problem, {}, configFile, databaseUrl };
    if (problem) {
        // The URL as the user gave it, where it won: command line, environment, file.
        const core::ConfigKeyInfo &info = core::Config::info(core::ConfigKey::DatabaseUrl);
        if (!databaseUrl.isEmpty())
            context.problemDatabaseUrl = databaseUrl;
        else if (sources.environment.contains(info.envName()))
            context.problemDatabaseUrl = sources.environment.value(info.envName());
        else
            context.problemDatabaseUrl = QSettings(context.config.filePath(), QSettings::IniFormat).value(info.iniKey()).toString();
        return context;
    }
    context.problemDatabaseUrl = context.config.text(core::ConfigKey::DatabaseUrl);
    auto database = db::Database::open(context.problemDatabaseUrl);
    if (database) {
        context.database = database.value();
        context.problemDatabaseUrl.clear();
    } else {
        context.databaseProblem = database.error();
    }
    return context;
}

core::Result<std::shared_ptr<db::Database>> openDatabase(const QString &url)
{
    auto database = db::Database::open(url);
    if (!database)
        return database.error();
    if (auto check = database.value()->check(); !check)
        return check.error();
    db::Migrator migrator(*database.value());
    if (auto report = migrator.migrate(); !report)
        return report.error();
    return database.value();
}

void installLogging(const core::Config &config)
{
    using core::ConfigKey;
    core::LogSink::Options options;
    options.dir = config.text(ConfigKey::LogDir).isEmpty() ? core::LogSink::defaultDir() : config.text(ConfigKey::LogDir);
    options.minLevel = core::LogSink::levelFromName(config.text(ConfigKey::LogLevel));
    options.station = config.stationName();
    options.secrets = { config.text(ConfigKey::GhlToken), config.text(ConfigKey::WebhookSecret),
                        config.text(ConfigKey::FeedToken) };
    auto url = db::DatabaseUrl::parse(config.text(ConfigKey::DatabaseUrl));
    if (url && !url->password.isEmpty())
        options.secrets << url->password;
    core::LogSink::install(options);
}

core::Result<void> ensureSchema(AppContext &context, bool verbose)
{
    db::Migrator migrator(*context.database);
    auto report = migrator.migrate();
    if (!report)
        return report.error();
    if (verbose) {
        QTextStream out(stdout);
        const QString where = context.database->url().kindName() + QStringLiteral(" ") + context.database->url().display();
        if (report->applied.isEmpty())
            out << QCoreApplication::translate("qrt::app", "%1 is up to date (schema version %2).")
                       .arg(where)
                       .arg(report->currentVersion)
                << Qt::endl;
        else
            out << QCoreApplication::translate("qrt::app", "%1: applied %n migration(s), now at schema version %2.",
                                               nullptr, int(report->applied.size()))
                       .arg(where)
                       .arg(report->currentVersion)
                << Qt::endl;
    }
    return {};
}

void loadSecretsFromKeychain(core::Config &config, SecretStore &store)
{
    const std::pair<core::ConfigKey, SecretStore::Key> secrets[] = {
        { core::ConfigKey::GhlToken, SecretStore::GhlToken },
        { core::ConfigKey::WebhookSecret, SecretStore::WebhookSecret },
        { core::ConfigKey::FeedToken, SecretStore::FeedToken },
    };
    QEventLoop loop;
    int waiting = 0;
    for (const auto &[key, name] : secrets) {
        if (!config.text(key).isEmpty())
            continue; // the environment or the file gave it
        ++waiting;
        // Each read answers once: with the value, an error, or "did not answer" after the patience.
        store.read(name, &loop, [&config, &loop, &waiting, key](const core::Result<QString> &value) {
            if (value && !value->isEmpty()) {
                core::LogSink::addSecret(value.value());
                (void)config.set(key, value.value());
            }
            if (--waiting == 0)
                loop.quit();
        });
    }
    if (waiting > 0)
        loop.exec();
}

void loadSecretsFromKeychain(core::Config &config)
{
    SecretStore store;
    store.setPatienceMs(5000);
    loadSecretsFromKeychain(config, store);
}

} // namespace qrt::app
