#include "camera/framedecoder.h"

#include "camera/framereader.h"
#include "camera/holdoff.h"
#include "camera/latestframeworker.h"

#include <atomic>

namespace qrt::camera {

class FrameDecoder::Private
{
public:
    explicit Private(FrameDecoder *q)
        : frames(QStringLiteral("qrt-camera-decode"), [this, q](LatestFrameWorker::Frame frame) { decode(q, std::move(frame)); })
    {
    }

    // On the worker thread: the newest frame to QR texts, each code once per hold-off.
    void decode(FrameDecoder *q, LatestFrameWorker::Frame frame)
    {
        const QStringList texts = reader.read(frame.frame);
        frame.frame = QVideoFrame(); // give the buffer back to the camera before emitting
        ++framesDecoded;
        holdOff.setHoldOffMs(holdOffMs.load());
        for (const QString &text : holdOff.accept(texts, frame.atMs)) {
            ++codesRead;
            emit q->codeRead(text);
        }
    }

    std::atomic<int> holdOffMs{1500};
    std::atomic<qint64> framesDecoded{0}, codesRead{0};
    FrameReader reader; // worker thread only
    HoldOff holdOff;    // worker thread only
    LatestFrameWorker frames; // last: destroyed (closed and joined) first
};

FrameDecoder::FrameDecoder(QObject *parent) : QObject(parent), d(new Private(this)) {}

FrameDecoder::~FrameDecoder()
{
    delete d; // its worker is joined before the reader and hold-off go
}

void FrameDecoder::watch(QVideoSink *sink)
{
    d->frames.watch(sink);
}

void FrameDecoder::setHoldOffMs(int ms)
{
    d->holdOffMs = ms;
}

FrameDecoder::Stats FrameDecoder::stats() const
{
    const LatestFrameWorker::Stats frames = d->frames.stats();
    return { frames.framesSeen, d->framesDecoded, frames.framesDropped, d->codesRead };
}

} // namespace qrt::camera
