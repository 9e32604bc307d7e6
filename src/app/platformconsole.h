#pragma once

#include <QObject>

#include <functional>

// The console on Windows, where qrtickets.exe is a GUI-subsystem program (no console window of its
// own when started from the Start menu). Everything here does nothing on other systems.
namespace qrt::app {

// Called once, first thing in main(). On Windows, when the arguments select a headless command
// (migrate, sync, serve) or --help/--version, attaches to the console of the program that started
// it (cmd, PowerShell) and points stdout/stderr (and stdin) at it, unless they were redirected to
// a file or pipe. cmd and PowerShell do not wait for a GUI-subsystem program, so the prompt comes
// back before the output and %ERRORLEVEL% is not its exit code: scripts and services use the
// console twin qrtickets-cli.exe (same program, console subsystem), as Qt-based tools do.
void attachParentConsole(int argc, char **argv);

// Windows: Ctrl+C, Ctrl+Break, closing the console window, log-off and shut-down call handler
// (with the console event number) on the main thread while context lives; for a closing window it
// waits up to 4.5 s (Windows ends the process at 5 s) for the program to finish and exit. Returns false if
// the handler could not be installed. Elsewhere returns false and does nothing (Unix uses signals:
// command_serve.cpp).
bool installConsoleStopHandler(QObject *context, std::function<void(int)> handler);

} // namespace qrt::app
