#include "ghlsim/simmultipart.h"

namespace qrt::ghlsim {

namespace {

// The value of `key` in a header's parameters (`; key=value` or `; key="value"`), or a null array.
QByteArray parameter(const QByteArray &header, const QByteArray &key)
{
    const QList<QByteArray> items = header.split(';');
    for (qsizetype i = 1; i < items.size(); ++i) {
        const QByteArray item = items.at(i).trimmed();
        const qsizetype eq = item.indexOf('=');
        if (eq <= 0 || item.left(eq).trimmed().toLower() != key)
            continue;
        QByteArray value = item.mid(eq + 1).trimmed();
        if (value.size() >= 2 && value.startsWith('"') && value.endsWith('"'))
            value = value.mid(1, value.size() - 2);
        return value.isNull() ? QByteArray("") : value;
    }
    return {};
}

} // namespace

bool parseMultipart(const QByteArray &contentType, const QByteArray &body, QList<MultipartPart> *parts,
                    QString *error)
{
    if (!contentType.trimmed().toLower().startsWith("multipart/form-data")) {
        *error = QStringLiteral("Content-Type must be multipart/form-data");
        return false;
    }
    const QByteArray boundary = parameter(contentType, "boundary");
    if (boundary.isEmpty() || boundary.size() > 70) {
        *error = QStringLiteral("multipart/form-data needs a boundary");
        return false;
    }
    const QByteArray delimiter = "--" + boundary;
    qsizetype pos = body.indexOf(delimiter);
    if (pos < 0 || (pos > 0 && body.mid(pos - 2, 2) != "\r\n")) {
        *error = QStringLiteral("the multipart body does not start with its boundary");
        return false;
    }
    pos += delimiter.size();
    const QByteArray next = "\r\n" + delimiter;
    while (true) {
        if (body.mid(pos, 2) == "--")
            return true; // the close delimiter
        if (body.mid(pos, 2) != "\r\n") {
            *error = QStringLiteral("a multipart boundary is not followed by a line break");
            return false;
        }
        pos += 2;
        const qsizetype headersEnd = body.indexOf("\r\n\r\n", pos);
        const qsizetype end = body.indexOf(next, pos);
        if (end < 0) {
            *error = QStringLiteral("the multipart body has no closing boundary");
            return false;
        }
        MultipartPart part;
        QByteArray disposition;
        if (headersEnd >= 0 && headersEnd <= end) {
            const QList<QByteArray> lines = body.mid(pos, headersEnd - pos).split('\n');
            for (QByteArray line : lines) {
                line = line.trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed().toLower();
                const QByteArray value = line.mid(colon + 1).trimmed();
                if (name == "content-disposition")
                    disposition = value;
                else if (name == "content-type")
                    part.contentType = value.split(';').first().trimmed().toLower();
            }
            part.body = body.mid(headersEnd + 4, end - headersEnd - 4);
        } else {
            part.body = body.mid(pos, end - pos); // no headers at all
        }
        if (!disposition.toLower().startsWith("form-data")) {
            *error = QStringLiteral("a multipart part has no Content-Disposition: form-data");
            return false;
        }
        part.name = QString::fromUtf8(parameter(disposition, "name"));
        const QByteArray fileName = parameter(disposition, "filename");
        part.hasFileName = !fileName.isNull();
        part.fileName = QString::fromUtf8(fileName);
        parts->append(part);
        pos = end + next.size();
    }
}

} // namespace qrt::ghlsim
