#pragma once

#include "core/result.h"

#include <QString>

#include <functional>

class QObject;

namespace qrt::gui {

// The secrets the Settings dialog edits. The GUI never talks to the keychain itself: src/app
// implements this over its SecretStore (QtKeychain, whose policy decides how long a caller waits),
// tests implement it in memory. Every call is asynchronous because a keychain may show a prompt
// and take minutes: `done` runs exactly once on the caller's thread (possibly before the call
// returns) with the answer or an error whose message a user can act on ("... did not answer"),
// and never once `context` is destroyed.
class SecretAccess
{
public:
    enum class Secret { GhlToken, WebhookSecret, FeedToken };
    using ReadDone = std::function<void(const core::Result<QString> &)>;
    using WriteDone = std::function<void(const core::Result<void> &)>;

    virtual ~SecretAccess() = default;

    // An empty value with ok() means "nothing stored".
    virtual void read(Secret secret, QObject *context, ReadDone done) = 0;
    virtual void write(Secret secret, const QString &value, QObject *context, WriteDone done) = 0;
    virtual void remove(Secret secret, QObject *context, WriteDone done) = 0;
};

} // namespace qrt::gui
