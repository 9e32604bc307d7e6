// The event overview's arrivals (issue 15 point 6): the chart is there, follows admissions and
// undos as the overview refreshes, and says how many are inside; a screenshot of an evening of
// demo data (arrivals-chart.png in $QRT_SCREENSHOT_OUT).
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "gui/arrivalschart.h"
#include "gui/dbworker.h"
#include "gui/eventoverview.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QDir>
#include <QLabel>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTest>

#include <cmath>

using namespace qrt;

class TestArrivalsChart : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    QList<qint64> liveTickets(int orders)
    {
        QList<qint64> ids;
        for (int i = 0; i < orders; ++i) {
            for (const core::Ticket &t : db::TicketRepository(m_t->db()).forOrder(test::sampleOrderId(i)).value()) {
                if (t.status == core::TicketStatus::Live)
                    ids << t.ticketId;
            }
        }
        return ids;
    }

    static int barTotal(QChart *chart)
    {
        int total = 0;
        for (QAbstractSeries *s : chart->series()) {
            if (auto *bars = qobject_cast<QStackedBarSeries *>(s)) {
                for (QBarSet *set : bars->barSets())
                    total += int(set->sum());
            }
        }
        return total;
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(test::sampleOrders(60), QStringLiteral("sync")));
    }

    void cleanup() { m_t.reset(); }

    void chartFollowsAdmissions()
    {
        gui::DbWorker worker(m_t->shared());
        gui::EventOverview overview(worker);
        overview.resize(1000, 700);
        overview.show();
        auto *view = overview.findChild<QChartView *>(QStringLiteral("arrivalsChart"));
        QVERIFY2(view, "the event overview has no arrivals chart");
        auto *inside = overview.findChild<QLabel *>(QStringLiteral("insideNow"));
        QVERIFY(inside);
        gui::ArrivalsChart *chart = overview.arrivals();
        QSignalSpy refreshed(&overview, &gui::EventOverview::refreshed);

        overview.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), test::kWaitMs);
        QCOMPARE(chart->insideShown(), 0);
        QVERIFY2(view->chart()->title().contains(QStringLiteral("Nobody admitted yet")), qPrintable(view->chart()->title()));

        // Three guests arrive, one is undone: 2 inside, 2 in the bars, in this slot.
        const QList<qint64> tickets = liveTickets(3);
        QVERIFY(tickets.size() >= 3);
        db::TicketRepository repository(m_t->db());
        for (int i = 0; i < 3; ++i)
            QVERIFY_OK(repository.admit(tickets[i], QStringLiteral("door-1")));
        QVERIFY_OK(repository.setStatus(tickets[2], core::TicketStatus::Live, QStringLiteral("undo"), QStringLiteral("door-1")));
        refreshed.clear();
        overview.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), test::kWaitMs);
        QCOMPARE(chart->insideShown(), 2);
        QCOMPARE(chart->admittedShown(), 2);
        QCOMPARE(barTotal(view->chart()), 2);
        QCOMPARE(chart->slotLabels().size(), gui::ArrivalsChart::kMinimumSlots); // two hours up to this slot
        QCOMPARE(inside->text(), QStringLiteral("Inside now: 2"));
        QVERIFY2(view->accessibleDescription().contains(QStringLiteral(": 2")), qPrintable(view->accessibleDescription()));

        // Another guest: the chart follows on the next refresh (the window refreshes on every change).
        QVERIFY_OK(repository.admit(tickets[2], QStringLiteral("door-2")));
        refreshed.clear();
        overview.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(chart->insideShown(), 3, test::kWaitMs);
        QCOMPARE(barTotal(view->chart()), 3);
        QCOMPARE(inside->text(), QStringLiteral("Inside now: 3"));
    }

    void eveningScreenshot()
    {
        // Demo-like: about two thirds of the tickets admitted between 18:30 and 21:45, most around
        // the 19:30 doors-open peak, one undo now and then.
        const QList<qint64> tickets = liveTickets(60);
        QVERIFY(tickets.size() > 60);
        db::TicketRepository repository(m_t->db());
        QRandomGenerator random(15);
        const QDateTime evening(QDate(2026, 11, 28), QTime(18, 30), Qt::LocalTime);
        int admitted = 0;
        QDateTime first, last;
        for (qint64 id : tickets) {
            if (random.bounded(3) == 0)
                continue;
            // Sum of three uniforms: a bell around the middle of 0..195 minutes.
            const int minutes = (random.bounded(100) + random.bounded(100) + random.bounded(100)) * 195 / 300
                - 25 + random.bounded(20);
            const QDateTime when = evening.addSecs(std::clamp(minutes, 0, 194) * 60 + random.bounded(60));
            QVERIFY_OK(repository.admit(id, QStringLiteral("door-1")));
            QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ticket_events SET at = '%1' WHERE id = (SELECT max(id) FROM ticket_events)")
                                     .arg(when.toUTC().toString(Qt::ISODateWithMs))));
            ++admitted;
            first = first.isValid() ? std::min(first, when) : when;
            last = last.isValid() ? std::max(last, when) : when;
        }
        gui::DbWorker worker(m_t->shared());
        gui::EventOverview overview(worker);
        overview.resize(1100, 760);
        overview.show();
        QSignalSpy refreshed(&overview, &gui::EventOverview::refreshed);
        overview.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!refreshed.isEmpty(), test::kWaitMs);
        QCOMPARE(overview.arrivals()->insideShown(), admitted);
        QCOMPARE(overview.arrivals()->admittedShown(), admitted);
        // Every 15-minute slot from the first arrival's to the last's, empty ones too.
        const qint64 slotCount = db::ArrivalsRepository::bucketStart(first).secsTo(db::ArrivalsRepository::bucketStart(last)) / 900 + 1;
        QVERIFY(slotCount >= gui::ArrivalsChart::kMinimumSlots);
        QCOMPARE(overview.arrivals()->slotLabels().size(), slotCount);
        QCOMPARE(overview.arrivals()->chart()->series().size(), 1);
        QCOMPARE(qobject_cast<QStackedBarSeries *>(overview.arrivals()->chart()->series().first())->count(), 3); // events

        const QString dir = qEnvironmentVariable("QRT_SCREENSHOT_OUT");
        if (!dir.isEmpty()) {
            QDir().mkpath(dir);
            const QString file = dir + QStringLiteral("/arrivals-chart.png");
            QVERIFY2(overview.grab().save(file), qPrintable(file));
            qInfo("wrote %s", qPrintable(file));
        }
    }
};

QTEST_MAIN(TestArrivalsChart)
#include "tst_arrivalschart.moc"
