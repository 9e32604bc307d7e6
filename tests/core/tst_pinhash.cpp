// The kiosk PIN's stored hash (issue 13 point 4): scrypt with a salt, never the PIN itself.
#include "core/pinhash.h"

#include <QTest>

using namespace qrt::core;

class TestPinHash : public QObject
{
    Q_OBJECT

private slots:
    void rightAndWrongPin()
    {
        const QString stored = hashPin(QStringLiteral("4711"));
        QVERIFY2(stored.startsWith(QStringLiteral("scrypt$32768$8$1$")), qPrintable(stored));
        QVERIFY2(!stored.contains(QStringLiteral("4711")), "the stored value must not hold the PIN");
        QVERIFY(isPinHash(stored));
        const auto right = verifyPin(QStringLiteral("4711"), stored);
        QVERIFY2(right.ok(), qPrintable(right.ok() ? QString() : right.error().message));
        QVERIFY2(right.value(), "the right PIN was refused");
        for (const QString &wrong : { QStringLiteral("4712"), QStringLiteral("47110"), QString(), QStringLiteral(" 4711") }) {
            const auto r = verifyPin(wrong, stored);
            QVERIFY(r.ok());
            QVERIFY2(!r.value(), qPrintable(QStringLiteral("the wrong PIN '%1' was accepted").arg(wrong)));
        }
    }

    void saltsMakeDifferentHashes()
    {
        const QString a = hashPin(QStringLiteral("1234"));
        const QString b = hashPin(QStringLiteral("1234"));
        QVERIFY2(a != b, "two hashes of one PIN are alike: the salt is not random");
        QVERIFY(verifyPin(QStringLiteral("1234"), a).value());
        QVERIFY(verifyPin(QStringLiteral("1234"), b).value());
        // The same salt gives the same hash (deterministic), another salt another hash.
        const QByteArray salt1(16, 'a'), salt2(16, 'b');
        QCOMPARE(hashPin(QStringLiteral("1234"), salt1), hashPin(QStringLiteral("1234"), salt1));
        QVERIFY(hashPin(QStringLiteral("1234"), salt1).section(u'$', 5) != hashPin(QStringLiteral("1234"), salt2).section(u'$', 5));
    }

    void malformedStoredValueIsAClearError()
    {
        const QString good = hashPin(QStringLiteral("0000"), QByteArray(16, 'x'));
        const QStringList bad = {
            QString(),
            QStringLiteral("0000"), // a PIN typed into the file
            QStringLiteral("argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA"),
            QStringLiteral("scrypt$32768$8$1$onlyfive"),
            QString(good).replace(QStringLiteral("scrypt$32768$"), QStringLiteral("scrypt$1099511627776$")), // 2^40: terabytes
            QString(good).replace(QStringLiteral("scrypt$32768$"), QStringLiteral("scrypt$30000$")), // not a power of two
            good.section(u'$', 0, 4) + QStringLiteral("$not*base64!"),
        };
        for (const QString &stored : bad) {
            QVERIFY2(!isPinHash(stored), qPrintable(stored));
            const auto r = verifyPin(QStringLiteral("0000"), stored);
            QVERIFY2(!r.ok(), qPrintable(QStringLiteral("'%1' was taken as a PIN hash").arg(stored)));
            QCOMPARE(r.error().code, QStringLiteral("pin.malformed"));
            QVERIFY2(r.error().message.contains(QStringLiteral("pin_hash")), qPrintable(r.error().message));
        }
    }
};

QTEST_GUILESS_MAIN(TestPinHash)
#include "tst_pinhash.moc"
