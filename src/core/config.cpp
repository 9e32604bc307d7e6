#include "core/config.h"

#include "core/logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>

namespace qrt::core {

namespace {

// Q_DECLARE_TR_FUNCTIONS gives lupdate and the program the same context for Tr::tr().
struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(qrt::core::Config)
};

QList<ConfigKeyInfo> buildKeys()
{
    using K = ConfigKey;
    using V = ValueKind;
    auto S = [](const char *s) { return QString::fromLatin1(s); };
    return {
        { K::DatabaseUrl, S("database"), S("url"), V::DatabaseUrl, {}, 0, 0, {}, false,
          S("sqlite:///path/file.db (one station, the default) or postgresql://user:password@host:port/dbname (shared)") },
        { K::GhlBaseUrl, S("ghl"), S("base_url"), V::HttpUrl, S("https://services.leadconnectorhq.com"), 0, 0, {}, false,
          S("GHL API base URL") },
        { K::GhlLocationId, S("ghl"), S("location_id"), V::Text, {}, 0, 200, {}, false, S("GHL sub-account (location) id") },
        { K::GhlToken, S("ghl"), S("token"), V::Text, {}, 0, 4096, {}, true,
          S("Private Integration Token or OAuth access token; kept in the OS keychain unless given by environment") },
        { K::GhlApiVersion, S("ghl"), S("api_version"), V::Text, S("2021-07-28"), 1, 40, {}, false, S("Version header") },
        { K::GhlConcurrency, S("ghl"), S("concurrency"), V::Integer, S("6"), 1, 32, {}, false,
          S("requests in flight at once") },
        { K::GhlRequestTimeoutMs, S("ghl"), S("request_timeout_ms"), V::Integer, S("30000"), 500, 600000, {}, false,
          S("per-request timeout in milliseconds") },
        { K::WebhookEnabled, S("webhook"), S("enabled"), V::Boolean, S("false"), 0, 0, {}, false,
          S("start the webhook listener with the desktop application") },
        { K::WebhookBind, S("webhook"), S("bind"), V::Address, S("127.0.0.1"), 0, 0, {}, false,
          S("address to listen on; 0.0.0.0 for every interface") },
        { K::WebhookPort, S("webhook"), S("port"), V::Integer, S("8787"), 1, 65535, {}, false, S("TCP port") },
        { K::WebhookPath, S("webhook"), S("path"), V::UrlPath, S("/api/ghl/webhook-qr"), 0, 0, {}, false,
          S("path GHL posts to") },
        { K::WebhookAuth, S("webhook"), S("auth"), V::Choice, S("ghl-signature"), 0, 0,
          { S("ghl-signature"), S("shared-secret"), S("none") }, false, S("how a webhook proves it comes from GHL") },
        { K::WebhookSecret, S("webhook"), S("secret"), V::Text, {}, 0, 1024, {}, true,
          S("shared secret (header X-Webhook-Secret, Authorization: Bearer, or ?token=)") },
        { K::WebhookGhlPublicKey, S("webhook"), S("ghl_public_key"), V::Text,
          S("MCowBQYDK2VwAyEAi2HR1srL4o18O8BRa7gVJY7G7bupbN3H9AwJrHCDiOg="), 0, 16384, {}, false,
          S("GHL's Ed25519 public key: base64 SPKI, or the path of a PEM file") },
        { K::WebhookAcceptLegacyRsa, S("webhook"), S("accept_legacy_rsa"), V::Boolean, S("false"), 0, 0, {}, false,
          S("also accept the legacy x-wh-signature (RSA-SHA256)") },
        { K::WebhookMaxBodyBytes, S("webhook"), S("max_body_bytes"), V::Integer, S("1048576"), 1024, 67108864, {},
          false, S("largest request body accepted") },
        { K::WebhookReplayWindowS, S("webhook"), S("replay_window_s"), V::Integer, S("300"), 0, 86400, {}, false,
          S("signed webhooks older than this many seconds are refused (0: no check)") },
        { K::QrUrlTemplate, S("qr"), S("url_template"), V::UrlTemplate, S("https://qr.example.com/orders/{order_id}"),
          0, 0, {}, false, S("what the QR code encodes; {order_id} is replaced") },
        { K::QrSizePx, S("qr"), S("size_px"), V::Integer, S("300"), 64, 2048, {}, false, S("QR image size in pixels") },
        { K::QrMargin, S("qr"), S("margin"), V::Integer, S("1"), 0, 16, {}, false, S("quiet zone in modules") },
        { K::QrEcc, S("qr"), S("ecc"), V::Choice, S("H"), 0, 0, { S("L"), S("M"), S("Q"), S("H") }, false,
          S("error correction level") },
        { K::StationName, S("station"), S("name"), V::Text, {}, 0, 100, {}, false,
          S("name recorded with every admission and status change (default: host name)") },
        { K::StationLanguage, S("station"), S("language"), V::Choice, S("system"), 0, 0,
          { S("system"), S("en"), S("de"), S("es"), S("fr") }, false,
          S("language of the desktop application (system: follow the operating system)") },
        { K::FeedToken, S("feed"), S("token"), V::Text, {}, 0, 1024, {}, true,
          S("token WebSocket feed clients must send (?token=); empty: no token needed") },
        { K::LogLevel, S("log"), S("level"), V::Choice, S("info"), 0, 0,
          { S("debug"), S("info"), S("warning"), S("error") }, false, S("lowest level written to the log") },
        { K::LogDir, S("log"), S("dir"), V::Text, {}, 0, 4096, {}, false,
          S("folder for the daily JSON-lines logs (default: the platform's app-data folder/logs)") },
    };
}

QString quoted(const ConfigKeyInfo &info, const QString &value)
{
    if (info.secret)
        return Tr::tr("(hidden)");
    QString shown = value;
    if (info.kind == ValueKind::DatabaseUrl) {
        QUrl url(value);
        if (url.isValid() && !url.password().isEmpty()) {
            url.setPassword(QStringLiteral("***"));
            shown = url.toString();
        }
    }
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
    static const QList<ConfigKeyInfo> table = buildKeys();
    return table;
}

const ConfigKeyInfo &Config::info(ConfigKey key)
{
    const auto &table = keys();
    const auto index = static_cast<qsizetype>(key);
    Q_ASSERT(index < table.size() && table[index].key == key);
    return table[index];
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
        return value;
    case ValueKind::Integer: {
        bool ok = false;
        const qint64 n = value.toLongLong(&ok);
        if (!ok || n < ki.min || n > ki.max)
            return invalid(ki, value, Tr::tr("a whole number from %1 to %2").arg(ki.min).arg(ki.max));
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

    if (!sources.filePath.isEmpty() && !QFileInfo::exists(sources.filePath))
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

bool WebhookSettings::bindsBeyondLoopback() const
{
    return !(bind.startsWith(QStringLiteral("127.")) || bind == u"::1");
}

QString QrSettings::urlFor(const QString &orderId) const
{
    return QString(urlTemplate).replace(QStringLiteral("{order_id}"), QString::fromLatin1(QUrl::toPercentEncoding(orderId)));
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
