#pragma once

#include <QObject>
#include <QString>

QT_BEGIN_NAMESPACE
class QVideoSink;
QT_END_NAMESPACE

namespace qrt::camera {

// Reads QR codes from the frames a QVideoSink shows (a camera's, or a QMediaPlayer's in tests), on
// its own worker thread: never on the GUI thread. While the worker decodes, newer frames replace
// the one waiting (only the newest waits; the rest are dropped, never queued). One code held in
// view is one codeRead, however long it is held: the same text again only after no frame has read
// it for longer than the hold-off (camera::HoldOff); a different code at once.
class FrameDecoder : public QObject
{
    Q_OBJECT
public:
    explicit FrameDecoder(QObject *parent = nullptr); // owns its worker QThread, "qrt-camera-decode"
    ~FrameDecoder() override;                         // stops and joins the thread

    void watch(QVideoSink *sink); // decode the frames this sink shows (nullptr: stop)
    void setHoldOffMs(int ms);    // one code held in view = one scan (default 1500)

    struct Stats
    {
        qint64 framesSeen = 0, framesDecoded = 0, framesDropped = 0, codesRead = 0;
    };
    Stats stats() const;

signals:
    void codeRead(const QString &text); // queued to the receiver's thread, once per code per hold-off

private:
    class Private;
    Private *d;
};

} // namespace qrt::camera
