#pragma once

#include "core/clock.h"
#include "core/config.h"
#include "core/result.h"
#include "webhook/httpmessage.h"
#include "webhook/webhookpayload.h"

#include <QStringList>

#include <functional>
#include <memory>

namespace qrt::webhook {

// Decides whether a webhook request comes from GHL (or from the user's own workflow):
//  - ghl-signature: X-GHL-Signature, base64 Ed25519 over the raw body, checked against the
//    configured public key (GHL's published key by default); the legacy x-wh-signature
//    (RSA-SHA256) only when accept_legacy_rsa is on and an RSA key is configured;
//  - shared-secret: X-Webhook-Secret, Authorization: Bearer or ?token=, compared in constant time;
//  - none.
// Signed webhooks must carry a `timestamp` inside the replay window. Copies share state.
// Errors have code "webhook.unauthenticated" and a message free of secrets and signatures.
class WebhookAuthenticator
{
public:
    // ghl_public_key: base64 SPKI DER, PEM text, or the path of a PEM file holding one or more
    // public keys (an Ed25519 key for X-GHL-Signature, an RSA key for the legacy header).
    static core::Result<WebhookAuthenticator> create(const core::WebhookSettings &settings, const core::Clock &clock);

    core::WebhookAuth mode() const;
    core::Result<void> authenticate(const HttpRequest &request) const;
    // Asks the inbox whether a delivery's idempotency key is already there.
    using KnownCheck = std::function<core::Result<bool>()>;
    // The replay window check, once the body is parsed (signed mode only): a timestamp older than
    // replay_window_s, or more than 5 minutes (at most the window) ahead, is refused with
    // "webhook.unauthenticated" unless `known` says the delivery is already in the inbox (GHL
    // re-sends a 429'd delivery unchanged, up to about 70 minutes later: its id is checked before
    // its age). `known` is asked only for a delivery that would otherwise be refused; its error is
    // returned as it is (the caller answers 429, not 401).
    core::Result<void> checkFreshness(const WebhookEvent &event, const HttpRequest &request, const KnownCheck &known = {}) const;

    quint64 rejectedCount() const;
    // Configuration problems that do not stop the listener, e.g. legacy RSA on without an RSA key.
    QStringList warnings() const;

private:
    struct Private;
    explicit WebhookAuthenticator(std::shared_ptr<Private> d);
    core::Result<void> reject(const HttpRequest &request, const QString &reason) const;
    std::shared_ptr<Private> d;
};

} // namespace qrt::webhook
