// The QR outbox and the self-healing inbox worker (issue 12 points 3-4, issue 16 "exactly-once"),
// against the GHL simulator over loopback and a real database (QRT_TEST_BACKEND).
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "webhook/fakeclock.h"

#include "core/instanceid.h"

#include "db/fieldmappingrepository.h"
#include "db/inboxrepository.h"
#include "db/orderwriter.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "outbox/outboxrepository.h"
#include "outbox/qroutbox.h"
#include "qr/qrcode.h"
#include "webhook/inboxworker.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTest>
#include <QThread>

using namespace qrt;

namespace {
constexpr int WaitMs = test::kWaitMs;
const QString TextField = QStringLiteral("qrTextField0000000001");
const QString FileField = QStringLiteral("qrFileField0000000001");
const QString UrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    QStringList m_orders;

    core::GhlSettings ghlSettings() const
    {
        core::GhlSettings s;
        s.baseUrl = m_sim->baseUrl();
        s.locationId = m_sim->locationId();
        s.token = m_sim->token();
        s.apiVersion = ghlsim::GhlSimulator::apiVersion();
        s.concurrency = 4;
        s.requestTimeoutMs = 10000;
        return s;
    }
    core::QrSettings qrSettings() const
    {
        core::QrSettings q;
        q.urlTemplate = UrlTemplate;
        return q;
    }
    int puts() const { return m_sim->requestCount(ghlsim::Endpoint::UpdateContact); }
    int contactReads() const { return m_sim->requestCount(ghlsim::Endpoint::GetContact); }
    QString dataUrl(const QString &orderId) const { return qr::QrEncoder::orderDataUrl(qrSettings(), orderId).value(); }

    // Runs one pass of a fresh outbox of `station` in this thread; returns its report.
    outbox::OutboxReport runPass(const QStringList &orders, const QString &station = QStringLiteral("st-a"))
    {
        outbox::QrOutbox box(m_t->shared(), ghlSettings(), qrSettings(), outbox::QrOutboxOptions { station, 4, 60 });
        QSignalSpy done(&box, &outbox::QrOutbox::finished);
        if (orders.isEmpty())
            box.deliverPending();
        else
            box.deliverForOrders(orders);
        if (!done.wait(WaitMs) && done.isEmpty())
            return {};
        return done.first().first().value<outbox::OutboxReport>();
    }

    bool isVoid(const QString &orderId) const { return ghl::orderFromJson(m_sim->orderJson(orderId))->isVoid(); }
    QStringList live() const
    {
        QStringList out;
        for (const QString &id : m_orders) {
            if (!isVoid(id))
                out << id;
        }
        return out;
    }

    QString rowState(const QString &orderId, const QString &field = TextField)
    {
        outbox::OutboxRepository repo(m_t->db());
        auto row = repo.get(orderId, field);
        return row && row->has_value() ? outbox::toString(row->value().state) : QStringLiteral("(none)");
    }

private Q_SLOTS:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        qRegisterMetaType<outbox::OutboxReport>();
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        QVERIFY(m_sim->listen());
        m_sim->generate(6, 42);
        m_sim->setCustomFields({ ghlsim::SimCustomField { TextField, QStringLiteral("QR code"),
                                                          QStringLiteral("contact.qr_code"), QStringLiteral("TEXT") } });
        m_orders = m_sim->orderIds();
        QList<core::Order> orders;
        db::FieldMappingRepository mappings(m_t->db());
        for (const QString &id : std::as_const(m_orders)) {
            auto order = ghl::orderFromJson(m_sim->orderJson(id));
            QVERIFY_OK(order);
            orders << order.value();
            for (const core::OrderItem &item : order->items)
                QVERIFY_OK(mappings.upsert(item.productId, TextField, QStringLiteral("QR code")));
        }
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(orders, QStringLiteral("test")));
    }

    void cleanup()
    {
        m_sim.reset();
        m_t.reset();
    }

    // Every stored order gets its QR once; a second pass writes nothing.
    void deliverPendingOncePerOrderAndField()
    {
        const outbox::OutboxReport first = runPass({});
        QVERIFY2(first.failed == 0, qPrintable(first.failures.isEmpty() ? QString() : first.failures.first().reason));
        QVERIFY(first.delivered > 0);
        const int putsAfterFirst = puts();
        QVERIFY(putsAfterFirst > 0);
        for (const QString &id : std::as_const(m_orders)) // cancelled and refunded orders get none
            QCOMPARE(rowState(id), isVoid(id) ? QStringLiteral("(none)") : QStringLiteral("delivered"));
        QCOMPARE(first.delivered, int(live().size()));
        const outbox::OutboxReport second = runPass({});
        QCOMPARE(second.delivered, 0);
        QCOMPARE(puts(), putsAfterFirst);
    }

    // Two stations (threads, each with its own connection) deliver the same orders at once:
    // every (order, field) is written exactly once.
    void twoRacingOutboxesWriteOnce()
    {
        QThread a, b;
        auto *boxA = new outbox::QrOutbox(m_t->shared(), ghlSettings(), qrSettings(), { QStringLiteral("st-a"), 4, 60 });
        auto *boxB = new outbox::QrOutbox(m_t->shared(), ghlSettings(), qrSettings(), { QStringLiteral("st-b"), 4, 60 });
        boxA->moveToThread(&a);
        boxB->moveToThread(&b);
        connect(&a, &QThread::finished, boxA, &QObject::deleteLater);
        connect(&b, &QThread::finished, boxB, &QObject::deleteLater);
        QSignalSpy doneA(boxA, &outbox::QrOutbox::finished);
        QSignalSpy doneB(boxB, &outbox::QrOutbox::finished);
        a.start();
        b.start();
        QMetaObject::invokeMethod(boxA, [boxA, o = m_orders] { boxA->deliverForOrders(o); }, Qt::QueuedConnection);
        QMetaObject::invokeMethod(boxB, [boxB, o = m_orders] { boxB->deliverForOrders(o); }, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(doneA.size() == 1 && doneB.size() == 1, WaitMs);
        a.quit();
        b.quit();
        a.wait();
        b.wait();
        const auto ra = doneA.first().first().value<outbox::OutboxReport>();
        const auto rb = doneB.first().first().value<outbox::OutboxReport>();
        // One write per (order, field), whoever made it; none for void orders. An older order of a
        // contact may be skipped when the newer one got there first (the newest QR stays).
        QCOMPARE(ra.failed + rb.failed, 0);
        QCOMPARE(puts(), ra.delivered + rb.delivered);
        QHash<QString, QString> newestOfContact; // orderIds() is newest first
        for (const QString &id : live()) {
            const QString state = rowState(id);
            QVERIFY2(state == u"delivered" || state == u"superseded", qPrintable(id + u' ' + state));
            const QString contact = ghl::orderFromJson(m_sim->orderJson(id))->contactId;
            if (!newestOfContact.contains(contact))
                newestOfContact.insert(contact, id);
        }
        for (auto it = newestOfContact.cbegin(); it != newestOfContact.cend(); ++it)
            QCOMPARE(m_sim->contactFieldValue(it.key(), TextField), dataUrl(it.value()));
        for (const QString &id : m_orders) {
            if (isVoid(id))
                QCOMPARE(rowState(id), QStringLiteral("(none)"));
        }
    }

    // A claim whose process is gone after GHL wrote (crash between the answer and the record):
    // once its lease ends the next claim asks GHL and does not write again.
    void expiredLeaseAfterWriteIsCheckedNotRepeated()
    {
        const QString order = live().first();
        QCOMPARE(runPass({ order }).delivered, 1);
        QCOMPARE(puts(), 1);
        // The state a kill -9 right after GHL's answer leaves: claimed, lease running out.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'claimed', delivered_at = NULL, lease_until = "
                                            "'2000-01-01T00:00:00.000Z', claimed_by = 'gone' WHERE order_id = '%1'")
                                 .arg(order)));
        const outbox::OutboxReport again = runPass({ order });
        QCOMPARE(again.delivered, 0);
        QCOMPARE(again.skipped, 1);
        QCOMPARE(contactReads(), 1);
        QCOMPARE(puts(), 1);
        QCOMPARE(rowState(order), QStringLiteral("delivered"));
    }

    // A claim that was dropped before any write (claim, then the process died): the check finds
    // the field without this order's QR and it is written, once.
    void droppedClaimIsWrittenOnceAfterItsLease()
    {
        const QString order = live().first();
        const QString contact = ghl::orderFromJson(m_sim->orderJson(order))->contactId;
        outbox::OutboxRepository repo(m_t->db());
        auto claim = repo.claim(order, TextField, contact, QStringLiteral("TEXT"), QStringLiteral("gone"), 60);
        QVERIFY_OK(claim);
        QCOMPARE(int(claim->outcome), int(outbox::OutboxClaim::Claimed));
        // While the lease runs, nobody else writes.
        QCOMPARE(runPass({ order }, QStringLiteral("st-b")).delivered, 0);
        QCOMPARE(puts(), 0);
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET lease_until = '2000-01-01T00:00:00.000Z' WHERE order_id "
                                            "= '%1'")
                                 .arg(order)));
        QCOMPARE(runPass({ order }, QStringLiteral("st-b")).delivered, 1);
        QCOMPARE(contactReads(), 1);
        QCOMPARE(puts(), 1);
        QCOMPARE(m_sim->contactFieldValue(contact, TextField), dataUrl(order));
    }

    // Two orders of one contact for one field: the newest order's QR stays in the field.
    void newestOrderOfAContactWins()
    {
        const QString older = live().at(1); // orderIds(): newest first
        const QString newer = live().at(0);
        const QString contact = ghl::orderFromJson(m_sim->orderJson(newer))->contactId;
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET contact_id = '%1' WHERE order_id = '%2'")
                                 .arg(contact, older)));
        QCOMPARE(runPass({ newer }).delivered, 1);
        const outbox::OutboxReport late = runPass({ older });
        QCOMPARE(late.delivered, 0);
        QCOMPARE(rowState(older), QStringLiteral("superseded"));
        QCOMPARE(m_sim->contactFieldValue(contact, TextField), dataUrl(newer));
    }

    // kill -9 right after GHL wrote the newer order's QR, before it was recorded; after the restart
    // the older order of the contact comes first. It must not write (the newer order will be
    // written, and would then be written a second time): found by serve_crash in CI.
    void olderOrderAfterACrashLeavesTheFieldToTheNewer()
    {
        const QString older = live().at(1);
        const QString newer = live().at(0);
        const QString contact = ghl::orderFromJson(m_sim->orderJson(newer))->contactId;
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET contact_id = '%1' WHERE order_id = '%2'")
                                 .arg(contact, older)));
        QCOMPARE(runPass({ newer }).delivered, 1);
        // The record of the write is lost; the start-up of the next process released the claim.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'pending', delivered_at = NULL, lease_until = NULL, "
                                            "claimed_by = NULL WHERE order_id = '%1'")
                                 .arg(newer)));
        QCOMPARE(runPass({ older }, QStringLiteral("st-b")).delivered, 0);
        QCOMPARE(rowState(older), QStringLiteral("superseded"));
        QCOMPARE(runPass({ newer }, QStringLiteral("st-b")).delivered, 0);
        QCOMPARE(rowState(newer), QStringLiteral("delivered"));
        QVERIFY2(puts() == 1, qPrintable(QStringLiteral("GHL got %1 contact updates; one was due").arg(puts())));
        QCOMPARE(m_sim->contactFieldValue(contact, TextField), dataUrl(newer));
    }

    // Two orders of one contact claimed at once: the second waits (Busy) while the first's claim
    // runs, so the older QR can never be written last.
    void secondOrderOfAContactWaitsForTheFirstClaim()
    {
        const QString older = live().at(1);
        const QString newer = live().at(0);
        const QString contact = ghl::orderFromJson(m_sim->orderJson(newer))->contactId;
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_orders SET contact_id = '%1' WHERE order_id = '%2'")
                                 .arg(contact, older)));
        outbox::OutboxRepository repo(m_t->db());
        auto first = repo.claim(older, TextField, contact, QStringLiteral("TEXT"), QStringLiteral("st-a"), 60);
        QVERIFY_OK(first);
        QCOMPARE(int(first->outcome), int(outbox::OutboxClaim::Claimed));
        auto second = repo.claim(newer, TextField, contact, QStringLiteral("TEXT"), QStringLiteral("st-b"), 60);
        QVERIFY_OK(second);
        QVERIFY2(second->outcome == outbox::OutboxClaim::Busy, "the newer order waits for the older order's claim");
        // The older order's delivery, once the newer one holds the field, gives it up.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'delivered' WHERE order_id = '%1'").arg(older)));
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'delivered' WHERE order_id = '%1'").arg(newer)));
        auto by = repo.newerHolder(older, contact, TextField);
        QVERIFY_OK(by);
        QCOMPARE(by.value(), newer);
    }

    // cancel() stops what is queued and what waits for GHL's field list: nothing is written.
    void cancelStopsQueuedAndStartingDeliveries()
    {
        outbox::QrOutbox box(m_t->shared(), ghlSettings(), qrSettings(), outbox::QrOutboxOptions { QStringLiteral("st-a"), 4, 60 });
        QSignalSpy done(&box, &outbox::QrOutbox::finished);
        box.deliverForOrders({ live().at(0) });
        box.cancel(); // before the queued pass started
        QCoreApplication::processEvents(); // the queued pass would start here
        box.deliverForOrders({ live().at(1) });
        QTRY_VERIFY_WITH_TIMEOUT(box.isRunning() || !done.isEmpty(), WaitMs);
        box.cancel(); // the pass waits for the field list: nothing is claimed or written
        QTRY_VERIFY_WITH_TIMEOUT(!done.isEmpty(), WaitMs);
        QCOMPARE(done.size(), 1);
        QCOMPARE(done.first().first().value<outbox::OutboxReport>().delivered, 0);
        QCOMPARE(puts(), 0);
        QCOMPARE(rowState(live().at(0)), QStringLiteral("(none)"));
        QCOMPARE(rowState(live().at(1)), QStringLiteral("(none)"));
    }

    // A mapped field that is gone from GHL is a failure with a reason, not a write.
    void missingFieldFailsWithReason()
    {
        m_sim->setCustomFields({});
        const outbox::OutboxReport r = runPass({ live().first() });
        QCOMPARE(r.failed, 1);
        QVERIFY2(r.failures.first().reason.contains(QStringLiteral("no longer exists")), qPrintable(r.failures.first().reason));
        QCOMPARE(puts(), 0);
    }

    // Another worker holds (order, field) with its PUT in flight; a second delivery of the order
    // fails before claiming (the field is gone from GHL's list): the other's claim stays, so no
    // third claim takes the row and writes again while the first write runs.
    void failureBeforeClaimLeavesAnotherClaimAlone()
    {
        const QString order = live().first();
        const QString contact = ghl::orderFromJson(m_sim->orderJson(order))->contactId;
        outbox::OutboxRepository repo(m_t->db());
        auto claim = repo.claim(order, TextField, contact, QStringLiteral("TEXT"), QStringLiteral("worker"), 60);
        QVERIFY_OK(claim);
        QCOMPARE(int(claim->outcome), int(outbox::OutboxClaim::Claimed));
        m_sim->setCustomFields({});
        const outbox::OutboxReport r = runPass({ order }, QStringLiteral("st-b"));
        QCOMPARE(r.failed, 1);
        QCOMPARE(rowState(order), QStringLiteral("claimed"));
        m_sim->setCustomFields({ ghlsim::SimCustomField { TextField, QStringLiteral("QR code"),
                                                          QStringLiteral("contact.qr_code"), QStringLiteral("TEXT") } });
        QCOMPARE(runPass({ order }, QStringLiteral("st-c")).delivered, 0);
        QCOMPARE(puts(), 0);
        // The holder's own failure is recorded; a stranger's mark changes nothing.
        auto foreign = repo.markFailed(order, TextField, contact, QStringLiteral("x"), QStringLiteral("st-b"));
        QVERIFY_OK(foreign);
        QVERIFY2(!foreign.value(), "a failure is not written over another station's live claim");
        auto delivered = repo.markDelivered(order, TextField, QStringLiteral("v"), QStringLiteral("st-b"));
        QVERIFY_OK(delivered);
        QVERIFY(!delivered.value());
        QCOMPARE(rowState(order), QStringLiteral("claimed"));
        auto own = repo.markFailed(order, TextField, contact, QStringLiteral("x"), QStringLiteral("worker"));
        QVERIFY_OK(own);
        QVERIFY(own.value());
        QCOMPARE(rowState(order), QStringLiteral("failed"));
    }

    // A FILE_UPLOAD field gets the PNG through POST /forms/upload-custom-files as qr-<order>.png
    // (PRODUCT.md section 3), once: after a crash between GHL's answer and the record, the next
    // claim finds the file by its name on the contact and does not upload again.
    void fileUploadFieldGetsThePngOnceAcrossACrash()
    {
        m_sim->setCustomFields({ ghlsim::SimCustomField { FileField, QStringLiteral("QR ticket"),
                                                          QStringLiteral("contact.qr_ticket"), QStringLiteral("FILE_UPLOAD") } });
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_fields SET field_id = '%1'").arg(FileField)));
        const QString order = live().first();
        const QString contact = ghl::orderFromJson(m_sim->orderJson(order))->contactId;
        const QString fileName = QStringLiteral("qr-%1.png").arg(order);
        const outbox::OutboxReport first = runPass({ order });
        QVERIFY2(first.failed == 0, qPrintable(first.failures.isEmpty() ? QString() : first.failures.first().reason));
        QCOMPARE(first.delivered, 1);
        QCOMPARE(puts(), 0); // never a string into a FILE_UPLOAD field
        QCOMPARE(m_sim->uploadCount(contact, FileField, fileName), 1);
        const ghlsim::SimUpload upload = m_sim->uploads().constLast();
        QCOMPARE(upload.mimeType, QByteArrayLiteral("image/png"));
        auto decoded = qr::QrDecoder::decodeImageData(upload.content);
        QVERIFY_OK(decoded);
        QCOMPARE(decoded.value(), QString(UrlTemplate).replace(QStringLiteral("{order_id}"), order));

        // The state a kill -9 right after GHL's answer leaves: claimed, lease running out.
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'claimed', delivered_at = NULL, lease_until = "
                                            "'2000-01-01T00:00:00.000Z', claimed_by = 'gone' WHERE order_id = '%1'")
                                 .arg(order)));
        const outbox::OutboxReport again = runPass({ order }, QStringLiteral("st-b"));
        QCOMPARE(again.delivered, 0);
        QCOMPARE(again.skipped, 1);
        QCOMPARE(contactReads(), 1);
        QCOMPARE(m_sim->uploadCount(contact, FileField), 1);
        QCOMPARE(m_sim->uploadCount(contact, FileField, fileName), 1);
    }

    // --- inbox --------------------------------------------------------------------------------

    void expiredInboxLeaseIsClaimedAgain()
    {
        db::InboxRepository repo(m_t->db());
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), m_orders.first(), {}, {}, "{}" }));
        auto first = repo.claimNext(QStringLiteral("st-a"));
        QVERIFY_OK(first);
        QVERIFY(first->has_value());
        auto none = repo.claimNext(QStringLiteral("st-b"));
        QVERIFY_OK(none);
        QVERIFY2(!none->has_value(), "a leased event is not claimed twice");
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE webhook_inbox SET lease_until = '2000-01-01T00:00:00.000Z'")));
        auto again = repo.claimNext(QStringLiteral("st-b"));
        QVERIFY_OK(again);
        QVERIFY2(again->has_value(), "an event whose lease expired is claimed again");
        QCOMPARE(again->value().id, first->value().id);
        QCOMPARE(again->value().claimedBy, QStringLiteral("st-b"));
        QCOMPARE(again->value().attempts, 2);
    }

    // Desktop and serve on one machine share the station name: a worker's start leaves the live
    // claims of the other process alone (webhook and QR delivery) and takes back at once only
    // those of a process of this machine that no longer runs.
    void startTakesBackOnlyClaimsOfGoneProcesses()
    {
        QProcess gone;
        gone.start(QStringLiteral("true"));
        QVERIFY(gone.waitForStarted(WaitMs));
        const qint64 pid = gone.processId();
        QVERIFY(gone.waitForFinished(WaitMs));
        const QString deadId = QStringLiteral("desk@%1:%2:0123abcd").arg(QSysInfo::machineHostName()).arg(pid);
        const QString liveId = core::instanceId(QStringLiteral("desk"));
        db::InboxRepository inbox(m_t->db());
        QVERIFY_OK(inbox.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), m_orders.at(0), {}, {}, "{}" }));
        QVERIFY_OK(inbox.commit({ QStringLiteral("k2"), QStringLiteral("OrderCreate"), m_orders.at(1), {}, {}, "{}" }));
        auto live = inbox.claimNext(liveId);
        QVERIFY_OK(live);
        QVERIFY(live->has_value());
        auto dead = inbox.claimNext(deadId);
        QVERIFY_OK(dead);
        QVERIFY(dead->has_value());
        outbox::OutboxRepository repo(m_t->db());
        const QString contact = ghl::orderFromJson(m_sim->orderJson(m_orders.at(0)))->contactId;
        const QString contact1 = ghl::orderFromJson(m_sim->orderJson(m_orders.at(1)))->contactId;
        QVERIFY_OK(repo.claim(m_orders.at(0), TextField, contact, QStringLiteral("TEXT"), liveId, 60));
        QVERIFY_OK(repo.claim(m_orders.at(1), TextField, contact1, QStringLiteral("TEXT"), deadId, 60));

        webhook::InboxWorkerOptions options;
        options.station = QStringLiteral("desk");
        webhook::InboxWorker worker(m_t->shared(), ghlSettings(), qrSettings(), options);
        worker.start();
        QVERIFY(worker.options().instance != liveId);
        auto liveRow = inbox.get(live->value().id);
        QCOMPARE(db::toString(liveRow->value().state), QStringLiteral("processing"));
        QCOMPARE(liveRow->value().claimedBy, liveId);
        auto deadRow = inbox.get(dead->value().id);
        QVERIFY2(deadRow->value().state != db::InboxState::Processing || deadRow->value().claimedBy != deadId, "a gone process's webhook is taken back at once");
        auto liveClaim = repo.claim(m_orders.at(0), TextField, contact, QStringLiteral("TEXT"), QStringLiteral("st-x"), 60);
        QVERIFY_OK(liveClaim);
        QVERIFY2(liveClaim->outcome == outbox::OutboxClaim::Busy, "another live process's QR claim stays its own");
        auto deadRelease = repo.get(m_orders.at(1), TextField);
        QVERIFY_OK(deadRelease);
        QVERIFY2(deadRelease->value().leaseUntil < QDateTime::currentDateTimeUtc().addSecs(30),
                 "a gone process's QR claim is taken back at once");
    }

    void retryTakesAStuckProcessingEvent()
    {
        db::InboxRepository repo(m_t->db());
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), m_orders.first(), {}, {}, "{}" }));
        auto claimed = repo.claimNext(QStringLiteral("st-a"));
        QVERIFY_OK(claimed);
        QVERIFY(claimed->has_value());
        // While its worker's lease runs, the event is its worker's: Retry leaves it alone.
        auto live = repo.retry(claimed->value().id);
        QVERIFY_OK(live);
        QVERIFY2(!live.value(), "Retry must not take an event from a worker whose lease runs");
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE webhook_inbox SET lease_until = '2000-01-01T00:00:00.000Z'")));
        auto retried = repo.retry(claimed->value().id);
        QVERIFY_OK(retried);
        QVERIFY2(retried.value(), "Retry must work on an event stuck in 'processing'");
        auto row = repo.get(claimed->value().id);
        QCOMPARE(db::toString(row->value().state), QStringLiteral("pending"));
        QCOMPARE(row->value().attempts, 0);
    }

    // A worker whose lease ran out and whose event another worker took records nothing over it.
    void marksOfALostClaimChangeNothing()
    {
        db::InboxRepository repo(m_t->db());
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), m_orders.first(), {}, {}, "{}" }));
        auto first = repo.claimNext(QStringLiteral("st-a"));
        QVERIFY_OK(first);
        QVERIFY(first->has_value());
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE webhook_inbox SET lease_until = '2000-01-01T00:00:00.000Z'")));
        auto second = repo.claimNext(QStringLiteral("st-b"));
        QVERIFY_OK(second);
        QVERIFY(second->has_value());
        const qint64 id = first->value().id;
        auto done = repo.markDone(id, {}, QStringLiteral("st-a"));
        QVERIFY2(!done, "a mark of a lost claim is reported");
        QCOMPARE(done.error().code, QStringLiteral("db.claim_lost"));
        QVERIFY(!repo.markDead(id, QStringLiteral("x"), QStringLiteral("st-a")));
        QVERIFY(!repo.markFailed(id, QStringLiteral("x"), 100, db::InboxBackoff {}, QStringLiteral("st-a")));
        auto row = repo.get(id);
        QCOMPARE(db::toString(row->value().state), QStringLiteral("processing"));
        QCOMPARE(row->value().claimedBy, QStringLiteral("st-b"));
        QVERIFY_OK(repo.markDone(id, {}, QStringLiteral("st-b")));
        QCOMPARE(db::toString(repo.get(id)->value().state), QStringLiteral("done"));
    }

    void backoffIsCappedAndDeadOnlyAfterTheHorizon()
    {
        const db::InboxBackoff backoff;
        for (int attempts : { 1, 8, 20, 100 })
            QVERIFY(db::InboxRepository::backoffMs(attempts, backoff, 0xffffffffu) <= qint64(10 * 60 * 1000 * 1.2) + 1);
        webhook::testing::FakeClock clock;
        db::InboxRepository repo(m_t->db(), clock);
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), m_orders.first(), {}, {}, "{}" }));
        qint64 id = 0;
        for (int i = 0; i < 12; ++i) { // 12 attempts in 3 hours: the backoff stays at most 12 minutes
            clock.set(clock.now().addSecs(15 * 60));
            auto c = repo.claimNext(QStringLiteral("st-a"));
            QVERIFY_OK(c);
            QVERIFY2(c->has_value(), "the failed event should be due again after its backoff");
            id = c->value().id;
            auto s = repo.markFailedUntil(id, QStringLiteral("GHL answered 500"), 24 * 3600, backoff);
            QVERIFY_OK(s);
            QCOMPARE(db::toString(s.value()), QStringLiteral("failed"));
        }
        clock.set(clock.now().addSecs(25 * 3600));
        auto c = repo.claimNext(QStringLiteral("st-a"));
        QVERIFY_OK(c);
        QVERIFY(c->has_value());
        auto s = repo.markFailedUntil(id, QStringLiteral("GHL answered 500"), 24 * 3600, backoff);
        QVERIFY_OK(s);
        QCOMPARE(db::toString(s.value()), QStringLiteral("dead"));
    }

    // A token fixed in Settings is used by the running worker, and what failed is tried again.
    void tokenFixedInSettingsWorksWithoutRestart()
    {
        core::GhlSettings wrong = ghlSettings();
        wrong.token = QStringLiteral("not-the-token");
        webhook::InboxWorkerOptions options;
        options.station = QStringLiteral("st-a");
        options.settleMs = 0;
        options.pollIntervalMs = 100;
        options.backoff = db::InboxBackoff { 600000, 600000, 0 }; // a failure would wait 10 minutes
        ghl::RetryPolicy once;
        once.maxAttempts = 1;
        options.ghlRetry = once;
        webhook::InboxWorker worker(m_t->shared(), wrong, qrSettings(), options);
        QSignalSpy failed(&worker, &webhook::InboxWorker::eventFailed);
        QSignalSpy processed(&worker, &webhook::InboxWorker::eventProcessed);
        const QString order = live().first();
        db::InboxRepository repo(m_t->db());
        QVERIFY_OK(repo.commit({ QStringLiteral("k1"), QStringLiteral("OrderCreate"), order, {}, {},
                                 QStringLiteral("{\"type\":\"OrderCreate\",\"_id\":\"%1\"}").arg(order).toUtf8() }));
        worker.start();
        QTRY_VERIFY_WITH_TIMEOUT(failed.size() == 1, WaitMs);
        QCOMPARE(puts(), 0);
        worker.setSettings(ghlSettings(), qrSettings());
        QTRY_VERIFY2_WITH_TIMEOUT(processed.size() == 1, "the event should succeed with the new token at once", WaitMs);
        QCOMPARE(puts(), 1);
        QSignalSpy stopped(&worker, &webhook::InboxWorker::stopped);
        worker.stop();
        QTRY_VERIFY_WITH_TIMEOUT(stopped.size() == 1, WaitMs);
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
