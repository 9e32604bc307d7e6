// Writes a PNG of every main screen (for the README's user guide) to $QRT_SCREENSHOT_OUT
// (ctest: <build>/screenshots) and, when set, $QRT_SCREENSHOT_DIR. Checks each file is a real,
// non-blank image of the expected size.
#include "core/config.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "windowservices.h"
#include "gui/checkinpanel.h"
#include "gui/eventoverview.h"
#include "support/sampleorders.h"
#include "gui/mainwindow.h"
#include "gui/orderdialog.h"
#include "gui/orderlistmodel.h"
#include "gui/services.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"

#include <QApplication>
#include <QDir>
#include <QPalette>
#include <QImage>
#include <QLibraryInfo>
#include <QLabel>
#include <QPixmap>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTranslator>

using namespace qrt;

class TestScreenshots : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void mainScreens_data();
    void mainScreens();
    void emptyState();
    void darkPalette();

private:
    void save(QWidget *widget, const QString &name);

    QStringList m_dirs;
    std::unique_ptr<test::TestDatabase> m_db;
    core::Config m_config = core::Config::defaults();
};

void TestScreenshots::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("qrtickets-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_screenshots"));
    for (const char *variable : { "QRT_SCREENSHOT_OUT", "QRT_SCREENSHOT_DIR" }) {
        const QString dir = qEnvironmentVariable(variable);
        if (!dir.isEmpty() && !m_dirs.contains(dir)) {
            QVERIFY2(QDir().mkpath(dir), qPrintable(QStringLiteral("cannot create %1").arg(dir)));
            m_dirs << dir;
        }
    }
    if (m_dirs.isEmpty())
        m_dirs << QDir::current().filePath(QStringLiteral("screenshots"));
    QVERIFY(QDir().mkpath(m_dirs.first()));

    auto created = test::TestDatabase::create(db::Dialect::SQLite);
    QVERIFY(created);
    m_db = std::move(created).value();
    QVERIFY(m_db->migrate());
    QVERIFY(m_config.set(core::ConfigKey::QrUrlTemplate, QStringLiteral("https://tickets.example.com/orders/{order_id}")));
    // Verdicts stay until the next scan: a stalled machine must not clear one before its screenshot.
    QVERIFY(m_config.set(core::ConfigKey::DoorClearAfterMs, QStringLiteral("0")));
    QVERIFY(db::OrderWriter(m_db->db()).save(test::sampleOrders(240), QStringLiteral("sync")));
    // Some people have arrived already, at two doors.
    db::TicketRepository tickets(m_db->db());
    for (int i = 0; i < 240; i += 3)
        QVERIFY(tickets.admitNext(test::sampleOrderId(i), i % 2 ? QStringLiteral("Door 1") : QStringLiteral("Door 2")));
}

void TestScreenshots::save(QWidget *widget, const QString &name)
{
    QCoreApplication::processEvents();
    const QPixmap pixmap = widget->grab();
    QVERIFY2(!pixmap.isNull() && pixmap.width() >= 600 && pixmap.height() >= 400, qPrintable(name));
    const QImage image = pixmap.toImage();
    // Not blank: some pixels differ from the top-left one.
    bool varied = false;
    const QRgb first = image.pixel(0, 0);
    for (int y = 0; y < image.height() && !varied; y += 7)
        for (int x = 0; x < image.width() && !varied; x += 7)
            varied = image.pixel(x, y) != first;
    QVERIFY2(varied, qPrintable(name + QStringLiteral(" is blank")));
    for (const QString &dir : std::as_const(m_dirs)) {
        const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
        QVERIFY2(image.save(path, "PNG"), qPrintable(path));
        QVERIFY(QFileInfo(path).size() > 5000);
    }
}

// The guide's main screens in English, and in German (de-*.png) as German door staff see them.
void TestScreenshots::mainScreens_data()
{
    QTest::addColumn<QString>("language"); // empty: the source language
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("greenOrder"); // an order with a ticket still to admit
    QTest::newRow("English") << QString() << QString() << test::sampleOrderId(7);
    QTest::newRow("German") << QStringLiteral("de") << QStringLiteral("de-") << test::sampleOrderId(10);
}

void TestScreenshots::mainScreens()
{
    QFETCH(QString, language);
    QFETCH(QString, prefix);
    QFETCH(QString, greenOrder);
    QTranslator qtbase;
    QTranslator own;
    const QLocale original;
    if (!language.isEmpty()) {
        QVERIFY2(own.load(QStringLiteral(":/i18n/qrtickets_") + language),
                 qPrintable(QStringLiteral("the %1 translation is not compiled into the program").arg(language)));
        (void)qtbase.load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath));
        QCoreApplication::installTranslator(&qtbase);
        QCoreApplication::installTranslator(&own);
        QLocale::setDefault(QLocale(language));
    }
    auto restore = qScopeGuard([&] {
        QLocale::setDefault(original);
        QCoreApplication::removeTranslator(&own);
        QCoreApplication::removeTranslator(&qtbase);
    });
    test::WindowServices services { m_config, m_db->shared(), QStringLiteral("Door 1") };
    gui::MainWindow window(services);
    window.resize(1280, 780);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->totalCount() == 240, test::kWaitMs);
    save(&window, prefix + QStringLiteral("main-window"));

    const QString orderId = test::sampleOrderId(3); // 4 tickets, one admitted
    gui::OrderDialog *dialog = window.openOrder(orderId);
    QSignalSpy loaded(dialog, &gui::OrderDialog::loaded);
    QVERIFY(loaded.wait(test::kWaitMs));
    dialog->resize(960, 760);
    dialog->findChild<QTableView *>(QStringLiteral("ticketView"))->selectRow(1);
    QTest::qWait(50);
    save(dialog, prefix + QStringLiteral("order-page"));
    dialog->close();

    window.showCheckIn();
    auto *panel = window.findChild<gui::CheckInPanel *>(QStringLiteral("checkInPanel"));
    auto *banner = panel->findChild<QLabel *>(QStringLiteral("resultBanner"));
    const struct
    {
        QString scan;
        QString tone;
        QString name;
    } scans[] = {
        { m_config.qr().urlFor(greenOrder), QStringLiteral("green"), QStringLiteral("checkin-green") },
        { m_config.qr().urlFor(test::sampleOrderId(0)), QStringLiteral("amber"), QStringLiteral("checkin-amber") },
        { QStringLiteral("0badc0de0badc0de0badc0de0badc0de"), QStringLiteral("red"), QStringLiteral("checkin-red") },
    };
    // Order 0 has one ticket, admitted in initTestCase: amber.
    for (const auto &s : scans) {
        banner->setProperty("result", QString());
        panel->scan(s.scan);
        QTRY_VERIFY_WITH_TIMEOUT(!banner->property("result").toString().isEmpty(), test::kWaitMs);
        QCOMPARE(banner->property("result").toString(), s.tone);
        save(&window, prefix + s.name);
    }

    window.showOverview();
    auto *overview = window.findChild<QTableView *>(QStringLiteral("overviewView"));
    QTRY_VERIFY_WITH_TIMEOUT(overview->model()->rowCount() == 9, test::kWaitMs);
    save(&window, prefix + QStringLiteral("event-overview"));
}

void TestScreenshots::emptyState()
{
    auto empty = test::TestDatabase::create(db::Dialect::SQLite);
    QVERIFY(empty);
    QVERIFY((*empty)->migrate());
    test::WindowServices services { m_config, (*empty)->shared(), QStringLiteral("Door 1") };
    gui::MainWindow window(services);
    QSignalSpy loaded(window.orderModel(), &gui::OrderListModel::loaded);
    window.resize(1280, 780);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), test::kWaitMs);
    QTest::qWait(100);
    save(&window, QStringLiteral("empty-state"));
}

// The same window under a dark system palette: nothing hard-coded light except the result banner,
// which sets its text colour too.
void TestScreenshots::darkPalette()
{
    const QPalette original = QApplication::palette();
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xe8));
    dark.setColor(QPalette::Highlight, QColor(0x2f, 0x65, 0xca));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
    for (QPalette::ColorRole role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        dark.setColor(QPalette::Disabled, role, QColor(0x80, 0x80, 0x80));
    QApplication::setPalette(dark);
    {
        test::WindowServices services { m_config, m_db->shared(), QStringLiteral("Door 1") };
        gui::MainWindow window(services);
        window.resize(1280, 780);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QTRY_VERIFY_WITH_TIMEOUT(window.orderModel()->rowCount() > 0, test::kWaitMs);
        save(&window, QStringLiteral("main-window-dark"));
        window.showCheckIn();
        auto *panel = window.findChild<gui::CheckInPanel *>(QStringLiteral("checkInPanel"));
        auto *banner = panel->findChild<QLabel *>(QStringLiteral("resultBanner"));
        banner->setProperty("result", QString());
        panel->scan(m_config.qr().urlFor(test::sampleOrderId(0)));
        QTRY_VERIFY_WITH_TIMEOUT(!banner->property("result").toString().isEmpty(), test::kWaitMs);
        save(&window, QStringLiteral("checkin-dark"));
    }
    QApplication::setPalette(original);
}

QTEST_MAIN(TestScreenshots)
#include "tst_screenshots.moc"
