// Every string in the user's language, checked two ways, and no clashing Alt+letter keys.
//
// 1. Static: every context/source pair lupdate wrote into translations/qrtickets_<lang>.ts must be
//    answered by the compiled qrtickets_<lang>.qm from the :/i18n resource (plural entries with
//    n = 1 and n = 2).
// 2. At run time: an UntranslatedRecorder is installed before the real translators, so Qt asks it
//    only for what no translator answers. The main window, every dialog, the check-in verdicts, the
//    exports and the command line (the real qrtickets executable, through QRT_UNTRANSLATED_REPORT)
//    are driven in German and nothing may be left over. This is what catches a tr() whose context at
//    run time is not the one lupdate recorded.
// 3. Mnemonics: in each window (menu bar, buttons, buddied labels, group boxes, tabs, per visible
//    tab page) and in each menu, no two '&X' share a letter, in English, German, Spanish and French.
#include "guitestutil.h"
#include "core/config.h"
#include "core/untranslated.h"
#include "db/database.h"
#include "db/orderwriter.h"
#include "ghlsim/ghlsimulator.h"
#include "windowservices.h"
#include "gui/exporter.h"
#include "support/childprocess.h"
#include "support/sampleorders.h"
#include "support/syncfixture.h"
#include "gui/listenerpanel.h"
#include "gui/mainwindow.h"
#include "gui/orderlistmodel.h"
#include "gui/orderdialog.h"
#include "gui/secretaccess.h"
#include "gui/services.h"
#include "gui/dbworker.h"
#include "gui/settingsdialog.h"
#include "gui/startupproblem.h"
#include "gui/syncdialog.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "sync/syncengine.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QGroupBox>
#include <QLabel>
#include <QLibraryInfo>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPdfWriter>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTranslator>
#include <QXmlStreamReader>

#include <memory>

using namespace qrt;
using test::MemorySecrets;
using core::ConfigKey;

#ifndef QRT_TRANSLATIONS_SOURCE_DIR
#error "QRT_TRANSLATIONS_SOURCE_DIR must name the translations folder of the source tree"
#endif

namespace {

const char *languageName(const QString &code)
{
    if (code == u"de")
        return "German";
    if (code == u"es")
        return "Spanish";
    if (code == u"fr")
        return "French";
    return "English";
}

struct TsMessage
{
    QByteArray context;
    QByteArray source;
    QByteArray comment;
    bool numerus = false;
};

QList<TsMessage> readTs(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(path);
        return {};
    }
    QList<TsMessage> out;
    QXmlStreamReader xml(&file);
    QByteArray context;
    TsMessage message;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == u"name") {
            context = xml.readElementText().toUtf8();
        } else if (xml.name() == u"message") {
            message = TsMessage { context, {}, {}, xml.attributes().value(QStringLiteral("numerus")) == u"yes" };
        } else if (xml.name() == u"source") {
            message.source = xml.readElementText().toUtf8();
            out.append(message);
        } else if (xml.name() == u"comment" && !out.isEmpty()) {
            out.last().comment = xml.readElementText().toUtf8();
        }
    }
    if (xml.hasError())
        *error = QStringLiteral("%1: %2").arg(path, xml.errorString());
    return out;
}

// The translators the application installs for one language: qtbase's and ours.
class Language
{
public:
    explicit Language(const QString &code)
    {
        if (m_qt.load(QStringLiteral("qtbase_") + code, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(&m_qt);
        m_loaded = m_own.load(QStringLiteral(":/i18n/qrtickets_") + code + QStringLiteral(".qm"));
        if (m_loaded)
            QCoreApplication::installTranslator(&m_own);
    }
    ~Language()
    {
        QCoreApplication::removeTranslator(&m_own);
        QCoreApplication::removeTranslator(&m_qt);
    }
    bool loaded() const { return m_loaded; }

private:
    QTranslator m_qt;
    QTranslator m_own;
    bool m_loaded = false;
};

// Closes every modal window that opens (message boxes, file dialogs) while alive.
class ModalCloser
{
public:
    ModalCloser()
    {
        m_timer.setInterval(50);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            if (QWidget *w = QApplication::activeModalWidget()) {
                m_seen << QString::fromLatin1(w->metaObject()->className());
                w->close();
            }
        });
        m_timer.start();
    }
    QStringList seen() const { return m_seen; }

private:
    QTimer m_timer;
    QStringList m_seen;
};

// --- mnemonics -----------------------------------------------------------------------------------

QChar mnemonicOf(const QString &text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != u'&')
            continue;
        if (text[i + 1] == u'&') {
            ++i;
            continue;
        }
        return text[i + 1].toUpper();
    }
    return {};
}

QString plain(QString text)
{
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    return text;
}

// One "German: Alt+A used by 'Ansicht' and 'Alle übrigen einlassen' in MainWindow" per clash.
void findClashes(const QString &language, const QString &scope, const QStringList &texts, QStringList *clashes)
{
    QHash<QChar, QString> owner;
    for (const QString &text : texts) {
        const QChar key = mnemonicOf(text);
        if (key.isNull())
            continue;
        if (owner.contains(key)) {
            const QString clash = QStringLiteral("%1: Alt+%2 used by '%3' and '%4' in %5")
                                      .arg(QString::fromLatin1(languageName(language)), QString(key), plain(owner[key]),
                                           plain(text), scope);
            if (!clashes->contains(clash))
                clashes->append(clash);
        } else {
            owner.insert(key, text);
        }
    }
}

// What Alt+letter reaches in `window` as it is shown now.
QStringList windowMnemonics(QWidget *window)
{
    QStringList texts;
    if (auto *main = qobject_cast<QMainWindow *>(window)) {
        for (QAction *a : main->menuBar()->actions()) {
            if (a->isVisible())
                texts << a->text();
        }
    }
    for (QWidget *w : window->findChildren<QWidget *>()) {
        if (!w->isVisibleTo(window) || w->window() != window)
            continue;
        if (auto *b = qobject_cast<QAbstractButton *>(w))
            texts << b->text();
        else if (auto *l = qobject_cast<QLabel *>(w); l && l->buddy())
            texts << l->text();
        else if (auto *g = qobject_cast<QGroupBox *>(w))
            texts << g->title();
        else if (auto *t = qobject_cast<QTabBar *>(w)) {
            for (int i = 0; i < t->count(); ++i)
                texts << t->tabText(i);
        }
    }
    return texts;
}

// The window in each state its tab widgets can show (one tab page at a time), and each menu.
void checkWindow(const QString &language, QWidget *window, const QString &name, QStringList *clashes)
{
    const QList<QTabWidget *> tabWidgets = window->findChildren<QTabWidget *>();
    if (tabWidgets.isEmpty())
        findClashes(language, name, windowMnemonics(window), clashes);
    for (QTabWidget *tabs : tabWidgets) {
        const int before = tabs->currentIndex();
        for (int i = 0; i < tabs->count(); ++i) {
            tabs->setCurrentIndex(i);
            findClashes(language, QStringLiteral("%1 (%2)").arg(name, plain(tabs->tabText(i))), windowMnemonics(window),
                        clashes);
        }
        tabs->setCurrentIndex(before);
    }
    for (QMenu *menu : window->findChildren<QMenu *>()) {
        if (menu->title().isEmpty())
            continue; // the menu bar's overflow menu: it repeats the menu bar
        QStringList texts;
        for (QAction *a : menu->actions()) {
            if (!a->isSeparator() && a->isVisible())
                texts << a->text();
        }
        findClashes(language, QStringLiteral("%1, menu '%2'").arg(name, plain(menu->title())), texts, clashes);
    }
}

} // namespace

class TestI18n : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    QTemporaryDir m_dir;
    core::Config m_config = core::Config::defaults();

    test::WindowServices services() { return { m_config, m_t->shared(), QStringLiteral("Door 1") }; }

    QString binary() const { return test::qrticketsBinary(); }

    // The real executable in a fresh home under `lang` (none of the developer's LC_* or LANGUAGE
    // either); returns its stderr + stdout and fills *untranslated with what it reported through
    // QRT_UNTRANSLATED_REPORT. runChild keeps the GHL simulator of this process answering.
    QString runCli(const QStringList &args, const QString &lang, QStringList *untranslated, int *exitCode)
    {
        const QString report = m_dir.filePath(QStringLiteral("untranslated-%1.txt").arg(++m_runs));
        QProcessEnvironment e = m_home.environment({
            { QStringLiteral("LANG"), lang },
            { QStringLiteral("LANGUAGE"), QString() },
            { QStringLiteral("QRTICKETS_DATABASE_URL"), QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("cli.db")) },
            { QStringLiteral("QRT_UNTRANSLATED_REPORT"), report },
        });
        for (const QString &k : e.keys()) {
            if (k.startsWith(QStringLiteral("LC_")))
                e.remove(k);
        }
        const test::ChildRun run = test::runChild(binary(), args, e, 4 * test::kWaitMs);
        *exitCode = run.exitCode;
        QFile f(report);
        if (f.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : f.readAll().split('\n')) {
                if (!line.isEmpty())
                    untranslated->append(QString::fromUtf8(line).remove(QStringLiteral("untranslated: ")));
            }
        }
        return run.err + run.out;
    }
    int m_runs = 0;
    test::FreshHome m_home;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("qrtickets-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_i18n"));
        QVERIFY(m_dir.isValid());
        auto t = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().toString()));
        m_t = std::move(t.value());
        auto migrated = m_t->migrate();
        QVERIFY2(migrated, qPrintable(migrated ? QString() : migrated.error().toString()));
        auto saved = db::OrderWriter(m_t->db()).save(test::sampleOrders(60), QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
        m_sim = test::startSimulator();
        QVERIFY2(m_sim, "the GHL simulator could not listen on 127.0.0.1");
        m_sim->generate(12, 3);
        QVERIFY(m_config.set(ConfigKey::QrUrlTemplate, QStringLiteral("https://tickets.example.com/orders/{order_id}")));
        QVERIFY(m_config.set(ConfigKey::StationName, QStringLiteral("Door 1")));
        QVERIFY(m_config.set(ConfigKey::DatabaseUrl, m_t->url()));
        QVERIFY(m_config.set(ConfigKey::GhlBaseUrl, m_sim->baseUrl().toString()));
        QVERIFY(m_config.set(ConfigKey::GhlLocationId, m_sim->locationId()));
        QVERIFY(m_config.set(ConfigKey::GhlToken, m_sim->token()));
    }

    void cleanupTestCase()
    {
        m_sim.reset();
        m_t.reset();
    }

    // --- 1. every extracted string has a translation in the compiled file ----------------------

    void everyExtractedStringTranslates_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("es") << QStringLiteral("es");
        QTest::newRow("fr") << QStringLiteral("fr");
    }

    void everyExtractedStringTranslates()
    {
        QFETCH(QString, language);
        QString error;
        const QList<TsMessage> messages =
            readTs(QStringLiteral(QRT_TRANSLATIONS_SOURCE_DIR "/qrtickets_") + language + QStringLiteral(".ts"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY2(messages.size() > 100, "the .ts file holds too few messages to be the real one");
        QTranslator translator;
        QVERIFY2(translator.load(QStringLiteral(":/i18n/qrtickets_") + language + QStringLiteral(".qm")),
                 "the compiled translation must be in the :/i18n resource of qrt_gui");
        QStringList missing;
        for (const TsMessage &m : messages) {
            const char *comment = m.comment.isEmpty() ? nullptr : m.comment.constData();
            for (int n : m.numerus ? QList<int> { 1, 2 } : QList<int> { -1 }) {
                if (translator.translate(m.context.constData(), m.source.constData(), comment, n).isEmpty()) {
                    missing << QStringLiteral("%1 / %2%3").arg(QString::fromUtf8(m.context), QString::fromUtf8(m.source),
                                                                n < 0 ? QString() : QStringLiteral(" (n = %1)").arg(n));
                }
            }
        }
        for (const QString &m : std::as_const(missing))
            qWarning().noquote() << "not translated:" << m;
        QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("%1 of %2 %3 strings have no translation in qrtickets_%4.qm "
                                                              "(listed above; run translations/update.sh and fill them)")
                                                   .arg(missing.size())
                                                   .arg(messages.size())
                                                   .arg(QString::fromLatin1(languageName(language)), language)));
    }

    // --- 2. nothing is asked for at run time that the translation does not answer --------------

    void nothingLeftInEnglishAtRunTime()
    {
        core::UntranslatedRecorder recorder;
        QCoreApplication::installTranslator(&recorder); // first: asked only when no one else answers
        {
            Language german(QStringLiteral("de"));
            QVERIFY(german.loaded());
            QVERIFY2(QCoreApplication::translate("SyncDialog", "Sync with GHL") != u"Sync with GHL",
                     "the German translation must be active");
            ModalCloser closer;

            test::WindowServices s = services();
            sync::SyncEngine engine(m_t->shared());
            s.sync = &engine;
            MemorySecrets secrets;
            s.secrets = &secrets;

            // Main window: list, status bar, filters, menus.
            {
                gui::MainWindow window(s);
                window.show();
                QVERIFY(QTest::qWaitForWindowExposed(&window));
                QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->totalCount() > 0, test::kWaitMs);
                QTest::qWait(300);
                for (QMenu *menu : window.findChildren<QMenu *>())
                    (void)menu->actions();
                // Check-in verdicts: green, amber, red (cancelled, unknown order, no ticket).
                window.showCheckIn();
                auto *scan = window.findChild<QLineEdit *>(QStringLiteral("scanEdit"));
                auto *banner = window.findChild<QLabel *>(QStringLiteral("resultBanner"));
                QVERIFY(scan && banner);
                auto scanText = [&](const QString &text) {
                    banner->setProperty("result", QString());
                    scan->setFocus();
                    QTest::keyClicks(scan, text);
                    QTest::keyClick(scan, Qt::Key_Return);
                    QTRY_VERIFY_WITH_TIMEOUT(!banner->property("result").toString().isEmpty()
                                                 && banner->property("result").toString() != u"neutral",
                                             test::kWaitMs);
                };
                const QList<core::Order> orders = test::sampleOrders(60);
                scanText(m_config.qr().urlFor(orders.at(2).orderId));
                scanText(orders.at(2).orderId);
                scanText(orders.at(2).orderId);
                scanText(orders.at(2).orderId);
                scanText(orders.at(5).orderId); // refunded
                scanText(QStringLiteral("https://tickets.example.com/orders/000000000000000000000bad"));
                scanText(QStringLiteral("ffffffffffffffffffffffffffffffff"));
                scanText(QStringLiteral("hello there"));
                if (auto *undo = window.findChild<QPushButton *>(QStringLiteral("undoButton")); undo && undo->isEnabled())
                    undo->click();
                QTest::qWait(500);
                window.showOverview();
                QTest::qWait(500);

                // The order page, with its tickets and history.
                window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentIndex(0);
                auto *view = window.findChild<QTableView *>(QStringLiteral("orderView"));
                view->setFocus();
                view->selectRow(0);
                QTest::keyClick(view, Qt::Key_Return);
                gui::OrderDialog *dialog = nullptr;
                QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<gui::OrderDialog *>(QStringLiteral("orderDialog"))) != nullptr,
                                         test::kWaitMs);
                QTest::qWait(1500); // its tickets and history load
                dialog->close();
            }

            // Settings, every tab.
            {
                gui::DbWorker worker(m_t->shared()); // the application's shared database thread
                gui::SettingsDialog settings(m_config, &secrets, &worker);
                settings.show();
                QVERIFY(QTest::qWaitForWindowExposed(&settings));
                auto *tabs = settings.findChild<QTabWidget *>();
                for (int i = 0; tabs && i < tabs->count(); ++i) {
                    tabs->setCurrentIndex(i);
                    QTest::qWait(50);
                }
                settings.reject();
            }

            // A whole sync in the dialog.
            {
                gui::SyncDialog dialog(s);
                dialog.show();
                QVERIFY(QTest::qWaitForWindowExposed(&dialog));
                QSignalSpy finished(&engine, &sync::SyncEngine::finished);
                auto *start = dialog.findChild<QPushButton *>(QStringLiteral("startButton"));
                QVERIFY(start && start->isEnabled());
                start->click();
                QVERIFY2(finished.wait(60000), "the sync must finish");
                QTest::qWait(300);
            }

            // The listener panel.
            {
                gui::ListenerPanel panel(s);
                panel.show();
                QVERIFY(QTest::qWaitForWindowExposed(&panel));
                QTest::qWait(1000);
            }

            // Exports: CSV headings and the PDF door list.
            {
                auto rows = gui::exporter::fetchOrders(m_t->db(), {});
                QVERIFY(rows);
                (void)gui::exporter::ordersCsv(rows.value());
                const QString eventId = test::sampleOrders(1).first().eventId;
                auto door = gui::exporter::fetchDoorList(m_t->db(), eventId);
                QVERIFY(door);
                (void)gui::exporter::doorListCsv(door.value());
                QPdfWriter pdf(m_dir.filePath(QStringLiteral("door.pdf")));
                QVERIFY(gui::exporter::printDoorList(pdf, QStringLiteral("Summer Gala 2026"), door.value()) > 0);
            }
        }
        QCoreApplication::removeTranslator(&recorder);
        const QStringList misses = recorder.misses();
        for (const QString &m : misses)
            qWarning().noquote() << "left in English:" << m;
        QVERIFY2(misses.isEmpty(),
                 qPrintable(QStringLiteral("%1 strings were shown in English in German (context / source listed above): "
                                           "translate them, or make the tr() context the one lupdate records")
                                .arg(misses.size())));
    }

    void commandLineInGerman_data()
    {
        QTest::addColumn<QString>("lang");
        QTest::newRow("de_DE.UTF-8") << QStringLiteral("de_DE.UTF-8");
        QTest::newRow("de_AT.UTF-8") << QStringLiteral("de_AT.UTF-8");
    }

    void commandLineInGerman()
    {
        QFETCH(QString, lang);
        QVERIFY2(!binary().isEmpty(), "QRT_QRTICKETS_BIN does not name the built qrtickets executable (ctest sets it)");
        QStringList untranslated;
        int code = 0;
        const QString help = runCli({ QStringLiteral("--help") }, lang, &untranslated, &code);
        QCOMPARE(code, 0);
        QVERIFY2(help.contains(QStringLiteral("Befehle")), qPrintable(QStringLiteral("--help is not German:\n") + help));
        runCli({ QStringLiteral("migrate") }, lang, &untranslated, &code);
        QCOMPARE(code, 0);
        runCli({ QStringLiteral("sync") }, lang, &untranslated, &code); // no GHL token: says how to set one
        QCOMPARE(code, 2);
        runCli({ QStringLiteral("sync"), QStringLiteral("--mode"), QStringLiteral("sideways") }, lang, &untranslated, &code);
        QCOMPARE(code, 2);

        // A real sync against the simulator: progress and summary lines.
        const QString report = runCliWithGhl({ QStringLiteral("sync"), QStringLiteral("--mode"), QStringLiteral("full") },
                                             lang, &untranslated, &code);
        QVERIFY2(code == 0 || code == 3, qPrintable(report));
        QVERIFY2(report.contains(QStringLiteral("Bestellung")), qPrintable(QStringLiteral("sync output is not German:\n") + report));
        for (const QString &m : std::as_const(untranslated))
            qWarning().noquote() << "left in English:" << m;
        QVERIFY2(untranslated.isEmpty(), qPrintable(QStringLiteral("the command line left %1 strings in English under LANG=%2 "
                                                                   "(context / source listed above)")
                                                        .arg(untranslated.size())
                                                        .arg(lang)));
    }

    // A locale with no translation (C.UTF-8: systemd, ssh, containers) gets English plurals,
    // "10 migrations", never "10 migration(s)".
    void commandLineInCLocaleHasEnglishPlurals()
    {
        QVERIFY2(!binary().isEmpty(), "QRT_QRTICKETS_BIN does not name the built qrtickets executable (ctest sets it)");
        QStringList untranslated;
        int code = 0;
        const QString fresh = QStringLiteral("sqlite://") + m_dir.filePath(QStringLiteral("c-locale.db"));
        const QString out = runCli({ QStringLiteral("migrate"), QStringLiteral("--database"), fresh }, QStringLiteral("C.UTF-8"),
                                   &untranslated, &code);
        QCOMPARE(code, 0);
        QVERIFY2(out.contains(QStringLiteral(" migrations")) && !out.contains(QStringLiteral("(s)")),
                 qPrintable(QStringLiteral("migrate under LANG=C.UTF-8 should say 'N migrations':\n") + out));
    }

    // --- 3. mnemonics --------------------------------------------------------------------------

    void mnemonicsDoNotClash_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("de") << QStringLiteral("de");
        QTest::newRow("es") << QStringLiteral("es");
        QTest::newRow("fr") << QStringLiteral("fr");
    }

    void mnemonicsDoNotClash()
    {
        QFETCH(QString, language);
        Language lang(language);
        QVERIFY(lang.loaded());
        ModalCloser closer;
        QStringList clashes;
        test::WindowServices s = services();
        sync::SyncEngine engine(m_t->shared());
        s.sync = &engine;
        MemorySecrets secrets;
        s.secrets = &secrets;
        {
            gui::MainWindow window(s);
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->totalCount() > 0, test::kWaitMs);
            checkWindow(language, &window, QStringLiteral("MainWindow"), &clashes);
            window.findChild<QTabWidget *>(QStringLiteral("mainTabs"))->setCurrentIndex(0);
            auto *view = window.findChild<QTableView *>(QStringLiteral("orderView"));
            view->setFocus();
            view->selectRow(0);
            QTest::keyClick(view, Qt::Key_Return);
            gui::OrderDialog *dialog = nullptr;
            QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<gui::OrderDialog *>(QStringLiteral("orderDialog"))) != nullptr,
                                     test::kWaitMs);
            QVERIFY(QTest::qWaitForWindowExposed(dialog));
            checkWindow(language, dialog, QStringLiteral("OrderDialog"), &clashes);
            dialog->close();
        }
        {
            gui::DbWorker worker(m_t->shared()); // the application's shared database thread
            gui::SettingsDialog settings(m_config, &secrets, &worker);
            settings.show();
            QVERIFY(QTest::qWaitForWindowExposed(&settings));
            checkWindow(language, &settings, QStringLiteral("SettingsDialog"), &clashes);
        }
        {
            gui::SyncDialog dialog(s);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            checkWindow(language, &dialog, QStringLiteral("SyncDialog"), &clashes);
        }
        {
            gui::ListenerPanel panel(s);
            panel.show();
            QVERIFY(QTest::qWaitForWindowExposed(&panel));
            checkWindow(language, &panel, QStringLiteral("ListenerPanel"), &clashes);
        }
        {
            // The window a station sees when its database is away: Settings, Retry, local database, Quit.
            core::Config config = m_config;
            gui::StartupProblemDialog problem(config,
                                              core::makeError(QStringLiteral("db.unreachable"),
                                                              QStringLiteral("The server cannot be reached.")),
                                              QStringLiteral("postgresql://door@127.0.0.1:9/tickets"), {}, &secrets);
            problem.show();
            QVERIFY(QTest::qWaitForWindowExposed(&problem));
            checkWindow(language, &problem, QStringLiteral("StartupProblemDialog"), &clashes);
        }
        for (const QString &c : std::as_const(clashes))
            qWarning().noquote() << c;
        QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(u'\n')));
    }

    // Ctrl+E (export the order list) is the window's, also while the search field has the focus.
    void windowShortcutsWorkInTheSearchField()
    {
        test::WindowServices s = services();
        gui::MainWindow window(s);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QAction *exportCsv = window.findChild<QAction *>(QStringLiteral("actionExportCsv"));
        QVERIFY(exportCsv);
        QCOMPARE(exportCsv->shortcut(), QKeySequence(QStringLiteral("Ctrl+E")));
        auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
        QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(search->hasFocus());
        QSignalSpy triggered(exportCsv, &QAction::triggered);
        ModalCloser closer; // the save dialog Ctrl+E opens
        QTest::keyClick(search, Qt::Key_E, Qt::ControlModifier);
        QVERIFY2(triggered.count() == 1, "Ctrl+E in the search field must export the order list, as in the menu");
    }

private:
    QString runCliWithGhl(const QStringList &args, const QString &lang, QStringList *untranslated, int *exitCode)
    {
        // The child gets the simulator through a settings file named by --config.
        const QString ini = m_dir.filePath(QStringLiteral("ghl.ini"));
        QFile f(ini);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(QStringLiteral("[ghl]\nbase_url = %1\nlocation_id = %2\ntoken = %3\n")
                    .arg(m_sim->baseUrl().toString(), m_sim->locationId(), m_sim->token())
                    .toUtf8());
        f.close();
        return runCli(QStringList { QStringLiteral("--config"), ini } + args, lang, untranslated, exitCode);
    }
};

QTEST_MAIN(TestI18n)
#include "tst_i18n.moc"
