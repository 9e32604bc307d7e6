#pragma once

#include "core/config.h"
#include "ghl/ghltypes.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

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
    // Write scopes the token lacks, of those QR delivery needs: contacts.write (TEXT / LARGE_TEXT
    // fields, PUT /contacts/{id}) and forms.write (FILE_UPLOAD fields, POST
    // /forms/upload-custom-files). Named in message; ok stays true (the connection works).
    QStringList missingScopes;
    // Scopes that could not be checked (GHL did not answer the check); named in details.
    QStringList uncheckedScopes;
};

// "Test connection" with settings that are not the application's yet (as typed in Settings):
// lists the location's custom fields with a short-lived client of its own, so the application's
// GhlClient, its rate limit and its settings stay untouched. Then (unless turned off) it checks
// the write scopes QR delivery needs: GHL has no call that lists a token's scopes, so it sends
// one request to each write endpoint that cannot change anything (PUT /contacts/ of a contact id
// that does not exist; POST /forms/upload-custom-files without a contact and without a file).
// GHL checks the scope first: 401/403 means the scope is missing, any other refusal that it is
// there. One-shot: start() once, finished()
// once; the owner deletes it afterwards (deleteLater() from the slot is fine). Deleting it earlier
// abandons the request without a signal.
class ConnectionTest : public QObject
{
    Q_OBJECT
public:
    explicit ConnectionTest(QObject *parent = nullptr);
    ~ConnectionTest() override;

    // Before start(): false skips the write-scope check (loading the field list only).
    void setCheckWriteScopes(bool check) { m_checkWriteScopes = check; }
    void start(const core::GhlSettings &settings);

Q_SIGNALS:
    void finished(const qrt::ghl::ConnectionTestResult &result);

private:
    void checkWriteScopes(ConnectionTestResult result);
    void finishWith(ConnectionTestResult result);

    GhlClient *m_client = nullptr;
    bool m_checkWriteScopes = true;
};

} // namespace qrt::ghl

Q_DECLARE_METATYPE(qrt::ghl::ConnectionTestResult)
