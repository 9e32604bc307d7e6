#pragma once

#include "core/config.h"
#include "core/result.h"
#include "db/database.h"

#include <memory>
#include <optional>

namespace qrt::app {

class SecretStore;

// Exit codes of PRODUCT.md section 3.
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitPartial = 3 };

// What every command starts from: the configuration (file, environment, --config/--database)
// and the database it names (opened lazily per thread; not migrated here).
struct AppContext
{
    core::Config config;
    std::shared_ptr<db::Database> database;
    // loadDesktopContext only: why the database cannot be used (database is then null), and the
    // URL as it was given (it may not parse).
    std::optional<core::Error> databaseProblem;
    QString problemDatabaseUrl;
    // loadDesktopContext's arguments, so that Retry can read the settings again.
    QString configFileArgument;
    QString databaseUrlArgument;

    QString station() const { return config.stationName(); }
};

// Loads the configuration (an explicit --config file must exist) and parses the database URL.
// Errors are configuration errors: exit code 2.
core::Result<AppContext> loadContext(const QString &configFile, const QString &databaseUrl);

// The desktop's start: staff are never locked out by a bad database setting. Like loadContext,
// but a database URL that does not parse is not fatal: the context then carries databaseProblem,
// no database, and the default (local) database URL in place of the bad one (not saved). Other
// configuration errors stay fatal.
core::Result<AppContext> loadDesktopContext(const QString &configFile, const QString &databaseUrl);

// Opens the database at url, checks that it answers and migrates it: what the desktop needs before
// its main window. Blocks up to the connect timeout, so windows call it off the GUI thread.
core::Result<std::shared_ptr<db::Database>> openDatabase(const QString &url);

// JSON-lines logs per day in [log] dir (default: app data/logs) at [log] level, secrets redacted.
void installLogging(const core::Config &config);

// Migrates the database and prints what was applied; used by `migrate` and at the start of the
// other commands. Returns an error sentence for stderr.
core::Result<void> ensureSchema(AppContext &context, bool verbose);

// Fills [ghl] token, [webhook] secret and [feed] token from the OS keychain when neither the
// environment nor the file gave them. Waits for the keychain at most the store's patience (the
// reads run side by side); a missing keychain is not an error. A read still unanswered then keeps
// running: the store's lateRead() brings its value, for callers that live on (the desktop).
void loadSecretsFromKeychain(core::Config &config, SecretStore &store);
// The same with a store of its own and a patience of 5 s: for the command line.
void loadSecretsFromKeychain(core::Config &config);

} // namespace qrt::app
