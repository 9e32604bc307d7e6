#include "qr/qrcode.h"

#include "qr/logging.h"

// Result::text() returns UTF-8 std::string with this (zxing-cpp 1.4 transition switch).
#define ZX_USE_UTF8
#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/MultiFormatWriter.h>
#include <ZXing/ReadBarcode.h>

#include <QBuffer>
#include <QCoreApplication>
#include <QImageReader>
#include <QPainter>

#include <exception>
#include <stdexcept>

namespace qrt::qr {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::qr::QrCode)
};

// MultiFormatWriter::setEccLevel takes 0..8 for QR (zxing-cpp 1.4 QRCode::Writer: <=2 L, <=4 M,
// <=6 Q, else H); these values land in the middle of each band.
int zxingEccLevel(Ecc ecc)
{
    switch (ecc) {
    case Ecc::L:
        return 1;
    case Ecc::M:
        return 4;
    case Ecc::Q:
        return 6;
    case Ecc::H:
        return 8;
    }
    return 8;
}

bool isAscii(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() > 0x7f)
            return false;
    }
    return true;
}

// The bare symbol: one bit per module, no quiet zone.
core::Result<ZXing::BitMatrix> encodeMatrix(const QString &text, Ecc ecc)
{
    if (text.isEmpty())
        return core::makeError(QStringLiteral("qr.empty_text"), Tr::tr("There is no text to put into the QR code."));
    ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
    writer.setEccLevel(zxingEccLevel(ecc));
    writer.setMargin(0);
    // Plain ASCII (every order URL) goes without an ECI header, which some older scanners mis-read;
    // anything else is declared UTF-8 (the default, ISO-8859-1, cannot hold it).
    if (!isAscii(text))
        writer.setEncoding(ZXing::CharacterSet::UTF8);
    try {
        // Width and height 0: the writer returns the symbol at one pixel per module.
        return writer.encode(text.toStdString(), 0, 0);
    } catch (const std::invalid_argument &e) {
        const QString details = QString::fromLocal8Bit(e.what());
        if (details.contains(QStringLiteral("too big"), Qt::CaseInsensitive)) {
            return core::makeError(QStringLiteral("qr.too_long"),
                Tr::tr("The text (%1 characters) is too long for a QR code with error correction %2. "
                   "Use a shorter URL or a lower error correction level.")
                    .arg(text.size())
                    .arg(toChar(ecc)),
                details);
        }
        return core::makeError(QStringLiteral("qr.encode_failed"), Tr::tr("The QR code could not be made."), details);
    } catch (const std::exception &e) {
        return core::makeError(QStringLiteral("qr.encode_failed"), Tr::tr("The QR code could not be made."),
            QString::fromLocal8Bit(e.what()));
    }
}

core::Result<void> checkOptions(const QrOptions &options)
{
    if (options.sizePx < 1 || options.sizePx > QrEncoder::MaxSizePx) {
        return core::makeError(QStringLiteral("qr.invalid_options"),
            Tr::tr("The QR image size must be between 1 and %1 pixels.").arg(QrEncoder::MaxSizePx),
            QStringLiteral("size_px=%1").arg(options.sizePx));
    }
    if (options.margin < 0 || options.margin > 64) {
        return core::makeError(QStringLiteral("qr.invalid_options"),
            Tr::tr("The QR quiet zone must be between 0 and 64 modules."),
            QStringLiteral("margin=%1").arg(options.margin));
    }
    return {};
}

QImage flattenOnWhite(const QImage &image)
{
    if (!image.hasAlphaChannel())
        return image;
    // Transparent pixels are black in every grey conversion; a QR on a transparent background
    // would turn into a black square.
    QImage canvas(image.size(), QImage::Format_RGB32);
    canvas.fill(Qt::white);
    QPainter painter(&canvas);
    painter.drawImage(0, 0, image);
    painter.end();
    return canvas;
}

std::optional<QString> readQr(const QImage &gray)
{
    const ZXing::ImageView view(gray.constBits(), gray.width(), gray.height(), ZXing::ImageFormat::Lum,
        int(gray.bytesPerLine()));
    const auto hints = ZXing::DecodeHints()
                           .setFormats(ZXing::BarcodeFormat::QRCode)
                           .setTryHarder(true)
                           .setTryRotate(true)
                           .setTryDownscale(true);
    try {
        const ZXing::Result result = ZXing::ReadBarcode(view, hints);
        if (result.isValid())
            return QString::fromStdString(result.text());
    } catch (const std::exception &e) {
        qCWarning(lcQr) << "zxing failed while reading an image:" << e.what();
    }
    return std::nullopt;
}

} // namespace

QChar toChar(Ecc ecc)
{
    switch (ecc) {
    case Ecc::L:
        return u'L';
    case Ecc::M:
        return u'M';
    case Ecc::Q:
        return u'Q';
    case Ecc::H:
        return u'H';
    }
    return u'H';
}

std::optional<Ecc> eccFromChar(QChar letter)
{
    switch (letter.toUpper().unicode()) {
    case u'L':
        return Ecc::L;
    case u'M':
        return Ecc::M;
    case u'Q':
        return Ecc::Q;
    case u'H':
        return Ecc::H;
    default:
        return std::nullopt;
    }
}

QrOptions QrOptions::fromSettings(const core::QrSettings &settings)
{
    QrOptions options;
    options.sizePx = settings.sizePx;
    options.margin = settings.margin;
    options.ecc = eccFromChar(settings.ecc).value_or(Ecc::H);
    return options;
}

QrEncoder::QrEncoder(QrOptions options) : m_options(options) { }

QrEncoder::QrEncoder(const core::QrSettings &settings) : m_options(QrOptions::fromSettings(settings)) { }

core::Result<int> QrEncoder::moduleCount(const QString &text) const
{
    auto matrix = encodeMatrix(text, m_options.ecc);
    if (!matrix)
        return matrix.error();
    return matrix->width();
}

core::Result<int> QrEncoder::minimumSizePx(const QString &text) const
{
    if (auto valid = checkOptions(m_options); !valid)
        return valid.error();
    auto modules = moduleCount(text);
    if (!modules)
        return modules.error();
    return (*modules + 2 * m_options.margin) * MinModulePx;
}

core::Result<QImage> QrEncoder::image(const QString &text) const
{
    if (auto valid = checkOptions(m_options); !valid)
        return valid.error();
    auto encoded = encodeMatrix(text, m_options.ecc);
    if (!encoded)
        return encoded.error();
    const ZXing::BitMatrix &matrix = *encoded;

    const int modules = matrix.width();
    const int total = modules + 2 * m_options.margin;
    const int size = m_options.sizePx;
    // Whole pixels per module keep every module the same size; a fractional scale smears edges and
    // makes small codes unreadable. The leftover pixels become extra white border.
    const int scale = size / total;
    if (scale < MinModulePx) {
        return core::makeError(QStringLiteral("qr.too_small"),
            Tr::tr("A %1 px image is too small for this QR code: it is %2 modules wide with its quiet zone and "
               "needs at least %3 px. Increase the QR size, shorten the URL or lower the error correction.")
                .arg(size)
                .arg(total)
                .arg(total * MinModulePx),
            QStringLiteral("modules=%1 margin=%2 size_px=%3").arg(modules).arg(m_options.margin).arg(size));
    }
    const int origin = (size - scale * total) / 2 + scale * m_options.margin;

    QImage image(size, size, QImage::Format_Mono);
    image.setColorTable({ qRgb(255, 255, 255), qRgb(0, 0, 0) });
    image.fill(0);
    for (int y = 0; y < modules * scale; ++y) {
        uchar *line = image.scanLine(origin + y);
        const int my = y / scale;
        for (int mx = 0; mx < modules; ++mx) {
            if (!matrix.get(mx, my))
                continue;
            for (int x = origin + mx * scale, end = x + scale; x < end; ++x)
                line[x >> 3] |= uchar(0x80 >> (x & 7)); // Format_Mono: most significant bit first
        }
    }
    return image;
}

core::Result<QByteArray> QrEncoder::png(const QString &text) const
{
    auto qr = image(text);
    if (!qr)
        return qr.error();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!qr->save(&buffer, "PNG")) {
        return core::makeError(QStringLiteral("qr.encode_failed"),
            Tr::tr("The QR code could not be saved as PNG."), QStringLiteral("PNG writer failed"));
    }
    return bytes;
}

core::Result<QString> QrEncoder::dataUrl(const QString &text) const
{
    auto bytes = png(text);
    if (!bytes)
        return bytes.error();
    return QString(QStringLiteral("data:image/png;base64,") + QString::fromLatin1(bytes->toBase64()));
}

core::Result<QString> QrEncoder::orderDataUrl(const core::QrSettings &settings, const QString &orderId)
{
    return QrEncoder(settings).dataUrl(settings.urlFor(orderId));
}

core::Result<QImage> QrEncoder::orderImage(const core::QrSettings &settings, const QString &orderId)
{
    return QrEncoder(settings).image(settings.urlFor(orderId));
}

core::Result<QString> QrDecoder::decode(const QImage &image)
{
    if (image.isNull() || image.width() < 1 || image.height() < 1)
        return core::makeError(QStringLiteral("qr.empty_image"), Tr::tr("The image is empty."));

    QImage gray = flattenOnWhite(image).convertToFormat(QImage::Format_Grayscale8);
    if (auto text = readQr(gray))
        return *text;
    // zxing-cpp 1.4 has no "try inverted": light-on-dark codes (dark mode screenshots) need a
    // second pass on the negative.
    gray.invertPixels();
    if (auto text = readQr(gray))
        return *text;
    return core::makeError(QStringLiteral("qr.not_found"),
        Tr::tr("No QR code was found in the image. Make sure the whole code is visible, sharp and well lit."),
        QStringLiteral("%1x%2 px").arg(image.width()).arg(image.height()));
}

core::Result<QString> QrDecoder::decodeFile(const QString &path)
{
    QImageReader reader(path);
    reader.setAutoTransform(true); // phone photos carry their rotation in EXIF
    const QImage image = reader.read();
    if (image.isNull()) {
        return core::makeError(QStringLiteral("qr.unreadable_file"),
            Tr::tr("The file %1 could not be read as an image.").arg(path), reader.errorString());
    }
    return decode(image);
}

core::Result<QString> QrDecoder::decodeImageData(const QByteArray &bytes)
{
    QImage image;
    if (bytes.isEmpty() || !image.loadFromData(bytes)) {
        return core::makeError(QStringLiteral("qr.unreadable_file"), Tr::tr("The data is not an image."),
            QStringLiteral("%1 bytes").arg(bytes.size()));
    }
    return decode(image);
}

core::Result<QString> QrDecoder::decodeDataUrl(const QString &dataUrl)
{
    // data:[<mediatype>][;base64],<data>; only base64 images make sense here.
    const QString trimmed = dataUrl.trimmed();
    const qsizetype comma = trimmed.indexOf(u',');
    const auto invalid = [&] {
        return core::makeError(QStringLiteral("qr.invalid_data_url"),
            Tr::tr("The text is not an image data URL (data:image/png;base64,...)."),
            QStringLiteral("starts with \"%1\"").arg(trimmed.left(24)));
    };
    if (!trimmed.startsWith(QStringLiteral("data:"), Qt::CaseInsensitive) || comma < 0)
        return invalid();
    const QString header = trimmed.mid(5, comma - 5);
    if (!header.startsWith(QStringLiteral("image/"), Qt::CaseInsensitive)
        || !header.endsWith(QStringLiteral(";base64"), Qt::CaseInsensitive)) {
        return invalid();
    }
    QString payload = trimmed.mid(comma + 1);
    payload.removeIf([](QChar c) { return c.isSpace(); }); // line-wrapped base64 from e-mail or exports
    const auto decoded = QByteArray::fromBase64Encoding(payload.toLatin1(),
        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return invalid();
    return decodeImageData(*decoded);
}

} // namespace qrt::qr
