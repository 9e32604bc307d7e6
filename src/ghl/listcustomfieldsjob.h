#pragma once

#include "ghl/ghljob.h"
#include "ghl/ghltypes.h"

#include <QList>

namespace qrt::ghl {

// GET /locations/{locationId}/customFields[?model=contact] (scope locations/customFields.readonly).
class ListCustomFieldsJob : public GhlJob
{
    Q_OBJECT
public:
    explicit ListCustomFieldsJob(GhlClient *client, const QString &model = QStringLiteral("contact"),
                                 QObject *parent = nullptr);

    const QList<CustomField> &fields() const { return m_fields; }

protected:
    Request buildRequest() const override;
    GhlError parse(const QByteArray &body) override;

private:
    QString m_model;
    QList<CustomField> m_fields;
};

} // namespace qrt::ghl
