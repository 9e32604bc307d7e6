<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>qrt::app</name>
    <message numerus="yes">
        <source>%1: applied %n migration(s), now at schema version %2.</source>
        <translation>
            <numerusform>%1: applied %n migration, now at schema version %2.</numerusform>
            <numerusform>%1: applied %n migrations, now at schema version %2.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Operator %1 removed; %n open session(s) ended.</source>
        <translation>
            <numerusform>Operator %1 removed; %n open session ended.</numerusform>
            <numerusform>Operator %1 removed; %n open sessions ended.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::app::serve</name>
    <message numerus="yes">
        <source>Reconciliation: now, then every %n second(s) ([sync] reconcile_interval_s).</source>
        <translation>
            <numerusform>Reconciliation: now, then every second ([sync] reconcile_interval_s).</numerusform>
            <numerusform>Reconciliation: now, then every %n seconds ([sync] reconcile_interval_s).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::app::sync</name>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n failed</numerusform>
            <numerusform>, %n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n unchanged</numerusform>
            <numerusform>, %n unchanged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n request(s)</source>
        <translation>
            <numerusform>, %n request</numerusform>
            <numerusform>, %n requests</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Sync %1 (%2) in %3: %4 of %n order(s) saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</source>
        <translation>
            <numerusform>Sync %1 (%2) in %3: %4 of %n order saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</numerusform>
            <numerusform>Sync %1 (%2) in %3: %4 of %n orders saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n GHL request(s).</source>
        <translation>
            <numerusform>%n GHL request.</numerusform>
            <numerusform>%n GHL requests.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCheck</name>
    <message numerus="yes">
        <source>%n ticket(s) to admit. Check who the guest is, then press Admit.</source>
        <translation>
            <numerusform>%n ticket to admit. Check who the guest is, then press Admit.</numerusform>
            <numerusform>%n tickets to admit. Check who the guest is, then press Admit.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) admitted now</source>
        <translation>
            <numerusform>%n ticket admitted now</numerusform>
            <numerusform>%n tickets admitted now</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorStation</name>
    <message numerus="yes">
        <source>%n admission(s) made offline are still to be sent.</source>
        <translation>
            <numerusform>%n admission made offline is still to be sent.</numerusform>
            <numerusform>%n admissions made offline are still to be sent.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more ticket(s) not tried: undo them again.</source>
        <translation>
            <numerusform>%n more ticket not tried: undo it again.</numerusform>
            <numerusform>%n more tickets not tried: undo them again.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ConnectionTest</name>
    <message numerus="yes">
        <source>Connected: the location has %n custom field(s).</source>
        <translation>
            <numerusform>Connected: the location has %n custom field.</numerusform>
            <numerusform>Connected: the location has %n custom fields.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlClient</name>
    <message numerus="yes">
        <source>GHL asks to wait %n minute(s) before the next request (its daily limit may be used up).</source>
        <translation>
            <numerusform>GHL asks to wait %n minute before the next request (its daily limit may be used up).</numerusform>
            <numerusform>GHL asks to wait %n minutes before the next request (its daily limit may be used up).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Gave up after %n attempt(s).</source>
        <translation>
            <numerusform>Gave up after %n attempt.</numerusform>
            <numerusform>Gave up after %n attempts.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::ArrivalsChart</name>
    <message numerus="yes">
        <source>%1 (%n inside)</source>
        <translation>
            <numerusform>%1 (%n inside)</numerusform>
            <numerusform>%1 (%n inside)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Inside now: %n</source>
        <translation>
            <numerusform>Inside now: %n</numerusform>
            <numerusform>Inside now: %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::CheckInPanel</name>
    <message numerus="yes">
        <source>Makes the %n ticket(s) just admitted live again</source>
        <translation>
            <numerusform>Makes the ticket just admitted live again</numerusform>
            <numerusform>Makes the %n tickets just admitted live again</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) are live again.</source>
        <translation>
            <numerusform>%n ticket is live again.</numerusform>
            <numerusform>%n tickets are live again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) of %1 are live again.</source>
        <translation>
            <numerusform>%n ticket of %1 is live again.</numerusform>
            <numerusform>%n tickets of %1 are live again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s)</source>
        <translation>
            <numerusform>Undone: %n ticket</numerusform>
            <numerusform>Undone: %n tickets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s) of %1</source>
        <translation>
            <numerusform>Undone: %n ticket of %1</numerusform>
            <numerusform>Undone: %n tickets of %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::EventOverview</name>
    <message numerus="yes">
        <source>%1 of %n ticket(s) admitted, %2 still to come.</source>
        <translation>
            <numerusform>%1 of %n ticket admitted, %2 still to come.</numerusform>
            <numerusform>%1 of %n tickets admitted, %2 still to come.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerPanel</name>
    <message numerus="yes">
        <source>Dead after %n attempt(s)</source>
        <translation>
            <numerusform>Dead after %n attempt</numerusform>
            <numerusform>Dead after %n attempts</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::MainWindow</name>
    <message numerus="yes">
        <source>%n order(s) loaded, counting…</source>
        <translation>
            <numerusform>%n order loaded, counting…</numerusform>
            <numerusform>%n orders loaded, counting…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n order</numerusform>
            <numerusform>%n orders</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Last sync: %1, %2 (%n order(s), %3 failed)</source>
        <translation>
            <numerusform>Last sync: %1, %2 (%n order, %3 failed)</numerusform>
            <numerusform>Last sync: %1, %2 (%n orders, %3 failed)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::MappingsSettingsPage</name>
    <message numerus="yes">
        <source>%n custom field(s) loaded from GHL.</source>
        <translation>
            <numerusform>%n custom field loaded from GHL.</numerusform>
            <numerusform>%n custom fields loaded from GHL.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1: the ticket PDF will be uploaded for up to %n past order(s) of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</source>
        <translation>
            <numerusform>%1: the ticket PDF will be uploaded for up to %n past order of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</numerusform>
            <numerusform>%1: the ticket PDF will be uploaded for up to %n past orders of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::OfflineBar</name>
    <message numerus="yes">
        <source>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admission(s) wait to be sent.</source>
        <translation>
            <numerusform>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admission waits to be sent.</numerusform>
            <numerusform>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admissions wait to be sent.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online, but %n admission(s) made offline could not be sent: %1 They are sent again every second.</source>
        <translation>
            <numerusform>Online, but %n admission made offline could not be sent: %1 It is sent again every second.</numerusform>
            <numerusform>Online, but %n admissions made offline could not be sent: %1 They are sent again every second.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Back online: sending %n admission(s) made offline.</source>
        <translation>
            <numerusform>Back online: sending %n admission made offline.</numerusform>
            <numerusform>Back online: sending %n admissions made offline.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online. %n ticket(s) admitted offline here had already been admitted at another entrance.</source>
        <translation>
            <numerusform>Online. %n ticket admitted offline here had already been admitted at another entrance.</numerusform>
            <numerusform>Online. %n tickets admitted offline here had already been admitted at another entrance.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online. %n offline admission(s) could not be sent: see Conflicts.</source>
        <translation>
            <numerusform>Online. %n offline admission could not be sent: see Conflicts.</numerusform>
            <numerusform>Online. %n offline admissions could not be sent: see Conflicts.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderDialog</name>
    <message numerus="yes">
        <source>Cancel %n ticket(s) of order %1? The holders will not be admitted.</source>
        <translation>
            <numerusform>Cancel %n ticket of order %1? The holder will not be admitted.</numerusform>
            <numerusform>Cancel %n tickets of order %1? The holders will not be admitted.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) saved to %1.</source>
        <translation>
            <numerusform>%n ticket saved to %1.</numerusform>
            <numerusform>%n tickets saved to %1.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsDialog</name>
    <message numerus="yes">
        <source>%n setting(s) need attention before they can be saved.</source>
        <translation>
            <numerusform>%n setting needs attention before it can be saved.</numerusform>
            <numerusform>%n settings need attention before they can be saved.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::StationSettingsPage</name>
    <message numerus="yes">
        <source>%n camera(s) connected.</source>
        <translation>
            <numerusform>%n camera connected.</numerusform>
            <numerusform>%n cameras connected.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::SyncDialog</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n second</numerusform>
            <numerusform>%n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n order</numerusform>
            <numerusform>%n orders</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n unchanged</numerusform>
            <numerusform>, %n unchanged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n failed</numerusform>
            <numerusform>, %n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 ... %n request(s) sent to GHL</source>
        <translation>
            <numerusform>%1 ... %n request sent to GHL</numerusform>
            <numerusform>%1 ... %n requests sent to GHL</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Waiting for GHL rate limit (%n s)</source>
        <translation>
            <numerusform>Waiting for GHL rate limit (%n s)</numerusform>
            <numerusform>Waiting for GHL rate limit (%n s)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) synced</source>
        <translation>
            <numerusform>%n order synced</numerusform>
            <numerusform>%n orders synced</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n unchanged</numerusform>
            <numerusform>%n unchanged</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n failed</numerusform>
            <numerusform>%n failed</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>GHL asked us to slow down %n time(s); the sync waited and went on.</source>
        <translation>
            <numerusform>GHL asked us to slow down once; the sync waited and went on.</numerusform>
            <numerusform>GHL asked us to slow down %n times; the sync waited and went on.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::UsersPage</name>
    <message numerus="yes">
        <source>%n user(s), %1 linked to a database login.</source>
        <translation>
            <numerusform>%n user, %1 linked to a database login.</numerusform>
            <numerusform>%n users, %1 linked to a database login.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s).</source>
        <translation>
            <numerusform>%n user.</numerusform>
            <numerusform>%n users.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileStatus</name>
    <message numerus="yes">
        <source>Last reconciliation %1 by %2: %n order(s) synced</source>
        <translation>
            <numerusform>Last reconciliation %1 by %2: %n order synced</numerusform>
            <numerusform>Last reconciliation %1 by %2: %n orders synced</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source> (%n new)</source>
        <translation>
            <numerusform> (%n new)</numerusform>
            <numerusform> (%n new)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n QR code(s) delivered</source>
        <translation>
            <numerusform>, %n QR code delivered</numerusform>
            <numerusform>, %n QR codes delivered</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failure(s).</source>
        <translation>
            <numerusform>, %n failure.</numerusform>
            <numerusform>, %n failures.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncRun</name>
    <message numerus="yes">
        <source>Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were not saved. Orders saved before are complete; run the sync again once the database is back. %1</source>
        <translation>
            <numerusform>Saving orders to the database failed, so the sync stopped; %n order of the last batch was not saved. Orders saved before are complete; run the sync again once the database is back. %1</numerusform>
            <numerusform>Saving orders to the database failed, so the sync stopped; %n orders of the last batch were not saved. Orders saved before are complete; run the sync again once the database is back. %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The sync was cancelled; %n order(s) were saved before it stopped.</source>
        <translation>
            <numerusform>The sync was cancelled; %n order was saved before it stopped.</numerusform>
            <numerusform>The sync was cancelled; %n orders were saved before it stopped.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncWriter</name>
    <message numerus="yes">
        <source>%1 (gave up after %n attempt(s))</source>
        <translation>
            <numerusform>%1 (gave up after %n attempt)</numerusform>
            <numerusform>%1 (gave up after %n attempts)</numerusform>
        </translation>
    </message>
</context>
</TS>
