// ghl_qr_fields.field_type (migration 7): the mapped custom field's GHL dataType, stored with the
// mapping and read back, on SQLite and PostgreSQL; adopted rows have none.
#include "db/database.h"
#include "db/fieldmappingrepository.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QTest>

using namespace qrt;

class TestFieldMapping : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void typeIsStoredAndReadBack()
    {
        db::FieldMappingRepository fields(m_t->db());
        QVERIFY_OK(fields.upsert(QStringLiteral("p1"), QStringLiteral("fImg"), QStringLiteral("QR Image"),
                                 QStringLiteral("FILE_UPLOAD")));
        QVERIFY_OK(fields.apply({ { QStringLiteral("p2"), QStringLiteral("fTxt"), QStringLiteral("QR Code"), QStringLiteral("LARGE_TEXT") },
                                  { QStringLiteral("p3"), QStringLiteral("fNum"), QStringLiteral("Seats"), QStringLiteral("NUMERICAL") } }));
        auto one = fields.forProduct(QStringLiteral("p1"));
        QVERIFY_OK(one);
        QCOMPARE(one.value()->fieldType, QStringLiteral("FILE_UPLOAD"));
        QHash<QString, QString> types;
        for (const db::FieldMapping &m : fields.list().value())
            types.insert(m.productId, m.fieldType);
        QCOMPARE(types.value(QStringLiteral("p2")), QStringLiteral("LARGE_TEXT"));
        QCOMPARE(types.value(QStringLiteral("p3")), QStringLiteral("NUMERICAL"));
        QCOMPARE(m_t->scalar(QStringLiteral("SELECT field_type FROM ghl_qr_fields WHERE product_id = 'p1'")).value().toString(),
                 QStringLiteral("FILE_UPLOAD"));

        // Mapping the product to another field replaces the type with that field's.
        QVERIFY_OK(fields.upsert(QStringLiteral("p1"), QStringLiteral("fTxt"), QStringLiteral("QR Code"), QStringLiteral("TEXT")));
        QCOMPARE(fields.forProduct(QStringLiteral("p1")).value()->fieldType, QStringLiteral("TEXT"));
        // A type not known is NULL, not an empty string.
        QVERIFY_OK(fields.upsert(QStringLiteral("p4"), QStringLiteral("fX"), QStringLiteral("X")));
        QVERIFY(m_t->scalar(QStringLiteral("SELECT field_type FROM ghl_qr_fields WHERE product_id = 'p4'")).value().isNull());
    }

    void adoptedRowHasNoTypeUntilResolved()
    {
        // As the original system (or a database before migration 7) left it: no field_type.
        QVERIFY_OK(m_t->exec(QStringLiteral(
            "INSERT INTO ghl_qr_fields (product_id, field_id, field_name) VALUES ('old1', 'fImg', 'QR Image'), "
            "('old2', 'fImg', 'QR Image'), ('old3', 'fTxt', 'QR Code')")));
        db::FieldMappingRepository fields(m_t->db());
        auto old = fields.forProduct(QStringLiteral("old1"));
        QVERIFY_OK(old);
        QVERIFY2(old.value()->fieldType.isEmpty(), "an adopted mapping has no type: the caller asks GHL");
        QCOMPARE(db::qrDeliveryFor(old.value()->fieldType), db::QrDelivery::Unknown);

        // The outbox resolved it from GHL's custom field list: every mapping to that field learns it.
        auto changed = fields.setFieldType(QStringLiteral("fImg"), QStringLiteral("FILE_UPLOAD"));
        QVERIFY_OK(changed);
        QCOMPARE(changed.value(), 2);
        QCOMPARE(fields.setFieldType(QStringLiteral("fImg"), QStringLiteral("FILE_UPLOAD")).value(), 0); // already known
        QCOMPARE(fields.setFieldType(QStringLiteral("fTxt"), QString()).value(), 0); // nothing learnt
        QCOMPARE(fields.forProduct(QStringLiteral("old2")).value()->fieldType, QStringLiteral("FILE_UPLOAD"));
        QVERIFY(fields.forProduct(QStringLiteral("old3")).value()->fieldType.isEmpty());
    }

    void deliveryFollowsTheType()
    {
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("TEXT")), db::QrDelivery::DataUrl);
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("LARGE_TEXT")), db::QrDelivery::DataUrl);
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("FILE_UPLOAD")), db::QrDelivery::FileUpload);
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("file_upload")), db::QrDelivery::FileUpload);
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("NUMERICAL")), db::QrDelivery::Unsupported);
        QCOMPARE(db::qrDeliveryFor(QStringLiteral("SINGLE_OPTIONS")), db::QrDelivery::Unsupported);
        QCOMPARE(db::qrDeliveryFor(QString()), db::QrDelivery::Unknown);
    }
};

QTEST_GUILESS_MAIN(TestFieldMapping)
#include "tst_fieldmapping.moc"
