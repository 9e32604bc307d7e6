#pragma once

#include <QTest>

// QVERIFY for a core::Result: on failure the message is the error a user would see.
// (QCOMPARE on TicketStatus: compare core::toString(a) with core::toString(b); core::toString
// returns QString and argument-dependent lookup finds it inside QTest.)
#define QVERIFY_OK(expr)                                                                                              \
    do {                                                                                                              \
        const auto &r_ = (expr);                                                                                      \
        QVERIFY2(r_.ok(), qPrintable(r_.ok() ? QString() : r_.error().toString()));                                   \
    } while (false)
