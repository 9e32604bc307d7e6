#include "gui/startupproblem.h"

#include "ui_startupproblem.h"

#include "core/config.h"
#include "db/connectionprobe.h"
#include "db/database.h"
#include "db/databaseurl.h"
#include "gui/settingsdialog.h"

#include <QDir>
#include <QPointer>
#include <QPushButton>
#include <QStyle>
#include <QThread>

namespace qrt::gui {

using core::ConfigKey;

struct StartupProblemDialog::Private
{
    core::Config &config;
    Hooks hooks;
    SecretAccess *secrets = nullptr;
    std::shared_ptr<db::Database> database;
    QString unparsedUrl; // shown in Settings when the problem is a URL that does not parse
    QPointer<QThread> thread;

    Private(core::Config &c, Hooks h) : config(c), hooks(std::move(h)) { }
};

namespace {

QString whereFrom(const core::Config &config)
{
    switch (config.origin(ConfigKey::DatabaseUrl)) {
    case core::Config::Origin::File:
        return StartupProblemDialog::tr("set in the settings file %1").arg(QDir::toNativeSeparators(config.filePath()));
    case core::Config::Origin::Environment:
        return StartupProblemDialog::tr("set by the environment variable %1")
            .arg(core::Config::info(ConfigKey::DatabaseUrl).envName());
    case core::Config::Origin::CommandLine: return StartupProblemDialog::tr("set by --database on the command line");
    case core::Config::Origin::Default: return StartupProblemDialog::tr("the default");
    case core::Config::Origin::Runtime: break;
    }
    return {};
}

} // namespace

StartupProblemDialog::StartupProblemDialog(core::Config &config, const core::Error &problem, const QString &failedUrl,
                                           Hooks hooks, SecretAccess *secrets, QWidget *parent)
    : QDialog(parent), m_ui(std::make_unique<Ui::StartupProblemDialog>()),
      d(std::make_unique<Private>(config, std::move(hooks)))
{
    m_ui->setupUi(this);
    setObjectName(QStringLiteral("startupProblem"));
    d->secrets = secrets;
    const int iconSize = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    m_ui->iconLabel->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(iconSize));
    QFont heading = m_ui->headingLabel->font();
    heading.setBold(true);
    heading.setPointSizeF(heading.pointSizeF() * 1.2);
    m_ui->headingLabel->setFont(heading);

    auto local = db::DatabaseUrl::parse(core::Config::defaultDatabaseUrl());
    m_ui->hintLabel->setText(tr("Open Settings to correct the database URL, retry once the database server is "
                                "running, or work with this computer's local database (%1) for now: it becomes the "
                                "database in the settings, and orders synced into it stay on this computer.")
                                 .arg(local ? local->display() : core::Config::defaultDatabaseUrl()));
    m_ui->localButton->setToolTip(core::Config::defaultDatabaseUrl());
    setBusy(false);

    connect(m_ui->settingsButton, &QPushButton::clicked, this, &StartupProblemDialog::openSettings);
    connect(m_ui->retryButton, &QPushButton::clicked, this, &StartupProblemDialog::retry);
    connect(m_ui->localButton, &QPushButton::clicked, this, &StartupProblemDialog::useLocalDatabase);
    connect(m_ui->quitButton, &QPushButton::clicked, this, &QDialog::reject);
    m_ui->retryButton->setDefault(true);

    showProblem(problem, failedUrl);
}

StartupProblemDialog::~StartupProblemDialog()
{
    if (d->thread)
        d->thread->wait(); // at most the connect timeout
}

std::shared_ptr<db::Database> StartupProblemDialog::database() const
{
    return d->database;
}

void StartupProblemDialog::showProblem(const core::Error &problem, const QString &failedUrl)
{
    auto url = db::DatabaseUrl::parse(failedUrl);
    d->unparsedUrl = url ? QString() : failedUrl;
    QString shown;
    if (url) {
        shown = tr("%1 database %2").arg(url->kindName(), url->display());
    } else {
        shown = core::redactedDatabaseUrl(failedUrl);
    }
    const QString from = url ? whereFrom(d->config) : QString(); // an unparsed URL is not the one in use
    if (failedUrl.isEmpty())
        m_ui->databaseLabel->setText(tr("The database URL in the settings cannot be used."));
    else if (from.isEmpty())
        m_ui->databaseLabel->setText(tr("Database: %1").arg(shown));
    else
        m_ui->databaseLabel->setText(tr("Database: %1 (%2)").arg(shown, from));
    QString text = problem.message;
    if (!problem.details.isEmpty())
        text += u'\n' + tr("The database said: %1").arg(problem.details.simplified());
    m_ui->problemLabel->setText(text);
}

void StartupProblemDialog::setBusy(bool busy, const QString &status)
{
    m_ui->settingsButton->setEnabled(!busy);
    m_ui->retryButton->setEnabled(!busy);
    m_ui->localButton->setEnabled(!busy);
    m_ui->busyBar->setVisible(busy);
    m_ui->statusLabel->setText(status);
    m_ui->statusLabel->setVisible(!status.isEmpty());
    if (busy)
        setCursor(Qt::BusyCursor);
    else
        unsetCursor();
}

void StartupProblemDialog::retry()
{
    if (d->thread)
        return;
    if (d->hooks.reloadConfig) {
        auto fresh = d->hooks.reloadConfig();
        if (!fresh) {
            showProblem(fresh.error(), QString());
            m_ui->statusLabel->setText(tr("The settings were read again; the database URL still cannot be used."));
            m_ui->statusLabel->show();
            emit attemptFinished(false);
            return;
        }
        d->config = fresh.value();
    }
    attempt(d->config.text(ConfigKey::DatabaseUrl));
}

void StartupProblemDialog::useLocalDatabase()
{
    if (d->thread)
        return;
    const QString local = core::Config::defaultDatabaseUrl();
    if (auto r = d->config.set(ConfigKey::DatabaseUrl, local); !r) {
        showProblem(r.error(), QString());
        return;
    }
    // Saved, so that the next start opens the same database (secrets are never written to the file).
    if (auto r = d->config.save(); !r) {
        showProblem(r.error(), local);
        return;
    }
    attempt(local);
}

void StartupProblemDialog::openSettings()
{
    if (d->thread)
        return;
    // No database is open: the dialog's mapping page says so; everything else works without one.
    SettingsDialog dialog(d->config, d->secrets, nullptr, this);
    dialog.showDatabasePage(d->unparsedUrl);
    bool saved = false;
    connect(&dialog, &SettingsDialog::settingsSaved, this, [&saved] { saved = true; });
    dialog.exec();
    if (saved)
        attempt(d->config.text(ConfigKey::DatabaseUrl));
}

void StartupProblemDialog::attempt(const QString &url)
{
    auto parsed = db::DatabaseUrl::parse(url);
    setBusy(true, tr("Connecting to %1 ...").arg(parsed ? parsed->display() : url));
    auto open = d->hooks.openDatabase;
    if (!open)
        open = [](const QString &) -> db::OpenResult {
            return core::makeError(QStringLiteral("startup.unwired"), QStringLiteral("no database opener"));
        };
    // Connecting can take the whole connect timeout: never on the GUI thread.
    auto done = [this, url](db::OpenResult result) {
        setBusy(false);
        if (result) {
            d->database = result.value();
            emit attemptFinished(true);
            accept();
            return;
        }
        showProblem(result.error(), url);
        m_ui->statusLabel->setText(
            tr("Tried again at %1; still not connected.").arg(QLocale().toString(QTime::currentTime(), QLocale::ShortFormat)));
        m_ui->statusLabel->show();
        emit attemptFinished(false);
    };
    d->thread = db::tryOpenAsync(url, this, done, open);
}

} // namespace qrt::gui
