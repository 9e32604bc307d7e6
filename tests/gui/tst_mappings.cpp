// The field-mapping tab against real parts: the GHL simulator's custom field list (fetched over
// a socket) and a SQLite database through the shared DbWorker. Each mapped field's GHL type is
// shown, a type no QR code can go into is marked with a warning, and the type is stored.
#include "db/database.h"
#include "db/fieldmappingrepository.h"
#include "db/orderwriter.h"
#include "ghl/orderjson.h"
#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"
#include "ghlsim/ghlsimulator.h"
#include "gui/dbworker.h"
#include "gui/settings/mappingssettingspage.h"
#include "guitestutil.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QApplication>
#include <QComboBox>
#include <QMessageBox>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>

using namespace qrt;

class TestMappings : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    std::unique_ptr<gui::DbWorker> m_worker;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;

    QList<ghl::CustomField> fieldsFromGhl()
    {
        core::GhlSettings s;
        s.baseUrl = m_sim->baseUrl();
        s.locationId = m_sim->locationId();
        s.token = m_sim->token();
        s.apiVersion = ghlsim::GhlSimulator::apiVersion();
        ghl::GhlClient client(s);
        QList<ghl::CustomField> fields;
        bool done = false;
        auto *job = client.listCustomFields();
        connect(job, &ghl::GhlJob::finished, this, [&] {
            done = true;
            fields = job->fields();
        });
        if (!QTest::qWaitFor([&] { return done; }, test::kWaitMs))
            qWarning("the custom field list did not arrive");
        return fields;
    }

    static int rowOf(QTableWidget *table, const QString &productId)
    {
        for (int r = 0; r < table->rowCount(); ++r) {
            if (table->item(r, 0) && table->item(r, 0)->data(Qt::UserRole).toString() == productId)
                return r;
        }
        return -1;
    }

    // Runs the page's beforeSave; returns the confirmation box it opened, or null when it went on.
    QMessageBox *confirmation(gui::MappingsSettingsPage &page, bool &proceeded)
    {
        proceeded = false;
        page.beforeSave(core::Config(), [&proceeded] { proceeded = true; });
        QMessageBox *box = nullptr;
        (void)QTest::qWaitFor([&] { return proceeded || (box = page.findChild<QMessageBox *>(QStringLiteral("mappingsConfirmBox"))); },
                        test::kWaitMs);
        return box;
    }

    static void answer(QMessageBox *box, const char *button)
    {
        auto *b = box->findChild<QPushButton *>(QString::fromLatin1(button));
        QVERIFY2(b, button);
        b->click();
    }

private slots:
    void init()
    {
        auto t = test::TestDatabase::create(db::Dialect::SQLite);
        QVERIFY_OK(t);
        m_t = std::move(t.value());
        QVERIFY_OK(m_t->migrate());
        m_worker = std::make_unique<gui::DbWorker>(m_t->shared());
        m_sim = std::make_unique<ghlsim::GhlSimulator>();
        QVERIFY(m_sim->listen());
        QList<ghlsim::SimCustomField> fields = m_sim->customFields();
        fields.append({ QStringLiteral("seatsFld00000000000e"), QStringLiteral("Seats"), QStringLiteral("contact.seats"),
                        QStringLiteral("NUMERICAL"), QStringLiteral("contact") });
        m_sim->setCustomFields(fields);
    }

    void cleanup()
    {
        m_sim.reset();
        m_worker.reset();
        m_t.reset();
    }

    void showsAndStoresTheFieldType()
    {
        db::FieldMappingRepository repo(m_t->db());
        QVERIFY_OK(repo.upsert(QStringLiteral("gala"), QStringLiteral("qrImageFld000000000c"), QStringLiteral("QR Image"),
                               QStringLiteral("FILE_UPLOAD")));
        QVERIFY_OK(repo.upsert(QStringLiteral("brunch"), QStringLiteral("seatsFld00000000000e"), QStringLiteral("Seats"),
                               QStringLiteral("NUMERICAL")));
        // Adopted from the original system: no type stored.
        QVERIFY_OK(m_t->exec(QStringLiteral("INSERT INTO ghl_qr_fields (product_id, field_id, field_name) "
                                            "VALUES ('concert', 'qrCodeFld0000000000a', 'QR Code')")));

        gui::MappingsSettingsPage page(m_worker.get());
        page.resize(820, 260);
        page.show();
        page.load(core::Config());
        auto *table = page.findChild<QTableWidget *>(QStringLiteral("mappingTable"));
        QVERIFY(table);
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 3, test::kWaitMs);
        QCOMPARE(table->columnCount(), 5);
        QCOMPARE(table->horizontalHeaderItem(3)->text(), QStringLiteral("Field type"));
        const int gala = rowOf(table, QStringLiteral("gala"));
        const int brunch = rowOf(table, QStringLiteral("brunch"));
        const int concert = rowOf(table, QStringLiteral("concert"));
        QVERIFY(gala >= 0 && brunch >= 0 && concert >= 0);
        // Before GHL's list arrives: the stored types, and "not known yet" for the adopted row.
        QCOMPARE(table->item(gala, 3)->text(), QStringLiteral("File upload"));
        QCOMPARE(table->item(concert, 3)->text(), QStringLiteral("not known yet"));

        page.setCustomFields(fieldsFromGhl());
        QCOMPARE(table->item(gala, 3)->text(), QStringLiteral("File upload"));
        QCOMPARE(table->item(concert, 3)->text(), QStringLiteral("Large text"));
        QVERIFY2(table->item(concert, 3)->icon().isNull(), "a Large text field takes the QR code: no warning");
        QCOMPARE(table->item(brunch, 3)->text(), QStringLiteral("NUMERICAL"));
        QVERIFY2(!table->item(brunch, 3)->icon().isNull(), "a field of another type must carry a warning icon");
        QVERIFY2(table->item(brunch, 3)->toolTip().contains(QStringLiteral("cannot")), qPrintable(table->item(brunch, 3)->toolTip()));

        // Choosing another field shows its type at once.
        auto *combo = qobject_cast<QComboBox *>(table->cellWidget(brunch, 2));
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData(QStringLiteral("ticketUrlFld0000000b")));
        QCOMPARE(table->item(brunch, 3)->text(), QStringLiteral("Text"));
        combo->setCurrentIndex(combo->findData(QStringLiteral("seatsFld00000000000e")));
        test::screenshot(&page, QStringLiteral("settings-mappings-types"));
        combo->setCurrentIndex(combo->findData(QStringLiteral("ticketUrlFld0000000b")));

        // OK stores the new field with its type, and the adopted mapping learns its type.
        bool stored = false;
        QStringList problems;
        page.store([&](const QStringList &p) {
            stored = true;
            problems = p;
        });
        QTRY_VERIFY_WITH_TIMEOUT(stored, test::kWaitMs);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(repo.forProduct(QStringLiteral("brunch")).value()->fieldType, QStringLiteral("TEXT"));
        QCOMPARE(repo.forProduct(QStringLiteral("brunch")).value()->fieldId, QStringLiteral("ticketUrlFld0000000b"));
        QCOMPARE(repo.forProduct(QStringLiteral("concert")).value()->fieldType, QStringLiteral("LARGE_TEXT"));
        QCOMPARE(repo.forProduct(QStringLiteral("gala")).value()->fieldType, QStringLiteral("FILE_UPLOAD"));
    }

    // The ticket PDF column lists only File upload fields, is stored beside the QR field, refuses
    // the QR's own field and goes with the row when its QR field is removed.
    void ticketPdfFieldIsAFileUploadFieldOfItsOwn()
    {
        QList<ghlsim::SimCustomField> fields = m_sim->customFields();
        fields.append({ QStringLiteral("ticketsPdfFld0000001"), QStringLiteral("Tickets"), QStringLiteral("contact.tickets"),
                        QStringLiteral("FILE_UPLOAD"), QStringLiteral("contact") });
        m_sim->setCustomFields(fields);
        db::FieldMappingRepository repo(m_t->db());
        QVERIFY_OK(repo.upsert(QStringLiteral("gala"), QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"),
                               QStringLiteral("LARGE_TEXT")));
        QVERIFY_OK(repo.upsert(QStringLiteral("brunch"), QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"),
                               QStringLiteral("LARGE_TEXT")));
        gui::MappingsSettingsPage page(m_worker.get());
        page.resize(1000, 260);
        page.show();
        page.load(core::Config());
        auto *table = page.findChild<QTableWidget *>(QStringLiteral("mappingTable"));
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 2, test::kWaitMs);
        page.setCustomFields(fieldsFromGhl());
        const int gala = rowOf(table, QStringLiteral("gala"));
        auto *pdf = qobject_cast<QComboBox *>(table->cellWidget(gala, 4));
        QVERIFY(pdf);
        QCOMPARE(pdf->currentData().toString(), QString());
        for (int i = 1; i < pdf->count(); ++i) {
            const QString id = pdf->itemData(i).toString();
            QVERIFY2(id == QStringLiteral("qrImageFld000000000c") || id == QStringLiteral("ticketsPdfFld0000001"),
                     qPrintable(QStringLiteral("%1 is not a File upload field").arg(id)));
        }
        pdf->setCurrentIndex(pdf->findData(QStringLiteral("ticketsPdfFld0000001")));
        test::screenshot(&page, QStringLiteral("settings-mappings-ticket-pdf"));
        bool stored = false;
        QStringList problems;
        page.store([&](const QStringList &p) {
            stored = true;
            problems = p;
        });
        QTRY_VERIFY_WITH_TIMEOUT(stored, test::kWaitMs);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QCOMPARE(repo.forProduct(QStringLiteral("gala")).value()->ticketPdfFieldId, QStringLiteral("ticketsPdfFld0000001"));
        QCOMPARE(repo.forProduct(QStringLiteral("gala")).value()->ticketPdfFieldName, QStringLiteral("Tickets"));
        QCOMPARE(repo.forProduct(QStringLiteral("brunch")).value()->ticketPdfFieldId, QString());

        // The QR field and the ticket PDF field the same: refused, nothing stored.
        auto *qr = qobject_cast<QComboBox *>(table->cellWidget(gala, 2));
        QVERIFY(qr->findData(QStringLiteral("ticketsPdfFld0000001")) > 0);
        qr->setCurrentIndex(qr->findData(QStringLiteral("ticketsPdfFld0000001")));
        QCOMPARE(qobject_cast<QComboBox *>(table->cellWidget(gala, 4))->currentData().toString(), QStringLiteral("ticketsPdfFld0000001"));
        stored = false;
        page.store([&](const QStringList &p) {
            stored = true;
            problems = p;
        });
        QTRY_VERIFY_WITH_TIMEOUT(stored, test::kWaitMs);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(repo.forProduct(QStringLiteral("gala")).value()->fieldId, QStringLiteral("qrCodeFld0000000000a"));

        // No QR field: the row goes, its ticket PDF field with it.
        qr->setCurrentIndex(0);
        stored = false;
        page.store([&](const QStringList &p) {
            stored = true;
            problems = p;
        });
        QTRY_VERIFY_WITH_TIMEOUT(stored, test::kWaitMs);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u'\n')));
        QVERIFY(!repo.forProduct(QStringLiteral("gala")).value().has_value());
    }

    // A ticket PDF field set on a product with past sales sends the PDF to every past buyer who
    // has none (as a newly mapped QR field does): saving says how many and asks first.
    void newTicketPdfFieldAsksWithTheNumberOfPastOrders()
    {
        m_sim->generate(6, 42);
        QList<ghlsim::SimCustomField> fields = m_sim->customFields();
        fields.append({ QStringLiteral("ticketsPdfFld0000001"), QStringLiteral("Tickets"), QStringLiteral("contact.tickets"),
                        QStringLiteral("FILE_UPLOAD"), QStringLiteral("contact") });
        m_sim->setCustomFields(fields);
        QList<core::Order> orders;
        for (const QString &id : m_sim->orderIds())
            orders << ghl::orderFromJson(m_sim->orderJson(id)).value();
        QVERIFY_OK(db::OrderWriter(m_t->db()).save(orders, QStringLiteral("test")));
        const QString product = orders.first().items.first().productId;
        int expected = 0;
        for (const core::Order &o : std::as_const(orders)) {
            const bool has = std::any_of(o.items.cbegin(), o.items.cend(), [&](const core::OrderItem &i) { return i.productId == product; });
            expected += has && !o.isVoid() && !o.contactId.isEmpty() && o.qrCodeImage.isEmpty() ? 1 : 0;
        }
        QVERIFY2(expected > 0, "the generated orders must include past buyers of the product");
        db::FieldMappingRepository repo(m_t->db());
        QVERIFY_OK(repo.upsert(product, QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"), QStringLiteral("LARGE_TEXT")));

        gui::MappingsSettingsPage page(m_worker.get());
        page.resize(1000, 300);
        page.show();
        page.load(core::Config());
        auto *table = page.findChild<QTableWidget *>(QStringLiteral("mappingTable"));
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(table, product) >= 0, test::kWaitMs);
        page.setCustomFields(fieldsFromGhl());
        bool proceeded = false;
        QVERIFY2(!confirmation(page, proceeded) && proceeded, "nothing new to send: saving must not ask");

        auto *pdf = qobject_cast<QComboBox *>(table->cellWidget(rowOf(table, product), 4));
        pdf->setCurrentIndex(pdf->findData(QStringLiteral("ticketsPdfFld0000001")));
        QMessageBox *box = confirmation(page, proceeded);
        QVERIFY2(box, "setting a ticket PDF field on a product with past orders must ask before saving");
        QVERIFY(!proceeded);
        const QString text = box->text() + u'\n' + box->informativeText();
        QVERIFY2(text.contains(QStringLiteral("%1 past order").arg(expected)), qPrintable(text));
        test::screenshot(box, QStringLiteral("settings-mappings-ticket-pdf-confirm"));
        answer(box, "keepEditingButton");
        QTRY_VERIFY_WITH_TIMEOUT(!page.findChild<QMessageBox *>(QStringLiteral("mappingsConfirmBox")), test::kWaitMs);
        QVERIFY2(!proceeded, "Keep editing must not save");

        box = confirmation(page, proceeded);
        QVERIFY(box);
        answer(box, "saveMappingsButton");
        QTRY_VERIFY_WITH_TIMEOUT(proceeded, test::kWaitMs);
    }

    // Clearing the QR field removes the row, its ticket PDF field with it: saving says so first.
    void clearingTheQrFieldWarnsThatTheTicketPdfFieldGoes()
    {
        QList<ghlsim::SimCustomField> fields = m_sim->customFields();
        fields.append({ QStringLiteral("ticketsPdfFld0000001"), QStringLiteral("Tickets"), QStringLiteral("contact.tickets"),
                        QStringLiteral("FILE_UPLOAD"), QStringLiteral("contact") });
        m_sim->setCustomFields(fields);
        db::FieldMappingRepository repo(m_t->db());
        QVERIFY_OK(repo.upsert(QStringLiteral("gala"), QStringLiteral("qrCodeFld0000000000a"), QStringLiteral("QR Code"),
                               QStringLiteral("LARGE_TEXT")));
        QVERIFY_OK(repo.setTicketPdfField(QStringLiteral("gala"), QStringLiteral("ticketsPdfFld0000001"), QStringLiteral("Tickets")));
        gui::MappingsSettingsPage page(m_worker.get());
        page.resize(1000, 260);
        page.show();
        page.load(core::Config());
        auto *table = page.findChild<QTableWidget *>(QStringLiteral("mappingTable"));
        QTRY_COMPARE_WITH_TIMEOUT(table->rowCount(), 1, test::kWaitMs);
        page.setCustomFields(fieldsFromGhl());
        qobject_cast<QComboBox *>(table->cellWidget(0, 2))->setCurrentIndex(0);
        bool proceeded = false;
        QMessageBox *box = confirmation(page, proceeded);
        QVERIFY2(box, "removing a QR field that carries a ticket PDF field must warn before saving");
        const QString text = box->text() + u'\n' + box->informativeText();
        QVERIFY2(text.contains(QStringLiteral("Tickets")) && text.contains(QStringLiteral("ticket PDF")), qPrintable(text));
        test::screenshot(box, QStringLiteral("settings-mappings-qr-cleared-confirm"));
        answer(box, "keepEditingButton");
        QTRY_VERIFY_WITH_TIMEOUT(!page.findChild<QMessageBox *>(QStringLiteral("mappingsConfirmBox")), test::kWaitMs);
        QVERIFY(!proceeded);
        QCOMPARE(repo.forProduct(QStringLiteral("gala")).value()->ticketPdfFieldId, QStringLiteral("ticketsPdfFld0000001"));
    }
};

QTEST_MAIN(TestMappings)
#include "tst_mappings.moc"
