#include "core/config.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>

#include <array>
#include <span>
#include <string_view>

namespace qrt::core {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::core::Config)
};

// One declaration per key. Fields left out take the defaults below: no default value (or one
// computed at run time, see Config::defaultValue), no limits, no choices, not secret.
struct KeyDeclaration
{
    ConfigKey key;
    std::string_view section;
    std::string_view name;
    ValueKind kind = ValueKind::Text;
    std::string_view defaultValue = {};
    qint64 min = 0;
    qint64 max = 0; // Text: most characters (0: any); Integer: largest value
    std::span<const std::string_view> choices = {};
    bool secret = false; // never echoed in messages or logs, never written to the INI file
    std::string_view description = {};
};

constexpr std::string_view kAuthChoices[] = { "ghl-signature", "shared-secret", "none" };
constexpr std::string_view kEccChoices[] = { "L", "M", "Q", "H" };
constexpr std::string_view kLanguageChoices[] = { "system", "en", "de", "es", "fr" };
constexpr std::string_view kAdmitUnpaidChoices[] = { "ask", "never", "always" };
constexpr std::string_view kLogLevelChoices[] = { "debug", "info", "warning", "error" };

using K = ConfigKey;
using V = ValueKind;

constexpr KeyDeclaration kDeclarations[] = {
    { .key = K::DatabaseUrl, .section = "database", .name = "url", .kind = V::DatabaseUrl,
      .description = "sqlite:///path/file.db (one station, the default) or postgresql://user:password@host:port/dbname (shared)" },
    { .key = K::GhlBaseUrl, .section = "ghl", .name = "base_url", .kind = V::HttpUrl,
      .defaultValue = "https://services.leadconnectorhq.com", .description = "GHL API base URL" },
    { .key = K::GhlLocationId, .section = "ghl", .name = "location_id", .max = 200,
      .description = "GHL sub-account (location) id" },
    { .key = K::GhlToken, .section = "ghl", .name = "token", .max = 4096, .secret = true,
      .description = "Private Integration Token or OAuth access token; kept in the OS keychain unless given by environment" },
    { .key = K::GhlApiVersion, .section = "ghl", .name = "api_version", .defaultValue = "2021-07-28", .min = 1, .max = 40,
      .description = "Version header" },
    { .key = K::GhlConcurrency, .section = "ghl", .name = "concurrency", .kind = V::Integer, .defaultValue = "6",
      .min = 1, .max = 32, .description = "requests in flight at once" },
    { .key = K::GhlRequestTimeoutMs, .section = "ghl", .name = "request_timeout_ms", .kind = V::Integer,
      .defaultValue = "30000", .min = 500, .max = 600000, .description = "per-request timeout in milliseconds" },
    { .key = K::WebhookEnabled, .section = "webhook", .name = "enabled", .kind = V::Boolean, .defaultValue = "false",
      .description = "start the webhook listener with the desktop application" },
    { .key = K::WebhookBind, .section = "webhook", .name = "bind", .kind = V::Address, .defaultValue = "127.0.0.1",
      .description = "address to listen on; 0.0.0.0 for every interface" },
    { .key = K::WebhookPort, .section = "webhook", .name = "port", .kind = V::Integer, .defaultValue = "8787",
      .min = 1, .max = 65535, .description = "TCP port" },
    { .key = K::WebhookPath, .section = "webhook", .name = "path", .kind = V::UrlPath,
      .defaultValue = "/api/ghl/webhook-qr", .description = "path GHL posts to" },
    { .key = K::WebhookAuth, .section = "webhook", .name = "auth", .kind = V::Choice, .defaultValue = "ghl-signature",
      .choices = kAuthChoices, .description = "how a webhook proves it comes from GHL" },
    { .key = K::WebhookSecret, .section = "webhook", .name = "secret", .max = 1024, .secret = true,
      .description = "shared secret (header X-Webhook-Secret, Authorization: Bearer, or ?token=)" },
    { .key = K::WebhookGhlPublicKey, .section = "webhook", .name = "ghl_public_key",
      .defaultValue = "MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg=", .max = 16384,
      .description = "GHL's Ed25519 public key: base64 SPKI, or the path of a PEM file" },
    { .key = K::WebhookAcceptLegacyRsa, .section = "webhook", .name = "accept_legacy_rsa", .kind = V::Boolean,
      .defaultValue = "false", .description = "also accept the legacy x-wh-signature (RSA-SHA256)" },
    { .key = K::WebhookMaxBodyBytes, .section = "webhook", .name = "max_body_bytes", .kind = V::Integer,
      .defaultValue = "1048576", .min = 1024, .max = 67108864, .description = "largest request body accepted" },
    { .key = K::WebhookReplayWindowS, .section = "webhook", .name = "replay_window_s", .kind = V::Integer,
      .defaultValue = "4500", .min = 0, .max = 86400,
      .description = "signed webhooks older than this many seconds are refused unless their webhookId is already in the inbox (0: no check)" },
    { .key = K::QrUrlTemplate, .section = "qr", .name = "url_template", .kind = V::UrlTemplate,
      .defaultValue = "https://qr.example.com/orders/{order_id}",
      .description = "what the QR code encodes; {order_id} is replaced" },
    { .key = K::QrSizePx, .section = "qr", .name = "size_px", .kind = V::Integer, .defaultValue = "300", .min = 64,
      .max = 2048, .description = "QR image size in pixels" },
    { .key = K::QrMargin, .section = "qr", .name = "margin", .kind = V::Integer, .defaultValue = "1", .min = 0, .max = 16,
      .description = "quiet zone in modules" },
    { .key = K::QrEcc, .section = "qr", .name = "ecc", .kind = V::Choice, .defaultValue = "H", .choices = kEccChoices,
      .description = "error correction level" },
    { .key = K::StationName, .section = "station", .name = "name", .max = 100,
      .description = "name recorded with every admission and status change (default: host name)" },
    { .key = K::StationLanguage, .section = "station", .name = "language", .kind = V::Choice, .defaultValue = "system",
      .choices = kLanguageChoices,
      .description = "language of the desktop application (system: follow the operating system)" },
    { .key = K::StationCamera, .section = "station", .name = "camera", .max = 1024, .description = "the camera the check-in panel scans with: its device id (Settings → Station chooses it by name); empty: the system's default camera; none: no camera" },
    { .key = K::StationCameraMirror, .section = "station", .name = "camera_mirror", .kind = V::Boolean, .defaultValue = "false",
      .description = "show the camera preview mirrored (for a camera that faces the guest, as a front camera does)" },
    { .key = K::DoorEvent, .section = "door", .name = "event", .max = 4096,
      .description = "the events (GHL product ids, comma-separated) this station admits for; a ticket of another event is refused (empty: every event)" },
    { .key = K::DoorGate, .section = "door", .name = "gate", .max = 100,
      .description = "name of this entrance, recorded with the station's name in the history of every admission" },
    { .key = K::DoorAdmitUnpaid, .section = "door", .name = "admit_unpaid", .kind = V::Choice, .defaultValue = "ask",
      .choices = kAdmitUnpaidChoices,
      .description = "an unpaid or partially paid order: ask (amber, with an explicit Admit anyway), never (red) or always" },
    { .key = K::DoorSound, .section = "door", .name = "sound", .kind = V::Boolean, .defaultValue = "true",
      .description = "play a sound with every verdict: one for green, one for amber, one for red (false: silent)" },
    { .key = K::DoorOfflineAfterMs, .section = "door", .name = "offline_after_ms", .kind = V::Integer,
      .defaultValue = "3000", .min = 500, .max = 60000,
      .description = "milliseconds without an answer from the shared database before a PostgreSQL station works OFFLINE from its door cache (admissions queued, uploaded when it answers again)" },
    { .key = K::DoorClearAfterMs, .section = "door", .name = "clear_after_ms", .kind = V::Integer,
      .defaultValue = "5000", .min = 0, .max = 600000,
      .description = "milliseconds a verdict stays on the check-in screen before it returns to Ready to scan; the buttons for that guest go with it (0: never)" },
    { .key = K::FeedToken, .section = "feed", .name = "token", .max = 1024, .secret = true,
      .description = "token WebSocket feed clients must send (?token=); empty: no token needed" },
    { .key = K::StationPinHash, .section = "station", .name = "pin_hash", .max = 300,
      .description = "SQLite kiosk mode: the scrypt hash of the PIN needed to leave the check-in screen (Settings → Station sets it; never the PIN itself); empty: no PIN" },
    { .key = K::SyncReconcileIntervalS, .section = "sync", .name = "reconcile_interval_s", .kind = V::Integer,
      .defaultValue = "600", .min = 0, .max = 86400,
      .description = "serve, and the desktop while its listener runs: an incremental sync plus the QR outbox every this many seconds, and once at start (0: off; else at least 5)" },
    { .key = K::LogLevel, .section = "log", .name = "level", .kind = V::Choice, .defaultValue = "info",
      .choices = kLogLevelChoices, .description = "lowest level written to the log" },
    { .key = K::LogDir, .section = "log", .name = "dir", .max = 4096,
      .description = "folder for the daily JSON-lines logs (default: the platform's app-data folder/logs)" },
};

constexpr bool everyKeyDeclaredOnce()
{
    if (std::size(kDeclarations) != kConfigKeyCount)
        return false;
    for (int k = 0; k < kConfigKeyCount; ++k) {
        int declared = 0;
        for (const KeyDeclaration &d : kDeclarations)
            declared += d.key == static_cast<ConfigKey>(k) ? 1 : 0;
        if (declared != 1)
            return false;
    }
    return true;
}
static_assert(everyKeyDeclaredOnce(), "every ConfigKey needs exactly one declaration in kDeclarations");

QString toQString(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// The declarations as the rest of the program reads them, at the index of their key.
std::array<ConfigKeyInfo, kConfigKeyCount> buildInfos()
{
    std::array<ConfigKeyInfo, kConfigKeyCount> infos;
    for (const KeyDeclaration &d : kDeclarations) {
        ConfigKeyInfo &ki = infos[static_cast<std::size_t>(d.key)];
        ki.key = d.key;
        ki.section = toQString(d.section);
        ki.name = toQString(d.name);
        ki.kind = d.kind;
        ki.defaultValue = toQString(d.defaultValue);
        ki.min = d.min;
        ki.max = d.max;
        for (std::string_view choice : d.choices)
            ki.choices << toQString(choice);
        ki.secret = d.secret;
        ki.description = toQString(d.description);
    }
    return infos;
}

const std::array<ConfigKeyInfo, kConfigKeyCount> &infos()
{
    static const std::array<ConfigKeyInfo, kConfigKeyCount> byKey = buildInfos();
    return byKey;
}

QString quoted(const ConfigKeyInfo &info, const QString &value)
{
    if (info.secret)
        return Tr::tr("(hidden)");
    QString shown = value;
    if (info.kind == ValueKind::DatabaseUrl)
        shown = redactedDatabaseUrl(value);
    return u'\'' + shown + u'\'';
}

Error invalid(const ConfigKeyInfo &info, const QString &value, const QString &accepted)
{
    return makeError(QStringLiteral("config.invalid"),
                     Tr::tr("Invalid value %1 for %2 (environment variable %3): %4")
                         .arg(quoted(info, value), info.displayName(), info.envName(), accepted));
}

std::optional<bool> parseBool(const QString &v)
{
    const QString s = v.trimmed().toLower();
    if (s == u"true" || s == u"1" || s == u"yes" || s == u"on")
        return true;
    if (s == u"false" || s == u"0" || s == u"no" || s == u"off")
        return false;
    return std::nullopt;
}

} // namespace

QString ConfigKeyInfo::envName() const
{
    return (QStringLiteral("QRTICKETS_") + section + u'_' + name).toUpper();
}

QString ConfigKeyInfo::displayName() const
{
    return u'[' + section + QStringLiteral("] ") + name;
}

const QList<ConfigKeyInfo> &Config::keys()
{
    static const QList<ConfigKeyInfo> inKeyOrder(infos().cbegin(), infos().cend());
    return inKeyOrder;
}

const ConfigKeyInfo &Config::info(ConfigKey key)
{
    return infos().at(static_cast<std::size_t>(key));
}

QString Config::defaultFilePath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) + QStringLiteral("/qrtickets.ini");
}

QString Config::defaultDatabaseUrl()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QString path = QDir::fromNativeSeparators(dir) + QStringLiteral("/qrtickets.db");
    if (!path.startsWith(u'/'))
        path.prepend(u'/'); // Windows: sqlite:///C:/Users/...
    return QStringLiteral("sqlite://") + path;
}

QString Config::defaultValue(ConfigKey key)
{
    switch (key) {
    case ConfigKey::DatabaseUrl:
        return defaultDatabaseUrl();
    case ConfigKey::StationName:
        return QSysInfo::machineHostName();
    default:
        return info(key).defaultValue;
    }
}

Result<QString> Config::validate(ConfigKey key, const QString &raw)
{
    const ConfigKeyInfo &ki = info(key);
    const QString value = raw.trimmed();
    switch (ki.kind) {
    case ValueKind::Text:
        if (value.size() > ki.max && ki.max > 0)
            return invalid(ki, value, Tr::tr("at most %1 characters").arg(ki.max));
        if (value.size() < ki.min)
            return invalid(ki, value, Tr::tr("must not be empty"));
        if (ki.key == ConfigKey::DoorEvent) { // "a, b,,c " -> "a,b,c"
            QStringList ids;
            for (const QString &id : value.split(u',')) {
                if (!id.trimmed().isEmpty())
                    ids << id.trimmed();
            }
            return ids.join(u',');
        }
        return value;
    case ValueKind::Integer: {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (!ok || n < ki.min || n > ki.max)
            return invalid(ki, value, Tr::tr("a whole number from %1 to %2").arg(ki.min).arg(ki.max));
        if (ki.key == ConfigKey::SyncReconcileIntervalS && n > 0 && n < 5)
            return invalid(ki, value, Tr::tr("0 (off) or a whole number from %1 to %2").arg(5).arg(ki.max));
        return QString::number(n);
    }
    case ValueKind::Boolean: {
        const auto b = parseBool(value);
        if (!b)
            return invalid(ki, value, Tr::tr("true or false"));
        return *b ? QStringLiteral("true") : QStringLiteral("false");
    }
    case ValueKind::Choice:
        for (const QString &c : ki.choices) {
            if (c.compare(value, Qt::CaseInsensitive) == 0)
                return c;
        }
        return invalid(ki, value, Tr::tr("one of %1").arg(ki.choices.join(QStringLiteral(", "))));
    case ValueKind::HttpUrl: {
        const QUrl url(value, QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != u"https" && url.scheme() != u"http") || url.host().isEmpty())
            return invalid(ki, value, Tr::tr("an http:// or https:// URL such as https://services.leadconnectorhq.com"));
        QString normalised = url.toString(QUrl::StripTrailingSlash);
        return normalised;
    }
    case ValueKind::DatabaseUrl: {
        const QUrl url(value, QUrl::StrictMode);
        const QString scheme = url.scheme().toLower();
        const bool sqlite = scheme == u"sqlite" && !url.path().isEmpty();
        const bool pg = (scheme == u"postgresql" || scheme == u"postgres") && !url.host().isEmpty();
        if (!url.isValid() || !(sqlite || pg))
            return invalid(ki, value,
                           Tr::tr("sqlite:///path/file.db or postgresql://user:password@host:port/dbname"));
        return value;
    }
    case ValueKind::Address: {
        if (value == u"localhost")
            return QStringLiteral("127.0.0.1");
        // Qt Core only here; QHostAddress (Qt Network) parses it again where the listener binds.
        static const QRegularExpression ipv4(QStringLiteral(
            "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$"));
        static const QRegularExpression ipv6(QStringLiteral("^[0-9A-Fa-f:]*:[0-9A-Fa-f:]*$"));
        if (!ipv4.match(value).hasMatch() && !(ipv6.match(value).hasMatch() && value.count(u':') >= 2))
            return invalid(ki, value, Tr::tr("an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every "
                                         "interface)"));
        return value.toLower();
    }
    case ValueKind::UrlPath:
        if (!value.startsWith(u'/') || value.contains(u' ') || value.contains(u'?') || value.contains(u'#')
            || value == u"/healthz" || value == u"/ws")
            return invalid(ki, value, Tr::tr("a path starting with / such as /api/ghl/webhook-qr (not /healthz or /ws)"));
        return value;
    case ValueKind::UrlTemplate: {
        const QUrl url(QString(value).replace(QStringLiteral("{order_id}"), QStringLiteral("x")), QUrl::StrictMode);
        if (!value.contains(QStringLiteral("{order_id}")) || !url.isValid() || url.scheme().isEmpty())
            return invalid(ki, value, Tr::tr("a URL containing {order_id}, such as https://qr.example.com/orders/{order_id}"));
        return value;
    }
    }
    return value;
}

QString Config::referenceMarkdown()
{
    QString md = QStringLiteral(
        "# Configuration reference\n\n"
        "Generated from the key table in `src/core/config.cpp` (a test fails when this file and the code "
        "differ; regenerate with `QRT_WRITE_CONFIG_REFERENCE=docs/configuration.md build/tests/core/tst_core "
        "configReferenceIsCurrent`).\n\n"
        "Settings are read, later wins, from: the INI file (default `qrtickets.ini` in the platform's config "
        "folder, e.g. `~/.config/qrtickets/` on Linux; `--config FILE` names another), environment variables "
        "`QRTICKETS_<SECTION>_<KEY>`, and the command line (`--database URL`). The Settings dialog writes the "
        "INI file; secrets (the GHL token, the webhook secret, the feed token) go to the system keychain instead.\n\n"
        "| Section | Key | Environment variable | Default | Accepted values | Meaning |\n"
        "|---|---|---|---|---|---|\n");
    for (const ConfigKeyInfo &ki : keys()) {
        QString def = ki.defaultValue.isEmpty() ? QStringLiteral("(empty)") : u'`' + ki.defaultValue + u'`';
        if (ki.key == ConfigKey::DatabaseUrl)
            def = QStringLiteral("`sqlite:///` + app data folder + `/qrtickets.db`");
        else if (ki.key == ConfigKey::StationName)
            def = QStringLiteral("the host name");
        else if (ki.key == ConfigKey::LogDir)
            def = QStringLiteral("app data folder + `/logs`");
        QString accepted;
        switch (ki.kind) {
        case ValueKind::Text: accepted = ki.max > 0 ? QStringLiteral("text, at most %1 characters").arg(ki.max) : QStringLiteral("text"); break;
        case ValueKind::Integer: accepted = QStringLiteral("%1 to %2").arg(ki.min).arg(ki.max); break;
        case ValueKind::Boolean: accepted = QStringLiteral("true, false"); break;
        case ValueKind::Choice: accepted = ki.choices.join(QStringLiteral(", ")); break;
        case ValueKind::HttpUrl: accepted = QStringLiteral("http(s) URL"); break;
        case ValueKind::DatabaseUrl: accepted = QStringLiteral("`sqlite:///path` or `postgresql://user:password@host:port/db`"); break;
        case ValueKind::Address: accepted = QStringLiteral("IP address"); break;
        case ValueKind::UrlPath: accepted = QStringLiteral("path starting with /"); break;
        case ValueKind::UrlTemplate: accepted = QStringLiteral("URL containing `{order_id}`"); break;
        }
        QString meaning = ki.description;
        if (ki.secret)
            meaning += QStringLiteral(" (secret: never logged)");
        md += QStringLiteral("| %1 | %2 | `%3` | %4 | %5 | %6 |\n")
                  .arg(ki.section, ki.name, ki.envName(), def, accepted, meaning.replace(u'|', QStringLiteral("\\|")));
    }
    return md;
}

Config Config::defaults()
{
    Config c;
    c.m_filePath = defaultFilePath();
    for (const ConfigKeyInfo &ki : keys()) {
        c.m_values.insert(ki.key, defaultValue(ki.key));
        c.m_origins.insert(ki.key, Origin::Default);
    }
    return c;
}

Result<Config> Config::load(const Sources &sources)
{
    Config c = defaults();
    c.m_filePath = sources.filePath.isEmpty() ? defaultFilePath() : sources.filePath;

    auto apply = [&c, &sources](const ConfigKeyInfo &ki, const QString &raw, Origin origin) -> Result<void> {
        auto v = validate(ki.key, raw);
        if (!v && ki.key == ConfigKey::DatabaseUrl && sources.skipInvalidDatabaseUrl)
            return {};
        if (!v)
            return v.error();
        c.m_values[ki.key] = v.value();
        c.m_origins[ki.key] = origin;
        return {};
    };

    if (sources.fileMustExist && !sources.filePath.isEmpty() && !QFileInfo::exists(sources.filePath))
        return makeError(QStringLiteral("config.missing"),
                         Tr::tr("The configuration file %1 does not exist.").arg(sources.filePath));
    if (QFileInfo::exists(c.m_filePath)) {
        QSettings ini(c.m_filePath, QSettings::IniFormat);
        if (ini.status() != QSettings::NoError)
            return makeError(QStringLiteral("config.unreadable"),
                             Tr::tr("The configuration file %1 could not be read; check that it is an INI file.")
                                 .arg(c.m_filePath));
        for (const ConfigKeyInfo &ki : keys()) {
            if (!ini.contains(ki.iniKey()))
                continue;
            const QVariant v = ini.value(ki.iniKey());
            // QSettings reads "a, b" as a list; a value is always one string to us.
            const QString raw = v.typeId() == QMetaType::QStringList ? v.toStringList().join(QStringLiteral(", "))
                                                                      : v.toString();
            if (auto r = apply(ki, raw, Origin::File); !r)
                return makeError(r.error().code, r.error().message + Tr::tr(" (in %1)").arg(c.m_filePath));
        }
    }
    for (const ConfigKeyInfo &ki : keys()) {
        if (!sources.environment.contains(ki.envName()))
            continue;
        if (auto r = apply(ki, sources.environment.value(ki.envName()), Origin::Environment); !r)
            return r.error();
    }
    for (auto it = sources.commandLine.cbegin(); it != sources.commandLine.cend(); ++it) {
        if (auto r = apply(info(it.key()), it.value(), Origin::CommandLine); !r)
            return r.error();
    }
    if (c.m_values.value(ConfigKey::StationName).isEmpty())
        c.m_values[ConfigKey::StationName] = QSysInfo::machineHostName();
    return c;
}

QString Config::text(ConfigKey key) const
{
    return m_values.value(key);
}

int Config::integer(ConfigKey key) const
{
    return m_values.value(key).toInt();
}

qint64 Config::integer64(ConfigKey key) const
{
    return m_values.value(key).toLongLong();
}

bool Config::flag(ConfigKey key) const
{
    return m_values.value(key) == u"true";
}

Config::Origin Config::origin(ConfigKey key) const
{
    return m_origins.value(key, Origin::Default);
}

Result<void> Config::set(ConfigKey key, const QString &value)
{
    auto v = validate(key, value);
    if (!v)
        return v.error();
    m_values[key] = v.value();
    m_origins[key] = Origin::Runtime;
    return {};
}

Result<void> Config::save() const
{
    QDir().mkpath(QFileInfo(m_filePath).absolutePath());
    QSettings ini(m_filePath, QSettings::IniFormat);
    for (const ConfigKeyInfo &ki : keys()) {
        const Origin o = origin(ki.key);
        if (o == Origin::Environment || o == Origin::CommandLine || ki.secret)
            continue; // secrets belong in the keychain; a value put in the file by hand stays as it is
        if (o == Origin::Default)
            ini.remove(ki.iniKey());
        else
            ini.setValue(ki.iniKey(), m_values.value(ki.key));
    }
    ini.sync();
    if (ini.status() != QSettings::NoError)
        return makeError(QStringLiteral("config.write"),
                         Tr::tr("The settings could not be saved to %1; check that the folder is writable.")
                             .arg(m_filePath));
    return {};
}

GhlSettings Config::ghl() const
{
    GhlSettings s;
    s.baseUrl = QUrl(text(ConfigKey::GhlBaseUrl));
    s.locationId = text(ConfigKey::GhlLocationId);
    s.token = text(ConfigKey::GhlToken);
    s.apiVersion = text(ConfigKey::GhlApiVersion);
    s.concurrency = integer(ConfigKey::GhlConcurrency);
    s.requestTimeoutMs = integer(ConfigKey::GhlRequestTimeoutMs);
    return s;
}

WebhookSettings Config::webhook() const
{
    WebhookSettings s;
    s.enabled = flag(ConfigKey::WebhookEnabled);
    s.bind = text(ConfigKey::WebhookBind);
    s.port = static_cast<quint16>(integer(ConfigKey::WebhookPort));
    s.path = text(ConfigKey::WebhookPath);
    const QString auth = text(ConfigKey::WebhookAuth);
    s.auth = auth == u"shared-secret" ? WebhookAuth::SharedSecret
        : auth == u"none"             ? WebhookAuth::None
                                      : WebhookAuth::GhlSignature;
    s.secret = text(ConfigKey::WebhookSecret);
    s.ghlPublicKey = text(ConfigKey::WebhookGhlPublicKey);
    s.acceptLegacyRsa = flag(ConfigKey::WebhookAcceptLegacyRsa);
    s.maxBodyBytes = integer64(ConfigKey::WebhookMaxBodyBytes);
    s.replayWindowS = integer(ConfigKey::WebhookReplayWindowS);
    return s;
}

QrSettings Config::qr() const
{
    QrSettings s;
    s.urlTemplate = text(ConfigKey::QrUrlTemplate);
    s.sizePx = integer(ConfigKey::QrSizePx);
    s.margin = integer(ConfigKey::QrMargin);
    const QString ecc = text(ConfigKey::QrEcc);
    s.ecc = ecc.isEmpty() ? QChar(u'H') : ecc.front();
    return s;
}

QString Config::stationName() const
{
    return text(ConfigKey::StationName);
}

DoorSettings Config::door() const
{
    DoorSettings s;
    for (const QString &id : text(ConfigKey::DoorEvent).split(u',', Qt::SkipEmptyParts)) {
        if (!id.trimmed().isEmpty() && !s.events.contains(id.trimmed()))
            s.events << id.trimmed();
    }
    s.gate = text(ConfigKey::DoorGate);
    const QString unpaid = text(ConfigKey::DoorAdmitUnpaid);
    s.admitUnpaid = unpaid == u"never" ? AdmitUnpaid::Never : unpaid == u"always" ? AdmitUnpaid::Always : AdmitUnpaid::Ask;
    s.sound = flag(ConfigKey::DoorSound);
    s.offlineAfterMs = integer(ConfigKey::DoorOfflineAfterMs);
    s.clearAfterMs = integer(ConfigKey::DoorClearAfterMs);
    return s;
}

int Config::reconcileIntervalS() const
{
    return integer(ConfigKey::SyncReconcileIntervalS);
}

bool WebhookSettings::bindsBeyondLoopback() const
{
    return !(bind.startsWith(QStringLiteral("127.")) || bind == u"::1");
}

QString QrSettings::urlFor(const QString &orderId) const
{
    return QString(urlTemplate).replace(QStringLiteral("{order_id}"), QString::fromLatin1(QUrl::toPercentEncoding(orderId)));
}

QString redactedDatabaseUrl(const QString &url)
{
    // Everything between the user name's colon and the last '@' is the password.
    static const QRegularExpression password(QStringLiteral("(://[^/@:]*:).*@"));
    return QString(url).replace(password, QStringLiteral("\\1***@"));
}

QString toString(WebhookAuth auth)
{
    switch (auth) {
    case WebhookAuth::GhlSignature:
        return QStringLiteral("ghl-signature");
    case WebhookAuth::SharedSecret:
        return QStringLiteral("shared-secret");
    case WebhookAuth::None:
        return QStringLiteral("none");
    }
    return {};
}

} // namespace qrt::core
