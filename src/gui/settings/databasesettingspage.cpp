#include "gui/settings/databasesettingspage.h"

#include "ui_settingsdatabasepage.h"

#include "core/config.h"
#include "db/connectionprobe.h"
#include "db/database.h"
#include "db/databaseurl.h"

#include <QMessageBox>
#include <QPushButton>
#include <QThread>

namespace qrt::gui {

using core::ConfigKey;

DatabaseSettingsPage::DatabaseSettingsPage(QWidget *parent)
    : SettingsPage(nullptr, parent), m_ui(std::make_unique<Ui::DatabaseSettingsPage>())
{
    m_ui->setupUi(this);
    bindText(ConfigKey::DatabaseUrl, m_ui->databaseUrlEdit, m_ui->databaseUrlError);
    connect(m_ui->testDatabaseButton, &QPushButton::clicked, this, &DatabaseSettingsPage::test);
}

DatabaseSettingsPage::~DatabaseSettingsPage() = default; // a probe still under way drops its answer

QString DatabaseSettingsPage::name() const
{
    return tr("Database");
}

void DatabaseSettingsPage::presetUrl(const QString &text)
{
    if (!text.isEmpty() && !m_ui->databaseUrlEdit->isReadOnly())
        m_ui->databaseUrlEdit->setText(text);
    m_ui->databaseUrlEdit->setFocus();
}

void DatabaseSettingsPage::test()
{
    const auto url = core::Config::validate(ConfigKey::DatabaseUrl, m_ui->databaseUrlEdit->text());
    if (!url) {
        m_ui->testDatabaseResult->setText(url.error().message);
        return;
    }
    if (m_tryThread)
        return;
    m_ui->testDatabaseButton->setEnabled(false);
    m_ui->testDatabaseResult->setText(tr("Connecting ..."));
    tryDatabase(url.value(), [this](bool ok, const QString &message) {
        m_ui->testDatabaseButton->setEnabled(true);
        m_ui->testDatabaseResult->setText(ok ? message : tr("Not connected: %1").arg(message));
    });
}

void DatabaseSettingsPage::tryDatabase(const QString &url, std::function<void(bool, const QString &)> then)
{
    // Another database than the open one: db::tryOpenAsync tries it on a thread of its own.
    m_tryThread = db::tryOpenAsync(url, this, [then](db::OpenResult database) {
        if (!database) {
            then(false, database.error().toString().simplified()); // drivers answer over several indented lines
            return;
        }
        then(true, tr("Connected to %1 (%2).").arg(database.value()->url().display(), database.value()->url().kindName()));
    });
}

void DatabaseSettingsPage::beforeSave(const core::Config &config, std::function<void()> proceed)
{
    // A changed URL is tried first: saving one that does not connect takes an explicit "Save
    // anyway", since the next start would not reach the database.
    const auto url = core::Config::validate(ConfigKey::DatabaseUrl, value(ConfigKey::DatabaseUrl));
    if (setOutside(config, ConfigKey::DatabaseUrl) || !url || url.value() == config.text(ConfigKey::DatabaseUrl)
        || url.value() == m_untestedUrlAccepted) {
        proceed();
        return;
    }
    emit tryingBeforeSave(true);
    m_ui->testDatabaseButton->setEnabled(false);
    m_ui->testDatabaseResult->setText(tr("Trying the new database before saving it ..."));
    const QString text = url.value();
    tryDatabase(text, [this, text, proceed](bool ok, const QString &message) {
        emit tryingBeforeSave(false);
        m_ui->testDatabaseButton->setEnabled(true);
        m_ui->testDatabaseResult->setText(ok ? message : tr("Not connected: %1").arg(message));
        if (ok)
            proceed();
        else
            askSaveUntested(text, message, proceed);
    });
}

void DatabaseSettingsPage::askSaveUntested(const QString &url, const QString &problem, std::function<void()> proceed)
{
    auto parsed = db::DatabaseUrl::parse(url);
    const QString shown = parsed ? parsed->display() : url;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Save anyway?"),
                                tr("QR Tickets could not connect to the database at %1:\n%2").arg(shown, problem),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("saveUntestedDatabaseBox"));
    box->setInformativeText(tr("Saved anyway, QR Tickets starts on a window that offers Settings, Retry and this "
                               "computer's local database until this database answers."));
    QPushButton *saveAnyway = box->addButton(tr("Save anyway"), QMessageBox::AcceptRole);
    saveAnyway->setObjectName(QStringLiteral("saveAnywayButton"));
    QPushButton *keepEditing = box->addButton(tr("Keep editing"), QMessageBox::RejectRole);
    keepEditing->setObjectName(QStringLiteral("keepEditingButton"));
    box->setDefaultButton(keepEditing);
    box->setEscapeButton(keepEditing);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, saveAnyway, url, proceed](QAbstractButton *clicked) {
        if (clicked == saveAnyway) {
            m_untestedUrlAccepted = url;
            proceed();
            return;
        }
        emit wantsAttention();
        m_ui->databaseUrlEdit->setFocus();
    });
    box->open();
}

} // namespace qrt::gui
