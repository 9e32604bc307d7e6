#pragma once

#include <QHostAddress>
#include <QTcpServer>

namespace qrt::test {

// A TCP port on 127.0.0.1 that nothing listens on now: for a server the test starts next, or an
// address that refuses connections. (Needs Qt6::Network in the suite.)
inline quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort(); // closed again when `probe` goes
}

} // namespace qrt::test
