#pragma once

#include "app/secretstore.h"
#include "gui/secretaccess.h"

namespace qrt::app {

// The Settings dialog's way to the OS keychain: SecretStore, with its patience and late answers.
class KeychainSecrets : public gui::SecretAccess
{
public:
    explicit KeychainSecrets(SecretStore &store) : m_store(store) { }

    void read(Secret secret, QObject *context, ReadDone done) override
    {
        m_store.read(key(secret), context, std::move(done));
    }
    void write(Secret secret, const QString &value, QObject *context, WriteDone done) override
    {
        m_store.write(key(secret), value, context, std::move(done));
    }
    void remove(Secret secret, QObject *context, WriteDone done) override
    {
        m_store.remove(key(secret), context, std::move(done));
    }

    static SecretStore::Key key(Secret secret)
    {
        switch (secret) {
        case Secret::GhlToken: return SecretStore::GhlToken;
        case Secret::WebhookSecret: return SecretStore::WebhookSecret;
        case Secret::FeedToken: return SecretStore::FeedToken;
        }
        return SecretStore::GhlToken;
    }

private:
    SecretStore &m_store;
};

} // namespace qrt::app
