#pragma once

#include <QObject>
#include <QSqlDatabase>
#include <QTimer>

#include <memory>

namespace qrt::db {
class Database;
}

namespace qrt::gui {

// Tells the windows that another station (or this one's worker) changed the data. PostgreSQL:
// LISTEN qrtickets_changes on a dedicated connection owned by the GUI thread, whose socket the
// driver watches without blocking. SQLite: PRAGMA data_version every ~2 s on a GUI-thread
// connection (it only moves when another connection commits, and costs no I/O).
class ChangeWatcher : public QObject
{
    Q_OBJECT
public:
    explicit ChangeWatcher(std::shared_ptr<db::Database> database, QObject *parent = nullptr);
    ~ChangeWatcher() override;

    // Opens the watching connection, or opens it again when it was lost. Call it only once the
    // database has answered on a worker thread: opening blocks.
    bool start();
    // PostgreSQL: false as soon as the server closed the LISTEN connection (a restart, a dropped
    // network), which the driver notices without a round trip; start() then listens again.
    bool isListening() const;
    // For SQLite polling; PostgreSQL ignores it.
    void setPollInterval(int ms) { m_poll.setInterval(ms); }

Q_SIGNALS:
    // Coalesced: at most one per ~250 ms; table is the NOTIFY payload when known.
    void changed();

private:
    void drop();
    void poll();
    void onNotification(const QString &name);

    std::shared_ptr<db::Database> m_database;
    QString m_connectionName;
    QTimer m_poll;
    QTimer m_coalesce;
    qint64 m_dataVersion = -1;
    bool m_listening = false;
    bool m_postgresListening = false;
};

} // namespace qrt::gui
