#pragma once

#include <QString>

namespace qrt::app {

// A diagnostics switch for start-up tests: with QRT_WINDOW_REPORT=FILE in the environment, the
// desktop writes what a person would see once it has settled (every visible top-level window: its
// class, object name, title, whether it is modal, and the texts of its labels, buttons and message
// boxes) to FILE as JSON, then quits. The smoke tests start the real executable this way, so a
// start-up that ends in an error box is seen as one. Nothing happens without the variable.
void installWindowReportFromEnvironment();

} // namespace qrt::app
