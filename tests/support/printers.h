#pragma once

// Note for QCOMPARE on TicketStatus or WebhookAuth: core::toString() returns QString and is found by
// argument-dependent lookup inside QTest, so compare core::toString(a) with core::toString(b).
