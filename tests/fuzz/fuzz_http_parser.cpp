// libFuzzer target: the HTTP parser must never crash, never exceed its limits, and give the same
// result however the input is split. The first input byte chooses the split; the rest is the stream.

#include "webhook/httpparser.h"

#include <cstddef>
#include <cstdint>

using qrt::webhook::HttpParser;
using qrt::webhook::HttpRequest;

namespace {

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
        while (parser.hasRequest())
            out.requests.append(parser.takeRequest());
        (void)parser.takeContinueRequest();
    }
    out.error = parser.errorStatus();
    return out;
}

void check(bool condition)
{
    if (!condition)
        __builtin_trap();
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
    const qsizetype chunk = 1 + data[0] % 97;
    const QByteArrayView input(reinterpret_cast<const char *>(data + 1), static_cast<qsizetype>(size - 1));

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
        check(a.rawSize - a.body.size() <= limits.maxHeaderBytes + 4);
        check(a.headers.size() <= limits.maxHeaderCount);
        consumed += a.rawSize;
    }
    check(consumed <= input.size());
    check(whole.error == 0 || whole.error == 400 || whole.error == 411 || whole.error == 413 || whole.error == 431
          || whole.error == 505);
    return 0;
}
