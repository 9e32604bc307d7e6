#include "qr/logging.h"

Q_LOGGING_CATEGORY(lcQr, "qrtickets.qr", QtInfoMsg)
