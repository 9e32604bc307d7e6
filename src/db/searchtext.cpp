#include "db/searchtext.h"

#include <QCollator>
#include <QCoreApplication>
#include <QSqlDriver>
#include <QSqlQuery>

#include <sqlite3.h>

#include <memory>

namespace qrt::db {

namespace {
// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::db::SearchText)
};

bool isAscii(QStringView text)
{
    for (const QChar c : text) {
        if (c.unicode() > 0x7f)
            return false;
    }
    return true;
}

QString joined(const QString &orderId, const QString &first, const QString &last, const QString &email,
               const QString &phone)
{
    // The same text the triggers of migration 0003 join (NULL columns as empty strings).
    return orderId + u' ' + first + u' ' + last + u' ' + email + u' ' + phone;
}

int compareNames(void *collator, int length1, const void *text1, int length2, const void *text2)
{
    // SQLITE_UTF16 hands over native-endian UTF-16: QChar's layout; lengths are in bytes.
    const QStringView a(static_cast<const QChar *>(text1), length1 / 2);
    const QStringView b(static_cast<const QChar *>(text2), length2 / 2);
    const int byRules = static_cast<const QCollator *>(collator)->compare(a, b);
    // Never "equal" for different texts: an index must order them the same way every time.
    return byRules != 0 ? byRules : a.compare(b);
}

void destroyCollator(void *collator)
{
    delete static_cast<QCollator *>(collator);
}
} // namespace

QString foldForSearch(QStringView text)
{
    QString folded = text.toString().toCaseFolded();
    // Full case folding of ß (toCaseFolded keeps it; ẞ folds to ß first).
    folded.replace(QChar(0x00DF), QStringLiteral("ss"));
    return folded;
}

QString searchTextOf(const core::Order &o)
{
    return foldForSearch(joined(o.orderId, o.contactFirstName, o.contactLastName, o.contactEmail, o.contactPhone));
}

QString searchColumn(Dialect dialect)
{
    return dialect == Dialect::PostgreSQL ? QStringLiteral("search_fold") : QStringLiteral("search_text");
}

core::Result<SearchTextWriter> SearchTextWriter::prepare(Database &db)
{
    auto q = db.prepare(QStringLiteral("UPDATE ghl_qr_orders SET ") + searchColumn(db.dialect())
                            + QStringLiteral(" = :text WHERE order_id = :order_id"),
                        Tr::tr("prepare saving the search text of orders"));
    if (!q)
        return q.error();
    return SearchTextWriter(std::move(q).value());
}

core::Result<void> SearchTextWriter::store(const core::Order &order)
{
    const QString plain = joined(order.orderId, order.contactFirstName, order.contactLastName, order.contactEmail,
                                 order.contactPhone);
    if (isAscii(plain))
        return {}; // the trigger's lower() already stored exactly this
    m_query.bind(QStringLiteral(":text"), foldForSearch(plain)).bind(QStringLiteral(":order_id"), order.orderId);
    return m_query.describe(Tr::tr("save the search text of order %1").arg(order.orderId)).exec();
}

core::Result<int> refoldSearchColumn(Database &db, QSqlDatabase &connection)
{
    const QString column = searchColumn(db.dialect());
    QSqlQuery read(connection);
    read.setForwardOnly(true);
    if (!read.exec(QStringLiteral("SELECT order_id, contact_firstname, contact_lastname, contact_email, contact_phone, ")
                   + column + QStringLiteral(" AS stored FROM ghl_qr_orders")))
        return db.fail(read, Tr::tr("read the search text of orders"));
    QList<std::pair<QString, QString>> changed; // order id, folded text
    while (read.next()) {
        const QString folded = foldForSearch(joined(read.value(0).toString(), read.value(1).toString(),
                                                    read.value(2).toString(), read.value(3).toString(),
                                                    read.value(4).toString()));
        if (read.value(5).isNull() || read.value(5).toString() != folded)
            changed.append({ read.value(0).toString(), folded });
    }
    read.finish();
    QSqlQuery write(connection);
    write.prepare(QStringLiteral("UPDATE ghl_qr_orders SET ") + column + QStringLiteral(" = ? WHERE order_id = ?"));
    for (const auto &[orderId, folded] : std::as_const(changed)) {
        write.bindValue(0, folded);
        write.bindValue(1, orderId);
        if (!write.exec())
            return db.fail(write, Tr::tr("save the search text of order %1").arg(orderId));
    }
    return int(changed.size());
}

core::Result<void> registerSqliteCollation(QSqlDatabase &connection)
{
    const QVariant handle = connection.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return core::makeError(QStringLiteral("db.collation"), Tr::tr("The SQLite driver gave no database handle."));
    sqlite3 *sqlite = *static_cast<sqlite3 *const *>(handle.data());
    if (!sqlite)
        return core::makeError(QStringLiteral("db.collation"), Tr::tr("The SQLite database is not open."));
    // Fixed rules, not the user's language: an index sorted with them must stay valid whoever
    // opens the file next.
    auto collator = std::make_unique<QCollator>(QLocale(QLocale::English, QLocale::UnitedStates));
    collator->setCaseSensitivity(Qt::CaseInsensitive);
    const int rc = sqlite3_create_collation_v2(sqlite, kNameCollation, SQLITE_UTF16, collator.get(), compareNames,
                                               destroyCollator);
    if (rc != SQLITE_OK)
        return core::makeError(QStringLiteral("db.collation"),
                               Tr::tr("The name sort order could not be set up for SQLite."),
                               QString::fromUtf8(sqlite3_errstr(rc)));
    collator.release(); // SQLite owns it now (destroyCollator)
    return {};
}

} // namespace qrt::db
