#include "gui/settingsdialog.h"

#include "ui_settingsdialog.h"

#include "core/config.h"
#include "gui/logging.h"
#include "gui/settings/databasesettingspage.h"
#include "gui/settings/ghlsettingspage.h"
#include "gui/settings/kioskpinsettings.h"
#include "gui/settings/listenersettingspage.h"
#include "gui/settings/mappingssettingspage.h"
#include "gui/settings/qrsettingspage.h"
#include "gui/settings/stationsettingspage.h"

#include <QGridLayout>
#include <QPushButton>

namespace qrt::gui {

using core::ConfigKey;

struct SettingsDialog::Private
{
    core::Config &config;
    GhlSettingsPage *ghl = nullptr;
    DatabaseSettingsPage *database = nullptr;
    MappingsSettingsPage *mappings = nullptr;
    QList<SettingsPage *> pages;
    QLabel *keychainStatus = nullptr;
    int pendingStores = 0;    // the pages' keychain and database writes of one OK
    QStringList storeProblems; // what they reported

    explicit Private(core::Config &c) : config(c) { }
};

SettingsDialog::SettingsDialog(core::Config &config, SecretAccess *secrets, DbWorker *worker, QWidget *parent,
                               bool stationOnly)
    : QDialog(parent), m_ui(std::make_unique<Ui::SettingsDialog>()), d(std::make_unique<Private>(config))
{
    m_ui->setupUi(this);
    SettingsPage::markAsError(m_ui->validationSummary);

    d->database = new DatabaseSettingsPage;
    auto *station = new StationSettingsPage(secrets);
    if (stationOnly) {
        d->pages = { d->database, station }; // a door station: nothing of GHL, the listener, QR or mappings
    } else {
        d->ghl = new GhlSettingsPage(secrets);
        d->mappings = new MappingsSettingsPage(worker);
        d->pages = { d->ghl, d->database, new ListenerSettingsPage(secrets), new QrSettingsPage, d->mappings, station };
    }
    for (SettingsPage *page : std::as_const(d->pages)) {
        m_ui->tabs->addTab(page->widget(), page->icon(), page->name());
        // Every page's keychain problems are shown under the GHL token, where the keychain is explained.
        if (d->ghl)
            connect(page, &SettingsPage::keychainProblem, d->ghl, &GhlSettingsPage::showKeychainNote);
        connect(page, &SettingsPage::wantsAttention, this, [this, page] { m_ui->tabs->setCurrentWidget(page); });
    }
    // One station on SQLite: the kiosk PIN, at the foot of the Station page (not a tab of its own).
    // A door station is a PostgreSQL login: the database keeps it in its place.
    if (!stationOnly && config.text(ConfigKey::DatabaseUrl).startsWith(QStringLiteral("sqlite"), Qt::CaseInsensitive)) {
        auto *pin = new KioskPinSettings(station);
        if (auto *grid = qobject_cast<QGridLayout *>(station->layout()))
            grid->addWidget(pin, grid->rowCount(), 0, 1, grid->columnCount());
        else
            station->layout()->addWidget(pin);
        d->pages.append(pin);
        connect(pin, &SettingsPage::wantsAttention, this, [this, station] { m_ui->tabs->setCurrentWidget(station); });
    }

    // Shown while the keychain is asked to keep a secret on OK (it may be showing a prompt).
    d->keychainStatus = new QLabel(this);
    d->keychainStatus->setObjectName(QStringLiteral("keychainStatus"));
    d->keychainStatus->setWordWrap(true);
    d->keychainStatus->hide();
    m_ui->mainLayout->insertWidget(m_ui->mainLayout->indexOf(m_ui->buttonBox), d->keychainStatus);

    for (SettingsPage *page : std::as_const(d->pages)) {
        page->load(config);
        connect(page, &SettingsPage::edited, this, &SettingsDialog::revalidate);
    }

    // The mapping page chooses among the custom fields the GHL page lists with what is typed there.
    if (d->ghl && d->mappings) {
        connect(d->ghl, &GhlSettingsPage::fetchingChanged, d->mappings, &MappingsSettingsPage::setFetching);
        connect(d->ghl, &GhlSettingsPage::customFieldsLoaded, d->mappings, &MappingsSettingsPage::setCustomFields);
        connect(d->ghl, &GhlSettingsPage::fieldsStatus, d->mappings, &MappingsSettingsPage::showStatus);
        connect(d->mappings, &MappingsSettingsPage::loadFieldsRequested, d->ghl, [this] { d->ghl->fetchCustomFields(false); });
        // The field list is fetched when the mappings are first looked at, if GHL is set up.
        connect(m_ui->tabs, &QTabWidget::currentChanged, this, [this] {
            if (m_ui->tabs->currentWidget() == d->mappings && !d->mappings->fieldsLoaded() && !d->ghl->fetching()
                && d->ghl->hasCredentials())
                d->ghl->fetchCustomFields(false);
        });
    }
    // OK waits while a changed database URL is tried.
    connect(d->database, &DatabaseSettingsPage::tryingBeforeSave, m_ui->buttonBox,
            [this](bool trying) { m_ui->buttonBox->setEnabled(!trying); });

    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &SettingsDialog::save);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);

    revalidate();
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::showDatabasePage(const QString &text)
{
    m_ui->tabs->setCurrentWidget(d->database);
    d->database->presetUrl(text);
}

bool SettingsDialog::revalidate()
{
    int invalid = 0;
    for (SettingsPage *page : std::as_const(d->pages))
        invalid += page->validate();
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(invalid == 0);
    m_ui->validationSummary->setText(invalid == 0 ? QString()
                                                  : tr("%n setting(s) need attention before they can be saved.", nullptr, invalid));
    m_ui->validationSummary->setVisible(invalid != 0);
    return invalid == 0;
}

void SettingsDialog::save()
{
    if (!revalidate() || !m_ui->buttonBox->isEnabled())
        return;
    for (SettingsPage *page : std::as_const(d->pages)) {
        if (page->busy())
            return;
    }
    confirm(0);
}

void SettingsDialog::confirm(qsizetype page)
{
    // Each page may ask first (the database page tries a changed URL); saving goes on once all agree.
    if (page == d->pages.size()) {
        saveConfirmed();
        return;
    }
    d->pages.at(page)->beforeSave(d->config, [this, page] { confirm(page + 1); });
}

void SettingsDialog::saveConfirmed()
{
    QStringList problems;
    QList<ConfigKey> changed;
    QList<ConfigKey> inKeychain;
    for (SettingsPage *page : std::as_const(d->pages)) {
        changed << page->save(d->config, problems);
        inKeychain << page->keychainKeys();
    }

    // The secrets the pages keep in the keychain are blanked in the copy that is written, so that
    // they live in the keychain alone whatever Config::save() leaves out.
    core::Config toWrite = d->config;
    for (ConfigKey key : std::as_const(inKeychain)) {
        const auto origin = toWrite.origin(key);
        if (origin == core::Config::Origin::File || origin == core::Config::Origin::Runtime)
            (void)toWrite.set(key, QString());
    }
    if (auto r = toWrite.save(); !r)
        problems << r.error().message;
    if (!problems.isEmpty()) {
        SettingsPage::showError(m_ui->validationSummary, problems.join(u'\n'));
        return;
    }
    QStringList names;
    for (ConfigKey key : std::as_const(changed))
        names << core::Config::info(key).displayName();
    qCInfo(lcGui).noquote() << "settings saved; changed:" << (names.isEmpty() ? QStringLiteral("nothing") : names.join(u", "));

    // The dialog stays open (OK off) until the keychain and the database answered, so that closing
    // means saved; a keychain that does not answer is reported after the store's patience.
    m_ui->buttonBox->setEnabled(false);
    d->storeProblems.clear();
    d->pendingStores = 1; // this function's own share, released below
    bool keychain = false;
    for (SettingsPage *page : std::as_const(d->pages)) {
        keychain = keychain || page->writesKeychain();
        ++d->pendingStores;
        page->store([this](const QStringList &pageProblems) { storeDone(pageProblems); });
    }
    if (keychain) {
        d->keychainStatus->setText(tr("Saving in the system keychain ... If it asks to create or unlock a keyring, "
                                      "answer it there."));
        d->keychainStatus->show();
    }
    storeDone({});
}

void SettingsDialog::reject()
{
    if (d->pendingStores > 0)
        return; // the keychain status says what it waits for; after its patience OK comes back
    QDialog::reject();
}

void SettingsDialog::storeDone(const QStringList &problems)
{
    d->storeProblems << problems;
    if (--d->pendingStores > 0)
        return;
    m_ui->buttonBox->setEnabled(true);
    d->keychainStatus->hide();
    // The configuration was saved and applied either way; what could not be kept stays on screen.
    emit settingsSaved();
    if (!d->storeProblems.isEmpty()) {
        SettingsPage::showError(m_ui->validationSummary, d->storeProblems.join(u'\n'));
        return;
    }
    accept();
}

} // namespace qrt::gui
