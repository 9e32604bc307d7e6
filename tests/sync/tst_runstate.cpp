// The sync run's transition function and counters, without threads, GHL or a database.
#include "sync/runstate.h"

#include <QTest>

using namespace qrt::sync;

Q_DECLARE_METATYPE(qrt::sync::RunState)
Q_DECLARE_METATYPE(qrt::sync::RunEvent)
Q_DECLARE_METATYPE(qrt::sync::RunWork)
Q_DECLARE_METATYPE(qrt::sync::SyncPhase)

namespace {

// What a run waits for, spelled in the rows below.
RunWork idle()
{
    return RunWork {};
}
RunWork idList()
{
    RunWork w;
    w.lists = false;
    return w;
}
RunWork pages(int n)
{
    RunWork w;
    w.pages = n;
    return w;
}
RunWork orders(int inFlight, int unrequested = 0)
{
    RunWork w;
    w.orders = inFlight;
    w.unrequested = unrequested;
    return w;
}
RunWork writing(int pending = 0)
{
    RunWork w;
    w.writerBusy = true;
    w.pending = pending;
    return w;
}
RunWork pendingOnly(int pending)
{
    RunWork w;
    w.pending = pending;
    return w;
}

} // namespace

class TestRunState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void transition_data()
    {
        QTest::addColumn<RunState>("state");
        QTest::addColumn<RunEvent>("event");
        QTest::addColumn<RunWork>("work");
        QTest::addColumn<RunState>("expected");
        using S = RunState;
        using E = RunEvent;

        // Starting: nothing moves until the writer has recorded the run.
        QTest::addRow("starting, begun, mode lists") << S::Starting << E::Begun << idle() << S::Listing;
        QTest::addRow("starting, begun, id list") << S::Starting << E::Begun << idList() << S::Fetching;
        QTest::addRow("starting, entered") << S::Starting << E::Entered << writing() << S::Starting;
        QTest::addRow("starting, cancelled") << S::Starting << E::Cancelled << writing() << S::Cancelling;
        QTest::addRow("starting, failed") << S::Starting << E::Failed << idle() << S::Failing;

        // Listing: done when no page is in flight.
        QTest::addRow("listing, entered, first page asked") << S::Listing << E::Entered << pages(1) << S::Listing;
        QTest::addRow("listing, page listed, pages left") << S::Listing << E::PageListed << pages(3) << S::Listing;
        QTest::addRow("listing, last page listed") << S::Listing << E::PageListed << idle() << S::Fetching;
        QTest::addRow("listing, cancelled") << S::Listing << E::Cancelled << pages(2) << S::Cancelling;
        QTest::addRow("listing, failed") << S::Listing << E::Failed << pages(2) << S::Failing;

        // Fetching: done when every order was asked for and answered.
        QTest::addRow("fetching, order fetched, more to ask") << S::Fetching << E::OrderFetched << orders(0, 5) << S::Fetching;
        QTest::addRow("fetching, order fetched, more in flight") << S::Fetching << E::OrderFetched << orders(3) << S::Fetching;
        QTest::addRow("fetching, batch written meanwhile") << S::Fetching << E::BatchWritten << orders(2, 7) << S::Fetching;
        QTest::addRow("fetching, last order, writer busy") << S::Fetching << E::OrderFetched << writing() << S::Draining;
        QTest::addRow("fetching, last order, batch pending") << S::Fetching << E::OrderFetched << pendingOnly(4) << S::Draining;
        QTest::addRow("fetching, last order, all saved") << S::Fetching << E::OrderFetched << idle() << S::Finishing;
        QTest::addRow("fetching, entered, nothing to fetch") << S::Fetching << E::Entered << idle() << S::Finishing;
        QTest::addRow("fetching, cancelled") << S::Fetching << E::Cancelled << orders(6, 20) << S::Cancelling;
        QTest::addRow("fetching, failed") << S::Fetching << E::Failed << orders(6, 20) << S::Failing;

        // Draining: done when the writer is idle and nothing waits for it.
        QTest::addRow("draining, entered, batch handed over") << S::Draining << E::Entered << writing() << S::Draining;
        QTest::addRow("draining, batch written, more pending") << S::Draining << E::BatchWritten << pendingOnly(60) << S::Draining;
        QTest::addRow("draining, batch written, next handed over") << S::Draining << E::BatchWritten << writing(10) << S::Draining;
        QTest::addRow("draining, last batch written") << S::Draining << E::BatchWritten << idle() << S::Finishing;
        QTest::addRow("draining, cancelled") << S::Draining << E::Cancelled << writing() << S::Cancelling;
        QTest::addRow("draining, failed") << S::Draining << E::Failed << idle() << S::Failing;

        // Cancelling: waits for requests in flight and the batch being written, not for pending orders.
        QTest::addRow("cancelling, entered, requests in flight") << S::Cancelling << E::Entered << orders(4, 9) << S::Cancelling;
        QTest::addRow("cancelling, last request back") << S::Cancelling << E::OrderFetched << orders(0, 9) << S::Finishing;
        QTest::addRow("cancelling, last page back") << S::Cancelling << E::PageListed << idle() << S::Finishing;
        QTest::addRow("cancelling, batch being written") << S::Cancelling << E::Entered << writing(12) << S::Cancelling;
        QTest::addRow("cancelling, batch written") << S::Cancelling << E::BatchWritten << pendingOnly(12) << S::Finishing;
        QTest::addRow("cancelling, before the run was recorded") << S::Cancelling << E::Entered << writing() << S::Cancelling;
        QTest::addRow("cancelling, run recorded") << S::Cancelling << E::Begun << idle() << S::Finishing;
        QTest::addRow("cancelling, cancelled again") << S::Cancelling << E::Cancelled << orders(2) << S::Cancelling;
        QTest::addRow("cancelling, batch failed") << S::Cancelling << E::Failed << idle() << S::Failing;

        // Failing: the same wait; the first failure stands.
        QTest::addRow("failing, entered, requests in flight") << S::Failing << E::Entered << pages(5) << S::Failing;
        QTest::addRow("failing, last page back") << S::Failing << E::PageListed << idle() << S::Finishing;
        QTest::addRow("failing, entered, pending orders are dropped") << S::Failing << E::Entered << pendingOnly(30) << S::Finishing;
        QTest::addRow("failing, failed again") << S::Failing << E::Failed << orders(1) << S::Failing;
        QTest::addRow("failing, cancelled") << S::Failing << E::Cancelled << orders(1) << S::Failing;

        // Finishing: only the writer's answer moves it.
        QTest::addRow("finishing, ended") << S::Finishing << E::Ended << idle() << S::Finished;
        QTest::addRow("finishing, cancelled") << S::Finishing << E::Cancelled << idle() << S::Finishing;
        QTest::addRow("finishing, failed") << S::Finishing << E::Failed << idle() << S::Finishing;
        QTest::addRow("finishing, late order") << S::Finishing << E::OrderFetched << idle() << S::Finishing;

        QTest::addRow("finished, cancelled") << S::Finished << E::Cancelled << idle() << S::Finished;
        QTest::addRow("finished, ended") << S::Finished << E::Ended << idle() << S::Finished;
    }

    void transition()
    {
        QFETCH(RunState, state);
        QFETCH(RunEvent, event);
        QFETCH(RunWork, work);
        QFETCH(RunState, expected);
        const RunState next = nextState(state, event, work);
        QVERIFY2(next == expected, qPrintable(QStringLiteral("a %1 run went to %2 on '%3', expected %4")
                                                  .arg(toString(state), toString(next), toString(event),
                                                       toString(expected))));
    }

    void phase_data()
    {
        QTest::addColumn<RunState>("state");
        QTest::addColumn<SyncPhase>("current");
        QTest::addColumn<SyncPhase>("expected");
        QTest::addRow("starting") << RunState::Starting << SyncPhase::Idle << SyncPhase::Idle;
        QTest::addRow("listing") << RunState::Listing << SyncPhase::Idle << SyncPhase::Listing;
        QTest::addRow("fetching") << RunState::Fetching << SyncPhase::Listing << SyncPhase::Orders;
        QTest::addRow("draining") << RunState::Draining << SyncPhase::Orders << SyncPhase::Writing;
        QTest::addRow("cancelling keeps the phase") << RunState::Cancelling << SyncPhase::Orders << SyncPhase::Orders;
        QTest::addRow("failing keeps the phase") << RunState::Failing << SyncPhase::Listing << SyncPhase::Listing;
        QTest::addRow("finishing keeps the phase") << RunState::Finishing << SyncPhase::Writing << SyncPhase::Writing;
        QTest::addRow("finished") << RunState::Finished << SyncPhase::Writing << SyncPhase::Done;
    }

    void phase()
    {
        QFETCH(RunState, state);
        QFETCH(SyncPhase, current);
        QFETCH(SyncPhase, expected);
        QCOMPARE(toString(phaseFor(state, current)), toString(expected));
    }

    // Progress and summary are two views of one set of counters: they cannot disagree.
    void countersFeedProgressAndSummary()
    {
        RunCounters c;
        c.listed = 250;
        c.listTotal = 250;
        c.total = 40;
        c.fetched = 38;
        c.written = 35;
        c.unchanged = 210;
        c.requests = 47;
        c.http429 = 2;
        c.ticketsAdded = 70;
        c.ticketsCancelled = 3;
        c.ticketsRestored = 1;
        c.failures = { { QStringLiteral("o-1"), QStringLiteral("not found") }, { {}, QStringLiteral("page 3") } };
        c.conflicts = { QStringLiteral("order o-9: seat taken") };
        c.noteUpdated(QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC));
        c.noteUpdated(QDateTime(QDate(2024, 4, 1), QTime(10, 0), Qt::UTC)); // older: the watermark stays
        c.noteUpdated(QDateTime());

        SyncProgress p;
        c.fill(p);
        SyncSummary s;
        c.fill(s);
        QCOMPARE(p.listed, 250);
        QCOMPARE(s.listed, p.listed);
        QCOMPARE(p.listTotal, 250);
        QCOMPARE(s.total, p.total);
        QCOMPARE(p.total, 40);
        QCOMPARE(p.fetched, 38);
        QCOMPARE(s.synced, p.written);
        QCOMPARE(p.written, 35);
        QCOMPARE(s.unchanged, p.unchanged);
        QCOMPARE(p.unchanged, 210);
        QCOMPARE(s.requests, p.requests);
        QCOMPARE(p.requests, 47);
        QCOMPARE(p.failed, 2);
        QCOMPARE(s.failed, p.failed);
        QCOMPARE(s.failures.size(), 2);
        QCOMPARE(s.http429, 2);
        QCOMPARE(s.ticketsAdded, 70);
        QCOMPARE(s.ticketsCancelled, 3);
        QCOMPARE(s.ticketsRestored, 1);
        QCOMPARE(s.conflicts, c.conflicts);
        QCOMPARE(s.watermark, QDateTime(QDate(2024, 5, 1), QTime(10, 0), Qt::UTC));
    }
};

QTEST_GUILESS_MAIN(TestRunState)
#include "tst_runstate.moc"
