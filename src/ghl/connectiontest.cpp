#include "ghl/connectiontest.h"

#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"

#include <QCoreApplication>
#include <QUrl>

#include <memory>

namespace qrt::ghl {

namespace {

// One request whose answer only tells whether the token has `scope` (contacts.readonly,
// contacts.write or forms.write); it cannot change anything.
class ScopeCheckJob : public GhlJob
{
public:
    ScopeCheckJob(GhlClient *client, const QString &scope) : GhlJob(client, client), m_scope(scope) {}

protected:
    Request buildRequest() const override
    {
        Request r;
        r.scope = m_scope;
        r.body = "{}";
        if (m_scope == u"forms.write") {
            // POST /forms/upload-custom-files with the location, without contactId and file.
            r.verb = "POST";
            r.path = QStringLiteral("/forms/upload-custom-files");
            r.query.addQueryItem(QStringLiteral("locationId"), client() ? client()->settings().locationId : QString());
        } else if (m_scope == u"contacts.readonly") {
            // GET /contacts/{an id no contact has}.
            r.verb = "GET";
            r.body.clear();
            r.path = QStringLiteral("/contacts/qrtickets-scope-check");
        } else {
            // PUT /contacts/{an id no contact has}, an empty body.
            r.verb = "PUT";
            r.path = QStringLiteral("/contacts/qrtickets-scope-check");
        }
        return r;
    }
    GhlError parse(const QByteArray &) override { return {}; }

private:
    QString m_scope;
};

QString whatNeedsIt(const QString &scope)
{
    if (scope == u"forms.write")
        return QCoreApplication::translate("qrt::ghl::ConnectionTest",
                                           "forms.write (QR codes into File upload fields)");
    if (scope == u"contacts.readonly")
        return QCoreApplication::translate("qrt::ghl::ConnectionTest",
                                           "contacts.readonly (checking a field before a QR code is written again)");
    return QCoreApplication::translate("qrt::ghl::ConnectionTest",
                                       "contacts.write (QR codes into Text and Large text fields)");
}

} // namespace

ConnectionTest::ConnectionTest(QObject *parent) : QObject(parent) {}

ConnectionTest::~ConnectionTest() = default;

void ConnectionTest::start(const core::GhlSettings &settings)
{
    Q_ASSERT(!m_client); // one-shot
    m_client = new GhlClient(settings, this);
    RetryPolicy policy;
    policy.maxAttempts = 2; // a test should answer within seconds, not ride out a long outage
    m_client->setRetryPolicy(policy);

    auto *job = m_client->listCustomFields();
    connect(job, &GhlJob::finished, this, [this, job] {
        ConnectionTestResult result;
        if (!job->ok()) {
            result.message = job->error().message();
            result.details = job->error().error.details;
            finishWith(result);
            return;
        }
        result.ok = true;
        result.fields = job->fields();
        result.message = tr("Connected: the location has %n custom field(s).", nullptr, int(result.fields.size()));
        if (m_checkWriteScopes)
            checkWriteScopes(result);
        else
            finishWith(result);
    });
}

void ConnectionTest::checkWriteScopes(ConnectionTestResult result)
{
    auto shared = std::make_shared<ConnectionTestResult>(std::move(result));
    // The QR delivery needs all three: it reads a contact before writing a field a second time
    // (after a crash or an expired lease), so without contacts.readonly that retry never succeeds.
    const QStringList scopes { QStringLiteral("contacts.readonly"), QStringLiteral("contacts.write"),
                               QStringLiteral("forms.write") };
    auto pending = std::make_shared<int>(int(scopes.size()));
    for (const QString &scope : scopes) {
        auto *job = new ScopeCheckJob(m_client, scope);
        job->setMaxAttempts(1);
        connect(job, &GhlJob::finished, this, [this, job, shared, pending, scope] {
            const GhlError::Kind kind = job->error().kind;
            if (kind == GhlError::Kind::Unauthorized)
                shared->missingScopes << scope;
            else if (job->error().isTransient() || kind == GhlError::Kind::Cancelled)
                shared->uncheckedScopes << scope;
            if (--*pending > 0)
                return;
            shared->missingScopes.sort();
            shared->uncheckedScopes.sort();
            if (!shared->missingScopes.isEmpty()) {
                QStringList what;
                for (const QString &s : std::as_const(shared->missingScopes))
                    what << whatNeedsIt(s);
                shared->message += u' '
                    + tr("But the token lacks scope %1: add it to the Private Integration token.")
                          .arg(what.join(QStringLiteral(", ")));
            }
            if (!shared->uncheckedScopes.isEmpty())
                shared->details = tr("Could not check scope %1: GHL did not answer the check.")
                                      .arg(shared->uncheckedScopes.join(QStringLiteral(", ")));
            finishWith(*shared);
        });
        job->start();
    }
}

void ConnectionTest::finishWith(ConnectionTestResult result)
{
    Q_EMIT finished(result);
}

} // namespace qrt::ghl
