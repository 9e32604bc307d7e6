// The FrameDecoder without a player (issue 14 point 1): the hold-off, each pixel format's way to
// luminance, frames dropped (never queued) while the worker is busy, decoding off the GUI thread,
// and stopping or going away while frames still arrive.
#include "camera/framedecoder.h"
#include "camera/framereader.h"
#include "camera/holdoff.h"
#include "camera/testclip.h"
#include "support/timeouts.h"

#include <QAtomicInt>
#include <QGuiApplication>
#include <QTest>
#include <QThread>
#include <QVideoFrame>
#include <QVideoFrameFormat>
#include <QVideoSink>

#include <cstring>
#include <memory>

using namespace qrt;
using Path = camera::FrameReader::Path;

Q_DECLARE_METATYPE(QVideoFrameFormat::PixelFormat)
Q_DECLARE_METATYPE(camera::FrameReader::Path)

namespace {

const QString kText = QStringLiteral("0f3c9a7e51d24b68a0c3e5f7b9d1e2a4");

// A 1280x720 frame of the clip's plain look with kText in view.
QImage sceneWithCode()
{
    test::ClipPlan plan = test::ClipPlan::make({ kText });
    return test::renderClipFrame(plan, (plan.codes.first().firstFrame + plan.codes.first().lastFrame) / 2);
}

// The image as a video frame in `format`, as a camera would deliver it (Y from the image,
// neutral chroma).
QVideoFrame videoFrame(const QImage &image, QVideoFrameFormat::PixelFormat format)
{
    const QSize size = image.size();
    QVideoFrame frame(QVideoFrameFormat(size, format));
    if (!frame.map(QVideoFrame::WriteOnly))
        return {};
    const QImage gray = image.convertToFormat(QImage::Format_Grayscale8);
    const QImage rgb = image.convertToFormat(QImage::Format_RGBA8888);
    for (int plane = 0; plane < frame.planeCount(); ++plane)
        std::memset(frame.bits(plane), 128, size_t(frame.mappedBytes(plane)));
    for (int y = 0; y < size.height(); ++y) {
        const uchar *g = gray.constScanLine(y);
        const uchar *c = rgb.constScanLine(y);
        uchar *out = frame.bits(0) + qsizetype(y) * frame.bytesPerLine(0);
        for (int x = 0; x < size.width(); ++x) {
            switch (format) {
            case QVideoFrameFormat::Format_UYVY:
                out[2 * x + 1] = g[x];
                break;
            case QVideoFrameFormat::Format_YUYV:
                out[2 * x] = g[x];
                break;
            case QVideoFrameFormat::Format_BGRA8888:
                out[4 * x] = c[4 * x + 2], out[4 * x + 1] = c[4 * x + 1], out[4 * x + 2] = c[4 * x], out[4 * x + 3] = 255;
                break;
            case QVideoFrameFormat::Format_ARGB8888:
                out[4 * x] = 255, out[4 * x + 1] = c[4 * x], out[4 * x + 2] = c[4 * x + 1], out[4 * x + 3] = c[4 * x + 2];
                break;
            case QVideoFrameFormat::Format_RGBA8888:
                std::memcpy(out + 4 * x, c + 4 * x, 4);
                break;
            case QVideoFrameFormat::Format_P010: // 16-bit Y, the value in the high bits
                out[2 * x] = 0, out[2 * x + 1] = g[x];
                break;
            default: // the 8-bit Y plane of the planar formats
                out[x] = g[x];
            }
        }
    }
    if (format == QVideoFrameFormat::Format_P010) {
        for (int y = 0; y < size.height() / 2; ++y) {
            auto *uv = reinterpret_cast<quint16 *>(frame.bits(1) + qsizetype(y) * frame.bytesPerLine(1));
            for (int x = 0; x < size.width(); ++x)
                uv[x] = 0x8000;
        }
    }
    frame.unmap();
    return frame;
}

} // namespace

class TestFrameDecoder : public QObject
{
    Q_OBJECT

private slots:
    void holdOff()
    {
        const QString a = QStringLiteral("A"), b = QStringLiteral("B");
        camera::HoldOff h(1500);
        QCOMPARE(h.accept({ a }, 0), QStringList{ a });
        // Held in view, with frames that miss it (blur, glare) for less than the hold-off: one scan.
        QCOMPARE(h.accept({ a }, 40), QStringList());
        QCOMPARE(h.accept({}, 400), QStringList());
        QCOMPARE(h.accept({ a }, 1200), QStringList());
        QCOMPARE(h.accept({ a }, 2600), QStringList());
        // A different code at once; the first one, back after 2.4 s out of view, is a new scan.
        QCOMPARE(h.accept({ b }, 5000), QStringList{ b });
        QCOMPARE(h.accept({ a, b }, 5100), QStringList{ a });
        QCOMPARE(h.accept({ a }, 5200), QStringList());
        // Without a hold-off every frame that reads it reports it.
        h.setHoldOffMs(0);
        QCOMPARE(h.accept({ a }, 5240), QStringList{ a });
        QCOMPARE(h.accept({ a }, 5280), QStringList{ a });
    }

    // Frames shown faster than the worker decodes: the newest waits, the others are dropped; the
    // code in them is one scan, reported on the receiver's thread, decoded on the worker's.
    void dropsFramesWhileBusy()
    {
        QVideoSink sink;
        camera::FrameDecoder decoder;
        decoder.watch(&sink);
        QStringList reported;
        QString decodedOn;
        bool offThread = false;
        connect(&decoder, &camera::FrameDecoder::codeRead, this, [&](const QString &text) {
            reported << text;
            offThread = offThread || QThread::currentThread() != thread();
        });
        connect(&decoder, &camera::FrameDecoder::codeRead, this,
                [&](const QString &) { decodedOn = QThread::currentThread()->objectName(); }, Qt::DirectConnection);
        // Two frames in turn: QVideoSink ignores the frame it already shows.
        const QVideoFrame frames[2] = { videoFrame(sceneWithCode(), QVideoFrameFormat::Format_NV12),
                                        videoFrame(sceneWithCode(), QVideoFrameFormat::Format_NV12) };
        constexpr int kFrames = 100;
        for (int i = 0; i < kFrames; ++i)
            sink.setVideoFrame(frames[i % 2]);
        QTRY_COMPARE_WITH_TIMEOUT(reported.size(), 1, test::kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(decoder.stats().framesDecoded + decoder.stats().framesDropped == kFrames, test::kWaitMs);
        const camera::FrameDecoder::Stats s = decoder.stats();
        QCOMPARE(s.framesSeen, qint64(kFrames));
        QVERIFY2(s.framesDropped > 0 && s.framesDecoded < kFrames,
                 qPrintable(QStringLiteral("%1 of %2 frames decoded: frames were queued, not dropped").arg(s.framesDecoded).arg(kFrames)));
        QCOMPARE(s.codesRead, qint64(1));
        QCOMPARE(reported, QStringList{ kText });
        QVERIFY2(!offThread, "codeRead reached the receiver outside its thread");
        QCOMPARE(decodedOn, QStringLiteral("qrt-camera-decode"));
    }

    void stopsWatching()
    {
        auto *sink = new QVideoSink;
        camera::FrameDecoder decoder;
        decoder.watch(sink);
        const QVideoFrame frame = videoFrame(sceneWithCode(), QVideoFrameFormat::Format_Y8);
        sink->setVideoFrame(frame);
        QCOMPARE(decoder.stats().framesSeen, qint64(1));
        decoder.watch(nullptr);
        sink->setVideoFrame(videoFrame(sceneWithCode(), QVideoFrameFormat::Format_Y8));
        QCOMPARE(decoder.stats().framesSeen, qint64(1));
        decoder.watch(sink);
        delete sink; // a sink going away stops the watch
        QVideoSink other;
        decoder.watch(&other);
        other.setVideoFrame(frame);
        QCOMPARE(decoder.stats().framesSeen, qint64(2));
    }

    // A camera's streaming thread keeps showing frames while the decoder is destroyed.
    void destroyedWhileFramesArrive()
    {
        QVideoSink sink;
        const QVideoFrame frames[2] = { videoFrame(sceneWithCode(), QVideoFrameFormat::Format_NV12),
                                        videoFrame(sceneWithCode(), QVideoFrameFormat::Format_NV12) };
        QAtomicInt stop = 0, shown = 0;
        std::unique_ptr<QThread> streaming(QThread::create([&] {
            while (!stop.loadAcquire()) {
                sink.setVideoFrame(frames[shown.loadRelaxed() % 2]);
                shown.fetchAndAddRelaxed(1);
                QThread::usleep(500);
            }
        }));
        streaming->start();
        for (int round = 0; round < 5; ++round) {
            camera::FrameDecoder decoder;
            decoder.watch(&sink);
            QTRY_VERIFY_WITH_TIMEOUT(decoder.stats().framesDecoded > 0, test::kWaitMs);
        }
        stop.storeRelease(1);
        QVERIFY(streaming->wait(test::kWaitMs));
        QVERIFY(shown.loadRelaxed() > 0);
    }

    void formats_data()
    {
        QTest::addColumn<QVideoFrameFormat::PixelFormat>("format");
        QTest::addColumn<camera::FrameReader::Path>("path");
        QTest::newRow("NV12") << QVideoFrameFormat::Format_NV12 << Path::YPlane;
        QTest::newRow("NV21") << QVideoFrameFormat::Format_NV21 << Path::YPlane;
        QTest::newRow("YUV420P") << QVideoFrameFormat::Format_YUV420P << Path::YPlane;
        QTest::newRow("YV12") << QVideoFrameFormat::Format_YV12 << Path::YPlane;
        QTest::newRow("YUV422P") << QVideoFrameFormat::Format_YUV422P << Path::YPlane;
        QTest::newRow("Y8") << QVideoFrameFormat::Format_Y8 << Path::YPlane;
        QTest::newRow("UYVY") << QVideoFrameFormat::Format_UYVY << Path::Packed;
        QTest::newRow("YUYV") << QVideoFrameFormat::Format_YUYV << Path::Packed;
        QTest::newRow("BGRA8888") << QVideoFrameFormat::Format_BGRA8888 << Path::Rgb;
        QTest::newRow("ARGB8888") << QVideoFrameFormat::Format_ARGB8888 << Path::Rgb;
        QTest::newRow("RGBA8888") << QVideoFrameFormat::Format_RGBA8888 << Path::Rgb;
        QTest::newRow("P010 (toImage)") << QVideoFrameFormat::Format_P010 << Path::ToImage;
    }

    void formats()
    {
        QFETCH(QVideoFrameFormat::PixelFormat, format);
        QFETCH(camera::FrameReader::Path, path);
        const QVideoFrame frame = videoFrame(sceneWithCode(), format);
        QVERIFY(frame.isValid());
        camera::FrameReader reader;
        QCOMPARE(reader.read(frame), QStringList{ kText });
        QCOMPARE(reader.lastPath(), path);
    }
};

QTEST_MAIN(TestFrameDecoder)
#include "tst_framedecoder.moc"
