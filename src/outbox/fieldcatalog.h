#pragma once

#include "core/result.h"
#include "ghl/ghltypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>

#include <functional>

namespace qrt::ghl {
class GhlClient;
}

namespace qrt::outbox {

// The location's contact custom fields (GET /locations/{id}/customFields) by id, kept for
// maxAgeMs: what type a mapped field is (TEXT, LARGE_TEXT, FILE_UPLOAD ...) and whether it still
// exists. Callers that ask while a request is running share its answer.
class FieldCatalog : public QObject
{
    Q_OBJECT
public:
    using Fields = QHash<QString, ghl::CustomField>;
    using Callback = std::function<void(const core::Result<Fields> &)>;

    explicit FieldCatalog(int maxAgeMs = 60000, QObject *parent = nullptr);

    // Calls back (never from inside fetch()) with the fields, asking GHL when they are older
    // than maxAgeMs or were never read.
    void fetch(ghl::GhlClient *client, Callback callback);
    // The next fetch() asks GHL (a token or location changed, a mapping changed).
    void invalidate();

private:
    int m_maxAgeMs;
    Fields m_fields;
    QElapsedTimer m_age;
    bool m_valid = false;
    bool m_fetching = false;
    QList<Callback> m_waiting;
};

} // namespace qrt::outbox
