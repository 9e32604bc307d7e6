#pragma once

// The scan parser lives in the door module (the check-in panel and `qrtickets admit` share it).
#include "door/scaninput.h"

namespace qrt::gui {
using door::parseScan;
using door::ScanInput;
} // namespace qrt::gui
