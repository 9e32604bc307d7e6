#include "camera/previewrenderer.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QPointer>
#include <QThread>
#include <QVideoFrame>
#include <QVideoSink>

#include <atomic>
#include <memory>

namespace qrt::camera {

namespace {

// Shared by the sink's thread (GStreamer's, or the GUI thread), the renderer's thread and the GUI
// thread, as FrameDecoder's mailbox: the sink's slot only swaps the newest frame in.
struct Mailbox
{
    QMutex mutex;
    bool open = true;
    bool workerBusy = false;
    QVideoFrame pending;        // the newest frame not rendered yet (at most one)
    QObject *worker = nullptr;
    QSize target;               // device pixels
    qreal devicePixelRatio = 1;
    bool mirrored = false;
    PreviewRenderer::Picture ready; // the newest picture not taken yet
    bool announced = false;         // pictureReady() sent and the picture not taken since
    quint64 generation = 0;         // one more at each watch(): a frame of an earlier sink is not shown

    QElapsedTimer clock;
    qint64 lastRenderMs = -1000;
    std::atomic<qint64> framesSeen{0}, framesRendered{0}, framesDropped{0};
};

void render(PreviewRenderer *q, Mailbox &box)
{
    constexpr qint64 kIntervalMs = 1000 / PreviewRenderer::kMaxFps;
    for (;;) {
        {
            QMutexLocker lock(&box.mutex);
            if (!box.open || !box.pending.isValid()) {
                box.workerBusy = false;
                return;
            }
        }
        // At most kMaxFps pictures a second: wait out the interval, then take the newest frame
        // (those replaced meanwhile are dropped).
        const qint64 wait = box.lastRenderMs + kIntervalMs - box.clock.elapsed();
        if (wait > 0)
            QThread::msleep(static_cast<unsigned long>(wait));
        QVideoFrame frame;
        QSize target;
        qreal ratio = 1;
        bool mirrored = false;
        quint64 generation = 0;
        {
            QMutexLocker lock(&box.mutex);
            if (!box.open || !box.pending.isValid()) {
                box.workerBusy = false;
                return;
            }
            frame = std::exchange(box.pending, QVideoFrame());
            target = box.target;
            ratio = box.devicePixelRatio;
            mirrored = box.mirrored;
            generation = box.generation;
        }
        box.lastRenderMs = box.clock.elapsed();
        QImage image = frame.toImage();
        frame = QVideoFrame(); // give the buffer back to the camera
        if (image.isNull() || target.isEmpty())
            continue;
        image = image.scaled(target, Qt::KeepAspectRatio, Qt::FastTransformation);
        if (mirrored)
            image = std::move(image).mirrored(true, false);
        image.setDevicePixelRatio(ratio);
        ++box.framesRendered;
        bool announce = false;
        {
            QMutexLocker lock(&box.mutex);
            if (!box.open)
                return;
            if (box.generation != generation)
                continue; // the sink changed (or the preview stopped) meanwhile
            box.ready = { std::move(image), mirrored };
            announce = !std::exchange(box.announced, true);
        }
        if (announce)
            emit q->pictureReady();
    }
}

} // namespace

class PreviewRenderer::Private
{
public:
    QThread thread;
    std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
    QPointer<QVideoSink> sink;
    QMetaObject::Connection frameConnection, sinkGoneConnection;
};

PreviewRenderer::PreviewRenderer(QObject *parent) : QObject(parent), d(new Private)
{
    d->mailbox->clock.start();
    d->thread.setObjectName(QStringLiteral("qrt-camera-preview"));
    auto *worker = new QObject;
    worker->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, worker, &QObject::deleteLater);
    d->mailbox->worker = worker;
    d->thread.start();
}

PreviewRenderer::~PreviewRenderer()
{
    watch(nullptr);
    {
        QMutexLocker lock(&d->mailbox->mutex);
        d->mailbox->open = false;
        d->mailbox->worker = nullptr;
    }
    d->thread.quit();
    d->thread.wait();
    delete d;
}

void PreviewRenderer::watch(QVideoSink *sink)
{
    if (sink == d->sink && (sink || !d->frameConnection))
        return;
    disconnect(d->frameConnection);
    disconnect(d->sinkGoneConnection);
    d->sink = sink;
    {
        QMutexLocker lock(&d->mailbox->mutex);
        d->mailbox->pending = QVideoFrame();
        d->mailbox->ready = {};
        d->mailbox->announced = false;
        ++d->mailbox->generation;
    }
    if (!sink)
        return;
    std::weak_ptr<Mailbox> weak = d->mailbox;
    PreviewRenderer *q = this;
    // Direct: taken in whatever thread the sink shows the frame, without waiting for the GUI thread.
    d->frameConnection = connect(
        sink, &QVideoSink::videoFrameChanged, this,
        [weak, q](const QVideoFrame &frame) {
            const std::shared_ptr<Mailbox> box = weak.lock();
            if (!box || !frame.isValid())
                return;
            QMutexLocker lock(&box->mutex);
            if (!box->open)
                return;
            ++box->framesSeen;
            if (box->pending.isValid())
                ++box->framesDropped;
            box->pending = frame;
            if (box->workerBusy || !box->worker)
                return;
            box->workerBusy = true;
            // q is alive while the mailbox is open (the destructor closes it, then joins the thread).
            QMetaObject::invokeMethod(box->worker, [box, q] { render(q, *box); }, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    d->sinkGoneConnection = connect(sink, &QObject::destroyed, this, [this] { watch(nullptr); });
}

void PreviewRenderer::setTarget(QSize devicePixels, qreal devicePixelRatio, bool mirrored)
{
    QMutexLocker lock(&d->mailbox->mutex);
    d->mailbox->target = devicePixels;
    d->mailbox->devicePixelRatio = devicePixelRatio;
    d->mailbox->mirrored = mirrored;
}

PreviewRenderer::Picture PreviewRenderer::takePicture()
{
    QMutexLocker lock(&d->mailbox->mutex);
    d->mailbox->announced = false;
    return std::exchange(d->mailbox->ready, Picture());
}

PreviewRenderer::Stats PreviewRenderer::stats() const
{
    Stats s;
    s.framesSeen = d->mailbox->framesSeen;
    s.framesRendered = d->mailbox->framesRendered;
    s.framesDropped = d->mailbox->framesDropped;
    return s;
}

} // namespace qrt::camera
