#pragma once

#include <QString>

namespace qrt::core {

// The single version number lives in the top-level CMake project() call.
inline QString version() { return QStringLiteral(QRT_VERSION); }

} // namespace qrt::core
