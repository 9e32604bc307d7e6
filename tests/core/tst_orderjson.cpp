#include "ghl/orderjson.h"

#include <QFile>
#include <QTest>

using namespace qrt;

class TestOrderJson : public QObject
{
    Q_OBJECT

private slots:
    void getOrderResponse()
    {
        const QByteArray json = R"({
          "_id": "653f5e0cde5a1314e62a837c", "altId": "loc1", "altType": "location",
          "contactId": "c1", "currency": "EUR", "amount": 120.5, "status": "completed", "paymentStatus": "paid",
          "createdAt": "2024-01-01T10:00:00.000Z", "updatedAt": "2024-01-02T11:30:00.250Z",
          "contactSnapshot": {"id": "c1", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "phone": "+44"},
          "items": [
            {"name": "Gala - VIP", "qty": 2, "product": {"_id": "p1", "name": "Gala"}, "price": {"_id": "pr1", "name": "VIP", "amount": 50, "currency": "EUR"}},
            {"name": "Gala - GA", "qty": 1, "product": {"_id": "p1", "name": "Gala"}, "price": {"_id": "pr2", "name": "GA", "amount": 20.5}},
            {"name": "Workshop", "qty": 3, "product": {"_id": "p2", "name": "Workshop"}, "price": {"_id": "pr3", "name": "VIP"}}
          ]})";
        auto r = ghl::parseOrder(json);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
        const core::Order &o = r.value();
        QCOMPARE(o.orderId, QStringLiteral("653f5e0cde5a1314e62a837c"));
        QCOMPARE(o.locationId, QStringLiteral("loc1"));
        QCOMPARE(o.totalPaid, 120.5);
        QCOMPARE(o.paymentStatus, QStringLiteral("paid"));
        QCOMPARE(o.contactName(), QStringLiteral("Ada Lovelace"));
        QCOMPARE(o.eventId, QStringLiteral("p1"));
        QCOMPARE(o.eventName, QStringLiteral("Gala"));
        QCOMPARE(o.eventTicketType, QStringLiteral("VIP"));
        QCOMPARE(o.ticketQuantities.value(QStringLiteral("VIP")), 5);
        QCOMPARE(o.ticketQuantities.value(QStringLiteral("GA")), 1);
        QCOMPARE(o.items.size(), 3);
        QCOMPARE(o.ghlUpdatedAt, QDateTime(QDate(2024, 1, 2), QTime(11, 30, 0, 250), Qt::UTC));
        QCOMPARE(o.ticketDemand().size(), 3);
    }

    void officialWebhookExampleParses()
    {
        // The OrderCreate example of shared/reference/ghl-api/webhook-OrderCreate.md has the order shape.
        const QByteArray json = R"({"type":"OrderCreate","locationId":"Z4Bxl8J4SaPEPLq9IQ8g","_id":"660ed43bfdf9fc05a0de7a40",
          "altId":"Z4Bxl8J4SaPEPLq9IQ8g","altType":"location","status":"pending","contactId":"ff2JstbQJfRuofXzeT0M",
          "currency":"USD","amount":150.1,"createdAt":"2024-04-04T16:24:27.036Z","updatedAt":"2024-04-04T16:24:31.297Z",
          "contactSnapshot":{"id":"ff2JstbQJfRuofXzeT0M","firstName":"Maxwell","lastName":"Schmidt","email":"limof@mailinator.com"},
          "items":[{"name":"Men's classic tee - XL / Charcoal","qty":1,"product":{"_id":"660ed1ff95e1dc88d5b0d346","name":"Men's classic tee"},
                    "price":{"_id":"660ed20095e1dcd37bb0d392","name":"XL / Charcoal","currency":"USD","amount":17}},
                   {"name":"Tshirt - Green / S","qty":1,"product":{"_id":"64f84dea1e2c5ae21f0714dd","name":"Tshirt"},
                    "price":{"_id":"64f84dec1e2c5ae21f0714e1","name":"Green / S","currency":"USD","amount":121}}]})";
        auto r = ghl::parseOrder(json);
        QVERIFY(r);
        QCOMPARE(r->contactId, QStringLiteral("ff2JstbQJfRuofXzeT0M"));
        QCOMPARE(r->items.size(), 2);
        QCOMPARE(r->items[1].productId, QStringLiteral("64f84dea1e2c5ae21f0714dd"));
    }

    void malformedInputGivesAClearError_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("mustMention");
        QTest::newRow("not json") << QByteArray("{\"_id\": ") << "not valid JSON";
        QTest::newRow("truncated") << QByteArray(R"({"_id":"a","items":[{"qty":1)") << "not valid JSON";
        QTest::newRow("array") << QByteArray("[1,2]") << "expected a JSON object";
        QTest::newRow("no id") << QByteArray(R"({"amount": 5})") << "no order id";
        QTest::newRow("id not string") << QByteArray(R"({"_id": 12})") << "no order id";
        QTest::newRow("items not list") << QByteArray(R"({"_id":"a","items":{}})") << "items is not a list";
        QTest::newRow("item not object") << QByteArray(R"({"_id":"a","items":[3]})") << "item 1 is not an object";
        QTest::newRow("negative qty") << QByteArray(R"({"_id":"a","items":[{"qty":-1}]})") << "item 1 has no valid quantity";
        QTest::newRow("fractional qty") << QByteArray(R"({"_id":"a","items":[{"qty":1.5}]})") << "item 1 has no valid quantity";
        QTest::newRow("string qty") << QByteArray(R"({"_id":"a","items":[{"qty":"2"}]})") << "item 1 has no valid quantity";
        QTest::newRow("amount string") << QByteArray(R"({"_id":"a","amount":"ten"})") << "amount is not a number";
        QTest::newRow("empty") << QByteArray() << "not valid JSON";
    }
    void malformedInputGivesAClearError()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, mustMention);
        auto r = ghl::parseOrder(json);
        QVERIFY2(!r, "malformed order JSON was accepted");
        QCOMPARE(r.error().code, QStringLiteral("ghl.malformed"));
        QVERIFY2(r.error().message.contains(mustMention), qPrintable(r.error().message));
    }
};

QTEST_GUILESS_MAIN(TestOrderJson)
#include "tst_orderjson.moc"
