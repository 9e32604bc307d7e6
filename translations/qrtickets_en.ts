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
