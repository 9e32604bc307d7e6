#include "gui/ticketmodels.h"

#include <QCoreApplication>
#include <QLocale>

namespace qrt::gui {

QString statusText(core::TicketStatus status)
{
    return core::displayName(status);
}

namespace {
QString shortTime(const QDateTime &t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : QString();
}
} // namespace

// --- TicketModel ---------------------------------------------------------------------------------

void TicketModel::setTickets(const QList<core::Ticket> &tickets)
{
    // Same tickets in the same order: update in place so the selection survives a live refresh.
    bool sameIds = tickets.size() == m_tickets.size();
    for (int i = 0; sameIds && i < tickets.size(); ++i)
        sameIds = tickets[i].ticketId == m_tickets[i].ticketId;
    if (sameIds) {
        m_tickets = tickets;
        if (!m_tickets.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_tickets.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_tickets = tickets;
    endResetModel();
}

const core::Ticket *TicketModel::ticketAt(int row) const
{
    return row >= 0 && row < m_tickets.size() ? &m_tickets[row] : nullptr;
}

int TicketModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_tickets.size());
}

int TicketModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TicketModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::Ticket &t = m_tickets[index.row()];
    if (role == TicketIdRole)
        return t.ticketId;
    if (role == StatusRole)
        return core::toString(t.status);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Id: return t.ticketId;
    case Type: return t.ticketType;
    case Status: return statusText(t.status);
    case Code: return t.code;
    case Updated: return shortTime(t.updatedAt);
    case UpdatedBy: return t.updatedBy;
    default: return {};
    }
}

QVariant TicketModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Id: return tr("Ticket");
    case Type: return tr("Type");
    case Status: return tr("Status");
    case Code: return tr("Code");
    case Updated: return tr("Changed");
    case UpdatedBy: return tr("By");
    default: return {};
    }
}

// --- HistoryModel --------------------------------------------------------------------------------

void HistoryModel::setEvents(const QList<core::TicketEvent> &events)
{
    beginResetModel();
    m_events = events;
    std::sort(m_events.begin(), m_events.end(),
              [](const core::TicketEvent &a, const core::TicketEvent &b) { return a.at > b.at || (a.at == b.at && a.id > b.id); });
    endResetModel();
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid) || role != Qt::DisplayRole)
        return {};
    const core::TicketEvent &e = m_events[index.row()];
    switch (index.column()) {
    case When: return shortTime(e.at);
    case Ticket: return e.ticketId;
    case From: return e.from ? statusText(*e.from) : tr("(new)");
    case To: return statusText(e.to);
    case Actor: return e.actor;
    case Reason: return e.reason;
    default: return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case When: return tr("When");
    case Ticket: return tr("Ticket");
    case From: return tr("From");
    case To: return tr("To");
    case Actor: return tr("By");
    case Reason: return tr("Reason");
    default: return {};
    }
}

// --- OverviewModel -------------------------------------------------------------------------------

void OverviewModel::setRows(const QList<db::OverviewRow> &rows)
{
    bool sameKeys = rows.size() == m_rows.size();
    for (int i = 0; sameKeys && i < rows.size(); ++i)
        sameKeys = rows[i].eventId == m_rows[i].eventId && rows[i].ticketType == m_rows[i].ticketType;
    if (sameKeys) {
        m_rows = rows;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int OverviewModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int OverviewModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OverviewModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const db::OverviewRow &r = m_rows[index.row()];
    if (role == Qt::TextAlignmentRole)
        return index.column() >= Sold ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case Event: return r.eventName.isEmpty() ? r.eventId : r.eventName;
    case TicketType: return r.ticketType;
    case Sold: return r.sold;
    case Admitted: return r.admitted;
    case Remaining: return r.remaining;
    case Cancelled: return r.cancelled;
    default: return {};
    }
}

QVariant OverviewModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Event: return tr("Event");
    case TicketType: return tr("Ticket type");
    case Sold: return tr("Sold");
    case Admitted: return tr("Admitted");
    case Remaining: return tr("Remaining");
    case Cancelled: return tr("Cancelled");
    default: return {};
    }
}

} // namespace qrt::gui
