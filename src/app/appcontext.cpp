#include "app/appcontext.h"

#include "app/secretstore.h"
#include "core/logsink.h"
#include "db/migrator.h"

#include <QCoreApplication>
#include <QTextStream>

namespace qrt::app {

core::Result<AppContext> loadContext(const QString &configFile, const QString &databaseUrl)
{
    core::Config::Sources sources;
    sources.filePath = configFile;
    if (!databaseUrl.isEmpty())
        sources.commandLine.insert(core::ConfigKey::DatabaseUrl, databaseUrl);
    auto config = core::Config::load(sources);
    if (!config)
        return config.error();
    auto database = db::Database::open(config->text(core::ConfigKey::DatabaseUrl));
    if (!database)
        return database.error();
    return AppContext { std::move(config.value()), database.value() };
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
                                               nullptr, static_cast<int>(report->applied.size()))
                       .arg(where)
                       .arg(report->currentVersion)
                << Qt::endl;
    }
    return {};
}

void loadSecretsFromKeychain(core::Config &config)
{
    const std::pair<core::ConfigKey, SecretStore::Key> secrets[] = {
        { core::ConfigKey::GhlToken, SecretStore::GhlToken },
        { core::ConfigKey::WebhookSecret, SecretStore::WebhookSecret },
        { core::ConfigKey::FeedToken, SecretStore::FeedToken },
    };
    for (const auto &[key, name] : secrets) {
        if (!config.text(key).isEmpty())
            continue; // the environment or the file gave it
        auto value = SecretStore::readBlocking(name);
        if (value && !value->isEmpty()) {
            core::LogSink::addSecret(value.value());
            (void)config.set(key, value.value());
        }
    }
}

} // namespace qrt::app
