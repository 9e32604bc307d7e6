#pragma once

#include "webhook/httpmessage.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace qrt::webhook {

// An incremental, strict HTTP/1.1 request parser with no I/O: feed it bytes in any split and it
// yields complete requests in order (pipelining) or, once, an error status. After an error the
// stream cannot be re-synchronised and the connection must answer and close.
//
// Bodies come with Content-Length or "Transfer-Encoding: chunked" (RFC 9112 section 7.1; tunnels
// and reverse proxies re-frame bodies): the chunked body is decoded as it arrives, the size limit
// counts decoded bytes, chunk extensions and trailer fields are read within bounds and ignored.
// Content-Length with Transfer-Encoding is 400, a transfer coding other than chunked 501, and a
// POST/PUT/PATCH with neither header 411. An absolute-form target ("http://host/path") is reduced
// to its path and query; a target longer than maxTargetBytes is 414; a request line without a
// version (HTTP/0.9) is 400 at once.
class HttpParser
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 16 * 1024; // request line + headers + blank line
        qint64 maxBodyBytes = 1024 * 1024;
        int maxHeaderCount = 100;
        qsizetype maxTargetBytes = 8 * 1024; // request target; longer is 414
        // Chunked bodies: one chunk-size line with its extensions, and all framing of one body
        // (size lines, CRLFs, trailer fields) beyond the decoded bytes.
        qsizetype maxChunkLineBytes = 1024;
        qsizetype maxChunkFramingBytes = 32 * 1024;
        // Parsed requests held until taken: parsing pauses beyond it (a pipeline flood is parsed
        // as it is consumed, not all at once); feed() with no bytes resumes it.
        int maxPendingRequests = 32;
    };

    HttpParser();
    explicit HttpParser(const Limits &limits);

    // Returns false once the parser is in the error state.
    bool feed(QByteArrayView bytes);

    bool hasRequest() const { return !m_ready.isEmpty(); }
    HttpRequest takeRequest();

    bool hasError() const { return m_errorStatus != 0; }
    int errorStatus() const { return m_errorStatus; }
    const QString &errorMessage() const { return m_errorMessage; }

    // True between complete requests: no partial request is buffered.
    bool idle() const;
    // True once the head of the current request is parsed and its body is awaited.
    bool inBody() const { return m_state != State::Head && m_state != State::Error; }
    // Bytes not yet part of a request (a partial head, or input parsing paused on), 0 in a body.
    qsizetype unparsedBytes() const { return m_state == State::Head ? m_buf.size() - m_pos : 0; }
    // Memory the current request's body takes or was declared to take: a Content-Length body
    // counts in full as soon as its head is parsed; a chunked one as it is decoded.
    qint64 bodyBytesReserved() const;
    // Set once per request whose head asked for "Expect: 100-continue" and whose body is awaited.
    bool takeContinueRequest();

    const Limits &limits() const { return m_limits; }

private:
    enum class State { Head, Body, ChunkSize, ChunkData, ChunkDataEnd, Trailer, Error };

    void parseAvailable();
    bool scanHead();
    bool parseRequestLine(QByteArrayView line);
    void failLongRequestLine(QByteArrayView line);
    bool parseHead(QByteArrayView head);
    bool parseChunked(); // true when the request completed
    // One CRLF-terminated line of chunk framing at m_headStart, within maxBytes and the framing budget.
    bool takeLine(qsizetype maxBytes, int tooLongStatus, const char *tooLongMessage, QByteArrayView *line);
    void finishRequest(qsizetype end);
    void fail(int status, QString message);

    Limits m_limits;
    State m_state = State::Head;
    QByteArray m_buf;         // unconsumed input
    qsizetype m_pos = 0;      // start of the current request in m_buf
    qsizetype m_headStart = 0; // after leading blank lines
    qsizetype m_scanned = 0;  // head (or chunk framing) bytes already checked
    qsizetype m_requestLineBytes = -1; // length of the validated request line; -1 until complete
    qint64 m_bodyNeeded = 0;  // Content-Length body, or the rest of the current chunk
    qsizetype m_framingBytes = 0; // chunk framing of the current body so far
    int m_trailerCount = 0;
    bool m_continueRequested = false;
    HttpRequest m_current;
    QList<HttpRequest> m_ready;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

} // namespace qrt::webhook
