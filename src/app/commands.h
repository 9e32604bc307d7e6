#pragma once

#include "app/appcontext.h"

#include <QString>

#include <optional>

// One function per sub-command; main.cpp parses the command line and dispatches. A command's
// file is compiled (and the command offered) only once it exists: see CMakeLists.txt.
namespace qrt::app {

int runMigrate(AppContext &context);

// command_sync.cpp: headless sync with a text progress bar. mode: "full" | "incremental";
// ordersFile: a JSON array of order ids (valid_order_list.json), empty for none.
int runSync(AppContext &context, const QString &mode, const QString &ordersFile);

// command_serve.cpp: webhook listener + inbox worker + event feed until SIGINT/SIGTERM.
int runServe(AppContext &context);

// command_admit.cpp: one scan (order URL, order id or ticket code) through the door's verdict path;
// prints the verdict line. events: --event's product ids (comma-separated), none for [door] event.
// ExitOk admitted, ExitPartial (3) not admitted, ExitFailure when the database failed.
int runAdmit(AppContext &context, const QString &scanned, const std::optional<QString> &events);

// command_roles.cpp (PostgreSQL only; run as the tables' owner): `roles install` and
// `operator add|list|remove`. role: "admin" | "door"; email: the ghl_qr_users row to link, or empty.
int runRolesInstall(AppContext &context);
int runOperatorAdd(AppContext &context, const QString &name, const QString &role, const QString &email);
int runOperatorList(AppContext &context);
int runOperatorRemove(AppContext &context, const QString &name);

// desktop.cpp (links qrt_gui): the desktop application; demo starts the built-in GHL simulator
// with a fresh SQLite file.
int runDesktop(AppContext &context, bool demo);

} // namespace qrt::app
