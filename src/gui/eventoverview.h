#pragma once

#include <QWidget>

class QLabel;
class QTableView;

namespace qrt::gui {

class ArrivalsChart;
class DbWorker;
class OverviewModel;

// Per event and ticket type: sold / admitted / remaining / cancelled, and below the arrivals
// (admissions per 15 minutes, inside now); refresh() on every change.
class EventOverview : public QWidget
{
    Q_OBJECT
public:
    explicit EventOverview(DbWorker &worker, QWidget *parent = nullptr);

    void refresh();
    // A door station reads the counts through the door views (issue 13 point 3).
    void setDoorViews(bool door) { m_doorViews = door; }
    ArrivalsChart *arrivals() const { return m_arrivals; }

Q_SIGNALS:
    void refreshed();

private:
    DbWorker &m_worker;
    OverviewModel *m_model = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    ArrivalsChart *m_arrivals = nullptr;
    bool m_busy = false;
    bool m_again = false;
    bool m_doorViews = false;
};

} // namespace qrt::gui
