#include "camera/framereader.h"

// Result::text() returns UTF-8 std::string with this (zxing-cpp 1.4 transition switch).
#define ZX_USE_UTF8
#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>

#include <QImage>
#include <QVideoFrame>
#include <QVideoFrameFormat>

namespace qrt::camera {

namespace {

// QR codes only; tryHarder (the default) and zxing's own downscaled pass find small, blurred and
// tilted codes in a 720p frame; tryRotate is not needed: the QR detector finds any rotation.
const ZXing::DecodeHints &hints()
{
    static const ZXing::DecodeHints h = ZXing::DecodeHints()
                                            .setFormats(ZXing::BarcodeFormat::QRCode)
                                            .setTryHarder(true)
                                            .setTryRotate(false)
                                            .setMaxNumberOfSymbols(4);
    return h;
}

QStringList readView(const ZXing::ImageView &view)
{
    QStringList texts;
    for (const ZXing::Result &result : ZXing::ReadBarcodes(view, hints())) {
        if (!result.isValid())
            continue;
        const QString text = QString::fromStdString(result.text());
        if (!text.isEmpty() && !texts.contains(text))
            texts.append(text);
    }
    return texts;
}

bool isYPlaneFormat(QVideoFrameFormat::PixelFormat format)
{
    switch (format) {
    case QVideoFrameFormat::Format_NV12:
    case QVideoFrameFormat::Format_NV21:
    case QVideoFrameFormat::Format_YUV420P:
    case QVideoFrameFormat::Format_YUV422P:
    case QVideoFrameFormat::Format_YV12:
    case QVideoFrameFormat::Format_IMC1:
    case QVideoFrameFormat::Format_IMC2:
    case QVideoFrameFormat::Format_IMC3:
    case QVideoFrameFormat::Format_IMC4:
    case QVideoFrameFormat::Format_Y8:
        return true;
    default:
        return false;
    }
}

// Qt Multimedia's 32-bit formats name the bytes in memory order, as zxing's do.
ZXing::ImageFormat rgbFormat(QVideoFrameFormat::PixelFormat format)
{
    switch (format) {
    case QVideoFrameFormat::Format_ARGB8888:
    case QVideoFrameFormat::Format_ARGB8888_Premultiplied:
    case QVideoFrameFormat::Format_XRGB8888:
        return ZXing::ImageFormat::XRGB;
    case QVideoFrameFormat::Format_BGRA8888:
    case QVideoFrameFormat::Format_BGRA8888_Premultiplied:
    case QVideoFrameFormat::Format_BGRX8888:
        return ZXing::ImageFormat::BGRX;
    case QVideoFrameFormat::Format_ABGR8888:
    case QVideoFrameFormat::Format_XBGR8888:
        return ZXing::ImageFormat::XBGR;
    case QVideoFrameFormat::Format_RGBA8888:
    case QVideoFrameFormat::Format_RGBX8888:
        return ZXing::ImageFormat::RGBX;
    default:
        return ZXing::ImageFormat::None;
    }
}

} // namespace

QStringList FrameReader::readLuminance(const uchar *data, int width, int height, int rowStride, int pixStride)
{
    if (!data || width <= 0 || height <= 0)
        return {};
    return readView(ZXing::ImageView(data, width, height, ZXing::ImageFormat::Lum, rowStride, pixStride));
}

QStringList FrameReader::read(const QImage &image)
{
    m_lastPath = Path::None;
    if (image.isNull())
        return {};
    const QImage gray = image.format() == QImage::Format_Grayscale8 ? image
                                                                     : image.convertToFormat(QImage::Format_Grayscale8);
    return readLuminance(gray.constBits(), gray.width(), gray.height(), int(gray.bytesPerLine()));
}

QStringList FrameReader::read(const QVideoFrame &frame)
{
    m_lastPath = Path::None;
    if (!frame.isValid())
        return {};
    const QVideoFrameFormat::PixelFormat format = frame.pixelFormat();
    const bool packed = format == QVideoFrameFormat::Format_UYVY || format == QVideoFrameFormat::Format_YUYV;
    const ZXing::ImageFormat rgb = rgbFormat(format);
    if (isYPlaneFormat(format) || packed || rgb != ZXing::ImageFormat::None) {
        QVideoFrame mapped(frame); // shares the buffer; map() only makes it readable here
        if (mapped.map(QVideoFrame::ReadOnly)) {
            const uchar *bits = mapped.bits(0);
            const int w = mapped.width(), h = mapped.height(), stride = mapped.bytesPerLine(0);
            QStringList texts;
            if (isYPlaneFormat(format)) {
                m_lastPath = Path::YPlane;
                texts = readLuminance(bits, w, h, stride);
            } else if (packed) {
                // UYVY: U Y V Y ..., YUYV: Y U Y V ...: the Y bytes are every second one.
                m_lastPath = Path::Packed;
                texts = readLuminance(bits + (format == QVideoFrameFormat::Format_UYVY ? 1 : 0), w, h, stride, 2);
            } else {
                m_lastPath = Path::Rgb;
                texts = readView(ZXing::ImageView(bits, w, h, rgb, stride));
            }
            mapped.unmap();
            return texts;
        }
    }
    QStringList texts = read(frame.toImage());
    m_lastPath = Path::ToImage;
    return texts;
}

} // namespace qrt::camera
