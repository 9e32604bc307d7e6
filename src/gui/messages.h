#pragma once

#include "core/result.h"

class QWidget;

namespace qrt::gui {

// An error as a sentence with the action to take; the technical part behind "Show details".
void showError(QWidget *parent, const QString &title, const core::Error &error, const QString &action = {});

} // namespace qrt::gui
