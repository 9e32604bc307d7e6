#pragma once

#include "core/result.h"
#include "db/database.h"
#include "db/inboxrepository.h"

#include <QSet>

#include <optional>

namespace qrt::db {

// The group commit's INSERT on PostgreSQL straight through libpq, on the QPSQL connection of this
// thread: the bodies go as binary bytea parameters. Qt's driver sends every bound value inside the
// text of an EXECUTE, a body as a hex literal twice its size that the server lexes and decodes:
// about 90 us per row of the committer's serial time in a burst (bench webhook), which is what
// the answers wait for. Same statement, same transaction (one statement in autocommit), same
// stored bytes; errors pass through Database::fail like any query's, so a lost connection is
// closed and reconnected on the next attempt.
// rows: the deliveries to insert (keys unique); now: received_at/updated_at as toDb() gives it.
// Returns the keys inserted (the others were in the inbox already), or nullopt when this path
// cannot be used here (not built with libpq, not a PostgreSQL connection, a client deadline
// configured: the caller runs the statement through Qt).
std::optional<core::Result<QSet<QString>>> insertInboxRowsPq(Database &db, const QList<const InboxDelivery *> &rows,
                                                              const QString &now, const QString &what);

} // namespace qrt::db
