#include "reconcile/logging.h"

Q_LOGGING_CATEGORY(lcReconcile, "qrtickets.reconcile", QtInfoMsg)
