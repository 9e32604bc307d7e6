#include "webhook/httpparser.h"

#include <QCoreApplication>

namespace qrt::webhook {

namespace {

// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

// RFC 9110 token characters.
bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView v)
{
    if (v.isEmpty())
        return false;
    for (char c : v) {
        if (!isTchar(c))
            return false;
    }
    return true;
}

// Field values: visible characters, obs-text, space and tab; never other controls.
bool isFieldValue(QByteArrayView v)
{
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

bool isTargetChar(char ch)
{
    const auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f;
}

QByteArrayView trimmedOws(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

} // namespace

HttpParser::HttpParser() : HttpParser(Limits {}) { }

HttpParser::HttpParser(const Limits &limits) : m_limits(limits) { }

bool HttpParser::feed(QByteArrayView bytes)
{
    if (m_state == State::Error)
        return false;
    m_buf.append(bytes);
    parseAvailable();
    // Drop what whole requests consumed so the buffer never holds more than one request.
    if (m_pos > 0) {
        m_buf.remove(0, m_pos);
        m_headStart -= m_pos;
        m_scanned -= m_pos;
        m_pos = 0;
    }
    return m_state != State::Error;
}

HttpRequest HttpParser::takeRequest()
{
    return m_ready.takeFirst();
}

bool HttpParser::idle() const
{
    return m_state == State::Head && m_buf.size() == m_pos;
}

bool HttpParser::takeContinueRequest()
{
    const bool r = m_continueRequested;
    m_continueRequested = false;
    return r;
}

void HttpParser::fail(int status, QString message)
{
    m_state = State::Error;
    m_errorStatus = status;
    m_errorMessage = std::move(message);
    m_buf.clear();
    m_pos = m_headStart = m_scanned = 0;
    m_continueRequested = false;
}

void HttpParser::parseAvailable()
{
    for (;;) {
        if (m_state == State::Head) {
            if (!scanHead())
                return;
        } else if (m_state == State::Body) {
            const qint64 available = m_buf.size() - m_headStart;
            if (available < m_bodyNeeded)
                return;
            m_current.body = m_buf.mid(m_headStart, m_bodyNeeded);
            const qsizetype end = m_headStart + m_bodyNeeded;
            m_current.rawSize = end - m_pos;
            m_ready.append(std::move(m_current));
            m_current = HttpRequest {};
            m_pos = m_headStart = m_scanned = end;
            m_bodyNeeded = 0;
            m_continueRequested = false;
            m_state = State::Head;
        } else {
            return;
        }
    }
}

// Finds the end of the head, checking line endings as it goes. Returns true when a head was
// parsed (state moved to Body), false when more input is needed or on error.
bool HttpParser::scanHead()
{
    // Blank lines before a request line are ignored (RFC 9112 section 2.2), within the head limit.
    m_scanned = std::max(m_scanned, m_headStart);
    while (m_scanned == m_headStart && m_headStart < m_buf.size()) {
        const char c = m_buf.at(m_headStart);
        if (c == '\n') {
            fail(400, QStringLiteral("Bare line feed in request."));
            return false;
        }
        if (c != '\r')
            break;
        if (m_headStart + 1 >= m_buf.size())
            return false; // wait for the byte after CR
        if (m_buf.at(m_headStart + 1) != '\n') {
            fail(400, QStringLiteral("Malformed request line."));
            return false;
        }
        m_headStart += 2;
        m_scanned = m_headStart;
        if (m_headStart - m_pos > m_limits.maxHeaderBytes) {
            fail(431, QStringLiteral("Request header block is too large."));
            return false;
        }
    }

    const qsizetype size = m_buf.size();
    const char *data = m_buf.constData();
    for (qsizetype i = m_scanned; i < size; ++i) {
        if (data[i] != '\n')
            continue;
        if (i == m_headStart || data[i - 1] != '\r') {
            fail(400, QStringLiteral("Bare line feed in request."));
            return false;
        }
        // End of head: "\r\n\r\n" with the first CRLF not being the start of the head.
        if (i - 3 >= m_headStart && data[i - 2] == '\n' && data[i - 3] == '\r') {
            const qsizetype headEnd = i + 1;
            if (headEnd - m_pos > m_limits.maxHeaderBytes) {
                fail(431, QStringLiteral("Request header block is too large."));
                return false;
            }
            if (!parseHead(QByteArrayView(data + m_headStart, i - 3 - m_headStart)))
                return false;
            m_headStart = headEnd;
            m_scanned = headEnd;
            m_state = State::Body;
            return true;
        }
    }
    m_scanned = size;
    if (size - m_pos > m_limits.maxHeaderBytes) {
        fail(431, QStringLiteral("Request header block is too large."));
        return false;
    }
    return false;
}

bool HttpParser::parseHead(QByteArrayView head)
{
    // head: request line and header lines separated by CRLF, no trailing CRLF.
    HttpRequest req;
    qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);
    QByteArrayView rest = lineEnd < 0 ? QByteArrayView() : head.sliced(lineEnd + 2);

    if (requestLine.contains('\r')) {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0) {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(method) || target.isEmpty() || target.front() != '/') {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    for (char c : target) {
        if (!isTargetChar(c)) {
            fail(400, QStringLiteral("Malformed request target."));
            return false;
        }
    }
    if (version == "HTTP/1.1") {
        req.versionMinor = 1;
    } else if (version == "HTTP/1.0") {
        req.versionMinor = 0;
    } else if (version.size() == 8 && version.startsWith("HTTP/") && version.at(6) == '.'
               && version.at(5) >= '0' && version.at(5) <= '9' && version.at(7) >= '0' && version.at(7) <= '9') {
        fail(505, QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are supported."));
        return false;
    } else {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    req.method = method.toByteArray();
    req.target = target.toByteArray();
    const qsizetype q = target.indexOf('?');
    req.path = (q < 0 ? target : target.first(q)).toByteArray();
    if (q >= 0)
        req.query = target.sliced(q + 1).toByteArray();
    const qsizetype hash = req.query.indexOf('#');
    if (hash >= 0 || req.path.contains('#')) {
        fail(400, QStringLiteral("Malformed request target."));
        return false;
    }

    int contentLengthCount = 0;
    qint64 contentLength = 0;
    int hostCount = 0;
    bool transferEncoding = false;
    while (!rest.isEmpty()) {
        lineEnd = rest.indexOf("\r\n");
        const QByteArrayView line = lineEnd < 0 ? rest : rest.first(lineEnd);
        rest = lineEnd < 0 ? QByteArrayView() : rest.sliced(lineEnd + 2);
        if (line.isEmpty() || line.front() == ' ' || line.front() == '\t') {
            // Obsolete line folding is refused (RFC 9112 section 5.2 allows it).
            fail(400, QStringLiteral("Folded header lines are not accepted."));
            return false;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon))) {
            fail(400, QStringLiteral("Malformed header line."));
            return false;
        }
        const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
        if (!isFieldValue(value)) {
            fail(400, QStringLiteral("Malformed header value."));
            return false;
        }
        if (req.headers.size() >= m_limits.maxHeaderCount) {
            fail(431, QStringLiteral("Too many request headers."));
            return false;
        }
        QByteArray name = line.first(colon).toByteArray().toLower();
        if (name == "content-length") {
            if (++contentLengthCount > 1) {
                fail(400, QStringLiteral("Duplicate Content-Length header."));
                return false;
            }
            if (value.isEmpty() || value.size() > 15) {
                fail(400, QStringLiteral("Invalid Content-Length."));
                return false;
            }
            for (char c : value) {
                if (c < '0' || c > '9') {
                    fail(400, QStringLiteral("Invalid Content-Length."));
                    return false;
                }
                contentLength = contentLength * 10 + (c - '0');
            }
        } else if (name == "transfer-encoding") {
            transferEncoding = true;
        } else if (name == "host") {
            ++hostCount;
        }
        req.headers.append({ std::move(name), value.toByteArray() });
    }

    if (transferEncoding && contentLengthCount > 0) {
        fail(400, QStringLiteral("Both Content-Length and Transfer-Encoding were sent."));
        return false;
    }
    if (transferEncoding) {
        fail(411, QStringLiteral("Chunked or encoded bodies are not accepted; send Content-Length."));
        return false;
    }
    if (req.versionMinor == 1 && hostCount != 1) {
        fail(400, QStringLiteral("HTTP/1.1 requests need exactly one Host header."));
        return false;
    }
    if (contentLengthCount == 0 && (req.method == "POST" || req.method == "PUT" || req.method == "PATCH")) {
        fail(411, QStringLiteral("A Content-Length header is required."));
        return false;
    }
    if (contentLength > m_limits.maxBodyBytes) {
        fail(413, QStringLiteral("Request body is larger than %1 bytes.").arg(m_limits.maxBodyBytes));
        return false;
    }

    const QByteArray connection = req.header("connection");
    req.keepAlive = req.versionMinor == 1 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    m_continueRequested = contentLength > 0 && req.versionMinor == 1
        && req.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
    m_bodyNeeded = contentLength;
    m_current = std::move(req);
    return true;
}

} // namespace qrt::webhook
