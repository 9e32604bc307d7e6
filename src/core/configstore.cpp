#include "core/configstore.h"

namespace qrt::core {

ConfigStore::ConfigStore(Config config, QObject *parent) : QObject(parent), m_config(std::move(config)) { }

Result<void> ConfigStore::set(ConfigKey key, const QString &value)
{
    const QString before = m_config.text(key);
    if (auto r = m_config.set(key, value); !r)
        return r;
    if (m_config.text(key) != before)
        announce({ key });
    return {};
}

QSet<ConfigKey> ConfigStore::apply(const Config &edited)
{
    QSet<ConfigKey> keys;
    for (const ConfigKeyInfo &ki : Config::keys()) {
        if (edited.text(ki.key) != m_config.text(ki.key))
            keys.insert(ki.key);
    }
    m_config = edited;
    announce(keys);
    return keys;
}

void ConfigStore::announce(const QSet<ConfigKey> &keys)
{
    if (keys.isEmpty())
        return;
    for (const ConfigKeyInfo &ki : Config::keys()) { // in key order, so receivers see a stable order
        if (keys.contains(ki.key))
            Q_EMIT changed(ki.key);
    }
    Q_EMIT keysChanged(keys);
}

} // namespace qrt::core
