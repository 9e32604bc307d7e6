#pragma once

#include "app/secretstore.h"

#include <QMap>
#include <QPointer>

namespace qrt::test {

// A keychain that answers only when the test says so (a "create a keyring?" prompt left open), or
// never. Like a QKeychain job, each operation outlives its caller: answering after the caller is
// gone must be harmless, which is what the store's design promises for the real jobs.
class LateKeychain : public app::KeychainBackend
{
public:
    struct Operation
    {
        app::KeychainBackend::Operation kind;
        QString key;
        QString value;
        QPointer<QObject> context;
        Callback answered;
        bool done = false;
    };

    QMap<QString, QString> stored; // what the keychain holds, by key name
    QList<Operation> operations;   // every operation started, in order

    void start(app::KeychainBackend::Operation kind, const QString &, const QString &key, const QString &value,
               QObject *context, Callback answered) override
    {
        operations.append({ kind, key, value, context, std::move(answered), false });
    }

    int open() const
    {
        int n = 0;
        for (const Operation &o : operations)
            n += o.done ? 0 : 1;
        return n;
    }

    // Answers operation i as the keychain would (the prompt was answered). false: already answered.
    bool answer(int i, bool ok = true, const QString &error = QString())
    {
        Operation &o = operations[i];
        if (o.done)
            return false;
        o.done = true;
        Answer a;
        a.ok = ok;
        a.error = error;
        if (ok) {
            switch (o.kind) {
            case app::KeychainBackend::Operation::Read:
                a.notFound = !stored.contains(o.key);
                a.value = stored.value(o.key);
                break;
            case app::KeychainBackend::Operation::Write: stored.insert(o.key, o.value); break;
            case app::KeychainBackend::Operation::Remove: a.notFound = stored.remove(o.key) == 0; break;
            }
        }
        if (o.context) // what QObject::connect(job, finished, context, ...) does
            o.answered(a);
        return true;
    }
};

} // namespace qrt::test
