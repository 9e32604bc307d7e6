// The door's verdict path (issue 15, points 1 and 2) on SQLite and PostgreSQL: check-in lists
// ("Other event", admit next within the list), counts by each ticket's own product (door list,
// overview, order list filter), refunded and cancelled orders, [door] admit_unpaid, order ids in
// any letter case, the payment status in every verdict and the gate in the history.
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QTest>

using namespace qrt;
using Kind = door::Verdict::Kind;

class TestDoor : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    db::Database &database() { return m_t->db(); }

    void save(const QList<core::Order> &orders)
    {
        auto saved = db::OrderWriter(database()).save(orders, QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }

    door::DoorCheck station(const QStringList &events = {}, core::AdmitUnpaid unpaid = core::AdmitUnpaid::Ask,
                            const QString &gate = {})
    {
        door::DoorCheck::Policy p;
        p.events = events;
        p.admitUnpaid = unpaid;
        p.station = QStringLiteral("Door 1");
        p.gate = gate;
        p.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        return door::DoorCheck(database(), p);
    }

    QList<core::Ticket> tickets(const QString &orderId) { return db::TicketRepository(database()).forOrder(orderId).value(); }

    static QString jazz() { return test::sampleEventId(1); }
    static QString gala() { return test::sampleEventId(0); }

    static QString describe(const door::Verdict &v) { return door::toString(v.kind) + QStringLiteral(": ") + v.line(); }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void multiEventSampleOrderHasTicketsOfBothEvents()
    {
        save({ test::sampleMultiEventOrder(1) });
        const auto all = tickets(test::sampleOrderId(1));
        QCOMPARE(all.size(), 4); // 2 VIP of the Gala, 2 General Admission of the Jazz Night
        QCOMPARE(all.at(0).productId, gala());
        QCOMPARE(all.at(3).productId, jazz());
    }

    void ticketOfAnotherEventIsRedAndNotAdmitted()
    {
        save({ test::sampleMultiEventOrder(1) });
        const core::Ticket galaTicket = tickets(test::sampleOrderId(1)).first();
        const door::Verdict v = station({ jazz() }).scan(galaTicket.code.toUpper());
        QVERIFY2(v.kind == Kind::OtherEvent, qPrintable(describe(v)));
        QCOMPARE(int(v.tone()), int(door::Verdict::Tone::Red));
        QCOMPARE(v.title, QStringLiteral("Other event: Summer Gala 2026"));
        QCOMPARE(core::toString(tickets(test::sampleOrderId(1)).first().status), core::toString(core::TicketStatus::Live));
        // An order whose tickets are all of other events: the same verdict, nothing admitted.
        save({ test::sampleOrders(1, 2).first() }); // Summer Gala only
        const door::Verdict order = station({ jazz() }).scan(test::sampleOrderId(2));
        QVERIFY2(order.kind == Kind::OtherEvent, qPrintable(describe(order)));
        for (const core::Ticket &t : tickets(test::sampleOrderId(2)))
            QCOMPARE(core::toString(t.status), core::toString(core::TicketStatus::Live));
    }

    void admitNextStaysWithinTheList()
    {
        save({ test::sampleMultiEventOrder(1) });
        const QString id = test::sampleOrderId(1);
        // At the Jazz door the order's lowest live ticket is a Gala VIP one: not that one.
        const door::Verdict first = station({ jazz() }).scan(QStringLiteral("https://qr.example.com/orders/") + id);
        QVERIFY2(first.kind == Kind::Admitted, qPrintable(describe(first)));
        QCOMPARE(first.ticket.productId, jazz());
        QCOMPARE(first.title, QStringLiteral("Admitted 1 of 2"));
        QVERIFY2(first.line().startsWith(QStringLiteral("Admitted 1 of 2 — ")), qPrintable(first.line()));
        QCOMPARE(first.eventName, QStringLiteral("Jazz Night at the Harbour"));
        // Admit all: the other Jazz ticket, never the Gala ones.
        const door::Verdict all = station({ jazz() }).check({ door::ScanInput::Kind::OrderId, id }, door::DoorCheck::Mode::All);
        QVERIFY2(all.kind == Kind::Admitted, qPrintable(describe(all)));
        QCOMPARE(all.title, QStringLiteral("Admitted 2 of 2"));
        QCOMPARE(all.admittedTickets.size(), 1);
        const door::Verdict again = station({ jazz() }).scan(id);
        QVERIFY2(again.kind == Kind::AlreadyUsed, qPrintable(describe(again)));
        QVERIFY2(again.line().startsWith(QStringLiteral("Already used by Door 1 on ")), qPrintable(again.line()));
        int galaLive = 0;
        for (const core::Ticket &t : tickets(id))
            galaLive += t.productId == gala() && t.status == core::TicketStatus::Live ? 1 : 0;
        QCOMPARE(galaLive, 2);
        // A station for every event admits the Gala tickets next.
        const door::Verdict any = station().scan(id);
        QVERIFY2(any.kind == Kind::Admitted, qPrintable(describe(any)));
        QCOMPARE(any.ticket.productId, gala());
        QCOMPARE(any.title, QStringLiteral("Admitted 3 of 4"));
    }

    void countsFollowEachTicketsProduct()
    {
        // Orders 0..6 are Gala orders, 7..13 Jazz; 0 and 1 also hold Jazz tickets.
        QList<core::Order> orders = test::sampleOrders(14);
        orders[0] = test::sampleMultiEventOrder(0);
        orders[1] = test::sampleMultiEventOrder(1);
        save(orders);
        db::TicketRepository repo(database());
        int overviewJazz = 0;
        for (const db::OverviewRow &r : repo.overview().value())
            overviewJazz += r.eventId == jazz() ? r.sold : 0;
        const auto list = repo.doorList(jazz());
        QVERIFY_OK(list);
        int listed = 0;
        bool galaFirstOrderListed = false;
        for (const db::DoorListRow &row : list.value()) {
            listed += row.live + row.used;
            if (row.orderId == test::sampleOrderId(1)) {
                galaFirstOrderListed = true;
                QCOMPARE(row.live, 2); // its two Jazz tickets, not its two Gala VIP ones
                QCOMPARE(row.ticketTypes.value(QStringLiteral("VIP")), 0);
                QCOMPARE(row.ticketTypes.value(QStringLiteral("General Admission")), 2);
            }
        }
        QVERIFY(galaFirstOrderListed);
        QCOMPARE(listed, overviewJazz);
        // The order list's event filter finds the order by its Jazz tickets too.
        db::OrderQuery query;
        query.eventId = jazz();
        query.limit = 100;
        QStringList ids;
        for (const db::OrderRow &r : db::OrderRepository(database()).list(query).value()) {
            ids << r.order.orderId;
            if (r.order.orderId == test::sampleOrderId(1)) // the Event column names both events
                QCOMPARE(r.eventNames(), QStringLiteral("Summer Gala 2026 + Jazz Night at the Harbour"));
        }
        QVERIFY2(ids.contains(test::sampleOrderId(1)), qPrintable(ids.join(u' ')));
        QVERIFY(ids.contains(test::sampleOrderId(7)));
        QVERIFY(!ids.contains(test::sampleOrderId(2)));
        QCOMPARE(db::OrderRepository(database()).count(query).value(), int(ids.size()));
        // The event list offers Jazz with the orders holding its tickets.
        int jazzOrders = -1;
        for (const db::EventInfo &e : db::OrderRepository(database()).events().value()) {
            if (e.eventId == jazz())
                jazzOrders = e.orders;
        }
        QCOMPARE(jazzOrders, int(ids.size()));
    }

    void refundedAndCancelledOrdersSayWhy()
    {
        core::Order refunded = test::sampleOrders(1, 5).first(); // paymentStatus refunded
        core::Order cancelled = test::sampleOrders(1, 3).first();
        cancelled.orderStatus = QStringLiteral("cancelled");
        save({ refunded, cancelled });
        const door::Verdict r = station().scan(refunded.orderId);
        QVERIFY2(r.kind == Kind::Refunded, qPrintable(describe(r)));
        QCOMPARE(r.title, QStringLiteral("Refunded"));
        QCOMPARE(int(r.tone()), int(door::Verdict::Tone::Red));
        QVERIFY2(r.detail.contains(QStringLiteral("Payment: refunded")), qPrintable(r.detail));
        const door::Verdict c = station().scan(cancelled.orderId);
        QVERIFY2(c.kind == Kind::OrderCancelled, qPrintable(describe(c)));
        QCOMPARE(c.title, QStringLiteral("Cancelled"));
        // A ticket code of an order refunded after the sync made its tickets: still "Refunded".
        save({ test::sampleOrders(1, 0).first() });
        const core::Ticket t = tickets(test::sampleOrderId(0)).first();
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET payment_status = 'refunded' WHERE order_id = '%1'")
                                 .arg(test::sampleOrderId(0))));
        const door::Verdict byCode = station().scan(t.code);
        QVERIFY2(byCode.kind == Kind::Refunded, qPrintable(describe(byCode)));
        QCOMPARE(core::toString(tickets(test::sampleOrderId(0)).first().status), core::toString(core::TicketStatus::Live));
    }

    void unpaidFollowsAdmitUnpaid_data()
    {
        QTest::addColumn<QString>("paymentStatus");
        QTest::newRow("unpaid") << QStringLiteral("unpaid");
        QTest::newRow("partially paid") << QStringLiteral("partially_paid");
    }

    void unpaidFollowsAdmitUnpaid()
    {
        QFETCH(QString, paymentStatus);
        core::Order o = test::sampleOrders(1, 1).first(); // 2 VIP tickets
        o.paymentStatus = paymentStatus;
        save({ o });
        // never: red, nothing admitted.
        const door::Verdict never = station({}, core::AdmitUnpaid::Never).scan(o.orderId);
        QVERIFY2(never.kind == Kind::UnpaidRefused, qPrintable(describe(never)));
        QCOMPARE(int(never.tone()), int(door::Verdict::Tone::Red));
        // ask: amber, nothing admitted until "Admit anyway".
        const door::Verdict ask = station({}, core::AdmitUnpaid::Ask).scan(o.orderId);
        QVERIFY2(ask.kind == Kind::UnpaidAsk, qPrintable(describe(ask)));
        QCOMPARE(int(ask.tone()), int(door::Verdict::Tone::Amber));
        QVERIFY2(ask.detail.contains(core::paymentStatusDisplayName(paymentStatus)), qPrintable(ask.detail));
        for (const core::Ticket &t : tickets(o.orderId))
            QCOMPARE(core::toString(t.status), core::toString(core::TicketStatus::Live));
        const door::Verdict anyway =
            station({}, core::AdmitUnpaid::Ask).check({ door::ScanInput::Kind::OrderId, o.orderId }, door::DoorCheck::Mode::One, true);
        QVERIFY2(anyway.kind == Kind::Admitted, qPrintable(describe(anyway)));
        // always: admitted at once; both admissions are recorded with the reason "unpaid".
        const door::Verdict always = station({}, core::AdmitUnpaid::Always).scan(o.orderId);
        QVERIFY2(always.kind == Kind::Admitted, qPrintable(describe(always)));
        QCOMPARE(always.title, QStringLiteral("Admitted 2 of 2"));
        int unpaidAdmissions = 0;
        for (const core::TicketEvent &e : db::TicketRepository(database()).history(o.orderId).value())
            unpaidAdmissions += e.to == core::TicketStatus::Used && e.reason == door::kUnpaidReason ? 1 : 0;
        QCOMPARE(unpaidAdmissions, 2);
    }

    void orderIdsInAnyLetterCase_data()
    {
        QTest::addColumn<bool>("upper");
        QTest::newRow("lower") << false;
        QTest::newRow("upper (Caps Lock)") << true;
    }

    void orderIdsInAnyLetterCase()
    {
        QFETCH(bool, upper);
        save({ test::sampleOrders(1, 0).first() });
        const QString id = test::sampleOrderId(0);
        const QString scanned = QStringLiteral("HTTPS://QR.EXAMPLE.COM/ORDERS/") + (upper ? id.toUpper() : id.toLower());
        const door::Verdict v = station({}, core::AdmitUnpaid::Ask, QStringLiteral("North")).scan(scanned);
        QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
        QCOMPARE(v.orderId, id);
        QVERIFY2(v.detail.contains(QStringLiteral("Payment: paid")), qPrintable(v.detail));
        // The gate is in the history with the station.
        const auto history = db::TicketRepository(database()).history(id).value();
        QCOMPARE(history.last().actor, QStringLiteral("Door 1 · North"));
    }

    void admitAllFailingPartWayKeepsWhatItAdmitted()
    {
        save({ test::sampleOrders(4).at(3) }); // 4 tickets, paid
        const QString id = test::sampleOrderId(3);
        const qint64 third = tickets(id).at(2).ticketId;
        // The database refuses the third ticket's UPDATE (as a full disk or a dropped connection would).
        const QStringList sql = m_dialect == db::Dialect::SQLite
            ? QStringList { QStringLiteral("CREATE TRIGGER refuse_third BEFORE UPDATE ON ghl_qr_tickets WHEN NEW.ticket_id = %1 "
                                           "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
                                .arg(third) }
            : QStringList { QStringLiteral("CREATE FUNCTION refuse_third() RETURNS trigger LANGUAGE plpgsql AS "
                                           "'BEGIN RAISE EXCEPTION ''disk full''; END'"),
                            QStringLiteral("CREATE TRIGGER refuse_third BEFORE UPDATE ON ghl_qr_tickets FOR EACH ROW "
                                           "WHEN (NEW.ticket_id = %1) EXECUTE FUNCTION refuse_third()")
                                .arg(third) };
        for (const QString &statement : sql)
            QVERIFY_OK(m_t->exec(statement));
        const door::Verdict all = station().check({ door::ScanInput::Kind::OrderId, id }, door::DoorCheck::Mode::All);
        QVERIFY2(all.kind == Kind::Admitted, qPrintable(QStringLiteral("two tickets were admitted, yet the verdict is ") + describe(all)));
        QCOMPARE(all.admittedTickets.size(), 2); // what Undo reverts
        QCOMPARE(all.title, QStringLiteral("Admitted 2 of 4"));
        QVERIFY2(all.detail.contains(QStringLiteral("Stopped before the rest: ")), qPrintable(all.detail));
    }

    void emptyProductIdAndEventIdsInAnyCase()
    {
        save({ test::sampleOrders(4).at(3) }); // 4 tickets of the Summer Gala
        const QString id = test::sampleOrderId(3);
        // A ticket whose product_id is '' (not NULL) belongs to its order's event, in Qt and in SQL alike.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_tickets SET product_id = '' WHERE order_id = '%1'").arg(id)));
        const door::Verdict v = station({ gala() }).scan(id);
        QVERIFY2(v.kind == Kind::Admitted, qPrintable(describe(v)));
        QCOMPARE(v.title, QStringLiteral("Admitted 1 of 4"));
        // [door] event typed in another letter case is the same event.
        const QString otherCase = gala().toUpper() == gala() ? gala().toLower() : gala().toUpper();
        QVERIFY(otherCase != gala());
        const door::Verdict again = station({ otherCase }).check({ door::ScanInput::Kind::OrderId, id }, door::DoorCheck::Mode::All);
        QVERIFY2(again.kind == Kind::Admitted, qPrintable(describe(again)));
        QCOMPARE(again.title, QStringLiteral("Admitted 4 of 4"));
    }

    void unknownCodesAndOrders()
    {
        const door::Verdict code = station().scan(QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY2(code.kind == Kind::UnknownTicket, qPrintable(describe(code)));
        QVERIFY(code.line().startsWith(QStringLiteral("Unknown ticket")));
        const door::Verdict order = station().scan(QStringLiteral("66f0000000000000000000ff"));
        QVERIFY2(order.kind == Kind::UnknownOrder, qPrintable(describe(order)));
        const door::Verdict junk = station().scan(QString(500, u'!'));
        QVERIFY2(junk.kind == Kind::NotATicket, qPrintable(describe(junk)));
        QVERIFY2(junk.detail.size() < 200, qPrintable(junk.detail));
    }
};

QTEST_GUILESS_MAIN(TestDoor)
#include "tst_door.moc"
