#pragma once

#include "camera/camerasource.h"

#include <QElapsedTimer>
#include <QImage>
#include <QTimer>
#include <QWidget>

class QLabel;
QT_BEGIN_NAMESPACE
class QVideoSink;
QT_END_NAMESPACE

namespace qrt::camera {
class FrameDecoder;
class PreviewRenderer;
}

namespace qrt::gui {

// The check-in panel's camera: a live preview of its own QVideoSink (mirrored on request, for a
// camera that faces the guest), the station's camera feeding that sink (camera::CameraSource) and
// camera::FrameDecoder reading QR codes from the same frames on its worker thread. The picture is
// converted, scaled to the widget and mirrored off the GUI thread (camera::PreviewRenderer, at most
// 30 a second, newest only); the GUI thread only draws it, at most 30 repaints a second. While on, it
// decodes whatever the sink shows (tests feed the sink themselves); each code read is codeRead()
// and a short green frame around the picture. Without a camera, or when it fails, a plain message
// says why and what to do (message()); plugging a camera in while it says so starts it.
class CameraPreview : public QWidget
{
    Q_OBJECT
public:
    explicit CameraPreview(QWidget *parent = nullptr);
    ~CameraPreview() override;

    // Camera on: starts the camera [station] camera names (see CameraSource) and decodes its frames.
    void start(const QString &cameraSetting);
    // Camera off and decoding off; the last picture and any message go.
    void stop();
    bool isOn() const { return m_on; }
    void setMirrored(bool mirrored);
    bool isMirrored() const { return m_mirrored; }
    QString message() const;
    bool cueShowing() const { return m_cue.isActive(); }

    QVideoSink *videoSink() const { return m_sink; }
    camera::CameraSource *source() const { return m_source; }
    camera::FrameDecoder *decoder() const { return m_decoder; }
    camera::PreviewRenderer *renderer() const { return m_renderer; }
    QImage picture() const { return m_picture; } // what is drawn: scaled to fit, mirrored when set

    QSize sizeHint() const override;

Q_SIGNALS:
    void codeRead(const QString &text); // once per code held in view (the decoder's hold-off)

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void showMessage(const QString &text);
    void frameArrived();
    void showPicture();
    void updateTarget();

    camera::CameraSource *m_source = nullptr;
    camera::FrameDecoder *m_decoder = nullptr;
    camera::PreviewRenderer *m_renderer = nullptr;
    QVideoSink *m_sink = nullptr;
    QLabel *m_message = nullptr;
    QImage m_picture; // the renderer's, drawn as it is
    bool m_pictureMirrored = false;
    QTimer m_repaint;        // a new picture shown no sooner than a 30th of a second after the last
    QElapsedTimer m_shown;   // since the last picture was taken
    QString m_setting;
    QTimer m_cue; // the green frame after a read
    bool m_on = false;
    bool m_mirrored = false;
};

} // namespace qrt::gui
