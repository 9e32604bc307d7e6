#pragma once

#include "core/result.h"

#include <QList>
#include <QMap>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace qrt::core {

// Every configuration key of PRODUCT.md section 3, plus [log] level. One declaration per key in
// config.cpp holds its name, default and limits, found by the key (Config::info); the INI file,
// QRTICKETS_<SECTION>_<KEY> environment variables, the command line and the Settings dialog all go
// through it. A running application changes keys through core::ConfigStore, which says which changed.
enum class ConfigKey {
    DatabaseUrl,
    GhlBaseUrl,
    GhlLocationId,
    GhlToken,
    GhlApiVersion,
    GhlConcurrency,
    GhlRequestTimeoutMs,
    WebhookEnabled,
    WebhookBind,
    WebhookPort,
    WebhookPath,
    WebhookAuth,
    WebhookSecret,
    WebhookGhlPublicKey,
    WebhookAcceptLegacyRsa,
    WebhookMaxBodyBytes,
    WebhookReplayWindowS,
    QrUrlTemplate,
    QrSizePx,
    QrMargin,
    QrEcc,
    StationName,
    StationLanguage,
    StationCamera,
    StationCameraMirror,
    DoorEvent,
    DoorGate,
    DoorAdmitUnpaid,
    DoorSound,
    DoorOfflineAfterMs,
    DoorClearAfterMs,
    FeedToken,
    StationPinHash,
    SyncReconcileIntervalS,
    LogLevel,
    LogDir, // keep last: kConfigKeyCount counts up to here
};

// How many keys there are. config.cpp declares each key once (section, name, type, default, limits,
// secret) and checks at compile time that every key up to here is declared exactly once.
inline constexpr int kConfigKeyCount = static_cast<int>(ConfigKey::LogDir) + 1;

enum class ValueKind { Text, Integer, Boolean, Choice, HttpUrl, DatabaseUrl, Address, UrlPath, UrlTemplate };

// A key's declaration as the program reads it (Config::info(key), Config::keys()).
struct ConfigKeyInfo
{
    ConfigKey key = ConfigKey::DatabaseUrl;
    QString section;
    QString name;
    ValueKind kind = ValueKind::Text;
    QString defaultValue; // empty: computed at run time (see Config::defaultValue) or none
    qint64 min = 0;
    qint64 max = 0;
    QStringList choices;
    bool secret = false; // never echoed in messages or logs
    QString description;

    QString iniKey() const { return section + u'/' + name; }
    QString envName() const;      // QRTICKETS_GHL_BASE_URL
    QString displayName() const;  // [ghl] base_url
};

enum class WebhookAuth { GhlSignature, SharedSecret, None };

struct GhlSettings
{
    QUrl baseUrl;
    QString locationId;
    QString token;
    QString apiVersion;
    int concurrency = 6;
    int requestTimeoutMs = 30000;

    bool operator==(const GhlSettings &) const = default;
};

struct WebhookSettings
{
    bool enabled = false;
    QString bind;
    quint16 port = 8787;
    QString path;
    WebhookAuth auth = WebhookAuth::GhlSignature;
    QString secret;
    QString ghlPublicKey; // base64 SPKI or a PEM file path
    bool acceptLegacyRsa = false;
    qint64 maxBodyBytes = 1048576;
    int replayWindowS = 4500;

    bool bindsBeyondLoopback() const;
    bool operator==(const WebhookSettings &) const = default;
};

struct QrSettings
{
    QString urlTemplate;
    int sizePx = 300;
    int margin = 1;
    QChar ecc = u'H';

    QString urlFor(const QString &orderId) const;
    bool operator==(const QrSettings &) const = default;
};

enum class AdmitUnpaid { Ask, Never, Always };

// [door]: what this station admits (PRODUCT.md section 4b).
struct DoorSettings
{
    QStringList events; // product ids; empty: every event
    QString gate;       // shown in the history with the station's name
    AdmitUnpaid admitUnpaid = AdmitUnpaid::Ask;
    bool sound = true;
    int offlineAfterMs = 3000;
    int clearAfterMs = 5000; // a verdict returns to "Ready to scan" after this long; 0: never

    bool operator==(const DoorSettings &) const = default;
};

class Config
{
public:
    enum class Origin { Default, File, Environment, CommandLine, Runtime };

    struct Sources
    {
        QString filePath; // empty: defaultFilePath()
        // A file named by the user (--config) must exist; a program that names a file of its own
        // to write later (the demo) sets this to false.
        bool fileMustExist = true;
        // The desktop, after a load that failed on the database URL: skip a [database] url that
        // does not parse (it stays at its default) so that everything else loads and the desktop
        // can offer Settings and the local database instead of refusing to start.
        bool skipInvalidDatabaseUrl = false;
        QMap<ConfigKey, QString> commandLine;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    };

    static const QList<ConfigKeyInfo> &keys();
    static const ConfigKeyInfo &info(ConfigKey key);
    static QString defaultFilePath();
    static QString defaultDatabaseUrl();
    static QString defaultValue(ConfigKey key);

    // Reads file, environment and command line (later wins), validates every key and stops at the
    // first invalid value with a message that names the key and what it accepts.
    static Result<Config> load(const Sources &sources);
    static Config defaults();
    // docs/configuration.md, generated from keys(): a test keeps the file and the code in step.
    static QString referenceMarkdown();

    // Normalised value, or an error naming the key and the accepted values.
    static Result<QString> validate(ConfigKey key, const QString &value);

    QString text(ConfigKey key) const;
    int integer(ConfigKey key) const;
    qint64 integer64(ConfigKey key) const;
    bool flag(ConfigKey key) const;
    Origin origin(ConfigKey key) const;

    // Sets a validated value for this run (and for save()).
    Result<void> set(ConfigKey key, const QString &value);

    // Writes every key that did not come from the environment or command line to the INI file.
    // Secrets (token, webhook secret, feed token) are not written: they belong in the keychain.
    Result<void> save() const;
    QString filePath() const { return m_filePath; }

    GhlSettings ghl() const;
    WebhookSettings webhook() const;
    QrSettings qr() const;
    QString stationName() const;
    DoorSettings door() const;
    // [sync] reconcile_interval_s: seconds between reconciliations, 0 when they are off (else at least 5).
    int reconcileIntervalS() const;

private:
    QString m_filePath;
    QMap<ConfigKey, QString> m_values;
    QMap<ConfigKey, Origin> m_origins;
};

QString toString(WebhookAuth auth);

// A database URL fit to show or log: the password is replaced by ***, also in a URL that does not
// parse (a typed password may hold '/' or '@').
QString redactedDatabaseUrl(const QString &url);

} // namespace qrt::core
