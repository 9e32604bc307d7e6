#pragma once

#include <QDialog>

#include <memory>

namespace Ui {
class SettingsDialog;
}

namespace qrt::core {
class Config;
}

namespace qrt::gui {

class DbWorker;
class SecretAccess;
class SettingsPage;

// Settings as pages (src/gui/settings/): GHL, database, listener, QR, product -> custom field
// mappings and station, each loading, validating and saving its own keys. The dialog only shows
// them and runs OK: every field is validated through core::Config::validate with the message next
// to the field, and OK stays disabled while anything is invalid. Saving writes the config
// (Config::set + save()) and the secrets through SecretAccess, never into the INI file. A changed
// database URL is tried before it is saved; one that does not connect is saved only when the user
// says "Save anyway". Keychain calls are asynchronous: the dialog stays usable while a keychain
// prompt is open, and a keychain that does not answer leaves the secret for this session only,
// with a message saying so.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    // secrets may be null (no keychain): secret fields are then disabled with an explanation.
    // worker (the application's one DbWorker) may be null: the mapping page explains that a
    // database is needed.
    // stationOnly: a door station's Settings (issue 13 point 3): the Database page (to change its own
    // connection) and the Station page only; no GHL keys, mappings, listener or QR.
    SettingsDialog(core::Config &config, SecretAccess *secrets, DbWorker *worker, QWidget *parent = nullptr,
                   bool stationOnly = false);
    ~SettingsDialog() override;

    // Opens on the database page; `text` (a URL that does not parse, say) replaces the field's value.
    void showDatabasePage(const QString &text = QString());

    // Esc and the window's close button do nothing while an OK is still being stored (keychain,
    // database): closing then would drop what the keychain answers and the change signal.
    void reject() override;

signals:
    // The configuration was written and applied (the dialog says when a secret could not be kept in
    // the keychain); the application re-reads what it needs.
    void settingsSaved();

private:
    bool revalidate();
    void save();
    void confirm(qsizetype page);
    void saveConfirmed();
    void storeDone(const QStringList &problems);

    struct Private;
    std::unique_ptr<Ui::SettingsDialog> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
