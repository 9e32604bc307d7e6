#pragma once

#include "gui/settings/settingspage.h"

class QCheckBox;
class QGroupBox;

namespace qrt::gui {

// [station] pin_hash (issue 13 point 4), shown inside the Station page on SQLite: a new PIN typed
// twice, or "No PIN". Saving stores the PIN's scrypt hash (core/pinhash.h), never the PIN itself;
// an empty field keeps what is set. Not a tab of its own: the dialog places it in the Station page.
class KioskPinSettings : public SettingsPage
{
    Q_OBJECT
public:
    explicit KioskPinSettings(QWidget *parent = nullptr);

    QString name() const override;
    void load(const core::Config &config) override;
    int validate() override;
    QList<core::ConfigKey> save(core::Config &config, QStringList &problems) override;

    QLineEdit *pinField() const { return m_pin; }
    QLineEdit *repeatField() const { return m_repeat; }
    QCheckBox *removeCheck() const { return m_remove; }

private:
    QGroupBox *m_box;
    QLabel *m_state;
    QLineEdit *m_pin;
    QLineEdit *m_repeat;
    QLabel *m_error;
    QCheckBox *m_remove;
    bool m_isSet = false;
    bool m_outside = false; // set in the environment or on the command line: shown, not changed here
};

} // namespace qrt::gui
