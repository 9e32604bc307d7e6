// The sync dialog, settings dialog and listener panel against real parts: the GHL simulator on a
// socket, the real SyncEngine and webhook service, and a fresh SQLite database per test. Widgets are
// found by the objectName of their .ui file. Screenshots of the three screens go to
// <build>/screenshots (and QRT_SCREENSHOT_DIR when set).
#include "guitestutil.h"
#include "app/desktopservices.h"
#include "core/config.h"
#include "core/configstore.h"
#include "support/verify.h"
#include "db/database.h"
#include "db/fieldmappingrepository.h"
#include "db/inboxrepository.h"
#include "db/syncrunrepository.h"
#include "ghl/ghlclient.h"
#include "ghlsim/ghlsimulator.h"
#include "windowservices.h"
#include "gui/dbworker.h"
#include "gui/listenerpanel.h"
#include "gui/mainwindow.h"
#include "gui/secretaccess.h"
#include "gui/services.h"
#include "gui/settingsdialog.h"
#include "gui/syncdialog.h"
#include "support/freeport.h"
#include "support/syncfixture.h"
#include "sync/syncengine.h"
#include "serve/servetestutil.h"
#include "webhook/httpserver.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

#include <memory>

using namespace qrt;
using test::MemorySecrets;
using test::child;
using test::screenshot;
using core::ConfigKey;

namespace {

} // namespace

class TestDialogs : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<gui::DbWorker> m_worker; // the one database thread windows share, as in the application
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<core::Config> m_config;
    QTranslator m_english;

    core::Config makeConfig()
    {
        const QString ini = m_dir->filePath(QStringLiteral("qrtickets.ini"));
        QFile f(ini);
        f.open(QIODevice::WriteOnly);
        f.close();
        core::Config::Sources sources;
        sources.filePath = ini;
        sources.environment = QProcessEnvironment();
        auto c = core::Config::load(sources);
        if (!c)
            qFatal("config: %s", qPrintable(c.error().toString()));
        core::Config config = c.value();
        (void)config.set(ConfigKey::DatabaseUrl, m_t->url());
        (void)config.set(ConfigKey::GhlBaseUrl, m_sim->baseUrl().toString());
        (void)config.set(ConfigKey::GhlLocationId, m_sim->locationId());
        (void)config.set(ConfigKey::GhlToken, m_sim->token());
        (void)config.set(ConfigKey::GhlRequestTimeoutMs, QStringLiteral("10000"));
        (void)config.set(ConfigKey::StationName, QStringLiteral("test-door"));
        return config;
    }

    test::WindowServices services()
    {
        return { *m_config, m_t->shared(), QStringLiteral("test-door") };
    }

    // Fills the database through the real engine, outside any dialog.
    void syncAll()
    {
        sync::SyncEngine engine(m_t->shared());
        sync::SyncRequest r;
        r.mode = sync::SyncMode::Full;
        r.station = QStringLiteral("test-door");
        r.ghl = m_config->ghl();
        const sync::SyncSummary s = test::runOnce(engine, r, 2 * test::kWaitMs);
        QVERIFY2(s.status != sync::SyncStatus::Running, qPrintable(QStringLiteral("the fixture sync must finish: ") + s.error));
    }

private slots:
    void initTestCase()
    {
        // English plural forms ("1 order", "2 orders") come from qrtickets_en.qm, as in the app.
        QVERIFY2(m_english.load(QStringLiteral(":/i18n/qrtickets_en.qm")), "the English plural forms must be in :/i18n");
        QCoreApplication::installTranslator(&m_english);
    }

    void init()
    {
        auto t = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(t);
        m_t = std::move(t.value());
        QVERIFY_OK(m_t->migrate());
        m_worker = std::make_unique<gui::DbWorker>(m_t->shared());
        m_sim = test::startSimulator();
        QVERIFY2(m_sim, "the GHL simulator could not listen on 127.0.0.1");
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_config = std::make_unique<core::Config>(makeConfig());
    }

    void cleanup()
    {
        m_config.reset();
        m_sim.reset();
        m_worker.reset();
        m_t.reset();
        m_dir.reset();
    }

    // --- sync dialog -------------------------------------------------------------------------

    void syncDialogShowsProgressAndFailures()
    {
        m_sim->generate(40, 7);
        const QStringList ids = m_sim->orderIds();
        const QStringList broken { ids.at(3), ids.at(17) };
        ghlsim::SimFaults bad;
        bad.malformed = 1.0;
        for (const QString &id : broken)
            m_sim->setPathFaults(QStringLiteral("/payments/orders/") + id, bad);

        sync::SyncEngine engine(m_t->shared());
        test::WindowServices s = services();
        s.sync = &engine;
        gui::SyncDialog dialog(s);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *start = child<QPushButton>(&dialog, "startButton");
        QVERIFY2(start && start->isEnabled(), "the Sync button must be enabled when nothing runs");
        child<QRadioButton>(&dialog, "modeFullRadio")->setChecked(true);

        QSignalSpy finished(&dialog, &gui::SyncDialog::syncFinished);
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY2(!start->isEnabled(), "the Sync button must be disabled while a run is in progress");
        QVERIFY2(child<QPushButton>(&dialog, "cancelButton")->isEnabled(), "Cancel must be available during a run");
        QVERIFY2(finished.wait(60000), "the sync started from the dialog must finish");

        for (const char *name : { "listingBar", "ordersBar", "writingBar" }) {
            auto *bar = child<QProgressBar>(&dialog, name);
            QVERIFY(bar);
            QVERIFY2(bar->maximum() > 0 && bar->value() == bar->maximum(),
                     qPrintable(QStringLiteral("%1 must be at 100%, is %2 of %3")
                                    .arg(QLatin1String(name))
                                    .arg(bar->value())
                                    .arg(bar->maximum())));
        }
        QVERIFY2(child<QWidget>(&dialog, "summaryGroup")->isVisible(), "the summary must show at the end");
        const QString summary = child<QLabel>(&dialog, "summaryLabel")->text();
        QVERIFY2(summary.contains(QStringLiteral("38 orders synced")), qPrintable(summary));
        QVERIFY2(summary.contains(QStringLiteral(", 2 failed")), qPrintable(summary));
        auto *table = child<QTableWidget>(&dialog, "failuresTable");
        QCOMPARE(table->rowCount(), 2);
        QStringList listed;
        for (int r = 0; r < table->rowCount(); ++r) {
            listed << table->item(r, 0)->text();
            QVERIFY2(table->item(r, 1)->text().contains(QStringLiteral("malformed")),
                     qPrintable(QStringLiteral("the reason should say what went wrong: ") + table->item(r, 1)->text()));
        }
        listed.sort();
        QStringList expected = broken;
        expected.sort();
        QCOMPARE(listed, expected);
        QVERIFY2(start->isEnabled(), "Sync must be possible again after the run");
        screenshot(&dialog, QStringLiteral("sync-dialog"));
    }

    void syncDialogCancelsOnEscape()
    {
        m_sim->generate(300, 5);
        m_sim->setLatencyMs(20);
        (void)m_config->set(ConfigKey::GhlConcurrency, QStringLiteral("2"));
        sync::SyncEngine engine(m_t->shared());
        test::WindowServices s = services();
        s.sync = &engine;
        gui::SyncDialog dialog(s);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        child<QRadioButton>(&dialog, "modeFullRadio")->setChecked(true);
        QSignalSpy finished(&dialog, &gui::SyncDialog::syncFinished);
        QTest::mouseClick(child<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(engine.progress().fetched >= 10, test::kWaitMs);
        screenshot(&dialog, QStringLiteral("sync-dialog-running"));

        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY2(finished.wait(test::kWaitMs), "Esc during a run must cancel it");
        QVERIFY2(dialog.isVisible(), "Esc during a run cancels the run, not the dialog");
        QCOMPARE(child<QLabel>(&dialog, "statusLabel")->text(), sync::displayName(sync::SyncStatus::Cancelled));
        QVERIFY(!engine.isRunning());
        QVERIFY(child<QPushButton>(&dialog, "startButton")->isEnabled());
        QTest::keyClick(&dialog, Qt::Key_Escape);
        QVERIFY2(!dialog.isVisible(), "Esc with nothing running closes the dialog");
    }

    void syncDialogRefusesABadOrderFile()
    {
        sync::SyncEngine engine(m_t->shared());
        test::WindowServices s = services();
        s.sync = &engine;
        gui::SyncDialog dialog(s);
        dialog.show();
        const QString path = m_dir->filePath(QStringLiteral("orders.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\"not\": \"an array\"}");
        f.close();
        child<QRadioButton>(&dialog, "modeFileRadio")->setChecked(true);
        child<QLineEdit>(&dialog, "orderFileEdit")->setText(path);
        QTest::mouseClick(child<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
        auto *error = child<QLabel>(&dialog, "orderFileError");
        QVERIFY2(error->isVisible() && !error->text().isEmpty(), "a bad order file must be explained next to the field");
        QVERIFY(!engine.isRunning());
    }

    void syncDialogShowsRateLimitWaits()
    {
        m_sim->generate(60, 9);
        m_sim->setRateLimit(5, 4000); // far below GHL's 100 per 10 s, so the wait is certain
        sync::SyncEngine engine(m_t->shared());
        test::WindowServices s = services();
        s.sync = &engine;
        gui::SyncDialog dialog(s);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        child<QRadioButton>(&dialog, "modeFullRadio")->setChecked(true);
        QSignalSpy finished(&dialog, &gui::SyncDialog::syncFinished);
        QTest::mouseClick(child<QPushButton>(&dialog, "startButton"), Qt::LeftButton);
        auto *wait = child<QLabel>(&dialog, "rateLimitLabel");
        QTRY_VERIFY_WITH_TIMEOUT(wait->isVisible(), 60000);
        QVERIFY2(wait->text().startsWith(QStringLiteral("Waiting for GHL rate limit (")), qPrintable(wait->text()));
        screenshot(&dialog, QStringLiteral("sync-dialog-rate-limit"));
        QTest::mouseClick(child<QPushButton>(&dialog, "cancelButton"), Qt::LeftButton);
        QVERIFY2(finished.wait(60000), "Cancel during a rate-limit wait must end the run");
        QVERIFY2(!wait->isVisible(), "the wait notice must go away when the run ends");
    }

    void syncDialogWaitsForAnotherStationsRun()
    {
        db::SyncRunRepository runs(m_t->db());
        auto id = runs.start(QStringLiteral("full"), QStringLiteral("Side door"));
        QVERIFY_OK(id);
        sync::SyncEngine engine(m_t->shared());
        test::WindowServices s = services();
        s.sync = &engine;
        gui::SyncDialog dialog(s);
        dialog.show();
        auto *start = child<QPushButton>(&dialog, "startButton");
        auto *other = child<QLabel>(&dialog, "otherRunLabel");
        QTRY_VERIFY_WITH_TIMEOUT(other->isVisible(), 15000);
        QVERIFY2(other->text().contains(QStringLiteral("Side door")), qPrintable(other->text()));
        QVERIFY2(!start->isEnabled(), "Sync must wait while another station's run is in progress");

        db::SyncRunRecord done;
        done.id = id.value();
        done.mode = QStringLiteral("full");
        done.station = QStringLiteral("Side door");
        done.status = QStringLiteral("succeeded");
        QVERIFY_OK(runs.finish(done));
        QTRY_VERIFY_WITH_TIMEOUT(start->isEnabled(), 15000);
        QVERIFY(!other->isVisible());
    }

    // --- settings dialog ---------------------------------------------------------------------

    void settingsValidationIsInline()
    {
        MemorySecrets secrets;
        gui::SettingsDialog dialog(*m_config, &secrets, m_worker.get());
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *buttons = child<QDialogButtonBox>(&dialog, "buttonBox");
        QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
        QVERIFY2(ok->isEnabled(), "a valid configuration must be savable");

        auto *port = child<QLineEdit>(&dialog, "webhookPortEdit");
        auto *portError = child<QLabel>(&dialog, "webhookPortError");
        port->setText(QStringLiteral("70000"));
        QVERIFY2(!ok->isEnabled(), "OK must be disabled while the port is invalid");
        QVERIFY2(!portError->isHidden() && portError->text().contains(QStringLiteral("65535")),
                 qPrintable(QStringLiteral("the port message should give the range: ") + portError->text()));
        port->setText(QStringLiteral("8788"));
        QVERIFY(portError->isHidden());
        QVERIFY(ok->isEnabled());

        // [sync] reconcile_interval_s: 1 to 4 s is refused (it would hammer GHL), 0 turns it off.
        auto *reconcile = child<QLineEdit>(&dialog, "reconcileIntervalEdit");
        auto *reconcileError = child<QLabel>(&dialog, "reconcileIntervalError");
        reconcile->setText(QStringLiteral("3"));
        QVERIFY2(!ok->isEnabled() && !reconcileError->isHidden(), "a reconciliation every 3 s must be refused");
        reconcile->setText(QStringLiteral("0"));
        QVERIFY(reconcileError->isHidden());
        QVERIFY(ok->isEnabled());
        reconcile->setText(QStringLiteral("900"));
        QVERIFY(ok->isEnabled());

        auto *url = child<QLineEdit>(&dialog, "ghlBaseUrlEdit");
        url->setText(QStringLiteral("ftp://example.com"));
        auto *urlError = child<QLabel>(&dialog, "ghlBaseUrlError");
        QVERIFY2(!urlError->isHidden() && urlError->text().contains(QStringLiteral("https://")), qPrintable(urlError->text()));
        QVERIFY(!ok->isEnabled());
        url->setText(m_sim->baseUrl().toString());
        QVERIFY(ok->isEnabled());

        // Beyond loopback without authentication: warned next to the field, not savable.
        child<QLineEdit>(&dialog, "webhookBindEdit")->setText(QStringLiteral("0.0.0.0"));
        auto *auth = child<QComboBox>(&dialog, "webhookAuthCombo");
        auth->setCurrentIndex(auth->findData(QStringLiteral("none")));
        auto *warning = child<QLabel>(&dialog, "webhookExposureWarning");
        QVERIFY2(!warning->isHidden() && warning->text().contains(QStringLiteral("127.0.0.1")), qPrintable(warning->text()));
        QVERIFY(!ok->isEnabled());
        child<QTabWidget>(&dialog, "tabs")->setCurrentWidget(child<QWidget>(&dialog, "tabListener"));
        screenshot(&dialog, QStringLiteral("settings-listener-warning"));
        auth->setCurrentIndex(auth->findData(QStringLiteral("ghl-signature")));
        QVERIFY(warning->isHidden());
        QVERIFY(ok->isEnabled());

        child<QTabWidget>(&dialog, "tabs")->setCurrentWidget(child<QWidget>(&dialog, "tabQr"));
        auto *preview = child<QLabel>(&dialog, "qrPreviewLabel");
        QVERIFY2(!preview->pixmap().isNull(), "the QR tab must show a preview of the configured code");
        screenshot(&dialog, QStringLiteral("settings-qr"));
        auto *size = child<QLineEdit>(&dialog, "qrSizeEdit");
        size->setText(QStringLiteral("10"));
        QVERIFY2(!child<QLabel>(&dialog, "qrSizeError")->isHidden(), "a QR size below the minimum must be explained");
        QVERIFY(!ok->isEnabled());
        size->setText(QStringLiteral("300"));
        QVERIFY(ok->isEnabled());
    }

    void settingsTestConnectionNamesTheScope()
    {
        MemorySecrets secrets;
        gui::SettingsDialog dialog(*m_config, &secrets, m_worker.get());
        dialog.show();
        child<QLineEdit>(&dialog, "ghlTokenEdit")->setText(QStringLiteral("not-the-token"));
        QTest::mouseClick(child<QPushButton>(&dialog, "testConnectionButton"), Qt::LeftButton);
        auto *result = child<QLabel>(&dialog, "testConnectionResult");
        QTRY_VERIFY_WITH_TIMEOUT(child<QPushButton>(&dialog, "testConnectionButton")->isEnabled(), test::kWaitMs);
        QVERIFY2(result->text().contains(QStringLiteral("locations/customFields.readonly")),
                 qPrintable(QStringLiteral("a wrong token must name the scope: ") + result->text()));
        QVERIFY2(result->text().contains(QStringLiteral("401")), qPrintable(result->text()));
        screenshot(&dialog, QStringLiteral("settings-ghl-wrong-token"));

        child<QLineEdit>(&dialog, "ghlTokenEdit")->setText(m_sim->token());
        QTest::mouseClick(child<QPushButton>(&dialog, "testConnectionButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QStringLiteral("Connected")), test::kWaitMs);
    }

    void settingsTestDatabase()
    {
        gui::SettingsDialog dialog(*m_config, nullptr, m_worker.get());
        dialog.show();
        auto *result = child<QLabel>(&dialog, "testDatabaseResult");
        QTest::mouseClick(child<QPushButton>(&dialog, "testDatabaseButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QStringLiteral("Connected")), test::kWaitMs);
        child<QLineEdit>(&dialog, "databaseUrlEdit")->setText(QStringLiteral("postgresql://nobody:wrong@127.0.0.1:1/none"));
        QTest::mouseClick(child<QPushButton>(&dialog, "testDatabaseButton"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(result->text().startsWith(QStringLiteral("Not connected")), test::kWaitMs);
        QVERIFY2(child<QLineEdit>(&dialog, "ghlTokenEdit")->isEnabled() == false,
                 "without a keychain the token field must be disabled");
    }

    void settingsSaveMappingAndSecrets()
    {
        m_sim->generate(12, 3);
        syncAll();
        MemorySecrets secrets;
        gui::SettingsDialog dialog(*m_config, &secrets, m_worker.get());
        dialog.show();
        child<QTabWidget>(&dialog, "tabs")->setCurrentWidget(child<QWidget>(&dialog, "tabMappings"));
        auto *table = child<QTableWidget>(&dialog, "mappingTable");
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() > 0, test::kWaitMs);
        // Opening the tab loads the location's custom fields by itself.
        QTRY_VERIFY_WITH_TIMEOUT(qobject_cast<QComboBox *>(table->cellWidget(0, 2))
                                     && qobject_cast<QComboBox *>(table->cellWidget(0, 2))->count() > 1,
                                 test::kWaitMs);
        auto *combo = qobject_cast<QComboBox *>(table->cellWidget(0, 2));
        QVERIFY2(combo->isEnabled(), "the field choice must be editable once the fields are loaded");
        combo->setCurrentIndex(1);
        const QString productId = table->item(0, 0)->data(Qt::UserRole).toString();
        const QString fieldId = combo->currentData().toString();
        QVERIFY(!productId.isEmpty() && !fieldId.isEmpty());
        screenshot(&dialog, QStringLiteral("settings-mappings"));

        child<QLineEdit>(&dialog, "ghlTokenEdit")->setText(QStringLiteral("new-token-123"));
        child<QLineEdit>(&dialog, "webhookSecretEdit")->setText(QStringLiteral("webhook-secret-xyz"));
        child<QLineEdit>(&dialog, "stationNameEdit")->setText(QStringLiteral("Front door"));
        QSignalSpy saved(&dialog, &gui::SettingsDialog::settingsSaved);
        QTest::mouseClick(child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY2(saved.wait(test::kWaitMs) || saved.count() == 1, "OK must save and report it");

        db::FieldMappingRepository repo(m_t->db());
        auto mapping = repo.forProduct(productId);
        QVERIFY_OK(mapping);
        QVERIFY2(mapping.value().has_value(), "the mapping must be stored in ghl_qr_fields");
        QCOMPARE(mapping.value()->fieldId, fieldId);

        QCOMPARE(secrets.values.value(gui::SecretAccess::Secret::GhlToken), QStringLiteral("new-token-123"));
        QCOMPARE(secrets.values.value(gui::SecretAccess::Secret::WebhookSecret), QStringLiteral("webhook-secret-xyz"));
        QCOMPARE(m_config->text(ConfigKey::GhlToken), QStringLiteral("new-token-123"));
        QCOMPARE(m_config->stationName(), QStringLiteral("Front door"));
        QFile ini(m_config->filePath());
        QVERIFY(ini.open(QIODevice::ReadOnly));
        const QByteArray written = ini.readAll();
        QVERIFY2(written.contains("Front door"), "the station name must be saved to the INI file");
        QVERIFY2(!written.contains("new-token-123") && !written.contains("webhook-secret-xyz"),
                 "secrets must never be written to the INI file");
    }

    // --- listener panel ----------------------------------------------------------------------

    void listenerStartsAtLaunchWhenEnabled()
    {
        // [webhook] enabled: MainWindow::startListener (what desktop.cpp calls at launch) starts
        // it without opening the panel; a listener that cannot start opens the panel with why.
        (void)m_config->set(ConfigKey::WebhookPort, QString::number(test::freePort()));
        (void)m_config->set(ConfigKey::WebhookAuth, QStringLiteral("shared-secret"));
        (void)m_config->set(ConfigKey::WebhookSecret, QStringLiteral("launch-secret"));
        {
            // The services as the application builds them (src/app): the window only starts them.
            core::ConfigStore store(*m_config);
            app::DesktopServices built(store, m_t->shared());
            gui::Services &s = built.services();
            gui::MainWindow window(s);
            window.startListener();
            QVERIFY2(s.webhookServer && s.webhookServer->isListening(), "the listener did not start at launch");
            auto *panel = window.findChild<gui::ListenerPanel *>();
            QVERIFY2(!panel || !panel->isVisible(), "a listener that started should not open its panel");
            QVERIFY2(!panel, "the window starts the service itself; it builds no hidden panel for it");
        }
        (void)m_config->set(ConfigKey::WebhookBind, QStringLiteral("0.0.0.0"));
        (void)m_config->set(ConfigKey::WebhookAuth, QStringLiteral("none"));
        core::ConfigStore store(*m_config);
        app::DesktopServices built(store, m_t->shared());
        gui::Services &s = built.services();
        gui::MainWindow refused(s);
        refused.startListener();
        QVERIFY(!(s.webhookServer && s.webhookServer->isListening()));
        auto *panel = refused.findChild<gui::ListenerPanel *>();
        QVERIFY2(panel && panel->isVisible(), "a listener that could not start must show its panel with the reason");
    }

    void listenerPanelStartsStopsAndShowsDeliveries()
    {
        m_sim->generate(5, 11);
        (void)m_config->set(ConfigKey::WebhookPort, QString::number(test::freePort()));
        (void)m_config->set(ConfigKey::WebhookAuth, QStringLiteral("shared-secret"));
        (void)m_config->set(ConfigKey::WebhookSecret, QStringLiteral("demo-secret"));
        core::ConfigStore store(*m_config);
        app::DesktopServices built(store, m_t->shared()); // outlives the panel, as the application's does
        gui::Services &s = built.services();
        s.demo = true;
        QWidget host;
        auto *panel = new gui::ListenerPanel(s, &host);
        panel->setWindowFlag(Qt::Window);
        panel->show();
        QVERIFY(QTest::qWaitForWindowExposed(panel));
        QCOMPARE(child<QLabel>(panel, "stateLabel")->text(), QStringLiteral("Off"));

        QSignalSpy listening(panel, &gui::ListenerPanel::listeningChanged);
        QTest::mouseClick(child<QPushButton>(panel, "startStopButton"), Qt::LeftButton);
        QVERIFY2(s.webhookServer && s.webhookServer->isListening(),
                 qPrintable(QStringLiteral("the listener must start: ") + child<QLabel>(panel, "messageLabel")->text()));
        QCOMPARE(listening.count(), 1);
        QCOMPARE(child<QLabel>(panel, "stateLabel")->text(), QStringLiteral("Listening"));
        QVERIFY2(child<QLabel>(panel, "addressLabel")->text().contains(QString::number(s.webhookServer->serverPort())),
                 "the address must show the port");

        auto *test = child<QPushButton>(panel, "testWebhookButton");
        QVERIFY2(test->isVisible() && test->isEnabled(), "demo mode offers a test webhook while listening");
        QTest::mouseClick(test, Qt::LeftButton);
        auto *table = child<QTableWidget>(panel, "deliveriesTable");
        QTRY_VERIFY_WITH_TIMEOUT(table->rowCount() == 1, test::kWaitMs);
        QCOMPARE(table->item(0, 1)->text(), QStringLiteral("OrderCreate"));
        QCOMPARE(table->item(0, 2)->text(), m_sim->orderIds().first());
        // No field mapping: the worker syncs the order and ends with a warning, which can be retried.
        QTRY_COMPARE_WITH_TIMEOUT(table->item(0, 3)->text(), QStringLiteral("Done with a warning"), test::kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(panel, "acceptedTodayLabel")->text(), QStringLiteral("1"), 10000);
        screenshot(panel, QStringLiteral("listener-panel"));

        table->selectRow(0);
        auto *retry = child<QPushButton>(panel, "retryButton");
        QVERIFY2(retry->isEnabled(), "a delivery with a warning can be retried");
        QTest::mouseClick(retry, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(child<QLabel>(panel, "messageLabel")->text().contains(QStringLiteral("queued again")), test::kWaitMs);

        QTest::mouseClick(child<QPushButton>(panel, "startStopButton"), Qt::LeftButton);
        QVERIFY(!s.webhookServer->isListening());
        QCOMPARE(child<QLabel>(panel, "stateLabel")->text(), QStringLiteral("Off"));
        QCOMPARE(listening.count(), 2);
        QCOMPARE(listening.last().first().toBool(), false);

        // Settings changes the secret while the listener is off; Start takes the new one.
        (void)store.set(ConfigKey::WebhookSecret, QStringLiteral("changed-secret"));
        QTest::mouseClick(child<QPushButton>(panel, "startStopButton"), Qt::LeftButton);
        QVERIFY2(s.webhookServer->isListening(), qPrintable(child<QLabel>(panel, "messageLabel")->text()));
        QCOMPARE(listening.count(), 3);
        const QUrl url(QStringLiteral("http://127.0.0.1:%1%2").arg(s.webhookServer->serverPort()).arg(m_config->webhook().path));
        const QByteArray body = R"({"type":"OrderCreate","_id":"o-after-restart","contactId":"c1"})";
        QNetworkAccessManager nam;
        QCOMPARE(servetest::send(nam, "POST", url, body, { { "X-Webhook-Secret", "demo-secret" } }).status, 401);
        // A refusal never reaches the inbox: the panel lists it apart, without the secret sent.
        auto *refused = child<QTableWidget>(panel, "refusedTable");
        QTRY_COMPARE_WITH_TIMEOUT(refused->rowCount(), 1, test::kWaitMs);
        QCOMPARE(refused->item(0, 1)->text(), QStringLiteral("127.0.0.1"));
        QCOMPARE(refused->item(0, 2)->text(), QStringLiteral("401"));
        QVERIFY2(!refused->item(0, 3)->text().contains(u"demo-secret"), qPrintable(refused->item(0, 3)->text()));
        screenshot(panel, QStringLiteral("listener-panel-refused"));
        QCOMPARE(servetest::send(nam, "POST", url, body, { { "X-Webhook-Secret", "changed-secret" } }).status, 200);
        QTest::mouseClick(child<QPushButton>(panel, "startStopButton"), Qt::LeftButton);
        QVERIFY(!s.webhookServer->isListening());
    }

    void germanScreensFit()
    {
        // Longer German labels must still fit: screenshots of the three screens in German.
        // As the application does: Qt's own words (OK, Cancel) from qtbase_de, ours from :/i18n.
        QTranslator germanQt;
        if (germanQt.load(QStringLiteral("qtbase_de"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(&germanQt);
        QTranslator german;
        QVERIFY(german.load(QStringLiteral(":/i18n/qrtickets_de.qm")));
        QCoreApplication::installTranslator(&german);
        {
            MemorySecrets secrets;
            gui::SettingsDialog settings(*m_config, &secrets, m_worker.get());
            settings.show();
            QVERIFY(QTest::qWaitForWindowExposed(&settings));
            QCOMPARE(settings.windowTitle(), QStringLiteral("Einstellungen"));
            child<QTabWidget>(&settings, "tabs")->setCurrentWidget(child<QWidget>(&settings, "tabListener"));
            screenshot(&settings, QStringLiteral("de-settings-listener"));
            sync::SyncEngine engine(m_t->shared());
            test::WindowServices s = services();
            s.sync = &engine;
            gui::SyncDialog sync(s);
            sync.show();
            QVERIFY(QTest::qWaitForWindowExposed(&sync));
            screenshot(&sync, QStringLiteral("de-sync-dialog"));
            gui::ListenerPanel panel(s);
            panel.show();
            QVERIFY(QTest::qWaitForWindowExposed(&panel));
            QTRY_VERIFY_WITH_TIMEOUT(!child<QLabel>(&panel, "recentNote")->text().isEmpty(), 15000);
            QVERIFY2(child<QLabel>(&panel, "recentNote")->text().startsWith(QStringLiteral("Noch nichts empfangen")),
                     qPrintable(child<QLabel>(&panel, "recentNote")->text()));
            screenshot(&panel, QStringLiteral("de-listener-panel"));
        }
        QCoreApplication::removeTranslator(&german);
        QCoreApplication::removeTranslator(&germanQt);
    }

    // --- translations ------------------------------------------------------------------------

    void translationsAreComplete_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("es") << QStringLiteral("es");
        QTest::newRow("fr") << QStringLiteral("fr");
    }

    void translationsAreComplete()
    {
        QFETCH(QString, language);
        const QString dir = qEnvironmentVariable("QRT_TRANSLATIONS_DIR");
        QVERIFY2(!dir.isEmpty(), "QRT_TRANSLATIONS_DIR must name the translations folder (ctest sets it)");
        QFile ts(dir + QStringLiteral("/qrtickets_") + language + QStringLiteral(".ts"));
        QVERIFY2(ts.open(QIODevice::ReadOnly), qPrintable(ts.fileName() + QStringLiteral(" must exist")));
        const QString text = QString::fromUtf8(ts.readAll());
        const int messages = int(text.count(QStringLiteral("<message")));
        const int unfinished = int(text.count(QStringLiteral("type=\"unfinished\"")));
        QVERIFY2(messages > 100, qPrintable(QStringLiteral("%1 has only %2 messages").arg(ts.fileName()).arg(messages)));
        QVERIFY2(unfinished == 0,
                 qPrintable(QStringLiteral("%1 has %2 unfinished translations").arg(ts.fileName()).arg(unfinished)));

        QTranslator translator;
        QVERIFY2(translator.load(QStringLiteral(":/i18n/qrtickets_") + language + QStringLiteral(".qm")),
                 "the compiled translation must be in the :/i18n resource");
        QVERIFY2(!translator.isEmpty(), "the translation must not be empty");
        // One string from a .ui form and one from code.
        const QString title = translator.translate("SyncDialog", "Sync with GHL");
        QVERIFY2(!title.isEmpty() && title != u"Sync with GHL",
                 qPrintable(QStringLiteral("the sync dialog's title must be translated, got '%1'").arg(title)));
        const QString reason = translator.translate("qrt::gui::SyncDialog", "Reason");
        QVERIFY2(!reason.isEmpty() && reason != u"Reason",
                 qPrintable(QStringLiteral("\"Reason\" must be translated, got '%1'").arg(reason)));
    }
};

QTEST_MAIN(TestDialogs)
#include "tst_dialogs.moc"
