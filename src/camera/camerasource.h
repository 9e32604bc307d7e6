#pragma once

#include <QByteArray>
#include <QCameraDevice>
#include <QCameraFormat>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSize>
#include <QString>

QT_BEGIN_NAMESPACE
class QCamera;
class QMediaCaptureSession;
class QMediaDevices;
class QVideoSink;
QT_END_NAMESPACE

namespace qrt::camera {

// The station's camera, without widgets: lists the cameras (and says when one is plugged in or
// out), starts the chosen one (QCamera + QMediaCaptureSession, a format near 1280x720) into a
// QVideoSink, and reports what went wrong in plain words (problem()). The device is named by
// [station] camera: a QCameraDevice id, empty for the system's default camera, "none" for none.
class CameraSource : public QObject
{
    Q_OBJECT
public:
    enum class Problem {
        None,
        NoCamera,         // no camera connected, or [station] camera = none
        NotConnected,     // the camera chosen in Settings is not connected
        PermissionDenied, // the system refused access (macOS privacy, Windows camera access, Linux group video)
        Busy,             // another program holds the camera
        Failed,           // it would not start, or stopped by itself
    };
    Q_ENUM(Problem)

    explicit CameraSource(QObject *parent = nullptr);
    ~CameraSource() override; // stops the camera

    // The cameras connected now (QMediaDevices::videoInputs()).
    static QList<QCameraDevice> cameras();
    // The camera [station] camera names among those connected; null when none fits.
    static QCameraDevice find(const QString &setting);
    // The format to ask for: the resolution nearest to `target` (by pixel count, ties to the higher
    // frame rate, at most 30 fps preferred), or a null format when the camera lists none.
    static QCameraFormat bestFormat(const QCameraDevice &device, QSize target = QSize(1280, 720));
    // What a problem means for the user, with what to do about it.
    static QString describe(Problem problem);

    // The sink the camera's frames go to (a preview's; the decoder watches the same sink).
    void setVideoSink(QVideoSink *sink);
    // Starts the camera [station] camera names; false (and failed()) when it cannot.
    bool start(const QString &setting);
    void stop();
    bool isActive() const;
    Problem problem() const { return m_problem; }
    QString cameraName() const { return m_device.description(); }

Q_SIGNALS:
    void camerasChanged(); // a camera was connected or disconnected
    void activeChanged(bool active);
    // The camera did not start or stopped: problem and the backend's own words (for the log).
    void failed(qrt::camera::CameraSource::Problem problem, const QString &detail);

private:
    void fail(Problem problem, const QString &detail);
    void cameraError(const QString &text);
    static Problem classify(const QString &text);

    QMediaDevices *m_devices = nullptr;
    QMediaCaptureSession *m_session = nullptr;
    QCamera *m_camera = nullptr;
    QPointer<QVideoSink> m_sink;
    QCameraDevice m_device;
    Problem m_problem = Problem::None;
};

} // namespace qrt::camera
