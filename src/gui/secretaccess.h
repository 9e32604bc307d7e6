#pragma once

#include "core/result.h"

#include <QString>

namespace qrt::gui {

// The secrets the Settings dialog edits. The GUI never talks to the keychain itself: src/app
// implements this over its SecretStore (QtKeychain), tests implement it in memory. Calls may block
// for a moment (keychain prompts), so the dialog only calls them on load and on save.
class SecretAccess
{
public:
    enum class Secret { GhlToken, WebhookSecret, FeedToken };

    virtual ~SecretAccess() = default;

    // An empty value with ok() means "nothing stored".
    virtual core::Result<QString> read(Secret secret) = 0;
    virtual core::Result<void> write(Secret secret, const QString &value) = 0;
    virtual core::Result<void> remove(Secret secret) = 0;
};

} // namespace qrt::gui
