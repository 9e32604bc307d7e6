#pragma once

#include "gui/exporter.h"

#include <QObject>

class QComboBox;
class QMainWindow;

namespace qrt::db {
struct OrderQuery;
}

namespace qrt::gui {

class DbWorker;

enum class DoorListFormat { Csv, Pdf };

// The main window's export commands: the order list as CSV, the door list of an event as CSV or
// PDF, or printed. Asks for the file (and the CSV separator) and the event, fetches on the
// database thread, writes, and reports in the window's status bar or an error box.
class ExportActions : public QObject
{
    Q_OBJECT
public:
    // eventFilter: the window's event filter, whose items name the events and whose current one
    // is the event a door list is for.
    ExportActions(DbWorker &worker, QMainWindow *window, QComboBox *eventFilter);

    void exportOrderListInteractive(const db::OrderQuery &query);
    void doorListInteractive(DoorListFormat format, bool print);

    // The commands behind them (after their file dialogs); each ends with finished().
    void exportOrderList(const db::OrderQuery &query, const QString &path, exporter::CsvSeparator separator);
    void exportDoorList(const QString &eventId, const QString &path, DoorListFormat format,
                        exporter::CsvSeparator separator = exporter::defaultCsvSeparator());

Q_SIGNALS:
    void finished(const QString &path, bool ok);

private:
    QString chooseEvent();
    QString eventName(const QString &eventId) const;
    QString saveCsvFileName(const QString &title, const QString &fileName, exporter::CsvSeparator *separator);

    DbWorker &m_worker;
    QMainWindow *m_window;
    QComboBox *m_eventFilter;
};

} // namespace qrt::gui
