#pragma once

#include "core/result.h"

#include <QDialog>

#include <functional>
#include <memory>

namespace Ui {
class StartupProblemDialog;
}

namespace qrt::core {
class Config;
}
namespace qrt::db {
class Database;
}

namespace qrt::gui {

class SecretAccess;

// Shown instead of the main window when the database in the settings cannot be used at start
// (unreachable, refusing, or a URL that does not parse), so that staff are never locked out. It
// says which database and what went wrong, and offers Settings… (the database page), Retry, "Use
// this computer's local database" and Quit. Accepted once a database is open, checked and
// migrated: database() then hands it to the main window.
class StartupProblemDialog : public QDialog
{
    Q_OBJECT

public:
    struct Hooks
    {
        // Retry reads the settings again (file, environment, command line): the file may have been
        // corrected meanwhile. Unset: Retry tries the configuration as it is.
        std::function<core::Result<core::Config>()> reloadConfig;
        // Opens, checks and migrates the database at url. Runs on a worker thread.
        std::function<core::Result<std::shared_ptr<db::Database>>(const QString &url)> openDatabase;
    };

    // config: the running configuration (Settings and "local database" change and save it).
    // failedUrl: the URL as given (it may not parse; Settings then shows it for correction).
    StartupProblemDialog(core::Config &config, const core::Error &problem, const QString &failedUrl, Hooks hooks,
                         SecretAccess *secrets, QWidget *parent = nullptr);
    ~StartupProblemDialog() override;

    std::shared_ptr<db::Database> database() const;

    void retry();
    void useLocalDatabase();
    void openSettings();

signals:
    // A connection attempt ended (the window stays open when it failed).
    void attemptFinished(bool ok);

private:
    void showProblem(const core::Error &problem, const QString &failedUrl);
    void attempt(const QString &url);
    void setBusy(bool busy, const QString &status = QString());

    struct Private;
    std::unique_ptr<Ui::StartupProblemDialog> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
