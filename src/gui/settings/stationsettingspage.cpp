#include "gui/settings/stationsettingspage.h"

#include "ui_settingsstationpage.h"

#include "camera/camerasource.h"
#include "core/config.h"

#include <QMediaDevices>

namespace qrt::gui {

using core::ConfigKey;

namespace {
constexpr int kMissingRole = Qt::UserRole + 1; // a camera chosen before that is not connected now
}

StationSettingsPage::StationSettingsPage(SecretAccess *secrets, QWidget *parent)
    : SettingsPage(secrets, parent), m_ui(std::make_unique<Ui::StationSettingsPage>())
{
    m_ui->setupUi(this);
    m_ui->languageCombo->addItem(tr("System language"), QStringLiteral("system"));
    // Language names in their own language, so anyone can find theirs.
    m_ui->languageCombo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_ui->languageCombo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_ui->languageCombo->addItem(QStringLiteral("Español"), QStringLiteral("es"));
    m_ui->languageCombo->addItem(QStringLiteral("Français"), QStringLiteral("fr"));

    bindText(ConfigKey::StationName, m_ui->stationNameEdit, m_ui->stationNameError);
    bindChoice(ConfigKey::StationLanguage, m_ui->languageCombo);
    fillCameras();
    bindChoice(ConfigKey::StationCamera, m_ui->cameraCombo);
    bindCheck(ConfigKey::StationCameraMirror, m_ui->cameraMirrorCheck);
    connect(new QMediaDevices(this), &QMediaDevices::videoInputsChanged, this, &StationSettingsPage::fillCameras);
    bindSecret(ConfigKey::FeedToken, SecretAccess::Secret::FeedToken, m_ui->feedTokenEdit, m_ui->feedTokenError);
}

StationSettingsPage::~StationSettingsPage() = default;

void StationSettingsPage::load(const core::Config &config)
{
    SettingsPage::load(config);
    // A camera chosen before and not connected now is kept (it may be plugged in at the door).
    const QString chosen = config.text(ConfigKey::StationCamera);
    if (m_ui->cameraCombo->findData(chosen) < 0) {
        m_ui->cameraCombo->addItem(tr("%1 (not connected)").arg(chosen), chosen);
        m_ui->cameraCombo->setItemData(m_ui->cameraCombo->count() - 1, true, kMissingRole);
        m_ui->cameraCombo->setCurrentIndex(m_ui->cameraCombo->count() - 1);
    }
}

void StationSettingsPage::fillCameras()
{
    QComboBox *combo = m_ui->cameraCombo;
    const QString current = combo->count() > 0 ? combo->currentData().toString() : QString();
    const QString missingText = combo->currentData(kMissingRole).toBool() ? combo->currentText()
                                                                          : tr("%1 (not connected)").arg(combo->currentText());
    const QList<QCameraDevice> cameras = camera::CameraSource::cameras();
    QSignalBlocker block(combo);
    combo->clear();
    combo->addItem(tr("System default camera"), QString());
    combo->addItem(tr("None"), QStringLiteral("none"));
    for (const QCameraDevice &device : cameras)
        combo->addItem(device.description(), QString::fromUtf8(device.id()));
    int index = combo->findData(current);
    if (index < 0) {
        combo->addItem(missingText, current);
        index = combo->count() - 1;
        combo->setItemData(index, true, kMissingRole);
    }
    combo->setCurrentIndex(index);
    m_ui->cameraNote->setText(cameras.isEmpty() ? tr("No camera is connected now.")
                                                : tr("%n camera(s) connected.", nullptr, int(cameras.size())));
}

QString StationSettingsPage::name() const
{
    return tr("Station");
}

} // namespace qrt::gui
