#pragma once

#include "gui/settings/settingspage.h"

#include <QPointer>

#include <memory>

class QThread;

namespace Ui {
class DatabaseSettingsPage;
}

namespace qrt::gui {

// [database] url. Test tries the typed URL; a changed URL is tried before it is saved, and one
// that does not connect is saved only when the user says "Save anyway".
class DatabaseSettingsPage : public SettingsPage
{
    Q_OBJECT
public:
    explicit DatabaseSettingsPage(QWidget *parent = nullptr);
    ~DatabaseSettingsPage() override;

    QString name() const override;
    void beforeSave(const core::Config &config, std::function<void()> proceed) override;
    bool busy() const override { return !m_tryThread.isNull(); }

    // Puts text (a URL that does not parse, say) into the field unless the URL is set outside,
    // and gives the field the focus.
    void presetUrl(const QString &text);

signals:
    // A changed URL is being tried before saving: OK waits.
    void tryingBeforeSave(bool trying);

private:
    void test();
    void tryDatabase(const QString &url, std::function<void(bool ok, const QString &message)> then);
    void askSaveUntested(const QString &url, const QString &problem, std::function<void()> proceed);

    std::unique_ptr<Ui::DatabaseSettingsPage> m_ui;
    QPointer<QThread> m_tryThread;
    QString m_untestedUrlAccepted; // a URL the user chose to save without a connection
};

} // namespace qrt::gui
