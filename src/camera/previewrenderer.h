#pragma once

#include <QImage>
#include <QObject>
#include <QSize>

QT_BEGIN_NAMESPACE
class QVideoSink;
QT_END_NAMESPACE

namespace qrt::camera {

// The camera preview's picture, made off the GUI thread: each new frame a QVideoSink shows is
// converted (QVideoFrame::toImage), scaled to fit the target size (fast transform) and mirrored on
// request, on the renderer's own thread, at most kMaxFps a second. Only the newest frame waits and
// only the newest picture is kept: frames that come faster are dropped, never queued. pictureReady()
// says a picture is there (once until takePicture()); the GUI thread only draws it.
class PreviewRenderer : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxFps = 30;

    explicit PreviewRenderer(QObject *parent = nullptr); // owns its thread, "qrt-camera-preview"
    ~PreviewRenderer() override;                         // stops and joins the thread

    void watch(QVideoSink *sink); // render the frames this sink shows (nullptr: stop, picture gone)
    // The picture's box in device pixels, its device pixel ratio and mirroring: for the next frame.
    void setTarget(QSize devicePixels, qreal devicePixelRatio, bool mirrored);

    struct Picture
    {
        QImage image; // null: no new picture
        bool mirrored = false;
    };
    Picture takePicture(); // the newest picture, once

    struct Stats
    {
        qint64 framesSeen = 0, framesRendered = 0, framesDropped = 0;
    };
    Stats stats() const;

signals:
    void pictureReady(); // from the renderer's thread; again only after takePicture()

private:
    class Private;
    Private *d;
};

} // namespace qrt::camera
