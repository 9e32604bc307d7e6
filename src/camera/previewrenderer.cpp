#include "camera/previewrenderer.h"

#include "camera/latestframeworker.h"

#include <QMutex>

#include <atomic>

namespace qrt::camera {

class PreviewRenderer::Private
{
public:
    explicit Private(PreviewRenderer *q)
        : frames(QStringLiteral("qrt-camera-preview"),
                 [this, q](LatestFrameWorker::Frame frame) { render(q, std::move(frame)); }, 1000 / kMaxFps)
    {
    }

    // On the renderer's thread, at most kMaxFps times a second.
    void render(PreviewRenderer *q, LatestFrameWorker::Frame frame)
    {
        QSize size;
        qreal ratio = 1;
        bool mirror = false;
        {
            QMutexLocker lock(&mutex);
            size = target;
            ratio = devicePixelRatio;
            mirror = mirrored;
        }
        QImage image = frame.frame.toImage();
        frame.frame = QVideoFrame(); // give the buffer back to the camera
        if (image.isNull() || size.isEmpty())
            return;
        image = image.scaled(size, Qt::KeepAspectRatio, Qt::FastTransformation);
        if (mirror)
            image = std::move(image).mirrored(true, false);
        image.setDevicePixelRatio(ratio);
        ++framesRendered;
        bool announce = false;
        {
            QMutexLocker lock(&mutex);
            // The sink changed (or the preview stopped) meanwhile: sinkChanged() clears the
            // picture after the generation changes, so checking under this lock is enough.
            if (!frames.isCurrent(frame.generation))
                return;
            ready = { std::move(image), mirror };
            announce = !std::exchange(announced, true);
        }
        if (announce)
            emit q->pictureReady();
    }

    QMutex mutex; // guards the rest; shared by the GUI thread and the renderer's
    QSize target; // device pixels
    qreal devicePixelRatio = 1;
    bool mirrored = false;
    Picture ready;          // the newest picture not taken yet
    bool announced = false; // pictureReady() sent and the picture not taken since
    std::atomic<qint64> framesRendered{0};
    LatestFrameWorker frames; // last: destroyed (closed and joined) first
};

PreviewRenderer::PreviewRenderer(QObject *parent) : QObject(parent), d(new Private(this))
{
    connect(&d->frames, &LatestFrameWorker::sinkChanged, this, [this] {
        QMutexLocker lock(&d->mutex);
        d->ready = {};
        d->announced = false;
    });
}

PreviewRenderer::~PreviewRenderer()
{
    delete d; // its thread is joined before the picture goes
}

void PreviewRenderer::watch(QVideoSink *sink)
{
    d->frames.watch(sink);
}

void PreviewRenderer::setTarget(QSize devicePixels, qreal devicePixelRatio, bool mirrored)
{
    QMutexLocker lock(&d->mutex);
    d->target = devicePixels;
    d->devicePixelRatio = devicePixelRatio;
    d->mirrored = mirrored;
}

PreviewRenderer::Picture PreviewRenderer::takePicture()
{
    QMutexLocker lock(&d->mutex);
    d->announced = false;
    return std::exchange(d->ready, Picture());
}

PreviewRenderer::Stats PreviewRenderer::stats() const
{
    const LatestFrameWorker::Stats frames = d->frames.stats();
    return { frames.framesSeen, d->framesRendered, frames.framesDropped };
}

} // namespace qrt::camera
