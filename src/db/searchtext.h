#pragma once

#include "core/order.h"
#include "core/result.h"
#include "db/database.h"

#include <QSqlDatabase>
#include <QString>

namespace qrt::db {

// Search and name sorting that treat letters as people expect in every language (issue 15,
// point 8). SQLite's lower() and PostgreSQL's lower() in a C-locale database change only A-Z, so
// "ÑÚÑEZ" stayed "ÑÚÑez" and "ñúñez" never found it. The search column is folded here, in C++:
// QString::toCaseFolded (Unicode simple case folding: Ñ→ñ, Σ→σ, ǅ→ǆ) plus ß and ẞ→"ss" (so
// "straße" finds "STRASSE" and "Strasse" finds "Straße"). Accents are kept: "nunez" does not
// find "Ñúñez".
QString foldForSearch(QStringView text);
// What the search column holds for an order: its id, names, e-mail and phone, folded.
QString searchTextOf(const core::Order &order);
// The column a search matches: search_text on SQLite (migration 0003, re-folded by 0012),
// search_fold on PostgreSQL (0012; search_text there is a generated lower() column).
QString searchColumn(Dialect dialect);

// Database triggers keep the search column right for any writer with lower() (migrations 0003 and
// 0012); our writers then store the folded text, which differs only when the order has a
// non-ASCII letter (one UPDATE then, none for plain ASCII names).
class SearchTextWriter
{
public:
    static core::Result<SearchTextWriter> prepare(Database &db);
    core::Result<void> store(const core::Order &order);

private:
    explicit SearchTextWriter(Query query) : m_query(std::move(query)) { }
    Query m_query;
};

// Migration 0012's C++ step: re-folds the search column of every stored order (inside the
// migration's transaction, on its connection).
core::Result<int> refoldSearchColumn(Database &db, QSqlDatabase &connection);

// The collation name sorts use on SQLite ("ORDER BY contact_lastname COLLATE qrt_name"):
// Unicode-aware (ICU through QCollator, English rules: "Ábel" before "Bela", "Zoë" beside "Zoe"),
// registered on every SQLite connection this program opens (Database::openNew).
inline constexpr const char *kNameCollation = "qrt_name";
core::Result<void> registerSqliteCollation(QSqlDatabase &connection);

} // namespace qrt::db
