#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QVideoFrame>
#include <QVideoSink>

#include <functional>
#include <memory>

namespace qrt::camera {

// The machinery FrameDecoder and PreviewRenderer share: watches a QVideoSink and hands each new
// frame to a handler on its own named worker thread. While the handler runs, newer frames replace
// the one waiting (only the newest waits; the rest are dropped, never queued). The sink's slot runs
// in whatever thread the sink shows the frame and only swaps it in; it never waits for the worker.
// Destroying it stops watching, drops the waiting frame and joins the thread (a frame being handled
// is finished first): declare it after whatever its handler uses.
class LatestFrameWorker : public QObject
{
    Q_OBJECT
public:
    struct Frame
    {
        QVideoFrame frame;
        qint64 atMs = 0;         // when it arrived (a monotonic clock started with the worker)
        quint64 generation = 0;  // watch() count when it was taken: see isCurrent()
    };
    using Handler = std::function<void(Frame)>; // runs on the worker thread, one frame at a time

    // minIntervalMs > 0: at most one frame handled per interval (waits, then takes the newest).
    LatestFrameWorker(const QString &threadName, Handler handler, int minIntervalMs = 0);
    ~LatestFrameWorker() override;

    void watch(QVideoSink *sink); // nullptr: stop. A change drops the waiting frame, emits sinkChanged
    bool isCurrent(quint64 generation) const; // no watch() change since that frame was taken

    struct Stats
    {
        qint64 framesSeen = 0, framesDropped = 0;
    };
    Stats stats() const;

signals:
    void sinkChanged(); // after watch() changed the sink, or the sink was destroyed

private:
    struct Mailbox;
    void drain(); // on the worker thread: handles the waiting frame, then the next, until none waits

    const std::shared_ptr<Mailbox> m_box;
    const Handler m_handler;
    const int m_minIntervalMs;
    qint64 m_lastTakenMs = -1000; // worker thread only
    QThread m_thread;
    QPointer<QVideoSink> m_sink;
    QMetaObject::Connection m_frameConnection, m_sinkGoneConnection;
};

} // namespace qrt::camera
