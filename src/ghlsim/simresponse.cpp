#include "ghlsim/simresponse.h"

#include <QJsonDocument>

namespace qrt::ghlsim {

SimResponse SimResponse::json(const QJsonObject &body)
{
    SimResponse r;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return r;
}

SimResponse SimResponse::error(int status, const QJsonValue &message)
{
    QJsonObject o { { QStringLiteral("statusCode"), status }, { QStringLiteral("message"), message } };
    if (status == 422)
        o.insert(QStringLiteral("error"), QStringLiteral("Unprocessable Entity"));
    SimResponse r;
    r.status = status;
    r.body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    return r;
}

} // namespace qrt::ghlsim
