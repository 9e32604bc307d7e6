#include "gui/changewatcher.h"

#include "db/database.h"
#include "gui/logging.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace qrt::gui {

ChangeWatcher::ChangeWatcher(std::shared_ptr<db::Database> database, QObject *parent)
    : QObject(parent), m_database(std::move(database))
{
    m_connectionName = QStringLiteral("qrt-gui-watch-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_poll.setInterval(2000);
    connect(&m_poll, &QTimer::timeout, this, &ChangeWatcher::poll);
    m_coalesce.setSingleShot(true);
    m_coalesce.setInterval(250);
    connect(&m_coalesce, &QTimer::timeout, this, &ChangeWatcher::changed);
}

ChangeWatcher::~ChangeWatcher()
{
    drop();
}

void ChangeWatcher::drop()
{
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
            if (m_postgresListening && db.isOpen() && db.driver())
                db.driver()->unsubscribeFromNotification(QStringLiteral("qrtickets_changes"));
            db.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    m_listening = false;
    m_postgresListening = false;
}

bool ChangeWatcher::isListening() const
{
    if (!m_postgresListening)
        return m_listening;
    // QPSQL's isOpen() is libpq's connection status, which turns bad when the driver reads the
    // server's goodbye on the LISTEN socket.
    return QSqlDatabase::database(m_connectionName, false).isOpen();
}

bool ChangeWatcher::start()
{
    if (isListening())
        return true;
    if (m_postgresListening)
        qCInfo(lcGui) << "change watcher: the LISTEN connection was lost; listening again";
    drop(); // an earlier attempt failed or the connection died: start afresh
    const bool sqlite = !m_database->isPostgres();
    {
        db::Database::ConnectionOptions options;
        options.connectTimeoutS = 3;
        options.busyTimeoutMs = 200;
        options.applicationName = QStringLiteral("qrtickets-watch");
        QSqlDatabase db = m_database->addConnection(m_connectionName, options);
        if (!db.open()) {
            qCWarning(lcGui) << "change watcher: cannot open a connection:" << db.lastError().text();
            if (sqlite)
                m_poll.start(); // the file may appear later
            return false;
        }
        if (!sqlite) {
            connect(db.driver(), &QSqlDriver::notification, this,
                    [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &) { onNotification(name); });
            m_listening = db.driver()->subscribeToNotification(QStringLiteral("qrtickets_changes"));
            m_postgresListening = m_listening;
            if (!m_listening)
                qCWarning(lcGui) << "change watcher: LISTEN failed:" << db.driver()->lastError().text();
            return m_listening;
        }
    }
    m_listening = true;
    poll();
    m_poll.start();
    return true;
}

void ChangeWatcher::poll()
{
    QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
    if (!db.isOpen() && !db.open())
        return;
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA data_version")) || !q.next())
        return;
    const qint64 version = q.value(0).toLongLong();
    if (m_dataVersion >= 0 && version != m_dataVersion && !m_coalesce.isActive())
        m_coalesce.start();
    m_dataVersion = version;
}

void ChangeWatcher::onNotification(const QString &name)
{
    if (name == u"qrtickets_changes" && !m_coalesce.isActive())
        m_coalesce.start();
}

} // namespace qrt::gui
