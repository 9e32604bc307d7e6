#include "ghl/connectiontest.h"

#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"

namespace qrt::ghl {

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
        } else {
            result.ok = true;
            result.fields = job->fields();
            result.message = tr("Connected: the location has %n custom field(s).", nullptr, int(result.fields.size()));
        }
        Q_EMIT finished(result);
    });
}

} // namespace qrt::ghl
