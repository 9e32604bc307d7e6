// Unicode search and name sort (issue 15 point 8), on SQLite and PostgreSQL: SQLite's lower() and
// PostgreSQL's lower() in a C-locale database (the test server is initdb --no-locale) change only
// A-Z, so "ñúñez" never found "Ñúñez". The search column is folded in C++ (db/searchtext.h).
#include "db/database.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/searchtext.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QTest>

using namespace qrt;

namespace {
core::Order person(const QString &id, const QString &first, const QString &last)
{
    core::Order o;
    o.orderId = id;
    o.contactFirstName = first;
    o.contactLastName = last;
    o.contactEmail = id + QStringLiteral("@example.com");
    o.paymentStatus = QStringLiteral("paid");
    o.eventId = QStringLiteral("ev1");
    o.eventName = QStringLiteral("Gala");
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.items.append({ o.eventId, o.eventName, {}, {}, QStringLiteral("GA"), 1, 10.0, QStringLiteral("EUR"), -1 });
    o.ticketQuantities[QStringLiteral("GA")] = 1;
    return o;
}
} // namespace

class TestUnicodeSearch : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    QStringList found(const QString &search, db::OrderSort sort = db::OrderSort::OrderId,
                      Qt::SortOrder order = Qt::AscendingOrder)
    {
        db::OrderQuery q;
        q.search = search;
        q.sort = sort;
        q.order = order;
        auto rows = db::OrderRepository(m_t->db()).list(q);
        if (!rows) {
            qWarning("%s", qPrintable(rows.error().toString()));
            return { QStringLiteral("<error>") };
        }
        QStringList ids;
        for (const db::OrderRow &r : rows.value())
            ids << r.order.orderId;
        return ids;
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void foldingRules()
    {
        QCOMPARE(db::foldForSearch(u"ÑÚÑEZ Ñúñez"), QStringLiteral("ñúñez ñúñez"));
        QCOMPARE(db::foldForSearch(u"Straße STRASSE ẞ"), QStringLiteral("strasse strasse ss"));
        QCOMPARE(db::foldForSearch(u"ΣΊΣΥΦΟΣ"), QStringLiteral("σίσυφοσ"));
    }

    void searchFindsAccentedCapitals()
    {
        // Through both write paths: the sync/webhook writer and the repository's upsert.
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ person(QStringLiteral("o1"), QStringLiteral("José"), QStringLiteral("Ñúñez")),
                                                     person(QStringLiteral("o2"), QStringLiteral("Ana"), QStringLiteral("STRASSE")) },
                                                   QStringLiteral("test")));
        QVERIFY_OK(db::OrderRepository(m_t->db()).upsert({ person(QStringLiteral("o3"), QStringLiteral("Jörg"), QStringLiteral("Straße")),
                                                           person(QStringLiteral("o4"), QStringLiteral("ÉLODIE"), QStringLiteral("ÇA")),
                                                           person(QStringLiteral("o5"), QStringLiteral("Nina"), QStringLiteral("Nunez")) }));
        QCOMPARE(found(QStringLiteral("ñúñez")), QStringList { QStringLiteral("o1") });
        QCOMPARE(found(QStringLiteral("ÑÚÑEZ")), QStringList { QStringLiteral("o1") });
        QCOMPARE(found(QStringLiteral("josé ñú")), QStringList { QStringLiteral("o1") });
        QCOMPARE(found(QStringLiteral("élodie")), QStringList { QStringLiteral("o4") });
        QCOMPARE(found(QStringLiteral("jörg")), QStringList { QStringLiteral("o3") });
        // ß folds to "ss" both in the stored text and in the words typed.
        const QStringList both { QStringLiteral("o2"), QStringLiteral("o3") };
        QCOMPARE(found(QStringLiteral("straße")), both);
        QCOMPARE(found(QStringLiteral("Strasse")), both);
        // Accents are kept: "nunez" is another name.
        QCOMPARE(found(QStringLiteral("nunez")), QStringList { QStringLiteral("o5") });
        // Plain ASCII still works as before.
        QCOMPARE(found(QStringLiteral("NINA")), QStringList { QStringLiteral("o5") });
        QCOMPARE(db::OrderRepository(m_t->db()).count({ QStringLiteral("ÑúÑeZ") }).value(), 1);

        // A name changed only in the case of its accented letters (same folded text) stays found.
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ person(QStringLiteral("o1"), QStringLiteral("JOSÉ"), QStringLiteral("ÑÚÑEZ")) },
                                                   QStringLiteral("test")));
        QCOMPARE(found(QStringLiteral("ñúñez josé")), QStringList { QStringLiteral("o1") });
    }

    void migrationRefoldsRowsOfOtherWriters()
    {
        // Another program (or this one before migration 0012) wrote the row: the triggers' lower()
        // leaves Ñ and Ú as they are, so the folded search misses it ...
        QVERIFY_OK(m_t->exec(QStringLiteral("INSERT INTO ghl_qr_orders (order_id, contact_firstname, contact_lastname) "
                                            "VALUES ('old1', 'ÁLVARO', 'ÑÚÑEZ')")));
        QVERIFY(found(QStringLiteral("ñúñez")).isEmpty());
        // ... until migration 0012's C++ step (the same function) folds it.
        auto connection = m_t->db().connection();
        QVERIFY_OK(connection);
        auto refolded = db::refoldSearchColumn(m_t->db(), connection.value());
        QVERIFY_OK(refolded);
        QCOMPARE(refolded.value(), 1);
        QCOMPARE(found(QStringLiteral("álvaro ñúñez")), QStringList { QStringLiteral("old1") });
        QCOMPARE(db::refoldSearchColumn(m_t->db(), connection.value()).value(), 0); // nothing left to fold
    }

    void searchSortedByOtherColumns()
    {
        // On SQLite few matches (here: all) are found on the search index, then sorted
        // (OrderRepository::sqliteSource): the rows and order a plain sort gives.
        QList<core::Order> orders;
        for (int i = 0; i < 40; ++i) {
            core::Order o = person(QStringLiteral("s%1").arg(i, 2, 10, QChar(u'0')), QStringLiteral("F"),
                                   i % 4 == 0 ? QStringLiteral("Rare") : QStringLiteral("Common"));
            o.contactEmail = QStringLiteral("%1@example.com").arg(QChar(u'z' - i % 26));
            o.totalPaid = (i * 7) % 13;
            orders << o;
        }
        QVERIFY_OK(db::OrderRepository(m_t->db()).upsert(orders));
        for (const QString &word : { QStringLiteral("rare"), QStringLiteral("example") }) {
            for (const db::OrderSort sort : { db::OrderSort::Email, db::OrderSort::Total, db::OrderSort::OrderId }) {
                QList<core::Order> expected;
                for (const core::Order &o : std::as_const(orders)) {
                    if (db::searchTextOf(o).contains(word))
                        expected << o;
                }
                std::sort(expected.begin(), expected.end(), [sort](const core::Order &a, const core::Order &b) {
                    if (sort == db::OrderSort::Email && a.contactEmail != b.contactEmail)
                        return a.contactEmail > b.contactEmail;
                    if (sort == db::OrderSort::Total && a.totalPaid != b.totalPaid)
                        return a.totalPaid > b.totalPaid;
                    return a.orderId > b.orderId;
                });
                QStringList want;
                for (const core::Order &o : expected.mid(0, 7))
                    want << o.orderId;
                db::OrderQuery q;
                q.search = word;
                q.sort = sort;
                q.order = Qt::DescendingOrder;
                q.limit = 7;
                QStringList got;
                for (const db::OrderRow &r : db::OrderRepository(m_t->db()).list(q).value())
                    got << r.order.orderId;
                QCOMPARE(got, want);
            }
        }
    }

    void nameSortIsAlphabetical()
    {
        if (m_dialect == db::Dialect::PostgreSQL)
            QSKIP("by design: PostgreSQL sorts names by the database's collation (byte order in a C-locale database); "
                  "the Unicode collation is SQLite's");
        const QStringList names { QStringLiteral("Zoë"), QStringLiteral("Bela"), QStringLiteral("Öztürk"), QStringLiteral("Ortiz"),
                                  QStringLiteral("Ñúñez"), QStringLiteral("Nadal"), QStringLiteral("Ábel"), QStringLiteral("abbott") };
        QList<core::Order> orders;
        for (int i = 0; i < names.size(); ++i)
            orders << person(QStringLiteral("n%1").arg(i), QStringLiteral("X"), names.at(i));
        QVERIFY_OK(db::OrderRepository(m_t->db()).upsert(orders));
        auto lastNames = [&](Qt::SortOrder order, const QString &search = {}) {
            db::OrderQuery q;
            q.sort = db::OrderSort::Contact;
            q.order = order;
            q.search = search;
            QStringList result;
            for (const db::OrderRow &r : db::OrderRepository(m_t->db()).list(q).value())
                result << r.order.contactLastName;
            return result;
        };
        const QStringList expected { QStringLiteral("abbott"), QStringLiteral("Ábel"), QStringLiteral("Bela"), QStringLiteral("Nadal"),
                                     QStringLiteral("Ñúñez"), QStringLiteral("Ortiz"), QStringLiteral("Öztürk"), QStringLiteral("Zoë") };
        QCOMPARE(lastNames(Qt::AscendingOrder), expected);
        QStringList reversed(expected.crbegin(), expected.crend());
        QCOMPARE(lastNames(Qt::DescendingOrder), reversed);
        QCOMPARE(lastNames(Qt::AscendingOrder, QStringLiteral("example")), expected);

        // A sorted search walks the name index of migration 0012 instead of sorting every match.
        auto plan = m_t->db().prepare(QStringLiteral("EXPLAIN QUERY PLAN SELECT order_id FROM ghl_qr_orders WHERE search_text "
                                                     "LIKE '%a%' ORDER BY contact_lastname COLLATE qrt_name ASC, "
                                                     "contact_firstname COLLATE qrt_name ASC, order_id ASC LIMIT 200"),
                                      QStringLiteral("explain"));
        QVERIFY_OK(plan);
        QVERIFY_OK(plan->exec());
        QString details;
        while (plan->next())
            details += plan->value(QStringLiteral("detail")).toString() + u'\n';
        QVERIFY2(details.contains(QStringLiteral("ghl_qr_orders_name_search_idx")) && !details.contains(QStringLiteral("TEMP B-TREE")),
                 qPrintable(QStringLiteral("the name sort does not use its index:\n") + details));
    }
};

QTEST_GUILESS_MAIN(TestUnicodeSearch)
#include "tst_unicodesearch.moc"
