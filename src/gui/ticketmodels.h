#pragma once

#include "core/ticket.h"
#include "db/ticketrepository.h"

#include <QAbstractTableModel>

namespace qrt::gui {

// The tickets of one order (order page).
class TicketModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Id, Type, Status, Code, Updated, UpdatedBy, ColumnCount };
    enum Role { TicketIdRole = Qt::UserRole + 1, StatusRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setTickets(const QList<core::Ticket> &tickets);
    const QList<core::Ticket> &tickets() const { return m_tickets; }
    const core::Ticket *ticketAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<core::Ticket> m_tickets;
};

// ticket_events of one order, newest first.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { When, Ticket, From, To, Actor, Reason, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setEvents(const QList<core::TicketEvent> &events);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<core::TicketEvent> m_events;
};

// Per event and ticket type: sold / admitted / remaining / cancelled.
class OverviewModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Event, TicketType, Sold, Admitted, Remaining, Cancelled, ColumnCount };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(const QList<db::OverviewRow> &rows);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<db::OverviewRow> m_rows;
};

// "live" / "used" / "cancelled" in the user's language.
QString statusText(core::TicketStatus status);

} // namespace qrt::gui
