#include "gui/settings/kioskpinsettings.h"

#include "core/config.h"
#include "core/pinhash.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace qrt::gui {

using core::ConfigKey;

namespace {
constexpr int kMinPin = 4;
constexpr int kMaxPin = 32;
} // namespace

KioskPinSettings::KioskPinSettings(QWidget *parent) : SettingsPage(nullptr, parent)
{
    setObjectName(QStringLiteral("kioskPinSettings"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_box = new QGroupBox(tr("Kiosk PIN (leave the check-in screen)"), this);
    outer->addWidget(m_box);
    auto *form = new QFormLayout(m_box);
    m_state = new QLabel(m_box);
    m_state->setObjectName(QStringLiteral("pinState"));
    m_state->setWordWrap(true);
    form->addRow(m_state);
    m_pin = new QLineEdit(m_box);
    m_pin->setObjectName(QStringLiteral("newPinEdit"));
    m_pin->setEchoMode(QLineEdit::Password);
    m_pin->setMaxLength(kMaxPin);
    m_pin->setPlaceholderText(tr("empty: keep as it is"));
    form->addRow(tr("New &PIN:"), m_pin);
    m_repeat = new QLineEdit(m_box);
    m_repeat->setObjectName(QStringLiteral("repeatPinEdit"));
    m_repeat->setEchoMode(QLineEdit::Password);
    m_repeat->setMaxLength(kMaxPin);
    form->addRow(tr("&Repeat PIN:"), m_repeat);
    m_error = new QLabel(m_box);
    m_error->setObjectName(QStringLiteral("pinError"));
    m_error->setWordWrap(true);
    markAsError(m_error);
    m_error->hide();
    form->addRow(m_error);
    m_remove = new QCheckBox(tr("No PIN: anyone may leave the check-in screen"), m_box);
    m_remove->setObjectName(QStringLiteral("removePinCheck"));
    form->addRow(m_remove);
    connect(m_pin, &QLineEdit::textChanged, this, &SettingsPage::edited);
    connect(m_repeat, &QLineEdit::textChanged, this, &SettingsPage::edited);
    connect(m_remove, &QCheckBox::toggled, this, [this](bool on) {
        m_pin->setEnabled(!on && !m_outside);
        m_repeat->setEnabled(!on && !m_outside);
        emit edited();
    });
}

QString KioskPinSettings::name() const
{
    return tr("Kiosk PIN");
}

void KioskPinSettings::load(const core::Config &config)
{
    const QString stored = config.text(ConfigKey::StationPinHash);
    m_isSet = !stored.trimmed().isEmpty();
    m_outside = setOutside(config, ConfigKey::StationPinHash);
    QString state = !m_isSet ? tr("No PIN is set: the window is never locked.")
        : core::isPinHash(stored)
        ? tr("A PIN is set: the window starts locked on the check-in screen; leaving it, Settings and Quit ask for it.")
        : core::verifyPin(QString(), stored).error().message;
    if (m_outside)
        state += u' ' + tr("Set outside the settings file (environment or command line): change it there.");
    m_state->setText(state);
    m_remove->setChecked(false);
    m_remove->setEnabled(m_isSet && !m_outside);
    m_pin->setEnabled(!m_outside);
    m_repeat->setEnabled(!m_outside);
}

int KioskPinSettings::validate()
{
    QString problem;
    const QString pin = m_pin->text();
    if (!m_remove->isChecked() && (!pin.isEmpty() || !m_repeat->text().isEmpty())) {
        if (pin.size() < kMinPin)
            problem = tr("A PIN has at least %1 characters.").arg(kMinPin);
        else if (pin != m_repeat->text())
            problem = tr("The two PINs differ: type the same PIN twice.");
    }
    showError(m_error, problem);
    return problem.isEmpty() ? 0 : 1;
}

QList<ConfigKey> KioskPinSettings::save(core::Config &config, QStringList &problems)
{
    if (m_outside)
        return {};
    QString value;
    if (m_remove->isChecked())
        value = QString();
    else if (!m_pin->text().isEmpty())
        value = core::hashPin(m_pin->text()); // the hash only; the PIN is forgotten with the field
    else
        return {};
    if (value == config.text(ConfigKey::StationPinHash))
        return {};
    if (auto r = config.set(ConfigKey::StationPinHash, value); !r) {
        problems << r.error().message;
        return {};
    }
    return { ConfigKey::StationPinHash };
}

} // namespace qrt::gui
