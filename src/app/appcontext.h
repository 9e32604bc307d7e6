#pragma once

#include "core/config.h"
#include "core/result.h"
#include "db/database.h"

#include <memory>

namespace qrt::app {

// Exit codes of PRODUCT.md section 3.
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitPartial = 3 };

// What every command starts from: the configuration (file, environment, --config/--database)
// and the database it names (opened lazily per thread; not migrated here).
struct AppContext
{
    core::Config config;
    std::shared_ptr<db::Database> database;

    QString station() const { return config.stationName(); }
};

// Loads the configuration (an explicit --config file must exist) and parses the database URL.
// Errors are configuration errors: exit code 2.
core::Result<AppContext> loadContext(const QString &configFile, const QString &databaseUrl);

// JSON-lines logs per day in [log] dir (default: app data/logs) at [log] level, secrets redacted.
void installLogging(const core::Config &config);

// Migrates the database and prints what was applied; used by `migrate` and at the start of the
// other commands. Returns an error sentence for stderr.
core::Result<void> ensureSchema(AppContext &context, bool verbose);

// Fills [ghl] token, [webhook] secret and [feed] token from the OS keychain when neither the
// environment nor the file gave them. Blocks briefly (QtKeychain is asynchronous); a missing
// keychain is not an error.
void loadSecretsFromKeychain(core::Config &config);

} // namespace qrt::app
