#pragma once

#include "door/doorcheck.h"
#include "gui/scaninput.h"

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

class QPushButton;

namespace Ui {
class CheckInPanel;
}

namespace qrt::gui {

struct Services;
class DbWorker;
class GuestSearch;
class CameraPreview;
class OfflineBar;
class VerdictBanner;
class VerdictSounds;

// The door: a scan field a USB scanner types into, and a big result banner. The banner's
// "result" property is "green", "amber", "red" or "neutral"; it sets both text and background
// colour so it stays readable in dark mode. Verdicts come from door::DoorCheck (the same path as
// `qrtickets admit`); the event choice is [door] event, saved when changed here. Each verdict plays
// its tone's sound ([door] sound), is added to the coloured recent-scans list, and clears itself
// after [door] clear_after_ms, except one waiting for staff ("Admit anyway", a guest found by name). Undo reverts exactly what the last verdict admitted (every ticket of
// an "Admit all"); a verdict that admitted nothing leaves nothing to undo. A guest without a code is
// found by name (GuestSearch) and shown without being admitted until staff press Admit. The Camera
// button scans with the station's camera (CameraPreview): each code it reads is a scan, as if typed.
class CheckInPanel : public QWidget
{
    Q_OBJECT
public:
    CheckInPanel(Services &services, DbWorker &worker, QWidget *parent = nullptr);
    ~CheckInPanel() override;

    // Processes text as if it had been scanned.
    void scan(const QString &text);
    void clear();
    void focusScanField();
    // The events this station admits for (product ids; empty: every event).
    QStringList events() const { return m_events; }
    void setEvents(const QStringList &events);
    // Reads the event choices again (new events after a sync).
    void reloadEvents();

protected:
    void showEvent(QShowEvent *event) override; // event choices read again (new events after a sync)
    void hideEvent(QHideEvent *event) override; // the camera goes off with the panel (another tab, window closed)

Q_SIGNALS:
    // Tickets changed at this station (admitted or undone): views refresh.
    void ticketsChanged();

private:
    void startNext();
    void runAdmit(const ScanInput &input, door::DoorCheck::Mode mode, bool unpaidConfirmed);
    void showVerdict(const door::Verdict &verdict);
    void fillEventChoice(const QList<QPair<QString, QString>> &events);
    void eventChosen();
    DbWorker &lookupWorker() const; // searches and lists: services' dbWorker, not the scan worker
    door::DoorCheck::Policy stationPolicy() const; // [door] settings, this station, the events chosen
    void setBanner(const QString &tone, const QString &title, const QString &detail);
    void disarm(); // the buttons for the guest on screen: off (verdict cleared, red, undone)
    void undo();
    void openImage();
    void cameraToggled(bool on); // the Camera button: [station] camera and camera_mirror

    std::unique_ptr<Ui::CheckInPanel> m_ui;
    Services &m_services;
    DbWorker &m_worker;
    QStringList m_queue;
    bool m_busy = false;
    QString m_orderId;        // order of the last scan
    ScanInput m_lastInput;    // what "Admit anyway" admits
    bool m_foundArmed = false; // a guest found by name waits: Enter in the empty scan field admits
    QString m_unpaidConfirmed; // the unpaid order staff chose to admit anyway (admit one/all follow)
    QList<qint64> m_undoTickets; // what the last verdict admitted: what Undo reverts
    QString m_undoWho;           // whose tickets they are, for the Undo button and its result
    QString m_undoActor;         // who admitted them (Policy::actor()): Undo reverts only that station's
    QStringList m_events;        // [door] event
    VerdictBanner *m_banner = nullptr;
    VerdictSounds *m_sounds = nullptr;
    GuestSearch *m_search = nullptr;
    OfflineBar *m_offlineBar = nullptr; // PostgreSQL: OFFLINE, the queue and the conflicts (Services::doorStation)
    CameraPreview *m_camera = nullptr;  // shown while the Camera button is down; its codes are scans
    QPushButton *m_cameraButton = nullptr;
};

} // namespace qrt::gui
