#include "gui/camerapreview.h"

#include "camera/framedecoder.h"
#include "camera/previewrenderer.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>
#include <QVideoFrame>
#include <QVideoSink>

namespace qrt::gui {

namespace {
constexpr int kCueMs = 600;       // the green frame after a read: seen, gone before the next guest
constexpr int kCueWidth = 10;
constexpr int kRepaintMs = 1000 / camera::PreviewRenderer::kMaxFps;
const QColor kCueColour(0x2e, 0x9e, 0x44);
} // namespace

CameraPreview::CameraPreview(QWidget *parent)
    : QWidget(parent), m_source(new camera::CameraSource(this)), m_decoder(new camera::FrameDecoder(this)),
      m_renderer(new camera::PreviewRenderer(this)), m_sink(new QVideoSink(this))
{
    setObjectName(QStringLiteral("cameraPreview"));
    setAccessibleName(tr("Camera preview"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setMinimumHeight(180);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("cameraMessage"));
    m_message->setWordWrap(true);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // Light text on the preview's dark background, whatever the palette.
    m_message->setStyleSheet(QStringLiteral("color: #f2f2f2; font-weight: bold;"));
    m_message->setVisible(false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(24, 12, 24, 12);
    layout->addWidget(m_message);
    m_source->setVideoSink(m_sink);
    m_cue.setSingleShot(true);
    m_cue.setInterval(kCueMs);
    connect(&m_cue, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    connect(m_sink, &QVideoSink::videoFrameChanged, this, &CameraPreview::frameArrived);
    // A picture ready: drawn at once, or when a 30th of a second has passed since the last one
    // (the renderer keeps only the newest, so nothing queues).
    m_repaint.setSingleShot(true);
    connect(&m_repaint, &QTimer::timeout, this, &CameraPreview::showPicture);
    connect(m_renderer, &camera::PreviewRenderer::pictureReady, this, [this] {
        if (!m_repaint.isActive())
            m_repaint.start(m_shown.isValid() ? std::max<qint64>(0, kRepaintMs - m_shown.elapsed()) : 0);
    });
    updateTarget();
    connect(m_decoder, &camera::FrameDecoder::codeRead, this, [this](const QString &text) {
        if (!m_on)
            return; // read just before the camera went off
        m_cue.start();
        update();
        Q_EMIT codeRead(text);
    });
    connect(m_source, &camera::CameraSource::failed, this, [this](camera::CameraSource::Problem problem) {
        if (m_on)
            showMessage(camera::CameraSource::describe(problem));
    });
    // A camera plugged in (or the chosen one back) while the preview says there is none: use it.
    connect(m_source, &camera::CameraSource::camerasChanged, this, [this] {
        using P = camera::CameraSource::Problem;
        if (m_on && (m_source->problem() == P::NoCamera || m_source->problem() == P::NotConnected))
            start(m_setting);
    });
}

CameraPreview::~CameraPreview()
{
    stop();
}

void CameraPreview::start(const QString &cameraSetting)
{
    m_setting = cameraSetting;
    m_on = true;
    m_picture = {};
    showMessage({});
    updateTarget();
    m_renderer->watch(m_sink);
    m_decoder->watch(m_sink);
    if (m_source->start(cameraSetting))
        showMessage(tr("Starting %1…").arg(m_source->cameraName()));
    update();
}

void CameraPreview::stop()
{
    m_on = false;
    m_decoder->watch(nullptr);
    m_renderer->watch(nullptr);
    m_source->stop();
    m_repaint.stop();
    m_picture = {};
    m_cue.stop();
    showMessage({});
    update();
}

void CameraPreview::setMirrored(bool mirrored)
{
    m_mirrored = mirrored;
    updateTarget();
    if (!m_picture.isNull() && m_pictureMirrored != m_mirrored) {
        m_picture = m_picture.mirrored(true, false); // the picture shown now, once; new ones come mirrored
        m_pictureMirrored = m_mirrored;
    }
    update();
}

QString CameraPreview::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

QSize CameraPreview::sizeHint() const
{
    return { 427, 240 };
}

void CameraPreview::showMessage(const QString &text)
{
    m_message->setText(text);
    m_message->setVisible(!text.isEmpty());
    setAccessibleDescription(text);
}

void CameraPreview::frameArrived()
{
    if (m_on && !m_message->isHidden())
        showMessage({}); // a picture came: whatever the message said is over
}

void CameraPreview::showPicture()
{
    camera::PreviewRenderer::Picture picture = m_renderer->takePicture();
    if (!m_on || picture.image.isNull())
        return;
    m_picture = std::move(picture.image);
    m_pictureMirrored = picture.mirrored;
    if (m_pictureMirrored != m_mirrored) { // made just before the mirror changed
        m_picture = m_picture.mirrored(true, false);
        m_pictureMirrored = m_mirrored;
    }
    m_shown.start();
    update();
}

void CameraPreview::updateTarget()
{
    const qreal ratio = devicePixelRatioF();
    m_renderer->setTarget((QSizeF(size()) * ratio).toSize(), ratio, m_mirrored);
}

void CameraPreview::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    updateTarget();
}

void CameraPreview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x20, 0x20, 0x20));
    if (m_on && !m_picture.isNull()) {
        // The whole picture, as large as fits, centred: a code near the edge is still in view. The
        // renderer made it this size; only just after a resize is it scaled here (fast), until the
        // next frame.
        const QSize shown = m_picture.deviceIndependentSize().toSize();
        const bool fits = shown.width() <= width() && shown.height() <= height()
                          && (width() - shown.width() <= 1 || height() - shown.height() <= 1);
        QRect target(QPoint(0, 0), fits ? shown : shown.scaled(size(), Qt::KeepAspectRatio));
        target.moveCenter(rect().center());
        if (fits)
            painter.drawImage(target.topLeft(), m_picture);
        else
            painter.drawImage(target, m_picture);
    }
    if (m_cue.isActive()) {
        QPen pen(kCueColour, kCueWidth);
        pen.setJoinStyle(Qt::MiterJoin);
        painter.setPen(pen);
        painter.drawRect(rect().adjusted(kCueWidth / 2, kCueWidth / 2, -kCueWidth / 2, -kCueWidth / 2));
    }
}

} // namespace qrt::gui
