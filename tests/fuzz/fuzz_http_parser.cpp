// libFuzzer target: the HTTP parser must never crash, never exceed its limits, and give the same
// result however the input is split. The first input byte chooses the split and the mode; the rest
// is the stream (modes 0-1), a chunked body after a fixed head (mode 2: the fuzzer drives chunk
// sizes, extensions and trailers), or a payload that is chunk-encoded and must decode to itself
// (mode 3). Parsing pauses after maxPendingRequests requests until they are taken.

#include "webhook/httpparser.h"

#include <cstddef>
#include <cstdint>

using qrt::webhook::HttpParser;
using qrt::webhook::HttpRequest;

namespace {

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
}

struct Outcome
{
    QList<HttpRequest> requests;
    int error = 0;
};

Outcome run(QByteArrayView input, qsizetype chunk, const HttpParser::Limits &limits)
{
    HttpParser parser(limits);
    Outcome out;
    for (qsizetype pos = 0; pos < input.size(); pos += chunk) {
        parser.feed(input.sliced(pos, std::min(chunk, input.size() - pos)));
        // Parsing pauses at maxPendingRequests until they are taken; an empty feed resumes it.
        while (parser.hasRequest()) {
            int pending = 0;
            while (parser.hasRequest()) {
                out.requests.append(parser.takeRequest());
                check(++pending <= limits.maxPendingRequests);
            }
            parser.feed({});
        }
        (void)parser.takeContinueRequest();
    }
    out.error = parser.errorStatus();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    HttpParser::Limits limits;
    limits.maxHeaderBytes = 2048;
    limits.maxBodyBytes = 4096;
    limits.maxHeaderCount = 20;
    limits.maxTargetBytes = 512;
    limits.maxChunkLineBytes = 64;
    limits.maxChunkFramingBytes = 1024;
    limits.maxPendingRequests = 3;
    const qsizetype chunk = 1 + data[0] % 97;
    const int mode = data[0] >> 6;
    const QByteArrayView rest(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));
    static const QByteArray chunkedHead = "POST /api/ghl/webhook-qr HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    QByteArray framed;
    if (mode == 2) {
        framed = chunkedHead + rest.toByteArray();
    } else if (mode == 3) {
        // Encode rest in chunks of `chunk` bytes (hex, with an extension on odd ones) plus a trailer.
        framed = chunkedHead;
        for (qsizetype pos = 0; pos < rest.size(); pos += chunk) {
            const qsizetype n = std::min(chunk, rest.size() - pos);
            framed += QByteArray::number(n, 16) + ((pos / chunk) % 2 ? ";e=1" : "") + "\r\n" + rest.sliced(pos, n).toByteArray() + "\r\n";
        }
        framed += "0\r\nX-T: v\r\n\r\n";
    }
    const QByteArrayView input = mode >= 2 ? QByteArrayView(framed) : rest;

    const Outcome whole = run(input, std::max<qsizetype>(input.size(), 1), limits);
    const Outcome split = run(input, chunk, limits);

    check(whole.error == split.error);
    check(whole.requests.size() == split.requests.size());
    qsizetype consumed = 0;
    for (qsizetype i = 0; i < whole.requests.size(); ++i) {
        const HttpRequest &a = whole.requests[i];
        const HttpRequest &b = split.requests[i];
        check(a.method == b.method && a.target == b.target && a.headers == b.headers && a.body == b.body);
        check(a.rawSize == b.rawSize && a.keepAlive == b.keepAlive);
        check(a.body.size() <= limits.maxBodyBytes);
        const bool chunked = a.hasHeader("transfer-encoding");
        check(a.rawSize - a.body.size() <= limits.maxHeaderBytes + 4 + (chunked ? limits.maxChunkFramingBytes : 0));
        check(a.headers.size() <= limits.maxHeaderCount);
        consumed += a.rawSize;
    }
    check(consumed <= input.size());
    check(whole.error == 0 || whole.error == 400 || whole.error == 411 || whole.error == 413 || whole.error == 414
          || whole.error == 431 || whole.error == 501 || whole.error == 505);
    if (mode == 3) {
        // A well-formed chunked body decodes to exactly its payload, or is refused for its size.
        const bool fits = rest.size() <= limits.maxBodyBytes
            && framed.size() - chunkedHead.size() - rest.size() <= limits.maxChunkFramingBytes;
        if (fits)
            check(whole.error == 0 && whole.requests.size() == 1 && whole.requests.first().body == rest
                  && whole.requests.first().rawSize == framed.size());
        else
            check(whole.error == 413 && whole.requests.isEmpty());
    }
    return 0;
}
