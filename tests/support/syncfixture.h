#pragma once

#include "core/result.h"
#include "ghlsim/ghlsimulator.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "sync/syncengine.h"

#include <memory>

// What the suites that sync need, built once (as Nextcloud's test/syncenginetestutils.h does):
// the GHL simulator as they use it, the settings that point at it, and one verb, runOnce(),
// that runs a sync to its end and returns the summary. Only SyncEngine's public surface
// (start, finished(summary)) and the simulator's public methods are used.
namespace qrt::test {

// A GHL simulator listening on 127.0.0.1 with GHL's rate limit off (a test about the limit turns
// it on); nullptr when it cannot listen.
std::unique_ptr<ghlsim::GhlSimulator> startSimulator();

// The GHL settings of a station configured for `sim`.
core::GhlSettings ghlSettingsFor(const ghlsim::GhlSimulator &sim);

// Starts `request` on `engine` and waits for finished(summary). When the engine refuses to start
// or does not finish within `timeoutMs`, the summary still says "running" (which no test
// expects) and its error says why.
sync::SyncSummary runOnce(sync::SyncEngine &engine, const sync::SyncRequest &request, int timeoutMs = kSyncRunMs);

// One test's world: a fresh, migrated database of the run's backend and a simulator serving it.
class SyncFixture
{
public:
    static core::Result<std::unique_ptr<SyncFixture>> create(db::Dialect dialect);

    TestDatabase &database() { return *m_database; }
    ghlsim::GhlSimulator &sim() { return *m_sim; }
    const ghlsim::GhlSimulator &sim() const { return *m_sim; }

    // A request of `mode` from `station` against the simulator, with the GHL defaults.
    sync::SyncRequest request(sync::SyncMode mode, const QString &station = QStringLiteral("test-station")) const;
    // Runs one sync on a new engine over this database to its end (see runOnce above).
    sync::SyncSummary runOnce(const sync::SyncRequest &request, int timeoutMs = kSyncRunMs);

private:
    SyncFixture() = default;
    std::unique_ptr<TestDatabase> m_database;
    std::unique_ptr<ghlsim::GhlSimulator> m_sim;
};

} // namespace qrt::test

// For init(): a new SyncFixture of `dialect` in `member` (a std::unique_ptr<SyncFixture>), or the
// test fails with the reason.
#define QRT_SYNC_FIXTURE(member, dialect)                                                                              \
    do {                                                                                                              \
        auto created_ = ::qrt::test::SyncFixture::create(dialect);                                                    \
        QVERIFY2(created_, qPrintable(created_ ? QString() : created_.error().toString()));                           \
        (member) = std::move(created_).value();                                                                       \
    } while (false)
