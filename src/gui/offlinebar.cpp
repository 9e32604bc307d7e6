#include "gui/offlinebar.h"

#include "core/config.h"
#include "db/database.h"
#include "door/doorstation.h"
#include "gui/changewatcher.h"
#include "gui/dbworker.h"
#include "gui/logging.h"
#include "gui/services.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace qrt::gui {

namespace {
QString when(const QDateTime &t)
{
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : QStringLiteral("?");
}
} // namespace

OfflineBar::OfflineBar(door::DoorStation *station, DbWorker &worker, QWidget *parent)
    : QFrame(parent), m_station(station), m_worker(worker)
{
    setObjectName(QStringLiteral("offlineBar"));
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 6, 8, 6);
    auto *row = new QHBoxLayout;
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("offlineState"));
    m_state->setWordWrap(true);
    m_state->setTextFormat(Qt::PlainText);
    QFont bold = m_state->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.2);
    m_state->setFont(bold);
    row->addWidget(m_state, 1);
    m_conflictsButton = new QPushButton(this);
    m_conflictsButton->setObjectName(QStringLiteral("offlineConflictsButton"));
    m_conflictsButton->setCheckable(true);
    row->addWidget(m_conflictsButton);
    layout->addLayout(row);
    m_conflicts = new QTreeWidget(this);
    m_conflicts->setObjectName(QStringLiteral("offlineConflicts"));
    m_conflicts->setRootIsDecorated(false);
    m_conflicts->setHeaderLabels({ tr("Ticket"), tr("Admitted offline here"), tr("Admitted first by"), tr("Why") });
    m_conflicts->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_conflicts->setMaximumHeight(160);
    m_conflicts->setVisible(false);
    layout->addWidget(m_conflicts);
    connect(m_conflictsButton, &QPushButton::toggled, m_conflicts, &QWidget::setVisible);
    if (m_station) {
        m_offline = m_station->isOffline();
        m_queued = m_station->queued();
        connect(m_station, &door::DoorStation::offlineChanged, this, [this](bool offline) {
            m_offline = offline;
            update();
        });
        connect(m_station, &door::DoorStation::queuedChanged, this, [this](int queued) {
            m_queued = queued;
            update();
        });
        connect(m_station, &door::DoorStation::uploadFailed, this, [this](const QString &why) {
            m_uploadError = why;
            update();
        });
        connect(m_station, &door::DoorStation::conflictsChanged, this, &OfflineBar::reloadConflicts);
        reloadConflicts();
    }
    update();
}

QString OfflineBar::stateText() const
{
    return m_state->text();
}

int OfflineBar::conflictCount() const
{
    return m_conflicts->topLevelItemCount();
}

void OfflineBar::update()
{
    const int conflicts = m_conflicts->topLevelItemCount();
    int twice = 0; // admitted at another entrance first
    for (int i = 0; i < conflicts; ++i) {
        const QString kind = m_conflicts->topLevelItem(i)->data(0, Qt::UserRole).toString();
        twice += kind.isEmpty() || kind == QLatin1String("already-used");
    }
    QString text;
    if (m_offline)
        text = tr("OFFLINE: the shared database does not answer. Scans are checked against this station's copy; "
                  "%n admission(s) wait to be sent.", nullptr, m_queued);
    else if (m_queued > 0 && !m_uploadError.isEmpty())
        text = tr("Online, but %n admission(s) made offline could not be sent: %1 They are sent again every second.",
                  nullptr, m_queued)
                   .arg(m_uploadError);
    else if (m_queued > 0)
        text = tr("Back online: sending %n admission(s) made offline.", nullptr, m_queued);
    else if (conflicts > 0 && twice == conflicts)
        text = tr("Online. %n ticket(s) admitted offline here had already been admitted at another entrance.", nullptr, conflicts);
    else if (conflicts > 0) // other kinds too (an order refunded meanwhile, a refusal): the list says which
        text = tr("Online. %n offline admission(s) could not be sent: see Conflicts.", nullptr, conflicts);
    m_state->setText(text);
    // Red while offline, amber for conflicts: the verdict banner's colours, readable in dark mode.
    const bool red = m_offline;
    setStyleSheet(text.isEmpty() ? QString()
                  : red ? QStringLiteral("#offlineBar { background: #b71c1c; } #offlineBar QLabel { color: white; }")
                        : QStringLiteral("#offlineBar { background: #ffb300; } #offlineBar QLabel { color: black; }"));
    m_state->setAccessibleName(text);
    m_conflictsButton->setText(tr("Conflicts (%1)").arg(conflicts));
    m_conflictsButton->setVisible(conflicts > 0);
    if (conflicts == 0)
        m_conflictsButton->setChecked(false);
    setVisible(!text.isEmpty());
}

void OfflineBar::reloadConflicts()
{
    if (!m_station || !m_station->cache())
        return;
    door::DoorStation *station = m_station;
    m_worker.run(
        this, [station](db::Database &) { return station->cache()->admissions(door::QueuedAdmission::State::Conflict); },
        [this](core::Result<QList<door::QueuedAdmission>> list) {
            if (!list)
                return;
            m_conflicts->clear();
            for (const door::QueuedAdmission &a : std::as_const(list.value())) {
                const QString why = a.conflictReason == QLatin1String("cancelled")         ? tr("cancelled meanwhile")
                                  : a.conflictReason == QLatin1String("unknown")           ? tr("no longer in the database")
                                  : a.conflictReason == QLatin1String("refunded")          ? tr("order refunded meanwhile")
                                  : a.conflictReason == QLatin1String("order-cancelled")   ? tr("order cancelled meanwhile")
                                  : a.conflictReason.startsWith(QLatin1String("refused: "))
                                      ? tr("refused by the database: %1").arg(a.conflictReason.mid(9))
                                      : tr("admitted twice");
                auto *item = new QTreeWidgetItem(
                    { tr("%1 (order %2)").arg(a.ticketId).arg(a.orderId), tr("%1 at %2").arg(a.station, when(a.admittedAt)),
                      a.conflictBy.isEmpty() ? tr("—") : tr("%1 at %2").arg(a.conflictBy, when(a.conflictAt)), why });
                item->setData(0, Qt::UserRole, a.conflictReason);
                m_conflicts->addTopLevelItem(item);
            }
            update();
        });
}

door::DoorStation *startDoorStation(Services &services, QObject *parent)
{
    if (!services.database || !services.database->isPostgres())
        return nullptr; // SQLite: one station, the database is local; nothing to fall back to
    door::DoorStation::Options options;
    options.cachePath = door::DoorCache::defaultPath(services.database->url());
    options.offlineAfterMs = services.config.door().offlineAfterMs;
    auto *station = new door::DoorStation(services.database, options, parent);
    if (auto r = station->start(); !r) {
        qCWarning(lcGui) << "door cache unavailable, offline mode off:" << r.error().toString();
        delete station;
        return nullptr;
    }
    services.doorStation = station;
    // Another station's change (NOTIFY, coalesced): the cache takes its delta now, not in 5 s.
    if (services.changeWatcher)
        QObject::connect(services.changeWatcher, &ChangeWatcher::changed, station, &door::DoorStation::refreshNow);
    QObject::connect(station, &QObject::destroyed, [&services] { services.doorStation = nullptr; });
    return station;
}

} // namespace qrt::gui
