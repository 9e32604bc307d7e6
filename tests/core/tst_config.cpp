#include "core/config.h"
#include "core/configstore.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace qrt::core;

// The key declarations (one per key, found by the key) and the change signal of ConfigStore.
class TestConfig : public QObject
{
    Q_OBJECT

    static Config emptyConfig()
    {
        Config::Sources sources;
        sources.filePath = QStringLiteral("/nonexistent/qrtickets-test.ini");
        sources.fileMustExist = false;
        sources.environment = QProcessEnvironment();
        auto c = Config::load(sources);
        if (!c)
            qFatal("config: %s", qPrintable(c.error().toString()));
        return c.value();
    }

private slots:
    void everyKeyIsDeclaredOnceAndFoundByItsKey()
    {
        QCOMPARE(Config::keys().size(), qsizetype(kConfigKeyCount));
        QSet<QString> iniKeys;
        QSet<QString> envNames;
        for (int k = 0; k < kConfigKeyCount; ++k) {
            const auto key = static_cast<ConfigKey>(k);
            const ConfigKeyInfo &ki = Config::info(key);
            QVERIFY2(ki.key == key, qPrintable(QStringLiteral("Config::info(%1) answers for another key").arg(k)));
            QVERIFY2(!ki.section.isEmpty() && !ki.name.isEmpty() && !ki.description.isEmpty(),
                     qPrintable(QStringLiteral("key %1 (%2) lacks a section, name or description").arg(k).arg(ki.displayName())));
            iniKeys.insert(ki.iniKey());
            envNames.insert(ki.envName());
            if (ki.kind == ValueKind::Choice)
                QVERIFY2(ki.choices.contains(ki.defaultValue), qPrintable(ki.displayName() + QStringLiteral(": the default is not a choice")));
            if (!ki.defaultValue.isEmpty())
                QVERIFY2(Config::validate(key, ki.defaultValue),
                         qPrintable(ki.displayName() + QStringLiteral(": its own default does not validate")));
        }
        QCOMPARE(iniKeys.size(), qsizetype(kConfigKeyCount));
        QCOMPARE(envNames.size(), qsizetype(kConfigKeyCount));
        QVERIFY(Config::info(ConfigKey::GhlToken).secret);
        QVERIFY(Config::info(ConfigKey::WebhookSecret).secret);
        QVERIFY(Config::info(ConfigKey::FeedToken).secret);
        QVERIFY(!Config::info(ConfigKey::WebhookPort).secret);
        QCOMPARE(Config::info(ConfigKey::WebhookPort).max, qint64(65535));
    }

    void setSaysWhichKeyChanged()
    {
        ConfigStore store(emptyConfig());
        QSignalSpy changed(&store, &ConfigStore::changed);
        QSignalSpy together(&store, &ConfigStore::keysChanged);

        QVERIFY(store.set(ConfigKey::WebhookPort, QStringLiteral("9123")));
        QCOMPARE(store.config().webhook().port, quint16(9123));
        QCOMPARE(changed.count(), 1);
        QVERIFY(changed.at(0).at(0).value<ConfigKey>() == ConfigKey::WebhookPort);
        QCOMPARE(together.count(), 1);
        QCOMPARE(together.at(0).at(0).value<QSet<ConfigKey>>(), QSet<ConfigKey> { ConfigKey::WebhookPort });

        // The same value again, or a value the key refuses: nothing changed, nothing said.
        QVERIFY(store.set(ConfigKey::WebhookPort, QStringLiteral("9123")));
        QVERIFY(!store.set(ConfigKey::WebhookPort, QStringLiteral("70000")));
        QCOMPARE(store.config().webhook().port, quint16(9123));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(together.count(), 1);
    }

    void applySaysEveryChangedKeyOnce()
    {
        ConfigStore store(emptyConfig());
        QSignalSpy changed(&store, &ConfigStore::changed);
        QSignalSpy together(&store, &ConfigStore::keysChanged);

        Config edited = store.config(); // what the Settings dialog edits and saves
        QVERIFY(edited.set(ConfigKey::GhlToken, QStringLiteral("pit-new")));
        QVERIFY(edited.set(ConfigKey::QrSizePx, QStringLiteral("512")));
        QVERIFY(edited.set(ConfigKey::StationName, store.config().stationName())); // same value: no change
        const QSet<ConfigKey> keys = store.apply(edited);

        const QSet<ConfigKey> expected { ConfigKey::GhlToken, ConfigKey::QrSizePx };
        QCOMPARE(keys, expected);
        QCOMPARE(store.config().ghl().token, QStringLiteral("pit-new"));
        QCOMPARE(store.config().qr().sizePx, 512);
        QCOMPARE(changed.count(), 2);
        QSet<ConfigKey> announced;
        for (const QList<QVariant> &args : std::as_const(changed))
            announced.insert(args.at(0).value<ConfigKey>());
        QCOMPARE(announced, expected);
        QCOMPARE(together.count(), 1);
        QCOMPARE(together.at(0).at(0).value<QSet<ConfigKey>>(), expected);

        QVERIFY(store.apply(store.config()).isEmpty());
        QCOMPARE(together.count(), 1);
    }
};

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
