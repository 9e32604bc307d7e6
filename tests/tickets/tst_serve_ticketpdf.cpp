// `qrtickets serve` (a real child process, no display: QT_QPA_PLATFORM and DISPLAY unset) delivers
// a webhook's order to its product's two fields: the order's QR into the Text field and the ticket
// PDF into the File upload field, once; the PDF's first page carries the first ticket's code.
#include "serve/servetestutil.h"
#include "support/childprocess.h"
#include "support/freeport.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include "db/fieldmappingrepository.h"
#include "db/ticketrepository.h"
#include "ghl/orderjson.h"
#include "ghlsim/ghlsimulator.h"
#include "qr/qrcode.h"
#include "tickets/ticketpdf.h"

#include <QDir>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace qrt;
using namespace qrt::servetest;

namespace {
constexpr int WaitMs = 60000;
const QByteArray Secret = "ticket-pdf-secret";
const QString TextField = QStringLiteral("qrTextField0000000001");
const QString PdfField = QStringLiteral("ticketPdfField000001");
} // namespace

class TestServeTicketPdf : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;
    ghlsim::GhlSimulator m_sim;
    test::FreshHome m_home;
    QTemporaryDir m_dir;
    quint16 m_port = 0;
    QNetworkAccessManager m_nam;

    std::unique_ptr<QProcess> startServe()
    {
        const QString null;
        const QProcessEnvironment env = m_home.environment({
            { QStringLiteral("QRTICKETS_DATABASE_URL"), m_t->url() },
            { QStringLiteral("QRTICKETS_GHL_BASE_URL"), m_sim.baseUrl().toString() },
            { QStringLiteral("QRTICKETS_GHL_TOKEN"), m_sim.token() },
            { QStringLiteral("QRTICKETS_GHL_LOCATION_ID"), m_sim.locationId() },
            { QStringLiteral("QRTICKETS_WEBHOOK_BIND"), QStringLiteral("127.0.0.1") },
            { QStringLiteral("QRTICKETS_WEBHOOK_PORT"), QString::number(m_port) },
            { QStringLiteral("QRTICKETS_WEBHOOK_AUTH"), QStringLiteral("shared-secret") },
            { QStringLiteral("QRTICKETS_WEBHOOK_SECRET"), QString::fromLatin1(Secret) },
            { QStringLiteral("QRTICKETS_QR_URL_TEMPLATE"), QStringLiteral("https://qr.example.com/orders/{order_id}") },
            { QStringLiteral("QRTICKETS_STATION_NAME"), QStringLiteral("pdf-test") },
            // As on a server: no display, no platform chosen; serve picks offscreen itself.
            { QStringLiteral("QT_QPA_PLATFORM"), null },
            { QStringLiteral("DISPLAY"), null },
            { QStringLiteral("WAYLAND_DISPLAY"), null },
        });
        return test::startChild(test::qrticketsBinary(), { QStringLiteral("serve") }, env, QProcess::ForwardedChannels);
    }

    bool healthy()
    {
        return send(m_nam, "GET", QUrl(QStringLiteral("http://127.0.0.1:%1/healthz").arg(m_port)), {}, {}, 2000).status == 200;
    }

private slots:
    void initTestCase()
    {
        QRT_REQUIRE_BACKEND(m_dialect);
        QVERIFY2(QFile::exists(test::qrticketsBinary()), "QRT_QRTICKETS_BIN should name the qrtickets executable (ctest sets it)");
        QVERIFY(m_dir.isValid());
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
        QVERIFY(m_sim.listen());
        m_port = test::freePort();
    }

    void webhookOrderGetsItsTicketPdfOnce()
    {
        m_sim.generate(4, 11);
        QString orderId;
        for (const QString &id : m_sim.orderIds()) {
            if (!ghl::orderFromJson(m_sim.orderJson(id))->isVoid()) {
                orderId = id;
                break;
            }
        }
        QVERIFY(!orderId.isEmpty());
        const QJsonObject order = m_sim.orderJson(orderId);
        const QString contact = ghl::orderFromJson(order)->contactId;
        m_sim.setCustomFields({ ghlsim::SimCustomField { TextField, QStringLiteral("QR code"), QStringLiteral("contact.qr_code"),
                                                         QStringLiteral("TEXT") },
                                ghlsim::SimCustomField { PdfField, QStringLiteral("Tickets"), QStringLiteral("contact.tickets"),
                                                         QStringLiteral("FILE_UPLOAD") } });
        db::FieldMappingRepository fields(m_t->db());
        for (const QString &p : productsOf(order)) {
            QVERIFY_OK(fields.upsert(p, TextField, QStringLiteral("QR code"), QStringLiteral("TEXT")));
            QVERIFY_OK(fields.setTicketPdfField(p, PdfField, QStringLiteral("Tickets")));
        }

        auto serve = startServe();
        QTRY_VERIFY2_WITH_TIMEOUT(healthy(), "qrtickets serve should answer /healthz", WaitMs);
        const QByteArray body = marketplaceBody(order, QStringLiteral("pdf-1"), m_sim.locationId());
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/api/ghl/webhook-qr").arg(m_port));
        QCOMPARE(send(m_nam, "POST", url, body, { { "X-Webhook-Secret", Secret } }).status, 200);
        const QString fileName = tickets::ticketPdfFileName(orderId);
        QTRY_VERIFY2_WITH_TIMEOUT(m_sim.uploadCount(contact, PdfField, fileName) == 1,
                                  "serve should upload the order's ticket PDF (see its log above for why not)", WaitMs);
        // The same webhook again: a duplicate, nothing uploaded twice.
        send(m_nam, "POST", url, body, { { "X-Webhook-Secret", Secret } });
        serve->terminate();
        QVERIFY(serve->waitForFinished(WaitMs));
        QCOMPARE(m_sim.uploadCount(contact, PdfField, fileName), 1);

        ghlsim::SimUpload upload;
        for (const ghlsim::SimUpload &u : m_sim.uploads()) {
            if (u.fileName == fileName)
                upload = u;
        }
        QCOMPARE(upload.mimeType, QByteArrayLiteral("application/pdf"));
        const QString path = m_dir.filePath(fileName);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(upload.content);
        file.close();
        QCOMPARE(QProcess::execute(QStringLiteral("pdftoppm"), { QStringLiteral("-r"), QStringLiteral("100"), QStringLiteral("-png"),
                                                                 QStringLiteral("-f"), QStringLiteral("1"), QStringLiteral("-l"),
                                                                 QStringLiteral("1"), path, m_dir.filePath(QStringLiteral("p")) }),
                 0);
        const QStringList pages = QDir(m_dir.path()).entryList({ QStringLiteral("p*.png") });
        QCOMPARE(pages.size(), 1);
        auto code = qr::QrDecoder::decodeFile(m_dir.filePath(pages.first()));
        QVERIFY_OK(code);
        const auto stored = tickets::printableTickets(db::TicketRepository(m_t->db()).forOrder(orderId).value());
        QCOMPARE(code.value(), stored.first().code);
    }
};

QTEST_GUILESS_MAIN(TestServeTicketPdf)
#include "tst_serve_ticketpdf.moc"
