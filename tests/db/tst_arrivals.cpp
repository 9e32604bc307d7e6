// Arrivals (issue 15 point 6): admissions per event in 15-minute slots and who is inside now, as
// the event overview's chart reads them from ticket_events, on SQLite and PostgreSQL.
#include "db/arrivals.h"
#include "db/database.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QTest>

using namespace qrt;

namespace {
core::Order order(const QString &id, const QString &event, int tickets)
{
    core::Order o;
    o.orderId = id;
    o.contactFirstName = QStringLiteral("Guest");
    o.contactLastName = id;
    o.paymentStatus = QStringLiteral("paid");
    o.eventId = event;
    o.eventName = QStringLiteral("Event ") + event;
    o.dateAdded = QDateTime(QDate(2026, 5, 1), QTime(12, 0), Qt::UTC);
    o.items.append({ event, o.eventName, {}, {}, QStringLiteral("GA"), tickets, 10.0, QStringLiteral("EUR"), -1 });
    o.ticketQuantities[QStringLiteral("GA")] = tickets;
    return o;
}

QDateTime at(int hour, int minute)
{
    return QDateTime(QDate(2026, 11, 28), QTime(hour, minute), Qt::UTC);
}
} // namespace

class TestArrivals : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    // The audit row just written happened at `when` (as if the guest came then).
    void happenedAt(const QDateTime &when)
    {
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ticket_events SET at = '%1' WHERE id = (SELECT max(id) FROM ticket_events)")
                                 .arg(when.toString(Qt::ISODateWithMs))));
    }

    QList<qint64> ticketsOf(const QString &orderId)
    {
        QList<qint64> ids;
        for (const core::Ticket &t : db::TicketRepository(m_t->db()).forOrder(orderId).value())
            ids << t.ticketId;
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

    void nobodyYet()
    {
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(QStringLiteral("o1"), QStringLiteral("A"), 2) }, QStringLiteral("t")));
        auto report = db::ArrivalsRepository(m_t->db()).arrivals();
        QVERIFY_OK(report);
        QVERIFY(report->buckets.isEmpty());
        QVERIFY(!report->from.isValid());
        QCOMPARE(report->insideTotal, 0);
    }

    void slotsAndInsideNow()
    {
        QVERIFY_OK(db::OrderWriter(m_t->db()).save({ order(QStringLiteral("o1"), QStringLiteral("A"), 3),
                                                     order(QStringLiteral("o2"), QStringLiteral("B"), 2) },
                                                   QStringLiteral("t")));
        db::TicketRepository tickets(m_t->db());
        const QList<qint64> a = ticketsOf(QStringLiteral("o1"));
        const QList<qint64> b = ticketsOf(QStringLiteral("o2"));
        QCOMPARE(a.size(), 3);
        QCOMPARE(b.size(), 2);
        const QString door = QStringLiteral("door-1");
        QVERIFY_OK(tickets.admit(a[0], door));
        happenedAt(at(19, 2));
        QVERIFY_OK(tickets.admit(a[1], door));
        happenedAt(at(19, 14));
        QVERIFY_OK(tickets.admit(a[2], door));
        happenedAt(at(19, 15)); // a slot starts at :15 sharp
        QVERIFY_OK(tickets.setStatus(a[2], core::TicketStatus::Live, QStringLiteral("undo"), door));
        happenedAt(at(19, 20)); // Undo: the third guest is not inside
        QVERIFY_OK(tickets.admit(b[0], door));
        happenedAt(at(19, 44));
        // A cancellation is not an arrival.
        QVERIFY_OK(tickets.setStatus(b[1], core::TicketStatus::Cancelled, QStringLiteral("refund"), door));
        happenedAt(at(19, 50));

        auto report = db::ArrivalsRepository(m_t->db()).arrivals();
        QVERIFY_OK(report);
        QStringList seen;
        for (const db::ArrivalBucket &s : report->buckets)
            seen << QStringLiteral("%1 %2 +%3 -%4").arg(s.start.toString(QStringLiteral("HH:mm")), s.eventId).arg(s.admitted).arg(s.undone);
        QCOMPARE(seen, (QStringList { QStringLiteral("19:00 A +2 -0"), QStringLiteral("19:15 A +1 -1"),
                                       QStringLiteral("19:30 B +1 -0") }));
        QCOMPARE(report->buckets.first().start, at(19, 0));
        QCOMPARE(report->from, at(19, 0));
        QCOMPARE(report->to, at(19, 30));
        QCOMPARE(report->insideNow.value(QStringLiteral("A")), 2);
        QCOMPARE(report->insideNow.value(QStringLiteral("B")), 1);
        QCOMPARE(report->insideTotal, 3);

        // The window: the hours up to the latest admission; earlier ones fall out of it.
        QVERIFY_OK(tickets.admit(a[2], door));
        happenedAt(at(23, 59));
        auto late = db::ArrivalsRepository(m_t->db()).arrivals(4);
        QVERIFY_OK(late);
        QCOMPARE(late->to, at(23, 45));
        QCOMPARE(late->buckets.size(), 1);
        QCOMPARE(late->buckets.first().admitted, 1);
        QCOMPARE(late->insideTotal, 4);
        QCOMPARE(db::ArrivalsRepository(m_t->db()).arrivals(5)->buckets.size(), 4); // 5 hours: from 19:00 to 23:45
    }

    void slotBoundaries()
    {
        QCOMPARE(db::ArrivalsRepository::bucketStart(QDateTime(QDate(2026, 1, 1), QTime(0, 14, 59, 999), Qt::UTC)),
                 QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC));
        QCOMPARE(db::ArrivalsRepository::bucketStart(QDateTime(QDate(2026, 1, 1), QTime(0, 15), Qt::UTC)),
                 QDateTime(QDate(2026, 1, 1), QTime(0, 15), Qt::UTC));
    }
};

QTEST_GUILESS_MAIN(TestArrivals)
#include "tst_arrivals.moc"
