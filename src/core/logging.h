#pragma once

#include <QLoggingCategory>

// A category per module, dotted names: QT_LOGGING_RULES="qrtickets.sync.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcCore)
