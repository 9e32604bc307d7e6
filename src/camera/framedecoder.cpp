#include "camera/framedecoder.h"

#include "camera/framereader.h"
#include "camera/holdoff.h"

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

// What the sink's thread (GStreamer's streaming thread, or the GUI thread) and the worker share.
// The sink's slot only swaps a frame in under the mutex; it never decodes and never waits for the
// worker. Shared by pointer so that a frame arriving while the decoder is destroyed finds it alive.
struct Mailbox
{
    QMutex mutex;
    bool open = true;         // false once the decoder is going away
    bool workerBusy = false;  // a drain() is queued or running
    QVideoFrame pending;      // the newest frame not decoded yet (at most one)
    qint64 pendingAtMs = 0;   // when it arrived
    QObject *worker = nullptr;

    QElapsedTimer clock;
    std::atomic<int> holdOffMs{1500};
    std::atomic<qint64> framesSeen{0}, framesDecoded{0}, framesDropped{0}, codesRead{0};
};

} // namespace

class FrameDecoder::Private
{
public:
    QThread thread;
    QObject *worker = nullptr; // lives in thread; deleted when it finishes
    std::shared_ptr<Mailbox> mailbox = std::make_shared<Mailbox>();
    QPointer<QVideoSink> sink;
    QMetaObject::Connection frameConnection, sinkGoneConnection;
    // Touched only on the worker thread.
    FrameReader reader;
    HoldOff holdOff;
};

namespace {

// Runs on the worker thread: decodes the waiting frame, then the one that came meanwhile, until
// none is waiting.
void drain(FrameDecoder *q, Mailbox &box, FrameReader &reader, HoldOff &holdOff)
{
    for (;;) {
        QVideoFrame frame;
        qint64 atMs = 0;
        {
            QMutexLocker lock(&box.mutex);
            if (!box.open || !box.pending.isValid()) {
                box.workerBusy = false;
                return;
            }
            frame = std::exchange(box.pending, QVideoFrame());
            atMs = box.pendingAtMs;
        }
        const QStringList texts = reader.read(frame);
        frame = QVideoFrame(); // give the buffer back to the camera before emitting
        ++box.framesDecoded;
        holdOff.setHoldOffMs(box.holdOffMs.load());
        for (const QString &text : holdOff.accept(texts, atMs)) {
            ++box.codesRead;
            emit q->codeRead(text);
        }
    }
}

} // namespace

FrameDecoder::FrameDecoder(QObject *parent) : QObject(parent), d(new Private)
{
    d->mailbox->clock.start();
    d->thread.setObjectName(QStringLiteral("qrt-camera-decode"));
    d->worker = new QObject;
    d->worker->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, d->worker, &QObject::deleteLater);
    d->mailbox->worker = d->worker;
    d->thread.start();
}

FrameDecoder::~FrameDecoder()
{
    watch(nullptr);
    {
        QMutexLocker lock(&d->mailbox->mutex);
        d->mailbox->open = false; // a frame still arriving from another thread is ignored
        d->mailbox->worker = nullptr;
        d->mailbox->pending = QVideoFrame();
    }
    d->thread.quit();
    d->thread.wait();
    delete d;
}

void FrameDecoder::watch(QVideoSink *sink)
{
    if (sink == d->sink && (sink || !d->frameConnection))
        return;
    disconnect(d->frameConnection);
    disconnect(d->sinkGoneConnection);
    d->sink = sink;
    {
        QMutexLocker lock(&d->mailbox->mutex);
        d->mailbox->pending = QVideoFrame();
    }
    if (!sink)
        return;
    // Direct: the frame is taken in whatever thread the sink shows it (a camera's streaming
    // thread with some backends) without waiting for the GUI thread's event loop.
    std::weak_ptr<Mailbox> weak = d->mailbox;
    Private *priv = d;
    FrameDecoder *q = this;
    d->frameConnection = connect(
        sink, &QVideoSink::videoFrameChanged, this,
        [weak, priv, q](const QVideoFrame &frame) {
            const std::shared_ptr<Mailbox> box = weak.lock();
            if (!box || !frame.isValid())
                return;
            QMutexLocker lock(&box->mutex);
            if (!box->open)
                return;
            ++box->framesSeen;
            if (box->pending.isValid())
                ++box->framesDropped; // the worker did not get to it: only the newest waits
            box->pending = frame;
            box->pendingAtMs = box->clock.elapsed();
            if (box->workerBusy || !box->worker)
                return;
            box->workerBusy = true;
            // priv and q are alive while the mailbox is open (the destructor closes it first and
            // joins the worker before deleting them).
            QMetaObject::invokeMethod(
                box->worker, [box, priv, q] { drain(q, *box, priv->reader, priv->holdOff); }, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    d->sinkGoneConnection = connect(sink, &QObject::destroyed, this, [this] { watch(nullptr); });
}

void FrameDecoder::setHoldOffMs(int ms)
{
    d->mailbox->holdOffMs = ms;
}

FrameDecoder::Stats FrameDecoder::stats() const
{
    Stats s;
    s.framesSeen = d->mailbox->framesSeen;
    s.framesDecoded = d->mailbox->framesDecoded;
    s.framesDropped = d->mailbox->framesDropped;
    s.codesRead = d->mailbox->codesRead;
    return s;
}

} // namespace qrt::camera
