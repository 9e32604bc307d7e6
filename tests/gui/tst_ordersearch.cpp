// The order list's search as typed (issue 15 point 8): a keystroke that only narrows a complete
// result is answered without SQL, and must match exactly as the database does (case folding of
// any alphabet, ß as "ss"), or rows vanish that the next reload would bring back.
#include "db/orderrepository.h"
#include "gui/dbworker.h"
#include "gui/orderlistmodel.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QSignalSpy>
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
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    return o;
}
} // namespace

class TestOrderSearch : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    static QStringList ids(const gui::OrderListModel &model)
    {
        QStringList result;
        for (int row = 0; row < model.rowCount(); ++row)
            result << model.index(row, gui::OrderListModel::OrderId).data(gui::OrderListModel::OrderIdRole).toString();
        result.sort();
        return result;
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        QVERIFY_OK(db::OrderRepository(m_t->db()).upsert({ person(QStringLiteral("o1"), QStringLiteral("Ana"), QStringLiteral("STRASSE")),
                                                           person(QStringLiteral("o2"), QStringLiteral("Jörg"), QStringLiteral("Straße")),
                                                           person(QStringLiteral("o3"), QStringLiteral("José"), QStringLiteral("ÑÚÑEZ")),
                                                           person(QStringLiteral("o4"), QStringLiteral("Nina"), QStringLiteral("Stram")) }));
    }

    void cleanup() { m_t.reset(); }

    void narrowingMatchesTheDatabase()
    {
        gui::DbWorker worker(m_t->shared());
        gui::DbWorker countWorker(m_t->shared());
        gui::OrderListModel model(worker, countWorker);
        auto search = [&](const QString &text) {
            QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
            model.setSearch(text);
            return !loaded.isEmpty() || loaded.wait(test::kWaitMs);
        };
        QVERIFY(search(QStringLiteral("stra")));
        QCOMPARE(ids(model), (QStringList { QStringLiteral("o1"), QStringLiteral("o2"), QStringLiteral("o4") }));
        // "straß" narrows "stra" (answered from the rows in hand): both spellings stay, as in SQL.
        QVERIFY(search(QStringLiteral("straß")));
        QCOMPARE(ids(model), (QStringList { QStringLiteral("o1"), QStringLiteral("o2") }));
        QVERIFY(search(QString()));
        QVERIFY(search(QStringLiteral("ñ")));
        QVERIFY(search(QStringLiteral("ñúñ")));
        QCOMPARE(ids(model), QStringList { QStringLiteral("o3") });
    }
};

QTEST_MAIN(TestOrderSearch)
#include "tst_ordersearch.moc"
