#include "app/secretstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace qrt::app {

namespace {
const QString kService = QStringLiteral("qrtickets");

core::Result<void> run(QKeychain::Job &job)
{
    QEventLoop loop;
    bool finished = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&] {
        finished = true;
        loop.quit();
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    if (!finished)
        loop.exec();
    if (!finished)
        return core::makeError(QStringLiteral("keychain.timeout"),
                               QCoreApplication::translate("qrt::app", "The system keychain did not answer."));
    if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
        return core::makeError(QStringLiteral("keychain.error"),
                               QCoreApplication::translate("qrt::app", "The system keychain is not available."),
                               job.errorString());
    return {};
}
} // namespace

QString SecretStore::keyName(Key key)
{
    switch (key) {
    case GhlToken: return QStringLiteral("ghl-token");
    case WebhookSecret: return QStringLiteral("webhook-secret");
    case FeedToken: return QStringLiteral("feed-token");
    }
    return {};
}

core::Result<QString> SecretStore::readBlocking(Key key)
{
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(keyName(key));
    if (auto r = run(job); !r)
        return r.error();
    return job.error() == QKeychain::EntryNotFound ? QString() : job.textData();
}

core::Result<void> SecretStore::writeBlocking(Key key, const QString &value)
{
    QKeychain::WritePasswordJob job(kService);
    job.setKey(keyName(key));
    job.setTextData(value);
    return run(job);
}

core::Result<void> SecretStore::removeBlocking(Key key)
{
    QKeychain::DeletePasswordJob job(kService);
    job.setKey(keyName(key));
    return run(job);
}

} // namespace qrt::app
