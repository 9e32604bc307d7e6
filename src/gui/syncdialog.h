#pragma once

#include <QDialog>

#include <memory>

namespace Ui {
class SyncDialog;
}

namespace qrt::sync {
struct SyncProgress;
struct SyncSummary;
}

namespace qrt::gui {

struct Services;

// Runs a sync through Services' SyncEngine and shows its progress per phase, rate-limit waits,
// time left and, at the end, a summary with every failed order and its reason. The dialog only
// calls start() and cancel(); the engine never waits on it.
class SyncDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SyncDialog(Services &services, QWidget *parent = nullptr);
    ~SyncDialog() override;

    // Esc cancels a run in progress; once nothing runs it closes the dialog.
    void reject() override;

signals:
    // A run ended (completed, cancelled or failed); listeners refresh their views.
    void syncFinished();

private:
    void startSync();
    void browseOrderFile();
    void checkOtherRun();
    void updateModeState();
    void showProgress(const sync::SyncProgress &progress);
    void showRateLimit();
    void showSummary(const sync::SyncSummary &summary);
    void addFailure(const QString &orderId, const QString &reason);
    void setRunning(bool running);

    struct Private;
    std::unique_ptr<Ui::SyncDialog> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
