#include "support/syncfixture.h"
#include "support/timeouts.h"

#include "core/config.h"
#include "gui/dbworker.h"
#include "gui/listenerpanel.h"
#include "gui/services.h"
#include "reconcile/reconciler.h"

#include <QLabel>
#include <QSignalSpy>
#include <QTest>

using namespace qrt;

// The listener panel's reconciliation line follows the loop: what the last run healed, by which
// station, and the next run.
class TestReconcilePanel : public QObject
{
    Q_OBJECT

    db::Dialect m_dialect = db::Dialect::SQLite;
    std::unique_ptr<test::SyncFixture> m_f;

private slots:
    void initTestCase() { QRT_REQUIRE_BACKEND(m_dialect); }
    void init() { QRT_SYNC_FIXTURE(m_f, m_dialect); }
    void cleanup() { m_f.reset(); }

    void panelShowsTheLastReconciliation()
    {
        m_f->sim().generate(4, 31);
        reconcile::ReconcilerOptions o;
        o.station = QStringLiteral("desk-1");
        o.intervalMs = 3600 * 1000;
        o.ghl = test::ghlSettingsFor(m_f->sim());
        o.freshS = 0;
        reconcile::Reconciler reconciler(m_f->database().shared(), o);
        const core::Config config = core::Config::defaults();
        gui::DbWorker worker(m_f->database().shared());
        gui::Services services { config, m_f->database().shared(), QStringLiteral("desk-1") };
        services.dbWorker = &worker;
        services.reconciler = &reconciler;
        gui::ListenerPanel panel(services);
        panel.resize(900, 560);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *line = panel.findChild<QLabel *>(QStringLiteral("reconcileLabel"));
        QVERIFY2(line, "the listener panel should have a reconciliation line");
        QVERIFY2(line->text().contains(QStringLiteral("listener runs")), qPrintable(line->text()));

        reconciler.start();
        QTRY_VERIFY2_WITH_TIMEOUT(line->text().contains(QStringLiteral("by desk-1")), qPrintable(line->text()),
                                  test::kSyncRunMs);
        QVERIFY2(line->text().contains(QStringLiteral("synced (4 new)")), qPrintable(line->text()));
        QVERIFY2(line->text().contains(QStringLiteral("Next at")), qPrintable(line->text()));
        if (const QString out = qEnvironmentVariable("QRT_SCREENSHOT_OUT"); !out.isEmpty())
            panel.grab().save(out + QStringLiteral("/listener-panel-reconcile.png"));
    }
};

QTEST_MAIN(TestReconcilePanel)
#include "tst_reconcile_panel.moc"
