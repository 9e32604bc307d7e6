#pragma once

#include "gui/settings/settingspage.h"

#include <memory>

namespace Ui {
class ListenerSettingsPage;
}

namespace qrt::gui {

// [webhook]: whether the listener starts, where it listens, how GHL's deliveries are
// authenticated (the shared secret lives in the keychain) and its limits. Warns about exactly
// what the listener refuses: no authentication beyond loopback, a shared secret left empty.
class ListenerSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit ListenerSettingsPage(SecretAccess *secrets, QWidget *parent = nullptr);
    ~ListenerSettingsPage() override;

    QString name() const override;
    int validate() override;

private:
    std::unique_ptr<Ui::ListenerSettingsPage> m_ui;
};

} // namespace qrt::gui
