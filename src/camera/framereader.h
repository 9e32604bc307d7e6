#pragma once

#include <QStringList>

QT_BEGIN_NAMESPACE
class QImage;
class QVideoFrame;
QT_END_NAMESPACE

namespace qrt::camera {

// One frame to the QR texts in it (zxing-cpp stays inside framereader.cpp). Not thread-bound: the
// FrameDecoder's worker calls it, and so do the tests and `scripts/bench camera`.
class FrameReader
{
public:
    // The luminance zxing reads: the Y plane of a YUV frame (NV12, NV21, YUV420P, YV12, YUV422P,
    // IMC1-4, Y8) mapped as it is, every second byte of UYVY/YUYV, 32-bit RGB read in place; any
    // other format through QVideoFrame::toImage(). Which path a frame took is in lastPath().
    enum class Path { None, YPlane, Packed, Rgb, ToImage };

    QStringList read(const QVideoFrame &frame); // mapped read-only; an invalid frame reads nothing
    QStringList read(const QImage &image);      // any QImage format
    // 8-bit luminance, row by row (rowStride bytes apart, pixStride bytes between pixels).
    static QStringList readLuminance(const uchar *data, int width, int height, int rowStride, int pixStride = 1);

    Path lastPath() const { return m_lastPath; }

private:
    Path m_lastPath = Path::None;
};

} // namespace qrt::camera
