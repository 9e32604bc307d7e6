#include "gui/settingsdialog.h"

#include "ui_settingsdialog.h"

#include "core/config.h"
#include "db/database.h"
#include "db/databaseurl.h"
#include "db/fieldmappingrepository.h"
#include "db/orderrepository.h"
#include "ghl/ghlclient.h"
#include "ghl/listcustomfieldsjob.h"
#include "gui/dbworker.h"
#include "gui/logging.h"
#include "gui/secretaccess.h"
#include "qr/qrcode.h"

#include <QApplication>
#include <QComboBox>
#include <QHeaderView>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QThread>

#include <optional>

namespace qrt::gui {

using core::ConfigKey;

namespace {

// Shown in the QR preview; a realistic 24-hex GHL order id.
const QString kSampleOrderId = QStringLiteral("653f2c1e9a8b7c6d5e4f3a21");

struct FieldBinding
{
    ConfigKey key;
    QLineEdit *edit;
    QLabel *error;
};

struct MappingRow
{
    QString productId;
    QString productName;
    int orders = 0;
    QString fieldId;   // saved mapping, empty: none
    QString fieldName; // saved mapping's field name
};

// Red that reads on light and dark palettes alike.
void markAsError(QLabel *label)
{
    QPalette palette = label->palette();
    const bool dark = palette.color(QPalette::Window).lightness() < 128;
    palette.setColor(QPalette::WindowText, dark ? QColor(0xff, 0x8a, 0x80) : QColor(0xb7, 0x1c, 0x1c));
    label->setPalette(palette);
}

void showError(QLabel *label, const QString &message)
{
    label->setText(message);
    label->setVisible(!message.isEmpty());
}

} // namespace

struct SettingsDialog::Private
{
    core::Config &config;
    SecretAccess *secrets = nullptr;
    std::shared_ptr<db::Database> database;
    std::unique_ptr<DbWorker> dbWorker;
    QList<FieldBinding> bindings;
    QMap<SecretAccess::Secret, QString> initialSecrets;
    QList<MappingRow> mappingRows;
    QList<ghl::CustomField> customFields;
    bool fieldsLoaded = false;
    ghl::GhlClient *testClient = nullptr;
    int pendingTests = 0;
    QPointer<QThread> dbTestThread;
    QLabel *keychainStatus = nullptr;
    int pendingSaves = 0;      // keychain writes and the mapping save of one OK
    QStringList saveProblems;  // what they reported
    QString untestedUrlAccepted; // a database URL the user chose to save without a connection

    Private(core::Config &c) : config(c) { }
};

SettingsDialog::SettingsDialog(core::Config &config, SecretAccess *secrets, std::shared_ptr<db::Database> database,
                               QWidget *parent)
    : QDialog(parent), m_ui(std::make_unique<Ui::SettingsDialog>()), d(std::make_unique<Private>(config))
{
    m_ui->setupUi(this);
    d->secrets = secrets;
    d->database = std::move(database);

    d->bindings = {
        { ConfigKey::GhlBaseUrl, m_ui->ghlBaseUrlEdit, m_ui->ghlBaseUrlError },
        { ConfigKey::GhlLocationId, m_ui->ghlLocationIdEdit, m_ui->ghlLocationIdError },
        { ConfigKey::GhlToken, m_ui->ghlTokenEdit, m_ui->ghlTokenError },
        { ConfigKey::DatabaseUrl, m_ui->databaseUrlEdit, m_ui->databaseUrlError },
        { ConfigKey::WebhookBind, m_ui->webhookBindEdit, m_ui->webhookBindError },
        { ConfigKey::WebhookPort, m_ui->webhookPortEdit, m_ui->webhookPortError },
        { ConfigKey::WebhookPath, m_ui->webhookPathEdit, m_ui->webhookPathError },
        { ConfigKey::WebhookSecret, m_ui->webhookSecretEdit, m_ui->webhookSecretError },
        { ConfigKey::WebhookGhlPublicKey, m_ui->webhookPublicKeyEdit, m_ui->webhookPublicKeyError },
        { ConfigKey::WebhookMaxBodyBytes, m_ui->webhookMaxBodyEdit, m_ui->webhookMaxBodyError },
        { ConfigKey::WebhookReplayWindowS, m_ui->webhookReplayWindowEdit, m_ui->webhookReplayWindowError },
        { ConfigKey::QrUrlTemplate, m_ui->qrUrlTemplateEdit, m_ui->qrUrlTemplateError },
        { ConfigKey::QrSizePx, m_ui->qrSizeEdit, m_ui->qrSizeError },
        { ConfigKey::QrMargin, m_ui->qrMarginEdit, m_ui->qrMarginError },
        { ConfigKey::StationName, m_ui->stationNameEdit, m_ui->stationNameError },
        { ConfigKey::FeedToken, m_ui->feedTokenEdit, m_ui->feedTokenError },
    };

    for (const FieldBinding &b : std::as_const(d->bindings))
        markAsError(b.error);
    markAsError(m_ui->webhookExposureWarning);
    markAsError(m_ui->validationSummary);

    m_ui->webhookAuthCombo->addItem(tr("GHL signature (Ed25519)"), QStringLiteral("ghl-signature"));
    m_ui->webhookAuthCombo->addItem(tr("Shared secret"), QStringLiteral("shared-secret"));
    m_ui->webhookAuthCombo->addItem(tr("None (this machine only)"), QStringLiteral("none"));
    for (const QString &ecc : core::Config::info(ConfigKey::QrEcc).choices) {
        const QString name = ecc == u"L" ? tr("L: low (7%)")
            : ecc == u"M"                ? tr("M: medium (15%)")
            : ecc == u"Q"                ? tr("Q: quartile (25%)")
                                         : tr("H: high (30%)");
        m_ui->qrEccCombo->addItem(name, ecc);
    }
    m_ui->languageCombo->addItem(tr("System language"), QStringLiteral("system"));
    // Language names in their own language, so anyone can find theirs.
    m_ui->languageCombo->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_ui->languageCombo->addItem(QStringLiteral("Deutsch"), QStringLiteral("de"));
    m_ui->languageCombo->addItem(QStringLiteral("Español"), QStringLiteral("es"));
    m_ui->languageCombo->addItem(QStringLiteral("Français"), QStringLiteral("fr"));

    // Fill the fields from the configuration; secrets from the keychain when the config has none.
    for (const FieldBinding &b : std::as_const(d->bindings)) {
        const core::ConfigKeyInfo &info = core::Config::info(b.key);
        b.edit->setText(config.text(b.key));
        b.edit->setToolTip(info.description);
        const auto origin = config.origin(b.key);
        if (origin == core::Config::Origin::Environment || origin == core::Config::Origin::CommandLine) {
            b.edit->setReadOnly(true);
            b.edit->setToolTip(origin == core::Config::Origin::Environment
                                   ? tr("Set by the environment variable %1; change it there.").arg(info.envName())
                                   : tr("Set on the command line; change it there."));
        }
    }
    // Shown while the keychain is asked to keep a secret on OK (it may be showing a prompt).
    d->keychainStatus = new QLabel(this);
    d->keychainStatus->setObjectName(QStringLiteral("keychainStatus"));
    d->keychainStatus->setWordWrap(true);
    d->keychainStatus->hide();
    m_ui->mainLayout->insertWidget(m_ui->mainLayout->indexOf(m_ui->buttonBox), d->keychainStatus);
    readSecrets();

    m_ui->webhookEnabledCheck->setChecked(config.flag(ConfigKey::WebhookEnabled));
    m_ui->webhookLegacyRsaCheck->setChecked(config.flag(ConfigKey::WebhookAcceptLegacyRsa));
    m_ui->webhookAuthCombo->setCurrentIndex(qMax(0, m_ui->webhookAuthCombo->findData(config.text(ConfigKey::WebhookAuth))));
    m_ui->qrEccCombo->setCurrentIndex(qMax(0, m_ui->qrEccCombo->findData(config.text(ConfigKey::QrEcc))));
    m_ui->languageCombo->setCurrentIndex(qMax(0, m_ui->languageCombo->findData(config.text(ConfigKey::StationLanguage))));

    for (const FieldBinding &b : std::as_const(d->bindings))
        connect(b.edit, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
    connect(m_ui->webhookAuthCombo, &QComboBox::currentIndexChanged, this, &SettingsDialog::revalidate);
    connect(m_ui->qrEccCombo, &QComboBox::currentIndexChanged, this, &SettingsDialog::revalidate);

    connect(m_ui->testConnectionButton, &QPushButton::clicked, this, &SettingsDialog::testConnection);
    connect(m_ui->loadFieldsButton, &QPushButton::clicked, this, &SettingsDialog::loadCustomFields);
    connect(m_ui->testDatabaseButton, &QPushButton::clicked, this, &SettingsDialog::testDatabase);
    // The field list is fetched when the mappings are first looked at, if GHL is set up.
    connect(m_ui->tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_ui->tabs->currentWidget() == m_ui->tabMappings && !d->fieldsLoaded && d->pendingTests == 0
            && !m_ui->ghlTokenEdit->text().trimmed().isEmpty() && !m_ui->ghlLocationIdEdit->text().trimmed().isEmpty())
            loadCustomFields();
    });
    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &SettingsDialog::save);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);

    m_ui->mappingTable->setColumnCount(3);
    m_ui->mappingTable->setHorizontalHeaderLabels({ tr("Product (event)"), tr("Orders"), tr("Custom field for the QR code") });
    m_ui->mappingTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_ui->mappingTable->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_ui->mappingTable->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_ui->mappingTable->verticalHeader()->hide();
    m_ui->mappingTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    loadMappings();

    revalidate();
}

void SettingsDialog::readSecrets()
{
    const QList<std::pair<SecretAccess::Secret, QLineEdit *>> secretFields = {
        { SecretAccess::Secret::GhlToken, m_ui->ghlTokenEdit },
        { SecretAccess::Secret::WebhookSecret, m_ui->webhookSecretEdit },
        { SecretAccess::Secret::FeedToken, m_ui->feedTokenEdit },
    };
    if (!d->secrets)
        m_ui->ghlTokenNote->setText(tr("No system keychain is available: give the token in the environment "
                                       "variable QRTICKETS_GHL_TOKEN."));
    else
        m_ui->ghlTokenNote->setText(tr("The token is kept in the system keychain, never in the settings file."));
    for (const auto &[secret, edit] : secretFields) {
        if (edit->isReadOnly())
            continue;
        if (!d->secrets) {
            edit->setEnabled(false);
            edit->setToolTip(tr("No system keychain is available; set this secret through its environment variable."));
            continue;
        }
        d->initialSecrets[secret] = edit->text();
        if (!edit->text().isEmpty())
            continue;
        // A keychain may ask to be unlocked and take its time: the dialog stays usable meanwhile,
        // and what the user types first wins over what the keychain brings.
        edit->setPlaceholderText(tr("Reading the system keychain ..."));
        QPointer<QLineEdit> field(edit);
        d->secrets->read(secret, this, [this, secret = secret, field](const core::Result<QString> &stored) {
            if (!field)
                return;
            field->setPlaceholderText(QString());
            if (!stored) {
                m_ui->ghlTokenNote->setText(stored.error().message);
                return;
            }
            d->initialSecrets[secret] = stored.value();
            if (field->text().isEmpty())
                field->setText(stored.value());
        });
    }
}

void SettingsDialog::showDatabasePage(const QString &text)
{
    m_ui->tabs->setCurrentWidget(m_ui->tabDatabase);
    if (!text.isEmpty() && !m_ui->databaseUrlEdit->isReadOnly())
        m_ui->databaseUrlEdit->setText(text);
    m_ui->databaseUrlEdit->setFocus();
}

SettingsDialog::~SettingsDialog()
{
    if (d->dbTestThread)
        d->dbTestThread->wait();
}

QString SettingsDialog::fieldValue(ConfigKey key) const
{
    for (const FieldBinding &b : std::as_const(d->bindings)) {
        if (b.key == key)
            return b.edit->text();
    }
    switch (key) {
    case ConfigKey::WebhookEnabled:
        return m_ui->webhookEnabledCheck->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    case ConfigKey::WebhookAcceptLegacyRsa:
        return m_ui->webhookLegacyRsaCheck->isChecked() ? QStringLiteral("true") : QStringLiteral("false");
    case ConfigKey::WebhookAuth:
        return m_ui->webhookAuthCombo->currentData().toString();
    case ConfigKey::QrEcc:
        return m_ui->qrEccCombo->currentData().toString();
    case ConfigKey::StationLanguage:
        return m_ui->languageCombo->currentData().toString();
    default:
        return d->config.text(key);
    }
}

bool SettingsDialog::revalidate()
{
    int invalid = 0;
    for (const FieldBinding &b : std::as_const(d->bindings)) {
        auto r = core::Config::validate(b.key, b.edit->text());
        showError(b.error, r ? QString() : r.error().message);
        if (!r)
            ++invalid;
    }

    // Both checks come from the listener itself, so the dialog warns about exactly what it refuses.
    const QString auth = fieldValue(ConfigKey::WebhookAuth);
    const auto bind = core::Config::validate(ConfigKey::WebhookBind, fieldValue(ConfigKey::WebhookBind));
    core::WebhookSettings probe;
    probe.bind = bind ? bind.value() : QString();
    QString warning;
    if (bind && auth == u"none" && probe.bindsBeyondLoopback())
        warning = tr("Without authentication anyone on the network can post orders to this station. Bind to "
                     "127.0.0.1 or choose an authentication mode; the listener refuses to start like this.");
    else if (auth == u"shared-secret" && m_ui->webhookSecretEdit->text().isEmpty())
        warning = tr("Shared-secret authentication needs a secret.");
    showError(m_ui->webhookExposureWarning, warning);
    if (!warning.isEmpty())
        ++invalid;
    m_ui->webhookSecretEdit->setEnabled(d->secrets != nullptr || m_ui->webhookSecretEdit->isReadOnly());

    updateQrPreview();

    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(invalid == 0);
    m_ui->validationSummary->setText(invalid == 0 ? QString()
                                                  : tr("%n setting(s) need attention before they can be saved.", nullptr, invalid));
    m_ui->validationSummary->setVisible(invalid != 0);
    return invalid == 0;
}

void SettingsDialog::updateQrPreview()
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

core::GhlSettings SettingsDialog::editedGhlSettings() const
{
    core::GhlSettings s = d->config.ghl();
    s.baseUrl = QUrl(m_ui->ghlBaseUrlEdit->text().trimmed());
    s.locationId = m_ui->ghlLocationIdEdit->text().trimmed();
    s.token = m_ui->ghlTokenEdit->text().trimmed();
    return s;
}

void SettingsDialog::startFieldsJob(bool forTest)
{
    for (ConfigKey key : { ConfigKey::GhlBaseUrl, ConfigKey::GhlLocationId }) {
        if (!core::Config::validate(key, fieldValue(key))) {
            const QString message = tr("Fix the GHL settings first.");
            (forTest ? m_ui->testConnectionResult : m_ui->mappingStatusLabel)->setText(message);
            return;
        }
    }
    const core::GhlSettings settings = editedGhlSettings();
    if (settings.locationId.isEmpty() || settings.token.isEmpty()) {
        const QString message = tr("Enter the location ID and the token first.");
        (forTest ? m_ui->testConnectionResult : m_ui->mappingStatusLabel)->setText(message);
        return;
    }
    // A client of its own: it tests exactly what is typed here, not what the application runs with.
    if (!d->testClient)
        d->testClient = new ghl::GhlClient(settings, this);
    else
        d->testClient->setSettings(settings);
    ghl::RetryPolicy policy;
    policy.maxAttempts = 2; // a test should answer within seconds, not ride out a long outage
    d->testClient->setRetryPolicy(policy);

    m_ui->testConnectionButton->setEnabled(false);
    m_ui->loadFieldsButton->setEnabled(false);
    (forTest ? m_ui->testConnectionResult : m_ui->mappingStatusLabel)->setText(tr("Connecting to %1 ...").arg(settings.baseUrl.host()));
    ++d->pendingTests;
    auto *job = d->testClient->listCustomFields();
    connect(job, &ghl::GhlJob::finished, this, [this, job, forTest] {
        --d->pendingTests;
        m_ui->testConnectionButton->setEnabled(true);
        m_ui->loadFieldsButton->setEnabled(true);
        QLabel *target = forTest ? m_ui->testConnectionResult : m_ui->mappingStatusLabel;
        if (!job->ok()) {
            target->setText(job->error().message());
            target->setToolTip(job->error().error.details);
            return;
        }
        d->customFields = job->fields();
        d->fieldsLoaded = true;
        target->setToolTip({});
        target->setText(forTest ? tr("Connected: the location has %n custom field(s).", nullptr, int(d->customFields.size()))
                                : tr("%n custom field(s) loaded from GHL.", nullptr, int(d->customFields.size())));
        if (forTest)
            m_ui->mappingStatusLabel->setText(tr("%n custom field(s) loaded from GHL.", nullptr, int(d->customFields.size())));
        fillMappingTable();
    });
}

void SettingsDialog::testConnection()
{
    startFieldsJob(true);
}

void SettingsDialog::loadCustomFields()
{
    startFieldsJob(false);
}

void SettingsDialog::testDatabase()
{
    const auto url = core::Config::validate(ConfigKey::DatabaseUrl, m_ui->databaseUrlEdit->text());
    if (!url) {
        m_ui->testDatabaseResult->setText(url.error().message);
        return;
    }
    if (d->dbTestThread)
        return;
    m_ui->testDatabaseButton->setEnabled(false);
    m_ui->testDatabaseResult->setText(tr("Connecting ..."));
    tryDatabase(url.value(), [this](bool ok, const QString &message) {
        m_ui->testDatabaseButton->setEnabled(true);
        m_ui->testDatabaseResult->setText(ok ? message : tr("Not connected: %1").arg(message));
    });
}

void SettingsDialog::tryDatabase(const QString &url, std::function<void(bool, const QString &)> then)
{
    QPointer<SettingsDialog> self(this);
    // Connecting to an unreachable server can take the whole connect timeout: never on this thread.
    // The thread's connection is closed when the thread ends.
    QThread *thread = QThread::create([self, url, then] {
        QString message;
        bool ok = false;
        auto database = db::Database::open(url);
        if (!database) {
            message = database.error().message;
        } else if (auto check = database.value()->check(); !check) {
            message = check.error().toString().simplified(); // drivers answer over several indented lines
        } else {
            ok = true;
            message = tr("Connected to %1 (%2).").arg(database.value()->url().display(), database.value()->url().kindName());
        }
        QMetaObject::invokeMethod(
            qApp,
            [self, ok, message, then] {
                if (self)
                    then(ok, message);
            },
            Qt::QueuedConnection);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    d->dbTestThread = thread;
    thread->start();
}

void SettingsDialog::askSaveUntestedDatabase(const QString &url, const QString &problem)
{
    auto parsed = db::DatabaseUrl::parse(url);
    const QString shown = parsed ? parsed->display() : url;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Save anyway?"),
                                tr("QR Tickets could not connect to the database at %1:\n%2").arg(shown, problem),
                                QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("saveUntestedDatabaseBox"));
    box->setInformativeText(tr("Saved anyway, QR Tickets starts on a window that offers Settings, Retry and this "
                               "computer's local database until this database answers."));
    QPushButton *saveAnyway = box->addButton(tr("Save anyway"), QMessageBox::AcceptRole);
    saveAnyway->setObjectName(QStringLiteral("saveAnywayButton"));
    QPushButton *keepEditing = box->addButton(tr("Keep editing"), QMessageBox::RejectRole);
    keepEditing->setObjectName(QStringLiteral("keepEditingButton"));
    box->setDefaultButton(keepEditing);
    box->setEscapeButton(keepEditing);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, saveAnyway, url](QAbstractButton *clicked) {
        if (clicked == saveAnyway) {
            d->untestedUrlAccepted = url;
            saveConfirmed();
            return;
        }
        m_ui->tabs->setCurrentWidget(m_ui->tabDatabase);
        m_ui->databaseUrlEdit->setFocus();
    });
    box->open();
}

void SettingsDialog::loadMappings()
{
    if (!d->database) {
        m_ui->mappingTable->setEnabled(false);
        m_ui->mappingStatusLabel->setText(tr("Mappings are stored in the database; none is open."));
        return;
    }
    d->dbWorker = std::make_unique<DbWorker>(d->database);
    m_ui->mappingStatusLabel->setText(tr("Loading products ..."));
    struct Loaded
    {
        QString error;
        QList<db::EventInfo> events;
        QList<db::FieldMapping> mappings;
    };
    d->dbWorker->run(
        this,
        [](db::Database &database) {
            Loaded l;
            auto events = db::OrderRepository(database).events();
            auto mappings = db::FieldMappingRepository(database).list();
            if (!events)
                l.error = events.error().message;
            else if (!mappings)
                l.error = mappings.error().message;
            else {
                l.events = events.value();
                l.mappings = mappings.value();
            }
            return l;
        },
        [this](Loaded l) {
            if (!l.error.isEmpty()) {
                m_ui->mappingStatusLabel->setText(l.error);
                return;
            }
            d->mappingRows.clear();
            QSet<QString> seen;
            for (const db::EventInfo &e : std::as_const(l.events)) {
                d->mappingRows << MappingRow { e.eventId, e.eventName.isEmpty() ? e.eventId : e.eventName, e.orders, {}, {} };
                seen.insert(e.eventId);
            }
            for (const db::FieldMapping &m : std::as_const(l.mappings)) {
                if (!seen.contains(m.productId))
                    d->mappingRows << MappingRow { m.productId, m.productId, 0, {}, {} };
                for (MappingRow &row : d->mappingRows) {
                    if (row.productId == m.productId) {
                        row.fieldId = m.fieldId;
                        row.fieldName = m.fieldName;
                    }
                }
            }
            m_ui->mappingStatusLabel->setText(
                d->mappingRows.isEmpty() ? tr("No products yet: run a sync first, then map each product to a field.")
                                         : tr("Load the custom fields from GHL to change a mapping."));
            fillMappingTable();
        });
}

void SettingsDialog::fillMappingTable()
{
    QTableWidget *table = m_ui->mappingTable;
    // Keep choices already made in the table when the field list arrives.
    QHash<QString, QString> chosen;
    for (int r = 0; r < table->rowCount(); ++r) {
        if (auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 2)))
            chosen.insert(table->item(r, 0)->data(Qt::UserRole).toString(), combo->currentData().toString());
    }
    table->setRowCount(int(d->mappingRows.size()));
    for (int r = 0; r < d->mappingRows.size(); ++r) {
        const MappingRow &row = d->mappingRows.at(r);
        auto *name = new QTableWidgetItem(row.productName);
        name->setData(Qt::UserRole, row.productId);
        name->setToolTip(row.productId);
        table->setItem(r, 0, name);
        auto *orders = new QTableWidgetItem(QString::number(row.orders));
        orders->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table->setItem(r, 1, orders);

        auto *combo = new QComboBox(table);
        combo->setObjectName(QStringLiteral("mappingCombo_") + row.productId);
        combo->setAccessibleName(tr("Custom field for %1").arg(row.productName));
        combo->addItem(tr("(no QR field)"), QString());
        bool savedListed = false;
        for (const ghl::CustomField &f : std::as_const(d->customFields)) {
            combo->addItem(f.fieldKey.isEmpty() ? f.name : tr("%1 (%2)").arg(f.name, f.fieldKey), f.id);
            combo->setItemData(combo->count() - 1, f.name, Qt::UserRole + 1);
            savedListed = savedListed || f.id == row.fieldId;
        }
        if (!row.fieldId.isEmpty() && !savedListed) {
            combo->addItem(d->fieldsLoaded ? tr("%1 (no longer in GHL)").arg(row.fieldName) : row.fieldName, row.fieldId);
            combo->setItemData(combo->count() - 1, row.fieldName, Qt::UserRole + 1);
        }
        const QString want = chosen.value(row.productId, row.fieldId);
        combo->setCurrentIndex(qMax(0, combo->findData(want)));
        combo->setEnabled(d->fieldsLoaded || !row.fieldId.isEmpty());
        table->setCellWidget(r, 2, combo);
    }
}

void SettingsDialog::save()
{
    if (!revalidate() || !m_ui->buttonBox->isEnabled() || d->dbTestThread)
        return;
    // A changed database URL is tried first: saving one that does not connect takes an explicit
    // "Save anyway", since the next start would not reach the database.
    const auto origin = d->config.origin(ConfigKey::DatabaseUrl);
    const auto url = core::Config::validate(ConfigKey::DatabaseUrl, fieldValue(ConfigKey::DatabaseUrl));
    if (origin != core::Config::Origin::Environment && origin != core::Config::Origin::CommandLine && url
        && url.value() != d->config.text(ConfigKey::DatabaseUrl) && url.value() != d->untestedUrlAccepted) {
        m_ui->buttonBox->setEnabled(false);
        m_ui->testDatabaseButton->setEnabled(false);
        m_ui->testDatabaseResult->setText(tr("Trying the new database before saving it ..."));
        const QString text = url.value();
        tryDatabase(text, [this, text](bool ok, const QString &message) {
            m_ui->buttonBox->setEnabled(true);
            m_ui->testDatabaseButton->setEnabled(true);
            m_ui->testDatabaseResult->setText(ok ? message : tr("Not connected: %1").arg(message));
            if (ok)
                saveConfirmed();
            else
                askSaveUntestedDatabase(text, message);
        });
        return;
    }
    saveConfirmed();
}

void SettingsDialog::saveConfirmed()
{
    QStringList problems;
    const QList<ConfigKey> plain = { ConfigKey::GhlBaseUrl,        ConfigKey::GhlLocationId,
                                     ConfigKey::DatabaseUrl,       ConfigKey::WebhookEnabled,
                                     ConfigKey::WebhookBind,       ConfigKey::WebhookPort,
                                     ConfigKey::WebhookPath,       ConfigKey::WebhookAuth,
                                     ConfigKey::WebhookGhlPublicKey, ConfigKey::WebhookAcceptLegacyRsa,
                                     ConfigKey::WebhookMaxBodyBytes, ConfigKey::WebhookReplayWindowS,
                                     ConfigKey::QrUrlTemplate,     ConfigKey::QrSizePx,
                                     ConfigKey::QrMargin,          ConfigKey::QrEcc,
                                     ConfigKey::StationName,       ConfigKey::StationLanguage };
    for (ConfigKey key : plain) {
        const auto origin = d->config.origin(key);
        if (origin == core::Config::Origin::Environment || origin == core::Config::Origin::CommandLine)
            continue;
        const QString value = fieldValue(key);
        auto normal = core::Config::validate(key, value);
        if (normal && normal.value() == d->config.text(key))
            continue;
        if (auto r = d->config.set(key, value); !r)
            problems << r.error().message;
    }

    // Secrets: the running configuration at once (this session works with them whatever the
    // keychain does), the keychain when it answers; the INI file never sees them.
    const QList<std::tuple<SecretAccess::Secret, ConfigKey, QLineEdit *>> secretFields = {
        { SecretAccess::Secret::GhlToken, ConfigKey::GhlToken, m_ui->ghlTokenEdit },
        { SecretAccess::Secret::WebhookSecret, ConfigKey::WebhookSecret, m_ui->webhookSecretEdit },
        { SecretAccess::Secret::FeedToken, ConfigKey::FeedToken, m_ui->feedTokenEdit },
    };
    QList<std::pair<SecretAccess::Secret, QString>> toKeychain;
    for (const auto &[secret, key, edit] : secretFields) {
        if (!d->secrets || edit->isReadOnly())
            continue;
        const QString value = edit->text().trimmed();
        if (value != d->initialSecrets.value(secret))
            toKeychain.append({ secret, value });
        if (value != d->config.text(key)) {
            if (auto r = d->config.set(key, value); !r)
                problems << r.error().message;
        }
    }

    // Config::save() leaves out only the GHL token; the other secrets are blanked in the copy that
    // is written so that they live in the keychain alone.
    core::Config toWrite = d->config;
    for (ConfigKey key : { ConfigKey::WebhookSecret, ConfigKey::FeedToken }) {
        const auto origin = toWrite.origin(key);
        if (origin == core::Config::Origin::File || origin == core::Config::Origin::Runtime)
            (void)toWrite.set(key, QString());
    }
    if (auto r = toWrite.save(); !r)
        problems << r.error().message;
    if (!problems.isEmpty()) {
        showError(m_ui->validationSummary, problems.join(u'\n'));
        return;
    }

    // The dialog stays open (OK off) until the keychain and the database answered, so that closing
    // means saved; a keychain that does not answer is reported after the store's patience.
    m_ui->buttonBox->setEnabled(false);
    d->saveProblems.clear();
    d->pendingSaves = 1; // this function's own share, released below
    for (const auto &[secret, value] : std::as_const(toKeychain)) {
        ++d->pendingSaves;
        auto done = [this, secret = secret, value = value](const core::Result<void> &r) {
            if (r)
                d->initialSecrets[secret] = value;
            else
                d->saveProblems << r.error().message;
            saveStepDone();
        };
        if (value.isEmpty())
            d->secrets->remove(secret, this, done);
        else
            d->secrets->write(secret, value, this, done);
    }
    if (d->pendingSaves > 1) {
        d->keychainStatus->setText(tr("Saving in the system keychain ... If it asks to create or unlock a keyring, "
                                      "answer it there."));
        d->keychainStatus->show();
    }
    ++d->pendingSaves;
    saveMappings();
    saveStepDone();
}

void SettingsDialog::saveStepDone()
{
    if (--d->pendingSaves > 0)
        return;
    finishSaving(d->saveProblems);
}

void SettingsDialog::finishSaving(const QStringList &problems)
{
    m_ui->buttonBox->setEnabled(true);
    d->keychainStatus->hide();
    // The configuration was saved and applied either way; what could not be kept stays on screen.
    emit settingsSaved();
    if (!problems.isEmpty()) {
        showError(m_ui->validationSummary, problems.join(u'\n'));
        return;
    }
    accept();
}

void SettingsDialog::saveMappings()
{
    struct Change
    {
        QString productId;
        QString fieldId;
        QString fieldName;
    };
    QList<Change> changes;
    QTableWidget *table = m_ui->mappingTable;
    for (int r = 0; r < table->rowCount() && r < d->mappingRows.size(); ++r) {
        auto *combo = qobject_cast<QComboBox *>(table->cellWidget(r, 2));
        if (!combo)
            continue;
        const MappingRow &row = d->mappingRows.at(r);
        const QString fieldId = combo->currentData().toString();
        if (fieldId != row.fieldId)
            changes << Change { row.productId, fieldId, combo->currentData(Qt::UserRole + 1).toString() };
    }
    if (changes.isEmpty() || !d->dbWorker) {
        saveStepDone();
        return;
    }
    d->dbWorker->run(
        this,
        [changes](db::Database &database) {
            db::FieldMappingRepository repo(database);
            QStringList errors;
            for (const Change &c : changes) {
                if (c.fieldId.isEmpty()) {
                    if (auto r = repo.remove(c.productId); !r)
                        errors << r.error().message;
                } else if (auto r = repo.upsert(c.productId, c.fieldId, c.fieldName); !r) {
                    errors << r.error().message;
                }
            }
            return errors;
        },
        [this, changes](const QStringList &errors) {
            if (errors.isEmpty()) {
                for (const Change &c : changes) {
                    for (MappingRow &row : d->mappingRows) {
                        if (row.productId == c.productId) {
                            row.fieldId = c.fieldId;
                            row.fieldName = c.fieldName;
                        }
                    }
                }
            }
            d->saveProblems << errors;
            saveStepDone();
        });
}

} // namespace qrt::gui
