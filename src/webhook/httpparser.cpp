#include "webhook/httpparser.h"

#include "webhook/httpsyntax.h"

#include <QCoreApplication>

namespace qrt::webhook {

using namespace syntax;

// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

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

qint64 HttpParser::bodyBytesReserved() const
{
    switch (m_state) {
    case State::Body:
        return m_bodyNeeded;
    case State::ChunkSize: case State::ChunkData: case State::ChunkDataEnd: case State::Trailer:
        return m_current.body.size() + (m_state == State::ChunkData ? m_bodyNeeded : 0);
    default:
        return 0;
    }
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
            if (m_ready.size() >= m_limits.maxPendingRequests)
                return;
            if (!scanHead())
                return;
        } else if (m_state == State::Body) {
            const qint64 available = m_buf.size() - m_headStart;
            if (available < m_bodyNeeded)
                return;
            m_current.body = m_buf.mid(m_headStart, m_bodyNeeded);
            finishRequest(m_headStart + m_bodyNeeded);
        } else if (m_state == State::Error) {
            return;
        } else if (!parseChunked()) {
            return;
        }
    }
}

void HttpParser::finishRequest(qsizetype end)
{
    m_current.rawSize = end - m_pos;
    m_ready.append(std::move(m_current));
    m_current = HttpRequest {};
    m_pos = m_headStart = m_scanned = end;
    m_requestLineBytes = -1;
    m_bodyNeeded = 0;
    m_framingBytes = 0;
    m_trailerCount = 0;
    m_continueRequested = false;
    m_state = State::Head;
}

// Finds the end of the head, checking line endings as it goes; the request line is checked as soon
// as it is complete (so HTTP/0.9 and long targets are answered at once). Every limit is decided
// by byte position, so the outcome does not depend on how the input was split. Returns true when
// a head was parsed (state moved on), false when more input is needed or on error.
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
    if (m_scanned == m_headStart && m_headStart == m_buf.size())
        return false;

    const qsizetype size = m_buf.size();
    const char *data = m_buf.constData();
    const qsizetype headLimitEnd = m_pos + m_limits.maxHeaderBytes; // no head byte at or after this
    // Room for a method and the version around the longest target, within the head limit.
    const qsizetype lineLimitEnd = std::min(m_headStart + m_limits.maxTargetBytes + 64, headLimitEnd);
    for (qsizetype i = m_scanned; i < size; ++i) {
        if (m_requestLineBytes < 0 && i >= lineLimitEnd) {
            failLongRequestLine(QByteArrayView(data + m_headStart, i - m_headStart));
            return false;
        }
        if (i >= headLimitEnd) {
            fail(431, QStringLiteral("Request header block is too large."));
            return false;
        }
        if (data[i] != '\n')
            continue;
        if (i == m_headStart || data[i - 1] != '\r') {
            fail(400, QStringLiteral("Bare line feed in request."));
            return false;
        }
        if (m_requestLineBytes < 0) {
            if (!parseRequestLine(QByteArrayView(data + m_headStart, i - 1 - m_headStart)))
                return false;
            m_requestLineBytes = i - 1 - m_headStart;
            continue;
        }
        // End of head: "\r\n\r\n" (the first CRLF may end the request line).
        if (data[i - 2] == '\n' && data[i - 3] == '\r') {
            const qsizetype headersStart = m_headStart + m_requestLineBytes + 2;
            const qsizetype headersEnd = i - 3;
            const qsizetype headEnd = i + 1;
            if (!parseHead(headersEnd > headersStart ? QByteArrayView(data + headersStart, headersEnd - headersStart)
                                                     : QByteArrayView()))
                return false;
            m_headStart = headEnd;
            m_scanned = headEnd;
            return true;
        }
    }
    m_scanned = size;
    return false;
}

// The request line reached its limit without ending: a target too long (414) or garbage (400).
void HttpParser::failLongRequestLine(QByteArrayView line)
{
    const qsizetype sp1 = line.indexOf(' ');
    if (sp1 <= 0 || !isToken(line.first(sp1))) {
        fail(400, QStringLiteral("Malformed request line."));
        return;
    }
    const qsizetype sp2 = line.indexOf(' ', sp1 + 1);
    if (sp2 < 0 || sp2 - sp1 - 1 > m_limits.maxTargetBytes)
        fail(414, QStringLiteral("Request target is longer than %1 bytes.").arg(m_limits.maxTargetBytes));
    else
        fail(400, QStringLiteral("Malformed request line."));
}

bool HttpParser::parseRequestLine(QByteArrayView requestLine)
{
    HttpRequest &req = m_current;
    if (requestLine.contains('\r')) {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0) {
        // Includes HTTP/0.9 ("GET /" without a version): answered and closed, never waited for.
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    const QByteArrayView method = requestLine.first(sp1);
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = requestLine.sliced(sp2 + 1);
    if (!isToken(method) || target.isEmpty()) {
        fail(400, QStringLiteral("Malformed request line."));
        return false;
    }
    if (target.size() > m_limits.maxTargetBytes) {
        fail(414, QStringLiteral("Request target is longer than %1 bytes.").arg(m_limits.maxTargetBytes));
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
    // Absolute form (RFC 9112 section 3.2.2, what a proxy would send): a server must accept it and
    // use its path and query; the authority is not checked against Host.
    QByteArrayView originForm = target;
    QByteArray rebuilt;
    if (target.front() != '/') {
        const qsizetype schemeEnd = target.indexOf("://");
        const QByteArrayView scheme = schemeEnd < 0 ? QByteArrayView() : target.first(schemeEnd);
        if (scheme.compare("http", Qt::CaseInsensitive) != 0 && scheme.compare("https", Qt::CaseInsensitive) != 0) {
            fail(400, QStringLiteral("Malformed request line."));
            return false;
        }
        const QByteArrayView afterScheme = target.sliced(schemeEnd + 3);
        qsizetype authorityEnd = 0;
        while (authorityEnd < afterScheme.size() && afterScheme.at(authorityEnd) != '/' && afterScheme.at(authorityEnd) != '?')
            ++authorityEnd;
        const QByteArrayView authority = afterScheme.first(authorityEnd);
        if (authority.isEmpty() || authority.contains('@')) {
            fail(400, QStringLiteral("Malformed request target."));
            return false;
        }
        originForm = afterScheme.sliced(authorityEnd);
        if (originForm.isEmpty() || originForm.front() == '?') {
            rebuilt = '/' + originForm.toByteArray();
            originForm = rebuilt;
        }
    }
    req.method = method.toByteArray();
    req.target = originForm.toByteArray();
    const qsizetype q = originForm.indexOf('?');
    req.path = (q < 0 ? originForm : originForm.first(q)).toByteArray();
    if (q >= 0)
        req.query = originForm.sliced(q + 1).toByteArray();
    const qsizetype hash = req.query.indexOf('#');
    if (hash >= 0 || req.path.contains('#')) {
        fail(400, QStringLiteral("Malformed request target."));
        return false;
    }
    return true;
}

bool HttpParser::parseHead(QByteArrayView rest)
{
    // rest: the header lines separated by CRLF, no trailing CRLF; the request line is in m_current.
    HttpRequest req = std::move(m_current);
    m_current = HttpRequest {};
    qsizetype lineEnd = -1;
    int contentLengthCount = 0;
    qint64 contentLength = 0;
    int hostCount = 0;
    bool transferEncoding = false;
    QByteArray codings; // every Transfer-Encoding value, comma-joined in order
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
            codings += (codings.isEmpty() ? "" : ",") + value.toByteArray();
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
        if (req.versionMinor == 0) {
            // RFC 9112 section 6.1: the framing of such a message is faulty.
            fail(400, QStringLiteral("Transfer-Encoding is not accepted in HTTP/1.0 requests."));
            return false;
        }
        // Only "chunked", applied once and last, can be decoded; without it last the body length is
        // unknown (400); other codings are not implemented (501).
        int chunkedCount = 0;
        bool chunkedLast = false;
        bool other = false;
        bool any = false;
        for (const QByteArray &element : codings.split(',')) {
            const QByteArrayView coding = trimmedOws(element);
            if (coding.isEmpty())
                continue;
            any = true;
            const qsizetype semicolon = coding.indexOf(';');
            const QByteArrayView name = trimmedOws(semicolon < 0 ? coding : coding.first(semicolon));
            if (!isToken(name)) {
                fail(400, QStringLiteral("Malformed Transfer-Encoding."));
                return false;
            }
            chunkedLast = name.compare("chunked", Qt::CaseInsensitive) == 0;
            if (chunkedLast) {
                if (semicolon >= 0) {
                    fail(400, QStringLiteral("Malformed Transfer-Encoding."));
                    return false;
                }
                ++chunkedCount;
            } else {
                other = true;
            }
        }
        if (!any || (chunkedCount > 0 && !chunkedLast) || chunkedCount > 1) {
            fail(400, QStringLiteral("Transfer-Encoding must end in a single chunked coding."));
            return false;
        }
        if (other) {
            fail(501, QStringLiteral("Only the chunked transfer coding is supported."));
            return false;
        }
    }
    if (req.versionMinor == 1 && hostCount != 1) {
        fail(400, QStringLiteral("HTTP/1.1 requests need exactly one Host header."));
        return false;
    }
    if (contentLengthCount == 0 && !transferEncoding && (req.method == "POST" || req.method == "PUT" || req.method == "PATCH")) {
        fail(411, QStringLiteral("A Content-Length header is required."));
        return false;
    }
    if (contentLength > m_limits.maxBodyBytes) {
        fail(413, QStringLiteral("Request body is larger than %1 bytes.").arg(m_limits.maxBodyBytes));
        return false;
    }

    const QByteArray connection = req.header("connection");
    req.keepAlive = req.versionMinor == 1 ? !hasToken(connection, "close") : hasToken(connection, "keep-alive");
    m_continueRequested = (contentLength > 0 || transferEncoding) && req.versionMinor == 1
        && req.header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
    m_bodyNeeded = transferEncoding ? 0 : contentLength;
    if (!transferEncoding && contentLength > 0)
        m_buf.reserve(m_buf.size() + contentLength); // grown once, not doubled past the body
    m_framingBytes = 0;
    m_trailerCount = 0;
    m_state = transferEncoding ? State::ChunkSize : State::Body;
    m_current = std::move(req);
    return true;
}

} // namespace qrt::webhook
