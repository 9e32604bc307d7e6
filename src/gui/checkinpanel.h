#pragma once

#include "door/doorcheck.h"
#include "gui/scaninput.h"

#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

namespace Ui {
class CheckInPanel;
}

namespace qrt::gui {

struct Services;
class DbWorker;

// The door: a scan field a USB scanner types into, and a big result banner. The banner's
// "result" property is "green", "amber", "red" or "neutral"; it sets both text and background
// colour so it stays readable in dark mode. Verdicts come from door::DoorCheck (the same path as
// `qrtickets admit`); the event choice is [door] event, saved when changed here.
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

Q_SIGNALS:
    // Tickets changed at this station (admitted or undone): views refresh.
    void ticketsChanged();

private:
    void startNext();
    void runAdmit(const ScanInput &input, door::DoorCheck::Mode mode, bool unpaidConfirmed);
    void showVerdict(const door::Verdict &verdict);
    void fillEventChoice(const QList<QPair<QString, QString>> &events);
    void eventChosen();
    void setBanner(const QString &tone, const QString &title, const QString &detail);
    void undo();
    void openImage();
    void addRecent(const QString &tone, const QString &text);

    std::unique_ptr<Ui::CheckInPanel> m_ui;
    Services &m_services;
    DbWorker &m_worker;
    QStringList m_queue;
    bool m_busy = false;
    QString m_orderId;        // order of the last scan
    ScanInput m_lastInput;    // what "Admit anyway" admits
    QString m_unpaidConfirmed; // the unpaid order staff chose to admit anyway (admit one/all follow)
    qint64 m_lastAdmitted = 0; // for Undo
    QStringList m_events;      // [door] event
};

} // namespace qrt::gui
