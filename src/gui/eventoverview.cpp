#include "gui/eventoverview.h"

#include "db/arrivals.h"
#include "db/ticketrepository.h"
#include "gui/arrivalschart.h"
#include "gui/dbworker.h"
#include "gui/ticketmodels.h"

#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace qrt::gui {

EventOverview::EventOverview(DbWorker &worker, QWidget *parent) : QWidget(parent), m_worker(worker)
{
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("overviewSummary"));
    QFont font = m_summary->font();
    font.setPointSizeF(font.pointSizeF() * 1.4);
    m_summary->setFont(font);
    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("overviewView"));
    m_view->setAccessibleName(tr("Event overview"));
    m_model = new OverviewModel(this);
    m_view->setModel(m_model);
    m_view->verticalHeader()->hide();
    m_view->setAlternatingRowColors(true);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setMinimumSectionSize(m_view->fontMetrics().horizontalAdvance(QStringLiteral("Remaining")) * 3 / 2);
    m_view->horizontalHeader()->setSectionResizeMode(OverviewModel::Event, QHeaderView::Stretch);
    m_arrivals = new ArrivalsChart(this);
    m_arrivals->setObjectName(QStringLiteral("arrivals"));
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("overviewSplitter"));
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_view);
    splitter->addWidget(m_arrivals);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(m_summary);
    layout->addWidget(splitter, 1);
}

namespace {
// One read of everything the overview shows, on the worker thread.
struct Snapshot
{
    core::Result<QList<db::OverviewRow>> rows;
    core::Result<db::ArrivalsReport> arrivals;
};
} // namespace

void EventOverview::refresh()
{
    if (m_busy) {
        m_again = true;
        return;
    }
    m_busy = true;
    m_again = false;
    m_worker.run(
        this,
        [door = m_doorViews](db::Database &database) {
            return Snapshot { db::TicketRepository(database).overview(door), db::ArrivalsRepository(database, door).arrivals() };
        },
        [this](Snapshot snapshot) {
            m_busy = false;
            const core::Result<QList<db::OverviewRow>> &rows = snapshot.rows;
            if (rows && snapshot.arrivals) {
                QHash<QString, QString> names;
                for (const db::OverviewRow &r : rows.value())
                    names.insert(r.eventId, r.eventName);
                m_arrivals->setReport(snapshot.arrivals.value(), names);
            }
            if (!rows) {
                m_summary->setText(rows.error().message);
            } else {
                m_model->setRows(rows.value());
                int sold = 0, admitted = 0;
                for (const db::OverviewRow &r : rows.value()) {
                    sold += r.sold;
                    admitted += r.admitted;
                }
                if (!snapshot.arrivals)
                    m_summary->setText(snapshot.arrivals.error().message);
                else
                    m_summary->setText(rows->isEmpty()
                                           ? tr("No tickets yet. Press Sync (F5) to fetch orders from GHL.")
                                           : tr("%1 of %n ticket(s) admitted, %2 still to come.", nullptr, sold)
                                                 .arg(admitted)
                                                 .arg(sold - admitted));
            }
            Q_EMIT refreshed();
            if (m_again)
                refresh();
        });
}

} // namespace qrt::gui
