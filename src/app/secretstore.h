#pragma once

#include "core/result.h"

#include <QObject>
#include <QString>

namespace qrt::app {

// Secrets in the OS keychain (QtKeychain): Keychain on macOS, Credential Manager on Windows,
// Secret Service/KWallet on Linux.
class SecretStore
{
public:
    enum Key { GhlToken, WebhookSecret, FeedToken };
    static QString keyName(Key key);

    // Waits up to a few seconds for the keychain; used at start-up and by the CLI.
    static core::Result<QString> readBlocking(Key key);
    static core::Result<void> writeBlocking(Key key, const QString &value);
    static core::Result<void> removeBlocking(Key key);
};

} // namespace qrt::app
