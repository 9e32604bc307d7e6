#include "gui/settings/ghlsettingspage.h"

#include "ui_settingsghlpage.h"

#include "ghl/connectiontest.h"

namespace qrt::gui {

using core::ConfigKey;

GhlSettingsPage::GhlSettingsPage(SecretAccess *secrets, QWidget *parent)
    : SettingsPage(secrets, parent), m_ui(std::make_unique<Ui::GhlSettingsPage>())
{
    m_ui->setupUi(this);
    bindText(ConfigKey::GhlBaseUrl, m_ui->ghlBaseUrlEdit, m_ui->ghlBaseUrlError);
    bindText(ConfigKey::GhlLocationId, m_ui->ghlLocationIdEdit, m_ui->ghlLocationIdError);
    bindSecret(ConfigKey::GhlToken, SecretAccess::Secret::GhlToken, m_ui->ghlTokenEdit, m_ui->ghlTokenError);
    connect(m_ui->testConnectionButton, &QPushButton::clicked, this, [this] { fetchCustomFields(true); });
}

GhlSettingsPage::~GhlSettingsPage() = default;

QString GhlSettingsPage::name() const
{
    return tr("GHL");
}

void GhlSettingsPage::load(const core::Config &config)
{
    m_loaded = config.ghl();
    if (!secrets())
        m_ui->ghlTokenNote->setText(tr("No system keychain is available: give the token in the environment "
                                       "variable QRTICKETS_GHL_TOKEN."));
    else
        m_ui->ghlTokenNote->setText(tr("The token is kept in the system keychain, never in the settings file."));
    SettingsPage::load(config);
}

void GhlSettingsPage::showKeychainNote(const QString &message)
{
    m_ui->ghlTokenNote->setText(message);
}

bool GhlSettingsPage::hasCredentials() const
{
    return !m_ui->ghlTokenEdit->text().trimmed().isEmpty() && !m_ui->ghlLocationIdEdit->text().trimmed().isEmpty();
}

core::GhlSettings GhlSettingsPage::edited() const
{
    core::GhlSettings s = m_loaded;
    s.baseUrl = QUrl(m_ui->ghlBaseUrlEdit->text().trimmed());
    s.locationId = m_ui->ghlLocationIdEdit->text().trimmed();
    s.token = m_ui->ghlTokenEdit->text().trimmed();
    return s;
}

void GhlSettingsPage::fetchCustomFields(bool forTest)
{
    auto report = [this, forTest](const QString &text, const QString &details) {
        if (forTest) {
            m_ui->testConnectionResult->setText(text);
            m_ui->testConnectionResult->setToolTip(details);
        } else {
            emit fieldsStatus(text, details);
        }
    };
    for (ConfigKey key : { ConfigKey::GhlBaseUrl, ConfigKey::GhlLocationId }) {
        if (!core::Config::validate(key, value(key))) {
            report(tr("Fix the GHL settings first."), {});
            return;
        }
    }
    const core::GhlSettings settings = edited();
    if (settings.locationId.isEmpty() || settings.token.isEmpty()) {
        report(tr("Enter the location ID and the token first."), {});
        return;
    }
    // A test of its own: exactly what is typed here, not what the application runs with.
    auto *test = new ghl::ConnectionTest(this);
    test->setCheckWriteScopes(forTest); // loading the field list only lists them
    m_ui->testConnectionButton->setEnabled(false);
    report(tr("Connecting to %1 ...").arg(settings.baseUrl.host()), {});
    ++m_pending;
    emit fetchingChanged(true);
    connect(test, &ghl::ConnectionTest::finished, this, [this, test, forTest, report](const ghl::ConnectionTestResult &result) {
        test->deleteLater();
        --m_pending;
        m_ui->testConnectionButton->setEnabled(true);
        emit fetchingChanged(false);
        if (!result.ok) {
            report(result.message, result.details);
            return;
        }
        if (forTest)
            report(result.message, {});
        emit customFieldsLoaded(result.fields);
    });
    test->start(settings);
}

} // namespace qrt::gui
