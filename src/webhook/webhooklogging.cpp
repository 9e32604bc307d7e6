#include "webhook/webhooklogging.h"

Q_LOGGING_CATEGORY(lcWebhook, "qrtickets.webhook", QtInfoMsg)
