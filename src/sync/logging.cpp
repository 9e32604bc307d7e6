#include "sync/logging.h"

Q_LOGGING_CATEGORY(lcSync, "qrtickets.sync", QtInfoMsg)
