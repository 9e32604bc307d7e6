// Never locked out, keychain without crashes (issue 11): the start-up problem window with its
// buttons against real databases (SQLite files, a PostgreSQL port where nothing listens), and the
// Settings dialog against a keychain that never answers and a database URL that does not connect.
// Widgets are found by objectName; screenshots go to <build>/screenshots (and QRT_SCREENSHOT_DIR).
#include "guitestutil.h"
#include "app/appcontext.h"
#include "app/keychainsecrets.h"
#include "app/latekeychain.h"
#include "app/secretstore.h"
#include "core/config.h"
#include "db/database.h"
#include "windowservices.h"
#include "gui/mainwindow.h"
#include "gui/services.h"
#include "gui/dbworker.h"
#include "gui/settingsdialog.h"
#include "gui/startupproblem.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace qrt;
using test::MemorySecrets;
using test::child;
using test::screenshot;
using core::ConfigKey;

namespace {

// A PostgreSQL URL at a port where nothing listens, with a password that must never be shown.
QString unreachableUrl()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    return QStringLiteral("postgresql://door:s3cret-pw@127.0.0.1:%1/qrtickets").arg(port);
}

QString allTexts(QWidget *window)
{
    QStringList texts { window->windowTitle() };
    for (auto *label : window->findChildren<QLabel *>())
        texts << label->text();
    for (auto *button : window->findChildren<QAbstractButton *>())
        texts << button->text();
    return texts.join(u'\n');
}

// Runs `step` once a modal window named `name` is up (the click that opens it blocks in exec()).
void whenModal(const char *name, std::function<void(QWidget *)> step)
{
    auto *timer = new QTimer(qApp);
    timer->setInterval(20);
    const QString wanted = QString::fromLatin1(name);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, wanted, step] {
        for (QWidget *w : QApplication::topLevelWidgets()) {
            if (w->isVisible() && (w->objectName() == wanted || w->inherits(qPrintable(wanted)))) {
                timer->deleteLater();
                timer->stop();
                step(w);
                return;
            }
        }
    });
    timer->start();
}

} // namespace

class TestStartup : public QObject
{
    Q_OBJECT

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<test::TestDatabase> m_t;

    QString iniPath() const { return m_dir->filePath(QStringLiteral("qrtickets.ini")); }

    core::Config loadConfig()
    {
        core::Config::Sources sources;
        sources.filePath = iniPath();
        sources.fileMustExist = false;
        sources.environment = QProcessEnvironment();
        auto c = core::Config::load(sources);
        if (!c)
            qFatal("config: %s", qPrintable(c.error().toString()));
        return c.value();
    }

    void writeIni(const QString &databaseUrl)
    {
        QFile f(iniPath());
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("[database]\nurl = " + databaseUrl.toUtf8() + "\n[station]\nname = Front door\n");
    }

    gui::StartupProblemDialog::Hooks hooks()
    {
        gui::StartupProblemDialog::Hooks h;
        h.openDatabase = &app::openDatabase; // the desktop's own
        const QString ini = iniPath();
        h.reloadConfig = [ini]() -> core::Result<core::Config> {
            auto c = app::loadDesktopContext(ini, QString());
            if (!c)
                return c.error();
            if (c->databaseProblem)
                return *c->databaseProblem;
            return c->config;
        };
        return h;
    }

    // What the desktop does once the problem window is accepted.
    void verifyMainWindowOpens(core::Config &config, std::shared_ptr<db::Database> database)
    {
        QVERIFY2(database, "an accepted start-up window must hand over an open database");
        test::WindowServices services { config, database, config.stationName() };
        gui::MainWindow window(services);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.windowTitle().contains(QStringLiteral("QR Tickets")), qPrintable(window.windowTitle()));
    }

private slots:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        // The local database of "Use this computer's local database" lives under XDG_DATA_HOME.
        qputenv("XDG_DATA_HOME", m_dir->filePath(QStringLiteral("data")).toUtf8());
        auto t = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(t);
        m_t = std::move(t.value());
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup()
    {
        m_t.reset();
        m_dir.reset();
    }

    // --- start-up problem window --------------------------------------------------------------

    void unreachableDatabaseUseLocalDatabase()
    {
        const QString url = unreachableUrl();
        writeIni(url);
        core::Config config = loadConfig();
        auto first = app::openDatabase(url);
        QVERIFY2(!first, "nothing listens on the port: opening must fail");
        gui::StartupProblemDialog dialog(config, first.error(), url, hooks(), nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QCOMPARE(dialog.objectName(), QStringLiteral("startupProblem"));
        const QString texts = allTexts(&dialog);
        QVERIFY2(dialog.windowTitle().contains(QStringLiteral("QR Tickets")), qPrintable(dialog.windowTitle()));
        for (const char *word : { "127.0.0.1", "Settings", "Retry", "local database", "cannot be reached" })
            QVERIFY2(texts.contains(QLatin1StringView(word)), qPrintable(QStringLiteral("missing '%1' in:\n%2").arg(QLatin1StringView(word), texts)));
        QVERIFY2(!texts.contains(QStringLiteral("s3cret-pw")), "the database password must not be shown");
        screenshot(&dialog, QStringLiteral("startup-problem-unreachable"));

        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(child<QPushButton>(&dialog, "localButton"), Qt::LeftButton);
        QVERIFY2(finished.wait(test::kWaitMs) || finished.count() == 1, "the local database must open");
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(config.text(ConfigKey::DatabaseUrl), core::Config::defaultDatabaseUrl());
        QCOMPARE(dialog.database()->dialect(), db::Dialect::SQLite);
        QVERIFY2(loadConfig().text(ConfigKey::DatabaseUrl) == core::Config::defaultDatabaseUrl(),
                 "the local database must be saved in the settings file for the next start");
        QCOMPARE(loadConfig().stationName(), QStringLiteral("Front door"));
        verifyMainWindowOpens(config, dialog.database());
    }

    void brokenUrlRetryAfterTheFileWasCorrected()
    {
        writeIni(QStringLiteral("mysql://venue-db/tickets"));
        auto context = app::loadDesktopContext(iniPath(), QString());
        QVERIFY_OK(context);
        QVERIFY2(context->databaseProblem.has_value(), "a URL that does not parse is a database problem, not a refusal to start");
        QCOMPARE(context->problemDatabaseUrl, QStringLiteral("mysql://venue-db/tickets"));
        QCOMPARE(context->config.stationName(), QStringLiteral("Front door")); // the rest still loads
        gui::StartupProblemDialog dialog(context->config, *context->databaseProblem, context->problemDatabaseUrl, hooks(),
                                         nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QVERIFY2(allTexts(&dialog).contains(QStringLiteral("mysql://venue-db/tickets")), qPrintable(allTexts(&dialog)));
        screenshot(&dialog, QStringLiteral("startup-problem-broken-url"));

        QSignalSpy attempts(&dialog, &gui::StartupProblemDialog::attemptFinished);
        QTest::mouseClick(child<QPushButton>(&dialog, "retryButton"), Qt::LeftButton);
        QVERIFY(attempts.count() == 1 || attempts.wait(test::kWaitMs));
        QCOMPARE(attempts.last().at(0).toBool(), false);
        QVERIFY(dialog.isVisible());

        // Someone corrects the file; Retry reads it again.
        writeIni(m_t->url());
        QTest::mouseClick(child<QPushButton>(&dialog, "retryButton"), Qt::LeftButton);
        QVERIFY(attempts.count() == 2 || attempts.wait(test::kWaitMs));
        QCOMPARE(attempts.last().at(0).toBool(), true);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(context->config.text(ConfigKey::DatabaseUrl), m_t->url());
        verifyMainWindowOpens(context->config, dialog.database());
    }

    void unreachableDatabaseRetryWhenItIsBack()
    {
        // The URL stays; the database comes back (here: the file's folder is created).
        const QString folder = m_dir->filePath(QStringLiteral("later"));
        const QString url = QStringLiteral("sqlite://") + folder + QStringLiteral("/not-a-dir/x.db");
        writeIni(QStringLiteral("sqlite://") + folder + QStringLiteral("/x.db"));
        core::Config config = loadConfig();
        gui::StartupProblemDialog dialog(config, core::makeError(QStringLiteral("db.open"), QStringLiteral("gone")), url,
                                         hooks(), nullptr);
        dialog.show();
        QSignalSpy attempts(&dialog, &gui::StartupProblemDialog::attemptFinished);
        QTest::mouseClick(child<QPushButton>(&dialog, "retryButton"), Qt::LeftButton);
        QVERIFY2(!child<QPushButton>(&dialog, "retryButton")->isEnabled() || attempts.count() == 1,
                 "Retry must show that it is busy");
        QVERIFY(attempts.count() == 1 || attempts.wait(test::kWaitMs));
        QCOMPARE(attempts.last().at(0).toBool(), true);
        verifyMainWindowOpens(config, dialog.database());
    }

    void settingsFromTheProblemWindowWorksWithoutADatabase()
    {
        const QString url = unreachableUrl();
        writeIni(url);
        core::Config config = loadConfig();
        gui::StartupProblemDialog dialog(config, core::makeError(QStringLiteral("db.connect"), QStringLiteral("refused")),
                                         url, hooks(), nullptr);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        bool sawDatabasePage = false;
        const QString good = m_t->url();
        whenModal("qrt::gui::SettingsDialog", [&sawDatabasePage, good](QWidget *settings) {
            auto *tabs = child<QTabWidget>(settings, "tabs");
            sawDatabasePage = tabs->currentWidget() == child<QWidget>(settings, "tabDatabase");
            screenshot(settings, QStringLiteral("startup-problem-settings"));
            child<QLineEdit>(settings, "databaseUrlEdit")->setText(good);
            QTest::mouseClick(child<QDialogButtonBox>(settings, "buttonBox")->button(QDialogButtonBox::Ok), Qt::LeftButton);
        });
        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(child<QPushButton>(&dialog, "settingsButton"), Qt::LeftButton);
        QVERIFY(finished.count() == 1 || finished.wait(test::kWaitMs));
        QVERIFY2(sawDatabasePage, "Settings must open on the database page");
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(loadConfig().text(ConfigKey::DatabaseUrl), good);
        verifyMainWindowOpens(config, dialog.database());
    }

    // --- Settings: a changed database URL is tried before it is saved --------------------------

    void settingsAsksBeforeSavingAnUnreachableDatabase()
    {
        writeIni(m_t->url());
        core::Config config = loadConfig();
        gui::DbWorker worker(m_t->shared()); // the application's shared database thread
        gui::SettingsDialog dialog(config, nullptr, &worker);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        const QString bad = unreachableUrl();
        child<QLineEdit>(&dialog, "databaseUrlEdit")->setText(bad);
        QPushButton *ok = child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok);
        QTest::mouseClick(ok, Qt::LeftButton);
        QMessageBox *box = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((box = dialog.findChild<QMessageBox *>(QStringLiteral("saveUntestedDatabaseBox")))
                                     && box->isVisible(),
                                 test::kWaitMs);
        QVERIFY2(box->text().contains(QStringLiteral("127.0.0.1")) && box->text().contains(QStringLiteral("cannot be reached")),
                 qPrintable(box->text()));
        QVERIFY2(!box->text().contains(QStringLiteral("s3cret-pw")), "the password must not be shown");
        QCOMPARE(config.text(ConfigKey::DatabaseUrl), m_t->url()); // nothing saved yet
        screenshot(box, QStringLiteral("settings-save-untested-database"));
        QTest::mouseClick(child<QPushButton>(box, "keepEditingButton"), Qt::LeftButton);
        QTRY_VERIFY(!dialog.findChild<QMessageBox *>(QStringLiteral("saveUntestedDatabaseBox")));
        QVERIFY(dialog.isVisible());
        QCOMPARE(config.text(ConfigKey::DatabaseUrl), m_t->url());
        QCOMPARE(loadConfig().text(ConfigKey::DatabaseUrl), m_t->url());

        // Asked again, saved on an explicit "Save anyway".
        QSignalSpy saved(&dialog, &gui::SettingsDialog::settingsSaved);
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT((box = dialog.findChild<QMessageBox *>(QStringLiteral("saveUntestedDatabaseBox")))
                                     && box->isVisible(),
                                 test::kWaitMs);
        QTest::mouseClick(child<QPushButton>(box, "saveAnywayButton"), Qt::LeftButton);
        QVERIFY(saved.count() == 1 || saved.wait(test::kWaitMs));
        QCOMPARE(config.text(ConfigKey::DatabaseUrl), bad);
        QCOMPARE(loadConfig().text(ConfigKey::DatabaseUrl), bad);
    }

    void settingsSavesAWorkingDatabaseWithoutAsking()
    {
        writeIni(m_t->url());
        core::Config config = loadConfig();
        auto other = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(other);
        gui::DbWorker worker(m_t->shared()); // the application's shared database thread
        gui::SettingsDialog dialog(config, nullptr, &worker);
        dialog.show();
        child<QLineEdit>(&dialog, "databaseUrlEdit")->setText(other.value()->url());
        QSignalSpy saved(&dialog, &gui::SettingsDialog::settingsSaved);
        QTest::mouseClick(child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok), Qt::LeftButton);
        QVERIFY(saved.count() == 1 || saved.wait(test::kWaitMs));
        QVERIFY(!dialog.findChild<QMessageBox *>(QStringLiteral("saveUntestedDatabaseBox")));
        QCOMPARE(loadConfig().text(ConfigKey::DatabaseUrl), other.value()->url());
    }

    // --- Settings: a keychain that never answers --------------------------------------------

    void settingsWithAKeychainThatNeverAnswers()
    {
        writeIni(m_t->url());
        core::Config config = loadConfig();
        auto keychain = std::make_shared<test::LateKeychain>();
        app::SecretStore store(keychain);
        store.setPatienceMs(200); // the production patience is 30 s
        app::KeychainSecrets secrets(store);
        QSignalSpy lateWrites(&store, &app::SecretStore::lateWrite);
        {
            gui::DbWorker worker(m_t->shared()); // the application's shared database thread
            gui::SettingsDialog dialog(config, &secrets, &worker);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            // The reads at opening do not block the dialog; they end in a message.
            auto *note = child<QLabel>(&dialog, "ghlTokenNote");
            QTRY_VERIFY_WITH_TIMEOUT(note->text().contains(QStringLiteral("did not answer")), 10000);

            child<QLineEdit>(&dialog, "ghlTokenEdit")->setText(QStringLiteral("pit-typed-token"));
            child<QLineEdit>(&dialog, "stationNameEdit")->setText(QStringLiteral("Side door"));
            QSignalSpy saved(&dialog, &gui::SettingsDialog::settingsSaved);
            QTest::mouseClick(child<QDialogButtonBox>(&dialog, "buttonBox")->button(QDialogButtonBox::Ok), Qt::LeftButton);
            // Esc while the keychain is asked does not close the dialog (what it answers would be lost).
            QTest::keyClick(&dialog, Qt::Key_Escape);
            QVERIFY2(dialog.isVisible(), "Esc must not close Settings while the token is being stored");
            QVERIFY(saved.count() == 1 || saved.wait(10000));
            auto *summary = child<QLabel>(&dialog, "validationSummary");
            QTRY_VERIFY_WITH_TIMEOUT(!summary->isHidden(), 10000);
            QVERIFY2(summary->text().contains(QStringLiteral("GHL token was not saved"))
                         && summary->text().contains(QStringLiteral("this session only")),
                     qPrintable(summary->text()));
            QVERIFY2(dialog.isVisible(), "the dialog stays open so the message is seen and OK can be tried again");
            QVERIFY2(child<QDialogButtonBox>(&dialog, "buttonBox")->isEnabled(), "the dialog must stay usable");
            QCOMPARE(child<QLineEdit>(&dialog, "ghlTokenEdit")->text(), QStringLiteral("pit-typed-token"));
            // The other settings are saved; the token works for this session.
            QCOMPARE(loadConfig().stationName(), QStringLiteral("Side door"));
            QCOMPARE(config.text(ConfigKey::GhlToken), QStringLiteral("pit-typed-token"));
            QFile ini(iniPath());
            QVERIFY(ini.open(QIODevice::ReadOnly));
            QVERIFY2(!ini.readAll().contains("pit-typed-token"), "the token must never go to the settings file");
            screenshot(&dialog, QStringLiteral("settings-keychain-did-not-answer"));
        }
        // The dialog is gone; the prompts are answered much later: the read at opening first, then the
        // write that waited behind it (one key's operations run in order). No crash; the token is saved.
        for (int round = 0; round < 5 && keychain->open() > 0; ++round) {
            for (int i = 0; i < keychain->operations.size(); ++i)
                keychain->answer(i);
        }
        bool wrote = false;
        for (const auto &operation : std::as_const(keychain->operations))
            wrote = wrote || operation.kind == app::KeychainBackend::Operation::Write;
        QVERIFY2(wrote, "OK must have asked the keychain to save the token");
        QCOMPARE(keychain->stored.value(QStringLiteral("ghl-token")), QStringLiteral("pit-typed-token"));
        QCOMPARE(lateWrites.count(), 1);
    }
};

QTEST_MAIN(TestStartup)
#include "tst_startup.moc"
