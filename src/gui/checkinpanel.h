#pragma once

#include "core/result.h"
#include "db/orderrepository.h"
#include "db/ticketrepository.h"
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
// colour so it stays readable in dark mode.
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

Q_SIGNALS:
    // Tickets changed at this station (admitted or undone): views refresh.
    void ticketsChanged();

public:
    struct Outcome
    {
        ScanInput input;
        core::Result<db::AdmitResult> admit = db::AdmitResult {};
        std::optional<db::OrderRow> order;
        int admittedNow = 0; // "admit all" may admit several
    };

private:
    void startNext();
    void runAdmit(const ScanInput &input, bool all);
    void show(const Outcome &outcome);
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
    qint64 m_lastAdmitted = 0; // for Undo
};

} // namespace qrt::gui
