#include "core/logging.h"

Q_LOGGING_CATEGORY(lcCore, "qrtickets.core", QtInfoMsg)
