#pragma once

#include "core/result.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <deque>
#include <functional>
#include <memory>

namespace qrt::app {

// How SecretStore reaches a keychain. Production: QtKeychain (Keychain on macOS, Credential Manager
// on Windows, Secret Service/KWallet on Linux). Tests: a stand-in that answers late or never.
class KeychainBackend
{
public:
    enum class Operation { Read, Write, Remove };
    struct Answer
    {
        bool ok = false;
        bool notFound = false; // a read or remove of an entry that does not exist
        QString value;         // Read
        QString error;         // the keychain's own words when !ok
    };
    using Callback = std::function<void(const Answer &)>;

    virtual ~KeychainBackend() = default;

    // Starts one operation. `answered` runs once, on this thread, when the keychain answers: at
    // once, after a prompt the user answers minutes later, or never. Whatever the operation needs
    // (a QKeychain job) stays alive until then; it is never destroyed early. `answered` is not
    // called once `context` is destroyed.
    virtual void start(Operation operation, const QString &service, const QString &key, const QString &value,
                       QObject *context, Callback answered) = 0;
};

// The QtKeychain backend: one heap job per operation, deleted by QtKeychain after `finished`.
std::shared_ptr<KeychainBackend> qtKeychainBackend();

// The application's secrets in the OS keychain, and the policy for a keychain that is slow (a
// "create a keyring?" prompt) or never answers:
// - every operation is asynchronous; callers get exactly one answer, on their thread;
// - a caller waits at most patienceMs(); then it is told that the keychain did not answer (error
//   code "keychain.timeout") and the operation keeps running: its late answer is still applied
//   (lateRead()/lateWrite() report it), so a prompt answered after a minute saves the token after all;
// - operations on one key run one after another, so a late answer never overwrites a newer value.
class SecretStore : public QObject
{
    Q_OBJECT

public:
    enum Key { GhlToken, WebhookSecret, FeedToken };
    static QString keyName(Key key);
    // "the GHL token", for messages.
    static QString displayName(Key key);

    explicit SecretStore(std::shared_ptr<KeychainBackend> backend = qtKeychainBackend(), QObject *parent = nullptr);
    ~SecretStore() override;

    void setPatienceMs(int ms) { m_patienceMs = ms; }
    int patienceMs() const { return m_patienceMs; }

    using ReadDone = std::function<void(const core::Result<QString> &)>;
    using WriteDone = std::function<void(const core::Result<void> &)>;

    // `done` runs once (an empty value: nothing stored), unless `context` is destroyed first.
    void read(Key key, QObject *context, ReadDone done);
    void write(Key key, const QString &value, QObject *context, WriteDone done);
    void remove(Key key, QObject *context, WriteDone done);

    // Waits (a local event loop, at most patienceMs()) for a read: for the command line and for
    // start-up before any window is shown.
    core::Result<QString> readBlocking(Key key);

    // Operations whose answer has not arrived yet (including those already reported as timed out).
    int pending() const;

signals:
    // Answers that arrived after their caller had been told the keychain did not answer.
    // lateRead: what the keychain holds (empty: nothing, or it failed); lateWrite: whether the write
    // or remove was done after all.
    void lateRead(qrt::app::SecretStore::Key key, const QString &value);
    void lateWrite(qrt::app::SecretStore::Key key, bool ok, const QString &error);

private:
    struct Request;
    void enqueue(Key key, std::shared_ptr<Request> request);
    void startNext(Key key);
    void answered(Key key, const std::shared_ptr<Request> &request, const KeychainBackend::Answer &answer);

    std::shared_ptr<KeychainBackend> m_backend;
    int m_patienceMs = 30000;
    QHash<int, std::deque<std::shared_ptr<Request>>> m_queues; // per key; front() is running
};

// The messages of the policy above, also used by callers that explain a problem.
core::Error keychainTimeoutError(SecretStore::Key key, bool writing);

} // namespace qrt::app
