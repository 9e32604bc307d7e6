#include "camera/testclip.h"

#include "qr/qrcode.h"

#include <QBuffer>
#include <QFile>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QRadialGradient>
#include <QRandomGenerator>
#include <QtMath>

#include <algorithm>
#include <cmath>

namespace qrt::test {

namespace {

constexpr int kCodePx = 300; // the printed code's side in the frame, before tilt and scale

QStringList allLooks()
{
    return { QStringLiteral("plain"), QStringLiteral("blur"), QStringLiteral("tilt"),
             QStringLiteral("glare"), QStringLiteral("moire"), QStringLiteral("tilt+blur+glare") };
}

// A room behind the code: a wall, a table edge, a jacket; the same for every frame.
const QImage &background(QSize size)
{
    static QImage image;
    if (image.size() == size)
        return image;
    image = QImage(size, QImage::Format_RGB32);
    QPainter p(&image);
    QLinearGradient wall(0, 0, size.width(), size.height());
    wall.setColorAt(0, QColor(168, 160, 148));
    wall.setColorAt(1, QColor(96, 90, 84));
    p.fillRect(image.rect(), wall);
    p.fillRect(QRect(0, size.height() * 3 / 4, size.width(), size.height() / 4), QColor(110, 78, 52));
    p.setBrush(QColor(40, 52, 80));
    p.setPen(Qt::NoPen);
    p.drawEllipse(QPoint(size.width() / 2, size.height() + 80), size.width() / 3, size.height() / 2);
    p.setBrush(QColor(224, 190, 160));
    p.drawEllipse(QPoint(size.width() * 4 / 5, size.height() / 3), 70, 90);
    return image;
}

QImage codeImage(const QString &text, int px)
{
    qr::QrOptions options;
    options.sizePx = px;
    options.margin = 2;
    options.ecc = qr::Ecc::H; // what the order QRs are printed with by default
    auto image = qr::QrEncoder(options).image(text);
    return image ? image.value().convertToFormat(QImage::Format_RGB32) : QImage();
}

// A phone showing the code: lit pixels with dark gaps and RGB stripes, a pixel pitch of 1.15 camera
// pixels, so that drawing it down to camera size aliases into moiré bands.
QImage phoneScreen(const QImage &code)
{
    const int side = code.width() * 13 / 5;
    QImage screen(side, side, QImage::Format_RGB32);
    {
        QPainter p(&screen);
        p.drawImage(screen.rect(), code);
    }
    for (int y = 0; y < side; ++y) {
        auto *row = reinterpret_cast<QRgb *>(screen.scanLine(y));
        for (int x = 0; x < side; ++x) {
            const bool lit = qRed(row[x]) > 127;
            int r = lit ? 225 : 38, g = lit ? 230 : 40, b = lit ? 240 : 52;
            if (y % 3 == 2 || x % 3 == 2) { // the gaps between the screen's pixels
                r = r * 45 / 100;
                g = g * 45 / 100;
                b = b * 45 / 100;
            } else if (x % 3 == 0) {
                b = b * 70 / 100;
            } else {
                r = r * 70 / 100;
            }
            row[x] = qRgb(r, g, b);
        }
    }
    return screen;
}

// Two box blurs, one after the other (close to a Gaussian): a camera focused on the wrong distance.
void blur(QImage &image, QRect area, int radius)
{
    area &= image.rect();
    if (area.isEmpty() || radius <= 0)
        return;
    const int w = area.width(), h = area.height();
    std::vector<int> line(size_t(std::max(w, h)) * 3);
    auto pass = [&](bool horizontal) {
        const int outer = horizontal ? h : w, inner = horizontal ? w : h;
        for (int o = 0; o < outer; ++o) {
            auto px = [&](int i) -> QRgb & {
                return horizontal ? reinterpret_cast<QRgb *>(image.scanLine(area.top() + o))[area.left() + i]
                                  : reinterpret_cast<QRgb *>(image.scanLine(area.top() + i))[area.left() + o];
            };
            for (int i = 0; i < inner; ++i) {
                const QRgb c = px(i);
                line[size_t(i) * 3] = qRed(c);
                line[size_t(i) * 3 + 1] = qGreen(c);
                line[size_t(i) * 3 + 2] = qBlue(c);
            }
            for (int i = 0; i < inner; ++i) {
                int sum[3] = { 0, 0, 0 }, n = 0;
                for (int k = std::max(0, i - radius); k <= std::min(inner - 1, i + radius); ++k, ++n)
                    for (int ch = 0; ch < 3; ++ch)
                        sum[ch] += line[size_t(k) * 3 + size_t(ch)];
                px(i) = qRgb(sum[0] / n, sum[1] / n, sum[2] / n);
            }
        }
    };
    for (int round = 0; round < 2; ++round) {
        pass(true);
        pass(false);
    }
}

// Sensor noise, different in every frame.
void addNoise(QImage &image, quint32 seed)
{
    quint32 state = seed * 2654435761u + 1;
    for (int y = 0; y < image.height(); ++y) {
        auto *row = reinterpret_cast<QRgb *>(image.scanLine(y));
        for (int x = 0; x < image.width(); ++x) {
            state = state * 1664525u + 1013904223u;
            const int n = int((state >> 24) % 13) - 6;
            const QRgb c = row[x];
            row[x] = qRgb(std::clamp(qRed(c) + n, 0, 255), std::clamp(qGreen(c) + n, 0, 255),
                          std::clamp(qBlue(c) + n, 0, 255));
        }
    }
}

void put32(QIODevice &out, quint32 v)
{
    const char bytes[4] = { char(v & 0xff), char((v >> 8) & 0xff), char((v >> 16) & 0xff), char((v >> 24) & 0xff) };
    out.write(bytes, 4);
}
void put16(QIODevice &out, quint16 v)
{
    const char bytes[2] = { char(v & 0xff), char((v >> 8) & 0xff) };
    out.write(bytes, 2);
}
void fourcc(QIODevice &out, const char *cc)
{
    out.write(cc, 4);
}

} // namespace

QStringList ClipPlan::looks()
{
    return allLooks();
}

ClipPlan ClipPlan::make(const QStringList &texts)
{
    ClipPlan plan;
    const QStringList looks = allLooks();
    const int hold = plan.holdMs * plan.fps / 1000, gap = plan.gapMs * plan.fps / 1000;
    int frame = gap;
    for (int i = 0; i < texts.size(); ++i) {
        plan.codes.append({ texts.at(i), looks.at(i % looks.size()), frame, frame + hold - 1 });
        frame += hold + gap;
    }
    plan.frameCount = frame - gap + plan.tailMs * plan.fps / 1000;
    return plan;
}

int ClipPlan::codeAt(int frame) const
{
    for (int i = 0; i < codes.size(); ++i) {
        if (frame >= codes.at(i).firstFrame && frame <= codes.at(i).lastFrame)
            return i;
    }
    return -1;
}

QImage renderClipFrame(const ClipPlan &plan, int frame)
{
    QImage image = background(plan.size).copy();
    const int index = plan.codeAt(frame);
    if (index >= 0) {
        const ClipCode &code = plan.codes.at(index);
        const double t = double(frame - code.firstFrame) / plan.fps;
        const bool tilt = code.look.contains(QLatin1String("tilt"));
        const bool phone = code.look == QLatin1String("moire");
        // A hand holding it: drifts and turns a little.
        const QPointF centre(plan.size.width() / 2.0 + 60 * std::sin(2 * M_PI * t / 1.7 + index),
                             plan.size.height() / 2.0 + 30 * std::sin(2 * M_PI * t / 1.3 + index));
        const double angle = (index % 2 ? 9.0 : -7.0) + 3 * std::sin(2 * M_PI * t / 1.1);
        const QImage symbol = codeImage(code.text, kCodePx);
        const double s = kCodePx;

        QPainter p(&image);
        p.setRenderHint(QPainter::Antialiasing);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        QTransform place;
        place.translate(centre.x(), centre.y());
        place.rotate(angle);
        if (tilt) {
            // Held at an angle to the camera: the far edge is a third shorter.
            QTransform persp;
            const QPolygonF square({ QPointF(-s / 2, -s / 2), QPointF(s / 2, -s / 2), QPointF(s / 2, s / 2), QPointF(-s / 2, s / 2) });
            const QPolygonF seen({ QPointF(-s * 0.34, -s * 0.42), QPointF(s * 0.34, -s * 0.46), QPointF(s * 0.52, s * 0.5),
                                   QPointF(-s * 0.5, s * 0.52) });
            QTransform::quadToQuad(square, seen, persp);
            place = persp * place;
        }
        p.setTransform(place);
        if (phone) {
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(22, 22, 26));
            p.drawRoundedRect(QRectF(-s * 0.62, -s * 1.0, s * 1.24, s * 2.0), 40, 40);
            p.fillRect(QRectF(-s * 0.56, -s * 0.9, s * 1.12, s * 1.8), QColor(30, 32, 40));
            p.drawImage(QRectF(-s / 2, -s / 2, s, s), phoneScreen(symbol));
        } else {
            // A printed ticket: a white card a little larger than the code, with a soft shadow.
            p.setPen(Qt::NoPen);
            p.setBrush(QColor(0, 0, 0, 60));
            p.drawRect(QRectF(-s * 0.6 + 8, -s * 0.7 + 10, s * 1.2, s * 1.4));
            p.setBrush(QColor(238, 236, 230));
            p.drawRect(QRectF(-s * 0.6, -s * 0.7, s * 1.2, s * 1.4));
            p.drawImage(QRectF(-s / 2, -s / 2, s, s), symbol);
        }
        const QRect area = place.mapRect(QRectF(-s * 0.7, -s * 1.05, s * 1.4, s * 2.1)).toAlignedRect();
        if (code.look.contains(QLatin1String("glare"))) {
            // A lamp reflected on glossy paper: a bright patch over a quarter of the code.
            QRadialGradient glare(QPointF(s * 0.18, -s * 0.2), s * 0.32);
            glare.setColorAt(0, QColor(255, 255, 255, 215));
            glare.setColorAt(0.6, QColor(255, 255, 250, 120));
            glare.setColorAt(1, QColor(255, 255, 250, 0));
            p.setBrush(glare);
            p.drawEllipse(QPointF(s * 0.18, -s * 0.2), s * 0.32, s * 0.26);
        }
        p.end();
        if (code.look.contains(QLatin1String("blur")))
            blur(image, area, 2);
    }
    addNoise(image, quint32(frame));
    return image;
}

core::Result<void> writeClip(const ClipPlan &plan, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return core::makeError(QStringLiteral("test.clip_write"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    const quint32 w = quint32(plan.size.width()), h = quint32(plan.size.height()), n = quint32(plan.frameCount);
    // RIFF 'AVI ' { LIST 'hdrl' { avih, LIST 'strl' { strh, strf } }, LIST 'movi' { 00dc... }, idx1 }
    fourcc(file, "RIFF");
    put32(file, 0); // patched at the end
    fourcc(file, "AVI ");
    fourcc(file, "LIST");
    put32(file, 4 + (8 + 56) + (8 + 4 + (8 + 56) + (8 + 40)));
    fourcc(file, "hdrl");
    fourcc(file, "avih");
    put32(file, 56);
    put32(file, quint32(1000000 / plan.fps)); // microseconds per frame
    put32(file, 0);
    put32(file, 0);
    put32(file, 0x10); // AVIF_HASINDEX
    put32(file, n);
    put32(file, 0);
    put32(file, 1); // streams
    put32(file, 0);
    put32(file, w);
    put32(file, h);
    for (int i = 0; i < 4; ++i)
        put32(file, 0);
    fourcc(file, "LIST");
    put32(file, 4 + (8 + 56) + (8 + 40));
    fourcc(file, "strl");
    fourcc(file, "strh");
    put32(file, 56);
    fourcc(file, "vids");
    fourcc(file, "MJPG");
    put32(file, 0); // flags
    put16(file, 0); // priority
    put16(file, 0); // language
    put32(file, 0); // initial frames
    put32(file, 1); // scale
    put32(file, quint32(plan.fps)); // rate: fps = rate / scale
    put32(file, 0); // start
    put32(file, n); // length
    put32(file, 0); // suggested buffer size
    put32(file, 0xffffffff); // quality
    put32(file, 0); // sample size
    put16(file, 0);
    put16(file, 0);
    put16(file, quint16(w));
    put16(file, quint16(h));
    fourcc(file, "strf");
    put32(file, 40); // BITMAPINFOHEADER
    put32(file, 40);
    put32(file, w);
    put32(file, h);
    put16(file, 1);
    put16(file, 24);
    fourcc(file, "MJPG");
    put32(file, w * h * 3);
    for (int i = 0; i < 4; ++i)
        put32(file, 0);
    fourcc(file, "LIST");
    const qint64 moviSizeAt = file.pos();
    put32(file, 0); // patched
    const qint64 moviAt = file.pos();
    fourcc(file, "movi");
    QList<QPair<quint32, quint32>> index; // offset from 'movi', size
    for (int frame = 0; frame < plan.frameCount; ++frame) {
        QByteArray jpeg;
        QBuffer buffer(&jpeg);
        buffer.open(QIODevice::WriteOnly);
        if (!renderClipFrame(plan, frame).save(&buffer, "JPG", 85))
            return core::makeError(QStringLiteral("test.clip_write"), QStringLiteral("Qt cannot write JPEG (qjpeg image plugin missing?)"));
        index.append({ quint32(file.pos() - moviAt), quint32(jpeg.size()) });
        fourcc(file, "00dc");
        put32(file, quint32(jpeg.size()));
        file.write(jpeg);
        if (jpeg.size() % 2)
            file.write("\0", 1);
    }
    const qint64 moviEnd = file.pos();
    fourcc(file, "idx1");
    put32(file, quint32(index.size() * 16));
    for (const auto &[offset, size] : index) {
        fourcc(file, "00dc");
        put32(file, 0x10); // AVIIF_KEYFRAME
        put32(file, offset);
        put32(file, size);
    }
    const qint64 end = file.pos();
    file.seek(moviSizeAt);
    put32(file, quint32(moviEnd - moviAt));
    file.seek(4);
    put32(file, quint32(end - 8));
    if (!file.flush() || file.error() != QFileDevice::NoError)
        return core::makeError(QStringLiteral("test.clip_write"), QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

QStringList sampleClipTexts(int count)
{
    QRandomGenerator rng(20261130);
    QStringList texts;
    for (int i = 0; i < count; ++i) {
        QString hex;
        for (int k = 0; k < (i % 2 ? 24 : 32); ++k)
            hex += QLatin1Char("0123456789abcdef"[rng.bounded(16)]);
        texts << (i % 2 ? QStringLiteral("https://qr.example.com/orders/") + hex : hex);
    }
    return texts;
}

} // namespace qrt::test
