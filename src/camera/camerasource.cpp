#include "camera/camerasource.h"

#include <QCamera>
#include <QLoggingCategory>
#include <QMediaCaptureSession>
#include <QMediaDevices>
#include <QVideoSink>

#include <cstdlib>
#include <limits>

namespace qrt::camera {

namespace {
Q_LOGGING_CATEGORY(lcCameraSource, "qrtickets.camera", QtInfoMsg)

const QString kNone = QStringLiteral("none");
} // namespace

CameraSource::CameraSource(QObject *parent)
    : QObject(parent), m_devices(new QMediaDevices(this)), m_session(new QMediaCaptureSession(this))
{
    connect(m_devices, &QMediaDevices::videoInputsChanged, this, [this] {
        // The camera in use was unplugged: say so rather than showing its last frame for ever.
        if (m_camera && !m_device.isNull() && !cameras().contains(m_device)) {
            stop();
            fail(Problem::NotConnected, QStringLiteral("camera %1 disconnected").arg(m_device.description()));
        }
        Q_EMIT camerasChanged();
    });
}

CameraSource::~CameraSource()
{
    stop();
}

QList<QCameraDevice> CameraSource::cameras()
{
    return QMediaDevices::videoInputs();
}

QCameraDevice CameraSource::find(const QString &setting)
{
    const QString id = setting.trimmed();
    if (id.compare(kNone, Qt::CaseInsensitive) == 0)
        return {};
    if (id.isEmpty())
        return QMediaDevices::defaultVideoInput();
    for (const QCameraDevice &device : cameras()) {
        if (QString::fromUtf8(device.id()) == id)
            return device;
    }
    return {};
}

QCameraFormat CameraSource::bestFormat(const QCameraDevice &device, QSize target)
{
    const qint64 want = qint64(target.width()) * target.height();
    QCameraFormat best;
    qint64 bestDistance = std::numeric_limits<qint64>::max();
    float bestRate = 0;
    for (const QCameraFormat &format : device.videoFormats()) {
        const QSize size = format.resolution();
        const qint64 distance = std::llabs(qint64(size.width()) * size.height() - want);
        // More than 30 fps only costs decoding time; fewer than 15 makes a held-up code slow to read.
        const float rate = qMin(format.maxFrameRate(), 30.0f);
        if (distance < bestDistance || (distance == bestDistance && rate > bestRate)) {
            best = format;
            bestDistance = distance;
            bestRate = rate;
        }
    }
    return best;
}

QString CameraSource::describe(Problem problem)
{
    switch (problem) {
    case Problem::None: return {};
    case Problem::NoCamera: return tr("No camera found — connect one or choose it in Settings → Station");
    case Problem::NotConnected:
        return tr("The camera chosen in Settings → Station is not connected — connect it or choose another");
    case Problem::PermissionDenied:
        return tr("QR Tickets may not use the camera — allow it in the system's privacy settings (Camera), "
                  "then press Camera again");
    case Problem::Busy: return tr("The camera is in use by another program — close that program, then press Camera again");
    case Problem::Failed: break;
    }
    return tr("The camera did not start — press Camera again, or choose another in Settings → Station");
}

void CameraSource::setVideoSink(QVideoSink *sink)
{
    m_sink = sink;
    m_session->setVideoSink(sink);
}

bool CameraSource::start(const QString &setting)
{
    stop();
    m_problem = Problem::None;
    const QList<QCameraDevice> connected = cameras();
    if (setting.trimmed().compare(kNone, Qt::CaseInsensitive) == 0 || connected.isEmpty()) {
        fail(Problem::NoCamera, connected.isEmpty() ? QStringLiteral("no video input") : QStringLiteral("[station] camera = none"));
        return false;
    }
    m_device = find(setting);
    if (m_device.isNull()) {
        // Empty setting with cameras but no default one (it happens on Linux): the first.
        if (!setting.trimmed().isEmpty()) {
            fail(Problem::NotConnected, QStringLiteral("no camera with id %1").arg(setting));
            return false;
        }
        m_device = connected.first();
    }
    m_camera = new QCamera(m_device, this);
    const QCameraFormat format = bestFormat(m_device);
    if (!format.isNull())
        m_camera->setCameraFormat(format);
    connect(m_camera, &QCamera::errorOccurred, this, [this](QCamera::Error, const QString &text) { cameraError(text); });
    connect(m_camera, &QCamera::activeChanged, this, &CameraSource::activeChanged);
    m_session->setCamera(m_camera);
    m_session->setVideoSink(m_sink);
    qCInfo(lcCameraSource).noquote() << "starting camera" << m_device.description() << m_device.id()
                                     << format.resolution() << format.maxFrameRate() << "fps";
    m_camera->start(); // macOS asks for permission here (Info.plist: NSCameraUsageDescription)
    // An error may have come synchronously (a device that vanished, a refusal already known).
    return m_camera != nullptr && m_problem == Problem::None;
}

void CameraSource::stop()
{
    if (!m_camera)
        return;
    QCamera *camera = m_camera;
    m_camera = nullptr;
    camera->disconnect(this);
    const bool wasActive = camera->isActive();
    camera->stop();
    m_session->setCamera(nullptr);
    camera->deleteLater();
    if (wasActive)
        Q_EMIT activeChanged(false);
}

bool CameraSource::isActive() const
{
    return m_camera && m_camera->isActive();
}

void CameraSource::cameraError(const QString &text)
{
    if (!m_camera)
        return;
    qCWarning(lcCameraSource).noquote() << "camera" << m_device.description() << "failed:" << text;
    const Problem problem = classify(text);
    stop();
    fail(problem, text);
}

CameraSource::Problem CameraSource::classify(const QString &text)
{
    // Qt 6.4's QCamera::Error is only CameraError: the backends' words tell what happened.
    const QString t = text.toLower();
    for (const char *word : { "permission", "denied", "not granted", "not authorized", "not authorised", "eacces",
                              "access is denied", "privacy" }) {
        if (t.contains(QLatin1String(word)))
            return Problem::PermissionDenied;
    }
    for (const char *word : { "busy", "in use", "ebusy", "being used", "already used", "resource" }) {
        if (t.contains(QLatin1String(word)))
            return Problem::Busy;
    }
    return Problem::Failed;
}

void CameraSource::fail(Problem problem, const QString &detail)
{
    m_problem = problem;
    Q_EMIT failed(problem, detail);
}

} // namespace qrt::camera
