#include "ghlsim/simgenerator.h"

#include "ghlsim/simstore.h"

#include <QJsonArray>

#include <cmath>
#include <iterator>

namespace qrt::ghlsim {

namespace {

const char *const kFirstNames[] = { "Anna", "Ben", "Carla", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas",
                                    "Kira", "Luca", "Maya", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara",
                                    "Umar", "Vera", "Wen", "Xenia", "Yusuf", "Zoe" };
const char *const kLastNames[] = { "Adler", "Berger", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hansen",
                                   "Ito", "Jensen", "Kowalski", "Lopez", "Meyer", "Nowak", "Okafor", "Petrov",
                                   "Quaresma", "Rossi", "Schmidt", "Tanaka", "Urban", "Vogel", "Weber", "Yilmaz" };

} // namespace

QString SimGenerator::hexId()
{
    const quint64 a = m_rng.next();
    const quint64 b = m_rng.next();
    return QString(QString::number(a, 16).rightJustified(16, u'0') + QString::number(b, 16).rightJustified(16, u'0')).left(24);
}

QString SimGenerator::contactId()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    QString id;
    for (int i = 0; i < 20; ++i)
        id += QLatin1Char(alphabet[m_rng.next() % 62]);
    return id;
}

void SimGenerator::setupCatalog()
{
    m_productIds.clear();
    m_productPrices.clear();
    m_productNames.clear();
    const QStringList events = { QStringLiteral("Summer Gala 2026"), QStringLiteral("Jazz Night at the Harbour"),
                                 QStringLiteral("Tech Conference Day") };
    const double base[] = { 45, 30, 120 };
    for (int e = 0; e < events.size(); ++e) {
        const QString productId = hexId();
        m_productIds << productId;
        m_productNames.insert(productId, events[e]);
        QList<QJsonObject> prices;
        const QList<QPair<QString, double>> types = { { QStringLiteral("General Admission"), base[e] },
                                                      { QStringLiteral("VIP"), base[e] * 2.5 },
                                                      { QStringLiteral("Student"), std::round(base[e] * 0.6) } };
        for (const auto &[name, amount] : types)
            prices.append(QJsonObject { { QStringLiteral("_id"), hexId() },
                                        { QStringLiteral("name"), name },
                                        { QStringLiteral("amount"), amount },
                                        { QStringLiteral("currency"), QStringLiteral("USD") } });
        m_productPrices.insert(productId, prices);
    }
}

QJsonObject SimGenerator::makeOrder(SimStore &store, const QDateTime &createdAt)
{
    // 10% repeat buyers once there are contacts.
    SimContact contact;
    if (!m_generatedContacts.isEmpty() && m_rng.uniform() < 0.1) {
        const QString id = m_generatedContacts.at(qsizetype(m_rng.next() % quint64(m_generatedContacts.size())));
        contact = store.contact(id);
    } else {
        contact.id = contactId();
        contact.firstName = QString::fromLatin1(kFirstNames[m_rng.next() % std::size(kFirstNames)]);
        contact.lastName = QString::fromLatin1(kLastNames[m_rng.next() % std::size(kLastNames)]);
        contact.email = contact.firstName.toLower() + u'.' + contact.lastName.toLower() + QString::number(m_nextSerial)
            + QStringLiteral("@example.com");
        contact.phone = QStringLiteral("+1555") + QString::number(1000000 + m_rng.next() % 9000000);
        store.putContact(contact);
        m_generatedContacts << contact.id;
    }
    ++m_nextSerial;

    QJsonArray items;
    double amount = 0;
    const int lines = m_rng.uniform() < 0.15 ? 2 : 1;
    for (int l = 0; l < lines; ++l) {
        const QString productId = m_productIds.at(qsizetype(m_rng.next() % quint64(m_productIds.size())));
        const QList<QJsonObject> &prices = m_productPrices[productId];
        const QJsonObject price = prices.at(qsizetype(m_rng.next() % quint64(prices.size())));
        const int qty = 1 + int(m_rng.next() % 6);
        amount += qty * price.value(u"amount").toDouble();
        items.append(QJsonObject {
            { QStringLiteral("_id"), hexId() },
            { QStringLiteral("name"), QString(m_productNames.value(productId) + QStringLiteral(" - ") + price.value(u"name").toString()) },
            { QStringLiteral("qty"), qty },
            { QStringLiteral("product"),
              QJsonObject { { QStringLiteral("_id"), productId },
                            { QStringLiteral("name"), m_productNames.value(productId) },
                            { QStringLiteral("productType"), QStringLiteral("SERVICE") } } },
            { QStringLiteral("price"), price },
        });
    }
    const double statusDraw = m_rng.uniform();
    QString status = QStringLiteral("completed");
    QString paymentStatus = QStringLiteral("paid");
    if (statusDraw > 0.98) {
        status = QStringLiteral("refunded");
        paymentStatus = QStringLiteral("refunded");
    } else if (statusDraw > 0.95) {
        status = QStringLiteral("pending");
        paymentStatus = QStringLiteral("unpaid");
    }
    const QDateTime updatedAt = createdAt.addMSecs(qint64(m_rng.next() % 120000));
    return QJsonObject {
        { QStringLiteral("_id"), hexId() },
        { QStringLiteral("altId"), store.locationId() },
        { QStringLiteral("altType"), QStringLiteral("location") },
        { QStringLiteral("contactId"), contact.id },
        { QStringLiteral("currency"), QStringLiteral("USD") },
        { QStringLiteral("amount"), amount },
        { QStringLiteral("status"), status },
        { QStringLiteral("paymentStatus"), paymentStatus },
        { QStringLiteral("liveMode"), true },
        { QStringLiteral("createdAt"), isoTime(createdAt) },
        { QStringLiteral("updatedAt"), isoTime(updatedAt) },
        { QStringLiteral("fulfillmentStatus"), QStringLiteral("unfulfilled") },
        { QStringLiteral("contactSnapshot"),
          QJsonObject { { QStringLiteral("id"), contact.id },
                        { QStringLiteral("firstName"), contact.firstName },
                        { QStringLiteral("lastName"), contact.lastName },
                        { QStringLiteral("email"), contact.email },
                        { QStringLiteral("phone"), contact.phone } } },
        { QStringLiteral("amountSummary"),
          QJsonObject { { QStringLiteral("subtotal"), amount }, { QStringLiteral("discount"), 0 } } },
        { QStringLiteral("source"),
          QJsonObject { { QStringLiteral("type"), QStringLiteral("funnel") },
                        { QStringLiteral("id"), QStringLiteral("tK7iSrc0000000000001") },
                        { QStringLiteral("name"), QStringLiteral("Ticket shop") } } },
        { QStringLiteral("items"), items },
    };
}

void SimGenerator::generate(SimStore &store, int orders, quint32 seed)
{
    m_rng.state = seed;
    store.clear();
    m_generatedContacts.clear();
    m_nextSerial = 0;
    setupCatalog();
    // A fixed start keeps the data the same for a seed; spaced back from there, newest first.
    QDateTime t(QDate(2026, 6, 1), QTime(12, 0), Qt::UTC);
    for (int i = 0; i < orders; ++i) {
        store.appendOrder(makeOrder(store, t));
        t = t.addSecs(-qint64(60 + m_rng.next() % 5400));
    }
}

QStringList SimGenerator::addOrders(SimStore &store, int n)
{
    if (m_productIds.isEmpty())
        setupCatalog();
    QStringList ids;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    for (int i = 0; i < n; ++i) {
        QJsonObject order = makeOrder(store, now.addMSecs(i));
        order.insert(QStringLiteral("updatedAt"), order.value(u"createdAt"));
        ids << order.value(u"_id").toString();
        store.appendOrder(order);
    }
    store.sortOrders();
    return ids;
}

} // namespace qrt::ghlsim
