#include "app/commands.h"

#include "app/platformconsole.h"
#include "reconcile/reconciler.h"
#include "webhook/webhookservice.h"

#include "core/logsink.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QSettings>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTextStream>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace qrt::app {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::app::serve)
};

QString secretHint()
{
    return Tr::tr("Set QRTICKETS_WEBHOOK_SECRET in the environment (for the qrtickets-serve service: in "
                  "/etc/qrtickets/secrets.env) or [webhook] secret in the settings file; serve reads the desktop "
                  "keychain only when started in a desktop session.");
}

// A keychain is there to ask when serve runs in someone's desktop session (a terminal on the
// station): on Linux that needs the session's D-Bus; a service (the systemd unit, a dynamic user
// without a session) has none and takes its secrets from the environment only. Windows and macOS
// reach the user's Credential Manager / Keychain directly.
bool desktopKeychainReachable()
{
#if defined(Q_OS_LINUX) || defined(Q_OS_FREEBSD)
    return !qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS");
#else
    return true;
#endif
}

// Stores a [feed] token the service generated in the settings file serve reads (a file created
// here is readable by its owner only). The systemd unit's file is read-only: then the feed stays
// closed and the message says what to set.
core::Result<void> storeFeedToken(const QString &path, const QString &token)
{
    const QFileInfo info(path);
    const bool created = !info.exists();
    if (created)
        QDir().mkpath(info.absolutePath());
    const bool writable = created ? QFileInfo(info.absolutePath()).isWritable() : info.isWritable();
    QSettings::Status status = QSettings::AccessError;
    if (writable) {
        QSettings ini(path, QSettings::IniFormat);
        ini.setValue(QStringLiteral("feed/token"), token);
        ini.sync();
        status = ini.status();
    }
    if (status != QSettings::NoError)
        return core::makeError(QStringLiteral("config.write"),
                               Tr::tr("the settings file %1 cannot be written. Set [feed] token there, or "
                                      "QRTICKETS_FEED_TOKEN in the environment (for the qrtickets-serve service: in "
                                      "/etc/qrtickets/secrets.env), to a long random value.")
                                   .arg(QDir::toNativeSeparators(path)));
    if (created)
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return {};
}

#ifdef Q_OS_UNIX
// Self-pipe: the handler only writes one byte; the event loop reads it and stops cleanly.
int g_signalFds[2] = { -1, -1 };

void onSignal(int signal)
{
    const char byte = static_cast<char>(signal);
    [[maybe_unused]] const ssize_t n = ::write(g_signalFds[0], &byte, 1);
}

bool installSignalHandlers(QObject *parent, const std::function<void(int)> &handler)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalFds) != 0)
        return false;
    auto *notifier = new QSocketNotifier(g_signalFds[1], QSocketNotifier::Read, parent);
    QObject::connect(notifier, &QSocketNotifier::activated, parent, [handler] {
        char byte = 0;
        if (::read(g_signalFds[1], &byte, 1) == 1)
            handler(byte);
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return ::sigaction(SIGINT, &action, nullptr) == 0 && ::sigaction(SIGTERM, &action, nullptr) == 0;
}
#endif

} // namespace

int runServe(AppContext &context)
{
    QTextStream err(stderr);
    QTextStream out(stdout);
    // Secrets the environment and the file did not give: from the keychain the desktop saved them
    // in, when there is one to ask (a bounded wait; a keychain that does not answer is skipped).
    if (desktopKeychainReachable())
        loadSecretsFromKeychain(context.config);
    // A configuration the listener would refuse is reported before anything touches the database.
    if (auto exposed = webhook::HttpServer::checkExposure(context.config.webhook()); !exposed) {
        err << Tr::tr("Cannot start the webhook listener: %1").arg(exposed.error().toString()) << Qt::endl;
        if (exposed.error().code == u"webhook.no_secret")
            err << secretHint() << Qt::endl;
        return ExitUsage;
    }
    if (auto r = ensureSchema(context, false); !r) {
        err << r.error().toString() << Qt::endl;
        return ExitFailure;
    }

    webhook::WebhookServiceSettings settings = webhook::WebhookServiceSettings::fromConfig(context.config);
    if (settings.ghl.token.isEmpty())
        err << Tr::tr("Warning: no GHL token is set. Set QRTICKETS_GHL_TOKEN in the environment (for the "
                      "qrtickets-serve service: in /etc/qrtickets/secrets.env) or [ghl] token in the settings file; "
                      "serve reads the desktop keychain only when started in a desktop session. Webhooks will be "
                      "accepted and stored but cannot be processed until a token is set.")
            << Qt::endl;
    webhook::WebhookService service(context.database, settings);
    // Bound beyond loopback without [feed] token: one is generated and stored on this first start.
    const QString configPath = context.config.filePath();
    service.setFeedTokenKeeper([configPath, &out](const QString &token) -> core::Result<void> {
        if (auto stored = storeFeedToken(configPath, token); !stored)
            return stored;
        core::LogSink::addSecret(token);
        out << Tr::tr("Generated an event feed token ([feed] token) and stored it in %1: feed clients send it as "
                      "'Authorization: Bearer <token>' or '/ws?token=<token>'.")
                   .arg(QDir::toNativeSeparators(configPath))
            << Qt::endl;
        return {};
    });
    if (auto started = service.start(); !started) {
        const QString code = started.error().code;
        err << Tr::tr("Cannot start the webhook listener: %1").arg(started.error().toString()) << Qt::endl;
        if (code == u"webhook.no_secret")
            err << secretHint() << Qt::endl;
        const bool configuration = code == u"webhook.insecure" || code == u"webhook.no_secret" || code == u"webhook.bind"
            || code == u"webhook.key";
        return configuration ? ExitUsage : ExitFailure;
    }
    for (const QString &w : service.warnings())
        err << Tr::tr("Warning: %1").arg(w) << Qt::endl;
    // Addresses and modes only: never the secret, key or token.
    out << Tr::tr("Listening on http://%1:%2%3 (auth %4); health on /healthz, event feed on /ws; database %5; station %6")
               .arg(settings.webhook.bind)
               .arg(service.port())
               .arg(settings.webhook.path, core::toString(settings.webhook.auth),
                    context.database->url().kindName() + u' ' + context.database->url().display(), settings.worker.station)
        << Qt::endl;

    // The reconciliation loop: at start, then every [sync] reconcile_interval_s, an incremental
    // sync and the QR outbox pass, one station at a time (reconcile_lease decides).
    reconcile::Reconciler reconciler(context.database, reconcile::ReconcilerOptions::fromConfig(context.config));
    service.setStatusDetail([&reconciler] { return QJsonObject { { QStringLiteral("reconciliation"), reconciler.statusJson() } }; });
    const int reconcileS = context.config.reconcileIntervalS();
    if (reconcileS > 0) {
        out << Tr::tr("Reconciliation: now, then every %n second(s) ([sync] reconcile_interval_s).", nullptr, reconcileS) << Qt::endl;
        reconciler.start();
    } else {
        out << Tr::tr("Reconciliation is off ([sync] reconcile_interval_s = 0).") << Qt::endl;
    }

    int exitCode = ExitOk;
    // Ends when both the service (inbox drained) and the reconciliation (a sync in flight
    // cancelled, its lease freed) have stopped.
    bool serviceStopped = false;
    bool reconcilerStopped = !reconciler.isStarted();
    const auto exitWhenDone = [&] {
        if (serviceStopped && reconcilerStopped)
            QCoreApplication::exit(exitCode);
    };
    QObject::connect(&service, &webhook::WebhookService::stopped, qApp, [&] {
        serviceStopped = true;
        exitWhenDone();
    });
    QObject::connect(&reconciler, &reconcile::Reconciler::stopped, qApp, [&] {
        reconcilerStopped = true;
        exitWhenDone();
    });
    const auto shutdown = [&](int signal) {
        if (!service.isRunning())
            return;
        out << Tr::tr("Signal %1: no longer accepting webhooks; finishing the events in progress ...").arg(signal) << Qt::endl;
        if (reconciler.isStarted())
            reconciler.stop();
        service.stop();
    };
#ifdef Q_OS_UNIX
    if (!installSignalHandlers(&service, shutdown))
        err << Tr::tr("Warning: cannot install the SIGINT/SIGTERM handlers; stop with kill -9 only after the inbox is empty.")
            << Qt::endl;
#elif defined(Q_OS_WIN)
    // Ctrl+C, Ctrl+Break and closing the console window stop it the same way (platformconsole.cpp).
    if (!installConsoleStopHandler(&service, shutdown))
        err << Tr::tr("Warning: cannot install the Ctrl+C handler; stop only after the inbox is empty.") << Qt::endl;
#else
    Q_UNUSED(shutdown)
#endif
    const int code = QCoreApplication::exec();
    service.setStatusDetail({}); // the reconciler goes first
    out << Tr::tr("Stopped.") << Qt::endl;
    return code;
}

} // namespace qrt::app
