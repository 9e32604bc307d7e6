// The check-in panel's event choice and the new verdicts (issue 15 points 1 and 2): a ticket of
// another event is red "Other event: NAME", an unpaid order amber with an explicit "Admit anyway"
// that admits it (recorded as unpaid). Saves what it shows as PNGs in $QRT_SCREENSHOT_OUT (ctest:
// <build>/screenshots): checkin-other-event.png, checkin-unpaid.png, checkin-unpaid-admitted.png.
#include "core/config.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "gui/checkinpanel.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "../gui/windowservices.h"

#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QPushButton>
#include <QTest>

using namespace qrt;

class TestCheckInGui : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    core::Config m_config = core::Config::defaults();

    void save(QWidget *widget, const QString &name)
    {
        QString dir = qEnvironmentVariable("QRT_SCREENSHOT_OUT");
        if (dir.isEmpty())
            dir = QDir::current().filePath(QStringLiteral("screenshots"));
        QVERIFY(QDir().mkpath(dir));
        QCoreApplication::processEvents();
        QVERIFY2(widget->grab().save(QDir(dir).filePath(name + QStringLiteral(".png"))), qPrintable(name));
    }

private slots:
    void init()
    {
        QRT_FRESH_DATABASE(m_t, db::Dialect::SQLite);
        QVERIFY_OK(m_t->migrate());
        // Verdicts stay until the next scan: a stalled machine must not clear one before it is read.
        QVERIFY_OK(m_config.set(core::ConfigKey::DoorClearAfterMs, QStringLiteral("0")));
        QList<core::Order> orders = test::sampleOrders(14);
        orders[1] = test::sampleMultiEventOrder(1); // 2 Gala VIP + 2 Jazz tickets
        orders[8].paymentStatus = QStringLiteral("unpaid"); // a Jazz order of 1 ticket
        auto saved = db::OrderWriter(m_t->db()).save(orders, QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }

    void cleanup() { m_t.reset(); }

    void eventChoiceOtherEventAndAdmitAnyway()
    {
        test::WindowServices services { m_config, m_t->shared(), QStringLiteral("Door 1") };
        gui::CheckInPanel panel(services, services.worker);
        panel.resize(900, 560);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *choice = panel.findChild<QComboBox *>(QStringLiteral("eventChoice"));
        auto *banner = panel.findChild<QLabel *>(QStringLiteral("resultBanner"));
        auto *detail = panel.findChild<QLabel *>(QStringLiteral("resultDetail"));
        auto *anyway = panel.findChild<QPushButton *>(QStringLiteral("admitAnywayButton"));
        QVERIFY(choice && banner && detail && anyway);
        QTRY_COMPARE_WITH_TIMEOUT(choice->count(), 3, test::kWaitMs); // every event, the Gala, the Jazz Night
        QCOMPARE(choice->currentText(), QStringLiteral("Every event"));
        const int jazz = choice->findData(test::sampleEventId(1));
        QVERIFY(jazz > 0);
        QCOMPARE(choice->itemText(jazz), test::sampleEventName(1));
        choice->setCurrentIndex(jazz);
        Q_EMIT choice->activated(jazz);
        QCOMPARE(panel.events(), QStringList { test::sampleEventId(1) });

        auto scan = [&](const QString &text) {
            banner->setProperty("result", QString());
            panel.scan(text);
            QTRY_VERIFY_WITH_TIMEOUT(!banner->property("result").toString().isEmpty()
                                         && banner->property("result").toString() != u"neutral",
                                     test::kWaitMs);
        };
        db::TicketRepository tickets(m_t->db());
        // A Gala ticket at the Jazz door: red, not admitted.
        const core::Ticket gala = tickets.forOrder(test::sampleOrderId(1)).value().first();
        scan(gala.code);
        QCOMPARE(banner->property("result").toString(), QStringLiteral("red"));
        QCOMPARE(banner->text(), QStringLiteral("Other event: Summer Gala 2026"));
        QVERIFY(!anyway->isVisible());
        save(&panel, QStringLiteral("checkin-other-event"));
        QCOMPARE(core::toString(tickets.forOrder(test::sampleOrderId(1)).value().first().status), QStringLiteral("live"));

        // The unpaid Jazz order: amber, "Admit anyway" offered; nothing admitted yet.
        scan(test::sampleOrderId(8).toUpper());
        QCOMPARE(banner->property("result").toString(), QStringLiteral("amber"));
        QCOMPARE(banner->text(), QStringLiteral("Not paid"));
        QVERIFY2(detail->text().contains(QStringLiteral("Payment: unpaid")), qPrintable(detail->text()));
        QVERIFY(anyway->isVisible() && anyway->isEnabled());
        save(&panel, QStringLiteral("checkin-unpaid"));
        QCOMPARE(core::toString(tickets.forOrder(test::sampleOrderId(8)).value().first().status), QStringLiteral("live"));
        banner->setProperty("result", QString());
        anyway->click();
        QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("green"), test::kWaitMs);
        QCOMPARE(banner->text(), QStringLiteral("Admitted 1 of 1"));
        QVERIFY(!anyway->isVisible());
        save(&panel, QStringLiteral("checkin-unpaid-admitted"));
        const auto history = tickets.history(test::sampleOrderId(8)).value();
        QCOMPARE(history.last().reason, door::kUnpaidReason);

        // The multi-event order at the Jazz door: its Jazz tickets only (2), never the Gala VIP ones.
        scan(test::sampleOrderId(1));
        QCOMPARE(banner->text(), QStringLiteral("Admitted 1 of 2"));
        auto *admitAll = panel.findChild<QPushButton *>(QStringLiteral("admitAllButton"));
        QTRY_VERIFY(admitAll->isEnabled());
        QCOMPARE(admitAll->text(), QStringLiteral("Admit &all remaining (1)"));
    }
};

QTEST_MAIN(TestCheckInGui)
#include "tst_checkin_gui.moc"
