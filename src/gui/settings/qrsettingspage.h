#pragma once

#include "gui/settings/settingspage.h"

#include <memory>

namespace Ui {
class QrSettingsPage;
}

namespace qrt::gui {

// [qr]: the URL template, size, margin and error correction, with a preview of the code they make.
class QrSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit QrSettingsPage(QWidget *parent = nullptr);
    ~QrSettingsPage() override;

    QString name() const override;
    int validate() override;

private:
    void updatePreview();

    std::unique_ptr<Ui::QrSettingsPage> m_ui;
};

} // namespace qrt::gui
