#include "sync/synctypes.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>

namespace qrt::sync {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::sync)
};
} // namespace

double SyncProgress::fraction() const
{
    // Listing is cheap (100 summaries per request): give it a tenth of the bar when it happens.
    const double listShare = listTotal > 0 ? 0.1 : 0.0;
    const double listPart = listTotal > 0 ? std::min(1.0, double(listed) / listTotal) : 0.0;
    if (phase == SyncPhase::Done)
        return 1.0;
    if (phase == SyncPhase::Listing || total <= 0)
        return listShare * listPart;
    const double done = double(std::min(total, written + failed)) / total;
    return listShare + (1.0 - listShare) * done;
}

qint64 SyncSummary::durationMs() const
{
    return startedAt.isValid() && finishedAt.isValid() ? startedAt.msecsTo(finishedAt) : 0;
}

QJsonObject SyncSummary::toJson() const
{
    QJsonArray failureArray;
    for (const SyncFailure &f : failures)
        failureArray.append(QJsonObject { { QStringLiteral("orderId"), f.orderId }, { QStringLiteral("reason"), f.reason } });
    QJsonObject o {
        { QStringLiteral("mode"), toString(mode) },
        { QStringLiteral("status"), toString(status) },
        { QStringLiteral("station"), station },
        { QStringLiteral("runId"), runId },
        { QStringLiteral("listed"), listed },
        { QStringLiteral("totalOrders"), total },
        { QStringLiteral("syncedOrders"), synced },
        { QStringLiteral("unchangedOrders"), unchanged },
        { QStringLiteral("failedOrders"), failed },
        { QStringLiteral("requests"), requests },
        { QStringLiteral("http429"), http429 },
        { QStringLiteral("ticketsAdded"), ticketsAdded },
        { QStringLiteral("ticketsCancelled"), ticketsCancelled },
        { QStringLiteral("ticketsRestored"), ticketsRestored },
        { QStringLiteral("durationMs"), durationMs() },
        { QStringLiteral("failures"), failureArray },
        { QStringLiteral("conflicts"), QJsonArray::fromStringList(conflicts) },
    };
    if (watermark.isValid())
        o.insert(QStringLiteral("watermark"), watermark.toUTC().toString(Qt::ISODateWithMs));
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

QString toString(SyncMode mode)
{
    switch (mode) {
    case SyncMode::Full: return QStringLiteral("full");
    case SyncMode::Incremental: return QStringLiteral("incremental");
    case SyncMode::IdList: return QStringLiteral("ids");
    }
    return {};
}

QString toString(SyncPhase phase)
{
    switch (phase) {
    case SyncPhase::Idle: return QStringLiteral("idle");
    case SyncPhase::Listing: return QStringLiteral("listing");
    case SyncPhase::Orders: return QStringLiteral("orders");
    case SyncPhase::Writing: return QStringLiteral("writing");
    case SyncPhase::Done: return QStringLiteral("done");
    }
    return {};
}

QString toString(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Running: return QStringLiteral("running");
    case SyncStatus::Succeeded: return QStringLiteral("succeeded");
    case SyncStatus::Partial: return QStringLiteral("partial");
    case SyncStatus::Failed: return QStringLiteral("failed");
    case SyncStatus::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

QString displayName(SyncMode mode)
{
    switch (mode) {
    case SyncMode::Full: return Tr::tr("full");
    case SyncMode::Incremental: return Tr::tr("incremental");
    case SyncMode::IdList: return Tr::tr("listed orders");
    }
    return {};
}

QString displayName(SyncPhase phase)
{
    switch (phase) {
    case SyncPhase::Idle: return Tr::tr("Waiting");
    case SyncPhase::Listing: return Tr::tr("Listing orders");
    case SyncPhase::Orders: return Tr::tr("Fetching orders");
    case SyncPhase::Writing: return Tr::tr("Saving tickets");
    case SyncPhase::Done: return Tr::tr("Done");
    }
    return {};
}

QString displayName(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Running: return Tr::tr("Running");
    case SyncStatus::Succeeded: return Tr::tr("Completed");
    case SyncStatus::Partial: return Tr::tr("Completed with failures");
    case SyncStatus::Failed: return Tr::tr("Failed");
    case SyncStatus::Cancelled: return Tr::tr("Cancelled");
    }
    return {};
}

QString statusDisplayName(QStringView stored)
{
    for (SyncStatus s : { SyncStatus::Running, SyncStatus::Succeeded, SyncStatus::Partial, SyncStatus::Failed,
                          SyncStatus::Cancelled }) {
        if (stored == toString(s))
            return displayName(s);
    }
    return stored.toString();
}

core::Result<QStringList> parseOrderIdList(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return core::makeError(QStringLiteral("sync.ids.not_json"),
                               Tr::tr("The order list is not valid JSON (%1 at character %2); it must be a JSON array "
                                  "of order ids, e.g. [\"653f1c...\", \"6540aa...\"].")
                                   .arg(error.errorString())
                                   .arg(error.offset));
    if (!doc.isArray())
        return core::makeError(QStringLiteral("sync.ids.not_array"),
                               Tr::tr("The order list must be a JSON array of order ids, e.g. [\"653f1c...\"], not a "
                                  "JSON %1.")
                                   .arg(doc.isObject() ? Tr::tr("object") : Tr::tr("value")));
    QStringList ids;
    QSet<QString> seen;
    const QJsonArray array = doc.array();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue v = array.at(i);
        const QString id = v.toString().trimmed();
        if (!v.isString() || id.isEmpty())
            return core::makeError(QStringLiteral("sync.ids.not_string"),
                                   Tr::tr("Entry %1 of the order list is not an order id string; the list must hold "
                                      "only strings.")
                                       .arg(i + 1));
        if (!seen.contains(id)) {
            seen.insert(id);
            ids.append(id);
        }
    }
    return ids;
}

core::Result<QStringList> readOrderIdFile(const QString &path)
{
    QFile file(path);
    if (!file.exists())
        return core::makeError(QStringLiteral("sync.ids.missing"),
                               Tr::tr("The order list file %1 does not exist.").arg(QFileInfo(path).absoluteFilePath()));
    if (!file.open(QIODevice::ReadOnly))
        return core::makeError(QStringLiteral("sync.ids.unreadable"),
                               Tr::tr("The order list file %1 cannot be read: %2.").arg(path, file.errorString()));
    auto ids = parseOrderIdList(file.readAll());
    if (!ids) {
        core::Error e = ids.error();
        e.message = Tr::tr("%1: %2").arg(QFileInfo(path).fileName(), e.message);
        return e;
    }
    return ids;
}

void registerSyncMetaTypes()
{
    qRegisterMetaType<qrt::sync::SyncRequest>();
    qRegisterMetaType<qrt::sync::SyncProgress>();
    qRegisterMetaType<qrt::sync::SyncSummary>();
    qRegisterMetaType<qrt::sync::SyncFailure>();
}

} // namespace qrt::sync
