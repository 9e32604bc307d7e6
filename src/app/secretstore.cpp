#include "app/secretstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QPointer>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <optional>

namespace qrt::app {

namespace {

const QString kService = QStringLiteral("qrtickets");

class QtKeychainBackend : public KeychainBackend
{
public:
    void start(Operation operation, const QString &service, const QString &key, const QString &value,
               QObject *context, Callback answered) override
    {
        // On the heap and deleted by QtKeychain itself after `finished`: libsecret calls back into
        // the job whenever its prompt is answered, so nothing here may destroy it earlier.
        QKeychain::Job *job = nullptr;
        switch (operation) {
        case Operation::Read: job = new QKeychain::ReadPasswordJob(service); break;
        case Operation::Write: {
            auto *write = new QKeychain::WritePasswordJob(service);
            write->setTextData(value);
            job = write;
            break;
        }
        case Operation::Remove: job = new QKeychain::DeletePasswordJob(service); break;
        }
        job->setAutoDelete(true);
        job->setKey(key);
        QObject::connect(job, &QKeychain::Job::finished, context, [job, operation, answered] {
            Answer a;
            a.notFound = job->error() == QKeychain::EntryNotFound;
            a.ok = job->error() == QKeychain::NoError || a.notFound;
            if (!a.ok)
                a.error = job->errorString();
            if (operation == Operation::Read && job->error() == QKeychain::NoError)
                a.value = static_cast<QKeychain::ReadPasswordJob *>(job)->textData();
            answered(a);
        });
        job->start();
    }
};

} // namespace

std::shared_ptr<KeychainBackend> qtKeychainBackend()
{
    return std::make_shared<QtKeychainBackend>();
}

struct SecretStore::Request
{
    KeychainBackend::Operation operation;
    QString value;
    QPointer<QObject> context;
    ReadDone readDone;
    WriteDone writeDone;
    bool reported = false; // the caller has had its one answer (possibly "did not answer")
    QTimer *patience = nullptr;

    void report(const core::Result<QString> &result)
    {
        reported = true;
        if (!context)
            return;
        if (readDone)
            readDone(result);
        else if (writeDone)
            writeDone(result ? core::Result<void>() : core::Result<void>(result.error()));
    }
};

QString SecretStore::keyName(Key key)
{
    switch (key) {
    case GhlToken: return QStringLiteral("ghl-token");
    case WebhookSecret: return QStringLiteral("webhook-secret");
    case FeedToken: return QStringLiteral("feed-token");
    }
    return {};
}

QString SecretStore::displayName(Key key)
{
    switch (key) {
    case GhlToken: return tr("GHL token");
    case WebhookSecret: return tr("webhook secret");
    case FeedToken: return tr("event feed token");
    }
    return {};
}

core::Error keychainTimeoutError(SecretStore::Key key, bool writing)
{
    const QString name = SecretStore::displayName(key);
    return writing ? core::makeError(QStringLiteral("keychain.timeout"),
                                     // Literal context: lupdate cannot place SecretStore::tr in this function.
                                     QCoreApplication::translate("qrt::app::SecretStore", "The %1 was not saved: the system keychain did not answer. It is "
                                                     "kept for this session only; save again when the keychain is "
                                                     "unlocked.")
                                         .arg(name))
                   : core::makeError(QStringLiteral("keychain.timeout"),
                                     QCoreApplication::translate("qrt::app::SecretStore", "The system keychain did not answer, so the %1 could not be read "
                                                     "yet. Unlock the keychain (or answer its prompt); the %1 is used "
                                                     "as soon as it answers.")
                                         .arg(name));
}

SecretStore::SecretStore(std::shared_ptr<KeychainBackend> backend, QObject *parent)
    : QObject(parent), m_backend(std::move(backend))
{
}

SecretStore::~SecretStore() = default;

int SecretStore::pending() const
{
    int n = 0;
    for (const auto &queue : m_queues)
        n += int(queue.size());
    return n;
}

void SecretStore::read(Key key, QObject *context, ReadDone done)
{
    auto request = std::make_shared<Request>();
    request->operation = KeychainBackend::Operation::Read;
    request->context = context;
    request->readDone = std::move(done);
    enqueue(key, request);
}

void SecretStore::write(Key key, const QString &value, QObject *context, WriteDone done)
{
    auto request = std::make_shared<Request>();
    request->operation = KeychainBackend::Operation::Write;
    request->value = value;
    request->context = context;
    request->writeDone = std::move(done);
    enqueue(key, request);
}

void SecretStore::remove(Key key, QObject *context, WriteDone done)
{
    auto request = std::make_shared<Request>();
    request->operation = KeychainBackend::Operation::Remove;
    request->context = context;
    request->writeDone = std::move(done);
    enqueue(key, request);
}

void SecretStore::enqueue(Key key, std::shared_ptr<Request> request)
{
    // The caller's patience starts when it asks, also while an earlier operation on the key runs.
    request->patience = new QTimer(this);
    request->patience->setSingleShot(true);
    std::weak_ptr<Request> weak = request;
    connect(request->patience, &QTimer::timeout, this, [key, weak] {
        auto r = weak.lock();
        if (!r || r->reported)
            return;
        r->report(keychainTimeoutError(key, r->operation != KeychainBackend::Operation::Read));
    });
    request->patience->start(m_patienceMs);
    auto &queue = m_queues[key];
    queue.push_back(std::move(request));
    if (queue.size() == 1)
        startNext(key);
}

void SecretStore::startNext(Key key)
{
    auto &queue = m_queues[key];
    if (queue.empty())
        return;
    std::shared_ptr<Request> request = queue.front();
    m_backend->start(request->operation, kService, keyName(key), request->value, this,
                     [this, key, request](const KeychainBackend::Answer &answer) { answered(key, request, answer); });
}

void SecretStore::answered(Key key, const std::shared_ptr<Request> &request, const KeychainBackend::Answer &answer)
{
    auto &queue = m_queues[key];
    if (queue.empty() || queue.front() != request)
        return; // a backend that answered twice
    queue.pop_front();
    delete request->patience;
    request->patience = nullptr;

    const bool reading = request->operation == KeychainBackend::Operation::Read;
    core::Result<QString> result = answer.notFound || !reading ? QString() : answer.value;
    if (!answer.ok) {
        result = reading ? core::makeError(QStringLiteral("keychain.error"),
                                           tr("The system keychain could not read the %1.").arg(displayName(key)),
                                           answer.error)
                         : core::makeError(QStringLiteral("keychain.error"),
                                           tr("The %1 was not saved: the system keychain refused (%2). It is kept "
                                              "for this session only.")
                                               .arg(displayName(key), answer.error),
                                           answer.error);
    }
    // The caller hears the answer while it waits; once it was told "did not answer", or is gone
    // (Settings closed meanwhile), the answer is announced as late, so it is never lost silently.
    if (!request->reported && request->context)
        request->report(result);
    else if (reading)
        emit lateRead(key, answer.ok ? answer.value : QString());
    else
        emit lateWrite(key, answer.ok, answer.error);
    startNext(key);
}

core::Result<QString> SecretStore::readBlocking(Key key)
{
    QEventLoop loop;
    std::optional<core::Result<QString>> result;
    read(key, &loop, [&](const core::Result<QString> &r) {
        result = r;
        loop.quit();
    });
    if (!result) // the read is asynchronous; a backend may still answer before we get here
        loop.exec();
    return result.value_or(keychainTimeoutError(key, false));
}

} // namespace qrt::app
