#include "webhook/httpparser.h"

#include "webhook/httpsyntax.h"

// Chunked request bodies (RFC 9112 section 7.1): the part of HttpParser after a chunked head.
// Error bodies go to GHL (and other HTTP clients), never in the station's language: plain English.

namespace qrt::webhook {

using namespace syntax;

bool HttpParser::takeLine(qsizetype maxBytes, int tooLongStatus, const char *tooLongMessage, QByteArrayView *line)
{
    const qsizetype size = m_buf.size();
    const char *data = m_buf.constData();
    // Both bounds are byte positions, so the outcome does not depend on how the input was split.
    const qsizetype lineEnd = m_headStart + maxBytes;
    const qsizetype framingEnd = m_headStart + (m_limits.maxChunkFramingBytes - m_framingBytes);
    const qsizetype bound = std::min(lineEnd, framingEnd);
    const qsizetype scanEnd = std::min(size, bound);
    for (qsizetype i = std::max(m_scanned, m_headStart); i < scanEnd; ++i) {
        if (data[i] != '\n')
            continue;
        if (i == m_headStart || data[i - 1] != '\r') {
            fail(400, QStringLiteral("Bare line feed in chunked body."));
            return false;
        }
        *line = QByteArrayView(data + m_headStart, i - 1 - m_headStart);
        m_framingBytes += i + 1 - m_headStart;
        m_headStart = m_scanned = i + 1;
        return true;
    }
    m_scanned = scanEnd;
    if (size > bound) {
        if (lineEnd <= framingEnd)
            fail(tooLongStatus, QString::fromLatin1(tooLongMessage));
        else
            fail(413, QStringLiteral("The chunked body carries more than %1 bytes of chunk sizes, extensions and trailers.")
                          .arg(m_limits.maxChunkFramingBytes));
    }
    return false;
}

// Decodes a chunked body (RFC 9112 section 7.1) from m_headStart as far as the input goes:
// chunk data is appended to the body once, framing lines are scanned once. Returns true when the
// request is complete.
bool HttpParser::parseChunked()
{
    for (;;) {
        switch (m_state) {
        case State::ChunkSize: {
            QByteArrayView line;
            if (!takeLine(m_limits.maxChunkLineBytes, 400, "A chunk size line (with its extensions) is too long.", &line))
                return false;
            qsizetype digits = 0;
            qint64 chunkSize = 0;
            for (; digits < line.size(); ++digits) {
                const char c = line.at(digits);
                int v;
                if (c >= '0' && c <= '9')
                    v = c - '0';
                else if (c >= 'a' && c <= 'f')
                    v = c - 'a' + 10;
                else if (c >= 'A' && c <= 'F')
                    v = c - 'A' + 10;
                else
                    break;
                if (digits >= 15) { // 15 hex digits stay far below qint64 overflow
                    fail(400, QStringLiteral("Chunk size is too large."));
                    return false;
                }
                chunkSize = chunkSize * 16 + v;
            }
            if (digits == 0) {
                fail(400, QStringLiteral("Malformed chunk size."));
                return false;
            }
            // Chunk extensions: ";name[=value]" after optional whitespace; read and ignored.
            const QByteArrayView extensions = trimmedOws(line.sliced(digits));
            if ((!extensions.isEmpty() && extensions.front() != ';') || !isFieldValue(extensions)) {
                fail(400, QStringLiteral("Malformed chunk size."));
                return false;
            }
            if (chunkSize > m_limits.maxBodyBytes - m_current.body.size()) {
                fail(413, QStringLiteral("Request body is larger than %1 bytes.").arg(m_limits.maxBodyBytes));
                return false;
            }
            if (chunkSize == 0) {
                m_state = State::Trailer;
            } else {
                m_bodyNeeded = chunkSize;
                m_state = State::ChunkData;
            }
            break;
        }
        case State::ChunkData: {
            const qint64 take = std::min<qint64>(m_bodyNeeded, m_buf.size() - m_headStart);
            if (take <= 0)
                return false;
            m_current.body.append(m_buf.constData() + m_headStart, take);
            m_headStart += take;
            m_scanned = m_headStart;
            m_bodyNeeded -= take;
            if (m_bodyNeeded > 0)
                return false;
            m_state = State::ChunkDataEnd;
            break;
        }
        case State::ChunkDataEnd: {
            const qsizetype available = m_buf.size() - m_headStart;
            if (available < 1)
                return false;
            if (m_buf.at(m_headStart) != '\r' || (available >= 2 && m_buf.at(m_headStart + 1) != '\n')) {
                fail(400, QStringLiteral("Chunk data is not followed by CRLF."));
                return false;
            }
            if (available < 2)
                return false;
            m_headStart += 2;
            m_scanned = m_headStart;
            m_framingBytes += 2;
            m_state = State::ChunkSize;
            break;
        }
        case State::Trailer: {
            QByteArrayView line;
            if (!takeLine(m_limits.maxHeaderBytes, 431, "A trailer field is too large.", &line))
                return false;
            if (line.isEmpty()) {
                finishRequest(m_headStart);
                return true;
            }
            // Trailer fields are checked like header fields, then ignored (never merged into the headers).
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line.first(colon)) || !isFieldValue(line.sliced(colon + 1))) {
                fail(400, QStringLiteral("Malformed trailer field."));
                return false;
            }
            if (++m_trailerCount > m_limits.maxHeaderCount) {
                fail(431, QStringLiteral("Too many trailer fields."));
                return false;
            }
            break;
        }
        default:
            return false;
        }
    }
}

} // namespace qrt::webhook
