#include "gui/camerapreview.h"

#include "camera/framedecoder.h"

#include <QLabel>
#include <QPainter>
#include <QVBoxLayout>
#include <QVideoSink>

namespace qrt::gui {

namespace {
constexpr int kCueMs = 600;       // the green frame after a read: seen, gone before the next guest
constexpr int kCueWidth = 10;
const QColor kCueColour(0x2e, 0x9e, 0x44);
} // namespace

CameraPreview::CameraPreview(QWidget *parent)
    : QWidget(parent), m_source(new camera::CameraSource(this)), m_decoder(new camera::FrameDecoder(this)),
      m_sink(new QVideoSink(this))
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
    m_frame = {};
    showMessage({});
    m_decoder->watch(m_sink);
    if (m_source->start(cameraSetting))
        showMessage(tr("Starting %1…").arg(m_source->cameraName()));
    update();
}

void CameraPreview::stop()
{
    m_on = false;
    m_decoder->watch(nullptr);
    m_source->stop();
    m_frame = {};
    m_cue.stop();
    showMessage({});
    update();
}

void CameraPreview::setMirrored(bool mirrored)
{
    m_mirrored = mirrored;
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

void CameraPreview::frameArrived(const QVideoFrame &frame)
{
    if (!m_on || !frame.isValid())
        return;
    m_frame = frame;
    if (!m_message->isHidden())
        showMessage({}); // a picture came: whatever the message said is over
    update();
}

void CameraPreview::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), QColor(0x20, 0x20, 0x20));
    if (m_on && m_frame.isValid()) {
        const QImage image = m_frame.toImage();
        if (!image.isNull()) {
            // The whole picture, as large as fits, centred: a code near the edge is still in view.
            QRect target(QPoint(0, 0), image.size().scaled(size(), Qt::KeepAspectRatio));
            target.moveCenter(rect().center());
            painter.save();
            if (m_mirrored) {
                painter.translate(target.left() * 2 + target.width(), 0); // x -> left + right - x
                painter.scale(-1, 1);
            }
            painter.setRenderHint(QPainter::SmoothPixmapTransform);
            painter.drawImage(target, image);
            painter.restore();
        }
    }
    if (m_cue.isActive()) {
        QPen pen(kCueColour, kCueWidth);
        pen.setJoinStyle(Qt::MiterJoin);
        painter.setPen(pen);
        painter.drawRect(rect().adjusted(kCueWidth / 2, kCueWidth / 2, -kCueWidth / 2, -kCueWidth / 2));
    }
}

} // namespace qrt::gui
