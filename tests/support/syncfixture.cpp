#include "support/syncfixture.h"

#include <QSignalSpy>

namespace qrt::test {

std::unique_ptr<ghlsim::GhlSimulator> startSimulator()
{
    auto sim = std::make_unique<ghlsim::GhlSimulator>();
    sim->setRateLimit(0, 10000);
    if (!sim->listen())
        return nullptr;
    return sim;
}

core::GhlSettings ghlSettingsFor(const ghlsim::GhlSimulator &sim)
{
    core::GhlSettings s;
    s.baseUrl = sim.baseUrl();
    s.locationId = sim.locationId();
    s.token = sim.token();
    s.apiVersion = ghlsim::GhlSimulator::apiVersion();
    return s;
}

sync::SyncSummary runOnce(sync::SyncEngine &engine, const sync::SyncRequest &request, int timeoutMs)
{
    QSignalSpy finished(&engine, &sync::SyncEngine::finished);
    sync::SyncSummary notFinished; // status Running
    if (!engine.start(request)) {
        notFinished.error = QStringLiteral("the sync engine refused to start (is a run already in progress?)");
        return notFinished;
    }
    if (!finished.wait(timeoutMs)) {
        notFinished.error = QStringLiteral("the sync did not finish within %1 s").arg(timeoutMs / 1000);
        return notFinished;
    }
    return finished.first().first().value<sync::SyncSummary>();
}

core::Result<std::unique_ptr<SyncFixture>> SyncFixture::create(db::Dialect dialect)
{
    std::unique_ptr<SyncFixture> f(new SyncFixture);
    auto database = TestDatabase::create(dialect);
    if (!database)
        return database.error();
    f->m_database = std::move(database).value();
    if (auto migrated = f->m_database->migrate(); !migrated)
        return migrated.error();
    f->m_sim = startSimulator();
    if (!f->m_sim)
        return core::makeError(QStringLiteral("test"), QStringLiteral("the GHL simulator could not listen on 127.0.0.1"));
    return f;
}

sync::SyncRequest SyncFixture::request(sync::SyncMode mode, const QString &station) const
{
    sync::SyncRequest r;
    r.mode = mode;
    r.station = station;
    r.ghl = ghlSettingsFor(*m_sim);
    return r;
}

sync::SyncSummary SyncFixture::runOnce(const sync::SyncRequest &request, int timeoutMs)
{
    sync::SyncEngine engine(m_database->shared());
    return test::runOnce(engine, request, timeoutMs);
}

} // namespace qrt::test
