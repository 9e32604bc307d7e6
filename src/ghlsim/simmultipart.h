#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace qrt::ghlsim {

// One part of a multipart/form-data body (RFC 7578), as the upload endpoint reads it.
struct MultipartPart
{
    QString name;       // Content-Disposition name
    QString fileName;   // Content-Disposition filename; empty for a plain form field
    bool hasFileName = false;
    QByteArray contentType; // the part's Content-Type, lower-case, without parameters
    QByteArray body;
};

// Splits a multipart/form-data body. contentType is the request's Content-Type header (its
// boundary parameter is needed). false with *error set when the body is not well-formed.
bool parseMultipart(const QByteArray &contentType, const QByteArray &body, QList<MultipartPart> *parts,
                    QString *error);

} // namespace qrt::ghlsim
