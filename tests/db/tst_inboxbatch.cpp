// The group commit's INSERT (InboxRepository::commitBatch), on SQLite and PostgreSQL: on PostgreSQL
// it goes through libpq with the bodies as binary parameters (inboxbatchpq.cpp). Data accepted is
// data kept: every byte of a body comes back as it was received (a signature may be checked against
// it again), empty texts are NULL as before, and a key in any script is reported new once.
#include "db/database.h"
#include "db/inboxrepository.h"
#include "support/testdatabase.h"
#include "support/verify.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace qrt;

class TestInboxBatch : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::TestDatabase> m_t;

    QVariant column(const QString &key, const QString &name)
    {
        auto connection = m_t->db().connection();
        if (!connection)
            return {};
        QSqlQuery q(connection.value());
        q.prepare(QStringLiteral("SELECT ") + name + QStringLiteral(" FROM webhook_inbox WHERE idempotency_key = ?"));
        q.addBindValue(key);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0);
    }

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }

    void init()
    {
        QRT_FRESH_DATABASE(m_t, m_dialect);
        QVERIFY_OK(m_t->migrate());
    }

    void cleanup() { m_t.reset(); }

    void everyByteOfABodyIsKept()
    {
        QByteArray allBytes;
        for (int b = 0; b < 256; ++b)
            allBytes += char(b); // NUL, quotes, backslashes, bytes that are not UTF-8
        const QByteArray text = QStringLiteral("{\"name\":\"Zoë \\\"Ö\\\" O'Brien \\\\x00 ✓\"}").toUtf8();
        const QString umlautKey = QStringLiteral("webhook:ü-ß-✓");
        const QList<db::InboxDelivery> batch {
            { QStringLiteral("k-bytes"), QStringLiteral("OrderCreate"), QStringLiteral("o1"), QStringLiteral("c1"),
              QByteArrayLiteral("{\"content-type\":\"application/json\",\"x-ghl-signature\":\"[redacted]\"}"), allBytes },
            { umlautKey, {}, QStringLiteral("o2"), {}, {}, text },
            { QStringLiteral("k-bytes"), QStringLiteral("OrderCreate"), QStringLiteral("o1"), QStringLiteral("c1"), {}, allBytes },
        };
        db::InboxRepository repo(m_t->db());
        auto stored = repo.commitBatch(batch);
        QVERIFY_OK(stored);
        QCOMPARE(stored.value(), (QList<bool> { true, true, false }));

        QCOMPARE(column(QStringLiteral("k-bytes"), QStringLiteral("body")).toByteArray(), allBytes);
        QCOMPARE(column(umlautKey, QStringLiteral("body")).toByteArray(), text);
        // Empty texts are NULL, as the statement through Qt stored them.
        QVERIFY2(column(umlautKey, QStringLiteral("event_type")).isNull(), "an empty event type must be stored as NULL");
        QVERIFY2(column(umlautKey, QStringLiteral("headers")).isNull(), "no headers must be stored as NULL");
        QCOMPARE(column(umlautKey, QStringLiteral("state")).toString(), QStringLiteral("pending"));
        QCOMPARE(column(QStringLiteral("k-bytes"), QStringLiteral("contact_id")).toString(), QStringLiteral("c1"));
        const QJsonObject headers
            = QJsonDocument::fromJson(column(QStringLiteral("k-bytes"), QStringLiteral("headers")).toString().toUtf8()).object();
        QCOMPARE(headers.value(u"x-ghl-signature").toString(), QStringLiteral("[redacted]"));

        // The worker reads the same bytes back.
        QSet<QByteArray> claimed;
        for (int i = 0; i < 2; ++i) {
            auto item = repo.claimNext(QStringLiteral("s"));
            QVERIFY_OK(item);
            QVERIFY(item->has_value());
            claimed.insert(item->value().body);
        }
        QCOMPARE(claimed, (QSet<QByteArray> { allBytes, text }));

        // Again: both are duplicates now, in a batch of their own too.
        auto again = repo.commitBatch({ batch.at(1), batch.at(0) });
        QVERIFY_OK(again);
        QCOMPARE(again.value(), (QList<bool> { false, false }));
    }

    void postgresqlSendsTheBodiesAsParameters()
    {
        if (m_dialect != db::Dialect::PostgreSQL)
            QSKIP("by design: PostgreSQL only; SQLite binds the body as a blob anyway");
        db::InboxRepository repo(m_t->db());
        QVERIFY_OK(repo.commitBatch({ { QStringLiteral("p1"), {}, QStringLiteral("o1"), {}, {}, QByteArrayLiteral("{}") },
                                      { QStringLiteral("p2"), {}, QStringLiteral("o2"), {}, {}, QByteArrayLiteral("{}") } }));
        // Qt's driver would have left a PREPAREd INSERT whose EXECUTE carries the bodies as hex text.
        auto prepared = m_t->scalar(
            QStringLiteral("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%INSERT INTO webhook_inbox%'"));
        QVERIFY_OK(prepared);
        QCOMPARE(prepared.value().toInt(), 0);
    }
};

QTEST_GUILESS_MAIN(TestInboxBatch)
#include "tst_inboxbatch.moc"
