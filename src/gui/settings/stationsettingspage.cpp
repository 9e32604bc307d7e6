#include "gui/settings/stationsettingspage.h"

#include "ui_settingsstationpage.h"

#include "core/config.h"

namespace qrt::gui {

using core::ConfigKey;

StationSettingsPage::StationSettingsPage(SecretAccess *secrets, QWidget *parent)
    : SettingsPage(secrets, parent), m_ui(std::make_unique<Ui::StationSettingsPage>())
{
    m_ui->setupUi(this);
    m_ui->languageCombo->addItem(tr("System language"), QStringLiteral("system"));
    // Language names in their own language, so anyone can find theirs.
    m_ui->languageCombo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_ui->languageCombo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_ui->languageCombo->addItem(QStringLiteral("Español"), QStringLiteral("es"));
    m_ui->languageCombo->addItem(QStringLiteral("Français"), QStringLiteral("fr"));

    bindText(ConfigKey::StationName, m_ui->stationNameEdit, m_ui->stationNameError);
    bindChoice(ConfigKey::StationLanguage, m_ui->languageCombo);
    bindSecret(ConfigKey::FeedToken, SecretAccess::Secret::FeedToken, m_ui->feedTokenEdit, m_ui->feedTokenError);
}

StationSettingsPage::~StationSettingsPage() = default;

QString StationSettingsPage::name() const
{
    return tr("Station");
}

} // namespace qrt::gui
