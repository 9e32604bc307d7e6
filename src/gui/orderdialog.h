#pragma once

#include "core/ticketstatus.h"

#include <QDialog>
#include <QImage>

#include <memory>

class QLabel;

namespace Ui {
class OrderDialog;
}

namespace qrt::gui {

struct Services;
class DbWorker;
class TicketModel;
class HistoryModel;

// One order: contact and payment, its QR code (made locally), the ticket table with single and
// bulk status changes, "Admit next" (through the door's verdict path, its verdict shown under the
// buttons), and the audit trail. Non-modal; refreshes on reload().
class OrderDialog : public QDialog
{
    Q_OBJECT
public:
    OrderDialog(Services &services, DbWorker &worker, const QString &orderId, QWidget *parent = nullptr);
    ~OrderDialog() override;

    QString orderId() const { return m_orderId; }
    void reload();
    // "Print tickets...": asks where to save, then printTicketsTo().
    void printTickets();
    // Writes the order's ticket PDF (tickets::renderTicketPdf, off the GUI thread) to path, then
    // says so with an offer to open it (a QMessageBox "ticketsSavedBox"); ticketsPrinted() follows.
    void printTicketsTo(const QString &path);

Q_SIGNALS:
    void ticketsChanged();
    // Finished reading the order (after open and after every reload).
    void loaded();
    // The ticket PDF was written (count: its pages) or not (count 0, error: why).
    void ticketsPrinted(const QString &path, int count, const QString &error);

private:
    void applyStatus(bool all);
    void admitNext(bool unpaidConfirmed);
    void copyQr();
    void saveQr();
    void updateButtons();

    std::unique_ptr<Ui::OrderDialog> m_ui;
    Services &m_services;
    DbWorker &m_worker;
    QString m_orderId;
    TicketModel *m_tickets = nullptr;
    HistoryModel *m_history = nullptr;
    QImage m_qr;
    bool m_busy = false;
    bool m_printing = false; // a ticket PDF is being written
    QLabel *m_verdictLabel = nullptr; // the last "Admit next" verdict
};

} // namespace qrt::gui
