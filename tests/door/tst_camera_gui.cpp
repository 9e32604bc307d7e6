// The check-in panel's camera (issue 14 point 1), on a machine without a camera: the Camera button
// says plainly that there is none and nothing crashes; frames given to the preview's video sink (a
// QR of a ticket code, as a camera would show it) are decoded by camera::FrameDecoder and end as a
// verdict through the same path as a typed scan, one scan per code held in view; the preview
// mirrors on request; its picture is made off the GUI thread from the newest frame only, scaled to
// the widget; Settings → Station keeps the camera by device id. Saves PNGs in $QRT_SCREENSHOT_OUT
// (ctest: <build>/screenshots): checkin-camera-none, checkin-camera-preview, camera-preview,
// camera-preview-mirrored, settings-station-camera.
#include "camera/camerasource.h"
#include "camera/framedecoder.h"
#include "camera/previewrenderer.h"
#include "core/config.h"
#include "core/configstore.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "gui/camerapreview.h"
#include "gui/checkinpanel.h"
#include "gui/dbworker.h"
#include "gui/settings/stationsettingspage.h"
#include "gui/settingsdialog.h"
#include "qr/qrcode.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"
#include "support/timeouts.h"
#include "support/verify.h"
#include "../gui/guitestutil.h"
#include "../gui/windowservices.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QTimer>
#include <QVideoFrame>
#include <QVideoSink>

using namespace qrt;

namespace {

// What a camera would deliver: a 1280x720 frame, the QR of `text` (zxing-cpp's encoder) held up in
// the middle of a grey room; or an empty room.
QImage roomWithCode(const QString &text)
{
    QImage room(1280, 720, QImage::Format_ARGB32);
    room.fill(QColor(0x70, 0x78, 0x80));
    QPainter painter(&room);
    painter.fillRect(QRect(380, 120, 520, 480), QColor(0x30, 0x30, 0x38)); // the guest's phone
    if (!text.isEmpty()) {
        auto qr = qr::QrEncoder(qr::QrOptions { .sizePx = 400, .margin = 2 }).image(text);
        if (qr)
            painter.drawImage(QPoint(440, 160), qr.value());
    }
    return room;
}

QVideoFrame frameOf(const QImage &picture)
{
    const QImage image = picture.convertToFormat(QImage::Format_ARGB32);
    QVideoFrame frame(QVideoFrameFormat(image.size(), QVideoFrameFormat::pixelFormatFromImageFormat(image.format())));
    if (!frame.map(QVideoFrame::WriteOnly))
        return {};
    for (int y = 0; y < image.height(); ++y)
        memcpy(frame.bits(0) + qsizetype(y) * frame.bytesPerLine(0), image.constScanLine(y), size_t(image.width()) * 4);
    frame.unmap();
    return frame;
}

} // namespace

class TestCameraGui : public QObject
{
    Q_OBJECT

    std::unique_ptr<test::TestDatabase> m_t;
    core::Config m_config = core::Config::defaults();

    // Without a camera the default setting finds none; on a machine with one, [station] camera =
    // none gives the same message, so the case runs anywhere.
    QString noCameraSetting() const
    {
        return camera::CameraSource::cameras().isEmpty() ? QString() : QStringLiteral("none");
    }

private slots:
    void init()
    {
        QRT_FRESH_DATABASE(m_t, db::Dialect::SQLite);
        QVERIFY_OK(m_t->migrate());
        m_config = core::Config::defaults();
        // Verdicts stay until the next scan: a stalled machine must not clear one before it is read.
        QVERIFY_OK(m_config.set(core::ConfigKey::DoorClearAfterMs, QStringLiteral("0")));
        QVERIFY_OK(m_config.set(core::ConfigKey::DoorSound, QStringLiteral("false")));
        QVERIFY_OK(m_config.set(core::ConfigKey::StationCamera, noCameraSetting()));
        auto saved = db::OrderWriter(m_t->db()).save(test::sampleOrders(6), QStringLiteral("sync"));
        QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().toString()));
    }

    void cleanup() { m_t.reset(); }

    void noCameraSaysSoAndNothingBreaks()
    {
        test::WindowServices services { m_config, m_t->shared(), QStringLiteral("Door 1") };
        gui::CheckInPanel panel(services, services.worker);
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *button = test::child<QPushButton>(&panel, "cameraButton");
        auto *preview = test::child<gui::CameraPreview>(&panel, "cameraPreview");
        auto *message = test::child<QLabel>(&panel, "cameraMessage");
        QVERIFY(button && preview && message);
        QVERIFY(button->isCheckable() && !button->isChecked());
        QVERIFY2(!preview->isVisible(), "the preview shows only while the Camera button is down");

        button->click();
        QVERIFY(preview->isVisible() && preview->isOn());
        const QString expected = QStringLiteral("No camera found — connect one or choose it in Settings → Station");
        QCOMPARE(preview->message(), expected);
        QVERIFY(message->isVisible());
        QCOMPARE(preview->source()->problem(), camera::CameraSource::Problem::NoCamera);
        QCOMPARE(preview->accessibleDescription(), expected);
        QVERIFY2(panel.findChild<QLineEdit *>(QStringLiteral("scanEdit"))->hasFocus(),
                 "after the Camera button a USB scanner must still type into the scan field");
        test::screenshot(&panel, QStringLiteral("checkin-camera-none"));

        // The panel hidden (another tab, the window closed): the camera goes off; back: on again.
        panel.hide();
        QVERIFY(!preview->isOn());
        QVERIFY(button->isChecked());
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(preview->isOn());
        QCOMPARE(preview->message(), expected);

        button->click();
        QVERIFY(!preview->isVisible() && !preview->isOn());
        QVERIFY(preview->message().isEmpty());
        // A typed scan still works with the camera off.
        auto *banner = test::child<QLabel>(&panel, "resultBanner");
        panel.scan(test::sampleOrderId(0));
        QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("green"), test::kWaitMs);
    }

    void aCodeInViewIsOneScanOnTheTypedPath()
    {
        test::WindowServices services { m_config, m_t->shared(), QStringLiteral("Door 1") };
        gui::CheckInPanel panel(services, services.worker);
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *button = test::child<QPushButton>(&panel, "cameraButton");
        auto *preview = test::child<gui::CameraPreview>(&panel, "cameraPreview");
        auto *banner = test::child<QLabel>(&panel, "resultBanner");
        auto *recent = test::child<QListWidget>(&panel, "recentList");
        QVERIFY(button && preview && banner && recent);
        button->click();
        QVERIFY(preview->isOn());

        db::TicketRepository tickets(m_t->db());
        QString orderId; // an order of two tickets or more
        QList<core::Ticket> order;
        for (int i = 0; i < 6 && order.size() < 2; ++i) {
            orderId = test::sampleOrderId(i);
            order = tickets.forOrder(orderId).value();
        }
        QVERIFY2(order.size() >= 2, "the fixture needs an order of two tickets");
        const core::Ticket ticket = order.first();

        // The guest holds the ticket's QR in view: frames keep coming (a camera sends ~30 a second),
        // the decoder drops what it cannot take, and the hold-off makes it one scan.
        // A new frame each time, as a camera sends (a sink shows the same frame once).
        const QImage held = roomWithCode(ticket.code);
        QVERIFY(frameOf(held).isValid());
        QTimer camera;
        camera.setInterval(33);
        connect(&camera, &QTimer::timeout, preview->videoSink(), [&] { preview->videoSink()->setVideoFrame(frameOf(held)); });
        camera.start();
        QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("green"), test::kWaitMs);
        QVERIFY2(preview->message().isEmpty(), qPrintable(preview->message())); // a picture: no "No camera" over it
        QTRY_VERIFY_WITH_TIMEOUT(preview->decoder()->stats().framesSeen >= 20, test::kWaitMs); // held in view for a while
        test::screenshot(&panel, QStringLiteral("checkin-camera-preview"));
        camera.stop();
        QCoreApplication::processEvents();
        QCOMPARE(recent->count(), 1);
        QCOMPARE(preview->decoder()->stats().codesRead, qint64(1));
        const core::Ticket admitted = tickets.forOrder(orderId).value().first();
        QCOMPARE(core::toString(admitted.status), QStringLiteral("used"));
        const QString cameraVerdict = banner->text();
        QVERIFY2(cameraVerdict.startsWith(QStringLiteral("Admitted 1 of")), qPrintable(cameraVerdict));

        // The same code typed: the same path, so the ticket is already used by this station.
        auto *scanEdit = test::child<QLineEdit>(&panel, "scanEdit");
        scanEdit->setText(ticket.code);
        banner->setProperty("result", QString());
        QTest::keyClick(scanEdit, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("amber"), test::kWaitMs);
        QVERIFY2(banner->text().startsWith(QStringLiteral("Already used")), qPrintable(banner->text()));

        // The order's other ticket typed and then shown to the camera gives the same verdicts.
        const core::Ticket second = order.at(1);
        banner->setProperty("result", QString());
        preview->videoSink()->setVideoFrame(frameOf(roomWithCode(QString()))); // the code left the view
        preview->videoSink()->setVideoFrame(frameOf(roomWithCode(second.code)));
        QTRY_COMPARE_WITH_TIMEOUT(banner->property("result").toString(), QStringLiteral("green"), test::kWaitMs);
        QVERIFY2(banner->text().startsWith(QStringLiteral("Admitted")), qPrintable(banner->text()));
        QCOMPARE(recent->count(), 3);
        QCOMPARE(core::toString(tickets.forOrder(orderId).value().at(1).status), QStringLiteral("used"));
    }

    // Without a camera CameraSource says why, once, and stays inactive; stop() is harmless.
    void cameraSourceWithoutCamera()
    {
        camera::CameraSource source;
        QVideoSink sink;
        source.setVideoSink(&sink);
        QSignalSpy failed(&source, &camera::CameraSource::failed);
        QVERIFY(!source.start(QStringLiteral("none")));
        QCOMPARE(failed.count(), 1);
        QCOMPARE(source.problem(), camera::CameraSource::Problem::NoCamera);
        QVERIFY(!source.isActive());
        if (camera::CameraSource::cameras().isEmpty()) {
            QVERIFY(!source.start(QStringLiteral("/dev/video9")));
            QCOMPARE(source.problem(), camera::CameraSource::Problem::NoCamera);
            QVERIFY(!source.start(QString()));
            QCOMPARE(source.problem(), camera::CameraSource::Problem::NoCamera);
            QCOMPARE(failed.count(), 3);
        }
        source.stop();
        QVERIFY(camera::CameraSource::bestFormat(QCameraDevice()).isNull());
        using P = camera::CameraSource::Problem;
        for (P problem : { P::NoCamera, P::NotConnected, P::PermissionDenied, P::Busy, P::Failed })
            QVERIFY2(camera::CameraSource::describe(problem).contains(u'—'), "each problem says what to do");
    }

    // Settings → Station saved while the camera is on: the panel takes the new choice at once.
    void settingsApplyWhileOn()
    {
        core::ConfigStore store(m_config);
        test::WindowServices services { store.config(), m_t->shared(), QStringLiteral("Door 1") };
        services.configStore = &store;
        gui::CheckInPanel panel(services, services.worker);
        panel.resize(900, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        auto *preview = test::child<gui::CameraPreview>(&panel, "cameraPreview");
        test::child<QPushButton>(&panel, "cameraButton")->click();
        QVERIFY(preview->isOn() && !preview->isMirrored());
        QVERIFY_OK(store.set(core::ConfigKey::StationCameraMirror, QStringLiteral("true")));
        QVERIFY(preview->isMirrored());
        QVERIFY_OK(store.set(core::ConfigKey::StationCamera, QStringLiteral("none")));
        QVERIFY(preview->isOn());
        QCOMPARE(preview->source()->problem(), camera::CameraSource::Problem::NoCamera);
    }

    void previewMirrors()
    {
        gui::CameraPreview preview;
        preview.resize(400, 225);
        preview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&preview));
        preview.start(noCameraSetting());
        QImage halves(320, 180, QImage::Format_ARGB32);
        halves.fill(Qt::blue);
        QPainter(&halves).fillRect(0, 0, 160, 180, Qt::red); // red on the left, as the camera sees it
        preview.videoSink()->setVideoFrame(frameOf(halves));
        // The picture is made on the renderer's thread: it shows shortly after the frame.
        QTRY_COMPARE_WITH_TIMEOUT(QColor(preview.grab().toImage().pixel(50, 112)), QColor(Qt::red), test::kWaitMs);
        QImage shown = preview.grab().toImage();
        QCOMPARE(QColor(shown.pixel(350, 112)), QColor(Qt::blue));
        preview.setMirrored(true);
        shown = preview.grab().toImage();
        QCOMPARE(QColor(shown.pixel(50, 112)), QColor(Qt::blue));
        QCOMPARE(QColor(shown.pixel(350, 112)), QColor(Qt::red));
        // A new frame while mirrored comes mirrored from the renderer.
        QPainter(&halves).fillRect(0, 0, 160, 180, Qt::green);
        preview.videoSink()->setVideoFrame(frameOf(halves));
        QTRY_COMPARE_WITH_TIMEOUT(QColor(preview.grab().toImage().pixel(350, 112)), QColor(Qt::green), test::kWaitMs);
        QCOMPARE(QColor(preview.grab().toImage().pixel(50, 112)), QColor(Qt::blue));
        preview.stop();
        QVERIFY(preview.picture().isNull());
    }

    // The GUI thread only draws: each picture is converted and scaled to the widget on the
    // renderer's thread, and frames faster than it are dropped (the newest shown), never queued.
    void previewDrawsTheNewestFrameMadeOffTheGuiThread()
    {
        gui::CameraPreview preview;
        preview.resize(480, 270);
        preview.show();
        QVERIFY(QTest::qWaitForWindowExposed(&preview));
        preview.start(noCameraSetting());
        // A burst of full 1280x720 frames, as fast as the GUI thread can hand them over; the last
        // one is the room with a code in it.
        constexpr int kBurst = 40;
        for (int i = 0; i < kBurst; ++i) {
            QImage still(1280, 720, QImage::Format_ARGB32);
            still.fill(QColor::fromHsv(i * 9 % 360, 200, 200));
            preview.videoSink()->setVideoFrame(frameOf(still));
        }
        const QImage room = roomWithCode(QStringLiteral("QRT-PREVIEW-1"));
        preview.videoSink()->setVideoFrame(frameOf(room));
        const QRgb wall = room.pixel(10, 10);
        QTRY_COMPARE_WITH_TIMEOUT(QColor(preview.picture().pixel(5, 5)), QColor(wall), test::kWaitMs);
        const camera::PreviewRenderer::Stats stats = preview.renderer()->stats();
        QCOMPARE(stats.framesSeen, qint64(kBurst + 1));
        QVERIFY2(stats.framesDropped > 0 && stats.framesRendered < stats.framesSeen,
                 qPrintable(QStringLiteral("a burst of %1 frames must be dropped down to the newest, not queued: %2 rendered")
                                .arg(kBurst + 1)
                                .arg(stats.framesRendered)));
        // Made to fit the widget (16:9 in 480x270), not the camera's 1280x720.
        QCOMPARE(preview.picture().deviceIndependentSize().toSize(), QSize(480, 270));
        test::screenshot(&preview, QStringLiteral("camera-preview"));
        preview.setMirrored(true);
        QCOMPARE(QColor(preview.grab().toImage().pixel(450, 30)), QColor(wall)); // inside the green read cue
        test::screenshot(&preview, QStringLiteral("camera-preview-mirrored"));
        // Resized: the next picture is made at the new size.
        preview.resize(320, 180);
        preview.videoSink()->setVideoFrame(frameOf(room));
        QTRY_COMPARE_WITH_TIMEOUT(preview.picture().deviceIndependentSize().toSize(), QSize(320, 180), test::kWaitMs);
        preview.stop();
    }

    void stationPageKeepsTheCameraById()
    {
        test::MemorySecrets secrets;
        core::Config config = m_config;
        QVERIFY_OK(config.set(core::ConfigKey::StationCamera, QStringLiteral("/dev/video7")));
        gui::StationSettingsPage page(&secrets);
        page.load(config);
        auto *combo = test::child<QComboBox>(&page, "cameraCombo");
        auto *mirror = test::child<QCheckBox>(&page, "cameraMirrorCheck");
        QVERIFY(combo && mirror);
        QCOMPARE(combo->itemText(0), QStringLiteral("System default camera"));
        QCOMPARE(combo->itemData(1).toString(), QStringLiteral("none"));
        // A camera chosen before and not connected now stays chosen, by its id.
        QCOMPARE(combo->currentText(), QStringLiteral("/dev/video7 (not connected)"));
        QStringList problems;
        QVERIFY(!page.save(config, problems).contains(core::ConfigKey::StationCamera));
        QCOMPARE(config.text(core::ConfigKey::StationCamera), QStringLiteral("/dev/video7"));
        combo->setCurrentIndex(1);
        mirror->setChecked(true);
        const auto changed = page.save(config, problems);
        QVERIFY(problems.isEmpty());
        QVERIFY(changed.contains(core::ConfigKey::StationCamera) && changed.contains(core::ConfigKey::StationCameraMirror));
        QCOMPARE(config.text(core::ConfigKey::StationCamera), QStringLiteral("none"));
        QVERIFY(config.flag(core::ConfigKey::StationCameraMirror));

        // As staff see it: Settings → Station.
        gui::SettingsDialog dialog(config, &secrets, nullptr);
        auto *tabs = test::child<QTabWidget>(&dialog, "tabs");
        QVERIFY(tabs);
        for (int i = 0; i < tabs->count(); ++i) {
            if (tabs->tabText(i) == u"Station")
                tabs->setCurrentIndex(i);
        }
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *shownCombo = test::child<QComboBox>(&dialog, "cameraCombo");
        QVERIFY(shownCombo && shownCombo->isVisible());
        QCOMPARE(shownCombo->currentText(), QStringLiteral("None"));
        test::screenshot(&dialog, QStringLiteral("settings-station-camera"));
    }
};

QTEST_MAIN(TestCameraGui)
#include "tst_camera_gui.moc"
