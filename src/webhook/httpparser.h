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
// Choices: Transfer-Encoding (chunked or any other) is refused with 411, since GHL and every
// client we serve send Content-Length; a POST/PUT/PATCH without Content-Length is 411 too.
class HttpParser
{
public:
    struct Limits
    {
        qsizetype maxHeaderBytes = 16 * 1024; // request line + headers + blank line
        qint64 maxBodyBytes = 1024 * 1024;
        int maxHeaderCount = 100;
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
    // Set once per request whose head asked for "Expect: 100-continue" and whose body is awaited.
    bool takeContinueRequest();

    const Limits &limits() const { return m_limits; }

private:
    enum class State { Head, Body, Error };

    void parseAvailable();
    bool scanHead();
    bool parseHead(QByteArrayView head);
    void fail(int status, QString message);

    Limits m_limits;
    State m_state = State::Head;
    QByteArray m_buf;         // unconsumed input
    qsizetype m_pos = 0;      // start of the current request in m_buf
    qsizetype m_headStart = 0; // after leading blank lines
    qsizetype m_scanned = 0;  // head bytes already checked for the terminator
    qint64 m_bodyNeeded = 0;
    bool m_continueRequested = false;
    HttpRequest m_current;
    QList<HttpRequest> m_ready;
    int m_errorStatus = 0;
    QString m_errorMessage;
};

} // namespace qrt::webhook
