#include "app/secretaccessimpl.h"

#include "app/secretstore.h"

namespace qrt::app {

namespace {

SecretStore::Key storeKey(gui::SecretAccess::Secret secret)
{
    switch (secret) {
    case gui::SecretAccess::Secret::GhlToken:
        return SecretStore::GhlToken;
    case gui::SecretAccess::Secret::WebhookSecret:
        return SecretStore::WebhookSecret;
    case gui::SecretAccess::Secret::FeedToken:
        return SecretStore::FeedToken;
    }
    return SecretStore::GhlToken;
}

} // namespace

core::Result<QString> SecretAccessImpl::read(Secret secret)
{
    return SecretStore::readBlocking(storeKey(secret));
}

core::Result<void> SecretAccessImpl::write(Secret secret, const QString &value)
{
    // An empty value means "none": remove the entry rather than store an empty password.
    if (value.isEmpty())
        return SecretStore::removeBlocking(storeKey(secret));
    return SecretStore::writeBlocking(storeKey(secret), value);
}

core::Result<void> SecretAccessImpl::remove(Secret secret)
{
    return SecretStore::removeBlocking(storeKey(secret));
}

} // namespace qrt::app
