#include "reconcile/reconcilestatus.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QLocale>

namespace qrt::reconcile {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::reconcile::ReconcileStatus)
};

QString iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString();
}

QDateTime fromIso(const QJsonValue &v)
{
    return QDateTime::fromString(v.toString(), Qt::ISODateWithMs).toUTC();
}

// A time of today as hh:mm, another day's with its date.
QString when(const QDateTime &t)
{
    const QLocale locale;
    const QDateTime local = t.toLocalTime();
    if (local.date() == QDate::currentDate())
        return locale.toString(local.time(), QLocale::ShortFormat);
    return locale.toString(local, QLocale::ShortFormat);
}
} // namespace

QJsonObject ReconcileReport::toJson() const
{
    return { { QStringLiteral("station"), station },
             { QStringLiteral("startedAt"), iso(startedAt) },
             { QStringLiteral("finishedAt"), iso(finishedAt) },
             { QStringLiteral("syncStatus"), syncStatus },
             { QStringLiteral("ordersListed"), ordersListed },
             { QStringLiteral("ordersSynced"), ordersSynced },
             { QStringLiteral("ordersNew"), ordersNew },
             { QStringLiteral("ordersUnchanged"), ordersUnchanged },
             { QStringLiteral("ordersFailed"), ordersFailed },
             { QStringLiteral("requests"), requests },
             { QStringLiteral("outboxRan"), outboxRan },
             { QStringLiteral("qrDelivered"), qrDelivered },
             { QStringLiteral("qrSkipped"), qrSkipped },
             { QStringLiteral("qrFailed"), qrFailed },
             { QStringLiteral("failures"), QJsonArray::fromStringList(failures) },
             { QStringLiteral("error"), error } };
}

ReconcileReport ReconcileReport::fromJson(const QJsonObject &j)
{
    ReconcileReport r;
    r.station = j.value(u"station").toString();
    r.startedAt = fromIso(j.value(u"startedAt"));
    r.finishedAt = fromIso(j.value(u"finishedAt"));
    r.syncStatus = j.value(u"syncStatus").toString();
    r.ordersListed = j.value(u"ordersListed").toInt();
    r.ordersSynced = j.value(u"ordersSynced").toInt();
    r.ordersNew = j.value(u"ordersNew").toInt();
    r.ordersUnchanged = j.value(u"ordersUnchanged").toInt();
    r.ordersFailed = j.value(u"ordersFailed").toInt();
    r.requests = j.value(u"requests").toInt();
    r.outboxRan = j.value(u"outboxRan").toBool();
    r.qrDelivered = j.value(u"qrDelivered").toInt();
    r.qrSkipped = j.value(u"qrSkipped").toInt();
    r.qrFailed = j.value(u"qrFailed").toInt();
    for (const QJsonValue &f : j.value(u"failures").toArray())
        r.failures << f.toString();
    r.error = j.value(u"error").toString();
    return r;
}

QString toString(ReconcileStatus::State state)
{
    switch (state) {
    case ReconcileStatus::State::Off: return QStringLiteral("off");
    case ReconcileStatus::State::Stopped: return QStringLiteral("stopped");
    case ReconcileStatus::State::Waiting: return QStringLiteral("waiting");
    case ReconcileStatus::State::Running: return QStringLiteral("running");
    }
    return {};
}

QJsonObject ReconcileStatus::toJson() const
{
    QJsonObject o { { QStringLiteral("state"), toString(state) },
                    { QStringLiteral("intervalS"), intervalS },
                    { QStringLiteral("station"), station },
                    { QStringLiteral("nextRunAt"), iso(nextRunAt) } };
    o.insert(QStringLiteral("last"), hasLast ? QJsonValue(last.toJson()) : QJsonValue());
    if (!skippedBy.isEmpty()) {
        o.insert(QStringLiteral("skippedBy"), skippedBy);
        o.insert(QStringLiteral("skippedAt"), iso(skippedAt));
    }
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

QString ReconcileStatus::summaryLine() const
{
    if (state == State::Off)
        return Tr::tr("Reconciliation is off ([sync] reconcile_interval_s = 0): orders whose webhook never came are "
                      "only found by a manual Sync.");
    QStringList parts;
    if (state == State::Running)
        parts << Tr::tr("Reconciling now.");
    if (hasLast) {
        QString line = Tr::tr("Last reconciliation %1 by %2: %n order(s) synced", nullptr, last.ordersSynced)
                           .arg(when(last.finishedAt), last.station.isEmpty() ? Tr::tr("another station") : last.station);
        line += Tr::tr(" (%n new)", nullptr, last.ordersNew);
        line += last.outboxRan ? Tr::tr(", %n QR code(s) delivered", nullptr, last.qrDelivered)
                               : Tr::tr(", no QR delivery pass");
        line += Tr::tr(", %n failure(s).", nullptr, last.failed());
        parts << line;
    } else if (state != State::Running) {
        parts << Tr::tr("No reconciliation yet.");
    }
    if (!skippedBy.isEmpty() && state != State::Running)
        parts << Tr::tr("Skipped at %1: reconciled by station %2.").arg(when(skippedAt), skippedBy);
    if (!error.isEmpty() && state != State::Running)
        parts << Tr::tr("Could not run: %1").arg(error);
    if (state == State::Waiting && nextRunAt.isValid())
        parts << Tr::tr("Next at %1.").arg(when(nextRunAt));
    else if (state == State::Stopped)
        parts << Tr::tr("Runs while the listener runs.");
    return parts.join(u' ');
}

} // namespace qrt::reconcile
