#pragma once

#include "core/config.h"

#include <QObject>
#include <QSet>

namespace qrt::core {

// The running application's configuration, and the one way to change it while it runs: set()
// and apply() say which keys changed, so that each long-lived service (built in src/app) takes its
// new settings from the same signal. Windows read config(); nothing else writes it.
class ConfigStore : public QObject
{
    Q_OBJECT
public:
    explicit ConfigStore(Config config, QObject *parent = nullptr);

    const Config &config() const { return m_config; }

    // Validates and sets one key for this run (Config::set); emits changed(key) and
    // keysChanged({key}) when the value is new.
    Result<void> set(ConfigKey key, const QString &value);
    // Takes every value of `edited` (the Settings dialog's copy after it saved), then emits
    // changed(key) for each key whose value differs and keysChanged() once with all of them.
    // Returns the keys that changed.
    QSet<ConfigKey> apply(const Config &edited);

Q_SIGNALS:
    void changed(qrt::core::ConfigKey key);
    // After changed() for each: every key one set() or apply() changed, for a service that
    // reacts once to several (the listener restarts once when both its port and secret changed).
    void keysChanged(const QSet<qrt::core::ConfigKey> &keys);

private:
    void announce(const QSet<ConfigKey> &keys);

    Config m_config;
};

} // namespace qrt::core
