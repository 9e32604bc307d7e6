#include "app/platformconsole.h"

#ifdef Q_OS_WIN
#include <QCoreApplication>
#include <QPointer>
#include <QSemaphore>

#include <cstdio>
#include <cstring>

#include <qt_windows.h>
#endif

namespace qrt::app {

#ifdef Q_OS_WIN

namespace {

// Mirrors main.cpp: a sub-command, --help/--version or any option the desktop does not take
// means the answer goes to the terminal.
bool wantsConsole(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (std::strcmp(a, "--config") == 0 || std::strcmp(a, "--database") == 0) {
            ++i; // its value
            continue;
        }
        if (std::strcmp(a, "--demo") == 0 || std::strncmp(a, "--config=", 9) == 0
            || std::strncmp(a, "--database=", 11) == 0)
            continue;
        return true; // a command, --help, --version, or something to complain about
    }
    return false;
}

// A handle the parent gave us (a file or pipe: `qrtickets migrate > log.txt`) is kept.
bool usable(DWORD which)
{
    const HANDLE h = ::GetStdHandle(which);
    return h != nullptr && h != INVALID_HANDLE_VALUE && ::GetFileType(h) != FILE_TYPE_UNKNOWN;
}

QPointer<QObject> g_context;
std::function<void(int)> g_handler;
QSemaphore g_stopped; // never released: the wait ends with the process (or after 4.5 s)

BOOL WINAPI onConsoleEvent(DWORD type)
{
    switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
    case CTRL_CLOSE_EVENT:
    case CTRL_LOGOFF_EVENT:
    case CTRL_SHUTDOWN_EVENT:
        break;
    default:
        return FALSE;
    }
    // This runs on a thread Windows creates for the event: hand the stop to the main thread's event
    // loop (the application object outlives the loop), where the context is checked.
    if (QCoreApplication *app = QCoreApplication::instance()) {
        QMetaObject::invokeMethod(
            app, [type] {
                if (g_context)
                    g_handler(static_cast<int>(type));
            },
            Qt::QueuedConnection);
    }
    // Windows ends the process when this returns: wait (at most 4.5 s of the 5 it grants) while
    // serve drains and cleans up; when main() returns, the process ends and this thread with it.
    if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT)
        g_stopped.tryAcquire(1, 4500);
    return TRUE;
}

} // namespace

void attachParentConsole(int argc, char **argv)
{
    if (!wantsConsole(argc, argv))
        return;
    const bool out = usable(STD_OUTPUT_HANDLE), err = usable(STD_ERROR_HANDLE), in = usable(STD_INPUT_HANDLE);
    if (out && err)
        return; // a console program (qrtickets-cli.exe) or everything redirected: nothing to do
    if (!::AttachConsole(ATTACH_PARENT_PROCESS))
        return; // started from Explorer: there is no console to print to
    FILE *f = nullptr;
    if (!out) {
        freopen_s(&f, "CONOUT$", "w", stdout);
        std::fputs("\n", stdout); // the prompt was printed already: start on a line of our own
    }
    if (!err)
        freopen_s(&f, "CONOUT$", "w", stderr);
    if (!in)
        freopen_s(&f, "CONIN$", "r", stdin);
}

bool installConsoleStopHandler(QObject *context, std::function<void(int)> handler)
{
    g_context = context;
    g_handler = std::move(handler);
    return ::SetConsoleCtrlHandler(onConsoleEvent, TRUE) != 0;
}

#else

void attachParentConsole(int, char **) {}

bool installConsoleStopHandler(QObject *, std::function<void(int)>)
{
    return false;
}

#endif

} // namespace qrt::app
