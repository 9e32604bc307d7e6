#include "gui/orderlistmodel.h"

#include "db/searchtext.h"
#include "gui/dbworker.h"
#include "gui/logging.h"

#include <QLocale>

namespace qrt::gui {

OrderListModel::OrderListModel(DbWorker &worker, DbWorker &countWorker, QObject *parent)
    : QAbstractTableModel(parent), m_worker(worker), m_countWorker(countWorker),
      m_latest(std::make_shared<std::atomic<int>>(0))
{
    m_query.limit = PageSize;
    m_countDelay.setSingleShot(true);
    m_countDelay.setInterval(250);
    connect(&m_countDelay, &QTimer::timeout, this, &OrderListModel::startCount);
}

OrderListModel::~OrderListModel() = default;

namespace {
// The same test as OrderRepository's SQL: every word (folded as db::foldForSearch folds it) is in
// the order's folded search text (order id, names, e-mail, phone; at most 8 words count).
bool matches(const db::OrderRow &row, const QStringList &words)
{
    const QString text = db::searchTextOf(row.order);
    for (const QString &w : words) {
        if (!text.contains(w))
            return false;
    }
    return true;
}
} // namespace

void OrderListModel::setSearch(const QString &text)
{
    const QString before = db::foldForSearch(m_query.search.simplified());
    const QString after = db::foldForSearch(text.simplified());
    if (after == before)
        return;
    m_query.search = text;
    // Typing one more character only narrows the result. When every row of the previous result is
    // loaded, filter them here instead of asking the database to scan the whole table again
    // (the slow case: a rare match has to look at every row).
    const QStringList words = after.split(u' ', Qt::SkipEmptyParts);
    if (!before.isEmpty() && after.startsWith(before) && words.size() <= 8 && m_atEnd && !m_loading && !m_fetching) {
        ++m_generation;
        m_latest->store(m_generation);
        m_refreshing = false;
        QList<db::OrderRow> kept;
        for (const db::OrderRow &row : std::as_const(m_rows)) {
            if (matches(row, words))
                kept.append(row);
        }
        beginResetModel();
        m_rows = std::move(kept);
        endResetModel();
        m_total = int(m_rows.size());
        Q_EMIT totalCountChanged(m_total);
        Q_EMIT loaded();
        return;
    }
    reload();
}

void OrderListModel::setEventFilter(const QString &eventId)
{
    if (eventId == m_query.eventId)
        return;
    m_query.eventId = eventId;
    reload();
}

void OrderListModel::setPaymentFilter(const QString &paymentStatus)
{
    if (paymentStatus == m_query.paymentStatus)
        return;
    m_query.paymentStatus = paymentStatus;
    reload();
}

void OrderListModel::setCheckInFilter(db::CheckInState state)
{
    if (state == m_query.checkIn)
        return;
    m_query.checkIn = state;
    reload();
}

bool OrderListModel::isFiltered() const
{
    return !m_query.search.trimmed().isEmpty() || !m_query.eventId.isEmpty() || !m_query.paymentStatus.isEmpty()
        || m_query.checkIn != db::CheckInState::Any;
}

void OrderListModel::reload()
{
    const int generation = ++m_generation;
    m_latest->store(generation);
    m_loading = true;
    m_fetching = true;
    m_refreshing = false;
    requestPage(generation, 0);
}

void OrderListModel::requestPage(int generation, int offset)
{
    db::OrderQuery q = m_query;
    q.offset = offset;
    q.limit = PageSize + 1; // one more than shown: tells whether another page exists
    auto latest = m_latest;
    m_worker.run(
        this,
        [q, latest, generation](db::Database &database) -> core::Result<QList<db::OrderRow>> {
            // A newer query is already queued: skip the work, nobody will look at it.
            if (latest->load() != generation)
                return QList<db::OrderRow>();
            return db::OrderRepository(database).list(q);
        },
        [this, generation, offset](core::Result<QList<db::OrderRow>> rows) {
            applyPage(generation, offset, std::move(rows));
        });
}

void OrderListModel::requestCount()
{
    m_countDelay.start();
}

void OrderListModel::startCount()
{
    const int generation = m_generation;
    db::OrderQuery q = m_query;
    auto latest = m_latest;
    m_countWorker.run(
        this,
        [q, latest, generation](db::Database &database) -> core::Result<int> {
            if (latest->load() != generation)
                return -1;
            return db::OrderRepository(database).count(q);
        },
        [this, generation](core::Result<int> total) {
            if (generation != m_generation || !total)
                return;
            m_total = total.value();
            Q_EMIT totalCountChanged(m_total);
        });
}

void OrderListModel::applyPage(int generation, int offset, core::Result<QList<db::OrderRow>> rows)
{
    if (generation != m_generation)
        return;
    m_fetching = false;
    if (!rows) {
        m_loading = false;
        qCWarning(lcGui) << "order list:" << rows.error().toString();
        Q_EMIT loadFailed(rows.error());
        return;
    }
    QList<db::OrderRow> page = std::move(rows).value();
    const bool full = page.size() > PageSize;
    if (full)
        page.resize(PageSize);
    if (offset == 0) {
        beginResetModel();
        m_rows = std::move(page);
        m_atEnd = !full;
        endResetModel();
        m_loading = false;
        if (m_atEnd) {
            m_total = int(m_rows.size());
            Q_EMIT totalCountChanged(m_total);
        } else {
            m_total = -1;
            requestCount();
        }
        Q_EMIT loaded();
        return;
    }
    if (offset != m_rows.size()) {
        // A refresh changed the rows since this page was asked for: it would duplicate or skip
        // rows. Ask again at the right offset (a view already at the bottom would not).
        if (!m_atEnd && !m_rows.isEmpty()) {
            m_fetching = true;
            requestPage(generation, int(m_rows.size()));
        }
        return;
    }
    m_atEnd = !full;
    if (!page.isEmpty()) {
        // Still "fetching" while the rows go in: a view (or QAbstractItemModelTester) reacting to
        // rowsInserted may call fetchMore(), which must not ask for this offset a second time.
        m_fetching = true;
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + page.size() - 1));
        m_rows.append(page);
        endInsertRows();
        m_fetching = false;
    }
    if (m_refreshAgain)
        refresh();
}

void OrderListModel::refresh()
{
    if (m_loading || m_fetching || m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshing = true;
    m_refreshAgain = false;
    const int generation = m_generation;
    db::OrderQuery q = m_query;
    q.offset = 0;
    q.limit = std::clamp(int(m_rows.size()), PageSize, 10000);
    const int shown = q.limit;
    q.limit += 1; // one more than shown: tells whether more rows exist beyond the refreshed ones
    m_worker.run(
        this, [q](db::Database &database) { return db::OrderRepository(database).list(q); },
        [this, generation, shown](core::Result<QList<db::OrderRow>> rows) {
            applyRefresh(generation, shown, std::move(rows));
        });
}

void OrderListModel::applyRefresh(int generation, int shown, core::Result<QList<db::OrderRow>> rows)
{
    if (generation != m_generation)
        return;
    m_refreshing = false;
    if (!rows) {
        Q_EMIT loadFailed(rows.error());
        return;
    }
    QList<db::OrderRow> fresh = std::move(rows).value();
    // Rows keep arriving while a sync writes: a list that was complete at 37 rows may hold 450
    // now. Whether more exist is what this answer says, not what an earlier one said.
    const bool more = fresh.size() > shown;
    if (more)
        fresh.resize(shown);
    const int oldCount = int(m_rows.size());
    const int newCount = int(fresh.size());
    const int common = std::min(oldCount, newCount);
    if (newCount < oldCount) {
        beginRemoveRows({}, newCount, oldCount - 1);
        m_rows.resize(newCount);
        endRemoveRows();
    }
    for (int i = 0; i < common; ++i)
        m_rows[i] = fresh[i];
    if (common > 0)
        Q_EMIT dataChanged(index(0, 0), index(common - 1, ColumnCount - 1));
    if (newCount > oldCount) {
        beginInsertRows({}, oldCount, newCount - 1);
        m_rows.append(fresh.mid(oldCount));
        endInsertRows();
    }
    m_atEnd = !more;
    requestCount();
    if (m_refreshAgain)
        refresh();
}

QString OrderListModel::orderIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows[row].order.orderId : QString();
}

const db::OrderRow *OrderListModel::rowAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? &m_rows[row] : nullptr;
}

int OrderListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OrderListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrderListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const db::OrderRow &row = m_rows[index.row()];
    const core::Order &o = row.order;
    if (role == OrderIdRole)
        return o.orderId;
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
        case Live:
        case Used:
        case Cancelled:
        case Total:
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        default:
            return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
        }
    }
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case OrderId: return o.orderId;
    case Contact: return o.contactName();
    case Email: return o.contactEmail;
    case Event: return row.eventNames();
    case Live: return row.tickets.live;
    case Used: return row.tickets.used;
    case Cancelled: return row.tickets.cancelled;
    case Total:
        return o.paymentCurrency.isEmpty() ? locale.toString(o.totalPaid, 'f', 2)
                                           : locale.toString(o.totalPaid, 'f', 2) + u' ' + o.paymentCurrency;
    case PaymentStatus: return core::paymentStatusDisplayName(o.paymentStatus);
    case Updated: return locale.toString(o.updatedAt.toLocalTime(), QLocale::NarrowFormat);
    default: return {};
    }
}

QVariant OrderListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case OrderId: return tr("Order");
    case Contact: return tr("Contact");
    case Email: return tr("E-mail");
    case Event: return tr("Event");
    case Live: return tr("Live");
    case Used: return tr("Used");
    case Cancelled: return tr("Cancelled");
    case Total: return tr("Total");
    case PaymentStatus: return tr("Payment");
    case Updated: return tr("Updated");
    default: return {};
    }
}

void OrderListModel::sort(int column, Qt::SortOrder order)
{
    static const db::OrderSort kSorts[ColumnCount] = {
        db::OrderSort::OrderId, db::OrderSort::Contact, db::OrderSort::Email,     db::OrderSort::Event,
        db::OrderSort::Live,    db::OrderSort::Used,    db::OrderSort::Cancelled, db::OrderSort::Total,
        db::OrderSort::PaymentStatus, db::OrderSort::Updated,
    };
    const db::OrderSort sort = column >= 0 && column < ColumnCount ? kSorts[column] : db::OrderSort::DateAdded;
    if (sort == m_query.sort && order == m_query.order && m_generation > 0)
        return;
    m_query.sort = sort;
    m_query.order = order;
    reload();
}

bool OrderListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_atEnd && !m_fetching && !m_rows.isEmpty();
}

void OrderListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetching = true;
    requestPage(m_generation, int(m_rows.size()));
}

} // namespace qrt::gui
