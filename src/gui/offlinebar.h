#pragma once

#include <QFrame>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace qrt::door {
class DoorStation;
}

namespace qrt::gui {

struct Services;
class DbWorker;

// Offline mode at the check-in panel (PRODUCT.md section 4b "Offline"): a plain state line that says
// OFFLINE and how many admissions wait to be sent while the shared database does not answer, and
// the conflicts found when they were sent (a ticket another station had admitted meanwhile), with
// both stations and times. Hidden while online with no conflicts, and always on SQLite (one station:
// the database is on this computer, there is no offline mode). The conflict list is read on the scan
// worker's thread, never on the GUI thread.
class OfflineBar : public QFrame
{
    Q_OBJECT
public:
    OfflineBar(door::DoorStation *station, DbWorker &worker, QWidget *parent = nullptr);

    QString stateText() const;
    int conflictCount() const;
    void reloadConflicts();

private:
    void update();

    door::DoorStation *m_station;
    DbWorker &m_worker;
    QLabel *m_state = nullptr;
    QPushButton *m_conflictsButton = nullptr;
    QTreeWidget *m_conflicts = nullptr;
    bool m_offline = false;
    int m_queued = 0;
    QString m_uploadError; // why the queue is not sent although the database answers
};

// For a PostgreSQL database: the station's DoorStation (its cache beside the data, [door]
// offline_after_ms), started, owned by parent and set as services.doorStation (reset when it goes);
// null on SQLite or when the cache cannot be opened
// (then the door works online only, and the log says why).
door::DoorStation *startDoorStation(Services &services, QObject *parent);

} // namespace qrt::gui
