#include "app/commands.h"
#include "app/platformconsole.h"
#include "app/windowreport.h"
#include "core/untranslated.h"
#include "core/version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTextStream>
#include <QTranslator>

#include <memory>

using namespace qrt;

namespace {

// The headless sub-commands; none of them needs a display.
const char *const kCommands[] = { "migrate", "sync", "serve", "admit", "roles", "operator" };

const char *findCommand(const QString &name)
{
    for (const char *c : kCommands) {
        if (name == QLatin1StringView(c))
            return c;
    }
    return nullptr;
}

// The first argument that is not an option (or an option's value) names the sub-command.
QString commandIn(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QString a = QString::fromLocal8Bit(argv[i]);
        if (a == u"--config" || a == u"--database" || a == u"--mode" || a == u"--orders-file" || a == u"--event"
            || a == u"--role" || a == u"--email") {
            ++i;
            continue;
        }
        if (!a.startsWith(u'-'))
            return a;
    }
    return {};
}

// Help, version and anything the desktop would not understand are answered without a display.
bool answeredOnTheTerminal(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--help" || a == "-h" || a == "--version" || a == "-v" || a == "--help-all")
            return true;
        if (a.startsWith("--") && a != "--config" && a != "--database" && a != "--demo"
            && !a.startsWith("--config=") && !a.startsWith("--database="))
            return true;
    }
    return false;
}

void installTranslators(QCoreApplication &app)
{
    // QRT_UNTRANSLATED_REPORT=FILE: every string no translator below answers goes to FILE (tests).
    core::installUntranslatedReportFromEnvironment();
    const QLocale locale;
    auto *qt = new QTranslator(&app);
    if (qt->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    auto *own = new QTranslator(&app);
    // A locale without a translation (C, C.UTF-8 under systemd or ssh, Italian) gets the English
    // file, which holds the plural forms: "1 migration", "10 migrations", never "migration(s)".
    if (own->load(locale, QStringLiteral("qrtickets"), QStringLiteral("_"), QStringLiteral(":/i18n"))
        || own->load(QStringLiteral("qrtickets_en"), QStringLiteral(":/i18n")))
        app.installTranslator(own);
}

QString helpText()
{
    QString text = QCoreApplication::translate(
        "main",
        "QR Tickets: GoHighLevel orders, QR codes and door check-in.\n\n"
        "Commands (none: the desktop application):\n"
        "  migrate   create or upgrade the database schema, then exit\n");
    text += QCoreApplication::translate("main", "  sync      pull orders from GHL with a text progress bar\n");
    text += QCoreApplication::translate(
        "main", "  serve     run the webhook listener, inbox worker and event feed until stopped\n");
    text += QCoreApplication::translate(
        "main", "  admit CODE  admit one scan (order link, order id or ticket code) and print the verdict;\n"
                "            exit code 3 when not admitted\n");
    text += QCoreApplication::translate(
        "main", "  roles install  PostgreSQL: create or update the group roles qrtickets_admin and qrtickets_door\n"
                "            and their grants (run as the database owner; idempotent)\n"
                "  operator add NAME --role admin|door [--email E]  a login in that group with a generated\n"
                "            password; prints the database URL for that station's Settings\n"
                "  operator list | operator remove NAME  the logins; remove ends its sessions and drops it\n");
    text += QCoreApplication::translate("main",
                                        "\nExamples:\n"
                                        "  qrtickets                                   open the desktop application\n"
                                        "  qrtickets --demo                            try it against a built-in GHL simulator\n"
                                        "  qrtickets migrate --database postgresql://qr:secret@db:5432/qrtickets\n");
    text += QCoreApplication::translate("main",
                                        "  QRTICKETS_GHL_TOKEN=pit-... qrtickets sync --mode incremental\n"
                                        "  qrtickets sync --orders-file valid_order_list.json\n");
    text += QCoreApplication::translate("main", "  qrtickets serve --config /etc/qrtickets/qrtickets.ini\n");
    text += QCoreApplication::translate("main", "  qrtickets admit https://qr.example.com/orders/66f0c1... --event prod_jazz\n");
    text += QCoreApplication::translate("main",
                                        "\nEvery setting can also come from the environment as QRTICKETS_<SECTION>_<KEY>, "
                                        "e.g. QRTICKETS_DATABASE_URL.\n"
                                        "Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 finished "
                                        "with some orders failed.");
    return text;
}

int usageError(const QString &message)
{
    QTextStream(stderr) << message << u'\n'
                        << QCoreApplication::translate("main", "Run 'qrtickets --help' for usage.") << Qt::endl;
    return app::ExitUsage;
}

} // namespace

int main(int argc, char **argv)
{
    app::attachParentConsole(argc, argv); // Windows: CLI output reaches cmd/PowerShell (platformconsole.h)
    const QString commandName = commandIn(argc, argv);
    // Headless commands never need a display: they run under a QCoreApplication (serve under a
    // QGuiApplication on the offscreen platform, below).
    const bool headless = answeredOnTheTerminal(argc, argv) || !commandName.isEmpty();
    std::unique_ptr<QCoreApplication> app;
    if (headless && commandName == u"serve") {
        // serve draws the ticket PDF of the outbox's ticket PDF fields (fonts need a
        // QGuiApplication): always on the offscreen platform (in libqt6gui6), whatever the session
        // sets (QT_QPA_PLATFORM=xcb over ssh without a display would abort, =wayland would tie the
        // service to the desktop session); it never shows a window.
        qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else if (headless)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    app::installWindowReportFromEnvironment();
    QCoreApplication::setApplicationName(QStringLiteral("qrtickets"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("qrtickets.app"));
    QCoreApplication::setApplicationVersion(core::version());
    installTranslators(*app);

    QCommandLineParser parser;
    parser.setApplicationDescription(helpText());
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption config(QStringLiteral("config"),
                                    QCoreApplication::translate("main", "Read settings from <file> (INI)."),
                                    QStringLiteral("file"));
    const QCommandLineOption database(QStringLiteral("database"),
                                      QCoreApplication::translate("main", "Use the database at <url>."),
                                      QStringLiteral("url"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  QCoreApplication::translate("main", "Desktop application against a built-in GHL "
                                                                      "simulator and a fresh SQLite file."));
    const QCommandLineOption mode(QStringLiteral("mode"),
                                  QCoreApplication::translate("main", "sync: full or incremental (default)."),
                                  QStringLiteral("mode"));
    const QCommandLineOption ordersFile(QStringLiteral("orders-file"),
                                        QCoreApplication::translate("main", "sync: only the order ids listed in "
                                                                            "<file>, a JSON array."),
                                        QStringLiteral("file"));
    parser.addOptions({ config, database, demo });
    parser.addOptions({ mode, ordersFile });
    const QCommandLineOption event(QStringLiteral("event"),
                                   QCoreApplication::translate("main", "admit: admit for these events only (product "
                                                                       "ids, comma-separated) instead of [door] event."),
                                   QStringLiteral("product_id"));
    parser.addOption(event);
    const QCommandLineOption role(QStringLiteral("role"),
                                  QCoreApplication::translate("main", "operator add: admin or door."), QStringLiteral("role"));
    const QCommandLineOption email(QStringLiteral("email"),
                                   QCoreApplication::translate("main", "operator add: link the ghl_qr_users row with "
                                                                       "this e-mail address."),
                                   QStringLiteral("address"));
    parser.addOptions({ role, email });
    parser.addPositionalArgument(QStringLiteral("command"), QCoreApplication::translate("main", "See Commands above."),
                                 QStringLiteral("[command]"));

    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion(); // exits 0
    if (parser.isSet(QStringLiteral("help")))
        parser.showHelp(app::ExitOk);

    const QStringList positional = parser.positionalArguments();
    const bool admitting = !positional.isEmpty() && positional.first() == u"admit";
    if (admitting && positional.size() != 2)
        return usageError(positional.size() < 2 ? QCoreApplication::translate("main", "admit needs what was scanned: "
                                                                                      "an order link, an order id or a ticket code.")
                                                : QCoreApplication::translate("main", "Unexpected arguments: %1")
                                                      .arg(positional.mid(2).join(u' ')));
    // roles install; operator add NAME | list | remove NAME
    const bool roles = !positional.isEmpty() && positional.first() == u"roles";
    const bool operators = !positional.isEmpty() && positional.first() == u"operator";
    if (roles && (positional.size() != 2 || positional.at(1) != u"install"))
        return usageError(QCoreApplication::translate("main", "Use: qrtickets roles install"));
    if (operators) {
        const QString verb = positional.size() > 1 ? positional.at(1) : QString();
        const qsizetype wanted = verb == u"list" ? 2 : 3;
        if ((verb != u"add" && verb != u"list" && verb != u"remove") || positional.size() != wanted)
            return usageError(QCoreApplication::translate("main", "Use: qrtickets operator add NAME --role admin|door "
                                                                  "[--email E], operator list, or operator remove NAME"));
        if (verb == u"add" && !parser.isSet(role))
            return usageError(QCoreApplication::translate("main", "operator add needs --role admin or --role door."));
    }
    if ((parser.isSet(role) || parser.isSet(email)) && !(operators && positional.at(1) == u"add"))
        return usageError(QCoreApplication::translate("main", "--role and --email go with operator add."));
    if (!admitting && !roles && !operators && positional.size() > 1)
        return usageError(QCoreApplication::translate("main", "Unexpected arguments: %1")
                              .arg(positional.mid(1).join(u' ')));
    const char *command = positional.isEmpty() ? nullptr : findCommand(positional.first());
    if (!positional.isEmpty() && !command)
        return usageError(QCoreApplication::translate("main", "Unknown command '%1'.").arg(positional.first()));
    const QString name = command ? QString::fromLatin1(command) : QString();
    if (parser.isSet(demo) && command)
        return usageError(QCoreApplication::translate("main", "--demo opens the desktop application; it does not go "
                                                              "with '%1'.")
                              .arg(name));
    if ((parser.isSet(mode) || parser.isSet(ordersFile)) && name != u"sync")
        return usageError(QCoreApplication::translate("main", "--mode and --orders-file go with the sync command."));
    if (parser.isSet(event) && name != u"admit")
        return usageError(QCoreApplication::translate("main", "--event goes with the admit command."));

    // The desktop opens even when the database setting is unusable (it offers a way on); the
    // headless commands stop with exit code 2.
    auto context = name.isEmpty() ? app::loadDesktopContext(parser.value(config), parser.value(database))
                                  : app::loadContext(parser.value(config), parser.value(database));
    if (!context) {
        QTextStream(stderr) << context.error().toString() << Qt::endl;
        return app::ExitUsage;
    }

    app::installLogging(context->config);

    if (name == u"migrate")
        return app::runMigrate(context.value());
    if (name == u"sync") {
        const QString m = parser.isSet(mode) ? parser.value(mode).toLower() : QStringLiteral("incremental");
        if (m != u"full" && m != u"incremental")
            return usageError(QCoreApplication::translate("main", "--mode must be full or incremental, not '%1'.").arg(m));
        return app::runSync(context.value(), m, parser.value(ordersFile));
    }
    if (name == u"serve")
        return app::runServe(context.value());
    if (name == u"admit")
        return app::runAdmit(context.value(), positional.at(1), parser.isSet(event) ? std::optional<QString>(parser.value(event)) : std::nullopt);
    if (name == u"roles")
        return app::runRolesInstall(context.value());
    if (name == u"operator") {
        if (positional.at(1) == u"add")
            return app::runOperatorAdd(context.value(), positional.at(2), parser.value(role).toLower(), parser.value(email));
        if (positional.at(1) == u"list")
            return app::runOperatorList(context.value());
        return app::runOperatorRemove(context.value(), positional.at(2));
    }
    return app::runDesktop(context.value(), parser.isSet(demo));
}
