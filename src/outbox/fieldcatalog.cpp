#include "outbox/fieldcatalog.h"

#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"

#include <QCoreApplication>
#include <QTimer>

namespace qrt::outbox {

FieldCatalog::FieldCatalog(int maxAgeMs, QObject *parent) : QObject(parent), m_maxAgeMs(maxAgeMs) { }

void FieldCatalog::invalidate()
{
    m_valid = false;
}

void FieldCatalog::fetch(ghl::GhlClient *client, Callback callback)
{
    if (m_valid && m_age.isValid() && m_age.elapsed() < m_maxAgeMs) {
        QTimer::singleShot(0, this, [this, callback] { callback(m_fields); });
        return;
    }
    m_waiting << std::move(callback);
    if (m_fetching)
        return;
    m_fetching = true;
    ghl::ListCustomFieldsJob *job = client->listCustomFields();
    connect(job, &ghl::GhlJob::finished, this, [this, job] {
        m_fetching = false;
        core::Result<Fields> result = Fields();
        if (job->ok()) {
            Fields fields;
            for (const ghl::CustomField &f : job->fields())
                fields.insert(f.id, f);
            m_fields = fields;
            m_valid = true;
            m_age.start();
            result = fields;
        } else {
            result = core::makeError(
                QStringLiteral("outbox.custom_fields"),
                QCoreApplication::translate("qrt::outbox::FieldCatalog", "Reading the contact custom fields from GHL failed: %1")
                    .arg(job->error().toString()));
        }
        const QList<Callback> waiting = std::exchange(m_waiting, {});
        for (const Callback &c : waiting)
            c(result);
    });
}

} // namespace qrt::outbox
