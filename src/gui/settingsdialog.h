#pragma once

#include <QDialog>

#include <functional>
#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace qrt::core {
class Config;
enum class ConfigKey;
struct GhlSettings;
}
namespace qrt::db {
class Database;
}

namespace qrt::gui {

class SecretAccess;

// Tabs for GHL, database, listener, QR, product -> custom field mappings and station. Each field
// is validated through core::Config::validate with the message next to the field; OK stays
// disabled while anything is invalid. Saving writes the config (Config::set + save()) and the
// secrets through SecretAccess, never into the INI file. A changed database URL is tried before it
// is saved; one that does not connect is saved only when the user says "Save anyway". Keychain
// calls are asynchronous: the dialog stays usable while a keychain prompt is open, and a keychain
// that does not answer leaves the secret for this session only, with a message saying so.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    // secrets may be null (no keychain): secret fields are then disabled with an explanation.
    // database may be null: the mapping tab explains that a database is needed.
    SettingsDialog(core::Config &config, SecretAccess *secrets, std::shared_ptr<db::Database> database,
                   QWidget *parent = nullptr);
    ~SettingsDialog() override;

    // Opens on the database tab; `text` (a URL that does not parse, say) replaces the field's value.
    void showDatabasePage(const QString &text = QString());

signals:
    // The configuration was written and applied (the dialog says when a secret could not be kept in
    // the keychain); the application re-reads what it needs.
    void settingsSaved();

private:
    bool revalidate();
    QString fieldValue(core::ConfigKey key) const;
    void updateQrPreview();
    core::GhlSettings editedGhlSettings() const;
    void startFieldsJob(bool forTest);
    void testConnection();
    void loadCustomFields();
    void testDatabase();
    void tryDatabase(const QString &url, std::function<void(bool ok, const QString &message)> then);
    void askSaveUntestedDatabase(const QString &url, const QString &problem);
    void readSecrets();
    void saveConfirmed();
    void loadMappings();
    void fillMappingTable();
    void save();
    void saveMappings();
    void saveStepDone();
    void finishSaving(const QStringList &problems);

    struct Private;
    std::unique_ptr<Ui::SettingsDialog> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
