#pragma once

// How long the suites wait, in one place. A wait is a deadline for failing, never a timed
// assertion: on a busy shared CI machine a window, a signal or a reply may take seconds.
namespace qrt::test {

// For something that normally happens at once (a window shown, a label filled, a reply, a signal).
inline constexpr int kWaitMs = 30000;

// For a whole sync run against the simulator (hundreds of orders, injected faults, retries).
inline constexpr int kSyncRunMs = 4 * kWaitMs;

} // namespace qrt::test
