#pragma once

#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLineEdit;
class QListWidget;

namespace qrt::gui {

class DbWorker;

// "Find by name" on the check-in screen, for a guest without their code: a search field and the
// matching orders of the station's events ([door] event; every event when empty) under it, at most
// eight. Queries run on the DbWorker, a moment after the last keystroke; an answer to an older
// query is dropped. Choosing a row (Enter, double click) emits guestChosen; nothing is admitted here.
class GuestSearch : public QWidget
{
    Q_OBJECT
public:
    explicit GuestSearch(DbWorker &worker, QWidget *parent = nullptr);

    void setEvents(const QStringList &events);
    // A door login searches the door view (names and order ids only; issue 13 point 3).
    void setDoorViews(bool door);
    void clear();
    QLineEdit *field() const { return m_field; }
    QListWidget *results() const { return m_results; }

Q_SIGNALS:
    void guestChosen(const QString &orderId);
    void searched(int matches); // an answer arrived and is shown (tests, screen readers)

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct Match
    {
        QString orderId;
        QString text;
    };
    void search();
    void show(const QList<Match> &matches);
    void choose();

    DbWorker &m_worker;
    QLineEdit *m_field;
    QListWidget *m_results;
    QTimer m_debounce;
    QStringList m_events;
    quint64 m_generation = 0;
    bool m_chooseOnAnswer = false; // Enter came before the answer
    bool m_doorViews = false;
};

} // namespace qrt::gui
