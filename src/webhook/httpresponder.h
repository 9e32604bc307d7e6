#pragma once

#include "webhook/httpmessage.h"

#include <memory>

namespace qrt::webhook {

class HttpConnection;

// The way a handler answers, now or later and from any thread (an inbox commit may run on a
// worker). Copyable; the first send() wins. If every copy is dropped without an answer, the
// client gets a 500 so the connection is never left hanging.
class HttpResponder
{
public:
    HttpResponder() = default;
    void send(HttpResponse response) const;
    bool isValid() const { return d != nullptr; }

private:
    friend class HttpConnection;
    struct Private;
    explicit HttpResponder(std::shared_ptr<Private> p) : d(std::move(p)) { }
    std::shared_ptr<Private> d;
};

} // namespace qrt::webhook
