#include "camera/framedecoder.h"

#include <QThread>
#include <QVideoSink>

namespace qrt::camera {

// First cut: the interface only (decoding lands in the next commit).
class FrameDecoder::Private
{
public:
    QThread thread;
    int holdOffMs = 1500;
    Stats stats;
};

FrameDecoder::FrameDecoder(QObject *parent) : QObject(parent), d(new Private)
{
    d->thread.setObjectName(QStringLiteral("qrt-camera-decode"));
    d->thread.start();
}

FrameDecoder::~FrameDecoder()
{
    d->thread.quit();
    d->thread.wait();
    delete d;
}

void FrameDecoder::watch(QVideoSink *sink)
{
    Q_UNUSED(sink);
}

void FrameDecoder::setHoldOffMs(int ms)
{
    d->holdOffMs = ms;
}

FrameDecoder::Stats FrameDecoder::stats() const
{
    return d->stats;
}

} // namespace qrt::camera
