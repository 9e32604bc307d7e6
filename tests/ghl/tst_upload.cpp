// QR delivery into FILE_UPLOAD custom fields: GhlClient's POST /forms/upload-custom-files against
// the simulator over a real socket (multipart arrives intact, the contact then holds the file),
// what the simulator refuses, and Test connection's write-scope check.
#include "ghl/connectiontest.h"
#include "ghl/ghlclient.h"
#include "ghl/updatecontactfieldjob.h"
#include "ghl/uploadcustomfilesjob.h"
#include "ghlsim/ghlsimulator.h"
#include "support/timeouts.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace qrt;
using ghl::GhlError;
using ghlsim::Endpoint;
using ghlsim::GhlSimulator;

namespace {

const QString kFileField = QStringLiteral("qrImageFld000000000c"); // FILE_UPLOAD in the simulator
const QString kTextField = QStringLiteral("ticketUrlFld0000000b"); // TEXT

// A real 2x2 PNG, then bytes a careless multipart parser would trip over (CR LF, "--", NUL, 0xff).
QByteArray samplePng()
{
    return QByteArray::fromBase64("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADElEQVR4nGNg+A+EAAYAAf+T0eSJAAAAAElFTkSuQmCC")
        + QByteArray("\r\n--boundary\r\n\x00\xff\r\n", 19);
}

struct Done
{
    bool finished = false;
    GhlError error;
    int status = 0;
    QJsonObject contact;
    QString fileId;
    QString partName;
};

QString describe(const GhlError &e)
{
    return ghl::toString(e.kind) + QStringLiteral(": ") + e.error.toString();
}

// The value GET /contacts/{id} (or an update's answer) shows for one custom field.
QJsonValue fieldValue(const QJsonObject &contact, const QString &fieldId)
{
    for (const QJsonValue &v : contact.value(u"customFields").toArray()) {
        if (v.toObject().value(u"id").toString() == fieldId)
            return v.toObject().value(u"value");
    }
    return {};
}

} // namespace

class TestUpload : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<GhlSimulator> m_sim;
    std::unique_ptr<ghl::GhlClient> m_client;
    QNetworkAccessManager m_nam;

    core::GhlSettings settings() const
    {
        core::GhlSettings s;
        s.baseUrl = m_sim->baseUrl();
        s.locationId = m_sim->locationId();
        s.token = m_sim->token();
        s.apiVersion = QStringLiteral("2021-07-28");
        s.requestTimeoutMs = 15000;
        return s;
    }

    Done upload(const QString &contactId, const QString &fieldId, const QString &fileName, const QByteArray &content,
                const QByteArray &type = QByteArrayLiteral("image/png"))
    {
        Done d;
        ghl::UploadCustomFilesJob *job = m_client->uploadCustomFile(contactId, fieldId, fileName, content, type);
        d.fileId = job->fileId();
        d.partName = job->partName();
        connect(job, &ghl::GhlJob::finished, this, [&d, job] {
            d.finished = true;
            d.error = job->error();
            d.status = job->httpStatus();
            d.contact = job->contact();
        });
        if (!QTest::qWaitFor([&d] { return d.finished; }, test::kWaitMs))
            qWarning("the upload did not finish in time");
        return d;
    }

    // A request straight to the simulator, for what the client would never send.
    std::pair<int, QJsonObject> raw(const QByteArray &verb, const QString &pathAndQuery, const QByteArray &body = {},
                                    const QByteArray &contentType = {})
    {
        QNetworkRequest request(QUrl(m_sim->baseUrl().toString() + pathAndQuery));
        request.setRawHeader("Authorization", "Bearer " + m_sim->token().toUtf8());
        request.setRawHeader("Version", "2021-07-28");
        if (!contentType.isEmpty())
            request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, test::kWaitMs))
            qWarning("no answer from the simulator");
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QJsonObject json = QJsonDocument::fromJson(reply->readAll()).object();
        reply->deleteLater();
        return { status, json };
    }

    QJsonObject getContact(const QString &contactId)
    {
        const auto [status, json] = raw("GET", QStringLiteral("/contacts/") + contactId);
        if (status != 200)
            qWarning("GET /contacts/%s answered %d", qPrintable(contactId), status);
        return json.value(u"contact").toObject();
    }

private Q_SLOTS:
    void init()
    {
        m_sim = std::make_unique<GhlSimulator>();
        QVERIFY2(m_sim->listen(), "the simulator must listen on 127.0.0.1");
        m_sim->generate(5, 11);
        m_sim->setRateLimit(0, 1000);
        m_client = std::make_unique<ghl::GhlClient>(settings());
        ghl::RetryPolicy p;
        p.maxAttempts = 3;
        p.baseDelayMs = 20;
        p.maxDelayMs = 100;
        m_client->setRetryPolicy(p);
    }

    void cleanup()
    {
        m_client.reset();
        m_sim.reset();
    }

    void multipartArrivesIntact()
    {
        const QString contactId = m_sim->contactIds().first();
        const QByteArray png = samplePng();
        const Done d = upload(contactId, kFileField, QStringLiteral("qr-65f0c0ffee0000000000abcd.png"), png);
        QVERIFY2(!d.error.isError(), qPrintable(describe(d.error)));
        QCOMPARE(d.status, 200);
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))
                     .match(d.fileId)
                     .hasMatch(),
                 qPrintable(QStringLiteral("the file id must be a uuid, not ") + d.fileId));
        QCOMPARE(d.partName, kFileField + u'_' + d.fileId);

        // On the wire: POST with the query, multipart with the part name, file name and type.
        const ghlsim::SimRequest r = m_sim->requests().constLast();
        QCOMPARE(r.endpoint, Endpoint::UploadCustomFiles);
        QCOMPARE(r.method, QByteArray("POST"));
        QCOMPARE(r.path, QStringLiteral("/forms/upload-custom-files"));
        QCOMPARE(r.query.queryItemValue(QStringLiteral("contactId")), contactId);
        QCOMPARE(r.query.queryItemValue(QStringLiteral("locationId")), m_sim->locationId());
        QVERIFY2(r.header("content-type").startsWith("multipart/form-data; boundary="), r.header("content-type").constData());
        QVERIFY2(r.body.contains(QByteArray("Content-Disposition: form-data; name=\"" + d.partName.toUtf8()
                                            + "\"; filename=\"qr-65f0c0ffee0000000000abcd.png\"")),
                 r.body.left(400).constData());
        QVERIFY2(r.body.contains("Content-Type: image/png"), r.body.left(400).constData());
        QVERIFY2(r.body.contains(png), "the PNG bytes must arrive unchanged inside the multipart body");

        // What the simulator took out of it.
        const QList<ghlsim::SimUpload> uploads = m_sim->uploads();
        QCOMPARE(uploads.size(), 1);
        QCOMPARE(uploads[0].contactId, contactId);
        QCOMPARE(uploads[0].fieldId, kFileField);
        QCOMPARE(uploads[0].fileId, d.fileId);
        QCOMPARE(uploads[0].fileName, QStringLiteral("qr-65f0c0ffee0000000000abcd.png"));
        QCOMPARE(uploads[0].mimeType, QByteArray("image/png"));
        QVERIFY2(uploads[0].content == png, "the uploaded bytes must be exactly the PNG sent");
        QCOMPARE(m_sim->uploadCount(contactId, kFileField, QStringLiteral("qr-65f0c0ffee0000000000abcd.png")), 1);
    }

    void contactShowsTheFile()
    {
        const QString contactId = m_sim->contactIds().first();
        const QByteArray png = samplePng();
        const Done d = upload(contactId, kFileField, QStringLiteral("qr-order1.png"), png);
        QVERIFY2(!d.error.isError(), qPrintable(describe(d.error)));
        // The answer is the updated contact, and GET /contacts/{id} shows the same FileField value.
        for (const QJsonObject &contact : { d.contact, getContact(contactId) }) {
            QCOMPARE(contact.value(u"id").toString(), contactId);
            const QJsonObject value = fieldValue(contact, kFileField).toObject();
            QVERIFY2(value.contains(d.fileId), qPrintable(QString::fromUtf8(QJsonDocument(contact).toJson())));
            const QJsonObject file = value.value(d.fileId).toObject();
            const QJsonObject meta = file.value(u"meta").toObject();
            QCOMPARE(meta.value(u"originalname").toString(), QStringLiteral("qr-order1.png"));
            QCOMPARE(meta.value(u"mimetype").toString(), QStringLiteral("image/png"));
            QCOMPARE(meta.value(u"size").toInteger(), png.size());
            QCOMPARE(meta.value(u"uuid").toString(), d.fileId);
            QCOMPARE(meta.value(u"fieldname").toString(), kFileField);
            QVERIFY(!file.value(u"documentId").toString().isEmpty());
            QVERIFY(file.value(u"url").toString().endsWith(file.value(u"documentId").toString()));
        }
        // A second order's QR replaces the file of a single-file field; both uploads are counted.
        const Done second = upload(contactId, kFileField, QStringLiteral("qr-order2.png"), png);
        QVERIFY2(!second.error.isError(), qPrintable(describe(second.error)));
        const QJsonObject now = m_sim->contactFiles(contactId, kFileField);
        QCOMPARE(now.keys(), QStringList { second.fileId });
        QCOMPARE(m_sim->uploadCount(contactId, kFileField), 2);
        const auto counts = m_sim->uploadCounts();
        QCOMPARE(counts.value(ghlsim::SimUploadKey { contactId, kFileField, QStringLiteral("qr-order1.png") }), 1);
        QCOMPARE(counts.value(ghlsim::SimUploadKey { contactId, kFileField, QStringLiteral("qr-order2.png") }), 1);
    }

    void stringIntoFileUploadIsRefused()
    {
        const QString contactId = m_sim->contactIds().first();
        GhlError error;
        bool finished = false;
        auto *job = m_client->updateContactFields(
            contactId, { { kFileField, QStringLiteral("data:image/png;base64,") + QString::fromLatin1(samplePng().toBase64()) } });
        connect(job, &ghl::GhlJob::finished, this, [&] {
            finished = true;
            error = job->error();
        });
        QTRY_VERIFY_WITH_TIMEOUT(finished, test::kWaitMs);
        QVERIFY2(error.kind == GhlError::Kind::BadRequest, qPrintable(describe(error)));
        QCOMPARE(error.httpStatus, 422);
        QVERIFY2(error.message().contains(QStringLiteral("FILE_UPLOAD")), qPrintable(error.message()));
        QVERIFY2(m_sim->contactFieldValue(contactId, kFileField).isEmpty(), "a refused write must not be stored");
        QVERIFY(m_sim->contactFiles(contactId, kFileField).isEmpty());
        // A TEXT field still takes the data URL, as the original system wrote it.
        QVERIFY(raw("PUT", QStringLiteral("/contacts/") + contactId,
                    R"({"customFields":[{"id":"ticketUrlFld0000000b","field_value":"data:image/png;base64,AA=="}]})",
                    "application/json")
                    .first
                == 200);
        QCOMPARE(m_sim->contactFieldValue(contactId, kTextField), QStringLiteral("data:image/png;base64,AA=="));
    }

    void refusesWhatIsNotAnAllowedPng_data()
    {
        QTest::addColumn<QString>("fieldId");
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("why");
        QTest::newRow("not png bytes") << kFileField << QStringLiteral("qr-1.png") << QByteArray("image/png")
                                       << QByteArray("<html>not a picture</html>") << QStringLiteral("not a image/png");
        QTest::newRow("type not allowed") << kFileField << QStringLiteral("tool.exe") << QByteArray("application/x-msdownload")
                                          << QByteArray("MZ\x90\x00", 4) << QStringLiteral("type not allowed");
        QTest::newRow("text field") << kTextField << QStringLiteral("qr-1.png") << QByteArray("image/png") << samplePng()
                                    << QStringLiteral("of type TEXT");
        QTest::newRow("unknown field") << QStringLiteral("noSuchFld0000000000x") << QStringLiteral("qr-1.png")
                                       << QByteArray("image/png") << samplePng() << QStringLiteral("not found");
        QTest::newRow("empty file") << kFileField << QStringLiteral("qr-1.png") << QByteArray("image/png") << QByteArray()
                                    << QStringLiteral("empty");
    }

    void refusesWhatIsNotAnAllowedPng()
    {
        QFETCH(QString, fieldId);
        QFETCH(QString, fileName);
        QFETCH(QByteArray, type);
        QFETCH(QByteArray, content);
        QFETCH(QString, why);
        const Done d = upload(m_sim->contactIds().first(), fieldId, fileName, content, type);
        QVERIFY2(d.error.isError(), "the simulator must refuse this upload");
        QCOMPARE(d.status, 400);
        QVERIFY2(d.error.message().contains(why, Qt::CaseInsensitive) || d.error.kind == GhlError::Kind::NotFound,
                 qPrintable(describe(d.error)));
        QCOMPARE(d.error.isTransient(), false);
        QCOMPARE(m_sim->requestCount(Endpoint::UploadCustomFiles), 1); // refused, not retried
        QVERIFY(m_sim->uploads().isEmpty());
    }

    void sizeLimitAndUnknownContact()
    {
        m_sim->setMaxUploadBytes(64);
        Done d = upload(m_sim->contactIds().first(), kFileField, QStringLiteral("qr-big.png"), samplePng());
        QCOMPARE(d.status, 400);
        QVERIFY2(d.error.message().contains(QStringLiteral("limited")), qPrintable(describe(d.error)));
        m_sim->setMaxUploadBytes(50LL * 1024 * 1024);
        d = upload(QStringLiteral("noSuchContact0000000"), kFileField, QStringLiteral("qr-1.png"), samplePng());
        QVERIFY2(d.error.kind == GhlError::Kind::NotFound, qPrintable(describe(d.error)));
        QVERIFY(m_sim->uploads().isEmpty());
    }

    void partNameMustBeFieldUnderscoreFileId()
    {
        const QString contactId = m_sim->contactIds().first();
        const QByteArray body = "--XyZ\r\nContent-Disposition: form-data; name=\"" + kFileField.toUtf8()
            + "\"; filename=\"qr-1.png\"\r\nContent-Type: image/png\r\n\r\n" + samplePng() + "\r\n--XyZ--\r\n";
        const auto [status, json] = raw("POST",
                                        QStringLiteral("/forms/upload-custom-files?contactId=%1&locationId=%2")
                                            .arg(contactId, m_sim->locationId()),
                                        body, "multipart/form-data; boundary=XyZ");
        QCOMPARE(status, 400);
        QVERIFY2(json.value(u"message").toString().contains(QStringLiteral("<custom_field_id>_<file_id>")),
                 QJsonDocument(json).toJson().constData());
        // The same body with a proper part name is taken, bytes intact.
        QByteArray good = body;
        good.replace(QByteArray("name=\"" + kFileField.toUtf8() + '"'), QByteArray("name=\"" + kFileField.toUtf8() + "_file-1\""));
        QCOMPARE(raw("POST",
                     QStringLiteral("/forms/upload-custom-files?contactId=%1&locationId=%2").arg(contactId, m_sim->locationId()),
                     good, "multipart/form-data; boundary=XyZ")
                     .first,
                 200);
        QCOMPARE(m_sim->uploads().size(), 1);
        QVERIFY(m_sim->uploads().first().content == samplePng());
        QCOMPARE(m_sim->uploads().first().fileId, QStringLiteral("file-1"));
    }

    void missingFormsWriteNamesTheScope()
    {
        m_sim->setTokenScopes({ QStringLiteral("payments/orders.readonly"), QStringLiteral("contacts.write"),
                                QStringLiteral("locations/customFields.readonly") });
        const Done d = upload(m_sim->contactIds().first(), kFileField, QStringLiteral("qr-1.png"), samplePng());
        QVERIFY2(d.error.kind == GhlError::Kind::Unauthorized, qPrintable(describe(d.error)));
        QVERIFY2(d.error.message().contains(QStringLiteral("forms.write")), qPrintable(d.error.message()));
    }

    void connectionTestChecksWriteScopes_data()
    {
        QTest::addColumn<QStringList>("scopes");
        QTest::addColumn<QStringList>("missing");
        QTest::newRow("all") << QStringList() << QStringList();
        QTest::newRow("no forms.write") << QStringList { QStringLiteral("contacts.readonly"), QStringLiteral("contacts.write"),
                                                         QStringLiteral("locations/customFields.readonly") }
                                        << QStringList { QStringLiteral("forms.write") };
        QTest::newRow("no contacts.readonly") << QStringList { QStringLiteral("contacts.write"), QStringLiteral("forms.write"),
                                                               QStringLiteral("locations/customFields.readonly") }
                                              << QStringList { QStringLiteral("contacts.readonly") };
        QTest::newRow("read-only token") << QStringList { QStringLiteral("locations/customFields.readonly") }
                                         << QStringList { QStringLiteral("contacts.readonly"), QStringLiteral("contacts.write"),
                                                          QStringLiteral("forms.write") };
    }

    void connectionTestChecksWriteScopes()
    {
        QFETCH(QStringList, scopes);
        QFETCH(QStringList, missing);
        m_sim->setTokenScopes(scopes);
        const QString contactId = m_sim->contactIds().first();
        const ghlsim::SimContact before = m_sim->contact(contactId);
        ghl::ConnectionTest test;
        QSignalSpy spy(&test, &ghl::ConnectionTest::finished);
        test.start(settings());
        QVERIFY2(spy.wait(test::kWaitMs) || spy.count() == 1, "the connection test must finish");
        const auto result = spy.at(0).at(0).value<ghl::ConnectionTestResult>();
        QVERIFY2(result.ok, qPrintable(result.message));
        QCOMPARE(result.fields.size(), 3);
        QCOMPARE(result.missingScopes, missing);
        QVERIFY(result.uncheckedScopes.isEmpty());
        for (const QString &scope : missing)
            QVERIFY2(result.message.contains(scope), qPrintable(result.message));
        if (missing.isEmpty())
            QVERIFY2(!result.message.contains(QStringLiteral("lacks")), qPrintable(result.message));
        // The check changed nothing.
        QVERIFY(m_sim->uploads().isEmpty());
        QCOMPARE(m_sim->contact(contactId).customFields, before.customFields);
        QCOMPARE(m_sim->requestCount(Endpoint::UpdateContact), 1);
        QCOMPARE(m_sim->requestCount(Endpoint::UploadCustomFiles), 1);
        QCOMPARE(m_sim->requestCount(Endpoint::GetContact), 1);
    }

    void fieldListKeepsTheDataType()
    {
        ghl::ConnectionTest test;
        test.setCheckWriteScopes(false);
        QSignalSpy spy(&test, &ghl::ConnectionTest::finished);
        test.start(settings());
        QVERIFY2(spy.wait(test::kWaitMs) || spy.count() == 1, "the field list must arrive");
        const auto result = spy.at(0).at(0).value<ghl::ConnectionTestResult>();
        QHash<QString, QString> types;
        for (const ghl::CustomField &f : result.fields)
            types.insert(f.id, f.dataType);
        QCOMPARE(types.value(kFileField), QStringLiteral("FILE_UPLOAD"));
        QCOMPARE(types.value(kTextField), QStringLiteral("TEXT"));
        QCOMPARE(m_sim->requestCount(Endpoint::UpdateContact) + m_sim->requestCount(Endpoint::UploadCustomFiles), 0);
    }
};

QTEST_GUILESS_MAIN(TestUpload)
#include "tst_upload.moc"
