#pragma once

#include "core/config.h"
#include "ghl/ghltypes.h"

#include <QList>
#include <QObject>
#include <QString>

namespace qrt::ghl {

class GhlClient;

// What a connection test found: ok with the location's custom fields, or a message for staff
// with technical details (never the token).
struct ConnectionTestResult
{
    bool ok = false;
    QString message;
    QString details;
    QList<CustomField> fields;
};

// "Test connection" with settings that are not the application's yet (as typed in Settings):
// lists the location's custom fields with a short-lived client of its own, so the application's
// GhlClient, its rate limit and its settings stay untouched. One-shot: start() once, finished()
// once; the owner deletes it afterwards (deleteLater() from the slot is fine). Deleting it earlier
// abandons the request without a signal.
class ConnectionTest : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionTest(QObject *parent = nullptr);
    ~ConnectionTest() override;

    void start(const core::GhlSettings &settings);

Q_SIGNALS:
    void finished(const qrt::ghl::ConnectionTestResult &result);

private:
    GhlClient *m_client = nullptr;
};

} // namespace qrt::ghl

Q_DECLARE_METATYPE(qrt::ghl::ConnectionTestResult)
