#include "core/config.h"
#include "qr/qrcode.h"

#include <QBuffer>
#include <QFile>
#include <QPainter>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QTransform>

using namespace qrt;
using qrt::qr::Ecc;
using qrt::qr::QrDecoder;
using qrt::qr::QrEncoder;
using qrt::qr::QrOptions;

Q_DECLARE_METATYPE(qrt::qr::Ecc)

namespace {

const QString kOrderId = QStringLiteral("65f0c2a1b3d4e5f6a7b8c9d0");

QString defaultOrderUrl()
{
    return core::Config::defaults().qr().urlFor(kOrderId);
}

QString longUrl()
{
    QString url = QStringLiteral("https://tickets.example-venue.org/events/2026/summer-festival/orders/")
        + kOrderId + QStringLiteral("?utm_source=ghl&utm_medium=email&utm_campaign=door");
    for (int i = 0; url.size() < 400; ++i)
        url += QStringLiteral("&k%1=v%1").arg(i);
    return url;
}

QString describe(const core::Error &error)
{
    return error.code + QStringLiteral(": ") + error.toString();
}

// White border around the image, as any screen or paper gives the code; needed for margin 0.
QImage onCanvas(const QImage &image, int border, QColor background = Qt::white)
{
    QImage canvas(image.width() + 2 * border, image.height() + 2 * border, QImage::Format_RGB32);
    canvas.fill(background);
    QPainter painter(&canvas);
    painter.drawImage(border, border, image);
    return canvas;
}

bool isBlack(const QImage &image, int x, int y)
{
    return qGray(image.pixel(x, y)) < 128;
}

} // namespace

class TestQr : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void modulesAreCrispAndCentred();
    void eccChangesTheSymbol();
    void pngAndDataUrl();
    void orderConvenience();
    void textTooLong();
    void sizeTooSmall();
    void invalidInput();
    void decodeFromFile();
    void decodeTransformedCopies_data();
    void decodeTransformedCopies();
    void decodeInsidePhotoLikeCanvas();
    void nothingToFind();
    void invalidDataUrls_data();
    void invalidDataUrls();
};

void TestQr::roundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Ecc>("ecc");
    QTest::addColumn<int>("size");
    QTest::addColumn<int>("margin");

    const QList<QPair<const char *, QString>> texts = {
        { "order-url", defaultOrderUrl() },
        { "long-url", longUrl() },
        { "unicode", QStringLiteral(u"Zürich – Einlass für 2 Personen €") },
        { "short", QStringLiteral("A") },
    };
    const QList<QPair<int, int>> geometries = { { 300, 1 }, { 512, 4 }, { 1000, 0 }, { 257, 2 } };
    for (const auto &[name, text] : texts) {
        for (const Ecc ecc : { Ecc::L, Ecc::M, Ecc::Q, Ecc::H }) {
            for (const auto &[size, margin] : geometries) {
                QTest::addRow("%s-%c-%dpx-m%d", name, char(qr::toChar(ecc).unicode()), size, margin)
                    << text << ecc << size << margin;
            }
        }
    }
}

void TestQr::roundTrip()
{
    QFETCH(QString, text);
    QFETCH(Ecc, ecc);
    QFETCH(int, size);
    QFETCH(int, margin);

    const QrEncoder encoder(QrOptions { size, margin, ecc });
    const auto image = encoder.image(text);
    QVERIFY2(image.ok(), qPrintable(QStringLiteral("encoding failed: ") + (image ? QString() : describe(image.error()))));
    QCOMPARE(image->size(), QSize(size, size));
    QCOMPARE(image->format(), QImage::Format_Mono);

    // Without a quiet zone of its own the code needs the page around it, as on paper.
    const QImage toRead = margin == 0 ? onCanvas(*image, 16) : *image;
    const auto decoded = QrDecoder::decode(toRead);
    QVERIFY2(decoded.ok(), qPrintable(QStringLiteral("decoding failed: ") + (decoded ? QString() : describe(decoded.error()))));
    QCOMPARE(*decoded, text);
}

void TestQr::modulesAreCrispAndCentred()
{
    const QString text = defaultOrderUrl();
    const QrEncoder encoder(QrOptions { 300, 1, Ecc::H });
    const auto modules = encoder.moduleCount(text);
    QVERIFY(modules.ok());
    QCOMPARE(*modules, 41); // version 6 at H for a 54-character URL

    const auto image = encoder.image(text);
    QVERIFY(image.ok());
    const int total = *modules + 2;
    const int scale = 300 / total; // 6 px per module, 42 px left over
    const int origin = (300 - scale * total) / 2 + scale; // leftover split evenly, then one module of margin
    QCOMPARE(scale, 6);

    // Only pure black and pure white.
    QCOMPARE(image->colorCount(), 2);

    // The top-left finder pattern: a 7-module black run starting exactly at the origin, on every
    // pixel row of its first module row.
    for (int y = origin; y < origin + scale; ++y) {
        QVERIFY2(!isBlack(*image, origin - 1, y), "the quiet zone left of the finder pattern must be white");
        for (int x = origin; x < origin + 7 * scale; ++x)
            QVERIFY2(isBlack(*image, x, y), qPrintable(QStringLiteral("pixel %1,%2 of the finder should be black").arg(x).arg(y)));
        QVERIFY2(!isBlack(*image, origin + 7 * scale, y), "the finder pattern must be exactly 7 modules wide");
    }
    // Centred: the white border is the same on both sides (within the one odd leftover pixel).
    int left = 0;
    while (!isBlack(*image, left, origin))
        ++left;
    int right = 0;
    while (!isBlack(*image, 299 - right, origin))
        ++right;
    QVERIFY2(qAbs(left - right) <= 1, qPrintable(QStringLiteral("borders differ: left %1 px, right %2 px").arg(left).arg(right)));
    QCOMPARE(left, origin);
}

void TestQr::eccChangesTheSymbol()
{
    const QString text = defaultOrderUrl();
    QList<int> counts;
    for (const Ecc ecc : { Ecc::L, Ecc::M, Ecc::Q, Ecc::H }) {
        const auto modules = QrEncoder(QrOptions { 300, 1, ecc }).moduleCount(text);
        QVERIFY(modules.ok());
        counts << *modules;
    }
    // More error correction, more modules for the same text (zxing's L/M/Q/H versions 4, 4, 5, 6).
    QCOMPARE(counts, (QList<int> { 33, 33, 37, 41 }));

    QCOMPARE(qr::eccFromChar(u'h'), std::optional<Ecc>(Ecc::H));
    QCOMPARE(qr::eccFromChar(u'Q'), std::optional<Ecc>(Ecc::Q));
    QVERIFY(!qr::eccFromChar(u'X').has_value());
    QCOMPARE(qr::toChar(Ecc::M), QChar(u'M'));
}

void TestQr::pngAndDataUrl()
{
    const QString text = longUrl();
    const QrEncoder encoder; // PRODUCT.md defaults: H, 300 px, margin 1
    QCOMPARE(encoder.options().sizePx, 300);
    QCOMPARE(encoder.options().margin, 1);
    QCOMPARE(encoder.options().ecc, Ecc::H);

    const auto png = encoder.png(text);
    QVERIFY(png.ok());
    QVERIFY2(png->startsWith("\x89PNG\r\n\x1a\n"), "png() must return PNG bytes");
    const QImage loaded = QImage::fromData(*png, "PNG");
    QCOMPARE(loaded.size(), QSize(300, 300));
    const auto fromPng = QrDecoder::decodeImageData(*png);
    QVERIFY2(fromPng.ok(), qPrintable(fromPng ? QString() : describe(fromPng.error())));
    QCOMPARE(*fromPng, text);

    const auto url = encoder.dataUrl(text);
    QVERIFY(url.ok());
    QVERIFY(url->startsWith(QStringLiteral("data:image/png;base64,")));
    QCOMPARE(QByteArray::fromBase64(url->mid(22).toLatin1()), *png);
    const auto fromUrl = QrDecoder::decodeDataUrl(*url);
    QVERIFY2(fromUrl.ok(), qPrintable(fromUrl ? QString() : describe(fromUrl.error())));
    QCOMPARE(*fromUrl, text);

    // Line-wrapped base64 (as e-mail and some exports store it) still decodes.
    QString wrapped = url->left(22);
    const QString payload = url->mid(22);
    for (qsizetype i = 0; i < payload.size(); i += 76)
        wrapped += payload.mid(i, 76) + QStringLiteral("\r\n");
    const auto fromWrapped = QrDecoder::decodeDataUrl(wrapped);
    QVERIFY2(fromWrapped.ok(), "a line-wrapped data URL should decode");
    QCOMPARE(*fromWrapped, text);
}

void TestQr::orderConvenience()
{
    core::QrSettings settings = core::Config::defaults().qr();
    const auto url = QrEncoder::orderDataUrl(settings, kOrderId);
    QVERIFY2(url.ok(), qPrintable(url ? QString() : describe(url.error())));
    const auto decoded = QrDecoder::decodeDataUrl(*url);
    QVERIFY(decoded.ok());
    QCOMPARE(*decoded, QStringLiteral("https://qr.example.com/orders/65f0c2a1b3d4e5f6a7b8c9d0"));

    settings.sizePx = 420;
    settings.margin = 3;
    settings.ecc = u'L';
    const auto image = QrEncoder::orderImage(settings, kOrderId);
    QVERIFY(image.ok());
    QCOMPARE(image->size(), QSize(420, 420));
    QCOMPARE(QrEncoder(settings).options().ecc, Ecc::L);
    QCOMPARE(*QrDecoder::decode(*image), settings.urlFor(kOrderId));
}

void TestQr::textTooLong()
{
    // 2,000 bytes fit at L (capacity 2,953) but not at H (1,273).
    const QString text(2000, u'x');
    const auto atH = QrEncoder(QrOptions { 2000, 1, Ecc::H }).image(text);
    QVERIFY2(!atH.ok(), "2,000 characters cannot fit a QR code at error correction H");
    QCOMPARE(atH.error().code, QStringLiteral("qr.too_long"));
    QVERIFY2(atH.error().message.contains(QStringLiteral("too long")), qPrintable(atH.error().message));
    QVERIFY(!QrEncoder(QrOptions { 2000, 1, Ecc::H }).dataUrl(text).ok());

    const auto atL = QrEncoder(QrOptions { 2000, 1, Ecc::L }).image(text);
    QVERIFY2(atL.ok(), qPrintable(atL ? QString() : describe(atL.error())));
    QCOMPARE(*QrDecoder::decode(*atL), text);

    const auto huge = QrEncoder(QrOptions { 2000, 1, Ecc::L }).png(QString(10000, u'y'));
    QCOMPARE(huge.error().code, QStringLiteral("qr.too_long"));
}

void TestQr::sizeTooSmall()
{
    const QString text = defaultOrderUrl(); // 41 modules at H, 43 with margin 1
    const QrEncoder tiny(QrOptions { 64, 1, Ecc::H });
    const auto image = tiny.image(text);
    QVERIFY2(!image.ok(), "64 px cannot hold 43 modules at 2 px each");
    QCOMPARE(image.error().code, QStringLiteral("qr.too_small"));
    QVERIFY2(image.error().message.contains(QStringLiteral("86")), qPrintable(image.error().message));

    const auto minimum = tiny.minimumSizePx(text);
    QVERIFY(minimum.ok());
    QCOMPARE(*minimum, 86);
    const auto justBigEnough = QrEncoder(QrOptions { *minimum, 1, Ecc::H }).image(text);
    QVERIFY(justBigEnough.ok());
    QCOMPARE(*QrDecoder::decode(onCanvas(*justBigEnough, 8)), text);
    QCOMPARE(QrEncoder(QrOptions { *minimum - 1, 1, Ecc::H }).image(text).error().code, QStringLiteral("qr.too_small"));

    // The default 300 px cannot hold a 1,200-character text at H (version 33, 149 modules).
    QCOMPARE(QrEncoder(QrOptions { 300, 1, Ecc::H }).png(QString(1200, u'z')).error().code, QStringLiteral("qr.too_small"));
}

void TestQr::invalidInput()
{
    QCOMPARE(QrEncoder(QrOptions { 0, 1, Ecc::H }).image(QStringLiteral("x")).error().code, QStringLiteral("qr.invalid_options"));
    QCOMPARE(QrEncoder(QrOptions { 300, -1, Ecc::H }).image(QStringLiteral("x")).error().code, QStringLiteral("qr.invalid_options"));
    QCOMPARE(QrEncoder(QrOptions { 100000, 1, Ecc::H }).image(QStringLiteral("x")).error().code, QStringLiteral("qr.invalid_options"));
    QCOMPARE(QrEncoder().image(QString()).error().code, QStringLiteral("qr.empty_text"));
}

void TestQr::decodeFromFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString text = longUrl();
    const auto image = QrEncoder(QrOptions { 600, 2, Ecc::Q }).image(text);
    QVERIFY(image.ok());

    const QString pngPath = dir.filePath(QStringLiteral("ticket.png"));
    QVERIFY(image->save(pngPath, "PNG"));
    const auto fromPng = QrDecoder::decodeFile(pngPath);
    QVERIFY2(fromPng.ok(), qPrintable(fromPng ? QString() : describe(fromPng.error())));
    QCOMPARE(*fromPng, text);

    // Lossy, colour: what a phone or scanner produces.
    const QString jpgPath = dir.filePath(QStringLiteral("scan.jpg"));
    QVERIFY(image->convertToFormat(QImage::Format_RGB32).save(jpgPath, "JPEG", 60));
    const auto fromJpg = QrDecoder::decodeFile(jpgPath);
    QVERIFY2(fromJpg.ok(), qPrintable(fromJpg ? QString() : describe(fromJpg.error())));
    QCOMPARE(*fromJpg, text);

    const auto missing = QrDecoder::decodeFile(dir.filePath(QStringLiteral("nope.png")));
    QCOMPARE(missing.error().code, QStringLiteral("qr.unreadable_file"));

    const QString garbagePath = dir.filePath(QStringLiteral("garbage.png"));
    QFile garbage(garbagePath);
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("this is not an image at all");
    garbage.close();
    QCOMPARE(QrDecoder::decodeFile(garbagePath).error().code, QStringLiteral("qr.unreadable_file"));
}

void TestQr::decodeTransformedCopies_data()
{
    QTest::addColumn<qreal>("scale");
    QTest::addColumn<qreal>("angle");
    QTest::addColumn<QImage::Format>("format");

    QTest::newRow("half") << 0.5 << 0.0 << QImage::Format_Grayscale8;
    QTest::newRow("0.73") << 0.73 << 0.0 << QImage::Format_RGB888;
    QTest::newRow("2.4x") << 2.4 << 0.0 << QImage::Format_ARGB32;
    QTest::newRow("rot90") << 1.0 << 90.0 << QImage::Format_RGB32;
    QTest::newRow("rot180") << 1.0 << 180.0 << QImage::Format_Indexed8;
    QTest::newRow("rot270-scaled") << 1.3 << 270.0 << QImage::Format_RGB16;
    QTest::newRow("rot17") << 1.0 << 17.0 << QImage::Format_ARGB32_Premultiplied;
    QTest::newRow("rot-33-small") << 0.8 << -33.0 << QImage::Format_Grayscale16;
}

void TestQr::decodeTransformedCopies()
{
    QFETCH(qreal, scale);
    QFETCH(qreal, angle);
    QFETCH(QImage::Format, format);

    const QString text = defaultOrderUrl();
    const auto image = QrEncoder(QrOptions { 400, 4, Ecc::H }).image(text);
    QVERIFY(image.ok());

    // Transparent corners after a rotation exercise the decoder's flattening onto white.
    QTransform transform;
    transform.rotate(angle);
    transform.scale(scale, scale);
    const QImage copy = image->convertToFormat(QImage::Format_ARGB32)
                            .transformed(transform, Qt::SmoothTransformation)
                            .convertToFormat(format);
    const auto decoded = QrDecoder::decode(copy);
    QVERIFY2(decoded.ok(), qPrintable(QStringLiteral("a %1x%2 copy was not read: ").arg(copy.width()).arg(copy.height())
                                      + (decoded ? QString() : describe(decoded.error()))));
    QCOMPARE(*decoded, text);
}

void TestQr::decodeInsidePhotoLikeCanvas()
{
    const QString text = defaultOrderUrl();
    const auto image = QrEncoder(QrOptions { 300, 2, Ecc::H }).image(text);
    QVERIFY(image.ok());

    // A large, noisy, grey photo with the code off-centre.
    QImage photo(1600, 1200, QImage::Format_RGB32);
    QRandomGenerator random(42);
    for (int y = 0; y < photo.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(photo.scanLine(y));
        for (int x = 0; x < photo.width(); ++x) {
            const int v = 150 + int(random.bounded(60));
            line[x] = qRgb(v, v - 10, v - 20);
        }
    }
    QPainter painter(&photo);
    painter.fillRect(QRect(1030, 640, 340, 340), Qt::white); // the paper
    painter.drawImage(1050, 660, *image);
    painter.end();
    const auto decoded = QrDecoder::decode(photo);
    QVERIFY2(decoded.ok(), qPrintable(decoded ? QString() : describe(decoded.error())));
    QCOMPARE(*decoded, text);

    // Light on dark (a dark-mode screenshot).
    QImage negative = image->convertToFormat(QImage::Format_RGB32);
    negative.invertPixels();
    const auto fromNegative = QrDecoder::decode(onCanvas(negative, 20, Qt::black));
    QVERIFY2(fromNegative.ok(), "an inverted code should be read too");
    QCOMPARE(*fromNegative, text);
}

void TestQr::nothingToFind()
{
    QCOMPARE(QrDecoder::decode(QImage()).error().code, QStringLiteral("qr.empty_image"));

    QImage blank(500, 500, QImage::Format_RGB32);
    blank.fill(Qt::white);
    const auto result = QrDecoder::decode(blank);
    QVERIFY2(!result.ok(), "a blank page holds no QR code");
    QCOMPARE(result.error().code, QStringLiteral("qr.not_found"));
    QVERIFY(!result.error().message.isEmpty());
}

void TestQr::invalidDataUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("code");
    const QString invalid = QStringLiteral("qr.invalid_data_url");
    QTest::newRow("empty") << QString() << invalid;
    QTest::newRow("web address") << QStringLiteral("https://example.com/x.png") << invalid;
    QTest::newRow("not an image type") << QStringLiteral("data:text/plain;base64,aGVsbG8=") << invalid;
    QTest::newRow("not base64") << QStringLiteral("data:image/png,rawbytes") << invalid;
    QTest::newRow("broken base64") << QStringLiteral("data:image/png;base64,***") << invalid;
    QTest::newRow("no data") << QStringLiteral("data:image/png;base64") << invalid;
    QTest::newRow("valid base64, not an image") << QStringLiteral("data:image/png;base64,aGVsbG8=") << QStringLiteral("qr.unreadable_file");
}

void TestQr::invalidDataUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, code);
    const auto result = QrDecoder::decodeDataUrl(url);
    QVERIFY2(!result.ok(), qPrintable(QStringLiteral("\"%1\" should be refused").arg(url)));
    QCOMPARE(result.error().code, code);
}

QTEST_GUILESS_MAIN(TestQr)
#include "tst_qr.moc"
