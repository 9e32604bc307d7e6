#pragma once

#include "core/config.h"
#include "core/result.h"

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

namespace qrt::qr {

// zxing-cpp stays behind these two classes (as KeePassXC's QrCode wraps libqrencode): callers see
// only Qt types and core::Result.

enum class Ecc { L, M, Q, H };

QChar toChar(Ecc ecc);
std::optional<Ecc> eccFromChar(QChar letter); // 'L', 'M', 'Q', 'H' (either case)

struct QrOptions
{
    int sizePx = 300; // the image is exactly sizePx x sizePx
    int margin = 1;   // quiet zone, in modules
    Ecc ecc = Ecc::H;

    static QrOptions fromSettings(const core::QrSettings &settings);
};

class QrEncoder
{
public:
    // Every module is drawn as a square of at least this many pixels; smaller codes are refused
    // rather than produced, because a phone camera cannot read them.
    static constexpr int MinModulePx = 2;
    static constexpr int MaxSizePx = 8192;

    explicit QrEncoder(QrOptions options = {});
    explicit QrEncoder(const core::QrSettings &settings);

    const QrOptions &options() const { return m_options; }

    // A 1-bit image (Format_Mono, white = 0, black = 1), modules scaled by a whole number of pixels
    // and centred. Errors: "qr.invalid_options", "qr.too_long", "qr.too_small".
    core::Result<QImage> image(const QString &text) const;
    core::Result<QByteArray> png(const QString &text) const;
    core::Result<QString> dataUrl(const QString &text) const; // data:image/png;base64,...

    // Side of the symbol in modules without the quiet zone (21 for version 1 ... 177 for version 40).
    core::Result<int> moduleCount(const QString &text) const;

    // The smallest sizePx that these options accept for text.
    core::Result<int> minimumSizePx(const QString &text) const;

    // What the webhook worker and the sync store in qr_code_image: the QR of the order's URL
    // (QrSettings::urlFor) with the configured size, margin and error correction.
    static core::Result<QString> orderDataUrl(const core::QrSettings &settings, const QString &orderId);
    static core::Result<QImage> orderImage(const core::QrSettings &settings, const QString &orderId);

private:
    QrOptions m_options;
};

class QrDecoder
{
public:
    // Finds a QR code anywhere in the image (photos, scans, screenshots; any QImage format, any
    // rotation, light-on-dark too). Errors: "qr.empty_image", "qr.not_found".
    static core::Result<QString> decode(const QImage &image);
    // Errors also: "qr.unreadable_file" (missing, not an image). Applies EXIF orientation.
    static core::Result<QString> decodeFile(const QString &path);
    static core::Result<QString> decodeImageData(const QByteArray &bytes); // PNG, JPEG, ... (what QImage reads)
    // "data:image/png;base64,..." as stored in qr_code_image. Errors also: "qr.invalid_data_url".
    static core::Result<QString> decodeDataUrl(const QString &dataUrl);
};

} // namespace qrt::qr
