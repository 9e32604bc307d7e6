#include "gui/settings/qrsettingspage.h"

#include "ui_settingsqrpage.h"

#include "core/config.h"
#include "qr/qrcode.h"

namespace qrt::gui {

using core::ConfigKey;

namespace {

// Shown in the QR preview; a realistic 24-hex GHL order id.
const QString kSampleOrderId = QStringLiteral("653f2c1e9a8b7c6d5e4f3a21");

} // namespace

QrSettingsPage::QrSettingsPage(QWidget *parent) : SettingsPage(nullptr, parent), m_ui(std::make_unique<Ui::QrSettingsPage>())
{
    m_ui->setupUi(this);
    for (const QString &ecc : core::Config::info(ConfigKey::QrEcc).choices) {
        const QString name = ecc == u"L" ? tr("L: low (7%)")
            : ecc == u"M"                ? tr("M: medium (15%)")
            : ecc == u"Q"                ? tr("Q: quartile (25%)")
                                         : tr("H: high (30%)");
        m_ui->qrEccCombo->addItem(name, ecc);
    }
    bindText(ConfigKey::QrUrlTemplate, m_ui->qrUrlTemplateEdit, m_ui->qrUrlTemplateError);
    bindText(ConfigKey::QrSizePx, m_ui->qrSizeEdit, m_ui->qrSizeError);
    bindText(ConfigKey::QrMargin, m_ui->qrMarginEdit, m_ui->qrMarginError);
    bindChoice(ConfigKey::QrEcc, m_ui->qrEccCombo);
}

QrSettingsPage::~QrSettingsPage() = default;

QString QrSettingsPage::name() const
{
    return tr("QR code");
}

int QrSettingsPage::validate()
{
    const int invalid = SettingsPage::validate();
    updatePreview();
    return invalid;
}

void QrSettingsPage::updatePreview()
{
    const auto size = core::Config::validate(ConfigKey::QrSizePx, m_ui->qrSizeEdit->text());
    const auto margin = core::Config::validate(ConfigKey::QrMargin, m_ui->qrMarginEdit->text());
    const auto tmpl = core::Config::validate(ConfigKey::QrUrlTemplate, m_ui->qrUrlTemplateEdit->text());
    if (!size || !margin || !tmpl) {
        m_ui->qrPreviewLabel->setPixmap({});
        m_ui->qrPreviewLabel->setText(tr("Fix the values on the left to see a preview."));
        m_ui->qrPreviewText->clear();
        return;
    }
    core::QrSettings qr;
    qr.urlTemplate = tmpl.value();
    qr.sizePx = size.value().toInt();
    qr.margin = margin.value().toInt();
    qr.ecc = m_ui->qrEccCombo->currentData().toString().front();
    const QString text = qr.urlFor(kSampleOrderId);
    auto image = qr::QrEncoder(qr).image(text);
    if (!image) {
        m_ui->qrPreviewLabel->setPixmap({});
        m_ui->qrPreviewLabel->setText(image.error().message);
        m_ui->qrPreviewText->clear();
        return;
    }
    // Shown at most 200 px. A code drawn at 200 px keeps every module the same width (scaling the
    // full-size image down would not); codes too dense for that are scaled down instead.
    QImage shown = image.value();
    if (shown.width() > 200) {
        core::QrSettings small = qr;
        small.sizePx = 200;
        auto crisp = qr::QrEncoder(small).image(text);
        shown = crisp ? crisp.value() : shown.scaled(200, 200, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    m_ui->qrPreviewLabel->setPixmap(QPixmap::fromImage(shown.convertToFormat(QImage::Format_RGB32)));
    m_ui->qrPreviewText->setText(tr("%1 x %1 px, encodes %2").arg(qr.sizePx).arg(text));
}

} // namespace qrt::gui
