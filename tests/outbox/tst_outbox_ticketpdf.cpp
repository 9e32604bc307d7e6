// The ticket PDF through the QR outbox (issue 14 point 3) against the GHL simulator and a real
// database (QRT_TEST_BACKEND): a product's ticket PDF field (FILE_UPLOAD) gets tickets-<order>.pdf
// once per order, beside the order's QR in its own field; not again after a failed pass is
// retried, nor after a crash between GHL's answer and the record (found by its file name).
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include "db/fieldmappingrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "outbox/outboxrepository.h"
#include "outbox/qroutbox.h"
#include "qr/qrcode.h"
#include "tickets/ticketpdf.h"

#include <QDir>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace qrt;

namespace {
const QString TextField = QStringLiteral("qrTextField0000000001");
const QString PdfField = QStringLiteral("ticketPdfField000001");
const QString OtherText = QStringLiteral("qrTextField0000000002");
} // namespace

class TestOutboxTicketPdf : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
    QStringList m_orders;
    QTemporaryDir m_dir;

    core::GhlSettings ghlSettings() const
    {
        core::GhlSettings s;
        s.baseUrl = m_sim->baseUrl();
        s.locationId = m_sim->locationId();
        s.token = m_sim->token();
        s.apiVersion = ghlsim::GhlSimulator::apiVersion();
        s.requestTimeoutMs = 10000;
        return s;
    }

    outbox::OutboxReport runPass(const QStringList &orders, const QString &station = QStringLiteral("st-a"))
    {
        core::QrSettings qr;
        qr.urlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");
        outbox::QrOutbox box(m_t->shared(), ghlSettings(), qr, outbox::QrOutboxOptions { station, 4, 60 });
        QSignalSpy done(&box, &outbox::QrOutbox::finished);
        if (orders.isEmpty())
            box.deliverPending();
        else
            box.deliverForOrders(orders);
        if (!done.wait(test::kWaitMs) && done.isEmpty())
            return {};
        return done.first().first().value<outbox::OutboxReport>();
    }

    core::Order order(const QString &id) const { return ghl::orderFromJson(m_sim->orderJson(id)).value(); }
    QStringList live() const
    {
        QStringList out;
        for (const QString &id : m_orders) {
            if (!order(id).isVoid())
                out << id;
        }
        return out;
    }
    QString rowState(const QString &orderId, const QString &field)
    {
        auto row = outbox::OutboxRepository(m_t->db()).get(orderId, field);
        return row && row->has_value() ? outbox::toString(row->value().state) : QStringLiteral("(none)");
    }
    int pdfUploads(const QString &orderId) const
    {
        return m_sim->uploadCount(order(orderId).contactId, PdfField, tickets::ticketPdfFileName(orderId));
    }
    static QString reasons(const outbox::OutboxReport &r)
    {
        QStringList out;
        for (const outbox::OutboxFailure &f : r.failures)
            out << f.orderId + u' ' + f.fieldId + QStringLiteral(": ") + f.reason;
        return out.join(u'\n');
    }

private Q_SLOTS:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        qRegisterMetaType<outbox::OutboxReport>();
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        QVERIFY(m_sim->listen());
        m_sim->generate(6, 42);
        m_sim->setCustomFields({ ghlsim::SimCustomField { TextField, QStringLiteral("QR code"), QStringLiteral("contact.qr_code"),
                                                          QStringLiteral("TEXT") },
                                 ghlsim::SimCustomField { PdfField, QStringLiteral("Tickets"), QStringLiteral("contact.tickets"),
                                                          QStringLiteral("FILE_UPLOAD") },
                                 ghlsim::SimCustomField { OtherText, QStringLiteral("Notes"), QStringLiteral("contact.notes"),
                                                          QStringLiteral("TEXT") } });
        m_orders = m_sim->orderIds();
        QList<core::Order> orders;
        db::FieldMappingRepository mappings(m_t->db());
        for (const QString &id : std::as_const(m_orders)) {
            orders << order(id);
            for (const core::OrderItem &item : order(id).items) {
                QVERIFY_OK(mappings.upsert(item.productId, TextField, QStringLiteral("QR code"), QStringLiteral("TEXT")));
                QVERIFY_OK(mappings.setTicketPdfField(item.productId, PdfField, QStringLiteral("Tickets")));
            }
        }
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(orders, QStringLiteral("test")));
    }

    void cleanup()
    {
        m_sim.reset();
        m_t.reset();
    }

    void mappingKeepsTheTicketPdfField()
    {
        const QString product = order(m_orders.first()).items.first().productId;
        auto mapping = db::FieldMappingRepository(m_t->db()).forProduct(product);
        QVERIFY_OK(mapping);
        QCOMPARE(mapping->value().ticketPdfFieldId, PdfField);
        QCOMPARE(mapping->value().ticketPdfFieldName, QStringLiteral("Tickets"));
        // Setting the QR field again leaves the ticket PDF field; apply() with none removes it.
        QVERIFY_OK(db::FieldMappingRepository(m_t->db()).upsert(product, TextField, QStringLiteral("QR code")));
        QCOMPARE(db::FieldMappingRepository(m_t->db()).forProduct(product)->value().ticketPdfFieldId, PdfField);
        QVERIFY_OK(db::FieldMappingRepository(m_t->db()).apply({ { product, TextField, QStringLiteral("QR code"), QString() } }));
        QCOMPARE(db::FieldMappingRepository(m_t->db()).forProduct(product)->value().ticketPdfFieldId, QString());
    }

    // Each live order: its QR into the text field and its ticket PDF uploaded once, whose first
    // page carries the QR of its first ticket's code; a second pass uploads nothing.
    void oneUploadPerOrderAndNoneOnTheNextPass()
    {
        // What the Mappings page announces before saving a ticket PDF field: the product's past
        // orders that lack the PDF; none once the pass delivered (or superseded) them.
        const QString product = order(live().first()).items.first().productId;
        auto backlog = outbox::OutboxRepository(m_t->db()).ticketPdfBacklog(product, PdfField);
        QVERIFY_OK(backlog);
        QVERIFY2(backlog.value() > 0, "the product's live orders have no ticket PDF yet");
        const outbox::OutboxReport first = runPass({});
        QVERIFY2(first.failed == 0, qPrintable(reasons(first)));
        backlog = outbox::OutboxRepository(m_t->db()).ticketPdfBacklog(product, PdfField);
        QVERIFY_OK(backlog);
        QCOMPARE(backlog.value(), 0);
        int delivered = 0;
        for (const QString &id : live()) {
            QCOMPARE(rowState(id, TextField), rowState(id, PdfField)); // delivered, or superseded by a newer order
            const bool got = rowState(id, PdfField) == QStringLiteral("delivered");
            QCOMPARE(pdfUploads(id), got ? 1 : 0);
            delivered += got ? 1 : 0;
        }
        QVERIFY(delivered > 0);
        for (const QString &id : m_orders) {
            if (order(id).isVoid())
                QCOMPARE(rowState(id, PdfField), QStringLiteral("(none)"));
        }
        const ghlsim::SimUpload upload = m_sim->uploads().constFirst();
        QCOMPARE(upload.mimeType, QByteArrayLiteral("application/pdf"));
        QVERIFY(upload.content.startsWith("%PDF-"));
        const QString orderId = upload.fileName.mid(8).chopped(4); // tickets-<id>.pdf
        const QString path = m_dir.filePath(upload.fileName);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(upload.content);
        file.close();
        QVERIFY2(QProcess::execute(QStringLiteral("pdftoppm"), { QStringLiteral("-r"), QStringLiteral("100"), QStringLiteral("-png"),
                                                                  QStringLiteral("-f"), QStringLiteral("1"), QStringLiteral("-l"),
                                                                  QStringLiteral("1"), path, m_dir.filePath(QStringLiteral("page")) })
                     == 0,
                 "pdftoppm (poppler-utils) could not render the uploaded PDF");
        const QStringList pages = QDir(m_dir.path()).entryList({ QStringLiteral("page*.png") });
        QCOMPARE(pages.size(), 1);
        auto code = qr::QrDecoder::decodeFile(m_dir.filePath(pages.first()));
        QVERIFY_OK(code);
        const QList<core::Ticket> printable = tickets::printableTickets(db::TicketRepository(m_t->db()).forOrder(orderId).value());
        QCOMPARE(code.value(), printable.first().code);

        const int uploads = int(m_sim->uploads().size());
        const outbox::OutboxReport second = runPass({});
        QCOMPARE(second.delivered, 0);
        QCOMPARE(int(m_sim->uploads().size()), uploads);
    }

    // The upload fails (a token without forms.write); the retry uploads once, and only that.
    void failedUploadIsRetriedOnce()
    {
        const QString id = live().first();
        m_sim->setTokenScopes({ QStringLiteral("contacts.readonly"), QStringLiteral("contacts.write"),
                                QStringLiteral("locations/customFields.readonly") });
        const outbox::OutboxReport failed = runPass({ id });
        QCOMPARE(failed.failed, 1);
        QVERIFY2(failed.failures.first().reason.contains(QStringLiteral("ticket PDF")), qPrintable(reasons(failed)));
        QCOMPARE(rowState(id, TextField), QStringLiteral("delivered")); // the QR went out regardless
        QCOMPARE(rowState(id, PdfField), QStringLiteral("failed"));
        QCOMPARE(pdfUploads(id), 0);
        m_sim->setTokenScopes({});
        const outbox::OutboxReport retry = runPass({ id });
        QVERIFY2(retry.failed == 0, qPrintable(reasons(retry)));
        QCOMPARE(retry.delivered, 1);
        QCOMPARE(pdfUploads(id), 1);
        QCOMPARE(runPass({ id }).delivered, 0);
        QCOMPARE(pdfUploads(id), 1);
    }

    // A crash right after GHL's answer (the row still claimed): the next claim finds
    // tickets-<order>.pdf on the contact and records it without uploading again.
    void crashAfterUploadIsFoundByFileName()
    {
        const QString id = live().first();
        QCOMPARE(runPass({ id }).failed, 0);
        QCOMPARE(pdfUploads(id), 1);
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE qr_outbox SET state = 'claimed', delivered_at = NULL, lease_until = "
                                            "'2000-01-01T00:00:00.000Z', claimed_by = 'gone' WHERE order_id = '%1' AND field_id = '%2'")
                                 .arg(id, PdfField)));
        const outbox::OutboxReport again = runPass({ id }, QStringLiteral("st-b"));
        QVERIFY2(again.failed == 0, qPrintable(reasons(again)));
        QCOMPARE(again.delivered, 0);
        QCOMPARE(pdfUploads(id), 1);
        QCOMPARE(rowState(id, PdfField), QStringLiteral("delivered"));
    }

    // A field that received the order's QR (qr-<order>.png) and is then mapped as the ticket PDF
    // field: its row recorded a QR, not the PDF, so the PDF is uploaded, once; the reverse (a
    // field that got the PDF, then mapped for the QR code) gets the QR once, too.
    void fieldDeliveredAsQrThenMappedForThePdf()
    {
        const QString id = live().first();
        const QString product = order(id).items.first().productId;
        db::FieldMappingRepository mappings(m_t->db());
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_fields SET ticket_pdf_field_id = NULL, ticket_pdf_field_name = NULL")));
        QVERIFY_OK(mappings.upsert(product, PdfField, QStringLiteral("Tickets"), QStringLiteral("FILE_UPLOAD")));
        const outbox::OutboxReport qrPass = runPass({ id });
        QVERIFY2(qrPass.failed == 0, qPrintable(reasons(qrPass)));
        QCOMPARE(m_sim->uploadCount(order(id).contactId, PdfField, QStringLiteral("qr-%1.png").arg(id)), 1);
        QCOMPARE(rowState(id, PdfField), QStringLiteral("delivered"));
        QCOMPARE(pdfUploads(id), 0);

        QVERIFY_OK(mappings.upsert(product, TextField, QStringLiteral("QR code"), QStringLiteral("TEXT")));
        QVERIFY_OK(mappings.setTicketPdfField(product, PdfField, QStringLiteral("Tickets")));
        QVERIFY2(outbox::OutboxRepository(m_t->db()).pendingOrders().value().contains(id),
                 "a field that holds the order's QR is not yet its ticket PDF: the order must be pending");
        const outbox::OutboxReport pdfPass = runPass({ id });
        QVERIFY2(pdfPass.failed == 0, qPrintable(reasons(pdfPass)));
        QCOMPARE(pdfUploads(id), 1);
        QCOMPARE(rowState(id, PdfField), QStringLiteral("delivered"));
        QCOMPARE(runPass({ id }).delivered, 0);
        QCOMPARE(pdfUploads(id), 1);

        // And back: the field (one file) holds the PDF now, which replaced the PNG; mapped for the
        // QR code again, the PNG is not on the contact (checked by its file name): uploaded once more.
        QVERIFY_OK(mappings.setTicketPdfField(product, QString(), QString()));
        QVERIFY_OK(mappings.upsert(product, PdfField, QStringLiteral("Tickets"), QStringLiteral("FILE_UPLOAD")));
        const outbox::OutboxReport back = runPass({ id });
        QVERIFY2(back.failed == 0, qPrintable(reasons(back)));
        QCOMPARE(back.delivered, 1);
        QCOMPARE(m_sim->uploadCount(order(id).contactId, PdfField, QStringLiteral("qr-%1.png").arg(id)), 2);
        QCOMPARE(runPass({ id }).delivered, 0);
        QCOMPARE(m_sim->uploadCount(order(id).contactId, PdfField, QStringLiteral("qr-%1.png").arg(id)), 2);
    }

    // A ticket PDF field that is not FILE_UPLOAD: a failure that says so; the QR still goes out.
    void textFieldForTheTicketPdfFailsWithReason()
    {
        QVERIFY_OK(m_t->exec(QStringLiteral("UPDATE ghl_qr_fields SET ticket_pdf_field_id = '%1'").arg(OtherText)));
        const QString id = live().first();
        const outbox::OutboxReport r = runPass({ id });
        QCOMPARE(r.failed, 1);
        QVERIFY2(r.failures.first().reason.contains(QStringLiteral("File upload")), qPrintable(reasons(r)));
        QCOMPARE(rowState(id, TextField), QStringLiteral("delivered"));
        QCOMPARE(m_sim->requestCount(ghlsim::Endpoint::UploadCustomFiles), 0);
    }
};

QTEST_MAIN(TestOutboxTicketPdf)
#include "tst_outbox_ticketpdf.moc"
