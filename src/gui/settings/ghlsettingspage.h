#pragma once

#include "gui/settings/settingspage.h"

#include "core/config.h"
#include "ghl/ghltypes.h"

#include <memory>

namespace Ui {
class GhlSettingsPage;
}
namespace qrt::gui {

// [ghl] base URL, location and token (kept in the keychain). Test connection lists the location's
// custom fields with exactly what is typed here; the same list feeds the mappings page.
class GhlSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit GhlSettingsPage(SecretAccess *secrets, QWidget *parent = nullptr);
    ~GhlSettingsPage() override;

    QString name() const override;
    void load(const core::Config &config) override;

    // Lists the custom fields with the typed settings. forTest: the answer is shown next to Test
    // connection; otherwise it goes out through fieldsStatus().
    void fetchCustomFields(bool forTest);
    bool fetching() const { return m_pending > 0; }
    // Location and token are filled in: fetching can be tried.
    bool hasCredentials() const;
    // The keychain note under the token, where the keychain's problems are shown.
    void showKeychainNote(const QString &message);

signals:
    void fetchingChanged(bool fetching);
    void customFieldsLoaded(const QList<qrt::ghl::CustomField> &fields);
    // Progress and failures of a fetch that was not a connection test.
    void fieldsStatus(const QString &text, const QString &details);

private:
    core::GhlSettings edited() const;

    std::unique_ptr<Ui::GhlSettingsPage> m_ui;
    core::GhlSettings m_loaded; // what the typed fields leave unchanged (API version, timeouts)
    int m_pending = 0; // connection tests (ghl::ConnectionTest) still running
};

} // namespace qrt::gui
