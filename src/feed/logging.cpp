#include "feed/logging.h"

Q_LOGGING_CATEGORY(lcFeed, "qrtickets.feed", QtInfoMsg)
