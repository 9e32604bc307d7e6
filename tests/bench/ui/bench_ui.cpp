// UI benchmark (PRODUCT.md section 5): 100,000 orders in PostgreSQL (QRT_TEST_PG_URL) and in
// SQLite. Measures, through the real OrderListModel + QTableView:
//   first rows: model creation -> first page arrived and the view painted,
//   keystroke latency: setSearch(text) -> first page of that query arrived (p50/p95 over a
//   typed sequence of words),
//   RSS with the list open.
// Prints "figure: NAME = VALUE" lines; never asserts on time.
#include "db/orderrepository.h"
#include "gui/dbworker.h"
#include "support/sampleorders.h"
#include "gui/orderlistmodel.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTextStream>

#include <algorithm>

using namespace qrt;

namespace {

constexpr int kOrders = 100000;

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype index = std::clamp<qsizetype>(qsizetype(p * double(values.size() - 1) + 0.5), 0, values.size() - 1);
    return values[index];
}

double rssMb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return 0;
}

bool waitLoaded(QSignalSpy &spy, int timeoutMs = 60000)
{
    return !spy.isEmpty() || spy.wait(timeoutMs);
}

struct Figures
{
    double firstRowsMs = 0;
    double p50 = 0;
    double p95 = 0;
    double rss = 0;
    bool ok = false;
};

Figures run(db::Dialect dialect)
{
    Figures f;
    const QString name = test::backendName(dialect);
    auto created = test::TestDatabase::create(dialect);
    if (!created) {
        out() << name << ": " << created.error().toString() << Qt::endl;
        return f;
    }
    auto database = std::move(created).value();
    if (auto m = database->migrate(); !m) {
        out() << name << ": " << m.error().toString() << Qt::endl;
        return f;
    }
    QElapsedTimer loadTimer;
    loadTimer.start();
    db::OrderRepository repository(database->db());
    for (int offset = 0; offset < kOrders; offset += 5000) {
        auto saved = repository.upsert(test::sampleOrders(5000, offset));
        if (!saved) {
            out() << name << ": " << saved.error().toString() << Qt::endl;
            return f;
        }
    }
    if (dialect == db::Dialect::PostgreSQL)
        (void)database->exec(QStringLiteral("ANALYZE ghl_qr_orders"));
    else
        (void)database->exec(QStringLiteral("ANALYZE"));
    out() << name << ": loaded " << kOrders << " orders in " << loadTimer.elapsed() << " ms" << Qt::endl;

    // First rows: median of 5 fresh starts (worker thread, connection, model, view).
    QList<double> firstRows;
    for (int round = 0; round < 5; ++round) {
        QElapsedTimer timer;
        timer.start();
        gui::DbWorker worker(database->shared());
        gui::DbWorker countWorker(database->shared()); // as src/app builds them: pages and counts apart
        gui::OrderListModel model(worker, countWorker);
        QTableView view;
        view.resize(1200, 700);
        view.setModel(&model);
        QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
        model.reload();
        view.show();
        if (!waitLoaded(loaded) || model.rowCount() == 0) {
            out() << name << ": the first page never arrived" << Qt::endl;
            return f;
        }
        view.repaint();
        firstRows << double(timer.nsecsElapsed()) / 1e6;
    }
    f.firstRowsMs = percentile(firstRows, 0.5);
    out() << name << ": first rows (5 starts) ms:";
    for (double v : std::as_const(firstRows))
        out() << ' ' << QString::number(v, 'f', 1);
    out() << Qt::endl;

    // Keystrokes: a person typing names, e-mail fragments and an order id, one character at a time.
    gui::DbWorker worker(database->shared());
    gui::DbWorker countWorker(database->shared());
    gui::OrderListModel model(worker, countWorker);
    QTableView view;
    view.resize(1200, 700);
    view.setModel(&model);
    view.show();
    {
        QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
        model.reload();
        waitLoaded(loaded);
    }
    const QStringList words = { QStringLiteral("olivia keller"), QStringLiteral("tanaka"), QStringLiteral("mia.z"),
                                QStringLiteral("@example.org"), test::sampleOrderId(73123), QStringLiteral("nowak 4711"),
                                QStringLiteral("+49300012") };
    QList<double> latencies;
    QList<QPair<double, QString>> slowest;
    for (const QString &word : words) {
        for (int n = 1; n <= word.size(); ++n) {
            QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
            QElapsedTimer timer;
            timer.start();
            model.setSearch(word.left(n));
            if (loaded.isEmpty() && !model.isLoading())
                continue; // the same query as before (a trailing space): nothing to do
            // (A narrowing keystroke over a complete result is answered at once, without SQL.)
            if (!waitLoaded(loaded)) {
                out() << name << ": a search never answered" << Qt::endl;
                return f;
            }
            latencies << double(timer.nsecsElapsed()) / 1e6;
            slowest.append({ latencies.last(), word.left(n) + QStringLiteral(" (%1 rows)").arg(model.totalCount()) });
            QCoreApplication::processEvents(); // paint, as the window would between keys
        }
        model.setSearch(QString());
        QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
        waitLoaded(loaded);
    }
    std::sort(slowest.begin(), slowest.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    out() << name << ": slowest keystrokes:";
    for (const auto &s : slowest.mid(0, 6))
        out() << " [" << s.second << ": " << QString::number(s.first, 'f', 1) << " ms]";
    out() << Qt::endl;
    f.p50 = percentile(latencies, 0.5);
    f.p95 = percentile(latencies, 0.95);
    out() << name << ": " << latencies.size() << " keystrokes, p50 " << QString::number(f.p50, 'f', 1) << " ms, p95 "
          << QString::number(f.p95, 'f', 1) << " ms, max " << QString::number(percentile(latencies, 1.0), 'f', 1) << " ms"
          << Qt::endl;
    // Scroll through some pages, as a user would, before measuring memory.
    for (int i = 0; i < 10 && model.canFetchMore({}); ++i) {
        const int before = model.rowCount();
        model.fetchMore({});
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        if (model.rowCount() == before)
            inserted.wait(test::kWaitMs);
    }
    view.scrollToBottom();
    QCoreApplication::processEvents();
    f.rss = rssMb();
    f.ok = true;
    return f;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int status = 0;
    double rss = 0;
    if (qEnvironmentVariableIsEmpty("QRT_TEST_PG_URL")) {
        out() << "QRT_TEST_PG_URL is not set: run through scripts/bench ui for the PostgreSQL figures." << Qt::endl;
        status = 1;
    } else {
        const Figures pg = run(db::Dialect::PostgreSQL);
        if (pg.ok) {
            out() << "figure: ui.first_rows_ms.postgresql = " << QString::number(pg.firstRowsMs, 'f', 1) << Qt::endl;
            out() << "figure: ui.keystroke_p50_ms.postgresql = " << QString::number(pg.p50, 'f', 1) << Qt::endl;
            out() << "figure: ui.keystroke_p95_ms.postgresql = " << QString::number(pg.p95, 'f', 1) << Qt::endl;
            rss = std::max(rss, pg.rss);
        } else {
            status = 1;
        }
    }
    const Figures lite = run(db::Dialect::SQLite);
    if (lite.ok) {
        out() << "figure: ui.first_rows_ms.sqlite = " << QString::number(lite.firstRowsMs, 'f', 1) << Qt::endl;
        out() << "figure: ui.keystroke_p50_ms.sqlite = " << QString::number(lite.p50, 'f', 1) << Qt::endl;
        out() << "figure: ui.keystroke_p95_ms.sqlite = " << QString::number(lite.p95, 'f', 1) << Qt::endl;
        rss = std::max(rss, lite.rss);
    } else {
        status = 1;
    }
    out() << "figure: ui.rss_mb = " << QString::number(rss, 'f', 1) << Qt::endl;
    return status;
}
