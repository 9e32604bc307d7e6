#pragma once

#include "gui/secretaccess.h"

#include <QIcon>
#include <QList>
#include <QMap>
#include <QStringList>
#include <QWidget>

#include <functional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;

namespace qrt::core {
class Config;
enum class ConfigKey;
}

namespace qrt::gui {

// One page of the Settings dialog (as KeePassXC's ISettingsPage): a widget from its own form that
// knows its own configuration keys. A page declares each key once, in its constructor, by binding
// it to its field (bindText, bindSecret, bindChoice, bindCheck); load, validate and save then go
// through those bindings, and a page adds only what is its own (a preview, a cross-check, a
// database table). The dialog around the pages only shows them and runs OK.
class SettingsPage : public QWidget
{
    Q_OBJECT
public:
    using Done = std::function<void(const QStringList &problems)>;

    virtual QString name() const = 0;
    // None of today's pages has one: the tabs show names only.
    virtual QIcon icon() const { return {}; }
    QWidget *widget() { return this; }

    // Fills the fields from config. A secret the config does not hold is asked of the keychain;
    // the page stays usable meanwhile and what the user types first wins.
    virtual void load(const core::Config &config);
    // Shows the message next to each field that Config::validate refuses; returns how many values
    // need attention.
    virtual int validate();
    // Asks what must be settled before saving. proceed runs (now or later) when saving may go on,
    // never when the user chose to keep editing.
    virtual void beforeSave(const core::Config &config, std::function<void()> proceed);
    // True while the page waits for something that saving must not overtake.
    virtual bool busy() const { return false; }
    // Writes the values that differ into config (not yet the file: the dialog writes it once) and
    // returns the keys it changed; what Config refuses is appended to problems. Keys set in the
    // environment or on the command line are left alone.
    virtual QList<core::ConfigKey> save(core::Config &config, QStringList &problems);
    // The keys this page keeps in the keychain: the dialog leaves them out of the settings file.
    QList<core::ConfigKey> keychainKeys() const;
    // After the file was written, what lives elsewhere: the secrets save() took for the keychain,
    // and a page's own (the mappings in the database). done runs once, with what could not be kept.
    virtual void store(Done done);
    // True after save() when store() will ask the keychain to keep something.
    bool writesKeychain() const { return !m_toKeychain.isEmpty(); }

    // Red that reads on light and dark palettes alike.
    static void markAsError(QLabel *label);
    // Shows message in label; an empty message hides it.
    static void showError(QLabel *label, const QString &message);

signals:
    // A value changed: the dialog validates again.
    void edited();
    // The keychain could not read a secret of this page.
    void keychainProblem(const QString &message);
    // The page wants to be shown (the user chose to keep editing it).
    void wantsAttention();

protected:
    // secrets may be null (no keychain): secret fields are then disabled with an explanation.
    explicit SettingsPage(SecretAccess *secrets, QWidget *parent = nullptr);

    void bindText(core::ConfigKey key, QLineEdit *edit, QLabel *error);
    void bindSecret(core::ConfigKey key, SecretAccess::Secret secret, QLineEdit *edit, QLabel *error);
    void bindChoice(core::ConfigKey key, QComboBox *combo);
    void bindCheck(core::ConfigKey key, QCheckBox *check);
    // What the page holds for one of its keys, as Config::set takes it.
    QString value(core::ConfigKey key) const;
    // True when the key came from the environment or the command line: shown, never saved here.
    static bool setOutside(const core::Config &config, core::ConfigKey key);

    SecretAccess *secrets() const { return m_secrets; }

private:
    struct Binding
    {
        core::ConfigKey key;
        QLineEdit *edit = nullptr; // text and secret fields
        QLabel *error = nullptr;
        QComboBox *combo = nullptr;
        QCheckBox *check = nullptr;
        bool keychain = false;
        SecretAccess::Secret secret = SecretAccess::Secret::GhlToken;
    };
    void readSecret(const Binding &binding);

    SecretAccess *m_secrets = nullptr;
    QList<Binding> m_bindings;
    QMap<SecretAccess::Secret, QString> m_initialSecrets; // what the keychain holds, as far as known
    QList<std::pair<SecretAccess::Secret, QString>> m_toKeychain;
};

} // namespace qrt::gui
