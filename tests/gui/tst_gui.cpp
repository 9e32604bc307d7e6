// GUI tests on the offscreen platform against a real database (SQLite or PostgreSQL, chosen by
// QRT_TEST_BACKEND): 10,000 orders, search, filters, order page, bulk status changes, check-in in
// every colour, exports, live updates; QAbstractItemModelTester on every model.
#include "core/config.h"
#include "db/orderrepository.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "windowservices.h"
#include "gui/changewatcher.h"
#include "gui/checkinpanel.h"
#include "gui/dbworker.h"
#include "gui/exporter.h"
#include "support/sampleorders.h"
#include "support/syncfixture.h"
#include "gui/mainwindow.h"
#include "gui/orderdialog.h"
#include "gui/orderlistmodel.h"
#include "gui/scaninput.h"
#include "gui/services.h"
#include "gui/ticketmodels.h"
#include "ghlsim/ghlsimulator.h"
#include "sync/syncengine.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"

#include "qr/qrcode.h"

#include <QAbstractItemModelTester>
#include <QClipboard>
#include <QGuiApplication>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace qrt;

namespace {

constexpr int kOrders = 10000;

// Clicks the button with `role` on the next message box that opens (they are modal: exec()).
void answerNextMessageBox(QMessageBox::ButtonRole role, QString *seenText = nullptr)
{
    auto *timer = new QTimer(qApp);
    timer->setInterval(30);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, role, seenText] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box)
            return;
        if (seenText)
            *seenText = box->text();
        for (QAbstractButton *button : box->buttons()) {
            if (box->buttonRole(button) == role) {
                button->click();
                break;
            }
        }
        timer->deleteLater();
    });
    timer->start();
}

QList<QStringList> readCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QByteArray bytes = file.readAll();
    if (bytes.startsWith("\xEF\xBB\xBF"))
        bytes.remove(0, 3);
    // The fixtures contain no quotes, commas or line breaks in cells except apostrophes.
    QList<QStringList> lines;
    for (const QByteArray &line : bytes.split('\n')) {
        const QString text = QString::fromUtf8(line).trimmed();
        if (!text.isEmpty())
            lines << text.split(u',');
    }
    return lines;
}

} // namespace

class TestGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void scanInputParsing();
    void orderListModelPagesAndCounts();
    void orderListKeepsPagingWhileASyncWrites();
    void mainWindowSearchAndFilters();
    void orderPageBulkStatusChanges();
    void checkInGreenAmberRedAndUndo();
    void exportsCsvAndPdf();
    void liveUpdateFromAnotherConnection();
    void changeWatcherListensAgainAfterAServerRestart();
    void emptyStateOnFreshDatabase();
    void eventOverviewCountsLive();
    void syncFromSimulatorFillsTheWindow();

private:
    db::Database &database() { return m_db->db(); }
    std::unique_ptr<test::WindowServices> makeServices(std::shared_ptr<db::Database> database);
    core::Order order(int i) const { return test::sampleOrders(1, i).first(); }

    std::unique_ptr<test::TestDatabase> m_db;
    core::Config m_config = core::Config::defaults();
    QTemporaryDir m_dir;
};

std::unique_ptr<test::WindowServices> TestGui::makeServices(std::shared_ptr<db::Database> database)
{
    auto services = std::make_unique<test::WindowServices>(m_config, std::move(database), QStringLiteral("Door 1"));
    return services;
}

void TestGui::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("qrtickets-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_gui"));
    db::Dialect dialect;
    QRT_REQUIRE_BACKEND(dialect);
    QRT_FRESH_DATABASE(m_db, dialect);
    auto migrated = m_db->migrate();
    QVERIFY2(migrated, qPrintable(migrated ? QString() : migrated.error().toString()));
    QVERIFY(m_config.set(core::ConfigKey::QrUrlTemplate, QStringLiteral("https://tickets.example.com/orders/{order_id}")));
    QVERIFY(m_config.set(core::ConfigKey::StationName, QStringLiteral("Door 1")));
    // Verdicts stay until the next scan: a stalled machine must not clear one before it is read.
    QVERIFY(m_config.set(core::ConfigKey::DoorClearAfterMs, QStringLiteral("0")));

    db::OrderWriter writer(database());
    for (int offset = 0; offset < kOrders; offset += 2500) {
        auto saved = writer.save(test::sampleOrders(2500, offset), QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }
    auto count = db::OrderRepository(database()).count({});
    QVERIFY(count);
    QCOMPARE(count.value(), kOrders);
}

void TestGui::cleanupTestCase()
{
    m_db.reset();
}

void TestGui::scanInputParsing()
{
    const QString tpl = QStringLiteral("https://tickets.example.com/orders/{order_id}");
    const QString id = test::sampleOrderId(5);
    auto url = gui::parseScan(QStringLiteral("https://tickets.example.com/orders/") + id + u'\n', tpl);
    QCOMPARE(int(url.kind), int(gui::ScanInput::Kind::OrderId));
    QCOMPARE(url.value, id);
    auto bare = gui::parseScan(id, tpl);
    QCOMPARE(int(bare.kind), int(gui::ScanInput::Kind::OrderId));
    auto code = gui::parseScan(QStringLiteral("0123456789ABCDEF0123456789abcdef"), tpl);
    QCOMPARE(int(code.kind), int(gui::ScanInput::Kind::TicketCode));
    QCOMPARE(code.value, QStringLiteral("0123456789abcdef0123456789abcdef"));
    auto other = gui::parseScan(QStringLiteral("https://elsewhere.example.net/o/") + id, tpl);
    QCOMPARE(int(other.kind), int(gui::ScanInput::Kind::OrderId));
    QCOMPARE(other.value, id);
    QCOMPARE(int(gui::parseScan(QStringLiteral("hello world!"), tpl).kind), int(gui::ScanInput::Kind::Unrecognised));
    QCOMPARE(int(gui::parseScan(QStringLiteral("   "), tpl).kind), int(gui::ScanInput::Kind::Empty));
}

void TestGui::orderListModelPagesAndCounts()
{
    gui::DbWorker worker(m_db->shared());
    gui::DbWorker countWorker(m_db->shared()); // as app::DesktopServices: counts on their own thread
    gui::OrderListModel model(worker, countWorker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
    model.reload();
    QVERIFY2(loaded.wait(test::kWaitMs), "the first page of orders never arrived");
    QCOMPARE(model.rowCount(), gui::OrderListModel::PageSize);
    QTRY_COMPARE_WITH_TIMEOUT(model.totalCount(), kOrders, test::kWaitMs);
    // (QAbstractItemModelTester may have asked for the next page already.)
    if (model.canFetchMore({}))
        model.fetchMore({});
    QTRY_VERIFY_WITH_TIMEOUT(model.rowCount() >= 2 * gui::OrderListModel::PageSize, test::kWaitMs);
    QCOMPARE(model.rowCount() % gui::OrderListModel::PageSize, 0);

    // Sorting happens in SQL: ascending by order id starts with the smallest id.
    loaded.clear();
    model.sort(gui::OrderListModel::OrderId, Qt::AscendingOrder);
    QVERIFY(loaded.wait(test::kWaitMs));
    QCOMPARE(model.orderIdAt(0), test::sampleOrderId(0));
    QCOMPARE(model.data(model.index(0, gui::OrderListModel::Email)).toString(), order(0).contactEmail);

    // The newest query wins even when several are queued at once.
    loaded.clear();
    model.setSearch(QStringLiteral("zzz-nothing"));
    model.setSearch(QStringLiteral("emma.albrecht"));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && !model.isLoading(), test::kWaitMs);
    QVERIFY(model.rowCount() > 0);
    for (int r = 0; r < model.rowCount(); ++r)
        QVERIFY2(model.data(model.index(r, gui::OrderListModel::Email)).toString().startsWith(u"emma.albrecht."),
                 "a row that does not match the search was shown");

    // Narrowing a complete result (typing on) is filtered locally: same rows as the database says.
    QTRY_VERIFY_WITH_TIMEOUT(model.totalCount() >= 0 && model.totalCount() == model.rowCount(), test::kWaitMs);
    for (const QString &text : { QStringLiteral("emma.albrecht.1"), QStringLiteral("emma.albrecht.12"),
                                 QStringLiteral("emma.albrecht.12 +4930") }) {
        loaded.clear();
        model.setSearch(text);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty() && !model.isLoading(), test::kWaitMs);
        db::OrderQuery q = model.query(); // same search and sort
        q.offset = 0;
        auto expected = db::OrderRepository(database()).list(q);
        QVERIFY(expected);
        QCOMPARE(model.rowCount(), int(expected->size()));
        for (int r = 0; r < model.rowCount(); ++r)
            QCOMPARE(model.orderIdAt(r), expected->at(r).order.orderId);
    }
}

// Issue 15: after a sync of more than 200 orders the list stopped at 200 rows for good. A refresh
// that ran while the list was complete (37 rows) left it "at the end" although the sync kept writing.
void TestGui::orderListKeepsPagingWhileASyncWrites()
{
    auto fresh = test::TestDatabase::create(test::backendFromEnvironment());
    QVERIFY(fresh);
    QVERIFY((*fresh)->migrate());
    gui::DbWorker worker((*fresh)->shared());
    gui::DbWorker countWorker((*fresh)->shared());
    gui::OrderListModel model(worker, countWorker);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loaded(&model, &gui::OrderListModel::loaded);
    db::OrderWriter writer((*fresh)->db());
    QVERIFY(writer.save(test::sampleOrders(37), QStringLiteral("sync")));
    model.reload();
    QVERIFY2(loaded.wait(test::kWaitMs), "the first page of orders never arrived");
    QCOMPARE(model.rowCount(), 37);
    QVERIFY(!model.canFetchMore({}));

    // The sync goes on writing; each batch is followed by a refresh, as a database change is.
    for (int offset = 37; offset < 487; offset += 150) {
        QVERIFY(writer.save(test::sampleOrders(150, offset), QStringLiteral("sync")));
        model.refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading() && model.rowCount() >= std::min(offset + 150, 200), test::kWaitMs);
    }
    QTRY_COMPARE_WITH_TIMEOUT(model.totalCount(), 487, test::kWaitMs);
    // Scrolling to the end loads every order, not 200.
    QTRY_VERIFY_WITH_TIMEOUT((model.canFetchMore({}) && (model.fetchMore({}), false)) || model.rowCount() == 487,
                             test::kWaitMs);
    QVERIFY2(model.rowCount() == 487,
             qPrintable(QStringLiteral("the list stopped at %1 of 487 orders after refreshes during a sync")
                            .arg(model.rowCount())));
}

void TestGui::mainWindowSearchAndFilters()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *model = window.orderModel();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto *stack = window.findChild<QStackedWidget *>(QStringLiteral("ordersStack"));
    auto *view = window.findChild<QTableView *>(QStringLiteral("orderView"));
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    auto *eventFilter = window.findChild<QComboBox *>(QStringLiteral("eventFilter"));
    auto *paymentFilter = window.findChild<QComboBox *>(QStringLiteral("paymentFilter"));
    auto *checkInFilter = window.findChild<QComboBox *>(QStringLiteral("checkInFilter"));
    QVERIFY(stack && view && search && eventFilter && paymentFilter && checkInFilter);
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 0, test::kWaitMs);
    QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("listPage"));
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), kOrders, test::kWaitMs);

    // Ctrl+F focuses the search field; typing searches (debounced) for a unique e-mail.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(search->hasFocus());
    const core::Order target = order(4321);
    QTest::keyClicks(search, target.contactEmail);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), 1, test::kWaitMs);
    QCOMPARE(model->orderIdAt(0), target.orderId);
    search->clear();
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), kOrders, test::kWaitMs);

    // Event filter: the count matches what the database says for that event.
    QTRY_VERIFY_WITH_TIMEOUT(eventFilter->count() == 4, test::kWaitMs);
    eventFilter->setCurrentIndex(eventFilter->findData(target.eventId));
    db::OrderQuery q;
    q.eventId = target.eventId;
    const int expected = db::OrderRepository(database()).count(q).value();
    QVERIFY(expected > 0 && expected < kOrders);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), expected, test::kWaitMs);
    for (int r = 0; r < model->rowCount(); ++r)
        QCOMPARE(model->rowAt(r)->order.eventId, target.eventId);

    // Payment status on top of it.
    QTRY_VERIFY_WITH_TIMEOUT(paymentFilter->findData(QStringLiteral("pending")) > 0, test::kWaitMs);
    paymentFilter->setCurrentIndex(paymentFilter->findData(QStringLiteral("pending")));
    q.paymentStatus = QStringLiteral("pending");
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), db::OrderRepository(database()).count(q).value(), test::kWaitMs);
    for (int r = 0; r < model->rowCount(); ++r)
        QCOMPARE(model->rowAt(r)->order.paymentStatus, QStringLiteral("pending"));

    // Check-in state "all admitted": nobody has arrived yet -> none; the list page stays (not the
    // empty state, which is for a database without orders) and says how to get rows back.
    checkInFilter->setCurrentIndex(checkInFilter->findData(int(db::CheckInState::Complete)));
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), 0, test::kWaitMs);
    QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("listPage"));
    QVERIFY(window.findChild<QLabel *>(QStringLiteral("countLabel"))->text().contains(u"Clear"));
    checkInFilter->setCurrentIndex(0);
    paymentFilter->setCurrentIndex(0);
    eventFilter->setCurrentIndex(0);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), kOrders, test::kWaitMs);

    // Scrolling to the end of the view fetches more pages.
    const int before = model->rowCount();
    view->scrollToBottom();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > before, test::kWaitMs);
}

void TestGui::orderPageBulkStatusChanges()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *model = window.orderModel();
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    auto *view = window.findChild<QTableView *>(QStringLiteral("orderView"));
    // Order 7 has 4 tickets (qty = 1 + i % 4).
    const core::Order target = order(7);
    QCOMPARE(target.ticketCount(), 4);
    search->setText(target.orderId);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), 1, test::kWaitMs);
    QTRY_COMPARE(model->rowCount(), 1);

    // Enter on the selected row opens the order page.
    view->setFocus();
    view->selectRow(0);
    QTest::keyClick(view, Qt::Key_Return);
    gui::OrderDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<gui::OrderDialog *>(QStringLiteral("orderDialog"))) != nullptr);
    QCOMPARE(dialog->orderId(), target.orderId);
    auto *tickets = dialog->findChild<QTableView *>(QStringLiteral("ticketView"));
    auto *history = dialog->findChild<QTableView *>(QStringLiteral("historyView"));
    QAbstractItemModelTester ticketTester(tickets->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester historyTester(history->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE_WITH_TIMEOUT(tickets->model()->rowCount(), 4, test::kWaitMs);
    QVERIFY2(history->model()->rowCount() >= 4, "the creation of each ticket is in the history");
    QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("contactValue"))->text().contains(target.contactLastName));
    QVERIFY2(!dialog->findChild<QLabel *>(QStringLiteral("qrLabel"))->pixmap().isNull(), "the order's QR code is shown");
    // Copy QR puts a readable code of the order's URL on the clipboard.
    dialog->findChild<QPushButton *>(QStringLiteral("copyQrButton"))->click();
    auto copied = qr::QrDecoder::decode(QGuiApplication::clipboard()->image());
    QVERIFY2(copied, "the clipboard holds no readable QR code");
    QCOMPARE(copied.value(), m_config.qr().urlFor(target.orderId));

    auto *status = dialog->findChild<QComboBox *>(QStringLiteral("statusCombo"));
    auto *reason = dialog->findChild<QLineEdit *>(QStringLiteral("reasonEdit"));
    auto *setSelected = dialog->findChild<QPushButton *>(QStringLiteral("setSelectedButton"));
    auto *setAll = dialog->findChild<QPushButton *>(QStringLiteral("setAllButton"));
    // Staff press a button once it is enabled: a live update of the order (another connection's
    // write, or this dialog's own one seen by the change watcher) may still be reloading it.
    const auto press = [](QPushButton *button) {
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), test::kWaitMs);
        button->click();
    };
    auto statuses = [&] {
        QStringList s;
        for (const core::Ticket &t : db::TicketRepository(database()).forOrder(target.orderId).value())
            s << core::toString(t.status);
        s.sort();
        return s;
    };

    // Two selected tickets -> used.
    tickets->selectionModel()->clearSelection();
    tickets->selectRow(0);
    tickets->selectionModel()->select(tickets->model()->index(1, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
    status->setCurrentIndex(status->findText(gui::statusText(core::TicketStatus::Used)));
    QSignalSpy loaded(dialog, &gui::OrderDialog::loaded);
    press(setSelected);
    QVERIFY(loaded.wait(test::kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(statuses(), (QStringList { QStringLiteral("live"), QStringLiteral("live"), QStringLiteral("used"), QStringLiteral("used") }), test::kWaitMs);

    // Cancel all without a reason: refused, nothing changes.
    status->setCurrentIndex(status->findText(gui::statusText(core::TicketStatus::Cancelled)));
    reason->clear();
    QString warning;
    answerNextMessageBox(QMessageBox::AcceptRole, &warning);
    press(setAll);
    QTRY_VERIFY(!warning.isEmpty());
    QVERIFY2(warning.contains(u"reason"), qPrintable(warning));
    QCOMPARE(statuses().count(QStringLiteral("cancelled")), 0);

    // With a reason, after confirming: every ticket cancelled, audited with the reason.
    reason->setText(QStringLiteral("refunded by phone"));
    loaded.clear();
    answerNextMessageBox(QMessageBox::DestructiveRole);
    press(setAll);
    QVERIFY(loaded.wait(test::kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(statuses(), QStringList(4, QStringLiteral("cancelled")), test::kWaitMs);
    bool audited = false;
    for (const core::TicketEvent &e : db::TicketRepository(database()).history(target.orderId).value())
        audited = audited || (e.reason == u"refunded by phone" && e.actor == u"Door 1");
    QVERIFY2(audited, "the cancellation is in ticket_events with reason and station");
    QTRY_COMPARE_WITH_TIMEOUT(model->rowAt(0)->tickets.cancelled, 4, test::kWaitMs);

    // Restore all (needs a reason) and admit the next one.
    status->setCurrentIndex(status->findText(gui::statusText(core::TicketStatus::Live)));
    reason->setText(QStringLiteral("refund reversed"));
    loaded.clear();
    press(setAll);
    QVERIFY(loaded.wait(test::kWaitMs));
    QTRY_COMPARE_WITH_TIMEOUT(statuses(), QStringList(4, QStringLiteral("live")), test::kWaitMs);
    loaded.clear();
    press(dialog->findChild<QPushButton *>(QStringLiteral("admitNextButton")));
    QVERIFY(loaded.wait(test::kWaitMs));
    // The first reload may be the live update (PostgreSQL NOTIFY) of the restore above; the
    // admission's own reload follows it.
    QTRY_VERIFY2_WITH_TIMEOUT(statuses().count(QStringLiteral("used")) == 1,
                              qPrintable(QStringLiteral("after Admit next one ticket should be used; tickets: %1; verdict: %2")
                                             .arg(statuses().join(u", "),
                                                  dialog->findChild<QLabel *>(QStringLiteral("admitVerdictLabel"))->text())),
                              test::kWaitMs);
    dialog->close();
}

void TestGui::checkInGreenAmberRedAndUndo()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.showCheckIn();
    auto *panel = window.findChild<gui::CheckInPanel *>(QStringLiteral("checkInPanel"));
    auto *scanEdit = panel->findChild<QLineEdit *>(QStringLiteral("scanEdit"));
    auto *banner = panel->findChild<QLabel *>(QStringLiteral("resultBanner"));
    auto *detail = panel->findChild<QLabel *>(QStringLiteral("resultDetail"));
    auto *admitAll = panel->findChild<QPushButton *>(QStringLiteral("admitAllButton"));
    auto *undo = panel->findChild<QPushButton *>(QStringLiteral("undoButton"));
    QTRY_VERIFY(scanEdit->hasFocus());
    auto result = [&] { return banner->property("result").toString(); };
    auto scanByKeyboard = [&](const QString &text) {
        banner->setProperty("result", QString());
        QTest::keyClicks(scanEdit, text);
        QTest::keyClick(scanEdit, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!result().isEmpty() && result() != u"neutral", test::kWaitMs);
    };
    db::TicketRepository tickets(database());

    // Green: the order URL of a 3-ticket order (i = 2: qty 3).
    const core::Order o = order(2);
    scanByKeyboard(m_config.qr().urlFor(o.orderId));
    QCOMPARE(result(), QStringLiteral("green"));
    QCOMPARE(banner->text(), QStringLiteral("Admitted 1 of 3"));
    QVERIFY(detail->text().contains(o.contactLastName));
    QVERIFY(scanEdit->text().isEmpty());
    // Admit all remaining: 3 of 3.
    QTRY_VERIFY(admitAll->isEnabled());
    banner->setProperty("result", QString());
    admitAll->click();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text() == u"Admitted 3 of 3", test::kWaitMs);
    QCOMPARE(result(), QStringLiteral("green"));
    const auto liveTickets = [&](const QString &orderId) {
        int live = 0;
        for (const core::Ticket &t : tickets.forOrder(orderId).value())
            live += t.status == core::TicketStatus::Live;
        return live;
    };

    // Undo reverts exactly what the last verdict admitted: the two of 'Admit all remaining', not
    // the first ticket admitted by the scan before; each is live again with reason "undo at door".
    QVERIFY(undo->isEnabled());
    undo->click();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text() == u"Admission undone", test::kWaitMs);
    QCOMPARE(liveTickets(o.orderId), 2);
    int undoAudited = 0;
    for (const core::TicketEvent &e : tickets.history(o.orderId).value())
        undoAudited += e.reason == u"undo at door" && e.to == core::TicketStatus::Live;
    QCOMPARE(undoAudited, 2);
    QVERIFY2(!undo->isEnabled(), "an undone admission cannot be undone twice");

    // Admit the two again, then amber: scanning the same order again, every ticket is used (by this
    // station). An amber verdict admitted nothing: Undo is off and the guest before keeps entry.
    scanByKeyboard(o.orderId);
    QCOMPARE(result(), QStringLiteral("green"));
    QTRY_VERIFY(admitAll->isEnabled());
    banner->setProperty("result", QString());
    admitAll->click();
    QTRY_VERIFY_WITH_TIMEOUT(banner->text() == u"Admitted 3 of 3", test::kWaitMs);
    QVERIFY(undo->isEnabled());
    scanByKeyboard(o.orderId);
    QCOMPARE(result(), QStringLiteral("amber"));
    QVERIFY2(banner->text().startsWith(u"Already used"), qPrintable(banner->text()));
    QVERIFY2(detail->text().contains(u"Door 1"), qPrintable(detail->text()));
    QVERIFY2(!undo->isEnabled(), "after an amber verdict there is nothing to undo");
    QCOMPARE(liveTickets(o.orderId), 0);

    // Ticket code: green the first time, amber the second, with who and when.
    const core::Ticket ticket = tickets.forOrder(order(12).orderId).value().value(0);
    QVERIFY2(!ticket.code.isEmpty(), "order 12 has tickets");
    scanByKeyboard(ticket.code.toUpper());
    QCOMPARE(result(), QStringLiteral("green"));
    QVERIFY(undo->isEnabled());
    scanByKeyboard(ticket.code);
    QCOMPARE(result(), QStringLiteral("amber"));
    QCOMPARE(banner->text(), QStringLiteral("Already used"));
    QVERIFY(detail->text().contains(u"Door 1"));
    QVERIFY2(!undo->isEnabled(), "after an amber verdict there is nothing to undo");

    // Red: a cancelled order, an unknown ticket code, an unknown order, something that is no ticket.
    const core::Order cancelled = order(13);
    QVERIFY(tickets.setStatusForOrder(cancelled.orderId, core::TicketStatus::Cancelled, QStringLiteral("refund"), QStringLiteral("test")));
    scanByKeyboard(m_config.qr().urlFor(cancelled.orderId));
    QCOMPARE(result(), QStringLiteral("red"));
    QCOMPARE(banner->text(), QStringLiteral("Cancelled"));
    QVERIFY2(!undo->isEnabled(), "after a red verdict there is nothing to undo");
    scanByKeyboard(QStringLiteral("ffffffffffffffffffffffffffffffff"));
    QCOMPARE(result(), QStringLiteral("red"));
    QCOMPARE(banner->text(), QStringLiteral("Unknown ticket"));
    scanByKeyboard(QStringLiteral("https://tickets.example.com/orders/000000000000000000000bad"));
    QCOMPARE(result(), QStringLiteral("red"));
    QCOMPARE(banner->text(), QStringLiteral("Unknown order"));
    scanByKeyboard(QStringLiteral("hello there"));
    QCOMPARE(result(), QStringLiteral("red"));

    // Esc clears the banner and keeps the focus in the scan field.
    QTest::keyClick(scanEdit, Qt::Key_Escape);
    QCOMPARE(result(), QStringLiteral("neutral"));
    QVERIFY(scanEdit->hasFocus());
}

void TestGui::exportsCsvAndPdf()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    auto *model = window.orderModel();
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() > 0, test::kWaitMs);

    // The filtered list: every order of one contact name.
    search->setText(QStringLiteral("Olivia Keller"));
    db::OrderQuery q;
    q.search = QStringLiteral("Olivia Keller");
    const int expected = db::OrderRepository(database()).count(q).value();
    QVERIFY(expected > 0);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), expected, test::kWaitMs);
    QSignalSpy finished(&window, &gui::MainWindow::exportFinished);
    const QString csvPath = m_dir.filePath(QStringLiteral("orders.csv"));
    window.exportOrderList(csvPath, gui::exporter::CsvSeparator::Comma);
    QVERIFY(finished.wait(test::kWaitMs));
    QCOMPARE(finished.last().at(1).toBool(), true);
    const QList<QStringList> lines = readCsv(csvPath);
    QCOMPARE(lines.size(), expected + 1);
    QCOMPARE(lines.first().first(), QStringLiteral("Order"));
    for (const QStringList &line : lines.mid(1)) {
        QCOMPARE(line.at(1), QStringLiteral("Olivia"));
        QCOMPARE(line.at(2), QStringLiteral("Keller"));
    }

    // Door list of one event as CSV: sorted by last name, only orders with tickets to admit.
    const QString eventId = order(0).eventId;
    const QString doorCsv = m_dir.filePath(QStringLiteral("door.csv"));
    window.exportDoorList(eventId, doorCsv, gui::MainWindow::DoorListFormat::Csv, gui::exporter::CsvSeparator::Comma);
    QVERIFY(finished.wait(test::kWaitMs));
    QCOMPARE(finished.last().at(1).toBool(), true);
    const QList<QStringList> door = readCsv(doorCsv);
    QVERIFY(door.size() > 100);
    QCOMPARE(door.first().at(0), QStringLiteral("Last name"));
    for (int i = 2; i < door.size(); ++i)
        QVERIFY2(door[i - 1].at(0).toLower() <= door[i].at(0).toLower(), "the door list is sorted by last name");

    // ... and as PDF (offscreen QPrinter writes a real file).
    const QString pdf = m_dir.filePath(QStringLiteral("door.pdf"));
    window.exportDoorList(eventId, pdf, gui::MainWindow::DoorListFormat::Pdf);
    QVERIFY(finished.wait(test::kWaitMs));
    QCOMPARE(finished.last().at(1).toBool(), true);
    QFile file(pdf);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.startsWith("%PDF-") && bytes.size() > 10000, "the door list PDF has content");
}

void TestGui::liveUpdateFromAnotherConnection()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    auto *model = window.orderModel();
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    const core::Order target = order(9001);
    search->setText(target.orderId);
    QTRY_COMPARE_WITH_TIMEOUT(model->totalCount(), 1, test::kWaitMs);
    QTRY_COMPARE(model->rowCount(), 1);
    const int usedBefore = model->rowAt(0)->tickets.used;
    // Another station admits a ticket: this test thread's connection is not the window's.
    auto admitted = db::TicketRepository(database()).admitNext(target.orderId, QStringLiteral("Door 2"));
    QVERIFY(admitted && admitted->admitted());
    QTRY_COMPARE_WITH_TIMEOUT(model->rowAt(0)->tickets.used, usedBefore + 1, 20000);
}

void TestGui::changeWatcherListensAgainAfterAServerRestart()
{
    if (!database().isPostgres())
        QSKIP("SQLite is a file in this process: there is no server to restart, by design.");
    const QString restart = qEnvironmentVariable("QRT_TEST_PG_RESTART");
    if (restart.isEmpty())
        QFAIL("QRT_TEST_PG_RESTART is not set: run through scripts/test, which provides a restart script.");
    gui::ChangeWatcher watcher(m_db->shared());
    watcher.setPollInterval(200);
    watcher.start();
    QTRY_VERIFY2_WITH_TIMEOUT(watcher.isListening(), "the watcher should LISTEN on PostgreSQL", test::kWaitMs);
    QSignalSpy changed(&watcher, &gui::ChangeWatcher::changed);

    QProcess proc;
    proc.start(restart, {});
    QVERIFY2(proc.waitForStarted(10000), "the restart script did not start");
    QTRY_VERIFY_WITH_TIMEOUT(proc.state() == QProcess::NotRunning, 90000);
    QVERIFY2(proc.exitCode() == 0, proc.readAllStandardError().constData());
    QTRY_VERIFY2_WITH_TIMEOUT(!watcher.isListening(), "the watcher must notice that the server closed its connection",
                              20000);
    watcher.start();
    QTRY_VERIFY2_WITH_TIMEOUT(watcher.isListening(), "the watcher should LISTEN again once the server is back",
                              test::kWaitMs);
    changed.clear();

    // A change at another station reaches the new connection. This thread's own connection died
    // with the restart too: its first use fails and reconnects.
    bool saved = false;
    for (int attempt = 0; attempt < 3 && !saved; ++attempt)
        saved = db::OrderWriter(database()).save({ order(9100) }, QStringLiteral("Door 2")).ok();
    QVERIFY2(saved, "the test could not write after the restart");
    QVERIFY2(changed.wait(10000) || !changed.isEmpty(), "the change made after the restart was not noticed");
}

void TestGui::emptyStateOnFreshDatabase()
{
    auto empty = test::TestDatabase::create(test::backendFromEnvironment());
    QVERIFY(empty);
    QVERIFY((*empty)->migrate());
    auto services = makeServices((*empty)->shared());
    {
        gui::MainWindow window(*services);
        window.show();
        auto *stack = window.findChild<QStackedWidget *>(QStringLiteral("ordersStack"));
        QSignalSpy loaded(window.orderModel(), &gui::OrderListModel::loaded);
        QVERIFY(loaded.wait(test::kWaitMs));
        QCOMPARE(stack->currentWidget()->objectName(), QStringLiteral("emptyPage"));
        QVERIFY(window.findChild<QLabel *>(QStringLiteral("emptyText"))->text().contains(u"Sync"));
        // Orders arrive (a sync at another station): the list replaces the empty state.
        QVERIFY(db::OrderWriter((*empty)->db()).save(test::sampleOrders(3), QStringLiteral("sync")));
        QTRY_COMPARE_WITH_TIMEOUT(stack->currentWidget()->objectName(), QStringLiteral("listPage"), 20000);
        QTRY_COMPARE_WITH_TIMEOUT(window.orderModel()->rowCount(), 3, 20000);
    }
}

void TestGui::eventOverviewCountsLive()
{
    auto services = makeServices(m_db->shared());
    gui::MainWindow window(*services);
    window.show();
    window.showOverview();
    auto *view = window.findChild<QTableView *>(QStringLiteral("overviewView"));
    QVERIFY(view);
    QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // 3 events x 3 ticket types.
    QTRY_COMPARE_WITH_TIMEOUT(view->model()->rowCount(), 9, test::kWaitMs);
    auto column = [&](int c) {
        int sum = 0;
        for (int r = 0; r < view->model()->rowCount(); ++r)
            sum += view->model()->data(view->model()->index(r, c)).toInt();
        return sum;
    };
    auto overview = db::TicketRepository(database()).overview();
    QVERIFY(overview);
    int sold = 0, admitted = 0;
    for (const db::OverviewRow &r : overview.value()) {
        sold += r.sold;
        admitted += r.admitted;
    }
    QCOMPARE(column(gui::OverviewModel::Sold), sold);
    QCOMPARE(column(gui::OverviewModel::Admitted), admitted);
    // Another station admits someone: the overview follows.
    QVERIFY(db::TicketRepository(database()).admitNext(order(600).orderId, QStringLiteral("Door 3")).value().admitted());
    QTRY_COMPARE_WITH_TIMEOUT(column(gui::OverviewModel::Admitted), admitted + 1, 20000);
}

// What `qrtickets --demo` offers a newcomer: an empty window, Sync against the simulator, the
// orders appear (live), the status bar tells about the sync, and the door admits.
void TestGui::syncFromSimulatorFillsTheWindow()
{
    const auto sim = test::startSimulator();
    QVERIFY2(sim, "the GHL simulator could not listen on 127.0.0.1");
    ghlsim::GhlSimulator &simulator = *sim;
    simulator.generate(60, 7);
    auto fresh = test::TestDatabase::create(test::backendFromEnvironment());
    QVERIFY(fresh);
    QVERIFY((*fresh)->migrate());
    core::Config config = m_config;
    QVERIFY(config.set(core::ConfigKey::GhlBaseUrl, simulator.baseUrl().toString()));
    QVERIFY(config.set(core::ConfigKey::GhlLocationId, simulator.locationId()));
    QVERIFY(config.set(core::ConfigKey::GhlToken, simulator.token()));
    sync::SyncEngine engine((*fresh)->shared());
    test::WindowServices services { config, (*fresh)->shared(), QStringLiteral("Door 1") };
    services.sync = &engine;
    gui::MainWindow window(services);
    window.show();
    auto *stack = window.findChild<QStackedWidget *>(QStringLiteral("ordersStack"));
    QTRY_COMPARE_WITH_TIMEOUT(stack->currentWidget()->objectName(), QStringLiteral("emptyPage"), test::kWaitMs);
    // The watcher subscribes after the first status check.
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QLabel *>(QStringLiteral("syncStatusLabel"))->text().contains(u"Never"), test::kWaitMs);

    sync::SyncRequest request;
    request.mode = sync::SyncMode::Full;
    request.station = services.station;
    request.ghl = config.ghl();
    const sync::SyncSummary summary = test::runOnce(engine, request, test::kSyncRunMs);
    QVERIFY2(summary.status != sync::SyncStatus::Running,
             qPrintable(QStringLiteral("the sync against the simulator did not finish: ") + summary.error));
    QTRY_COMPARE_WITH_TIMEOUT(stack->currentWidget()->objectName(), QStringLiteral("listPage"), test::kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(window.orderModel()->totalCount(), 60, test::kWaitMs);
    QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QLabel *>(QStringLiteral("syncStatusLabel"))->text().startsWith(u"Last sync"), test::kWaitMs);

    // Admit the first order with tickets at the door.
    QString orderId;
    for (int r = 0; r < window.orderModel()->rowCount() && orderId.isEmpty(); ++r) {
        if (window.orderModel()->rowAt(r)->tickets.live > 0)
            orderId = window.orderModel()->orderIdAt(r);
    }
    QVERIFY(!orderId.isEmpty());
    window.showCheckIn();
    auto *panel = window.findChild<gui::CheckInPanel *>(QStringLiteral("checkInPanel"));
    auto *banner = panel->findChild<QLabel *>(QStringLiteral("resultBanner"));
    panel->scan(config.qr().urlFor(orderId));
    QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("green"), test::kWaitMs);
}

QTEST_MAIN(TestGui)
#include "tst_gui.moc"
