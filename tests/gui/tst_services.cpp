#include "app/desktopservices.h"
#include "core/config.h"
#include "core/configstore.h"
#include "db/inboxrepository.h"
#include "ghl/listordersjob.h"
#include "ghlsim/ghlsimulator.h"
#include "gui/mainwindow.h"
#include "support/freeport.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "feed/eventfeed.h"
#include "gui/secretaccess.h"
#include "sync/syncengine.h"

#include <QAction>
#include <QApplication>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QJsonDocument>
#include <QJsonObject>

using namespace qrt;
using core::ConfigKey;

// The desktop's services as src/app builds them (app::DesktopServices), and one settings change
// reaching each of them through the ConfigStore: the GHL client, the inbox worker (its next event),
// and the listener (listening again on a new port, or keeping its settings when the new ones are
// refused).
class TestServices : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;

    int post(quint16 port, const QString &orderId)
    {
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(QStringLiteral("http://127.0.0.1:%1/api/ghl/webhook-qr").arg(port)));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        request.setRawHeader("X-Webhook-Secret", "services-secret");
        QNetworkReply *reply = nam.post(request, QStringLiteral(R"({"type":"OrderCreate","_id":"%1","contactId":"c1"})")
                                                     .arg(orderId)
                                                     .toUtf8());
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!reply->isFinished() && !done.wait(test::kWaitMs))
            return 0;
        reply->deleteLater();
        return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    }

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void init()
    {
        auto t = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(t);
        m_t = std::move(t.value());
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        QVERIFY(m_sim->listen());
        m_sim->setRateLimit(0, 10000);
        m_sim->generate(3, 5);
    }

    void cleanup()
    {
        m_sim.reset();
        m_t.reset();
    }

    void settingsChangesReachEveryService()
    {
        core::Config config = core::Config::defaults();
        QVERIFY_OK(config.set(ConfigKey::DatabaseUrl, m_t->url()));
        QVERIFY_OK(config.set(ConfigKey::GhlBaseUrl, m_sim->baseUrl().toString()));
        QVERIFY_OK(config.set(ConfigKey::GhlLocationId, m_sim->locationId()));
        QVERIFY_OK(config.set(ConfigKey::GhlToken, QStringLiteral("not-the-token")));
        QVERIFY_OK(config.set(ConfigKey::StationName, QStringLiteral("services-door")));
        QVERIFY_OK(config.set(ConfigKey::WebhookPort, QString::number(test::freePort())));
        QVERIFY_OK(config.set(ConfigKey::WebhookAuth, QStringLiteral("shared-secret")));
        QVERIFY_OK(config.set(ConfigKey::WebhookSecret, QStringLiteral("services-secret")));
        core::ConfigStore store(config);
        app::DesktopServices built(store, m_t->shared());
        webhook::WebhookService &service = built.webhookService();
        QVERIFY2(!service.isRunning(), "the services are built, not started: the listener panel starts them");
        QVERIFY_OK(service.startListening());
        QVERIFY(built.services().webhookServer->isListening());
        QVERIFY(service.worker());
        QSignalSpy processed(service.worker(), &webhook::InboxWorker::eventProcessed);
        QSignalSpy failed(service.worker(), &webhook::InboxWorker::eventFailed);

        // A wrong token: the worker cannot fetch the order.
        const QString orderId = m_sim->orderIds().first();
        QCOMPARE(post(service.port(), orderId), 200);
        QVERIFY2(failed.wait(test::kWaitMs) || !failed.isEmpty(), "the event must fail while the token is wrong");
        QVERIFY(processed.isEmpty());
        const qint64 id = failed.first().at(0).toLongLong();

        // Settings gives the right one: the desktop's GHL client and the inbox worker both use it.
        QVERIFY_OK(store.set(ConfigKey::GhlToken, m_sim->token()));
        ghl::ListOrdersQuery query;
        query.limit = 1;
        ghl::ListOrdersJob *job = built.ghl().listOrders(query);
        QSignalSpy listed(job, &ghl::GhlJob::finished);
        QVERIFY(listed.wait(test::kWaitMs));
        QVERIFY2(job->ok(), qPrintable(QStringLiteral("the GHL client must use the new token: ") + job->error().message()));
        auto retried = db::InboxRepository(*m_t->shared()).retry(id);
        QVERIFY_OK(retried);
        QMetaObject::invokeMethod(service.worker(), &webhook::InboxWorker::wake, Qt::QueuedConnection);
        QVERIFY2(processed.wait(test::kWaitMs) || !processed.isEmpty(), "the inbox worker must use the new token for its next event");
        QCOMPARE(processed.last().at(1).toString(), orderId);

        // A new port: the listener listens again there, and says so.
        QSignalSpy listening(&service, &webhook::WebhookService::listeningChanged);
        const quint16 newPort = test::freePort();
        QVERIFY_OK(store.set(ConfigKey::WebhookPort, QString::number(newPort)));
        QCOMPARE(service.port(), newPort);
        QVERIFY(service.isListening());
        QVERIFY(!listening.isEmpty());
        QCOMPARE(listening.last().at(0).toBool(), true);

        // Settings the listener must refuse (no authentication on every interface): it keeps the
        // ones it has and the application hears why.
        QSignalSpy problem(&built, &app::DesktopServices::problem);
        core::Config refused = store.config();
        QVERIFY_OK(refused.set(ConfigKey::WebhookBind, QStringLiteral("0.0.0.0")));
        QVERIFY_OK(refused.set(ConfigKey::WebhookAuth, QStringLiteral("none")));
        store.apply(refused);
        QCOMPARE(problem.count(), 1);
        QVERIFY(service.isListening());
        QCOMPARE(service.port(), newPort);
        QCOMPARE(post(newPort, orderId), 200);
    }


    void settingsDialogSavesThroughTheStore()
    {
        // The main window's Settings saves through the ConfigStore, so every service hears of it.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        core::Config::Sources sources;
        sources.filePath = dir.filePath(QStringLiteral("qrtickets.ini"));
        sources.fileMustExist = false;
        sources.environment = QProcessEnvironment();
        auto loaded = core::Config::load(sources);
        QVERIFY_OK(loaded);
        core::Config config = loaded.value();
        QVERIFY_OK(config.set(ConfigKey::DatabaseUrl, m_t->url()));
        QVERIFY_OK(config.set(ConfigKey::StationName, QStringLiteral("Front door")));
        core::ConfigStore store(config);
        app::DesktopServices built(store, m_t->shared());
        QSignalSpy changed(&store, &core::ConfigStore::keysChanged);
        gui::MainWindow window(built.services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        bool edited = false;
        auto *timer = new QTimer(&window);
        timer->setInterval(20);
        connect(timer, &QTimer::timeout, timer, [timer, &edited] {
            QWidget *dialog = QApplication::activeModalWidget();
            if (!dialog || !dialog->inherits("qrt::gui::SettingsDialog"))
                return;
            timer->stop();
            auto *station = dialog->findChild<QLineEdit *>(QStringLiteral("stationNameEdit"));
            auto *buttons = dialog->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"));
            if (!station || !buttons)
                return;
            station->setText(QStringLiteral("Side door"));
            edited = true;
            QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
        });
        timer->start();
        auto *settings = window.findChild<QAction *>(QStringLiteral("actionSettings"));
        QVERIFY(settings);
        settings->trigger(); // returns when the dialog is closed
        QVERIFY2(edited, "the Settings dialog did not open with a station name field and OK");
        QCOMPARE(store.config().stationName(), QStringLiteral("Side door"));
        QCOMPARE(built.services().station, QStringLiteral("Side door"));
        QVERIFY2(!changed.isEmpty(), "saving Settings must announce the changed keys");
        QVERIFY(changed.last().at(0).value<QSet<ConfigKey>>().contains(ConfigKey::StationName));
    }

    // The desktop listening on every address without [feed] token: a token is generated on the
    // first start and kept (the keychain, the running settings); /ws opens with it only. The
    // manual Sync (the desktop's SyncEngine, connected to nothing) reaches /ws as the original's
    // sync_status, sync_progress ..., sync_complete, sync_status.
    void feedTokenIsGeneratedAndSyncReachesTheFeed()
    {
        core::Config config = core::Config::defaults();
        QVERIFY_OK(config.set(ConfigKey::DatabaseUrl, m_t->url()));
        QVERIFY_OK(config.set(ConfigKey::GhlBaseUrl, m_sim->baseUrl().toString()));
        QVERIFY_OK(config.set(ConfigKey::GhlLocationId, m_sim->locationId()));
        QVERIFY_OK(config.set(ConfigKey::GhlToken, m_sim->token()));
        QVERIFY_OK(config.set(ConfigKey::WebhookBind, QStringLiteral("0.0.0.0")));
        QVERIFY_OK(config.set(ConfigKey::WebhookPort, QString::number(test::freePort())));
        QVERIFY_OK(config.set(ConfigKey::WebhookAuth, QStringLiteral("shared-secret")));
        QVERIFY_OK(config.set(ConfigKey::WebhookSecret, QStringLiteral("services-secret")));
        QVERIFY_OK(config.set(ConfigKey::SyncReconcileIntervalS, QStringLiteral("0")));
        core::ConfigStore store(config);
        app::DesktopServices built(store, m_t->shared());
        struct Memory : gui::SecretAccess
        {
            QHash<int, QString> values;
            void read(Secret s, QObject *, ReadDone done) override { done(values.value(int(s))); }
            void write(Secret s, const QString &v, QObject *, WriteDone done) override
            {
                values.insert(int(s), v);
                done({});
            }
            void remove(Secret s, QObject *, WriteDone done) override
            {
                values.remove(int(s));
                done({});
            }
        } keychain;
        built.services().secrets = &keychain;
        webhook::WebhookService &service = built.webhookService();
        QVERIFY_OK(service.startListening());
        const QString token = service.feedToken();
        QCOMPARE(token.size(), 43);
        QTRY_COMPARE_WITH_TIMEOUT(store.config().text(ConfigKey::FeedToken), token, test::kWaitMs);
        QCOMPARE(keychain.values.value(int(gui::SecretAccess::Secret::FeedToken)), token);
        QCOMPARE(service.feedToken(), token); // the settings change did not make another one

        QWebSocket refused;
        QSignalSpy refusedConnected(&refused, &QWebSocket::connected);
        QSignalSpy refusedGone(&refused, &QWebSocket::disconnected);
        refused.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(service.port())));
        QVERIFY(refusedGone.wait(test::kWaitMs) || !refusedGone.isEmpty());
        QCOMPARE(refusedConnected.count(), 0);

        QWebSocket client;
        QStringList events;
        connect(&client, &QWebSocket::textMessageReceived, this, [&events](const QString &text) {
            const QString name = QJsonDocument::fromJson(text.toUtf8()).object().value(u"event").toString();
            if (name.startsWith(u"sync_"))
                events << name;
        });
        QSignalSpy connected(&client, &QWebSocket::connected);
        client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(service.port()).arg(token)));
        QVERIFY(connected.wait(test::kWaitMs));
        QTRY_COMPARE_WITH_TIMEOUT(built.services().feed->clientCount(), 1, test::kWaitMs);

        sync::SyncRequest request;
        request.mode = sync::SyncMode::Full;
        request.station = QStringLiteral("services-door");
        request.ghl = store.config().ghl();
        QSignalSpy finished(built.services().sync, &sync::SyncEngine::finished);
        QVERIFY(built.services().sync->start(request));
        QVERIFY(finished.wait(test::kSyncRunMs));
        QTRY_VERIFY2_WITH_TIMEOUT(events.size() >= 4 && events.last() == u"sync_status", qPrintable(events.join(u',')),
                                  test::kWaitMs);
        QCOMPARE(events.first(), QStringLiteral("sync_status"));
        QCOMPARE(events.mid(events.size() - 3),
                 QStringList({ QStringLiteral("sync_progress"), QStringLiteral("sync_complete"), QStringLiteral("sync_status") }));
        client.close();
    }
};

QTEST_MAIN(TestServices)
#include "tst_services.moc"
