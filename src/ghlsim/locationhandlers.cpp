// The locations endpoint (locations.json): list the location's custom fields.
#include "ghlsim/simhandlers.h"
#include "ghlsim/simstore.h"

#include <QJsonArray>

namespace qrt::ghlsim::handlers {

SimResponse listCustomFields(const SimCall &call)
{
    const SimStore &store = call.store;
    if (call.params.at(0) != store.locationId())
        return SimResponse::error(403, QStringLiteral("The token does not have access to this location."));
    const QString model = call.request.query.queryItemValue(QStringLiteral("model"));
    if (!model.isEmpty() && model != u"contact" && model != u"opportunity" && model != u"all")
        return SimResponse::error(422, QJsonArray { QStringLiteral("model must be one of the following values: contact, opportunity, all") });
    QJsonArray list;
    int position = 0;
    const QList<SimCustomField> fields = store.customFields();
    for (const SimCustomField &f : fields) {
        if (!model.isEmpty() && model != u"all" && f.model != model)
            continue;
        QJsonObject o { { QStringLiteral("id"), f.id },
                        { QStringLiteral("name"), f.name },
                        { QStringLiteral("fieldKey"), f.fieldKey },
                        { QStringLiteral("placeholder"), f.name },
                        { QStringLiteral("dataType"), f.dataType },
                        { QStringLiteral("position"), position++ },
                        { QStringLiteral("locationId"), store.locationId() },
                        { QStringLiteral("model"), f.model } };
        if (f.dataType == u"FILE_UPLOAD") {
            o.insert(QStringLiteral("isMultiFileAllowed"), f.multipleFiles);
            o.insert(QStringLiteral("maxFileLimit"), f.multipleFiles ? 4 : 1);
        }
        list.append(o);
    }
    return SimResponse::json({ { QStringLiteral("customFields"), list } });
}

} // namespace qrt::ghlsim::handlers
