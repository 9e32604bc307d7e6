// The ticket rules of PRODUCT.md section 2 as planReconcile applies them, without a database:
// each row is an order as GHL reports it, the tickets we hold, and the changes the rules demand.
#include "core/ticketreconcile.h"

#include <QTest>

using namespace qrt::core;
using Kind = TicketChange::Kind;

namespace {

// "p1/Adult=2": product p1, ticket type Adult, quantity 2. Legacy orders (no line items) list
// "Adult=2" and keep them in ticketQuantities under the order's event.
Order makeOrder(const QString &eventId, const QStringList &demand, bool legacy, const QString &orderStatus,
                const QString &paymentStatus)
{
    Order o;
    o.orderId = QStringLiteral("0123456789abcdef01234567");
    o.eventId = eventId;
    o.orderStatus = orderStatus;
    o.paymentStatus = paymentStatus;
    for (const QString &d : demand) {
        const QString left = d.section(u'=', 0, 0);
        const int qty = d.section(u'=', 1).toInt();
        if (legacy) {
            o.ticketQuantities[left] += qty;
            continue;
        }
        OrderItem item;
        item.productId = left.section(u'/', 0, 0);
        item.priceName = left.section(u'/', 1);
        item.qty = qty;
        o.items.append(item);
    }
    return o;
}

// "3:p1/Adult:cancelled:sync": id 3, product p1 (empty before the slash: none yet), type Adult,
// status as stored, last changed by "sync".
QList<ReconcileTicket> makeTickets(const QStringList &specs)
{
    QList<ReconcileTicket> tickets;
    for (const QString &s : specs) {
        const QStringList f = s.split(u':');
        ReconcileTicket t;
        t.id = f.value(0).toLongLong();
        t.productId = f.value(1).section(u'/', 0, 0);
        t.ticketType = f.value(1).section(u'/', 1);
        t.status = f.value(2);
        t.updatedBy = f.value(3, QStringLiteral("door-1"));
        tickets.append(t);
    }
    return tickets;
}

// The same shorthand the table uses for expected changes.
QStringList describe(const ReconcilePlan &plan)
{
    QStringList out;
    for (const TicketChange &c : plan.changes) {
        switch (c.kind) {
        case Kind::AssignProduct: out << QStringLiteral("assign %1 %2").arg(c.ticketId).arg(c.productId); break;
        case Kind::Restore: out << QStringLiteral("restore %1").arg(c.ticketId); break;
        case Kind::Add: out << QStringLiteral("add %1/%2").arg(c.productId, c.ticketType); break;
        case Kind::Cancel: out << QStringLiteral("cancel %1").arg(c.ticketId); break;
        }
    }
    return out;
}

// What the database holds after the plan is applied (ids of added tickets follow the largest).
QList<ReconcileTicket> applied(QList<ReconcileTicket> tickets, const ReconcilePlan &plan)
{
    qint64 next = 1000;
    for (const TicketChange &c : plan.changes) {
        auto it = std::find_if(tickets.begin(), tickets.end(), [&c](const ReconcileTicket &t) { return t.id == c.ticketId; });
        switch (c.kind) {
        case Kind::AssignProduct: it->productId = c.productId; break;
        case Kind::Restore: it->status = QStringLiteral("live"); it->updatedBy = kSyncActor; break;
        case Kind::Cancel: it->status = QStringLiteral("cancelled"); it->updatedBy = kSyncActor; break;
        case Kind::Add: tickets.append({ ++next, c.ticketType, c.productId, QStringLiteral("live"), kSyncActor }); break;
        }
    }
    return tickets;
}

QString S(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList L(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << QString::fromUtf8(item);
    return out;
}

} // namespace

class TestReconcile : public QObject
{
    Q_OBJECT

private slots:
    void rules_data()
    {
        QTest::addColumn<QString>("eventId");
        QTest::addColumn<QStringList>("demand");
        QTest::addColumn<bool>("legacy");
        QTest::addColumn<QString>("orderStatus");
        QTest::addColumn<QString>("paymentStatus");
        QTest::addColumn<QStringList>("tickets");
        QTest::addColumn<QStringList>("expected");
        QTest::addColumn<int>("conflicts");
        const QString p1 = QStringLiteral("p1");

        QTest::addRow("new order gets its tickets")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid") << L({}) << L({ "add p1/Adult", "add p1/Adult" }) << 0;
        QTest::addRow("nothing changed, nothing to do")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:used" }) << L({}) << 0;
        QTest::addRow("quantity grows: one more")
            << p1 << L({ "p1/Adult=3" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:live" })
            << L({ "add p1/Adult" }) << 0;
        QTest::addRow("quantity shrinks: newest live first")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:live", "3:p1/Adult:live" }) << L({ "cancel 3", "cancel 2" }) << 0;
        QTest::addRow("shrinks past a used ticket, which stays")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:used", "3:p1/Adult:live" }) << L({ "cancel 3" }) << 0;
        QTest::addRow("shrinks with only used tickets: conflict")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:used", "2:p1/Adult:used" }) << L({})
            << 1;
        QTest::addRow("shrinks to zero with one used: cancel live, conflict for used")
            << p1 << L({ "p1/Adult=0" }) << false << S("") << S("paid") << L({ "1:p1/Adult:used", "2:p1/Adult:live" })
            << L({ "cancel 2" }) << 1;
        QTest::addRow("refunded order cancels every live ticket")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("refunded")
            << L({ "1:p1/Adult:used", "2:p1/Adult:live", "3:p1/Adult:live" }) << L({ "cancel 3", "cancel 2" }) << 1;
        QTest::addRow("cancelled order, all live")
            << p1 << L({ "p1/Adult=2" }) << false << S("cancelled") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:live" })
            << L({ "cancel 2", "cancel 1" }) << 0;
        QTest::addRow("voided payment, upper case")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("VOIDED") << L({ "1:p1/Adult:live" }) << L({ "cancel 1" }) << 0;
        QTest::addRow("US spelling canceled voids too")
            << p1 << L({ "p1/Adult=1" }) << false << S("Canceled") << S("paid") << L({ "1:p1/Adult:live" }) << L({ "cancel 1" })
            << 0;
        QTest::addRow("void order with nothing live: nothing to do")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("refunded") << L({ "1:p1/Adult:cancelled:sync" }) << L({}) << 0;
        QTest::addRow("grows again: a sync-cancelled ticket comes back")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:cancelled:sync" }) << L({ "restore 2" }) << 0;
        QTest::addRow("restores oldest sync-cancelled first")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:cancelled:sync", "3:p1/Adult:cancelled:sync" }) << L({ "restore 2" })
            << 0;
        QTest::addRow("restores, then adds the rest")
            << p1 << L({ "p1/Adult=3" }) << false << S("") << S("paid") << L({ "1:p1/Adult:cancelled:sync" })
            << L({ "restore 1", "add p1/Adult", "add p1/Adult" }) << 0;
        QTest::addRow("staff-cancelled ticket still counts as sold")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:cancelled" })
            << L({}) << 0;
        QTest::addRow("staff-cancelled ticket is not restored, growth beyond it adds")
            << p1 << L({ "p1/Adult=3" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:cancelled" })
            << L({ "add p1/Adult" }) << 0;
        QTest::addRow("sync- and staff-cancelled: restore one, add none")
            << p1 << L({ "p1/Adult=2" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:cancelled:sync", "2:p1/Adult:cancelled" }) << L({ "restore 1" }) << 0;
        QTest::addRow("shrink never cancels a cancelled ticket twice")
            << p1 << L({ "p1/Adult=0" }) << false << S("") << S("paid") << L({ "1:p1/Adult:cancelled", "2:p1/Adult:live" })
            << L({ "cancel 2" }) << 0;
        QTest::addRow("multi-product: each product gets its own tickets")
            << p1 << L({ "p1/Adult=2", "p2/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live" })
            << L({ "add p1/Adult", "add p2/Adult" }) << 0;
        QTest::addRow("multi-product: one product shrinks, the other stays")
            << p1 << L({ "p1/Adult=1", "p2/Child=1" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:live", "3:p2/Child:live" }) << L({ "cancel 2" }) << 0;
        QTest::addRow("multi-product: same type under two products is kept apart")
            << p1 << L({ "p1/Adult=1", "p2/Adult=1" }) << false << S("") << S("paid")
            << L({ "1:p1/Adult:live", "2:p1/Adult:live" }) << L({ "cancel 2", "add p2/Adult" }) << 0;
        QTest::addRow("product gone from the order: its tickets are cancelled")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p2/VIP:live" })
            << L({ "cancel 2" }) << 0;
        QTest::addRow("two items of the same product and type add up")
            << p1 << L({ "p1/Adult=1", "p1/Adult=2" }) << false << S("") << S("paid") << L({})
            << L({ "add p1/Adult", "add p1/Adult", "add p1/Adult" }) << 0;
        QTest::addRow("zero quantity and no tickets: nothing")
            << p1 << L({ "p1/Adult=0" }) << false << S("") << S("paid") << L({}) << L({}) << 0;
        QTest::addRow("zero quantity cancels the live ticket")
            << p1 << L({ "p1/Adult=0" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live" }) << L({ "cancel 1" }) << 0;
        QTest::addRow("negative quantity counts as zero")
            << p1 << L({ "p1/Adult=-3" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live" }) << L({ "cancel 1" }) << 0;
        QTest::addRow("no items at all: every live ticket goes")
            << p1 << L({}) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:p1/Adult:used" }) << L({ "cancel 1" }) << 1;
        QTest::addRow("legacy ticket gets the product selling its type")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:/Adult:live" }) << L({ "assign 1 p1" }) << 0;
        QTest::addRow("legacy ticket prefers the order's event")
            << p1 << L({ "p2/Adult=1", "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:/Adult:live" })
            << L({ "assign 1 p1", "add p2/Adult" }) << 0;
        QTest::addRow("legacy ticket takes the last product selling its type otherwise")
            << S("p9") << L({ "p2/Adult=1", "p3/Adult=1" }) << false << S("") << S("paid") << L({ "1:/Adult:live" })
            << L({ "assign 1 p3", "add p2/Adult" }) << 0;
        QTest::addRow("legacy ticket of a type no longer sold goes to the event, then is cancelled")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:live", "2:/Old:live" })
            << L({ "assign 2 p1", "cancel 2" }) << 0;
        QTest::addRow("legacy ticket without any product keeps none")
            << S("") << L({}) << false << S("") << S("paid") << L({ "1:/Old:used" }) << L({}) << 1;
        QTest::addRow("legacy order without items uses its quantities under the event")
            << S("e1") << L({ "Adult=2", "Child=1" }) << true << S("") << S("paid") << L({ "1:e1/Adult:live" })
            << L({ "add e1/Adult", "add e1/Child" }) << 0;
        QTest::addRow("legacy order and legacy tickets")
            << S("e1") << L({ "Adult=1" }) << true << S("") << S("paid") << L({ "1:/Adult:used", "2:/Adult:live" })
            << L({ "assign 1 e1", "assign 2 e1", "cancel 2" }) << 0;
        QTest::addRow("unknown status is left alone and reported")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:lost" }) << L({ "add p1/Adult" }) << 1;
        QTest::addRow("tickets in any order: newest is still cancelled first")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid")
            << L({ "3:p1/Adult:live", "1:p1/Adult:live", "2:p1/Adult:live" }) << L({ "cancel 3", "cancel 2" }) << 0;
        QTest::addRow("status spelled in capitals is understood")
            << p1 << L({ "p1/Adult=1" }) << false << S("") << S("paid") << L({ "1:p1/Adult:USED", "2:p1/Adult:Live" })
            << L({ "cancel 2" }) << 0;
    }

    void rules()
    {
        QFETCH(QString, eventId);
        QFETCH(QStringList, demand);
        QFETCH(bool, legacy);
        QFETCH(QString, orderStatus);
        QFETCH(QString, paymentStatus);
        QFETCH(QStringList, tickets);
        QFETCH(QStringList, expected);
        QFETCH(int, conflicts);
        const ReconcilePlan plan = planReconcile(makeOrder(eventId, demand, legacy, orderStatus, paymentStatus),
                                                 makeTickets(tickets));
        QCOMPARE(describe(plan), expected);
        QCOMPARE(plan.conflicts.size(), conflicts);
    }

    // Applying the plan leaves nothing to do: a second sync of the same order changes nothing
    // (and reports the same conflicts).
    void planIsStable_data() { rules_data(); }
    void planIsStable()
    {
        QFETCH(QString, eventId);
        QFETCH(QStringList, demand);
        QFETCH(bool, legacy);
        QFETCH(QString, orderStatus);
        QFETCH(QString, paymentStatus);
        QFETCH(QStringList, tickets);
        QFETCH(int, conflicts);
        const Order order = makeOrder(eventId, demand, legacy, orderStatus, paymentStatus);
        const ReconcilePlan first = planReconcile(order, makeTickets(tickets));
        const ReconcilePlan second = planReconcile(order, applied(makeTickets(tickets), first));
        QCOMPARE(describe(second), QStringList());
        QCOMPARE(second.conflicts.size(), conflicts);
    }

    // Never a change to a used ticket, never a removal: whatever the case.
    void usedTicketsAreNeverTouched_data() { rules_data(); }
    void usedTicketsAreNeverTouched()
    {
        QFETCH(QString, eventId);
        QFETCH(QStringList, demand);
        QFETCH(bool, legacy);
        QFETCH(QString, orderStatus);
        QFETCH(QString, paymentStatus);
        QFETCH(QStringList, tickets);
        const QList<ReconcileTicket> before = makeTickets(tickets);
        const ReconcilePlan plan = planReconcile(makeOrder(eventId, demand, legacy, orderStatus, paymentStatus), before);
        for (const TicketChange &c : plan.changes) {
            if (c.kind != Kind::Restore && c.kind != Kind::Cancel)
                continue;
            const auto it = std::find_if(before.cbegin(), before.cend(),
                                         [&c](const ReconcileTicket &t) { return t.id == c.ticketId; });
            QVERIFY2(it != before.cend(), qPrintable(QStringLiteral("ticket %1 is not the order's").arg(c.ticketId)));
            QVERIFY2(it->status.compare(u"used", Qt::CaseInsensitive) != 0,
                     qPrintable(QStringLiteral("used ticket %1 would change").arg(c.ticketId)));
        }
    }

    void reasonsNameWhatGhlReports()
    {
        const Order grown = makeOrder(QStringLiteral("p1"), { QStringLiteral("p1/Adult=3") }, false, {}, QStringLiteral("paid"));
        ReconcilePlan plan = planReconcile(grown, makeTickets({ QStringLiteral("1:p1/Adult:cancelled:sync") }));
        QCOMPARE(plan.changes.size(), 3);
        QCOMPARE(plan.changes.at(0).reason, QStringLiteral("quantity of Adult in GHL grew to 3"));
        QCOMPARE(plan.changes.at(1).reason, QStringLiteral("bought in GHL (3 x Adult)"));
        QCOMPARE(plan.count(Kind::Add), 2);
        QCOMPARE(plan.count(Kind::Restore), 1);

        const Order fell = makeOrder(QStringLiteral("p1"), { QStringLiteral("p1/Adult=1") }, false, {}, QStringLiteral("paid"));
        plan = planReconcile(fell, makeTickets({ QStringLiteral("1:p1/Adult:used"), QStringLiteral("2:p1/Adult:live") }));
        QCOMPARE(plan.changes.size(), 1);
        QCOMPARE(plan.changes.at(0).reason, QStringLiteral("quantity of Adult in GHL fell to 1"));

        // The order's own status names why, else its payment status.
        Order refunded = fell;
        refunded.paymentStatus = QStringLiteral("refunded");
        plan = planReconcile(refunded, makeTickets({ QStringLiteral("1:p1/Adult:live") }));
        QCOMPARE(plan.changes.at(0).reason, QStringLiteral("order refunded in GHL"));
        refunded.orderStatus = QStringLiteral("cancelled");
        plan = planReconcile(refunded, makeTickets({ QStringLiteral("1:p1/Adult:live") }));
        QCOMPARE(plan.changes.at(0).reason, QStringLiteral("order cancelled in GHL"));
    }

    void conflictsSayWhatWasLeft()
    {
        const Order o = makeOrder(QStringLiteral("p1"), { QStringLiteral("p1/VIP=0") }, false, {}, QStringLiteral("paid"));
        const ReconcilePlan plan = planReconcile(
            o, makeTickets({ QStringLiteral("1:p1/VIP:used"), QStringLiteral("2:p1/VIP:used"), QStringLiteral("3:p1/VIP:odd") }));
        QCOMPARE(plan.conflicts,
                 QStringList({ QStringLiteral("Ticket 3 has the unknown status 'odd' and was left as it is."),
                               QStringLiteral("Order 0123456789abcdef01234567: GHL reports 0 x VIP but 2 more are "
                                              "already used or were admitted meanwhile; they were left as they are.") }));
    }
};

QTEST_GUILESS_MAIN(TestReconcile)
#include "tst_reconcile.moc"
