// SecretStore's policy for a keychain that answers late or never, against a stand-in backend
// (no desktop keyring runs in CI). The patience is shortened so that "did not answer" comes quickly;
// nothing here asserts on durations.
#include "app/appcontext.h"
#include "app/secretstore.h"
#include "core/config.h"
#include "app/latekeychain.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace qrt;
using app::SecretStore;

class TestSecretStore : public QObject
{
    Q_OBJECT

private slots:
    void answerWithinPatienceIsDelivered()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        keychain->stored.insert(QStringLiteral("ghl-token"), QStringLiteral("pit-stored"));
        SecretStore store(keychain);
        store.setPatienceMs(60000);
        std::optional<core::Result<QString>> got;
        store.read(SecretStore::GhlToken, this, [&](const core::Result<QString> &r) { got = r; });
        QCOMPARE(keychain->operations.size(), 1);
        QVERIFY(!got);
        QVERIFY(keychain->answer(0));
        QVERIFY2(got && got->ok(), "the answer must reach the caller");
        QCOMPARE(got->value(), QStringLiteral("pit-stored"));
        QCOMPARE(store.pending(), 0);
    }

    // The crash of issue 11: the prompt is answered after the caller gave up.
    void lateWriteIsAppliedAndReported()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        SecretStore store(keychain);
        store.setPatienceMs(50);
        QSignalSpy late(&store, &SecretStore::lateWrite);
        std::optional<core::Result<void>> got;
        int calls = 0;
        store.write(SecretStore::GhlToken, QStringLiteral("pit-new"), this, [&](const core::Result<void> &r) {
            got = r;
            ++calls;
        });
        QTRY_VERIFY_WITH_TIMEOUT(got.has_value(), 10000);
        QVERIFY2(!got->ok(), "a keychain that did not answer is not a success");
        QCOMPARE(got->error().code, QStringLiteral("keychain.timeout"));
        QVERIFY2(got->error().message.contains(QStringLiteral("not saved"))
                     && got->error().message.contains(QStringLiteral("this session only")),
                 qPrintable(got->error().message));
        QCOMPARE(store.pending(), 1); // the operation is still running, not destroyed

        QVERIFY(keychain->answer(0)); // the user answers the prompt, long after
        QCOMPARE(keychain->stored.value(QStringLiteral("ghl-token")), QStringLiteral("pit-new"));
        QCOMPARE(late.count(), 1);
        QCOMPARE(late.at(0).at(0).value<SecretStore::Key>(), SecretStore::GhlToken);
        QCOMPARE(late.at(0).at(1).toBool(), true);
        QCOMPARE(calls, 1); // exactly one answer to the caller
        QCOMPARE(store.pending(), 0);
    }

    void lateReadBringsTheValue()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        keychain->stored.insert(QStringLiteral("webhook-secret"), QStringLiteral("s3cret"));
        SecretStore store(keychain);
        store.setPatienceMs(50);
        QSignalSpy late(&store, &SecretStore::lateRead);
        core::Config config = core::Config::defaults();
        app::loadSecretsFromKeychain(config, store); // returns after the patience
        QVERIFY(config.text(core::ConfigKey::WebhookSecret).isEmpty());
        QCOMPARE(keychain->open(), 3);
        for (int i = 0; i < keychain->operations.size(); ++i)
            QVERIFY(keychain->answer(i));
        QCOMPARE(late.count(), 3);
        bool seen = false;
        for (const auto &args : late)
            seen = seen || (args.at(0).value<SecretStore::Key>() == SecretStore::WebhookSecret
                            && args.at(1).toString() == QStringLiteral("s3cret"));
        QVERIFY2(seen, "the late read must bring the stored webhook secret");
    }

    // A caller (a dialog) gone before the keychain answers: nothing is called on it.
    void callerGoneBeforeTheAnswer()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        SecretStore store(keychain);
        store.setPatienceMs(60000);
        bool called = false;
        QSignalSpy late(&store, &SecretStore::lateWrite);
        {
            QObject dialog;
            store.write(SecretStore::FeedToken, QStringLiteral("t"), &dialog, [&](const core::Result<void> &) {
                called = true;
            });
        }
        QVERIFY(keychain->answer(0));
        QVERIFY2(!called, "a destroyed caller must not be called back");
        QVERIFY2(late.count() == 1, "an answer nobody waits for any more is announced as late, not dropped");
        QCOMPARE(keychain->stored.value(QStringLiteral("feed-token")), QStringLiteral("t"));
    }

    // The store gone before the keychain answers (the command line's own store): harmless.
    void storeGoneBeforeTheAnswer()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        {
            SecretStore store(keychain);
            store.setPatienceMs(60000);
            store.write(SecretStore::GhlToken, QStringLiteral("x"), this, [](const core::Result<void> &) {});
        }
        QVERIFY(keychain->answer(0)); // must not touch the destroyed store
        QCOMPARE(keychain->stored.value(QStringLiteral("ghl-token")), QStringLiteral("x"));
    }

    // One key's operations run in order, so a late answer never overwrites a newer value.
    void writesToOneKeyRunInOrder()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        SecretStore store(keychain);
        store.setPatienceMs(50);
        QList<bool> results;
        store.write(SecretStore::GhlToken, QStringLiteral("old"), this, [&](const core::Result<void> &r) { results << r.ok(); });
        store.write(SecretStore::GhlToken, QStringLiteral("new"), this, [&](const core::Result<void> &r) { results << r.ok(); });
        store.write(SecretStore::FeedToken, QStringLiteral("other"), this, [&](const core::Result<void> &r) { results << r.ok(); });
        QCOMPARE(keychain->operations.size(), 2); // "new" waits for "old"; the other key runs at once
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), 3, 10000);
        QVERIFY(keychain->answer(0)); // "old", late
        QCOMPARE(keychain->operations.size(), 3);
        QCOMPARE(keychain->operations.at(2).value, QStringLiteral("new"));
        QVERIFY(keychain->answer(2));
        QCOMPARE(keychain->stored.value(QStringLiteral("ghl-token")), QStringLiteral("new"));
    }

    void refusalNamesTheKeychainsWords()
    {
        auto keychain = std::make_shared<test::LateKeychain>();
        SecretStore store(keychain);
        std::optional<core::Result<void>> got;
        store.write(SecretStore::GhlToken, QStringLiteral("x"), this, [&](const core::Result<void> &r) { got = r; });
        QVERIFY(keychain->answer(0, false, QStringLiteral("Cannot create an item in a locked collection")));
        QVERIFY(got && !got->ok());
        QVERIFY2(got->error().message.contains(QStringLiteral("locked collection")), qPrintable(got->error().message));
        QVERIFY(keychain->stored.isEmpty());
    }

    // The real QtKeychain path where no keyring runs (as in CI): an error or a timeout, no crash,
    // and its job finishes (or is left to finish) on its own.
    void qtKeychainWithoutAKeyringDoesNotCrash()
    {
        SecretStore store;
        store.setPatienceMs(5000);
        auto r = store.readBlocking(SecretStore::FeedToken);
        if (!r)
            QVERIFY2(r.error().code.startsWith(QStringLiteral("keychain.")), qPrintable(r.error().code));
        QTest::qWait(100); // let a late answer arrive and its job delete itself
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"
