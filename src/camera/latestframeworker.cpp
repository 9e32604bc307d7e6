#include "camera/latestframeworker.h"

#include <QElapsedTimer>
#include <QMutex>

#include <atomic>

namespace qrt::camera {

// What the sink's thread (GStreamer's streaming thread, or the GUI thread) and the worker share.
// Shared by pointer so that a frame arriving while the worker is destroyed finds it alive.
struct LatestFrameWorker::Mailbox
{
    QMutex mutex;
    bool open = true;        // false once the worker is going away
    bool workerBusy = false; // a drain() is queued or running
    QVideoFrame pending;     // the newest frame not handled yet (at most one)
    qint64 pendingAtMs = 0;  // when it arrived
    QObject *worker = nullptr; // lives in the thread; deleted when it finishes
    std::atomic<quint64> generation{0};

    QElapsedTimer clock;
    std::atomic<qint64> framesSeen{0}, framesDropped{0};
};

LatestFrameWorker::LatestFrameWorker(const QString &threadName, Handler handler, int minIntervalMs)
    : m_box(std::make_shared<Mailbox>()), m_handler(std::move(handler)), m_minIntervalMs(minIntervalMs)
{
    m_box->clock.start();
    m_thread.setObjectName(threadName);
    m_box->worker = new QObject;
    m_box->worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_box->worker, &QObject::deleteLater);
    m_thread.start();
}

LatestFrameWorker::~LatestFrameWorker()
{
    disconnect(m_frameConnection);
    disconnect(m_sinkGoneConnection);
    {
        QMutexLocker lock(&m_box->mutex);
        m_box->open = false; // a frame still arriving from another thread is ignored
        m_box->worker = nullptr;
        m_box->pending = QVideoFrame();
        ++m_box->generation; // a frame being handled is not current any more
    }
    m_thread.quit();
    m_thread.wait();
}

void LatestFrameWorker::watch(QVideoSink *sink)
{
    if (sink == m_sink && (sink || !m_frameConnection))
        return;
    disconnect(m_frameConnection);
    disconnect(m_sinkGoneConnection);
    m_frameConnection = {};
    m_sink = sink;
    {
        QMutexLocker lock(&m_box->mutex);
        m_box->pending = QVideoFrame();
        ++m_box->generation;
    }
    emit sinkChanged();
    if (!sink)
        return;
    // Direct: the frame is taken in whatever thread the sink shows it (a camera's streaming
    // thread with some backends) without waiting for the GUI thread's event loop.
    std::weak_ptr<Mailbox> weak = m_box;
    m_frameConnection = connect(
        sink, &QVideoSink::videoFrameChanged, this,
        [weak, this](const QVideoFrame &frame) {
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
            // this is alive while the mailbox is open (the destructor closes it first and joins
            // the worker).
            QMetaObject::invokeMethod(box->worker, [this] { drain(); }, Qt::QueuedConnection);
        },
        Qt::DirectConnection);
    m_sinkGoneConnection = connect(sink, &QObject::destroyed, this, [this] { watch(nullptr); });
}

void LatestFrameWorker::drain()
{
    Mailbox &box = *m_box;
    for (;;) {
        if (m_minIntervalMs > 0) {
            {
                QMutexLocker lock(&box.mutex);
                if (!box.open || !box.pending.isValid()) {
                    box.workerBusy = false;
                    return;
                }
            }
            // Wait out the interval, then take the newest frame (those replaced meanwhile are dropped).
            const qint64 wait = m_lastTakenMs + m_minIntervalMs - box.clock.elapsed();
            if (wait > 0)
                QThread::msleep(static_cast<unsigned long>(wait));
        }
        Frame frame;
        {
            QMutexLocker lock(&box.mutex);
            if (!box.open || !box.pending.isValid()) {
                box.workerBusy = false;
                return;
            }
            frame.frame = std::exchange(box.pending, QVideoFrame());
            frame.atMs = box.pendingAtMs;
            frame.generation = box.generation;
        }
        m_lastTakenMs = box.clock.elapsed();
        m_handler(std::move(frame));
    }
}

bool LatestFrameWorker::isCurrent(quint64 generation) const
{
    return m_box->generation == generation;
}

LatestFrameWorker::Stats LatestFrameWorker::stats() const
{
    return { m_box->framesSeen, m_box->framesDropped };
}

} // namespace qrt::camera
