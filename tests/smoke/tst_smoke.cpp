// Starts the real qrtickets executable the way a person does (a fresh home folder, none of the
// developer's settings) and checks what appears on the screen, through the QRT_WINDOW_REPORT
// diagnostics switch (src/app/windowreport.h): the main window, or a window that says what is
// wrong and offers a way on. Never an error box that only says goodbye.
#include "support/childprocess.h"
#include "support/freeport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace qrt;

namespace {

// A start on a busy CI machine (simulator, migrations, first paint) takes a few seconds.
constexpr int kStartTimeoutMs = 90000;

struct Screen
{
    QList<QJsonObject> windows;
    QString rawReport;
    test::ChildRun run;

    const QJsonObject *find(const QString &objectNameOrClass) const
    {
        for (const QJsonObject &w : windows) {
            if (w.value(QStringLiteral("objectName")).toString() == objectNameOrClass
                || w.value(QStringLiteral("class")).toString() == objectNameOrClass)
                return &w;
        }
        return nullptr;
    }
    QString describe() const
    {
        return QStringLiteral("On screen: %1\nexit code %2\nstderr:\n%3").arg(rawReport, QString::number(run.exitCode), run.err.right(3000));
    }
    // A QMessageBox is how the program used to give up; none may be on screen at start.
    QString errorBox() const
    {
        for (const QJsonObject &w : windows) {
            if (w.value(QStringLiteral("class")).toString() == u"QMessageBox")
                return w.value(QStringLiteral("texts")).toVariant().toStringList().join(u' ');
        }
        return {};
    }
};

QString texts(const QJsonObject &window)
{
    return window.value(QStringLiteral("texts")).toVariant().toStringList().join(u'\n');
}

} // namespace

class TestSmoke : public QObject
{
    Q_OBJECT

    QString m_bin;

    Screen start(const test::FreshHome &home, const QStringList &args, const QMap<QString, QString> &extra = {})
    {
        QProcessEnvironment env = home.environment();
        const QString report = home.filePath(QStringLiteral("window-report.json"));
        env.insert(QStringLiteral("QRT_WINDOW_REPORT"), report);
        // Under xvfb-run (scripts/test) the program gets a real X display; otherwise offscreen.
        env.insert(QStringLiteral("QT_QPA_PLATFORM"),
                   qEnvironmentVariableIsEmpty("DISPLAY") ? QStringLiteral("offscreen") : QStringLiteral("xcb"));
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            env.insert(it.key(), it.value());
        Screen screen;
        screen.run = test::runChild(m_bin, args, env, kStartTimeoutMs);
        QFile file(report);
        if (file.open(QIODevice::ReadOnly)) {
            screen.rawReport = QString::fromUtf8(file.readAll());
            const QJsonArray windows = QJsonDocument::fromJson(screen.rawReport.toUtf8())
                                           .object()
                                           .value(QStringLiteral("windows"))
                                           .toArray();
            for (const QJsonValue &w : windows)
                screen.windows << w.toObject();
        } else {
            screen.rawReport = QStringLiteral("(no report: the program never showed a window it could describe)");
        }
        return screen;
    }

    void verifyMainWindow(const Screen &screen, const QString &title)
    {
        QVERIFY2(!screen.run.timedOut, qPrintable(QStringLiteral("qrtickets did not quit after writing its report.\n")
                                                  + screen.describe()));
        QVERIFY2(screen.errorBox().isEmpty(),
                 qPrintable(QStringLiteral("An error box is on screen at start: \"%1\"\n%2")
                                .arg(screen.errorBox(), screen.describe())));
        const QJsonObject *main = screen.find(QStringLiteral("qrt::gui::MainWindow"));
        QVERIFY2(main, qPrintable(QStringLiteral("The main window did not open.\n") + screen.describe()));
        QCOMPARE(main->value(QStringLiteral("title")).toString(), title);
        QCOMPARE(screen.run.exitCode, 0);
    }

    void verifyWayOn(const Screen &screen, const QStringList &mustMention)
    {
        QVERIFY2(screen.errorBox().isEmpty(),
                 qPrintable(QStringLiteral("An error box instead of a way on: \"%1\"\n%2")
                                .arg(screen.errorBox(), screen.describe())));
        const QJsonObject *problem = screen.find(QStringLiteral("startupProblem"));
        QVERIFY2(problem, qPrintable(QStringLiteral("No window says what is wrong with the database.\n") + screen.describe()));
        QVERIFY2(problem->value(QStringLiteral("title")).toString().contains(QStringLiteral("QR Tickets")),
                 qPrintable(screen.describe()));
        const QString all = texts(*problem);
        for (const QString &word : mustMention + QStringList { QStringLiteral("Settings"), QStringLiteral("Retry"),
                                                               QStringLiteral("local database") })
            QVERIFY2(all.contains(word, Qt::CaseInsensitive),
                     qPrintable(QStringLiteral("The window does not mention \"%1\".\n%2").arg(word, screen.describe())));
        QVERIFY2(!screen.run.timedOut, qPrintable(screen.describe()));
        // Closing the window (the report does) is "Quit": exit code 1, never a crash.
        QVERIFY2(screen.run.exitCode == 1, qPrintable(QStringLiteral("Leaving the window did not end cleanly.\n") + screen.describe()));
    }

private slots:
    void initTestCase()
    {
        m_bin = qEnvironmentVariable("QRT_QRTICKETS_BIN");
        QVERIFY2(QFileInfo(m_bin).isExecutable(), "QRT_QRTICKETS_BIN does not name the built qrtickets executable");
        qInfo("Display: %s", qEnvironmentVariableIsEmpty("DISPLAY") ? "offscreen" : qPrintable(qEnvironmentVariable("DISPLAY")));
    }

    // The README's first suggestion.
    void demoOpensTheMainWindow()
    {
        test::FreshHome home;
        QVERIFY(home.isValid());
        const Screen screen = start(home, { QStringLiteral("--demo") });
        verifyMainWindow(screen, QStringLiteral("QR Tickets — Demo"));
        // The demo keeps to itself: nothing is written into the user's settings.
        QVERIFY2(QDir(home.configDir()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).isEmpty()
                     || !QDir(home.configDir()).exists(QStringLiteral("qrtickets/qrtickets.ini")),
                 "--demo wrote the user's settings file");
    }

    // First start: no settings, no database yet.
    void firstStartOpensTheMainWindow()
    {
        test::FreshHome home;
        QVERIFY(home.isValid());
        const Screen screen = start(home, {});
        verifyMainWindow(screen, QStringLiteral("QR Tickets"));
        // The embedded database was created in the user's data folder.
        bool found = false;
        QDirIterator it(home.dataDir(), { QStringLiteral("*.db") }, QDir::Files, QDirIterator::Subdirectories);
        found = it.hasNext();
        QVERIFY2(found, qPrintable(QStringLiteral("No SQLite file under %1 after the first start").arg(home.dataDir())));
    }

    // A PostgreSQL server that is not there (a venue server switched off, a typo in the port).
    void unreachableDatabaseOffersAWayOn()
    {
        test::FreshHome home;
        QVERIFY(home.isValid());
        const quint16 port = test::freePort(); // nothing listens there
        const QString url = QStringLiteral("postgresql://door:s3cret-pw@127.0.0.1:%1/qrtickets").arg(port);
        const Screen screen = start(home, { QStringLiteral("--database"), url });
        verifyWayOn(screen, { QStringLiteral("127.0.0.1") });
        QVERIFY2(!screen.rawReport.contains(QStringLiteral("s3cret-pw")), "The database password is shown on screen");
    }

    // A database URL saved in Settings that does not parse.
    void brokenDatabaseUrlInTheSettingsOffersAWayOn_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("unknown scheme") << QStringLiteral("mysql://venue-db/tickets") << QStringLiteral("mysql://venue-db/tickets");
        QTest::newRow("bad port, with a password") << QStringLiteral("postgresql://door:S3cret/PW@venue-db:54x2/tickets")
                                                   << QStringLiteral("venue-db:54x2");
    }
    void brokenDatabaseUrlInTheSettingsOffersAWayOn()
    {
        QFETCH(QString, url);
        QFETCH(QString, mustMention);
        test::FreshHome home;
        QVERIFY(home.isValid());
        const QString dir = home.configDir() + QStringLiteral("/qrtickets");
        QVERIFY(QDir().mkpath(dir));
        QFile ini(dir + QStringLiteral("/qrtickets.ini"));
        QVERIFY(ini.open(QIODevice::WriteOnly));
        ini.write("[database]\nurl = " + url.toUtf8() + "\n");
        ini.close();
        const Screen screen = start(home, {});
        verifyWayOn(screen, { mustMention });
        QVERIFY2(!screen.rawReport.contains(QStringLiteral("S3cret")), "The database password is shown on screen");
    }

    // German staff: the demo opens in German.
    void demoOpensInGerman()
    {
        test::FreshHome home;
        QVERIFY(home.isValid());
        const Screen screen = start(home, { QStringLiteral("--demo") },
                                    { { QStringLiteral("LANG"), QStringLiteral("de_DE.UTF-8") },
                                      { QStringLiteral("LANGUAGE"), QStringLiteral("de") },
                                      { QStringLiteral("LC_ALL"), QStringLiteral("de_DE.UTF-8") } });
        verifyMainWindow(screen, QStringLiteral("QR Tickets — Demo"));
        const QString all = texts(*screen.find(QStringLiteral("qrt::gui::MainWindow")));
        QVERIFY2(all.contains(QStringLiteral("Synchronisieren")) || all.contains(QStringLiteral("Einlass")),
                 qPrintable(QStringLiteral("The main window is not in German.\n") + screen.describe()));
    }
};

QTEST_GUILESS_MAIN(TestSmoke)
#include "tst_smoke.moc"
