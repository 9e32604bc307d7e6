#pragma once

#include "core/result.h"
#include "db/doorfunctions.h"
#include "gui/exportactions.h"
#include "gui/exporter.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <memory>
#include <optional>

namespace Ui {
class MainWindow;
}

class QLabel;

namespace qrt::gui {

struct Services;
class DbWorker;
class OrderListModel;
class ChangeWatcher;
class CheckInPanel;
class EventOverview;
class OrderDialog;
class KioskLock;

// The main window: order list (search, filters, paging), check-in and event overview tabs,
// exports, and the entry points to sync, settings and the listener.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(Services &services, QWidget *parent = nullptr);
    ~MainWindow() override;

    OrderListModel *orderModel() const { return m_model; }
    OrderDialog *openOrder(const QString &orderId);
    void showCheckIn();
    void showOverview();

    // Commands behind the export actions (after their file dialogs). Each ends with
    // exportFinished; errors are also shown to the user. CSV files use `separator` (the save
    // dialog offers both; the locale picks the default).
    void exportOrderList(const QString &path, exporter::CsvSeparator separator = exporter::defaultCsvSeparator());
    using DoorListFormat = gui::DoorListFormat;
    void exportDoorList(const QString &eventId, const QString &path, DoorListFormat format,
                        exporter::CsvSeparator separator = exporter::defaultCsvSeparator());

    // Re-reads everything visible: the order list only while its tab shows (else when it shows
    // again), the overview while it shows, open order dialogs, filters and the status bar.
    void refreshAll();
    // What live updates call (a NOTIFY, a local admission): a burst becomes one refreshAll() after
    // a short pause; each list keeps at most one read in flight and one pending.
    void scheduleRefresh();

    // [webhook] enabled: start the listener at launch. The panel opens only if it could not
    // start, so the reason is in front of the user.
    void startListener();

    // Door station (issue 13 point 3): a door login (or a role not known yet) sees Check-in and the
    // event overview (counts) only; every other tab, menu action and shortcut is off, Settings shows
    // the station and database pages, the listener, sync and the order list never start, so the
    // window never tries a statement the database refuses the door. Courtesy only: PostgreSQL enforces.
    bool isDoorStation() const { return m_doorStation; }
    // Applied at construction (Services::role) and when a status check finds another role.
    void applyRole(std::optional<db::DatabaseRole> role);
    KioskLock *kioskLock() const { return m_kiosk; }

Q_SIGNALS:
    void exportFinished(const QString &path, bool ok);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setupActions();
    void setupFilters();
    void loadFilterChoices();
    void updatePage();
    void updateCountLabel();
    void refreshStatus();
    void openCurrentOrder();
    void openSync();
    void openSettings(); // asks the kiosk PIN first while locked
    void editSettings();
    void openListener();
    void about();
    void setupAccess(); // mainwindowaccess.cpp: the role label, the kiosk lock, the first applyRole
    void applyAccess(); // tabs and actions for the role and the kiosk lock
    // Closes every window this one owns that shows more than Check-in (order windows, Sync, the
    // Listener panel, Settings, a file or print dialog, a message box over them): when the kiosk
    // locks and when the login becomes a door login.
    void closeWindowsBeyondCheckIn();
    QString roleText() const;

    std::unique_ptr<Ui::MainWindow> m_ui;
    Services &m_services;
    DbWorker *m_worker = nullptr;
    ExportActions *m_exports = nullptr;
    OrderListModel *m_model = nullptr;
    ChangeWatcher *m_watcher = nullptr;
    CheckInPanel *m_checkIn = nullptr;
    EventOverview *m_overview = nullptr;
    QTimer m_searchDebounce;
    QTimer m_statusTimer;
    QTimer m_refreshCoalesce;
    bool m_ordersStale = false; // changed while the order list was not showing
    bool m_filtersBusy = false;
    bool m_filtersAgain = false;
    QLabel *m_dbStatus = nullptr;
    QLabel *m_listenerStatus = nullptr;
    QLabel *m_syncStatus = nullptr;
    QHash<QString, QPointer<OrderDialog>> m_orderDialogs;
    QPointer<QWidget> m_listenerPanel;
    bool m_statusBusy = false;
    std::optional<db::DatabaseRole> m_role = db::DatabaseRole::Full;
    bool m_doorStation = false;
    QLabel *m_roleStatus = nullptr;
    KioskLock *m_kiosk = nullptr; // SQLite: the check-in screen's PIN (null on PostgreSQL)
    bool m_quitWithPin = false;   // the PIN was given to quit
};

} // namespace qrt::gui
