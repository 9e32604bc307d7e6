#include "gui/settings/settingspage.h"

#include "core/config.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>

namespace qrt::gui {

using core::ConfigKey;

SettingsPage::SettingsPage(SecretAccess *secrets, QWidget *parent) : QWidget(parent), m_secrets(secrets) { }

void SettingsPage::bindText(ConfigKey key, QLineEdit *edit, QLabel *error)
{
    m_bindings.append({ .key = key, .edit = edit, .error = error });
    markAsError(error);
    connect(edit, &QLineEdit::textChanged, this, &SettingsPage::edited);
}

void SettingsPage::bindSecret(ConfigKey key, SecretAccess::Secret secret, QLineEdit *edit, QLabel *error)
{
    bindText(key, edit, error);
    m_bindings.last().keychain = true;
    m_bindings.last().secret = secret;
}

void SettingsPage::bindChoice(ConfigKey key, QComboBox *combo)
{
    m_bindings.append({ .key = key, .combo = combo });
    connect(combo, &QComboBox::currentIndexChanged, this, &SettingsPage::edited);
}

void SettingsPage::bindCheck(ConfigKey key, QCheckBox *check)
{
    m_bindings.append({ .key = key, .check = check });
    connect(check, &QCheckBox::toggled, this, &SettingsPage::edited);
}

QString SettingsPage::value(ConfigKey key) const
{
    for (const Binding &b : m_bindings) {
        if (b.key != key)
            continue;
        if (b.edit)
            return b.edit->text();
        if (b.combo)
            return b.combo->currentData().toString();
        return b.check->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    }
    Q_ASSERT_X(false, "SettingsPage::value", "the key is not bound on this page");
    return {};
}

bool SettingsPage::setOutside(const core::Config &config, ConfigKey key)
{
    const auto origin = config.origin(key);
    return origin == core::Config::Origin::Environment || origin == core::Config::Origin::CommandLine;
}

void SettingsPage::markAsError(QLabel *label)
{
    QPalette palette = label->palette();
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    palette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c));
    label->setPalette(palette);
}

void SettingsPage::showError(QLabel *label, const QString &message)
{
    label->setText(message);
    label->setVisible(!message.isEmpty());
}

void SettingsPage::load(const core::Config &config)
{
    for (const Binding &b : std::as_const(m_bindings)) {
        if (b.combo) {
            b.combo->setCurrentIndex(qMax(0, b.combo->findData(config.text(b.key))));
            continue;
        }
        if (b.check) {
            b.check->setChecked(config.flag(b.key));
            continue;
        }
        const core::ConfigKeyInfo &info = core::Config::info(b.key);
        b.edit->setText(config.text(b.key));
        b.edit->setToolTip(info.description);
        const auto origin = config.origin(b.key);
        if (setOutside(config, b.key)) {
            b.edit->setReadOnly(true);
            b.edit->setToolTip(origin == core::Config::Origin::Environment
                                   ? tr("Set by the environment variable %1; change it there.").arg(info.envName())
                                   : tr("Set on the command line; change it there."));
        }
    }
    for (const Binding &b : std::as_const(m_bindings)) {
        if (b.keychain)
            readSecret(b);
    }
}

void SettingsPage::readSecret(const Binding &b)
{
    QLineEdit *edit = b.edit;
    if (edit->isReadOnly())
        return;
    if (!m_secrets) {
        edit->setEnabled(false);
        edit->setToolTip(tr("No system keychain is available; set this secret through its environment variable."));
        return;
    }
    m_initialSecrets[b.secret] = edit->text();
    if (!edit->text().isEmpty())
        return;
    // A keychain may ask to be unlocked and take its time: the page stays usable meanwhile, and
    // what the user types first wins over what the keychain brings.
    edit->setPlaceholderText(tr("Reading the system keychain ..."));
    QPointer<QLineEdit> field(edit);
    m_secrets->read(b.secret, this, [this, secret = b.secret, field](const core::Result<QString> &stored) {
        if (!field)
            return;
        field->setPlaceholderText(QString());
        if (!stored) {
            emit keychainProblem(stored.error().message);
            return;
        }
        m_initialSecrets[secret] = stored.value();
        if (field->text().isEmpty())
            field->setText(stored.value());
    });
}

int SettingsPage::validate()
{
    int invalid = 0;
    for (const Binding &b : std::as_const(m_bindings)) {
        if (!b.edit)
            continue;
        auto r = core::Config::validate(b.key, b.edit->text());
        showError(b.error, r ? QString() : r.error().message);
        if (!r)
            ++invalid;
    }
    return invalid;
}

void SettingsPage::beforeSave(const core::Config &, std::function<void()> proceed)
{
    proceed();
}

QList<ConfigKey> SettingsPage::save(core::Config &config, QStringList &problems)
{
    QList<ConfigKey> changed;
    m_toKeychain.clear();
    for (const Binding &b : std::as_const(m_bindings)) {
        if (setOutside(config, b.key))
            continue;
        if (b.keychain) {
            // The running configuration at once (this session works with the secret whatever the
            // keychain does), the keychain in store(); the settings file never sees it.
            if (!m_secrets)
                continue;
            const QString secret = b.edit->text().trimmed();
            if (secret != m_initialSecrets.value(b.secret))
                m_toKeychain.append({ b.secret, secret });
            if (secret == config.text(b.key))
                continue;
            if (auto r = config.set(b.key, secret); !r)
                problems << r.error().message;
            else
                changed << b.key;
            continue;
        }
        const QString text = value(b.key);
        auto normal = core::Config::validate(b.key, text);
        if (normal && normal.value() == config.text(b.key))
            continue;
        if (auto r = config.set(b.key, text); !r)
            problems << r.error().message;
        else
            changed << b.key;
    }
    return changed;
}

QList<ConfigKey> SettingsPage::keychainKeys() const
{
    QList<ConfigKey> keys;
    for (const Binding &b : m_bindings) {
        if (b.keychain)
            keys << b.key;
    }
    return keys;
}

void SettingsPage::store(Done done)
{
    if (m_toKeychain.isEmpty()) {
        done({});
        return;
    }
    // One answer per secret; done once all answered (a keychain that does not answer is reported
    // after the store's patience).
    struct Pending
    {
        int left;
        QStringList problems;
        Done done;
    };
    auto pending = std::make_shared<Pending>(Pending { int(m_toKeychain.size()), {}, std::move(done) });
    const auto writes = std::exchange(m_toKeychain, {});
    for (const auto &[secret, text] : writes) {
        auto answered = [this, pending, secret = secret, text = text](const core::Result<void> &r) {
            if (r)
                m_initialSecrets[secret] = text;
            else
                pending->problems << r.error().message;
            if (--pending->left == 0)
                pending->done(pending->problems);
        };
        if (text.isEmpty())
            m_secrets->remove(secret, this, answered);
        else
            m_secrets->write(secret, text, this, answered);
    }
}

} // namespace qrt::gui
