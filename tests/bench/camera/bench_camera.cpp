// Camera benchmark (issue 14 point 4): `scripts/bench camera`. A generated clip of QR codes (the
// camera tests' clip: 1280x720, blur, tilt, glare, a phone screen's moiré, each code in view for a
// second) whose codes are real tickets of a SQLite database.
//   1. Decode throughput on one core: frames of the clip read one after the other on one thread.
//   2. The clip played by QMediaPlayer into a QVideoSink watched by the FrameDecoder (its worker
//      thread), each codeRead checked at the door (DoorCheck on SQLite, on a database thread):
//      the share of codes read, the time from a code's first frame (when the clip's clock shows it)
//      to codeRead and to the verdict, and how late the GUI thread's events run meanwhile (a 10 ms timer).
//   3. Baseline, same clip: every full frame converted (QVideoFrame::toImage) and decoded on the
//      GUI thread, as a naive slot on videoFrameChanged would.
//   4. The preview: 2. again with a visible gui::CameraPreview (its sink and decoder, as in the
//      check-in panel), against a preview that converts and smooth-scales every full frame in
//      paintEvent on the GUI thread (what CameraPreview did before): GUI event lateness, paints and
//      the time a paint takes.
// Goals: 100% of the codes read, <= 300 ms to the verdict, >= 15 frames/s decoded on one core.
// Prints "figure:" lines; asserts nothing about time.
//
//   bench_camera [--codes N] [--save-frames DIR] [--no-baseline] [--no-preview]
#include "camera/framedecoder.h"
#include "camera/framereader.h"
#include "camera/holdoff.h"
#include "camera/testclip.h"
#include "core/order.h"
#include "db/orderwriter.h"
#include "db/ticketrepository.h"
#include "door/doorcheck.h"
#include "gui/camerapreview.h"
#include "support/sampleorders.h"
#include "support/testdatabase.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QApplication>
#include <QHash>
#include <QMediaPlayer>
#include <QMutex>
#include <QPainter>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QVideoFrame>
#include <QVideoSink>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace qrt;

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

[[noreturn]] void die(const QString &message)
{
    QTextStream(stderr) << "bench_camera: " << message << Qt::endl;
    std::exit(1);
}

const QString kUrlTemplate = QStringLiteral("https://qr.example.com/orders/{order_id}");

double percentile(QList<double> values, double p)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(std::min(qsizetype(values.size() - 1), qsizetype(p * double(values.size()))));
}

double mean(const QList<double> &values)
{
    double total = 0;
    for (double v : values)
        total += v;
    return values.isEmpty() ? 0 : total / double(values.size());
}

QString num(double v, int decimals = 1)
{
    return QString::number(v, 'f', decimals);
}

void figure(const QString &name, const QString &value)
{
    out() << "figure: camera." << name << " = " << value << Qt::endl;
}

// The door on its own thread (as the check-in panel's DbWorker): DoorCheck::scan, blocking.
class DoorThread
{
public:
    explicit DoorThread(db::Database &database)
    {
        m_thread.setObjectName(QStringLiteral("bench-door"));
        m_worker.moveToThread(&m_thread);
        m_thread.start();
        door::DoorCheck::Policy policy;
        policy.station = QStringLiteral("Camera bench");
        policy.urlTemplate = kUrlTemplate;
        m_check = std::make_unique<door::DoorCheck>(database, policy);
    }
    ~DoorThread()
    {
        m_thread.quit();
        m_thread.wait();
    }
    // done(verdict) runs on the door thread.
    template<typename Done>
    void scan(const QString &text, Done done)
    {
        QMetaObject::invokeMethod(&m_worker, [this, text, done] { done(m_check->scan(text)); }, Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    QObject m_worker;
    std::unique_ptr<door::DoorCheck> m_check;
};

// What CameraPreview did before: the full frame converted (toImage) and smooth-scaled in
// paintEvent, on the GUI thread, at every repaint; a repaint asked for each frame.
class NaivePreview : public QWidget
{
public:
    explicit NaivePreview(QVideoSink *sink, QList<double> &paintMs) : m_paintMs(paintMs)
    {
        QObject::connect(sink, &QVideoSink::videoFrameChanged, this, [this](const QVideoFrame &frame) {
            m_frame = frame;
            update();
        });
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QElapsedTimer timer;
        timer.start();
        QPainter painter(this);
        painter.fillRect(rect(), QColor(0x20, 0x20, 0x20));
        const QImage image = m_frame.toImage();
        if (!image.isNull()) {
            QRect target(QPoint(0, 0), image.size().scaled(size(), Qt::KeepAspectRatio));
            target.moveCenter(rect().center());
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            painter.drawImage(target, image);
        }
        painter.end();
        m_paintMs << double(timer.nsecsElapsed()) / 1e6;
    }

private:
    QList<double> &m_paintMs;
    QVideoFrame m_frame;
};

// The check-in panel's preview, its paints timed.
class TimedPreview : public gui::CameraPreview
{
public:
    explicit TimedPreview(QList<double> &paintMs) : m_paintMs(paintMs) {}

protected:
    void paintEvent(QPaintEvent *event) override
    {
        QElapsedTimer timer;
        timer.start();
        gui::CameraPreview::paintEvent(event);
        m_paintMs << double(timer.nsecsElapsed()) / 1e6;
    }

private:
    QList<double> &m_paintMs;
};

// Worker: the FrameDecoder alone; GuiBaseline: every full frame decoded on the GUI thread;
// Preview: a visible CameraPreview (its own sink and decoder); NaivePreview: the FrameDecoder and
// a visible NaivePreview.
enum class Mode { Worker, GuiBaseline, Preview, NaivePreview };
const QSize kPreviewSize(640, 360);

struct Run
{
    QList<double> toReadMs, toVerdictMs, guiLateMs, paintMs;
    int codesRead = 0, duplicates = 0, strangers = 0, admitted = 0;
    qint64 framesSeen = 0, framesDecoded = 0, framesDropped = 0;
    QString pixelFormat;
    bool framesOnGuiThread = false; // the sink shows frames on the GUI thread (else a streaming thread)
};

// Plays the clip once (see Mode).
Run play(const test::ClipPlan &plan, const QString &clip, db::Database &database, Mode mode)
{
    const bool worker = mode != Mode::GuiBaseline;
    Run run;
    QElapsedTimer clock;
    clock.start();
    QMutex mutex;
    // When a code entered the view: when its first frame was due, on the clock of the clip's first
    // frame (the sink shows frames on the GUI thread, so a busy GUI thread would delay arrivals).
    qint64 clipStartMs = -1;
    QHash<QString, int> indexOf;
    for (int i = 0; i < plan.codes.size(); ++i)
        indexOf.insert(plan.codes.at(i).text, i);

    QMediaPlayer player;
    QVideoSink ownSink;
    QVideoSink &sink = ownSink; // the context of the bench's connections
    std::unique_ptr<TimedPreview> preview;
    std::unique_ptr<NaivePreview> naive;
    QVideoSink *shown = &ownSink;
    if (mode == Mode::Preview) {
        preview = std::make_unique<TimedPreview>(run.paintMs);
        preview->resize(kPreviewSize);
        preview->show();
        preview->start(QStringLiteral("none")); // no camera: the player feeds its sink
        shown = preview->videoSink();
    } else if (mode == Mode::NaivePreview) {
        naive = std::make_unique<NaivePreview>(&ownSink, run.paintMs);
        naive->resize(kPreviewSize);
        naive->show();
    }
    QElapsedTimer exposing;
    exposing.start();
    while ((preview || naive) && exposing.elapsed() < 300)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    player.setVideoSink(shown);
    QObject::connect(shown, &QVideoSink::videoFrameChanged, &sink, [&](const QVideoFrame &frame) {
        if (!frame.isValid())
            return;
        QMutexLocker lock(&mutex);
        if (run.pixelFormat.isEmpty()) {
            run.pixelFormat = QVideoFrameFormat::pixelFormatToString(frame.pixelFormat());
            run.framesOnGuiThread = QThread::currentThread() == qApp->thread();
            clipStartMs = clock.elapsed() - std::max<qint64>(0, frame.startTime() / 1000);
        }
    }, Qt::DirectConnection);

    DoorThread door(database);
    QHash<QString, int> readCount;
    const auto onCode = [&](const QString &text) {
        const qint64 readAt = clock.elapsed();
        if (++readCount[text] > 1) {
            ++run.duplicates;
            return;
        }
        const int index = indexOf.value(text, -1);
        if (index < 0) {
            ++run.strangers;
            return;
        }
        ++run.codesRead;
        qint64 entered = 0;
        {
            QMutexLocker lock(&mutex);
            entered = clipStartMs + plan.frameStartMs(plan.codes.at(index).firstFrame);
        }
        run.toReadMs << double(readAt - entered);
        door.scan(text, [&, entered](const door::Verdict &verdict) {
            QMutexLocker lock(&mutex);
            run.toVerdictMs << double(clock.elapsed() - entered);
            if (verdict.admitted())
                ++run.admitted;
            else
                out() << "info: not admitted: " << verdict.line() << Qt::endl;
        });
    };

    camera::FrameDecoder decoder;
    camera::FrameReader reader;
    camera::HoldOff holdOff;
    qint64 guiFrames = 0;
    camera::FrameDecoder *used = preview ? preview->decoder() : &decoder;
    if (preview) {
        QObject::connect(preview.get(), &gui::CameraPreview::codeRead, &sink, onCode);
    } else if (worker) {
        decoder.watch(&sink);
        QObject::connect(&decoder, &camera::FrameDecoder::codeRead, &sink, onCode);
    } else {
        // The naive way: a slot on the GUI thread decodes every full frame.
        QObject::connect(&sink, &QVideoSink::videoFrameChanged, &sink, [&](const QVideoFrame &frame) {
            if (!frame.isValid())
                return;
            ++guiFrames;
            for (const QString &text : holdOff.accept(reader.read(frame.toImage()), clock.elapsed()))
                onCode(text);
        }, Qt::AutoConnection);
    }

    // How late the GUI thread runs a 10 ms timer (what a click or a repaint waits).
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(10);
    qint64 last = -1;
    QObject::connect(&probe, &QTimer::timeout, &probe, [&] {
        const qint64 now = clock.elapsed();
        if (last >= 0)
            run.guiLateMs << double(std::max<qint64>(0, now - last - 10));
        last = now;
    });

    QString error;
    QObject::connect(&player, &QMediaPlayer::errorOccurred, &player,
                     [&](QMediaPlayer::Error, const QString &message) { error = message; });
    QEventLoop loop;
    QObject::connect(&player, &QMediaPlayer::mediaStatusChanged, &loop, [&](QMediaPlayer::MediaStatus status) {
        if (status == QMediaPlayer::EndOfMedia || status == QMediaPlayer::InvalidMedia)
            loop.quit();
    });
    QObject::connect(&player, &QMediaPlayer::errorOccurred, &loop, &QEventLoop::quit);
    QTimer::singleShot(plan.frameCount * 1000 / plan.fps + 60000, &loop, &QEventLoop::quit);
    player.setSource(QUrl::fromLocalFile(clip));
    probe.start();
    player.play();
    loop.exec();
    probe.stop();
    if (!error.isEmpty())
        die(QStringLiteral("QMediaPlayer cannot play the clip: %1 (apt-get install gstreamer1.0-plugins-good)").arg(error));
    // Let the last frame and verdicts finish.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 1500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    if (worker) {
        const camera::FrameDecoder::Stats s = used->stats();
        run.framesSeen = s.framesSeen;
        run.framesDecoded = s.framesDecoded;
        run.framesDropped = s.framesDropped;
    } else {
        run.framesSeen = run.framesDecoded = guiFrames;
    }
    QMutexLocker lock(&mutex);
    return run;
}

void reportRun(const QString &prefix, const Run &run, int codes)
{
    const QString name = prefix.isEmpty()                         ? QStringLiteral("FrameDecoder")
                         : prefix == u"baseline_"                 ? QStringLiteral("baseline (GUI thread)")
                         : prefix == u"preview_"                  ? QStringLiteral("FrameDecoder + CameraPreview")
                                                                  : QStringLiteral("FrameDecoder + preview converting in paintEvent");
    out() << "info: " << name
          << ": frames " << run.pixelFormat << " shown on the " << (run.framesOnGuiThread ? "GUI" : "streaming") << " thread, seen " << run.framesSeen << ", decoded "
          << run.framesDecoded << ", dropped " << run.framesDropped << "; codes read " << run.codesRead << '/' << codes
          << ", duplicates " << run.duplicates << ", not in the clip " << run.strangers << ", admitted " << run.admitted
          << Qt::endl;
    figure(prefix + QStringLiteral("codes_read_percent"), num(100.0 * run.codesRead / std::max(1, codes)));
    figure(prefix + QStringLiteral("duplicate_reads"), QString::number(run.duplicates));
    figure(prefix + QStringLiteral("to_read_ms_p50"), num(percentile(run.toReadMs, 0.5), 0));
    figure(prefix + QStringLiteral("to_read_ms_max"), num(percentile(run.toReadMs, 1.0), 0));
    figure(prefix + QStringLiteral("to_verdict_ms_p50"), num(percentile(run.toVerdictMs, 0.5), 0));
    figure(prefix + QStringLiteral("to_verdict_ms_max"), num(percentile(run.toVerdictMs, 1.0), 0));
    figure(prefix + QStringLiteral("gui_event_late_ms_p99"), num(percentile(run.guiLateMs, 0.99), 0));
    figure(prefix + QStringLiteral("gui_event_late_ms_max"), num(percentile(run.guiLateMs, 1.0), 0));
    if (!run.paintMs.isEmpty()) {
        figure(prefix + QStringLiteral("gui_event_late_ms_mean"), num(mean(run.guiLateMs), 2));
        figure(prefix + QStringLiteral("paints"), QString::number(run.paintMs.size()));
        figure(prefix + QStringLiteral("paint_ms_p50"), num(percentile(run.paintMs, 0.5), 2));
        figure(prefix + QStringLiteral("paint_ms_p99"), num(percentile(run.paintMs, 0.99), 2));
        double total = 0;
        for (double ms : run.paintMs)
            total += ms;
        figure(prefix + QStringLiteral("paint_ms_total"), num(total, 0));
    }
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption codesOpt(QStringLiteral("codes"), QStringLiteral("Codes in the clip (default 12)."),
                                      QStringLiteral("n"), QStringLiteral("12"));
    const QCommandLineOption saveOpt(QStringLiteral("save-frames"), QStringLiteral("Write each code's middle frame as PNG here."),
                                     QStringLiteral("dir"));
    const QCommandLineOption noBaselineOpt(QStringLiteral("no-baseline"), QStringLiteral("Skip the GUI-thread baseline."));
    const QCommandLineOption noPreviewOpt(QStringLiteral("no-preview"), QStringLiteral("Skip the runs with a visible preview."));
    parser.addOptions({ codesOpt, saveOpt, noBaselineOpt, noPreviewOpt });
    parser.process(app);
    const int codes = std::max(1, parser.value(codesOpt).toInt());

    // The tickets: sample orders in SQLite; even ones scanned by ticket code, odd ones by order link.
    auto created = test::TestDatabase::create(db::Dialect::SQLite);
    if (!created)
        die(created.error().toString());
    std::unique_ptr<test::TestDatabase> t = std::move(created).value();
    if (auto migrated = t->migrate(); !migrated)
        die(migrated.error().toString());
    const QList<core::Order> orders = test::sampleOrders(codes * 6);
    if (auto saved = db::OrderWriter(t->db()).save(orders, QStringLiteral("sync")); !saved)
        die(saved.error().toString());
    QStringList texts, orderIds;
    for (const core::Order &order : orders) {
        auto tickets = db::TicketRepository(t->db()).forOrder(order.orderId);
        if (order.paymentStatus != u"paid" || !tickets || tickets.value().isEmpty())
            continue;
        texts << (texts.size() % 2 ? QString(kUrlTemplate).replace(QStringLiteral("{order_id}"), order.orderId)
                                   : tickets.value().first().code);
        orderIds << order.orderId;
        if (texts.size() == codes)
            break;
    }
    if (texts.size() < codes)
        die(QStringLiteral("only %1 paid sample orders with tickets").arg(texts.size()));
    const test::ClipPlan plan = test::ClipPlan::make(texts);
    QTemporaryDir dir;
    const QString clip = dir.filePath(QStringLiteral("codes.avi"));
    QElapsedTimer timer;
    timer.start();
    if (auto written = test::writeClip(plan, clip); !written)
        die(written.error().toString());
    out() << "info: clip of " << plan.frameCount << " frames (" << plan.size.width() << 'x' << plan.size.height() << ", "
          << plan.fps << " fps, " << codes << " codes, looks " << test::ClipPlan::looks().join(u',') << ") written in "
          << timer.elapsed() << " ms" << Qt::endl;

    // 1. One core: every second frame of the clip as 8-bit luminance (what the Y plane gives).
    QList<QImage> frames;
    QList<int> frameIndex;
    for (int f = 0; f < plan.frameCount; f += 2) {
        frames << test::renderClipFrame(plan, f).convertToFormat(QImage::Format_Grayscale8);
        frameIndex << f;
    }
    if (parser.isSet(saveOpt)) {
        QDir().mkpath(parser.value(saveOpt));
        for (const test::ClipCode &code : plan.codes)
            test::renderClipFrame(plan, (code.firstFrame + code.lastFrame) / 2)
                .save(QDir(parser.value(saveOpt)).filePath(code.look + QStringLiteral(".png")));
    }
    QHash<QString, QPair<int, int>> byLook; // look -> frames read, frames in view
    timer.restart();
    for (int i = 0; i < frames.size(); ++i) {
        const QImage &image = frames.at(i);
        const QStringList read = camera::FrameReader::readLuminance(image.constBits(), image.width(), image.height(),
                                                                    int(image.bytesPerLine()));
        const int index = plan.codeAt(frameIndex.at(i));
        if (index >= 0) {
            auto &counts = byLook[plan.codes.at(index).look];
            counts.second++;
            if (read.contains(plan.codes.at(index).text))
                counts.first++;
        }
    }
    const double oneCoreMs = double(timer.nsecsElapsed()) / 1e6;
    const double fps = frames.size() * 1000.0 / std::max(1.0, oneCoreMs);
    int inView = 0, readInView = 0;
    for (auto it = byLook.cbegin(); it != byLook.cend(); ++it) {
        out() << "info: frames read, " << it.key() << ": " << it.value().first << '/' << it.value().second << Qt::endl;
        readInView += it.value().first;
        inView += it.value().second;
    }
    figure(QStringLiteral("decode_fps_one_core"), num(fps));
    figure(QStringLiteral("decode_ms_per_frame"), num(oneCoreMs / frames.size()));
    figure(QStringLiteral("frames_in_view_read_percent"), num(100.0 * readInView / std::max(1, inView)));
    // The baseline's conversion: a YUV frame through QVideoFrame::toImage() before decoding.
    {
        QVideoFrame yuv(QVideoFrameFormat(plan.size, QVideoFrameFormat::Format_YUV420P));
        yuv.map(QVideoFrame::WriteOnly);
        for (int plane = 0; plane < yuv.planeCount(); ++plane)
            std::fill_n(yuv.bits(plane), yuv.mappedBytes(plane), uchar(128));
        for (int y = 0; y < plan.size.height(); ++y)
            std::copy_n(frames.first().constScanLine(y), plan.size.width(), yuv.bits(0) + y * yuv.bytesPerLine(0));
        yuv.unmap();
        camera::FrameReader reader;
        timer.restart();
        constexpr int kRounds = 10;
        for (int i = 0; i < kRounds; ++i)
            reader.read(yuv.toImage());
        figure(QStringLiteral("baseline_toimage_decode_ms_per_frame"), num(double(timer.nsecsElapsed()) / 1e6 / kRounds));
    }

    // 2. The FrameDecoder on the played clip, verdicts on SQLite.
    const Run now = play(plan, clip, t->db(), Mode::Worker);
    reportRun(QString(), now, codes);
    figure(QStringLiteral("frames_dropped_percent"), num(100.0 * now.framesDropped / std::max<qint64>(1, now.framesSeen)));

    // A fresh database with the same ticket codes for each further run: the tickets are used now.
    const auto freshDatabase = [&] {
        auto again = test::TestDatabase::create(db::Dialect::SQLite);
        if (!again)
            die(again.error().toString());
        std::unique_ptr<test::TestDatabase> t2 = std::move(again).value();
        if (auto migrated = t2->migrate(); !migrated)
            die(migrated.error().toString());
        if (auto saved = db::OrderWriter(t2->db()).save(orders, QStringLiteral("sync")); !saved)
            die(saved.error().toString());
        for (int i = 0; i < codes; i += 2) {
            const auto fresh = db::TicketRepository(t2->db()).forOrder(orderIds.at(i)).value();
            if (auto set = t2->exec(QStringLiteral("UPDATE ghl_qr_tickets SET code = '%1' WHERE ticket_id = %2")
                                        .arg(texts.at(i))
                                        .arg(fresh.first().ticketId));
                !set)
                die(set.error().toString());
        }
        return t2;
    };

    // 3. Baseline: every full frame on the GUI thread.
    if (!parser.isSet(noBaselineOpt)) {
        const auto t2 = freshDatabase();
        const Run old = play(plan, clip, t2->db(), Mode::GuiBaseline);
        reportRun(QStringLiteral("baseline_"), old, codes);
        const double late = percentile(now.guiLateMs, 0.99), oldLate = percentile(old.guiLateMs, 0.99);
        figure(QStringLiteral("gui_late_p99_baseline_over_worker"), num(oldLate / std::max(1.0, late), 2));
        const double verdict = percentile(now.toVerdictMs, 0.5), oldVerdict = percentile(old.toVerdictMs, 0.5);
        figure(QStringLiteral("verdict_p50_baseline_over_worker"), num(oldVerdict / std::max(1.0, verdict), 2));
    }

    // 4. With a visible preview: the check-in panel's CameraPreview, and the preview that converts
    // every full frame in paintEvent (what CameraPreview did before).
    if (!parser.isSet(noPreviewOpt)) {
        out() << "info: preview " << kPreviewSize.width() << 'x' << kPreviewSize.height() << " on the "
              << QGuiApplication::platformName() << " platform" << Qt::endl;
        const auto t3 = freshDatabase();
        const Run naive = play(plan, clip, t3->db(), Mode::NaivePreview);
        reportRun(QStringLiteral("preview_in_paint_"), naive, codes);
        const auto t4 = freshDatabase();
        const Run shown = play(plan, clip, t4->db(), Mode::Preview);
        reportRun(QStringLiteral("preview_"), shown, codes);
        const double late = percentile(shown.guiLateMs, 0.99), naiveLate = percentile(naive.guiLateMs, 0.99);
        figure(QStringLiteral("gui_late_p99_preview_in_paint_over_preview"), num(naiveLate / std::max(1.0, late), 2));
        figure(QStringLiteral("gui_late_mean_preview_in_paint_over_preview"),
               num(mean(naive.guiLateMs) / std::max(0.01, mean(shown.guiLateMs)), 2));
        const double paint = percentile(shown.paintMs, 0.5), naivePaint = percentile(naive.paintMs, 0.5);
        figure(QStringLiteral("paint_ms_p50_preview_in_paint_over_preview"), num(naivePaint / std::max(0.01, paint), 1));
    }

    const bool allRead = now.codesRead == codes && now.duplicates == 0 && now.strangers == 0;
    const bool fast = percentile(now.toVerdictMs, 1.0) <= 300;
    out() << "info: goals: 100% read " << (allRead ? "met" : "NOT met") << "; <= 300 ms to the verdict (max) "
          << (fast ? "met" : "NOT met") << "; >= 15 fps on one core " << (fps >= 15 ? "met" : "NOT met") << Qt::endl;
    return 0;
}
