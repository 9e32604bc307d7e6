#pragma once

#include "core/result.h"

#include <QString>

#include <functional>
#include <memory>

class QObject;
class QThread;

namespace qrt::db {

class Database;

using OpenResult = core::Result<std::shared_ptr<Database>>;

// Database::open(url), then check(): the database is there and lets us in.
OpenResult openAndCheck(const QString &url);

// Tries a database URL without blocking the calling (GUI) thread, for Settings' "Test" and the
// start-up window's Retry. Connecting to an unreachable server can take the whole connect timeout,
// and the URL is usually not the open database: so a thread of its own, not the shared DbWorker
// (whose queue the windows wait on). Its connection is closed when the thread ends; a database
// handed back opens its own connection on each thread that uses it.
//
// open(url) (openAndCheck when empty) runs on that thread; done(result) runs on context's thread,
// and only while context exists: destroying context early drops the answer and waits for nothing.
// Returns the probe's thread, which deletes itself once the answer was delivered or dropped: keep
// it in a QPointer to know whether a probe is still under way.
QThread *tryOpenAsync(const QString &url, QObject *context, std::function<void(OpenResult)> done,
                      std::function<OpenResult(const QString &url)> open = {});

} // namespace qrt::db
