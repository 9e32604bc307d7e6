#pragma once

#include "gui/settings/settingspage.h"

#include <memory>

namespace Ui {
class StationSettingsPage;
}

namespace qrt::gui {

// [station] name and language, and the event feed's token (kept in the keychain).
class StationSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit StationSettingsPage(SecretAccess *secrets, QWidget *parent = nullptr);
    ~StationSettingsPage() override;

    QString name() const override;

private:
    std::unique_ptr<Ui::StationSettingsPage> m_ui;
};

} // namespace qrt::gui
