#include "gui/settings/listenersettingspage.h"

#include "ui_settingslistenerpage.h"

#include "core/config.h"

namespace qrt::gui {

using core::ConfigKey;

ListenerSettingsPage::ListenerSettingsPage(SecretAccess *secrets, QWidget *parent)
    : SettingsPage(secrets, parent), m_ui(std::make_unique<Ui::ListenerSettingsPage>())
{
    m_ui->setupUi(this);
    m_ui->webhookAuthCombo->addItem(tr("GHL signature (Ed25519)"), QStringLiteral("ghl-signature"));
    m_ui->webhookAuthCombo->addItem(tr("Shared secret"), QStringLiteral("shared-secret"));
    m_ui->webhookAuthCombo->addItem(tr("None (this machine only)"), QStringLiteral("none"));
    markAsError(m_ui->webhookExposureWarning);

    bindCheck(ConfigKey::WebhookEnabled, m_ui->webhookEnabledCheck);
    bindText(ConfigKey::WebhookBind, m_ui->webhookBindEdit, m_ui->webhookBindError);
    bindText(ConfigKey::WebhookPort, m_ui->webhookPortEdit, m_ui->webhookPortError);
    bindText(ConfigKey::WebhookPath, m_ui->webhookPathEdit, m_ui->webhookPathError);
    bindChoice(ConfigKey::WebhookAuth, m_ui->webhookAuthCombo);
    bindSecret(ConfigKey::WebhookSecret, SecretAccess::Secret::WebhookSecret, m_ui->webhookSecretEdit,
               m_ui->webhookSecretError);
    bindText(ConfigKey::WebhookGhlPublicKey, m_ui->webhookPublicKeyEdit, m_ui->webhookPublicKeyError);
    bindCheck(ConfigKey::WebhookAcceptLegacyRsa, m_ui->webhookLegacyRsaCheck);
    bindText(ConfigKey::WebhookMaxBodyBytes, m_ui->webhookMaxBodyEdit, m_ui->webhookMaxBodyError);
    bindText(ConfigKey::WebhookReplayWindowS, m_ui->webhookReplayWindowEdit, m_ui->webhookReplayWindowError);
    bindText(ConfigKey::SyncReconcileIntervalS, m_ui->reconcileIntervalEdit, m_ui->reconcileIntervalError);
}

ListenerSettingsPage::~ListenerSettingsPage() = default;

QString ListenerSettingsPage::name() const
{
    return tr("Listener");
}

int ListenerSettingsPage::validate()
{
    int invalid = SettingsPage::validate();
    // Both checks come from the listener itself, so the page warns about exactly what it refuses.
    const QString auth = value(ConfigKey::WebhookAuth);
    const auto bind = core::Config::validate(ConfigKey::WebhookBind, value(ConfigKey::WebhookBind));
    core::WebhookSettings probe;
    probe.bind = bind ? bind.value() : QString();
    QString warning;
    if (bind && auth == u"none" && probe.bindsBeyondLoopback())
        warning = tr("Without authentication anyone on the network can post orders to this station. Bind to "
                     "127.0.0.1 or choose an authentication mode; the listener refuses to start like this.");
    else if (auth == u"shared-secret" && m_ui->webhookSecretEdit->text().isEmpty())
        warning = tr("Shared-secret authentication needs a secret.");
    showError(m_ui->webhookExposureWarning, warning);
    return warning.isEmpty() ? invalid : invalid + 1;
}

} // namespace qrt::gui
