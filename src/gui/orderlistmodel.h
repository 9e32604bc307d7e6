#pragma once

#include "core/result.h"
#include "db/orderrepository.h"
#include "gui/changewatcher.h"

#include <QAbstractTableModel>
#include <QTimer>

#include <atomic>
#include <memory>

namespace qrt::gui {

class DbWorker;

// The order list: pages of ~200 rows fetched on demand (canFetchMore/fetchMore) from
// OrderRepository on the DbWorker thread; searching, filtering and sorting happen in SQL. Every
// change of the query bumps a generation, so answers to older queries are dropped (and skipped
// before they run when a newer query is already waiting).
class OrderListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { OrderId, Contact, Email, Event, Live, Used, Cancelled, Total, PaymentStatus, Updated, ColumnCount };
    enum Role { OrderIdRole = Qt::UserRole + 1 };
    static constexpr int PageSize = 200;

    // Pages are read on worker; the total count of a filtered query on countWorker (a second
    // database thread, Services::countWorker), because counting scans more rows and must not
    // delay the next page.
    OrderListModel(DbWorker &worker, DbWorker &countWorker, QObject *parent = nullptr);
    ~OrderListModel() override;

    // Search text and filters; sorting and paging are kept by the model.
    void setSearch(const QString &text);
    void setEventFilter(const QString &eventId);
    void setPaymentFilter(const QString &paymentStatus);
    void setCheckInFilter(db::CheckInState state);
    db::OrderQuery query() const { return m_query; }
    bool isFiltered() const;

    // Reloads from the first page (after a query change).
    void reload();
    // false: reads nothing at all (a door station may not read the orders, issue 13 point 3);
    // true again reloads.
    void setReadable(bool readable);
    // Re-reads the rows already loaded, keeping them in place (live updates).
    void refresh();
    // Live updates: remembers what changed (the watcher's report) until refreshPending().
    void noteChanges(const ChangeSet &changes);
    bool hasPendingChanges() const { return !m_pending.isEmpty(); }
    // Applies the noted changes: re-reads only the changed orders (one query) and updates their
    // rows in place; a full refresh() instead when all or too many changed, or a change moves a
    // row (its sort key changed, it left or entered the filtered list). Nothing noted: refresh().
    void refreshPending();

    int totalCount() const { return m_total; } // -1 until counted
    bool isLoading() const { return m_loading; }
    QString orderIdAt(int row) const;
    const db::OrderRow *rowAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    // The first page of the current query arrived (rows may be 0).
    void loaded();
    void totalCountChanged(int total);
    void loadFailed(const qrt::core::Error &error);
    // A live refresh was applied: rowsRead rows read from the database; full: the loaded rows
    // were all re-read, else only the changed orders.
    void refreshed(int rowsRead, bool full);

private:
    // Asks the worker for the page at offset of the current query (skipped if a newer one came).
    void requestPage(int generation, int offset);
    void applyPage(int generation, int offset, core::Result<QList<db::OrderRow>> rows);
    void applyRefresh(int generation, int shown, core::Result<QList<db::OrderRow>> rows);
    void applyChanged(int generation, const QStringList &ids, core::Result<QList<db::OrderRow>> rows);
    bool beyondLoaded(const db::OrderRow &row) const;
    void requestCount();
    void startCount();

    DbWorker &m_worker;
    DbWorker &m_countWorker; // counting scans more rows: it must not delay the next page
    QTimer m_countDelay; // and it waits until typing pauses, so it does not compete with the next keystroke
    db::OrderQuery m_query;
    QList<db::OrderRow> m_rows;
    int m_total = -1;
    int m_generation = 0;
    std::shared_ptr<std::atomic<int>> m_latest;
    bool m_loading = false;
    bool m_fetching = false;
    bool m_atEnd = false;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    bool m_readable = true;
    ChangeSet m_pending; // noted by noteChanges(), not yet applied
};

} // namespace qrt::gui
