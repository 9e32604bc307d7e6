// UI benchmark (PRODUCT.md section 5): 100,000 orders in PostgreSQL (QRT_TEST_PG_URL) and in
// SQLite. Measures, through the real OrderListModel + QTableView:
//   first rows: model creation -> first page arrived and the view painted,
//   keystroke latency: setSearch(text) -> first page of that query arrived (p50/p95 over a
//   typed sequence of words),
//   sorted search: the same keystrokes with the list sorted by name (Contact column), against a
//   baseline in the same run: the statement the list ran before migration 0012 (lower() names,
//   no name index), timed directly with its first page read; and the statement sorted by e-mail,
//   which has no covering index (for comparison),
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
    double sortedP50 = 0;
    double sortedP95 = 0;
    double queryP95 = 0;
    double emailQueryP95 = 0;
    double baselineP50 = 0;
    double baselineP95 = 0;
    bool ok = false;
};

// The words typed, one character at a time (shared by the plain and the sorted search).
QStringList typedWords()
{
    return { QStringLiteral("olivia keller"), QStringLiteral("tanaka"), QStringLiteral("mia.z"), QStringLiteral("@example.org"),
             test::sampleOrderId(73123), QStringLiteral("nowak 4711"), QStringLiteral("+49300012") };
}

// The list sorted by name: setSearch per keystroke until the first page arrived, as typed (as the
// plain keystrokes are measured: a narrowing keystroke over a complete result needs no SQL).
QList<double> sortedKeystrokes(gui::OrderListModel &model, QList<QPair<double, QString>> &slowest)
{
    QList<double> latencies;
    for (const QString &word : typedWords()) {
        for (int n = 1; n <= word.size(); ++n) {
            QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
            QElapsedTimer timer;
            timer.start();
            model.setSearch(word.left(n));
            if (loaded.isEmpty() && !model.isLoading())
                continue; // the same query as before (a trailing space)
            if (!waitLoaded(loaded))
                return {};
            latencies << double(timer.nsecsElapsed()) / 1e6;
            slowest.append({ latencies.last(), word.left(n) });
            QCoreApplication::processEvents();
        }
        QSignalSpy cleared(&model, &gui::OrderListModel::loaded);
        model.setSearch(QString());
        waitLoaded(cleared);
    }
    std::sort(slowest.begin(), slowest.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    return latencies;
}

// The same keystrokes through OrderRepository::list (sorted by name), every one asking the
// database, timed on this thread like the baseline: the statement alone, without the worker hop,
// the model and a count running beside it.
QList<double> sortedQueries(db::Database &database, db::OrderSort sort = db::OrderSort::Contact,
                            QList<QPair<double, QString>> *slowest = nullptr)
{
    QList<double> latencies;
    for (const QString &word : typedWords()) {
        for (int n = 1; n <= word.size(); ++n) {
            db::OrderQuery query;
            query.search = word.left(n);
            query.sort = sort;
            query.order = Qt::AscendingOrder;
            QElapsedTimer timer;
            timer.start();
            if (!db::OrderRepository(database).list(query))
                return {};
            latencies << double(timer.nsecsElapsed()) / 1e6;
            if (slowest)
                slowest->append({ latencies.last(), query.search });
        }
    }
    return latencies;
}

// The baseline: the name-sorted search as the list ran it before migration 0012.
QList<double> baselineKeystrokes(db::Database &database)
{
    QList<double> latencies;
    const QString column = QStringLiteral("search_text"); // lower() in both databases then
    for (const QString &word : typedWords()) {
        for (int n = 1; n <= word.size(); ++n) {
            QElapsedTimer timer;
            timer.start();
            QString where;
            const QStringList parts = word.left(n).toLower().split(u' ', Qt::SkipEmptyParts);
            for (int i = 0; i < parts.size(); ++i)
                where += (i ? QStringLiteral(" AND ") : QStringLiteral(" WHERE ")) + column + QStringLiteral(" LIKE :w%1").arg(i);
            auto q = database.prepare(QStringLiteral("SELECT order_id, location_id, total_paid, payment_status, payment_currency, "
                                                     "order_status, contact_id, contact_firstname, contact_lastname, "
                                                     "contact_email, contact_phone, date_added, event_id, event_name, "
                                                     "ticket_quantities, ghl_updated_at, synced_at, qr_pushed_at, inserted_at, "
                                                     "updated_at, tickets_live, tickets_used, tickets_cancelled, line_items "
                                                     "FROM ghl_qr_orders")
                                          + where
                                          + QStringLiteral(" ORDER BY lower(contact_lastname) ASC, lower(contact_firstname) ASC, "
                                                           "order_id ASC LIMIT 200 OFFSET 0"),
                                      QStringLiteral("baseline"));
            if (!q)
                return {};
            for (int i = 0; i < parts.size(); ++i)
                q->bind(QStringLiteral(":w%1").arg(i), QString(u'%' + parts.at(i) + u'%'));
            if (!q->exec())
                return {};
            // Read every column of the page, as the list reads its rows.
            static const QStringList columns = QStringLiteral(
                "order_id location_id total_paid payment_status payment_currency order_status contact_id contact_firstname "
                "contact_lastname contact_email contact_phone date_added event_id event_name ticket_quantities ghl_updated_at "
                "synced_at qr_pushed_at inserted_at updated_at tickets_live tickets_used tickets_cancelled line_items")
                .split(u' ');
            qsizetype bytes = 0;
            while (q->next()) {
                for (const QString &c : columns)
                    bytes += q->value(c).toString().size();
            }
            (void)bytes;
            latencies << double(timer.nsecsElapsed()) / 1e6;
        }
    }
    return latencies;
}

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
    const QStringList words = typedWords();
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
    // Sorted by name (the Contact column), then the baseline statement on the same data.
    {
        QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
        model.sort(gui::OrderListModel::Contact, Qt::AscendingOrder);
        waitLoaded(loaded);
    }
    QList<QPair<double, QString>> slowestSorted;
    const QList<double> sorted = sortedKeystrokes(model, slowestSorted);
    const QList<double> queries = sortedQueries(database->db());
    const QList<double> baseline = baselineKeystrokes(database->db());
    QList<QPair<double, QString>> slowestEmail;
    const QList<double> byEmail = sortedQueries(database->db(), db::OrderSort::Email, &slowestEmail); // no covering index
    std::sort(slowestEmail.begin(), slowestEmail.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    if (sorted.isEmpty() || queries.isEmpty() || baseline.isEmpty()) {
        out() << name << ": a sorted search never answered" << Qt::endl;
        return f;
    }
    f.sortedP50 = percentile(sorted, 0.5);
    f.sortedP95 = percentile(sorted, 0.95);
    f.queryP95 = percentile(queries, 0.95);
    f.emailQueryP95 = percentile(byEmail, 0.95);
    f.baselineP50 = percentile(baseline, 0.5);
    f.baselineP95 = percentile(baseline, 0.95);
    out() << name << ": sorted by name, " << sorted.size() << " keystrokes: p50 " << QString::number(f.sortedP50, 'f', 1)
          << " ms, p95 " << QString::number(f.sortedP95, 'f', 1) << " ms, max " << QString::number(percentile(sorted, 1.0), 'f', 1)
          << " ms; the statement alone: p50 " << QString::number(percentile(queries, 0.5), 'f', 1) << " ms, p95 "
          << QString::number(f.queryP95, 'f', 1) << " ms; baseline statement (lower() sort, no name index): p50 " << QString::number(f.baselineP50, 'f', 1) << " ms, p95 "
          << QString::number(f.baselineP95, 'f', 1) << " ms, max " << QString::number(percentile(baseline, 1.0), 'f', 1) << " ms"
          << Qt::endl;
    out() << name << ": sorted by e-mail, the statement alone: p50 " << QString::number(percentile(byEmail, 0.5), 'f', 1)
          << " ms, p95 " << QString::number(f.emailQueryP95, 'f', 1) << " ms, max " << QString::number(percentile(byEmail, 1.0), 'f', 1)
          << " ms; slowest:";
    for (const auto &s : slowestEmail.mid(0, 6))
        out() << " [" << s.second << ": " << QString::number(s.first, 'f', 1) << " ms]";
    out() << Qt::endl;
    out() << name << ": slowest sorted keystrokes:";
    for (const auto &s : slowestSorted.mid(0, 6))
        out() << " [" << s.second << ": " << QString::number(s.first, 'f', 1) << " ms]";
    out() << Qt::endl;
    {
        QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
        model.setSearch(QString());
        waitLoaded(loaded);
    }

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
            out() << "figure: ui.sorted_search_p50_ms.postgresql = " << QString::number(pg.sortedP50, 'f', 1) << Qt::endl;
            out() << "figure: ui.sorted_search_p95_ms.postgresql = " << QString::number(pg.sortedP95, 'f', 1) << Qt::endl;
            out() << "figure: ui.sorted_search_query_p95_ms.postgresql = " << QString::number(pg.queryP95, 'f', 1) << Qt::endl;
            out() << "figure: ui.sorted_search_email_query_p95_ms.postgresql = " << QString::number(pg.emailQueryP95, 'f', 1) << Qt::endl;
            out() << "figure: ui.sorted_search_baseline_p95_ms.postgresql = " << QString::number(pg.baselineP95, 'f', 1) << Qt::endl;
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
        out() << "figure: ui.sorted_search_p50_ms.sqlite = " << QString::number(lite.sortedP50, 'f', 1) << Qt::endl;
        out() << "figure: ui.sorted_search_p95_ms.sqlite = " << QString::number(lite.sortedP95, 'f', 1) << Qt::endl;
        out() << "figure: ui.sorted_search_query_p95_ms.sqlite = " << QString::number(lite.queryP95, 'f', 1) << Qt::endl;
        out() << "figure: ui.sorted_search_email_query_p95_ms.sqlite = " << QString::number(lite.emailQueryP95, 'f', 1) << Qt::endl;
        out() << "figure: ui.sorted_search_baseline_p95_ms.sqlite = " << QString::number(lite.baselineP95, 'f', 1) << Qt::endl;
        rss = std::max(rss, lite.rss);
    } else {
        status = 1;
    }
    out() << "figure: ui.rss_mb = " << QString::number(rss, 'f', 1) << Qt::endl;
    return status;
}
