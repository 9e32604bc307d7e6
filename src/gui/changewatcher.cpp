#include "gui/changewatcher.h"

#include "db/database.h"
#include "gui/logging.h"

#include <QHash>
#include <QScopeGuard>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>

namespace qrt::gui {

void ChangeSet::merge(const ChangeSet &other)
{
    orderIds.unite(other.orderIds);
    if (other.allOrders && !allOrders) {
        allOrders = true;
        why = other.why;
    }
}

// The watcher's half on its own thread: the connection, the timers and the watermarks.
class ChangeWatch : public QObject
{
public:
    ChangeWatch(ChangeWatcher &owner, std::shared_ptr<db::Database> database)
        : m_owner(owner), m_database(std::move(database)), m_poll(new QTimer(this)), m_quiet(new QTimer(this)),
          m_maxWait(new QTimer(this))
    {
        m_connectionName = QStringLiteral("qrt-gui-watch-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        m_poll->setInterval(2000);
        connect(m_poll, &QTimer::timeout, this, &ChangeWatch::poll);
        // A burst (a sync writing, four doors scanning) gives one report: 100 ms after the last
        // change, and at most 2 s after the first.
        m_quiet->setSingleShot(true);
        m_quiet->setInterval(100);
        m_maxWait->setSingleShot(true);
        m_maxWait->setInterval(2000);
        connect(m_quiet, &QTimer::timeout, this, &ChangeWatch::flush);
        connect(m_maxWait, &QTimer::timeout, this, &ChangeWatch::flush);
    }
    ~ChangeWatch() override
    {
        m_dying = true; // the owner is being destroyed: no more signals
        drop();
    }

    void setPollInterval(int ms) { m_poll->setInterval(ms); }

    void start()
    {
        const auto finished = qScopeGuard([this] { Q_EMIT m_owner.startFinished(m_owner.m_listening.load()); });
        if (m_owner.m_listening.load() && connectionAlive())
            return;
        drop(); // an earlier attempt failed or the connection died: start afresh
        const bool sqlite = !m_database->isPostgres();
        db::Database::ConnectionOptions options;
        options.connectTimeoutS = 3;
        options.busyTimeoutMs = 200;
        options.applicationName = QStringLiteral("qrtickets-watch");
        QSqlDatabase db = m_database->addConnection(m_connectionName, options);
        if (!db.open()) {
            qCWarning(lcGui) << "change watcher: cannot open a connection:" << db.lastError().text();
            return;
        }
        if (!sqlite) {
            connect(db.driver(), &QSqlDriver::notification, this,
                    [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                        if (name == u"qrtickets_changes")
                            noteChange(payload.toString());
                    });
            if (!db.driver()->subscribeToNotification(QStringLiteral("qrtickets_changes"))) {
                qCWarning(lcGui) << "change watcher: LISTEN failed:" << db.driver()->lastError().text();
                return;
            }
            m_postgresListening = true;
        } else {
            m_dataVersion = dataVersion(db);
        }
        position(db);
        m_poll->start();
        setListening(true);
        ChangeSet all;
        all.allOrders = true;
        all.why = QStringLiteral("the watcher started listening; changes before that are unknown");
        Q_EMIT m_owner.changes(all);
        Q_EMIT m_owner.changed();
    }

    // A scan at this station: its own worker committed on another connection.
    void checkNow() { noteChange(QString()); }

private:
    bool connectionAlive() const
    {
        // QPSQL's isOpen() is libpq's connection status, which turns bad when the driver reads the
        // server's goodbye on the LISTEN socket.
        return QSqlDatabase::contains(m_connectionName) && QSqlDatabase::database(m_connectionName, false).isOpen();
    }

    void setListening(bool listening)
    {
        if (m_owner.m_listening.exchange(listening) != listening && !m_dying)
            Q_EMIT m_owner.listeningChanged(listening);
    }

    void drop()
    {
        m_poll->stop();
        if (QSqlDatabase::contains(m_connectionName)) {
            {
                QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
                if (m_postgresListening && db.isOpen() && db.driver())
                    db.driver()->unsubscribeFromNotification(QStringLiteral("qrtickets_changes"));
                db.close();
            }
            QSqlDatabase::removeDatabase(m_connectionName);
        }
        m_postgresListening = false;
        setListening(false);
    }

    static qint64 dataVersion(QSqlDatabase &db)
    {
        QSqlQuery q(db);
        return q.exec(QStringLiteral("PRAGMA data_version")) && q.next() ? q.value(0).toLongLong() : -1;
    }

    void poll()
    {
        if (!connectionAlive()) {
            if (m_postgresListening)
                qCInfo(lcGui) << "change watcher: the LISTEN connection was lost";
            m_poll->stop();
            setListening(false);
            return;
        }
        if (m_postgresListening)
            return;
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        const qint64 version = dataVersion(db);
        if (version >= 0 && version != m_dataVersion) {
            m_dataVersion = version;
            noteChange(QString());
        }
    }

    // table: the NOTIFY payload, or empty when unknown (SQLite, checkNow).
    void noteChange(const QString &table)
    {
        if (table.isEmpty() || table == u"ghl_qr_orders")
            m_ordersMoved = true;
        if (table.isEmpty() || table == u"ghl_qr_orders" || table == u"ghl_qr_tickets")
            m_ticketsMoved = true;
        m_quiet->start(); // restarts: waits for a quiet moment
        if (!m_maxWait->isActive())
            m_maxWait->start();
    }

    // Where "since" starts: the newest ticket event, the most recently updated orders.
    void position(QSqlDatabase &db)
    {
        QSqlQuery q(db);
        m_lastEventId = q.exec(QStringLiteral("SELECT max(id) FROM ticket_events")) && q.next() ? q.value(0).toLongLong() : 0;
        recentOrders(db, &m_recent);
    }

    // The MaxChangedOrders + 1 most recently updated orders and their updated_at: an order a sync
    // (anywhere) writes moves to the top.
    static bool recentOrders(QSqlDatabase &db, QHash<QString, QString> *out)
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT order_id, updated_at FROM ghl_qr_orders WHERE updated_at IS NOT NULL "
                                   "ORDER BY updated_at DESC LIMIT %1")
                        .arg(ChangeWatcher::MaxChangedOrders + 1)))
            return false;
        out->clear();
        while (q.next())
            out->insert(q.value(0).toString(), q.value(1).toString());
        return true;
    }

    void flush()
    {
        m_quiet->stop();
        m_maxWait->stop();
        ChangeSet set;
        if (connectionAlive() && (m_ticketsMoved || m_ordersMoved)) {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            if (m_ticketsMoved)
                readTicketEvents(db, set);
            if (m_ordersMoved)
                readOrders(db, set);
        }
        m_ticketsMoved = m_ordersMoved = false;
        if (!set.allOrders && set.orderIds.size() > ChangeWatcher::MaxChangedOrders) {
            set.allOrders = true;
            set.why = QStringLiteral("%1 orders changed").arg(set.orderIds.size());
        }
        if (set.allOrders)
            set.orderIds.clear();
        if (!set.isEmpty())
            Q_EMIT m_owner.changes(set);
        Q_EMIT m_owner.changed();
    }

    void readTicketEvents(QSqlDatabase &db, ChangeSet &set)
    {
        QSqlQuery q(db);
        q.prepare(QStringLiteral("SELECT id, order_id FROM ticket_events WHERE id > ? ORDER BY id LIMIT %1")
                      .arg(ChangeWatcher::MaxChangedOrders + 1));
        q.addBindValue(m_lastEventId);
        if (!q.exec()) {
            set.allOrders = true;
            set.why = QStringLiteral("reading ticket_events failed: ") + q.lastError().text();
            return;
        }
        int n = 0;
        while (q.next()) {
            ++n;
            m_lastEventId = q.value(0).toLongLong();
            set.orderIds.insert(q.value(1).toString());
        }
        if (n > ChangeWatcher::MaxChangedOrders) {
            set.allOrders = true;
            set.why = QStringLiteral("more than %1 ticket changes").arg(ChangeWatcher::MaxChangedOrders);
            QSqlQuery last(db);
            if (last.exec(QStringLiteral("SELECT max(id) FROM ticket_events")) && last.next())
                m_lastEventId = last.value(0).toLongLong();
        }
    }

    void readOrders(QSqlDatabase &db, ChangeSet &set)
    {
        QHash<QString, QString> now;
        if (!recentOrders(db, &now)) {
            set.allOrders = true;
            set.why = QStringLiteral("reading the recent orders failed");
            return;
        }
        int moved = 0;
        for (auto it = now.cbegin(); it != now.cend(); ++it) {
            if (m_recent.value(it.key()) != it.value()) {
                ++moved;
                set.orderIds.insert(it.key());
            }
        }
        if (moved > ChangeWatcher::MaxChangedOrders) {
            set.allOrders = true;
            set.why = QStringLiteral("more than %1 orders written").arg(ChangeWatcher::MaxChangedOrders);
        }
        m_recent = std::move(now);
    }

    ChangeWatcher &m_owner;
    std::shared_ptr<db::Database> m_database;
    QString m_connectionName;
    QTimer *m_poll;
    QTimer *m_quiet;
    QTimer *m_maxWait;
    qint64 m_dataVersion = -1;
    qint64 m_lastEventId = 0;
    QHash<QString, QString> m_recent; // order_id -> updated_at of the most recently updated orders
    bool m_postgresListening = false;
    bool m_ticketsMoved = false;
    bool m_ordersMoved = false;
    bool m_dying = false;
};

ChangeWatcher::ChangeWatcher(std::shared_ptr<db::Database> database, QObject *parent)
    : QObject(parent), m_database(std::move(database))
{
    qRegisterMetaType<qrt::gui::ChangeSet>();
    m_thread.setObjectName(QStringLiteral("qrt-gui-watch"));
    m_watch = new ChangeWatch(*this, m_database);
    m_watch->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_watch, &QObject::deleteLater);
    m_thread.start();
}

ChangeWatcher::~ChangeWatcher()
{
    // The watch (and its connection) is deleted on its thread as the thread finishes.
    m_thread.quit();
    m_thread.wait();
}

void ChangeWatcher::start()
{
    QMetaObject::invokeMethod(m_watch, [watch = m_watch] { watch->start(); }, Qt::QueuedConnection);
}

void ChangeWatcher::setPollInterval(int ms)
{
    QMetaObject::invokeMethod(m_watch, [watch = m_watch, ms] { watch->setPollInterval(ms); }, Qt::QueuedConnection);
}

void ChangeWatcher::checkNow()
{
    QMetaObject::invokeMethod(m_watch, [watch = m_watch] { watch->checkNow(); }, Qt::QueuedConnection);
}

} // namespace qrt::gui
