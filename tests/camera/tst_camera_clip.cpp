// Camera scanning without a camera (issue 14 point 2): a generated video of QR codes (blur, tilt,
// glare, a phone screen's moiré; each held in view about a second, blank gaps between) played by
// QMediaPlayer into a QVideoSink that the FrameDecoder watches, as a camera's sink would be. Each
// code must be read exactly once, and nothing else. A second decoder with no hold-off watches the
// same frames and must be caught by the same check (the test can fail).
#include "camera/framedecoder.h"
#include "camera/framereader.h"
#include "camera/testclip.h"
#include "support/timeouts.h"
#include "support/verify.h"

#include <QGuiApplication>
#include <QMediaPlayer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QVideoFrame>
#include <QVideoSink>

using namespace qrt;

namespace {

// What is wrong with what a decoder reported, in words; empty when each code came exactly once.
QString problems(const test::ClipPlan &plan, const QStringList &reported)
{
    QStringList lines;
    for (const test::ClipCode &code : plan.codes) {
        const qsizetype n = reported.count(code.text);
        if (n == 0)
            lines << QStringLiteral("the %1 code (%2) was never read").arg(code.look, code.text);
        else if (n > 1)
            lines << QStringLiteral("the %1 code (%2) was read %3 times, once expected").arg(code.look, code.text).arg(n);
    }
    for (const QString &text : reported) {
        if (std::none_of(plan.codes.begin(), plan.codes.end(), [&](const test::ClipCode &c) { return c.text == text; }))
            lines << QStringLiteral("read \"%1\", which is not in the clip").arg(text);
    }
    return lines.join(QStringLiteral("; "));
}

} // namespace

class TestCameraClip : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    test::ClipPlan m_plan;
    QString m_clip;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_plan = test::ClipPlan::make(test::sampleClipTexts(int(test::ClipPlan::looks().size())));
        m_clip = m_dir.filePath(QStringLiteral("codes.avi"));
        QVERIFY_OK(test::writeClip(m_plan, m_clip));
        qInfo("Clip: %d frames at %d fps, %lld codes", m_plan.frameCount, m_plan.fps, qlonglong(m_plan.codes.size()));
    }

    // The frames themselves: every look is readable in the middle of its second in view (else the
    // clip, not the decoder, would be at fault).
    void everyLookIsReadable()
    {
        camera::FrameReader reader;
        for (const test::ClipCode &code : m_plan.codes) {
            const int middle = (code.firstFrame + code.lastFrame) / 2;
            const QStringList read = reader.read(test::renderClipFrame(m_plan, middle));
            QVERIFY2(read == QStringList{ code.text },
                     qPrintable(QStringLiteral("frame %1 (%2) read as [%3]").arg(middle).arg(code.look, read.join(u','))));
        }
    }

    void eachCodeReadOnceFromThePlayer()
    {
        QMediaPlayer player;
        QVideoSink sink;
        player.setVideoSink(&sink);

        camera::FrameDecoder decoder;
        camera::FrameDecoder noHoldOff; // broken on purpose: the check below must catch it
        noHoldOff.setHoldOffMs(0);
        decoder.watch(&sink);
        noHoldOff.watch(&sink);

        QStringList reported, reportedNoHoldOff, emittedOn;
        QThread *const testThread = QThread::currentThread();
        connect(&decoder, &camera::FrameDecoder::codeRead, this, [&](const QString &text) {
            reported << text;
            if (QThread::currentThread() != testThread)
                emittedOn << QThread::currentThread()->objectName();
        });
        connect(&noHoldOff, &camera::FrameDecoder::codeRead, this, [&](const QString &text) { reportedNoHoldOff << text; });
        QStringList decodedOn;
        connect(&decoder, &camera::FrameDecoder::codeRead, this,
                [&](const QString &) { decodedOn << QThread::currentThread()->objectName(); }, Qt::DirectConnection);

        QString playerError;
        connect(&player, &QMediaPlayer::errorOccurred, this,
                [&](QMediaPlayer::Error, const QString &message) { playerError = message; });
        player.setSource(QUrl::fromLocalFile(m_clip));
        player.play();
        QTRY_VERIFY2_WITH_TIMEOUT(player.mediaStatus() == QMediaPlayer::EndOfMedia || !playerError.isEmpty(),
                                  qPrintable(QStringLiteral("the clip did not play to its end (status %1)").arg(int(player.mediaStatus()))),
                                  m_plan.frameCount * 1000 / m_plan.fps + test::kWaitMs);
        QVERIFY2(playerError.isEmpty(),
                 qPrintable(QStringLiteral("QMediaPlayer cannot play the clip: %1 (GStreamer's avidemux and jpegdec: "
                                           "apt-get install gstreamer1.0-plugins-good)").arg(playerError)));
        // The worker finishes the frame it holds.
        QTRY_VERIFY_WITH_TIMEOUT(decoder.stats().framesDecoded + decoder.stats().framesDropped == decoder.stats().framesSeen,
                                 test::kWaitMs);
        QTRY_VERIFY_WITH_TIMEOUT(noHoldOff.stats().framesDecoded + noHoldOff.stats().framesDropped == noHoldOff.stats().framesSeen,
                                 test::kWaitMs);
        QTest::qWait(50); // the queued codeRead signals
        const camera::FrameDecoder::Stats s = decoder.stats();
        qInfo("frames seen %lld, decoded %lld, dropped %lld, codes %lld; read: %s", s.framesSeen, s.framesDecoded,
              s.framesDropped, s.codesRead, qPrintable(reported.join(u' ')));
        QVERIFY2(s.framesSeen >= m_plan.frameCount / 2,
                 qPrintable(QStringLiteral("the sink showed only %1 of the clip's %2 frames").arg(s.framesSeen).arg(m_plan.frameCount)));

        const QString wrong = problems(m_plan, reported);
        QVERIFY2(wrong.isEmpty(), qPrintable(wrong));
        QCOMPARE(s.codesRead, qint64(m_plan.codes.size()));
        QVERIFY2(emittedOn.isEmpty(), "codeRead reached the test's slot outside its thread");
        decodedOn.removeDuplicates();
        QCOMPARE(decodedOn, QStringList{ QStringLiteral("qrt-camera-decode") });

        // The same check fails a decoder that reports a code held in view more than once.
        const QString duplicates = problems(m_plan, reportedNoHoldOff);
        QVERIFY2(duplicates.contains(QStringLiteral("times, once expected")),
                 qPrintable(QStringLiteral("a decoder without hold-off was not caught: %1").arg(reportedNoHoldOff.join(u' '))));
    }
};

QTEST_MAIN(TestCameraClip)
#include "tst_camera_clip.moc"
