#pragma once

#include "gui/secretaccess.h"

namespace qrt::app {

// gui::SecretAccess over the OS keychain (SecretStore), for the Settings dialog.
class SecretAccessImpl : public gui::SecretAccess
{
public:
    core::Result<QString> read(Secret secret) override;
    core::Result<void> write(Secret secret, const QString &value) override;
    core::Result<void> remove(Secret secret) override;
};

} // namespace qrt::app
