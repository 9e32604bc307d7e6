#include "door/scaninput.h"

#include <QRegularExpression>
#include <QUrl>

namespace qrt::door {

namespace {
bool isHex(const QString &s)
{
    static const QRegularExpression hex(QStringLiteral("^[0-9a-fA-F]+$"));
    return hex.match(s).hasMatch();
}

bool plausibleOrderId(const QString &s)
{
    static const QRegularExpression id(QStringLiteral("^[A-Za-z0-9_-]{6,64}$"));
    return id.match(s).hasMatch();
}
} // namespace

ScanInput parseScan(const QString &text, const QString &urlTemplate)
{
    // Scanners sometimes add a trailing CR/tab or a keyboard-layout stray space.
    const QString input = text.trimmed();
    if (input.isEmpty())
        return {};
    if (input.size() == 32 && isHex(input))
        return { ScanInput::Kind::TicketCode, input.toLower() };

    const qsizetype marker = urlTemplate.indexOf(QStringLiteral("{order_id}"));
    if (marker >= 0) {
        const QString prefix = urlTemplate.left(marker);
        const QString suffix = urlTemplate.mid(marker + 10);
        if (input.size() > prefix.size() + suffix.size() && input.startsWith(prefix, Qt::CaseInsensitive)
            && input.endsWith(suffix, Qt::CaseInsensitive)) {
            const QString id = input.mid(prefix.size(), input.size() - prefix.size() - suffix.size());
            if (plausibleOrderId(id))
                return { ScanInput::Kind::OrderId, id };
        }
    }
    const QUrl url(input, QUrl::StrictMode);
    if (url.isValid() && !url.scheme().isEmpty() && !url.host().isEmpty()) {
        const QString last = url.path().section(u'/', -1, -1, QString::SectionSkipEmpty);
        if (last.size() == 32 && isHex(last))
            return { ScanInput::Kind::TicketCode, last.toLower() };
        if (plausibleOrderId(last))
            return { ScanInput::Kind::OrderId, last };
        return { ScanInput::Kind::Unrecognised, input };
    }
    if (plausibleOrderId(input))
        return { ScanInput::Kind::OrderId, input };
    return { ScanInput::Kind::Unrecognised, input };
}

} // namespace qrt::door
