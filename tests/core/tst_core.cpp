#include "core/config.h"
#include "core/logsink.h"
#include "core/order.h"
#include "core/ticketstatus.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace qrt::core;

class TestCore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString writeIni(const QString &name, const QMap<QString, QString> &values)
    {
        const QString path = m_dir.filePath(name);
        QFile touch(path); // QSettings writes no file for no values; an empty one is a valid config
        touch.open(QIODevice::WriteOnly | QIODevice::Append);
        touch.close();
        QSettings ini(path, QSettings::IniFormat);
        for (auto it = values.cbegin(); it != values.cend(); ++it)
            ini.setValue(it.key(), it.value());
        ini.sync();
        return path;
    }

private slots:
    void terminalLogLinesCannotBeForged_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("shown");
        QTest::newRow("plain") << "order 66f0 saved" << "order 66f0 saved";
        QTest::newRow("newline") << "type OrderCreate\nqrtickets.webhook: forged" << "type OrderCreate\\nqrtickets.webhook: forged";
        QTest::newRow("carriage return") << "a\rb" << "a\\rb";
        QTest::newRow("escape sequence") << "\x1b[2Jgone" << "\\x1b[2Jgone";
        QTest::newRow("NUL") << QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b")) << "a\\x00b";
        QTest::newRow("tab kept, accents kept") << "Ñúñez\tpaid" << "Ñúñez\tpaid";
        QTest::newRow("line separator") << QString(QStringLiteral("a") + QChar(0x2028) + QStringLiteral("b")) << "a\\x2028b";
    }
    void terminalLogLinesCannotBeForged()
    {
        QFETCH(QString, message);
        QFETCH(QString, shown);
        QCOMPARE(qrt::core::LogSink::escapeControls(message), shown);
    }

    void databasePasswordsAreRedacted_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("shown");
        QTest::newRow("parses") << "postgresql://door:pw@db:5432/q" << "postgresql://door:***@db:5432/q";
        QTest::newRow("bad port") << "postgresql://door:S3cret@venue-db:54x2/q" << "postgresql://door:***@venue-db:54x2/q";
        QTest::newRow("slash and at in the password") << "postgresql://door:a/b@c@db/q" << "postgresql://door:***@db/q";
        QTest::newRow("no password") << "postgresql://door@db/q" << "postgresql://door@db/q";
        QTest::newRow("sqlite") << "sqlite:///home/me/q.db" << "sqlite:///home/me/q.db";
    }
    void databasePasswordsAreRedacted()
    {
        QFETCH(QString, url);
        QFETCH(QString, shown);
        QCOMPARE(qrt::core::redactedDatabaseUrl(url), shown);
        // The configuration error for such a URL shows it the same way.
        const auto error = qrt::core::Config::validate(qrt::core::ConfigKey::DatabaseUrl, url + QStringLiteral("\x01"));
        if (!error)
            QVERIFY2(!error.error().message.contains(QStringLiteral("S3cret")), qPrintable(error.error().message));
    }

    void defaultsMatchTheProductSpec()
    {
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("empty.ini"), {});
        sources.environment = QProcessEnvironment();
        auto c = Config::load(sources);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->text(ConfigKey::GhlBaseUrl), QStringLiteral("https://services.leadconnectorhq.com"));
        QCOMPARE(c->text(ConfigKey::GhlApiVersion), QStringLiteral("2021-07-28"));
        QCOMPARE(c->ghl().concurrency, 6);
        QCOMPARE(c->ghl().requestTimeoutMs, 30000);
        QCOMPARE(c->webhook().bind, QStringLiteral("127.0.0.1"));
        QCOMPARE(c->webhook().port, quint16(8787));
        QCOMPARE(c->webhook().path, QStringLiteral("/api/ghl/webhook-qr"));
        QVERIFY(c->webhook().auth == WebhookAuth::GhlSignature);
        QCOMPARE(c->webhook().maxBodyBytes, qint64(1048576));
        QCOMPARE(c->webhook().replayWindowS, 4500);
        QVERIFY(!c->webhook().acceptLegacyRsa);
        QCOMPARE(c->qr().sizePx, 300);
        QCOMPARE(c->qr().margin, 1);
        QCOMPARE(c->qr().ecc, QChar(u'H'));
        QVERIFY(c->text(ConfigKey::DatabaseUrl).startsWith(QStringLiteral("sqlite:///")));
        QVERIFY(!c->stationName().isEmpty());
        QCOMPARE(c->origin(ConfigKey::GhlBaseUrl), Config::Origin::Default);
    }

    void everyKeyHasAnEnvironmentNameAndOrder()
    {
        const auto &keys = Config::keys();
        for (qsizetype i = 0; i < keys.size(); ++i) {
            QCOMPARE(static_cast<qsizetype>(keys[i].key), i);
            QVERIFY(keys[i].envName().startsWith(QStringLiteral("QRTICKETS_")));
        }
        QCOMPARE(Config::info(ConfigKey::GhlToken).envName(), QStringLiteral("QRTICKETS_GHL_TOKEN"));
        QCOMPARE(Config::info(ConfigKey::WebhookMaxBodyBytes).envName(), QStringLiteral("QRTICKETS_WEBHOOK_MAX_BODY_BYTES"));
    }

    void fileThenEnvironmentThenCommandLine()
    {
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("layers.ini"),
                                    { { QStringLiteral("ghl/location_id"), QStringLiteral("fromFile") },
                                      { QStringLiteral("ghl/concurrency"), QStringLiteral("3") },
                                      { QStringLiteral("webhook/port"), QStringLiteral("9000") },
                                      { QStringLiteral("database/url"), QStringLiteral("sqlite:///tmp/file.db") } });
        QProcessEnvironment env;
        env.insert(QStringLiteral("QRTICKETS_GHL_CONCURRENCY"), QStringLiteral("8"));
        env.insert(QStringLiteral("QRTICKETS_GHL_TOKEN"), QStringLiteral("pit-secret"));
        sources.environment = env;
        sources.commandLine.insert(ConfigKey::DatabaseUrl, QStringLiteral("postgresql://u:p@db.example:5433/qr"));
        auto c = Config::load(sources);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().toString()));
        QCOMPARE(c->ghl().locationId, QStringLiteral("fromFile"));
        QCOMPARE(c->origin(ConfigKey::GhlLocationId), Config::Origin::File);
        QCOMPARE(c->ghl().concurrency, 8);
        QCOMPARE(c->origin(ConfigKey::GhlConcurrency), Config::Origin::Environment);
        QCOMPARE(c->ghl().token, QStringLiteral("pit-secret"));
        QCOMPARE(c->webhook().port, quint16(9000));
        QCOMPARE(c->text(ConfigKey::DatabaseUrl), QStringLiteral("postgresql://u:p@db.example:5433/qr"));
        QCOMPARE(c->origin(ConfigKey::DatabaseUrl), Config::Origin::CommandLine);
    }

    void invalidValuesNameTheKeyAndTheAcceptedValues_data()
    {
        QTest::addColumn<QString>("env");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("port out of range") << "QRTICKETS_WEBHOOK_PORT" << "70000" << "1 to 65535";
        QTest::newRow("port not a number") << "QRTICKETS_WEBHOOK_PORT" << "eighty" << "[webhook] port";
        QTest::newRow("unknown auth mode") << "QRTICKETS_WEBHOOK_AUTH" << "basic" << "ghl-signature, shared-secret, none";
        QTest::newRow("bad base url") << "QRTICKETS_GHL_BASE_URL" << "ftp://x" << "[ghl] base_url";
        QTest::newRow("bad database url") << "QRTICKETS_DATABASE_URL" << "mysql://x/y" << "postgresql://";
        QTest::newRow("template without id") << "QRTICKETS_QR_URL_TEMPLATE" << "https://x/orders" << "{order_id}";
        QTest::newRow("bad ecc") << "QRTICKETS_QR_ECC" << "X" << "L, M, Q, H";
        QTest::newRow("bad bind") << "QRTICKETS_WEBHOOK_BIND" << "999.1.1.1" << "[webhook] bind";
        QTest::newRow("bad bool") << "QRTICKETS_WEBHOOK_ENABLED" << "maybe" << "true or false";
        QTest::newRow("path") << "QRTICKETS_WEBHOOK_PATH" << "no-slash" << "starting with /";
        QTest::newRow("concurrency") << "QRTICKETS_GHL_CONCURRENCY" << "0" << "1 to 32";
    }
    void invalidValuesNameTheKeyAndTheAcceptedValues()
    {
        QFETCH(QString, env);
        QFETCH(QString, value);
        QFETCH(QString, mustMention);
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("ok.ini"), {});
        QProcessEnvironment e;
        e.insert(env, value);
        sources.environment = e;
        auto c = Config::load(sources);
        QVERIFY2(!c, "an invalid value was accepted");
        QVERIFY2(c.error().message.contains(mustMention), qPrintable(c.error().message));
        QVERIFY2(c.error().message.contains(env), qPrintable(c.error().message));
    }

    void invalidFileValueNamesTheFile()
    {
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("bad.ini"), { { QStringLiteral("qr/size_px"), QStringLiteral("5") } });
        sources.environment = QProcessEnvironment();
        auto c = Config::load(sources);
        QVERIFY(!c);
        QVERIFY2(c.error().message.contains(QStringLiteral("bad.ini")), qPrintable(c.error().message));
        QVERIFY2(c.error().message.contains(QStringLiteral("[qr] size_px")), qPrintable(c.error().message));
    }

    void secretsAreNeverEchoed()
    {
        QProcessEnvironment e;
        e.insert(QStringLiteral("QRTICKETS_DATABASE_URL"), QStringLiteral("postgresql://user:hunter2@:5432"));
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("ok2.ini"), {});
        sources.environment = e;
        auto c = Config::load(sources);
        QVERIFY(!c);
        QVERIFY2(!c.error().message.contains(QStringLiteral("hunter2")), qPrintable(c.error().message));
        auto t = Config::validate(ConfigKey::GhlToken, QString(5000, u'x'));
        QVERIFY(!t);
        QVERIFY(!t.error().message.contains(QStringLiteral("xxxxx")));
    }

    void missingFileGivenExplicitlyIsAnError()
    {
        Config::Sources sources;
        sources.filePath = m_dir.filePath(QStringLiteral("does-not-exist.ini"));
        auto c = Config::load(sources);
        QVERIFY(!c);
        QVERIFY(c.error().message.contains(QStringLiteral("does-not-exist.ini")));
    }

    void saveKeepsTokenOutOfTheFile()
    {
        Config::Sources sources;
        sources.filePath = writeIni(QStringLiteral("save.ini"), {});
        sources.environment = QProcessEnvironment();
        auto c = Config::load(sources);
        QVERIFY(c);
        QVERIFY(c->set(ConfigKey::GhlToken, QStringLiteral("pit-123")));
        QVERIFY(c->set(ConfigKey::GhlLocationId, QStringLiteral("loc1")));
        QVERIFY(c->set(ConfigKey::WebhookSecret, QStringLiteral("wh-secret")));
        QVERIFY(c->set(ConfigKey::FeedToken, QStringLiteral("feed-secret")));
        QVERIFY(!c->set(ConfigKey::QrMargin, QStringLiteral("-1")));
        QVERIFY(c->save());
        QSettings ini(sources.filePath, QSettings::IniFormat);
        QCOMPARE(ini.value(QStringLiteral("ghl/location_id")).toString(), QStringLiteral("loc1"));
        QVERIFY(!ini.contains(QStringLiteral("ghl/token")));
        QVERIFY(!ini.contains(QStringLiteral("webhook/secret")));
        QVERIFY(!ini.contains(QStringLiteral("feed/token")));
    }

    void qrUrlTemplate()
    {
        QrSettings qr;
        qr.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        QCOMPARE(qr.urlFor(QStringLiteral("653f5e0cde5a1314e62a837c")),
                 QStringLiteral("https://qr.example.com/orders/653f5e0cde5a1314e62a837c"));
        QCOMPARE(qr.urlFor(QStringLiteral("a/b?c")), QStringLiteral("https://qr.example.com/orders/a%2Fb%3Fc"));
    }

    void ticketStatusStrings()
    {
        QCOMPARE(toString(TicketStatus::Cancelled), QStringLiteral("cancelled"));
        QVERIFY(ticketStatusFromString(u"Used") == TicketStatus::Used);
        QVERIFY(ticketStatusFromString(u"canceled") == TicketStatus::Cancelled);
        QVERIFY(!ticketStatusFromString(u"usedd"));
        QVERIFY(!ticketStatusFromString(u"'; DROP TABLE x; --"));
        QVERIFY(!ticketStatusFromString(u""));
    }

    void ticketTransitions()
    {
        QCOMPARE(checkTransition(TicketStatus::Live, TicketStatus::Used), TransitionCheck::Allowed);
        QCOMPARE(checkTransition(TicketStatus::Used, TicketStatus::Live), TransitionCheck::NeedsReason);
        QCOMPARE(checkTransition(TicketStatus::Live, TicketStatus::Cancelled), TransitionCheck::NeedsReason);
        QCOMPARE(checkTransition(TicketStatus::Used, TicketStatus::Cancelled), TransitionCheck::NeedsReason);
        QCOMPARE(checkTransition(TicketStatus::Cancelled, TicketStatus::Live), TransitionCheck::NeedsReason);
        QCOMPARE(checkTransition(TicketStatus::Cancelled, TicketStatus::Used), TransitionCheck::Invalid);
        QCOMPARE(checkTransition(TicketStatus::Live, TicketStatus::Live), TransitionCheck::Invalid);
        QVERIFY(transitionProblem(TicketStatus::Live, TicketStatus::Used, {}).isEmpty());
        QVERIFY(transitionProblem(TicketStatus::Used, TicketStatus::Live, {}).contains(QStringLiteral("reason")));
        QVERIFY(transitionProblem(TicketStatus::Used, TicketStatus::Live, QStringLiteral("scanned twice")).isEmpty());
        QVERIFY(!transitionProblem(TicketStatus::Cancelled, TicketStatus::Used, QStringLiteral("x")).isEmpty());
    }

    void logRedaction_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("secret");
        QTest::newRow("bearer") << "Authorization: Bearer pit-1234abcd-99aa-bb" << "pit-1234abcd";
        QTest::newRow("pit anywhere") << "token pit-0f9e8d7c-6b5a-4c3d-2e1f is bad" << "0f9e8d7c";
        QTest::newRow("signature header") << "x-ghl-signature: c2lnbmF0dXJlYmFzZTY0PT0=" << "c2lnbmF0dXJl";
        QTest::newRow("query token") << "GET /api/ghl/webhook-qr?token=s3cr3tvalue&x=1" << "s3cr3tvalue";
        QTest::newRow("db password") << "postgresql://qr:hunter2pw@db:5432/x" << "hunter2pw";
        QTest::newRow("configured secret") << "shared secret was wh-verysecret in a message" << "wh-verysecret";
        QTest::newRow("json header") << "{\"X-Webhook-Secret\": \"abc123456\"}" << "abc123456";
    }
    void logRedaction()
    {
        QFETCH(QString, line);
        QFETCH(QString, secret);
        const QString out = LogSink::redact(line, { QStringLiteral("wh-verysecret") });
        QVERIFY2(!out.contains(secret), qPrintable(out));
        QVERIFY(out.contains(QStringLiteral("***")));
    }

    void logLinesAreJsonAndRetained()
    {
        QTemporaryDir dir;
        const QDate today(2026, 11, 24);
        for (int age : { 0, 3, 20, 40 }) {
            QFile f(LogSink::fileFor(dir.path(), today.addDays(-age)));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(1000, 'x'));
        }
        LogSink::applyRetention(dir.path(), 14, 10'000'000, today);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files).size(), 2);
        LogSink::applyRetention(dir.path(), 14, 1500, today);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList { QStringLiteral("sync-2026-11-24.log") });

        const QByteArray line = LogSink::formatLine(QtWarningMsg, "qrtickets.sync", QStringLiteral("order \"x\" failed"),
                                                    QDateTime(today, QTime(10, 0), Qt::UTC), QStringLiteral("door-1"));
        QVERIFY(line.endsWith('\n'));
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        QCOMPARE(o.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
        QCOMPARE(o.value(QStringLiteral("category")).toString(), QStringLiteral("qrtickets.sync"));
        QCOMPARE(o.value(QStringLiteral("msg")).toString(), QStringLiteral("order \"x\" failed"));
        QCOMPARE(o.value(QStringLiteral("station")).toString(), QStringLiteral("door-1"));
    }

    void installedSinkWritesRedactedFile()
    {
        QTemporaryDir dir;
        const QtMessageHandler testHandler = qInstallMessageHandler(nullptr);
        LogSink::Options options;
        options.dir = dir.path();
        options.alsoStderr = false;
        options.secrets = { QStringLiteral("the-ghl-token-value") };
        options.minLevel = QtInfoMsg;
        LogSink::install(options);
        qInfo("using token the-ghl-token-value for the request");
        qDebug("below the level: not written");
        qWarning("Authorization: Bearer abcdefghijkl");
        qInstallMessageHandler(testHandler);
        QFile f(LogSink::fileFor(dir.path(), QDateTime::currentDateTimeUtc().date()));
        QVERIFY2(f.open(QIODevice::ReadOnly), "no log file was written");
        const QByteArray all = f.readAll();
        QCOMPARE(all.count('\n'), 2);
        QVERIFY(!all.contains("the-ghl-token-value"));
        QVERIFY(!all.contains("abcdefghijkl"));
        QVERIFY(!all.contains("below the level"));
    }

    void configReferenceIsCurrent()
    {
        const QString generated = Config::referenceMarkdown();
        const QString target = qEnvironmentVariable("QRT_WRITE_CONFIG_REFERENCE");
        if (!target.isEmpty()) {
            QFile out(target);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(generated.toUtf8());
        }
        QFile doc(QStringLiteral(QRT_SOURCE_DIR "/docs/configuration.md"));
        QVERIFY2(doc.open(QIODevice::ReadOnly), "docs/configuration.md is missing");
        const QString onDisk = QString::fromUtf8(doc.readAll());
        QVERIFY2(onDisk == generated,
                 "docs/configuration.md differs from the configuration keys in the code; regenerate it with "
                 "QRT_WRITE_CONFIG_REFERENCE=docs/configuration.md build/tests/core/tst_core configReferenceIsCurrent");
        for (const ConfigKeyInfo &ki : Config::keys())
            QVERIFY2(onDisk.contains(ki.envName()), qPrintable(ki.envName()));
    }

    void orderDemand()
    {
        Order o;
        o.eventId = QStringLiteral("ev1");
        o.items = { { QStringLiteral("ev1"), {}, {}, {}, QStringLiteral("VIP"), 2, 0, {}, -1 },
                    { QStringLiteral("ev2"), {}, {}, {}, QStringLiteral("VIP"), 1, 0, {}, -1 },
                    { QStringLiteral("ev1"), {}, {}, {}, QStringLiteral("VIP"), 1, 0, {}, -1 } };
        const auto d = o.ticketDemand();
        QCOMPARE(d.size(), 2);
        QCOMPARE(d[0], (TicketDemand { QStringLiteral("ev1"), QStringLiteral("VIP"), 3 }));
        QCOMPARE(d[1], (TicketDemand { QStringLiteral("ev2"), QStringLiteral("VIP"), 1 }));
        o.orderStatus = QStringLiteral("Refunded");
        QVERIFY(o.isVoid());
        for (const auto &x : o.ticketDemand())
            QCOMPARE(x.qty, 0);
        Order legacy;
        legacy.eventId = QStringLiteral("ev9");
        legacy.ticketQuantities = { { QStringLiteral("GA"), 4 } };
        QCOMPARE(legacy.ticketDemand(), (QList<TicketDemand> { { QStringLiteral("ev9"), QStringLiteral("GA"), 4 } }));
    }
};

QTEST_GUILESS_MAIN(TestCore)
#include "tst_core.moc"
