#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>

namespace qrt::ghlsim {

// What the simulator answers to one request, before the transport puts it on the wire.
struct SimResponse
{
    int status = 200;
    QByteArray body; // JSON, or what a fault made of it
    QList<QPair<QByteArray, QByteArray>> headers;
    bool hang = false;    // never answered (a fault): the client has to give up
    bool faulted = false; // an injected fault answered, not the API

    static SimResponse json(const QJsonObject &body); // 200
    // GHL's error body: {"statusCode", "message"} (+ "error" for 422); message is a string or,
    // for validation errors, an array of strings.
    static SimResponse error(int status, const QJsonValue &message);
};

} // namespace qrt::ghlsim
