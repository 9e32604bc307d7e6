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
    m_pending = ChangeSet(); // the first page is read after every change noted so far
    m_countDelay.stop(); // a count asked for by an earlier refresh would count this query before its rows arrive
    requestPage(generation, 0);
}

void OrderListModel::setReadable(bool readable)
{
    if (readable == m_readable)
        return;
    m_readable = readable;
    if (readable)
        reload();
}

void OrderListModel::requestPage(int generation, int offset)
{
    if (!m_readable)
        return;
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
    if (!m_readable)
        return;
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
            // While the first page of this query is still on its way, the rows shown are another
            // query's: a count now would not match them (the page asks again if needed).
            if (generation != m_generation || !total || m_loading)
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
        refreshPending();
}

void OrderListModel::refresh()
{
    if (!m_pending.allOrders) {
        m_pending.allOrders = true;
        m_pending.why = QStringLiteral("a full refresh was asked for");
    }
    refreshPending();
}

void OrderListModel::noteChanges(const ChangeSet &changes)
{
    m_pending.merge(changes);
}

namespace {
// The value a row is sorted by, for telling whether a change moved it (compared for equality).
QVariant sortKey(const db::OrderRow &row, db::OrderSort sort)
{
    const core::Order &o = row.order;
    switch (sort) {
    case db::OrderSort::OrderId: return o.orderId;
    case db::OrderSort::Contact: return QString(o.contactLastName + u'\0' + o.contactFirstName);
    case db::OrderSort::Email: return o.contactEmail;
    case db::OrderSort::Event: return o.eventName;
    case db::OrderSort::Live: return row.tickets.live;
    case db::OrderSort::Used: return row.tickets.used;
    case db::OrderSort::Cancelled: return row.tickets.cancelled;
    case db::OrderSort::Total: return o.totalPaid;
    case db::OrderSort::PaymentStatus: return o.paymentStatus;
    case db::OrderSort::Updated: return o.updatedAt;
    case db::OrderSort::DateAdded: return o.dateAdded;
    }
    return {};
}
} // namespace

bool OrderListModel::beyondLoaded(const db::OrderRow &row) const
{
    // Only for numbers and times, which compare here as in SQL; names and texts sort by the
    // database's collation: unsure, so not "beyond".
    if (m_rows.isEmpty())
        return false;
    const db::OrderRow &last = m_rows.last();
    const QVariant a = sortKey(row, m_query.sort), b = sortKey(last, m_query.sort);
    int cmp = 0;
    switch (m_query.sort) {
    case db::OrderSort::Live:
    case db::OrderSort::Used:
    case db::OrderSort::Cancelled: cmp = a.toInt() < b.toInt() ? -1 : a.toInt() > b.toInt() ? 1 : 0; break;
    case db::OrderSort::Total: cmp = a.toDouble() < b.toDouble() ? -1 : a.toDouble() > b.toDouble() ? 1 : 0; break;
    case db::OrderSort::Updated:
    case db::OrderSort::DateAdded: {
        const QDateTime x = a.toDateTime(), y = b.toDateTime();
        if (!x.isValid() || !y.isValid())
            return false;
        cmp = x < y ? -1 : x > y ? 1 : 0;
        break;
    }
    default: return false;
    }
    if (cmp == 0)
        return false; // the order_id tie-break is the database's collation
    return m_query.order == Qt::AscendingOrder ? cmp > 0 : cmp < 0;
}

void OrderListModel::refreshPending()
{
    if (!m_readable)
        return;
    if (m_loading || m_fetching || m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    m_refreshAgain = false;
    if (m_pending.isEmpty()) {
        m_pending.allOrders = true;
        m_pending.why = QStringLiteral("a refresh without a list of changes");
    }
    const ChangeSet changes = std::exchange(m_pending, ChangeSet());
    if (!changes.allOrders && changes.orderIds.size() <= ChangeWatcher::MaxChangedOrders) {
        m_refreshing = true;
        const int generation = m_generation;
        const QStringList ids(changes.orderIds.cbegin(), changes.orderIds.cend());
        db::OrderQuery q = m_query;
        q.orderIds = ids;
        q.offset = 0;
        q.limit = int(ids.size());
        m_worker.run(
            this, [q](db::Database &database) { return db::OrderRepository(database).list(q); },
            [this, generation, ids](core::Result<QList<db::OrderRow>> rows) { applyChanged(generation, ids, std::move(rows)); });
        return;
    }
    qCDebug(lcGui) << "order list: full refresh:"
                   << (changes.allOrders ? changes.why : QStringLiteral("%1 orders changed").arg(changes.orderIds.size()));
    m_refreshing = true;
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
    Q_EMIT refreshed(newCount, true);
    if (m_refreshAgain)
        refreshPending();
}

void OrderListModel::applyChanged(int generation, const QStringList &ids, core::Result<QList<db::OrderRow>> rows)
{
    if (generation != m_generation)
        return; // the query changed: the reload read everything fresh
    m_refreshing = false;
    if (!rows) {
        Q_EMIT loadFailed(rows.error());
        return;
    }
    QHash<QString, db::OrderRow> fresh;
    for (db::OrderRow &row : rows.value())
        fresh.insert(row.order.orderId, std::move(row));
    QHash<QString, int> loaded;
    loaded.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        loaded.insert(m_rows[i].order.orderId, i);
    QString moved; // why the rows have to be read again in full
    QList<int> update;
    for (const QString &id : ids) {
        const int at = loaded.value(id, -1);
        const auto f = fresh.constFind(id);
        if (at >= 0 && f != fresh.cend()) {
            if (sortKey(m_rows[at], m_query.sort) != sortKey(*f, m_query.sort))
                moved = QStringLiteral("order %1 changed its place in the sort").arg(id);
            else
                update << at;
        } else if (at >= 0) {
            moved = QStringLiteral("order %1 left the list (search or filters)").arg(id);
        } else if (f != fresh.cend() && (m_atEnd || !beyondLoaded(*f))) {
            moved = QStringLiteral("order %1 entered the loaded rows").arg(id);
        }
        if (!moved.isEmpty())
            break;
    }
    if (!moved.isEmpty()) {
        m_pending.allOrders = true;
        m_pending.why = moved;
        refreshPending();
        return;
    }
    for (int at : std::as_const(update)) {
        m_rows[at] = fresh.value(m_rows[at].order.orderId);
        Q_EMIT dataChanged(index(at, 0), index(at, ColumnCount - 1));
    }
    Q_EMIT refreshed(int(fresh.size()), false);
    if (m_refreshAgain)
        refreshPending();
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
