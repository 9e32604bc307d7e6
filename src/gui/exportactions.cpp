#include "gui/exportactions.h"

#include "db/database.h"
#include "db/orderrepository.h"
#include "gui/dbworker.h"
#include "gui/messages.h"

#include <QRegularExpression>
#include <QComboBox>
#include <QCoreApplication>
#include <QDate>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMainWindow>
#include <QMessageBox>
#include <QPrintDialog>
#include <QPrinter>
#include <QSaveFile>
#include <QStandardPaths>
#include <QStatusBar>

namespace qrt::gui {

namespace {

// The main window's words: moved here from it, they keep its translation context.
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::gui::MainWindow)
};

core::Result<void> writeFile(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return core::makeError(QStringLiteral("gui.write"), Tr::tr("Could not write %1.").arg(path), file.errorString());
    return {};
}

} // namespace

ExportActions::ExportActions(DbWorker &worker, QMainWindow *window, QComboBox *eventFilter)
    : QObject(window), m_worker(worker), m_window(window), m_eventFilter(eventFilter)
{
}

void ExportActions::exportOrderList(const db::OrderQuery &query, const QString &path, exporter::CsvSeparator separator)
{
    m_worker.run(
        this,
        [query, path, separator](db::Database &database) -> core::Result<void> {
            auto rows = exporter::fetchOrders(database, query);
            if (!rows)
                return rows.error();
            return writeFile(path, exporter::ordersCsv(rows.value(), separator));
        },
        [this, path](core::Result<void> result) {
            if (!result)
                showError(m_window, Tr::tr("Export failed"), result.error(), Tr::tr("Choose a folder you can write to and try again."));
            else
                m_window->statusBar()->showMessage(Tr::tr("Saved %1").arg(path), 5000);
            Q_EMIT finished(path, result.ok());
        });
}

QString ExportActions::eventName(const QString &eventId) const
{
    static const QRegularExpression trailingCount(QStringLiteral(" \\([0-9]+\\)$"));
    const int index = m_eventFilter->findData(eventId);
    if (index > 0)
        return m_eventFilter->itemText(index).remove(trailingCount); // "Gala (Adults) (12)" -> "Gala (Adults)"
    return eventId;
}

void ExportActions::exportDoorList(const QString &eventId, const QString &path, DoorListFormat format,
                                exporter::CsvSeparator separator)
{
    const QString eventName = this->eventName(eventId);
    m_worker.run(
        this, [eventId](db::Database &database) { return exporter::fetchDoorList(database, eventId); },
        [this, path, format, eventName, separator](core::Result<QList<DoorEntry>> entries) {
            core::Result<void> result;
            if (!entries) {
                result = entries.error();
            } else if (format == DoorListFormat::Csv) {
                result = writeFile(path, exporter::doorListCsv(entries.value(), separator));
            } else {
                QPrinter printer(QPrinter::HighResolution);
                printer.setOutputFormat(QPrinter::PdfFormat);
                printer.setOutputFileName(path);
                printer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout::Millimeter);
                printer.setDocName(Tr::tr("Door list %1").arg(eventName));
                if (exporter::printDoorList(printer, eventName, entries.value()) == 0 || !QFileInfo(path).exists()
                    || QFileInfo(path).size() == 0)
                    result = core::makeError(QStringLiteral("gui.write"), Tr::tr("Could not write %1.").arg(path));
            }
            if (!result)
                showError(m_window, Tr::tr("Door list not saved"), result.error(), Tr::tr("Choose a folder you can write to and try again."));
            else
                m_window->statusBar()->showMessage(Tr::tr("Saved %1").arg(path), 5000);
            Q_EMIT finished(path, result.ok());
        });
}

// A save dialog for CSV files that also asks for the separator: one file type each, the one
// spreadsheet programs expect in this locale chosen first (";" where decimals are written "12,50").
QString ExportActions::saveCsvFileName(const QString &title, const QString &fileName, exporter::CsvSeparator *separator)
{
    const QString comma = Tr::tr("CSV, comma separated (*.csv)");
    const QString semicolon = Tr::tr("CSV, semicolon separated, decimal comma (*.csv)");
    QString selected = exporter::defaultCsvSeparator() == exporter::CsvSeparator::Semicolon ? semicolon : comma;
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(m_window, title, dir + u'/' + fileName,
                                                      QStringList { comma, semicolon }.join(QStringLiteral(";;")), &selected);
    *separator = selected == semicolon ? exporter::CsvSeparator::Semicolon : exporter::CsvSeparator::Comma;
    return path;
}

void ExportActions::exportOrderListInteractive(const db::OrderQuery &query)
{
    exporter::CsvSeparator separator = exporter::defaultCsvSeparator();
    const QString path = saveCsvFileName(Tr::tr("Export order list"), QStringLiteral("orders.csv"), &separator);
    if (!path.isEmpty())
        exportOrderList(query, path, separator);
}

QString ExportActions::chooseEvent()
{
    const QString filtered = m_eventFilter->currentData().toString();
    if (!filtered.isEmpty())
        return filtered;
    QStringList names;
    for (int i = 1; i < m_eventFilter->count(); ++i)
        names << m_eventFilter->itemText(i);
    if (names.isEmpty()) {
        QMessageBox::information(m_window, Tr::tr("No events"), Tr::tr("There are no orders yet. Press Sync (F5) first."));
        return {};
    }
    bool ok = false;
    const QString chosen = QInputDialog::getItem(m_window, Tr::tr("Door list"), Tr::tr("Event:"), names, 0, false, &ok);
    if (!ok)
        return {};
    return m_eventFilter->itemData(int(names.indexOf(chosen)) + 1).toString();
}

void ExportActions::doorListInteractive(DoorListFormat format, bool print)
{
    const QString eventId = chooseEvent();
    if (eventId.isEmpty())
        return;
    if (print) {
        m_worker.run(
            this, [eventId](db::Database &database) { return exporter::fetchDoorList(database, eventId); },
            [this, eventId](core::Result<QList<DoorEntry>> entries) {
                if (!entries) {
                    showError(m_window, Tr::tr("Door list not printed"), entries.error(), Tr::tr("Check the database connection and try again."));
                    return;
                }
                QPrinter printer(QPrinter::HighResolution);
                printer.setDocName(Tr::tr("Door list %1").arg(eventName(eventId)));
                QPrintDialog dialog(&printer, m_window);
                if (dialog.exec() != QDialog::Accepted)
                    return;
                exporter::printDoorList(printer, eventName(eventId), entries.value());
            });
        return;
    }
    const QString fileName = exporter::doorListFileName(eventName(eventId), QDate::currentDate(),
                                                        format == DoorListFormat::Csv ? QStringLiteral("csv") : QStringLiteral("pdf"));
    if (format == DoorListFormat::Csv) {
        exporter::CsvSeparator separator = exporter::defaultCsvSeparator();
        const QString path = saveCsvFileName(Tr::tr("Save door list"), fileName, &separator);
        if (!path.isEmpty())
            exportDoorList(eventId, path, format, separator);
        return;
    }
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString path = QFileDialog::getSaveFileName(m_window, Tr::tr("Save door list"), dir + u'/' + fileName, Tr::tr("PDF files (*.pdf)"));
    if (!path.isEmpty())
        exportDoorList(eventId, path, format);
}

} // namespace qrt::gui
