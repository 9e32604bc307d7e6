#pragma once

#include "gui/settings/settingspage.h"

#include <memory>

namespace Ui {
class StationSettingsPage;
}

namespace qrt::gui {

// [station] name, language, camera (chosen by name, kept as its device id) and camera_mirror, and
// the event feed's token (kept in the keychain). The camera list follows cameras plugged in or out.
class StationSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit StationSettingsPage(SecretAccess *secrets, QWidget *parent = nullptr);
    ~StationSettingsPage() override;

    QString name() const override;
    void load(const core::Config &config) override;

private:
    void fillCameras(); // keeps the choice; one no longer connected stays, marked as such
    std::unique_ptr<Ui::StationSettingsPage> m_ui;
};

} // namespace qrt::gui
