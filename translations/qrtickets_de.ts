<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>CheckInPanel</name>
    <message>
        <source>Scan a ticket or order QR code (or type an order id) and press Enter. Esc clears.</source>
        <translation>Scannen Sie einen Ticket- oder Bestell-QR-Code (oder tippen Sie eine Bestellnummer) und drücken Sie Enter. Esc leert das Feld.</translation>
    </message>
    <message>
        <source>Scan here</source>
        <translation>Hier scannen</translation>
    </message>
    <message>
        <source>Scan field</source>
        <translation>Scanfeld</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Bild öffnen…</translation>
    </message>
    <message>
        <source>Read a QR code from an image file (photo, screenshot, PDF export)</source>
        <translation>QR-Code aus einer Bilddatei lesen (Foto, Bildschirmfoto, PDF-Export)</translation>
    </message>
    <message>
        <source>Check-in result</source>
        <translation>Einlass-Ergebnis</translation>
    </message>
    <message>
        <source>Ready to scan</source>
        <translation>Bereit zum Scannen</translation>
    </message>
    <message>
        <source>Check-in details</source>
        <translation>Einlass-Details</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Alle übri&amp;gen einlassen</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>Letzten Einlass &amp;rückgängig machen</translation>
    </message>
    <message>
        <source>Recent scans</source>
        <translation>Letzte Scans</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Einen &amp;weiteren einlassen</translation>
    </message>
    <message>
        <source>Ad&amp;mitting for:</source>
        <translation>Einlass &amp;für:</translation>
    </message>
    <message>
        <source>Events this station admits for</source>
        <translation>Veranstaltungen, für die diese Station einlässt</translation>
    </message>
    <message>
        <source>Tickets of other events are refused here ([door] event)</source>
        <translation>Tickets anderer Veranstaltungen werden hier abgewiesen ([door] event)</translation>
    </message>
    <message>
        <source>Admit an&amp;yway</source>
        <translation>&amp;Trotzdem einlassen</translation>
    </message>
    <message>
        <source>Let the guest in although the order is not paid (recorded as unpaid)</source>
        <translation>Den Gast einlassen, obwohl die Bestellung nicht bezahlt ist (wird als unbezahlt vermerkt)</translation>
    </message>
</context>
<context>
    <name>DatabaseSettingsPage</name>
    <message>
        <source>Database &amp;URL:</source>
        <translation>Datenbank-&amp;URL:</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///pfad/datei.db oder postgresql://benutzer:passwort@host:port/dbname</translation>
    </message>
    <message>
        <source>Changing the database takes effect after a restart.</source>
        <translation>Eine andere Datenbank gilt erst nach einem Neustart.</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
    <message>
        <source>Opens a connection to this database</source>
        <translation>Öffnet eine Verbindung zu dieser Datenbank</translation>
    </message>
</context>
<context>
    <name>GhlSettingsPage</name>
    <message>
        <source>Base &amp;URL:</source>
        <translation>Basis-&amp;URL:</translation>
    </message>
    <message>
        <source>https://services.leadconnectorhq.com</source>
        <translation>https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>&amp;Location ID:</source>
        <translation>&amp;Standort-ID:</translation>
    </message>
    <message>
        <source>GHL sub-account (location) id</source>
        <translation>GHL-Unterkonto-ID (Standort)</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>Private Integration Token</source>
        <translation>Private-Integration-Token</translation>
    </message>
    <message>
        <source>Test &amp;connection</source>
        <translation>&amp;Verbindung testen</translation>
    </message>
    <message>
        <source>Lists the custom fields of the location with these settings</source>
        <translation>Listet mit diesen Einstellungen die benutzerdefinierten Felder des Standorts auf</translation>
    </message>
</context>
<context>
    <name>ListenerPanel</name>
    <message>
        <source>Listener</source>
        <translation>Webhook-Empfang</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Status:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse:</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Authentifizierung:</translation>
    </message>
    <message>
        <source>Accepted today:</source>
        <translation>Heute angenommen:</translation>
    </message>
    <message>
        <source>Waiting:</source>
        <translation>Wartend:</translation>
    </message>
    <message>
        <source>Dead events:</source>
        <translation>Tote Ereignisse:</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>Empfang &amp;starten</translation>
    </message>
    <message>
        <source>Send &amp;test webhook</source>
        <translation>&amp;Test-Webhook senden</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Sendet einen OrderCreate-Webhook für eine Demo-Bestellung an diesen Webhook-Empfang</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Aktualisieren</translation>
    </message>
    <message>
        <source>Recent deliveries</source>
        <translation>Letzte Zustellungen</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>&amp;Wiederholen</translation>
    </message>
    <message>
        <source>Puts the selected event back in the queue</source>
        <translation>Stellt das ausgewählte Ereignis wieder in die Warteschlange</translation>
    </message>
</context>
<context>
    <name>ListenerSettingsPage</name>
    <message>
        <source>Start the webhook &amp;listener with the application</source>
        <translation>Webhook-&amp;Empfang mit der Anwendung starten</translation>
    </message>
    <message>
        <source>&amp;Bind address:</source>
        <translation>&amp;Bind-Adresse:</translation>
    </message>
    <message>
        <source>127.0.0.1</source>
        <translation>127.0.0.1</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port:</translation>
    </message>
    <message>
        <source>8787</source>
        <translation>8787</translation>
    </message>
    <message>
        <source>Pa&amp;th:</source>
        <translation>Pfa&amp;d:</translation>
    </message>
    <message>
        <source>/api/ghl/webhook-qr</source>
        <translation>/api/ghl/webhook-qr</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>&amp;Authentifizierung:</translation>
    </message>
    <message>
        <source>Shared &amp;secret:</source>
        <translation>Gemeinsames &amp;Geheimnis:</translation>
    </message>
    <message>
        <source>GHL public &amp;key:</source>
        <translation>Öffentlicher GHL-&amp;Schlüssel:</translation>
    </message>
    <message>
        <source>base64 SPKI or the path of a PEM file</source>
        <translation>base64-SPKI oder Pfad einer PEM-Datei</translation>
    </message>
    <message>
        <source>Also accept the le&amp;gacy x-wh-signature (RSA-SHA256)</source>
        <translation>Auch die &amp;veraltete x-wh-signature akzeptieren (RSA-SHA256)</translation>
    </message>
    <message>
        <source>Largest bod&amp;y (bytes):</source>
        <translation>Größter &amp;Inhalt (Bytes):</translation>
    </message>
    <message>
        <source>1048576</source>
        <translation>1048576</translation>
    </message>
    <message>
        <source>&amp;Replay window (s):</source>
        <translation>&amp;Replay-Fenster (s):</translation>
    </message>
    <message>
        <source>4500</source>
        <translation>4500</translation>
    </message>
    <message>
        <source>Reconcile e&amp;very (s):</source>
        <translation>Abgleich a&amp;lle (s):</translation>
    </message>
    <message>
        <source>600</source>
        <translation>600</translation>
    </message>
    <message>
        <source>While the listener runs: an incremental sync and the QR codes still missing, every so many seconds (at least 5; 0 turns it off).</source>
        <translation>Solange der Webhook-Empfang läuft: alle so viele Sekunden eine inkrementelle Synchronisierung und die noch fehlenden QR-Codes (mindestens 5; 0 schaltet es aus).</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>QR Tickets</source>
        <translation>QR Tickets</translation>
    </message>
    <message>
        <source>&amp;Orders</source>
        <translation>Be&amp;stellungen</translation>
    </message>
    <message>
        <source>Search order, name, e-mail or phone (Ctrl+F)</source>
        <translation>Bestellung, Name, E-Mail oder Telefon suchen (Strg+F)</translation>
    </message>
    <message>
        <source>Search orders</source>
        <translation>Bestellungen suchen</translation>
    </message>
    <message>
        <source>Event filter</source>
        <translation>Veranstaltungsfilter</translation>
    </message>
    <message>
        <source>Payment status filter</source>
        <translation>Zahlungsstatusfilter</translation>
    </message>
    <message>
        <source>Check-in filter</source>
        <translation>Einlassfilter</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Bestellungen</translation>
    </message>
    <message>
        <source>No orders yet</source>
        <translation>Noch keine Bestellungen</translation>
    </message>
    <message>
        <source>1. Configure GHL…</source>
        <translation>1. GHL einrichten…</translation>
    </message>
    <message>
        <source>2. Sync now</source>
        <translation>2. Jetzt synchronisieren</translation>
    </message>
    <message>
        <source>&amp;Check-in</source>
        <translation>&amp;Einlass</translation>
    </message>
    <message>
        <source>Event o&amp;verview</source>
        <translation>Veranstaltungs&amp;übersicht</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>E&amp;xtras</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>&amp;Sync…</source>
        <translation>&amp;Synchronisieren…</translation>
    </message>
    <message>
        <source>Fetch orders from GoHighLevel (F5)</source>
        <translation>Bestellungen von GoHighLevel abrufen (F5)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>GHL connection, database, listener, QR codes, station (Ctrl+,)</source>
        <translation>GHL-Verbindung, Datenbank, Webhook-Empfang, QR-Codes, Station (Strg+,)</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>&amp;Find order</source>
        <translation>Bestellung &amp;finden</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>&amp;Open order</source>
        <translation>Bestellung &amp;öffnen</translation>
    </message>
    <message>
        <source>Open the selected order (Enter or double-click)</source>
        <translation>Ausgewählte Bestellung öffnen (Enter oder Doppelklick)</translation>
    </message>
    <message>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <source>Admit people at the door by scanning their QR code (Ctrl+2)</source>
        <translation>Personen am Eingang durch Scannen ihres QR-Codes einlassen (Strg+2)</translation>
    </message>
    <message>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <source>Sold, admitted and remaining tickets per event (Ctrl+3)</source>
        <translation>Verkaufte, eingelassene und verbleibende Tickets je Veranstaltung (Strg+3)</translation>
    </message>
    <message>
        <source>Ctrl+3</source>
        <translation>Ctrl+3</translation>
    </message>
    <message>
        <source>&amp;Export order list as CSV…</source>
        <translation>Bestellliste als CSV &amp;exportieren…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>CSV exportieren</translation>
    </message>
    <message>
        <source>Save the orders shown (with the current search and filters) as a CSV file</source>
        <translation>Die angezeigten Bestellungen (mit aktueller Suche und Filtern) als CSV-Datei speichern</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Door list as C&amp;SV…</source>
        <translation>Einlassliste als C&amp;SV…</translation>
    </message>
    <message>
        <source>&amp;Print door list…</source>
        <translation>Einlassliste &amp;drucken…</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Einlassliste</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>&amp;Listener…</source>
        <translation>&amp;Webhook-Empfang…</translation>
    </message>
    <message>
        <source>Webhook listener: on/off, address, recent deliveries</source>
        <translation>Webhook-Empfang: an/aus, Adresse, letzte Zustellungen</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;About QR Tickets</source>
        <translation>&amp;Über QR Tickets</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>Event overvie&amp;w</source>
        <translation>Veranstaltungs&amp;übersicht</translation>
    </message>
    <message>
        <source>Door list as P&amp;DF…</source>
        <translation>Einlassliste als PD&amp;F…</translation>
    </message>
</context>
<context>
    <name>MappingsSettingsPage</name>
    <message>
        <source>Product to custom field mappings</source>
        <translation>Zuordnung von Produkten zu benutzerdefinierten Feldern</translation>
    </message>
    <message>
        <source>&amp;Load custom fields from GHL</source>
        <translation>Benutzerdefinierte Felder aus GHL &amp;laden</translation>
    </message>
    <message>
        <source>Choose the contact custom field that receives the QR code of each product (event) and, if you like, a File upload field for the buyer&apos;s tickets as a PDF (one page per ticket, each with its own QR code).</source>
        <translation>Wählen Sie das benutzerdefinierte Kontaktfeld, das den QR-Code jedes Produkts (jeder Veranstaltung) erhält, und auf Wunsch ein Feld vom Typ Datei-Upload für die Tickets des Käufers als PDF (eine Seite pro Ticket, jede mit eigenem QR-Code).</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Order:</source>
        <translation>Bestellung:</translation>
    </message>
    <message>
        <source>Contact:</source>
        <translation>Kontakt:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>E-Mail:</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Telefon:</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Veranstaltung:</translation>
    </message>
    <message>
        <source>Payment:</source>
        <translation>Zahlung:</translation>
    </message>
    <message>
        <source>Ordered:</source>
        <translation>Bestellt:</translation>
    </message>
    <message>
        <source>Tickets:</source>
        <translation>Tickets:</translation>
    </message>
    <message>
        <source>QR code of the order</source>
        <translation>QR-Code der Bestellung</translation>
    </message>
    <message>
        <source>&amp;Copy QR</source>
        <translation>QR &amp;kopieren</translation>
    </message>
    <message>
        <source>Save &amp;PNG…</source>
        <translation>&amp;PNG speichern…</translation>
    </message>
    <message>
        <source>&amp;Tickets</source>
        <translation>&amp;Tickets</translation>
    </message>
    <message>
        <source>Tickets of the order</source>
        <translation>Tickets der Bestellung</translation>
    </message>
    <message>
        <source>&amp;Admit next</source>
        <translation>Nächsten &amp;einlassen</translation>
    </message>
    <message>
        <source>&amp;Set to:</source>
        <translation>&amp;Setzen auf:</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>Neuer Status</translation>
    </message>
    <message>
        <source>Reason (needed to cancel, undo or restore)</source>
        <translation>Grund (nötig zum Stornieren, Rückgängigmachen oder Wiederherstellen)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>For s&amp;elected</source>
        <translation>Für &amp;ausgewählte</translation>
    </message>
    <message>
        <source>For a&amp;ll</source>
        <translation>Für a&amp;lle</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Verlauf</translation>
    </message>
    <message>
        <source>History of the order&apos;s tickets</source>
        <translation>Verlauf der Tickets der Bestellung</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>Tickets &amp;drucken…</translation>
    </message>
    <message>
        <source>Cancelled tickets are left out; used ones are marked &quot;Already admitted&quot;.</source>
        <translation>Stornierte Tickets werden ausgelassen; benutzte sind als „Bereits eingelassen“ markiert.</translation>
    </message>
</context>
<context>
    <name>QrSettingsPage</name>
    <message>
        <source>URL &amp;template:</source>
        <translation>URL-&amp;Vorlage:</translation>
    </message>
    <message>
        <source>https://qr.example.com/orders/{order_id}</source>
        <translation>https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>&amp;Size (px):</source>
        <translation>&amp;Größe (px):</translation>
    </message>
    <message>
        <source>300</source>
        <translation>300</translation>
    </message>
    <message>
        <source>&amp;Margin (modules):</source>
        <translation>&amp;Rand (Module):</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>&amp;Error correction:</source>
        <translation>&amp;Fehlerkorrektur:</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
</context>
<context>
    <name>StartupProblemDialog</name>
    <message>
        <source>QR Tickets – Database unavailable</source>
        <translation>QR Tickets – Datenbank nicht erreichbar</translation>
    </message>
    <message>
        <source>QR Tickets cannot open its database</source>
        <translation>QR Tickets kann seine Datenbank nicht öffnen</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>Erneut &amp;versuchen</translation>
    </message>
    <message>
        <source>Use this computer&apos;s &amp;local database</source>
        <translation>&amp;Lokale Datenbank dieses Computers verwenden</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
</context>
<context>
    <name>StationSettingsPage</name>
    <message>
        <source>Station &amp;name:</source>
        <translation>Stations&amp;name:</translation>
    </message>
    <message>
        <source>e.g. Front door</source>
        <translation>z. B. Vordereingang</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Sprache:</translation>
    </message>
    <message>
        <source>A new language takes effect after a restart.</source>
        <translation>Eine neue Sprache gilt erst nach einem Neustart.</translation>
    </message>
    <message>
        <source>Event &amp;feed token:</source>
        <translation>&amp;Feed-Token für Ereignisse:</translation>
    </message>
    <message>
        <source>empty: no token needed</source>
        <translation>leer: kein Token nötig</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>&amp;Kamera:</translation>
    </message>
    <message>
        <source>The camera the Camera button in Check-in scans with ([station] camera)</source>
        <translation>Die Kamera, mit der die Schaltfläche „Kamera“ im Einlass scannt ([station] camera)</translation>
    </message>
    <message>
        <source>&amp;Mirror the camera preview (a camera facing the guest)</source>
        <translation>Kamera&amp;vorschau spiegeln (Kamera zeigt zum Gast)</translation>
    </message>
</context>
<context>
    <name>SyncDialog</name>
    <message>
        <source>Sync with GHL</source>
        <translation>Mit GHL synchronisieren</translation>
    </message>
    <message>
        <source>What to sync</source>
        <translation>Was synchronisiert wird</translation>
    </message>
    <message>
        <source>&amp;Incremental: new and changed orders (recommended)</source>
        <translation>&amp;Inkrementell: neue und geänderte Bestellungen (empfohlen)</translation>
    </message>
    <message>
        <source>&amp;Full: fetch every order again</source>
        <translation>&amp;Vollständig: jede Bestellung neu abrufen</translation>
    </message>
    <message>
        <source>From an order &amp;list file (JSON array of order IDs):</source>
        <translation>Aus einer Bestell&amp;listen-Datei (JSON-Array von Bestell-IDs):</translation>
    </message>
    <message>
        <source>valid_order_list.json</source>
        <translation>valid_order_list.json</translation>
    </message>
    <message>
        <source>&amp;Browse...</source>
        <translation>&amp;Durchsuchen...</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Bestellungen auflisten</translation>
    </message>
    <message>
        <source>%v / %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <source>Fetching order details</source>
        <translation>Bestelldetails abrufen</translation>
    </message>
    <message>
        <source>Writing tickets</source>
        <translation>Tickets schreiben</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Zusammenfassung</translation>
    </message>
    <message>
        <source>Failed orders</source>
        <translation>Fehlgeschlagene Bestellungen</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>Jetzt &amp;synchronisieren</translation>
    </message>
    <message>
        <source>Starts the sync (F5)</source>
        <translation>Startet die Synchronisierung (F5)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stops the sync (Esc); orders already saved stay</source>
        <translation>Stoppt die Synchronisierung (Esc); bereits gespeicherte Bestellungen bleiben</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>S&amp;chließen</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>QR Tickets: GoHighLevel orders, QR codes and door check-in.

Commands (none: the desktop application):
  migrate   create or upgrade the database schema, then exit
</source>
        <translation>QR Tickets: GoHighLevel-Bestellungen, QR-Codes und Einlasskontrolle.

Befehle (keiner: die Desktop-Anwendung):
  migrate   Datenbankschema anlegen oder aktualisieren, dann beenden
</translation>
    </message>
    <message>
        <source>  sync      pull orders from GHL with a text progress bar
</source>
        <translation>  sync      Bestellungen aus GHL abrufen, mit Fortschrittsanzeige im Text
</translation>
    </message>
    <message>
        <source>  serve     run the webhook listener, inbox worker and event feed until stopped
</source>
        <translation>  serve     Webhook-Empfang, Inbox-Worker und Ereignis-Feed ausführen, bis sie gestoppt werden
</translation>
    </message>
    <message>
        <source>
Examples:
  qrtickets                                   open the desktop application
  qrtickets --demo                            try it against a built-in GHL simulator
  qrtickets migrate --database postgresql://qr:secret@db:5432/qrtickets
</source>
        <translation>
Beispiele:
  qrtickets                                   Desktop-Anwendung öffnen
  qrtickets --demo                            mit einem eingebauten GHL-Simulator ausprobieren
  qrtickets migrate --database postgresql://qr:secret@db:5432/qrtickets
</translation>
    </message>
    <message>
        <source>  QRTICKETS_GHL_TOKEN=pit-... qrtickets sync --mode incremental
  qrtickets sync --orders-file valid_order_list.json
</source>
        <translation>  QRTICKETS_GHL_TOKEN=pit-... qrtickets sync --mode incremental
  qrtickets sync --orders-file valid_order_list.json
</translation>
    </message>
    <message>
        <source>  qrtickets serve --config /etc/qrtickets/qrtickets.ini
</source>
        <translation>  qrtickets serve --config /etc/qrtickets/qrtickets.ini
</translation>
    </message>
    <message>
        <source>
Every setting can also come from the environment as QRTICKETS_&lt;SECTION&gt;_&lt;KEY&gt;, e.g. QRTICKETS_DATABASE_URL.
Exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 finished with some orders failed.</source>
        <translation>
Jede Einstellung kann auch aus der Umgebung kommen, als QRTICKETS_&lt;ABSCHNITT&gt;_&lt;SCHLÜSSEL&gt;, z. B. QRTICKETS_DATABASE_URL.
Exit-Codes: 0 Erfolg, 1 Fehler, 2 falscher Aufruf oder Konfiguration, 3 beendet, aber einige Bestellungen fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Run &apos;qrtickets --help&apos; for usage.</source>
        <translation>Aufruf: siehe &apos;qrtickets --help&apos;.</translation>
    </message>
    <message>
        <source>Read settings from &lt;file&gt; (INI).</source>
        <translation>Einstellungen aus &lt;file&gt; (INI) lesen.</translation>
    </message>
    <message>
        <source>Use the database at &lt;url&gt;.</source>
        <translation>Die Datenbank unter &lt;url&gt; verwenden.</translation>
    </message>
    <message>
        <source>Desktop application against a built-in GHL simulator and a fresh SQLite file.</source>
        <translation>Desktop-Anwendung mit eingebautem GHL-Simulator und einer frischen SQLite-Datei.</translation>
    </message>
    <message>
        <source>sync: full or incremental (default).</source>
        <translation>sync: full oder incremental (Standard).</translation>
    </message>
    <message>
        <source>sync: only the order ids listed in &lt;file&gt;, a JSON array.</source>
        <translation>sync: nur die in &lt;file&gt; aufgeführten Bestell-IDs, ein JSON-Array.</translation>
    </message>
    <message>
        <source>See Commands above.</source>
        <translation>Siehe Befehle oben.</translation>
    </message>
    <message>
        <source>Unexpected arguments: %1</source>
        <translation>Unerwartete Argumente: %1</translation>
    </message>
    <message>
        <source>Unknown command &apos;%1&apos;.</source>
        <translation>Unbekannter Befehl &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>--demo opens the desktop application; it does not go with &apos;%1&apos;.</source>
        <translation>--demo öffnet die Desktop-Anwendung; es passt nicht zu &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>--mode and --orders-file go with the sync command.</source>
        <translation>--mode und --orders-file gehören zum Befehl sync.</translation>
    </message>
    <message>
        <source>--mode must be full or incremental, not &apos;%1&apos;.</source>
        <translation>--mode muss full oder incremental sein, nicht &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>  admit CODE  admit one scan (order link, order id or ticket code) and print the verdict;
            exit code 3 when not admitted
</source>
        <translation>  admit CODE  einen Scan (Bestelllink, Bestell-ID oder Ticketcode) einlassen und das Ergebnis ausgeben;
            Exit-Code 3, wenn nicht eingelassen
</translation>
    </message>
    <message>
        <source>  qrtickets admit https://qr.example.com/orders/66f0c1... --event prod_jazz
</source>
        <translation>  qrtickets admit https://qr.example.com/orders/66f0c1... --event prod_jazz
</translation>
    </message>
    <message>
        <source>admit: admit for these events only (product ids, comma-separated) instead of [door] event.</source>
        <translation>admit: nur für diese Veranstaltungen einlassen (Produkt-IDs, durch Kommas getrennt) statt [door] event.</translation>
    </message>
    <message>
        <source>admit needs what was scanned: an order link, an order id or a ticket code.</source>
        <translation>admit braucht, was gescannt wurde: einen Bestelllink, eine Bestell-ID oder einen Ticketcode.</translation>
    </message>
    <message>
        <source>--event goes with the admit command.</source>
        <translation>--event gehört zum Befehl admit.</translation>
    </message>
    <message>
        <source>  roles install  PostgreSQL: create or update the group roles qrtickets_admin and qrtickets_door
            and their grants (run as the database owner; idempotent)
  operator add NAME --role admin|door [--email E]  a login in that group with a generated
            password; prints the database URL for that station&apos;s Settings
  operator list | operator remove NAME  the logins; remove ends its sessions and drops it
</source>
        <translation>  roles install  PostgreSQL: die Gruppenrollen qrtickets_admin und qrtickets_door und ihre Rechte
            anlegen oder aktualisieren (als Eigentümer der Datenbank ausführen; wiederholbar)
  operator add NAME --role admin|door [--email E]  eine Anmeldung in dieser Gruppe mit erzeugtem
            Passwort; gibt die Datenbank-URL für die Einstellungen dieser Station aus
  operator list | operator remove NAME  die Anmeldungen; remove beendet ihre Sitzungen und löscht sie
</translation>
    </message>
    <message>
        <source>operator add: admin or door.</source>
        <translation>operator add: admin oder door.</translation>
    </message>
    <message>
        <source>operator add: link the ghl_qr_users row with this e-mail address.</source>
        <translation>operator add: die Zeile in ghl_qr_users mit dieser E-Mail-Adresse verknüpfen.</translation>
    </message>
    <message>
        <source>Use: qrtickets roles install</source>
        <translation>Aufruf: qrtickets roles install</translation>
    </message>
    <message>
        <source>Use: qrtickets operator add NAME --role admin|door [--email E], operator list, or operator remove NAME</source>
        <translation>Aufruf: qrtickets operator add NAME --role admin|door [--email E], operator list oder operator remove NAME</translation>
    </message>
    <message>
        <source>operator add needs --role admin or --role door.</source>
        <translation>operator add braucht --role admin oder --role door.</translation>
    </message>
    <message>
        <source>--role and --email go with operator add.</source>
        <translation>--role und --email gehören zu operator add.</translation>
    </message>
</context>
<context>
    <name>qrt::app</name>
    <message>
        <source>%1 is up to date (schema version %2).</source>
        <translation>%1 ist aktuell (Schemaversion %2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: applied %n migration(s), now at schema version %2.</source>
        <translation>
            <numerusform>%1: %n Migration angewendet, jetzt auf Schemaversion %2.</numerusform>
            <numerusform>%1: %n Migrationen angewendet, jetzt auf Schemaversion %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>The database schema is at version %1; this program needs version %2. Run `qrtickets migrate` first.</source>
        <translation>Das Datenbankschema ist auf Version %1; dieses Programm braucht Version %2. Führen Sie zuerst `qrtickets migrate` aus.</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door and their grants are installed on %1. Add logins with `qrtickets operator add`.</source>
        <translation>Die Gruppenrollen qrtickets_admin und qrtickets_door und ihre Rechte sind auf %1 eingerichtet. Fügen Sie Anmeldungen mit `qrtickets operator add` hinzu.</translation>
    </message>
    <message>
        <source>Operator %1 (%2) created%3. Its password is shown only now; put this database URL in that station&apos;s Settings:</source>
        <translation>Bediener %1 (%2) angelegt%3. Das Passwort wird nur jetzt angezeigt; tragen Sie diese Datenbank-URL in die Einstellungen dieser Station ein:</translation>
    </message>
    <message>
        <source>, linked to %1</source>
        <translation>, verknüpft mit %1</translation>
    </message>
    <message>
        <source>No operators yet. Add one with `qrtickets operator add NAME --role admin|door`.</source>
        <translation>Noch keine Bediener. Legen Sie einen mit `qrtickets operator add NAME --role admin|door` an.</translation>
    </message>
    <message numerus="yes">
        <source>Operator %1 removed; %n open session(s) ended.</source>
        <translation>
            <numerusform>Bediener %1 entfernt; %n offene Sitzung beendet.</numerusform>
            <numerusform>Bediener %1 entfernt; %n offene Sitzungen beendet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::app::Desktop</name>
    <message>
        <source>QR Tickets demo</source>
        <translation>QR Tickets Demo</translation>
    </message>
    <message>
        <source>The demo could not start its GHL simulator.</source>
        <translation>Die Demo konnte ihren GHL-Simulator nicht starten.</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable and try again.</source>
        <translation>Prüfen Sie, ob ein temporärer Ordner beschreibbar ist, und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Report this as a bug.</source>
        <translation>Melden Sie dies als Fehler.</translation>
    </message>
    <message>
        <source>Demo door</source>
        <translation>Demo-Eingang</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable.</source>
        <translation>Prüfen Sie, ob ein temporärer Ordner beschreibbar ist.</translation>
    </message>
    <message>
        <source>The system keychain answered: the %1 is now in use.</source>
        <translation>Der Schlüsselbund des Systems hat geantwortet: %1 wird jetzt verwendet.</translation>
    </message>
    <message>
        <source>The system keychain answered late: the %1 is saved now.</source>
        <translation>Der Schlüsselbund des Systems hat verspätet geantwortet: %1 ist jetzt gespeichert.</translation>
    </message>
    <message>
        <source>The system keychain answered late and did not save the %1: %2</source>
        <translation>Der Schlüsselbund des Systems hat verspätet geantwortet und %1 nicht gespeichert: %2</translation>
    </message>
</context>
<context>
    <name>qrt::app::DesktopServices</name>
    <message>
        <source>The listener keeps its previous settings: %1</source>
        <translation>Der Webhook-Empfang behält seine bisherigen Einstellungen: %1</translation>
    </message>
    <message>
        <source>The generated event feed token is used but could not be saved: %1</source>
        <translation>Das erzeugte Token für den Ereignis-Feed wird verwendet, konnte aber nicht gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>qrt::app::SecretStore</name>
    <message>
        <source>GHL token</source>
        <translation>GHL-Token</translation>
    </message>
    <message>
        <source>webhook secret</source>
        <translation>Webhook-Geheimnis</translation>
    </message>
    <message>
        <source>event feed token</source>
        <translation>Token für den Ereignis-Feed</translation>
    </message>
    <message>
        <source>The system keychain could not read the %1.</source>
        <translation>Der Schlüsselbund des Systems konnte %1 nicht lesen.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain refused (%2). It is kept for this session only.</source>
        <translation>%1 wurde nicht gespeichert: Der Schlüsselbund des Systems hat abgelehnt (%2). Es gilt nur für diese Sitzung.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain did not answer. It is kept for this session only; save again when the keychain is unlocked.</source>
        <translation>%1 wurde nicht gespeichert: Der Schlüsselbund des Systems hat nicht geantwortet. Es gilt nur für diese Sitzung; speichern Sie erneut, sobald der Schlüsselbund entsperrt ist.</translation>
    </message>
    <message>
        <source>The system keychain did not answer, so the %1 could not be read yet. Unlock the keychain (or answer its prompt); the %1 is used as soon as it answers.</source>
        <translation>Der Schlüsselbund des Systems hat nicht geantwortet, daher konnte %1 noch nicht gelesen werden. Entsperren Sie den Schlüsselbund (oder beantworten Sie seine Abfrage); %1 wird verwendet, sobald er antwortet.</translation>
    </message>
</context>
<context>
    <name>qrt::app::serve</name>
    <message>
        <source>Cannot start the webhook listener: %1</source>
        <translation>Der Webhook-Empfang kann nicht starten: %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Warnung: %1</translation>
    </message>
    <message>
        <source>Listening on http://%1:%2%3 (auth %4); health on /healthz, event feed on /ws; database %5; station %6</source>
        <translation>Lausche auf http://%1:%2%3 (Auth %4); Status unter /healthz, Ereignis-Feed unter /ws; Datenbank %5; Station %6</translation>
    </message>
    <message>
        <source>Signal %1: no longer accepting webhooks; finishing the events in progress ...</source>
        <translation>Signal %1: keine neuen Webhooks mehr; laufende Ereignisse werden abgeschlossen ...</translation>
    </message>
    <message>
        <source>Warning: cannot install the SIGINT/SIGTERM handlers; stop with kill -9 only after the inbox is empty.</source>
        <translation>Warnung: Die Handler für SIGINT/SIGTERM können nicht eingerichtet werden; mit kill -9 erst beenden, wenn die Inbox leer ist.</translation>
    </message>
    <message>
        <source>Warning: cannot install the Ctrl+C handler; stop only after the inbox is empty.</source>
        <translation>Warnung: Der Strg+C-Handler kann nicht installiert werden; beenden Sie erst, wenn der Eingang leer ist.</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Gestoppt.</translation>
    </message>
    <message>
        <source>Set QRTICKETS_WEBHOOK_SECRET in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [webhook] secret in the settings file; serve reads the desktop keychain only when started in a desktop session.</source>
        <translation>Setzen Sie QRTICKETS_WEBHOOK_SECRET in der Umgebung (für den Dienst qrtickets-serve: in /etc/qrtickets/secrets.env) oder [webhook] secret in der Einstellungsdatei; serve liest den Schlüsselbund des Desktops nur, wenn es in einer Desktop-Sitzung gestartet wird.</translation>
    </message>
    <message>
        <source>Warning: no GHL token is set. Set QRTICKETS_GHL_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [ghl] token in the settings file; serve reads the desktop keychain only when started in a desktop session. Webhooks will be accepted and stored but cannot be processed until a token is set.</source>
        <translation>Warnung: Es ist kein GHL-Token gesetzt. Setzen Sie QRTICKETS_GHL_TOKEN in der Umgebung (für den Dienst qrtickets-serve: in /etc/qrtickets/secrets.env) oder [ghl] token in der Einstellungsdatei; serve liest den Schlüsselbund des Desktops nur, wenn es in einer Desktop-Sitzung gestartet wird. Webhooks werden angenommen und gespeichert, können aber erst verarbeitet werden, wenn ein Token gesetzt ist.</translation>
    </message>
    <message>
        <source>the settings file %1 cannot be written. Set [feed] token there, or QRTICKETS_FEED_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env), to a long random value.</source>
        <translation>die Einstellungsdatei %1 ist nicht beschreibbar. Setzen Sie dort [feed] token oder QRTICKETS_FEED_TOKEN in der Umgebung (für den Dienst qrtickets-serve: in /etc/qrtickets/secrets.env) auf einen langen Zufallswert.</translation>
    </message>
    <message>
        <source>Generated an event feed token ([feed] token) and stored it in %1: feed clients send it as &apos;Authorization: Bearer &lt;token&gt;&apos; or &apos;/ws?token=&lt;token&gt;&apos;.</source>
        <translation>Ein Token für den Ereignis-Feed ([feed] token) wurde erzeugt und in %1 gespeichert: Feed-Clients senden es als &apos;Authorization: Bearer &lt;token&gt;&apos; oder &apos;/ws?token=&lt;token&gt;&apos;.</translation>
    </message>
    <message numerus="yes">
        <source>Reconciliation: now, then every %n second(s) ([sync] reconcile_interval_s).</source>
        <translation>
            <numerusform>Abgleich: jetzt, dann jede Sekunde ([sync] reconcile_interval_s).</numerusform>
            <numerusform>Abgleich: jetzt, dann alle %n Sekunden ([sync] reconcile_interval_s).</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0).</source>
        <translation>Der Abgleich ist aus ([sync] reconcile_interval_s = 0).</translation>
    </message>
</context>
<context>
    <name>qrt::app::sync</name>
    <message>
        <source>: %1 of %2 listed</source>
        <translation>: %1 von %2 aufgelistet</translation>
    </message>
    <message>
        <source>: %1 of %2 saved</source>
        <translation>: %1 von %2 gespeichert</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n fehlgeschlagen</numerusform>
            <numerusform>, %n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n unverändert</numerusform>
            <numerusform>, %n unverändert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n request(s)</source>
        <translation>
            <numerusform>, %n Anfragen</numerusform>
            <numerusform>, %n Anfragen</numerusform>
        </translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, noch etwa %1</translation>
    </message>
    <message>
        <source> (waiting %1 s for the GHL rate limit)</source>
        <translation> (warte %1 s auf das GHL-Ratenlimit)</translation>
    </message>
    <message>
        <source>No GHL token is set. Set QRTICKETS_GHL_TOKEN (a Private Integration token with scope payments/orders.readonly), or store it in the keychain from the Settings dialog.</source>
        <translation>Es ist kein GHL-Token gesetzt. Setzen Sie QRTICKETS_GHL_TOKEN (ein Private-Integration-Token mit dem Scope payments/orders.readonly) oder speichern Sie es im Einstellungsdialog im Schlüsselbund.</translation>
    </message>
    <message>
        <source>No GHL location id is set. Set [ghl] location_id in the configuration file, or QRTICKETS_GHL_LOCATION_ID.</source>
        <translation>Es ist keine GHL-Standort-ID gesetzt. Setzen Sie [ghl] location_id in der Konfigurationsdatei oder QRTICKETS_GHL_LOCATION_ID.</translation>
    </message>
    <message>
        <source>Note: a sync started at %1 by %2 is still marked as running; syncing anyway (the results merge safely).</source>
        <translation>Hinweis: Eine um %1 von %2 gestartete Synchronisierung ist noch als laufend markiert; es wird trotzdem synchronisiert (die Ergebnisse werden sicher zusammengeführt).</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>eine andere Station</translation>
    </message>
    <message numerus="yes">
        <source>Sync %1 (%2) in %3: %4 of %n order(s) saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</source>
        <translation>
            <numerusform>Synchronisierung %1 (%2) in %3: %4 von %n Bestellung gespeichert, %5 fehlgeschlagen, %6 unverändert; Tickets: %7 hinzugefügt, %8 storniert;</numerusform>
            <numerusform>Synchronisierung %1 (%2) in %3: %4 von %n Bestellungen gespeichert, %5 fehlgeschlagen, %6 unverändert; Tickets: %7 hinzugefügt, %8 storniert;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n GHL request(s).</source>
        <translation>
            <numerusform>%n GHL-Anfrage.</numerusform>
            <numerusform>%n GHL-Anfragen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed orders:</source>
        <translation>Fehlgeschlagene Bestellungen:</translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(Bestellliste)</translation>
    </message>
    <message>
        <source>Ticket conflicts (left as they are):</source>
        <translation>Ticket-Konflikte (unverändert gelassen):</translation>
    </message>
</context>
<context>
    <name>qrt::camera::CameraSource</name>
    <message>
        <source>No camera found — connect one or choose it in Settings → Station</source>
        <translation>Keine Kamera gefunden — schließen Sie eine an oder wählen Sie sie unter Einstellungen → Station</translation>
    </message>
    <message>
        <source>The camera chosen in Settings → Station is not connected — connect it or choose another</source>
        <translation>Die unter Einstellungen → Station gewählte Kamera ist nicht angeschlossen — schließen Sie sie an oder wählen Sie eine andere</translation>
    </message>
    <message>
        <source>QR Tickets may not use the camera — allow it in the system&apos;s privacy settings (Camera), then press Camera again</source>
        <translation>QR Tickets darf die Kamera nicht verwenden — erlauben Sie es in den Datenschutzeinstellungen des Systems (Kamera) und drücken Sie dann erneut auf Kamera</translation>
    </message>
    <message>
        <source>The camera is in use by another program — close that program, then press Camera again</source>
        <translation>Die Kamera wird von einem anderen Programm verwendet — schließen Sie dieses Programm und drücken Sie dann erneut auf Kamera</translation>
    </message>
    <message>
        <source>The camera did not start — press Camera again, or choose another in Settings → Station</source>
        <translation>Die Kamera ist nicht gestartet — drücken Sie erneut auf Kamera oder wählen Sie unter Einstellungen → Station eine andere</translation>
    </message>
</context>
<context>
    <name>qrt::core</name>
    <message>
        <source>Changing a ticket from %1 to %2 needs a reason.</source>
        <translation>Ein Ticket von %1 auf %2 zu ändern braucht einen Grund.</translation>
    </message>
    <message>
        <source>The ticket is already %1.</source>
        <translation>Das Ticket ist bereits %1.</translation>
    </message>
    <message>
        <source>A cancelled ticket cannot be admitted; restore it to live first.</source>
        <translation>Ein storniertes Ticket kann nicht eingelassen werden; stellen Sie es zuerst wieder auf gültig.</translation>
    </message>
</context>
<context>
    <name>qrt::core::Config</name>
    <message>
        <source>at most %1 characters</source>
        <translation>höchstens %1 Zeichen</translation>
    </message>
    <message>
        <source>must not be empty</source>
        <translation>darf nicht leer sein</translation>
    </message>
    <message>
        <source>a whole number from %1 to %2</source>
        <translation>eine ganze Zahl von %1 bis %2</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true oder false</translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation>eines von %1</translation>
    </message>
    <message>
        <source>an http:// or https:// URL such as https://services.leadconnectorhq.com</source>
        <translation>eine http://- oder https://-URL wie https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///pfad/datei.db oder postgresql://benutzer:passwort@host:port/dbname</translation>
    </message>
    <message>
        <source>an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)</source>
        <translation>eine IP-Adresse wie 127.0.0.1 (nur dieser Rechner) oder 0.0.0.0 (alle Schnittstellen)</translation>
    </message>
    <message>
        <source>a path starting with / such as /api/ghl/webhook-qr (not /healthz or /ws)</source>
        <translation>ein Pfad, der mit / beginnt, wie /api/ghl/webhook-qr (nicht /healthz oder /ws)</translation>
    </message>
    <message>
        <source>a URL containing {order_id}, such as https://qr.example.com/orders/{order_id}</source>
        <translation>eine URL mit {order_id}, wie https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>The configuration file %1 does not exist.</source>
        <translation>Die Konfigurationsdatei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>The configuration file %1 could not be read; check that it is an INI file.</source>
        <translation>Die Konfigurationsdatei %1 konnte nicht gelesen werden; prüfen Sie, ob es eine INI-Datei ist.</translation>
    </message>
    <message>
        <source> (in %1)</source>
        <translation> (in %1)</translation>
    </message>
    <message>
        <source>The settings could not be saved to %1; check that the folder is writable.</source>
        <translation>Die Einstellungen konnten nicht in %1 gespeichert werden; prüfen Sie, ob der Ordner beschreibbar ist.</translation>
    </message>
    <message>
        <source>(hidden)</source>
        <translation>(verborgen)</translation>
    </message>
    <message>
        <source>Invalid value %1 for %2 (environment variable %3): %4</source>
        <translation>Ungültiger Wert %1 für %2 (Umgebungsvariable %3): %4</translation>
    </message>
    <message>
        <source>0 (off) or a whole number from %1 to %2</source>
        <translation>0 (aus) oder eine ganze Zahl von %1 bis %2</translation>
    </message>
</context>
<context>
    <name>qrt::core::Order</name>
    <message>
        <source>paid</source>
        <translation>bezahlt</translation>
    </message>
    <message>
        <source>unpaid</source>
        <translation>unbezahlt</translation>
    </message>
    <message>
        <source>partially paid</source>
        <translation>teilweise bezahlt</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>erstattet</translation>
    </message>
    <message>
        <source>partially refunded</source>
        <translation>teilweise erstattet</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>ausstehend</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>ungültig</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>storniert</translation>
    </message>
</context>
<context>
    <name>qrt::core::PinHash</name>
    <message>
        <source>The station&apos;s PIN setting ([station] pin_hash) is not a PIN hash QR Tickets made. Set the PIN again in Settings → Station, or remove the line from the settings file.</source>
        <translation>Die PIN-Einstellung der Station ([station] pin_hash) ist kein von QR Tickets erzeugter PIN-Hash. Setzen Sie die PIN unter Einstellungen → Station neu oder entfernen Sie die Zeile aus der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>The PIN could not be checked (OpenSSL&apos;s scrypt failed).</source>
        <translation>Die PIN konnte nicht geprüft werden (scrypt von OpenSSL ist fehlgeschlagen).</translation>
    </message>
</context>
<context>
    <name>qrt::core::TicketStatus</name>
    <message>
        <source>live</source>
        <translation>gültig</translation>
    </message>
    <message>
        <source>used</source>
        <translation>benutzt</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>storniert</translation>
    </message>
</context>
<context>
    <name>qrt::db::ArrivalsRepository</name>
    <message>
        <source>read the latest admission</source>
        <translation>den letzten Einlass lesen</translation>
    </message>
    <message>
        <source>count admissions over time</source>
        <translation>die Einlässe im Zeitverlauf zählen</translation>
    </message>
    <message>
        <source>count who is inside</source>
        <translation>zählen, wer drinnen ist</translation>
    </message>
</context>
<context>
    <name>qrt::db::Database</name>
    <message>
        <source>The Qt %1 database driver (%2) is not installed; reinstall QR Tickets or add the Qt SQL driver package.</source>
        <translation>Der Qt-Datenbanktreiber %1 (%2) ist nicht installiert; installieren Sie QR Tickets neu oder fügen Sie das Qt-SQL-Treiberpaket hinzu.</translation>
    </message>
    <message>
        <source>check the connection</source>
        <translation>die Verbindung prüfen</translation>
    </message>
    <message>
        <source>The database file %1 cannot be opened. Check that the folder exists and is writable.</source>
        <translation>Die Datenbankdatei %1 kann nicht geöffnet werden. Prüfen Sie, ob der Ordner existiert und beschreibbar ist.</translation>
    </message>
    <message>
        <source>PostgreSQL at %1:%2 refused the user name or password. Check the user and password in the database URL.</source>
        <translation>PostgreSQL unter %1:%2 hat Benutzername oder Passwort abgelehnt. Prüfen Sie Benutzer und Passwort in der Datenbank-URL.</translation>
    </message>
    <message>
        <source>The database &quot;%1&quot; does not exist on the PostgreSQL server %2:%3. Create it, or fix the name in the database URL.</source>
        <translation>Die Datenbank &quot;%1&quot; existiert nicht auf dem PostgreSQL-Server %2:%3. Legen Sie sie an oder korrigieren Sie den Namen in der Datenbank-URL.</translation>
    </message>
    <message>
        <source>The PostgreSQL server at %1:%2 cannot be reached. Check that it is running and that the host and port in the database URL are right.</source>
        <translation>Der PostgreSQL-Server unter %1:%2 ist nicht erreichbar. Prüfen Sie, ob er läuft und ob Host und Port in der Datenbank-URL stimmen.</translation>
    </message>
    <message>
        <source>The database reported an error.</source>
        <translation>Die Datenbank hat einen Fehler gemeldet.</translation>
    </message>
    <message>
        <source>The connection to the database was lost while trying to %1. It will reconnect on the next attempt; if this repeats, check the database server.</source>
        <translation>Die Verbindung zur Datenbank ging verloren beim Versuch, %1. Beim nächsten Versuch wird neu verbunden; wenn das wiederholt passiert, prüfen Sie den Datenbankserver.</translation>
    </message>
    <message>
        <source>The database could not %1.</source>
        <translation>Die Datenbank konnte nicht: %1.</translation>
    </message>
    <message>
        <source>start a transaction</source>
        <translation>eine Transaktion beginnen</translation>
    </message>
    <message>
        <source>save the changes</source>
        <translation>die Änderungen speichern</translation>
    </message>
    <message>
        <source>set the statement timeout</source>
        <translation>das Zeitlimit für Anweisungen setzen</translation>
    </message>
    <message>
        <source>The database server %1 did not answer within %2 s while trying to %3. Check the network to the database server; the next attempt connects again.</source>
        <translation>Der Datenbankserver %1 hat beim Versuch, %3, nicht innerhalb von %2 s geantwortet. Prüfen Sie das Netzwerk zum Datenbankserver; beim nächsten Versuch wird neu verbunden.</translation>
    </message>
    <message>
        <source>The database did not finish in time while trying to %1 (another station or a sync may be holding the rows). Try again.</source>
        <translation>Die Datenbank wurde beim Versuch, %1, nicht rechtzeitig fertig (womöglich hält eine andere Station oder eine Synchronisierung die Zeilen). Versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>The database could not %1 because another station changed the same rows at the same moment.</source>
        <translation>Die Datenbank konnte nicht: %1 – eine andere Station hat im selben Moment dieselben Zeilen geändert.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DatabaseUrl</name>
    <message>
        <source>it is empty</source>
        <translation>sie ist leer</translation>
    </message>
    <message>
        <source>it is not a valid URL</source>
        <translation>sie ist keine gültige URL</translation>
    </message>
    <message>
        <source>a SQLite URL has three slashes before an absolute path (sqlite:///home/me/qr.db)</source>
        <translation>eine SQLite-URL hat drei Schrägstriche vor einem absoluten Pfad (sqlite:///home/ich/qr.db)</translation>
    </message>
    <message>
        <source>it names no database file</source>
        <translation>sie nennt keine Datenbankdatei</translation>
    </message>
    <message>
        <source>it names no server host</source>
        <translation>sie nennt keinen Server-Host</translation>
    </message>
    <message>
        <source>option %1 contains &apos;;&apos;</source>
        <translation>Option %1 enthält &apos;;&apos;</translation>
    </message>
    <message>
        <source>the scheme &apos;%1&apos; is not supported</source>
        <translation>das Schema &apos;%1&apos; wird nicht unterstützt</translation>
    </message>
    <message>
        <source>The database URL is not usable: %1. Use sqlite:///path/file.db or postgresql://user:password@host:port/dbname.</source>
        <translation>Die Datenbank-URL ist nicht verwendbar: %1. Verwenden Sie sqlite:///pfad/datei.db oder postgresql://benutzer:passwort@host:port/dbname.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DoorFunctions</name>
    <message>
        <source>read the connected user&apos;s role</source>
        <translation>die Rolle des verbundenen Benutzers lesen</translation>
    </message>
    <message>
        <source>admit %1</source>
        <translation>%1 einlassen</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>den Einlass von Ticket %1 rückgängig machen</translation>
    </message>
    <message>
        <source>read the door cache</source>
        <translation>den Einlass-Cache lesen</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>Ticket %1 einlassen</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>einen Konflikt eines Offline-Einlasses aufzeichnen</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>Ticket %1 lesen</translation>
    </message>
</context>
<context>
    <name>qrt::db::FieldMappingRepository</name>
    <message>
        <source>read the field mappings</source>
        <translation>die Feldzuordnungen lesen</translation>
    </message>
    <message>
        <source>read the field mapping of product %1</source>
        <translation>die Feldzuordnung von Produkt %1 lesen</translation>
    </message>
    <message>
        <source>A field mapping needs a product and a custom field.</source>
        <translation>Eine Feldzuordnung braucht ein Produkt und ein benutzerdefiniertes Feld.</translation>
    </message>
    <message>
        <source>save the field mapping of product %1</source>
        <translation>die Feldzuordnung von Produkt %1 speichern</translation>
    </message>
    <message>
        <source>remove the field mapping of product %1</source>
        <translation>die Feldzuordnung von Produkt %1 entfernen</translation>
    </message>
    <message>
        <source>save the type of custom field %1</source>
        <translation>den Typ des benutzerdefinierten Felds %1 speichern</translation>
    </message>
    <message>
        <source>save the ticket PDF field of product %1</source>
        <translation>das Ticket-PDF-Feld von Produkt %1 speichern</translation>
    </message>
</context>
<context>
    <name>qrt::db::InboxRepository</name>
    <message>
        <source>store the webhook for order %1</source>
        <translation>den Webhook für Bestellung %1 speichern</translation>
    </message>
    <message>
        <source>take the next webhook from the inbox</source>
        <translation>den nächsten Webhook aus der Inbox holen</translation>
    </message>
    <message>
        <source>mark webhook %1 as processed</source>
        <translation>Webhook %1 als verarbeitet markieren</translation>
    </message>
    <message>
        <source>Webhook %1 is not in the inbox.</source>
        <translation>Webhook %1 ist nicht in der Inbox.</translation>
    </message>
    <message>
        <source>record the failure of webhook %1</source>
        <translation>den Fehlschlag von Webhook %1 aufzeichnen</translation>
    </message>
    <message>
        <source>record the contact update of webhook %1</source>
        <translation>die Kontaktaktualisierung von Webhook %1 aufzeichnen</translation>
    </message>
    <message>
        <source>resume interrupted webhooks</source>
        <translation>unterbrochene Webhooks fortsetzen</translation>
    </message>
    <message>
        <source>retry webhook %1</source>
        <translation>Webhook %1 wiederholen</translation>
    </message>
    <message>
        <source>count the webhooks in the inbox</source>
        <translation>die Webhooks in der Inbox zählen</translation>
    </message>
    <message>
        <source>read the last webhook error</source>
        <translation>den letzten Webhook-Fehler lesen</translation>
    </message>
    <message>
        <source>read the recent webhooks</source>
        <translation>die letzten Webhooks lesen</translation>
    </message>
    <message>
        <source>read webhook %1</source>
        <translation>Webhook %1 lesen</translation>
    </message>
    <message>
        <source>store %1 webhooks</source>
        <translation>%1 Webhooks speichern</translation>
    </message>
    <message>
        <source>prepare the webhook inbox</source>
        <translation>die Webhook-Inbox vorbereiten</translation>
    </message>
    <message>
        <source>prepare storing %1 webhooks</source>
        <translation>Speichern von %1 Webhooks vorbereiten</translation>
    </message>
    <message>
        <source>look up webhook %1</source>
        <translation>Webhook %1 nachschlagen</translation>
    </message>
    <message>
        <source>take over a webhook whose worker stopped</source>
        <translation>einen Webhook übernehmen, dessen Worker angehalten ist</translation>
    </message>
    <message>
        <source>renew the claim on webhook %1</source>
        <translation>die Reservierung von Webhook %1 erneuern</translation>
    </message>
    <message>
        <source>retry the failed webhooks</source>
        <translation>die fehlgeschlagenen Webhooks wiederholen</translation>
    </message>
    <message>
        <source>delete old processed webhooks</source>
        <translation>alte verarbeitete Webhooks löschen</translation>
    </message>
    <message>
        <source>Webhook %1 was taken over by another worker after its claim ran out; its result was not recorded here.</source>
        <translation>Webhook %1 wurde von einem anderen Worker übernommen, nachdem seine Reservierung abgelaufen war; sein Ergebnis wurde hier nicht aufgezeichnet.</translation>
    </message>
    <message>
        <source>check the right to write the webhook inbox</source>
        <translation>das Schreibrecht für die Webhook-Inbox prüfen</translation>
    </message>
</context>
<context>
    <name>qrt::db::Migrator</name>
    <message>
        <source>create the schema_migrations table</source>
        <translation>die Tabelle schema_migrations anlegen</translation>
    </message>
    <message>
        <source>lock the schema for migration</source>
        <translation>das Schema für die Migration sperren</translation>
    </message>
    <message>
        <source>read the applied migrations</source>
        <translation>die angewendeten Migrationen lesen</translation>
    </message>
    <message>
        <source>apply migration %1 (%2)</source>
        <translation>Migration %1 (%2) anwenden</translation>
    </message>
    <message>
        <source>record migration %1</source>
        <translation>Migration %1 aufzeichnen</translation>
    </message>
    <message>
        <source>The database schema is older than this program needs, and this database login may not change it (an operator login). Run `qrtickets migrate` and `qrtickets roles install` with the database owner&apos;s URL, then start again.</source>
        <translation>Das Datenbankschema ist älter, als dieses Programm es braucht, und diese Datenbank-Anmeldung darf es nicht ändern (eine Bediener-Anmeldung). Führen Sie `qrtickets migrate` und `qrtickets roles install` mit der URL des Datenbankeigentümers aus und starten Sie dann neu.</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderRepository</name>
    <message>
        <source>An order without an id cannot be saved.</source>
        <translation>Eine Bestellung ohne ID kann nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>save order %1</source>
        <translation>Bestellung %1 speichern</translation>
    </message>
    <message>
        <source>prepare saving orders</source>
        <translation>das Speichern von Bestellungen vorbereiten</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>Bestellung %1 lesen</translation>
    </message>
    <message>
        <source>list orders</source>
        <translation>Bestellungen auflisten</translation>
    </message>
    <message>
        <source>count orders</source>
        <translation>Bestellungen zählen</translation>
    </message>
    <message>
        <source>list events</source>
        <translation>Veranstaltungen auflisten</translation>
    </message>
    <message>
        <source>list payment statuses</source>
        <translation>Zahlungsstatus auflisten</translation>
    </message>
    <message>
        <source>read when orders last changed</source>
        <translation>lesen, wann Bestellungen zuletzt geändert wurden</translation>
    </message>
    <message>
        <source>store the QR code of order %1</source>
        <translation>den QR-Code von Bestellung %1 speichern</translation>
    </message>
    <message>
        <source>Order %1 is not in the database.</source>
        <translation>Bestellung %1 ist nicht in der Datenbank.</translation>
    </message>
    <message>
        <source>find a guest by name</source>
        <translation>einen Gast nach Namen suchen</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderWriter</name>
    <message>
        <source>prepare saving orders</source>
        <translation>das Speichern von Bestellungen vorbereiten</translation>
    </message>
    <message>
        <source>lock the tickets of order %1</source>
        <translation>die Tickets von Bestellung %1 sperren</translation>
    </message>
</context>
<context>
    <name>qrt::db::Roles</name>
    <message>
        <source>--role must be admin or door, not &apos;%1&apos;.</source>
        <translation>--role muss admin oder door sein, nicht &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; ist keine E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>A database role named %1 already exists: choose another name, or remove the operator first (`qrtickets operator remove %1`).</source>
        <translation>Eine Datenbankrolle namens %1 existiert bereits: Wählen Sie einen anderen Namen oder entfernen Sie zuerst den Bediener (`qrtickets operator remove %1`).</translation>
    </message>
    <message>
        <source>create the login %1</source>
        <translation>die Anmeldung %1 anlegen</translation>
    </message>
    <message>
        <source>link user %1 to %2</source>
        <translation>Benutzer %1 mit %2 verknüpfen</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>Benutzer %1 hinzufügen</translation>
    </message>
    <message>
        <source>list the operators</source>
        <translation>die Bediener auflisten</translation>
    </message>
    <message>
        <source>%1 is not a QR Tickets operator (no login in qrtickets_admin or qrtickets_door); nothing was changed.</source>
        <translation>%1 ist kein Bediener von QR Tickets (keine Anmeldung in qrtickets_admin oder qrtickets_door); es wurde nichts geändert.</translation>
    </message>
    <message>
        <source>lock out %1</source>
        <translation>%1 aussperren</translation>
    </message>
    <message>
        <source>check the rights on %1</source>
        <translation>die Rechte auf %1 prüfen</translation>
    </message>
    <message>
        <source>take over the sessions of %1</source>
        <translation>die Sitzungen von %1 übernehmen</translation>
    </message>
    <message>
        <source>end the sessions of %1</source>
        <translation>die Sitzungen von %1 beenden</translation>
    </message>
    <message>
        <source>unlink the users of %1</source>
        <translation>die Verknüpfung der Benutzer von %1 lösen</translation>
    </message>
    <message>
        <source>drop the login %1</source>
        <translation>die Anmeldung %1 löschen</translation>
    </message>
    <message>
        <source>Operators and roles need PostgreSQL: this station uses SQLite (%1), which has no database users. On SQLite, Settings can require a PIN to leave the check-in screen.</source>
        <translation>Bediener und Rollen brauchen PostgreSQL: Diese Station verwendet SQLite (%1), das keine Datenbankbenutzer kennt. Unter SQLite können die Einstellungen eine PIN verlangen, um den Einlassbildschirm zu verlassen.</translation>
    </message>
    <message>
        <source>read the connecting role&apos;s rights</source>
        <translation>die Rechte der verbindenden Rolle lesen</translation>
    </message>
    <message>
        <source>The database user %1 may not create roles (it lacks CREATEROLE). Run this command with the database owner&apos;s URL (on Supabase: the postgres user), e.g. --database postgresql://postgres:…@host:5432/db.</source>
        <translation>Der Datenbankbenutzer %1 darf keine Rollen anlegen (ihm fehlt CREATEROLE). Führen Sie diesen Befehl mit der URL des Datenbankeigentümers aus (bei Supabase: der Benutzer postgres), z. B. --database postgresql://postgres:…@host:5432/db.</translation>
    </message>
    <message>
        <source>look for the QR Tickets group roles</source>
        <translation>die Gruppenrollen von QR Tickets suchen</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door do not exist yet. Run `qrtickets roles install` first.</source>
        <translation>Die Gruppenrollen qrtickets_admin und qrtickets_door existieren noch nicht. Führen Sie zuerst `qrtickets roles install` aus.</translation>
    </message>
    <message>
        <source>look for role %1</source>
        <translation>Rolle %1 suchen</translation>
    </message>
    <message>
        <source>read the groups of role %1</source>
        <translation>die Gruppen von Rolle %1 lesen</translation>
    </message>
    <message>
        <source>&apos;%1&apos; cannot be an operator&apos;s name: use lower-case letters, digits and &apos;_&apos; (starting with a letter, at most 63), e.g. door_north.</source>
        <translation>&apos;%1&apos; kann kein Bedienername sein: Verwenden Sie Kleinbuchstaben, Ziffern und &apos;_&apos; (mit einem Buchstaben beginnend, höchstens 63), z. B. door_north.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is reserved; choose another operator name.</source>
        <translation>&apos;%1&apos; ist reserviert; wählen Sie einen anderen Bedienernamen.</translation>
    </message>
    <message>
        <source>The database schema is at version %1; the roles need version %2. Run `qrtickets migrate` first.</source>
        <translation>Das Datenbankschema ist auf Version %1; die Rollen brauchen Version %2. Führen Sie zuerst `qrtickets migrate` aus.</translation>
    </message>
    <message>
        <source>read who owns the tables</source>
        <translation>lesen, wem die Tabellen gehören</translation>
    </message>
    <message>
        <source>The tables belong to %1: run `qrtickets roles install` with that user&apos;s URL.</source>
        <translation>Die Tabellen gehören %1: Führen Sie `qrtickets roles install` mit der URL dieses Benutzers aus.</translation>
    </message>
    <message>
        <source>The roles script is missing from this program.</source>
        <translation>Das Rollenskript fehlt in diesem Programm.</translation>
    </message>
    <message>
        <source>The tables are in schema %1, whose name holds &apos;$&apos; or a quote: roles need a schema name without them.</source>
        <translation>Die Tabellen liegen im Schema %1, dessen Name &apos;$&apos; oder ein Anführungszeichen enthält: Die Rollen brauchen einen Schemanamen ohne diese Zeichen.</translation>
    </message>
    <message>
        <source>lock the schema</source>
        <translation>das Schema sperren</translation>
    </message>
    <message>
        <source>quieten notices</source>
        <translation>Hinweise stummschalten</translation>
    </message>
    <message>
        <source>install the roles</source>
        <translation>die Rollen einrichten</translation>
    </message>
</context>
<context>
    <name>qrt::db::SearchText</name>
    <message>
        <source>prepare saving the search text of orders</source>
        <translation>das Speichern des Suchtexts von Bestellungen vorbereiten</translation>
    </message>
    <message>
        <source>save the search text of order %1</source>
        <translation>den Suchtext von Bestellung %1 speichern</translation>
    </message>
    <message>
        <source>read the search text of orders</source>
        <translation>den Suchtext von Bestellungen lesen</translation>
    </message>
    <message>
        <source>The SQLite driver gave no database handle.</source>
        <translation>Der SQLite-Treiber hat kein Datenbank-Handle geliefert.</translation>
    </message>
    <message>
        <source>The SQLite database is not open.</source>
        <translation>Die SQLite-Datenbank ist nicht geöffnet.</translation>
    </message>
    <message>
        <source>The name sort order could not be set up for SQLite.</source>
        <translation>Die Sortierung nach Namen konnte für SQLite nicht eingerichtet werden.</translation>
    </message>
</context>
<context>
    <name>qrt::db::SyncRunRepository</name>
    <message>
        <source>record the start of a sync run</source>
        <translation>den Start eines Synchronisierungslaufs aufzeichnen</translation>
    </message>
    <message>
        <source>record the outcome of sync run %1</source>
        <translation>das Ergebnis von Synchronisierungslauf %1 aufzeichnen</translation>
    </message>
    <message>
        <source>Sync run %1 is not recorded.</source>
        <translation>Synchronisierungslauf %1 ist nicht aufgezeichnet.</translation>
    </message>
    <message>
        <source>read the sync history</source>
        <translation>den Synchronisierungsverlauf lesen</translation>
    </message>
    <message>
        <source>record that sync run %1 is alive</source>
        <translation>festhalten, dass Synchronisierung %1 noch läuft</translation>
    </message>
    <message>
        <source>record the progress of sync run %1</source>
        <translation>den Fortschritt von Synchronisierungslauf %1 aufzeichnen</translation>
    </message>
</context>
<context>
    <name>qrt::db::TicketRepository</name>
    <message>
        <source>read the latest ticket changes</source>
        <translation>die neuesten Ticketänderungen lesen</translation>
    </message>
    <message>
        <source>read the tickets of order %1</source>
        <translation>die Tickets von Bestellung %1 lesen</translation>
    </message>
    <message>
        <source>Ticket %1 has the unknown status &apos;%2&apos; and was left as it is.</source>
        <translation>Ticket %1 hat den unbekannten Status &apos;%2&apos; und wurde unverändert gelassen.</translation>
    </message>
    <message>
        <source>assign ticket %1 to its event</source>
        <translation>Ticket %1 seiner Veranstaltung zuordnen</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL grew to %2</source>
        <translation>Menge von %1 in GHL stieg auf %2</translation>
    </message>
    <message>
        <source>add a ticket to order %1</source>
        <translation>ein Ticket zu Bestellung %1 hinzufügen</translation>
    </message>
    <message>
        <source>bought in GHL (%1 x %2)</source>
        <translation>in GHL gekauft (%1 x %2)</translation>
    </message>
    <message>
        <source>order %1 in GHL</source>
        <translation>Bestellung %1 in GHL</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL fell to %2</source>
        <translation>Menge von %1 in GHL sank auf %2</translation>
    </message>
    <message>
        <source>Order %1: GHL reports %2 x %3 but %4 more are already used or were admitted meanwhile; they were left as they are.</source>
        <translation>Bestellung %1: GHL meldet %2 x %3, aber %4 weitere sind bereits benutzt oder wurden zwischenzeitlich eingelassen; sie wurden unverändert gelassen.</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>Ticket %1 lesen</translation>
    </message>
    <message>
        <source>look up a ticket code</source>
        <translation>einen Ticketcode nachschlagen</translation>
    </message>
    <message>
        <source>Ticket %1 does not exist.</source>
        <translation>Ticket %1 existiert nicht.</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else a moment ago; look at it again.</source>
        <translation>Ticket %1 wurde gerade von jemand anderem geändert; sehen Sie es sich noch einmal an.</translation>
    </message>
    <message>
        <source>read the tickets to change</source>
        <translation>die zu ändernden Tickets lesen</translation>
    </message>
    <message>
        <source>count the tickets of order %1</source>
        <translation>die Tickets von Bestellung %1 zählen</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>Ticket %1 einlassen</translation>
    </message>
    <message>
        <source>find a ticket to admit</source>
        <translation>ein Ticket zum Einlassen finden</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>Bestellung %1 wird gerade an einer anderen Station eingelassen; versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>read the history of order %1</source>
        <translation>den Verlauf von Bestellung %1 lesen</translation>
    </message>
    <message>
        <source>count tickets per event</source>
        <translation>Tickets je Veranstaltung zählen</translation>
    </message>
    <message>
        <source>record the ticket change</source>
        <translation>die Ticketänderung aufzeichnen</translation>
    </message>
    <message>
        <source>change ticket %1</source>
        <translation>Ticket %1 ändern</translation>
    </message>
    <message>
        <source>Ticket %1: %2</source>
        <translation>Ticket %1: %2</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else meanwhile.</source>
        <translation>Ticket %1 wurde zwischenzeitlich von jemand anderem geändert.</translation>
    </message>
    <message>
        <source>Order %1 changed at the door while syncing; some tickets were left as they are. Sync again to finish.</source>
        <translation>Bestellung %1 wurde während der Synchronisierung am Einlass geändert; einige Tickets blieben unverändert. Synchronisieren Sie erneut, um den Abgleich abzuschließen.</translation>
    </message>
    <message>
        <source>read the door list</source>
        <translation>die Einlassliste lesen</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>den Einlass von Ticket %1 rückgängig machen</translation>
    </message>
    <message>
        <source>Ticket %1 no longer exists.</source>
        <translation>Ticket %1 existiert nicht mehr.</translation>
    </message>
    <message>
        <source>Ticket %1 stays used: it was admitted again by %2.</source>
        <translation>Ticket %1 bleibt benutzt: %2 hat es erneut eingelassen.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>eine andere Station</translation>
    </message>
    <message>
        <source>Ticket %1 stays %2: it was changed meanwhile.</source>
        <translation>Ticket %1 bleibt %2: Es wurde zwischenzeitlich geändert.</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>Bestellung %1 lesen</translation>
    </message>
    <message>
        <source>read the ticket %1</source>
        <translation>das Ticket %1 lesen</translation>
    </message>
</context>
<context>
    <name>qrt::db::UserRepository</name>
    <message>
        <source>read the users</source>
        <translation>die Benutzer lesen</translation>
    </message>
    <message>
        <source>save user %1</source>
        <translation>Benutzer %1 speichern</translation>
    </message>
    <message>
        <source>remove user %1</source>
        <translation>Benutzer %1 entfernen</translation>
    </message>
    <message>
        <source>Which user to change is missing.</source>
        <translation>Es fehlt, welcher Benutzer geändert werden soll.</translation>
    </message>
    <message>
        <source>A user needs a name.</source>
        <translation>Ein Benutzer braucht einen Namen.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address: a user needs a valid one.</source>
        <translation>&apos;%1&apos; ist keine E-Mail-Adresse: Ein Benutzer braucht eine gültige.</translation>
    </message>
    <message>
        <source>A user&apos;s type must be Admin, Super Admin or Door, not &apos;%1&apos;.</source>
        <translation>Der Typ eines Benutzers muss Admin, Super-Admin oder Einlass sein, nicht &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>look for user %1</source>
        <translation>Benutzer %1 suchen</translation>
    </message>
    <message>
        <source>Another user already has the e-mail address %1.</source>
        <translation>Ein anderer Benutzer hat bereits die E-Mail-Adresse %1.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 hat bereits die E-Mail-Adresse %2: Jeder Benutzer braucht eine eigene.</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>Benutzer %1 hinzufügen</translation>
    </message>
    <message>
        <source>The user %1 is gone: another station removed it.</source>
        <translation>Der Benutzer %1 existiert nicht mehr: Eine andere Station hat ihn entfernt.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCache</name>
    <message>
        <source>prepare the door cache&apos;s journal</source>
        <translation>das Journal des Einlass-Caches vorbereiten</translation>
    </message>
    <message>
        <source>write the door cache&apos;s settings</source>
        <translation>die Einstellungen des Einlass-Caches schreiben</translation>
    </message>
    <message>
        <source>read the door cache&apos;s settings</source>
        <translation>die Einstellungen des Einlass-Caches lesen</translation>
    </message>
    <message>
        <source>read the rows the door needs</source>
        <translation>die Zeilen lesen, die der Einlass braucht</translation>
    </message>
    <message>
        <source>copy the door&apos;s rows into the door cache</source>
        <translation>die Zeilen des Einlasses in den Einlass-Cache kopieren</translation>
    </message>
    <message>
        <source>read the queued admissions</source>
        <translation>die wartenden Einlässe lesen</translation>
    </message>
    <message>
        <source>count the queued admissions</source>
        <translation>die wartenden Einlässe zählen</translation>
    </message>
    <message>
        <source>mark a queued admission uploaded</source>
        <translation>einen wartenden Einlass als gesendet markieren</translation>
    </message>
    <message>
        <source>record a conflict of a queued admission</source>
        <translation>einen Konflikt eines wartenden Einlasses aufzeichnen</translation>
    </message>
    <message>
        <source>note an admission in the door cache</source>
        <translation>einen Einlass im Einlass-Cache vermerken</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCheck</name>
    <message>
        <source>an unknown station</source>
        <translation>einer unbekannten Station</translation>
    </message>
    <message>
        <source>by %1 at an unknown time</source>
        <translation>von %1 zu unbekannter Zeit</translation>
    </message>
    <message>
        <source>by %1 on %2 at %3</source>
        <translation>von %1 am %2 um %3</translation>
    </message>
    <message>
        <source>Payment: %1</source>
        <translation>Zahlung: %1</translation>
    </message>
    <message>
        <source>not known</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Could not check in</source>
        <translation>Einlass nicht möglich</translation>
    </message>
    <message>
        <source>Not a ticket</source>
        <translation>Kein Ticket</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a ticket code nor an order link. Scan the QR code on the ticket.</source>
        <translation>„%1“ ist weder ein Ticketcode noch ein Bestelllink. Scannen Sie den QR-Code auf dem Ticket.</translation>
    </message>
    <message>
        <source>Unknown ticket</source>
        <translation>Unbekanntes Ticket</translation>
    </message>
    <message>
        <source>No ticket has the code %1. If the order is new, press Sync (F5) and scan again.</source>
        <translation>Kein Ticket hat den Code %1. Wenn die Bestellung neu ist, drücken Sie Synchronisieren (F5) und scannen Sie erneut.</translation>
    </message>
    <message>
        <source>Unknown order</source>
        <translation>Unbekannte Bestellung</translation>
    </message>
    <message>
        <source>Order %1 is not in the database. If it is new, press Sync (F5) and scan again.</source>
        <translation>Bestellung %1 ist nicht in der Datenbank. Wenn sie neu ist, drücken Sie Synchronisieren (F5) und scannen Sie erneut.</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Erstattet</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>This order was refunded: its tickets are not valid.</source>
        <translation>Diese Bestellung wurde erstattet: Ihre Tickets sind nicht gültig.</translation>
    </message>
    <message>
        <source>This order was cancelled: its tickets are not valid.</source>
        <translation>Diese Bestellung wurde storniert: Ihre Tickets sind nicht gültig.</translation>
    </message>
    <message>
        <source>Other event: %1</source>
        <translation>Andere Veranstaltung: %1</translation>
    </message>
    <message>
        <source>This station does not admit for this event. Send the guest to the right entrance.</source>
        <translation>Diese Station lässt für diese Veranstaltung nicht ein. Schicken Sie den Gast zum richtigen Eingang.</translation>
    </message>
    <message>
        <source>Already used</source>
        <translation>Bereits benutzt</translation>
    </message>
    <message>
        <source>All %1 tickets of this order are admitted.</source>
        <translation>Alle %1 Tickets dieser Bestellung sind eingelassen.</translation>
    </message>
    <message>
        <source>Every ticket of this order is cancelled.</source>
        <translation>Jedes Ticket dieser Bestellung ist storniert.</translation>
    </message>
    <message>
        <source>This ticket is cancelled.</source>
        <translation>Dieses Ticket ist storniert.</translation>
    </message>
    <message>
        <source>No tickets</source>
        <translation>Keine Tickets</translation>
    </message>
    <message>
        <source>This order has no tickets yet. Press Sync (F5) and scan again.</source>
        <translation>Diese Bestellung hat noch keine Tickets. Drücken Sie Synchronisieren (F5) und scannen Sie erneut.</translation>
    </message>
    <message>
        <source>Not paid</source>
        <translation>Nicht bezahlt</translation>
    </message>
    <message>
        <source>This order is %1; this station admits paid orders only.</source>
        <translation>Diese Bestellung ist %1; diese Station lässt nur bezahlte Bestellungen ein.</translation>
    </message>
    <message>
        <source>This order is %1. Press &quot;Admit anyway&quot; to let the guest in (recorded as unpaid).</source>
        <translation>Diese Bestellung ist %1. Drücken Sie „Trotzdem einlassen“, um den Gast einzulassen (wird als unbezahlt vermerkt).</translation>
    </message>
    <message>
        <source>Not admitted yet</source>
        <translation>Noch nicht eingelassen</translation>
    </message>
    <message>
        <source>%1 of %2 admitted</source>
        <translation>%1 von %2 eingelassen</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) to admit. Check who the guest is, then press Admit.</source>
        <translation>
            <numerusform>Noch %n Ticket einzulassen. Prüfen Sie, wer der Gast ist, und lassen Sie ihn dann ein.</numerusform>
            <numerusform>Noch %n Tickets einzulassen. Prüfen Sie, wer der Gast ist, und lassen Sie ihn dann ein.</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted %1 of %2</source>
        <translation>Eingelassen: %1 von %2</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) admitted now</source>
        <translation>
            <numerusform>%n Ticket jetzt eingelassen</numerusform>
            <numerusform>%n Tickets jetzt eingelassen</numerusform>
        </translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation>Ticket: %1</translation>
    </message>
    <message>
        <source>Admitted although not paid.</source>
        <translation>Eingelassen, obwohl nicht bezahlt.</translation>
    </message>
    <message>
        <source>Stopped before the rest: %1 Press &quot;Admit all remaining&quot; again.</source>
        <translation>Vor dem Rest angehalten: %1 Drücken Sie erneut „Alle übrigen einlassen“.</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>Bestellung %1 wird gerade an einer anderen Station eingelassen; versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>This door login cannot check tickets yet: the database lacks this version&apos;s door functions. Ask the admin to run `qrtickets roles install` again with the database owner&apos;s URL.</source>
        <translation>Diese Einlass-Anmeldung kann noch keine Tickets prüfen: Der Datenbank fehlen die Einlassfunktionen dieser Version. Bitten Sie den Admin, `qrtickets roles install` erneut mit der URL des Datenbankeigentümers auszuführen.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorStation</name>
    <message>
        <source>The station is closing; the rest is sent at the next start.</source>
        <translation>Die Station wird beendet; der Rest wird beim nächsten Start gesendet.</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>einen Konflikt eines Offline-Einlasses aufzeichnen</translation>
    </message>
    <message numerus="yes">
        <source>%n admission(s) made offline are still to be sent.</source>
        <translation>
            <numerusform>%n offline erfolgter Einlass muss noch gesendet werden.</numerusform>
            <numerusform>%n offline erfolgte Einlässe müssen noch gesendet werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>OFFLINE: door cache not ready</source>
        <translation>OFFLINE: Einlass-Cache nicht bereit</translation>
    </message>
    <message>
        <source>The database does not answer, and this station had not finished copying the tickets (the door cache) before, so it cannot check this ticket offline. Check the network to the database; scans work again as soon as it answers.</source>
        <translation>Die Datenbank antwortet nicht, und diese Station hatte das Kopieren der Tickets (den Einlass-Cache) zuvor nicht abgeschlossen; daher kann sie dieses Ticket nicht offline prüfen. Prüfen Sie die Netzwerkverbindung zur Datenbank; Scans funktionieren wieder, sobald sie antwortet.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy; sent to the database when it answers again.</source>
        <translation>OFFLINE: anhand der Kopie dieser Station entschieden; wird an die Datenbank gesendet, sobald sie wieder antwortet.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy.</source>
        <translation>OFFLINE: anhand der Kopie dieser Station entschieden.</translation>
    </message>
    <message>
        <source>Undo needs the shared database: try again when online. This admission was made while online, and this station is OFFLINE now.</source>
        <translation>Rückgängig machen braucht die gemeinsame Datenbank: Versuchen Sie es erneut, sobald die Station wieder online ist. Dieser Einlass wurde online erfasst, und diese Station ist jetzt OFFLINE.</translation>
    </message>
    <message>
        <source>Ticket %1 stays as it is: it is not admitted any more.</source>
        <translation>Ticket %1 bleibt unverändert: Es ist nicht mehr eingelassen.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted more than 10 minutes ago: only an admin can undo it.</source>
        <translation>Ticket %1 wurde vor mehr als 10 Minuten eingelassen: Nur ein Admin kann das rückgängig machen.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted by another operator: only an admin can undo it.</source>
        <translation>Ticket %1 wurde von einem anderen Bediener eingelassen: Nur ein Admin kann das rückgängig machen.</translation>
    </message>
    <message>
        <source>A door login undoes only its own admissions, within 10 minutes of them.</source>
        <translation>Eine Einlass-Anmeldung macht nur ihre eigenen Einlässe rückgängig, und nur innerhalb von 10 Minuten.</translation>
    </message>
    <message numerus="yes">
        <source>%n more ticket(s) not tried: undo them again.</source>
        <translation>
            <numerusform>%n weiteres Ticket nicht versucht: Machen Sie es erneut rückgängig.</numerusform>
            <numerusform>%n weitere Tickets nicht versucht: Machen Sie sie erneut rückgängig.</numerusform>
        </translation>
    </message>
    <message>
        <source>read the order of ticket %1</source>
        <translation>die Bestellung von Ticket %1 lesen</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>Bestellung %1 lesen</translation>
    </message>
</context>
<context>
    <name>qrt::feed::EventFeed</name>
    <message>
        <source>The event feed cannot listen on %1 port %2.</source>
        <translation>Der Ereignis-Feed kann nicht auf %1 Port %2 lauschen.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ConnectionTest</name>
    <message numerus="yes">
        <source>Connected: the location has %n custom field(s).</source>
        <translation>
            <numerusform>Verbunden: Der Standort hat %n benutzerdefiniertes Feld.</numerusform>
            <numerusform>Verbunden: Der Standort hat %n benutzerdefinierte Felder.</numerusform>
        </translation>
    </message>
    <message>
        <source>forms.write (QR codes into File upload fields)</source>
        <translation>forms.write (QR-Codes in Felder vom Typ Datei-Upload)</translation>
    </message>
    <message>
        <source>contacts.write (QR codes into Text and Large text fields)</source>
        <translation>contacts.write (QR-Codes in Felder vom Typ Text und Langer Text)</translation>
    </message>
    <message>
        <source>But the token lacks scope %1: add it to the Private Integration token.</source>
        <translation>Aber dem Token fehlt der Scope %1: Fügen Sie ihn dem Private-Integration-Token hinzu.</translation>
    </message>
    <message>
        <source>Could not check scope %1: GHL did not answer the check.</source>
        <translation>Scope %1 konnte nicht geprüft werden: GHL hat auf die Prüfung nicht geantwortet.</translation>
    </message>
    <message>
        <source>contacts.readonly (checking a field before a QR code is written again)</source>
        <translation>contacts.readonly (Prüfen eines Felds, bevor ein QR-Code erneut geschrieben wird)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetContactJob</name>
    <message>
        <source>contact %1 is not a JSON object</source>
        <translation>Kontakt %1 ist kein JSON-Objekt</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetOrderJob</name>
    <message>
        <source>order %1 is not valid JSON (%2 at byte %3)</source>
        <translation>Bestellung %1 ist kein gültiges JSON (%2 bei Byte %3)</translation>
    </message>
    <message>
        <source>order %1 is not a JSON object</source>
        <translation>Bestellung %1 ist kein JSON-Objekt</translation>
    </message>
    <message>
        <source>GHL answered order %1 for %2; the answer is not stored.</source>
        <translation>GHL hat auf die Anfrage nach %2 Bestellung %1 geliefert; die Antwort wird nicht gespeichert.</translation>
    </message>
    <message>
        <source>Order %1 belongs to location %2, not to %3 (the configured location); it is not stored.</source>
        <translation>Bestellung %1 gehört zu Standort %2, nicht zu %3 (dem eingerichteten Standort); sie wird nicht gespeichert.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlClient</name>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>Die Anfrage an GHL wurde abgebrochen.</translation>
    </message>
    <message>
        <source>No GHL token is set: enter the Private Integration token (scope %1) in Settings.</source>
        <translation>Es ist kein GHL-Token gesetzt: Geben Sie das Private-Integration-Token (Scope %1) in den Einstellungen ein.</translation>
    </message>
    <message>
        <source>The GHL base URL is not set or not valid; check it in Settings.</source>
        <translation>Die GHL-Basis-URL ist nicht gesetzt oder ungültig; prüfen Sie sie in den Einstellungen.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 401): the token is invalid or missing scope %1. Check the Private Integration token in Settings.</source>
        <translation>GHL hat die Anfrage abgelehnt (HTTP 401): Das Token ist ungültig oder ihm fehlt der Scope %1. Prüfen Sie das Private-Integration-Token in den Einstellungen.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 403): the token is invalid or missing scope %1, or it has no access to location %2. Check the token and the location id in Settings.</source>
        <translation>GHL hat die Anfrage abgelehnt (HTTP 403): Das Token ist ungültig, ihm fehlt der Scope %1 oder es hat keinen Zugriff auf Standort %2. Prüfen Sie Token und Standort-ID in den Einstellungen.</translation>
    </message>
    <message>
        <source>GHL does not know what was asked for (%1): it may have been deleted.</source>
        <translation>GHL kennt das Angefragte nicht (%1): Es wurde vielleicht gelöscht.</translation>
    </message>
    <message>
        <source>GHL&apos;s rate limit was exceeded (too many requests).</source>
        <translation>Das Ratenlimit von GHL wurde überschritten (zu viele Anfragen).</translation>
    </message>
    <message>
        <source>GHL had a problem on its side (HTTP %1). Try again later.</source>
        <translation>GHL hatte ein Problem auf seiner Seite (HTTP %1). Versuchen Sie es später erneut.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1).</source>
        <translation>GHL hat die Anfrage abgelehnt (HTTP %1).</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1): %2</source>
        <translation>GHL hat die Anfrage abgelehnt (HTTP %1): %2</translation>
    </message>
    <message>
        <source>GHL did not answer within %1 seconds.</source>
        <translation>GHL hat nicht innerhalb von %1 Sekunden geantwortet.</translation>
    </message>
    <message>
        <source>Could not connect to GHL at %1: the connection was refused.</source>
        <translation>Keine Verbindung zu GHL unter %1: Die Verbindung wurde abgelehnt.</translation>
    </message>
    <message>
        <source>GHL at %1 closed the connection before answering.</source>
        <translation>GHL unter %1 hat die Verbindung vor der Antwort geschlossen.</translation>
    </message>
    <message>
        <source>The GHL server %1 could not be found. Check the internet connection and the base URL.</source>
        <translation>Der GHL-Server %1 wurde nicht gefunden. Prüfen Sie die Internetverbindung und die Basis-URL.</translation>
    </message>
    <message>
        <source>No secure connection to GHL at %1 could be made (TLS error). Check the computer&apos;s date and time and any proxy or firewall.</source>
        <translation>Es konnte keine sichere Verbindung zu GHL unter %1 aufgebaut werden (TLS-Fehler). Prüfen Sie Datum und Uhrzeit des Rechners sowie Proxy oder Firewall.</translation>
    </message>
    <message>
        <source>The network is not available.</source>
        <translation>Das Netzwerk ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>The proxy refused or failed the connection to GHL.</source>
        <translation>Der Proxy hat die Verbindung zu GHL abgelehnt oder sie ist dort fehlgeschlagen.</translation>
    </message>
    <message>
        <source>The connection to GHL at %1 failed.</source>
        <translation>Die Verbindung zu GHL unter %1 ist fehlgeschlagen.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asks to wait %n minute(s) before the next request (its daily limit may be used up).</source>
        <translation>
            <numerusform>GHL bittet, %n Minute bis zur nächsten Anfrage zu warten (das Tageslimit ist vielleicht aufgebraucht).</numerusform>
            <numerusform>GHL bittet, %n Minuten bis zur nächsten Anfrage zu warten (das Tageslimit ist vielleicht aufgebraucht).</numerusform>
        </translation>
    </message>
    <message>
        <source>Gave up: GHL failed too often recently and the retry budget is used up.</source>
        <translation>Aufgegeben: GHL ist zuletzt zu oft fehlgeschlagen und das Wiederholungsbudget ist aufgebraucht.</translation>
    </message>
    <message numerus="yes">
        <source>Gave up after %n attempt(s).</source>
        <translation>
            <numerusform>Nach %n Versuch aufgegeben.</numerusform>
            <numerusform>Nach %n Versuchen aufgegeben.</numerusform>
        </translation>
    </message>
    <message>
        <source>GHL kept answering &apos;too many requests&apos; (rate limit).</source>
        <translation>GHL antwortete immer wieder mit &apos;zu viele Anfragen&apos; (Ratenlimit).</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlJob</name>
    <message>
        <source>The request was cancelled: the GHL connection is gone.</source>
        <translation>Die Anfrage wurde abgebrochen: Die GHL-Verbindung besteht nicht mehr.</translation>
    </message>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>Die Anfrage an GHL wurde abgebrochen.</translation>
    </message>
    <message>
        <source>GHL answered with malformed data: %1.</source>
        <translation>GHL hat fehlerhafte Daten geliefert: %1.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListCustomFieldsJob</name>
    <message>
        <source>the custom field list is not valid JSON (%1 at byte %2)</source>
        <translation>die Liste der benutzerdefinierten Felder ist kein gültiges JSON (%1 bei Byte %2)</translation>
    </message>
    <message>
        <source>the custom field list has no &quot;customFields&quot; list</source>
        <translation>die Liste der benutzerdefinierten Felder hat keine Liste &quot;customFields&quot;</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListOrdersJob</name>
    <message>
        <source>the order list is not valid JSON (%1 at byte %2)</source>
        <translation>die Bestellliste ist kein gültiges JSON (%1 bei Byte %2)</translation>
    </message>
    <message>
        <source>the order list has no &quot;data&quot; list or no &quot;totalCount&quot;</source>
        <translation>die Bestellliste hat keine Liste &quot;data&quot; oder kein &quot;totalCount&quot;</translation>
    </message>
    <message>
        <source>order %1 of the list has no id (_id)</source>
        <translation>Bestellung %1 der Liste hat keine ID (_id)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::OrderJson</name>
    <message>
        <source>The order data from GHL is malformed: %1.</source>
        <translation>Die Bestelldaten von GHL sind fehlerhaft: %1.</translation>
    </message>
    <message>
        <source>The data of order %1 from GHL is malformed: %2.</source>
        <translation>Die Daten von Bestellung %1 aus GHL sind fehlerhaft: %2.</translation>
    </message>
    <message>
        <source>not valid JSON (%1 at byte %2)</source>
        <translation>kein gültiges JSON (%1 bei Byte %2)</translation>
    </message>
    <message>
        <source>expected a JSON object</source>
        <translation>JSON-Objekt erwartet</translation>
    </message>
    <message>
        <source>it has no order id (_id)</source>
        <translation>sie hat keine Bestell-ID (_id)</translation>
    </message>
    <message>
        <source>the order id is longer than 64 characters</source>
        <translation>die Bestell-ID ist länger als 64 Zeichen</translation>
    </message>
    <message>
        <source>amount is not a number</source>
        <translation>amount ist keine Zahl</translation>
    </message>
    <message>
        <source>items is not a list</source>
        <translation>items ist keine Liste</translation>
    </message>
    <message>
        <source>item %1 is not an object</source>
        <translation>Position %1 ist kein Objekt</translation>
    </message>
    <message>
        <source>item %1 has no valid quantity (qty)</source>
        <translation>Position %1 hat keine gültige Menge (qty)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ArrivalsChart</name>
    <message>
        <source>Tickets admitted and not undone (their status is used). There is no exit scan: a guest who left still counts.</source>
        <translation>Eingelassene und nicht rückgängig gemachte Tickets (Status „benutzt“). Es gibt keinen Scan am Ausgang: Ein Gast, der gegangen ist, zählt weiter mit.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes</source>
        <translation>Einlässe pro 15 Minuten</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n inside)</source>
        <translation>
            <numerusform>%1 (%n drinnen)</numerusform>
            <numerusform>%1 (%n drinnen)</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Eingelassen</translation>
    </message>
    <message>
        <source>Nobody admitted yet: admissions appear here per 15 minutes as guests arrive.</source>
        <translation>Noch niemand eingelassen: Sobald Gäste ankommen, erscheinen die Einlässe hier pro 15 Minuten.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes, %1 %2 – %3</source>
        <translation>Einlässe pro 15 Minuten, %1 %2 – %3</translation>
    </message>
    <message numerus="yes">
        <source>Inside now: %n</source>
        <translation>
            <numerusform>Jetzt drinnen: %n</numerusform>
            <numerusform>Jetzt drinnen: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Admitted per 15 minutes: %1</source>
        <translation>Eingelassen pro 15 Minuten: %1</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CameraPreview</name>
    <message>
        <source>Camera preview</source>
        <translation>Kameravorschau</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>%1 wird gestartet…</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CheckInPanel</name>
    <message>
        <source>Ready to scan</source>
        <translation>Bereit zum Scannen</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining (%1)</source>
        <translation>Alle übri&amp;gen einlassen (%1)</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Alle übri&amp;gen einlassen</translation>
    </message>
    <message>
        <source>Undo failed</source>
        <translation>Rückgängigmachen fehlgeschlagen</translation>
    </message>
    <message>
        <source>Admission undone</source>
        <translation>Einlass rückgängig gemacht</translation>
    </message>
    <message>
        <source>Open an image with a QR code</source>
        <translation>Bild mit QR-Code öffnen</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation>Bilder (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>No QR code found</source>
        <translation>Kein QR-Code gefunden</translation>
    </message>
    <message>
        <source>No readable QR code in %1. Try a sharper or larger image.</source>
        <translation>Kein lesbarer QR-Code in %1. Versuchen Sie ein schärferes oder größeres Bild.</translation>
    </message>
    <message>
        <source>Gate: %1</source>
        <translation>Eingang: %1</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Einen &amp;weiteren einlassen</translation>
    </message>
    <message>
        <source>Admit o&amp;ne</source>
        <translation>Einen ein&amp;lassen</translation>
    </message>
    <message>
        <source>&amp;Undo last admission (%1)</source>
        <translation>Letzten Einlass &amp;rückgängig machen (%1)</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>Letzten Einlass &amp;rückgängig machen</translation>
    </message>
    <message>
        <source>The last scan admitted nobody: nothing to undo</source>
        <translation>Der letzte Scan hat niemanden eingelassen: nichts rückgängig zu machen</translation>
    </message>
    <message numerus="yes">
        <source>Makes the %n ticket(s) just admitted live again</source>
        <translation>
            <numerusform>Macht das gerade eingelassene Ticket wieder gültig</numerusform>
            <numerusform>Macht die %n gerade eingelassenen Tickets wieder gültig</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) are live again.</source>
        <translation>
            <numerusform>%n Ticket ist wieder gültig.</numerusform>
            <numerusform>%n Tickets sind wieder gültig.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) of %1 are live again.</source>
        <translation>
            <numerusform>%n Ticket von %1 ist wieder gültig.</numerusform>
            <numerusform>%n Tickets von %1 sind wieder gültig.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s)</source>
        <translation>
            <numerusform>Rückgängig: %n Ticket</numerusform>
            <numerusform>Rückgängig: %n Tickets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s) of %1</source>
        <translation>
            <numerusform>Rückgängig: %n Ticket von %1</numerusform>
            <numerusform>Rückgängig: %n Tickets von %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Every event</source>
        <translation>Alle Veranstaltungen</translation>
    </message>
    <message>
        <source>Not undone:</source>
        <translation>Nicht rückgängig gemacht:</translation>
    </message>
    <message>
        <source>Nothing undone</source>
        <translation>Nichts rückgängig gemacht</translation>
    </message>
    <message>
        <source>Came&amp;ra</source>
        <translation>&amp;Kamera</translation>
    </message>
    <message>
        <source>Scan QR codes with this computer&apos;s camera (Settings → Station chooses which)</source>
        <translation>QR-Codes mit der Kamera dieses Computers scannen (welche, legen Sie unter Einstellungen → Station fest)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::DatabaseSettingsPage</name>
    <message>
        <source>Database</source>
        <translation>Datenbank</translation>
    </message>
    <message>
        <source>Connecting ...</source>
        <translation>Verbinde ...</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Nicht verbunden: %1</translation>
    </message>
    <message>
        <source>Connected to %1 (%2).</source>
        <translation>Verbunden mit %1 (%2).</translation>
    </message>
    <message>
        <source>Trying the new database before saving it ...</source>
        <translation>Die neue Datenbank wird vor dem Speichern geprüft ...</translation>
    </message>
    <message>
        <source>Save anyway?</source>
        <translation>Trotzdem speichern?</translation>
    </message>
    <message>
        <source>QR Tickets could not connect to the database at %1:
%2</source>
        <translation>QR Tickets konnte keine Verbindung zur Datenbank unter %1 herstellen:
%2</translation>
    </message>
    <message>
        <source>Saved anyway, QR Tickets starts on a window that offers Settings, Retry and this computer&apos;s local database until this database answers.</source>
        <translation>Wenn Sie trotzdem speichern, startet QR Tickets mit einem Fenster, das Einstellungen, Erneut versuchen und die lokale Datenbank dieses Computers anbietet, bis diese Datenbank antwortet.</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>Trotzdem speichern</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Weiter bearbeiten</translation>
    </message>
</context>
<context>
    <name>qrt::gui::EventOverview</name>
    <message>
        <source>Event overview</source>
        <translation>Veranstaltungsübersicht</translation>
    </message>
    <message>
        <source>No tickets yet. Press Sync (F5) to fetch orders from GHL.</source>
        <translation>Noch keine Tickets. Drücken Sie Synchronisieren (F5), um Bestellungen von GHL abzurufen.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n ticket(s) admitted, %2 still to come.</source>
        <translation>
            <numerusform>%1 von %n Ticket eingelassen, %2 kommen noch.</numerusform>
            <numerusform>%1 von %n Tickets eingelassen, %2 kommen noch.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::Exporter</name>
    <message>
        <source>door-list</source>
        <comment>start of a saved door list&apos;s file name</comment>
        <translation>einlassliste</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Vorname</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nachname</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefon</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Veranstaltung</translation>
    </message>
    <message>
        <source>Tickets live</source>
        <translation>Tickets gültig</translation>
    </message>
    <message>
        <source>Tickets used</source>
        <translation>Tickets entwertet</translation>
    </message>
    <message>
        <source>Tickets cancelled</source>
        <translation>Tickets storniert</translation>
    </message>
    <message>
        <source>Total paid</source>
        <translation>Bezahlt gesamt</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Währung</translation>
    </message>
    <message>
        <source>Payment status</source>
        <translation>Zahlungsstatus</translation>
    </message>
    <message>
        <source>Ordered (UTC)</source>
        <translation>Bestellt (UTC)</translation>
    </message>
    <message>
        <source>Updated (UTC)</source>
        <translation>Geändert (UTC)</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Tickets</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Eingelassen</translation>
    </message>
    <message>
        <source>Ticket types</source>
        <translation>Ticketarten</translation>
    </message>
    <message>
        <source>Orders: %1 · Tickets: %2 · Admitted: %3 · Printed: %4</source>
        <translation>Bestellungen: %1 · Tickets: %2 · Eingelassen: %3 · Gedruckt: %4</translation>
    </message>
    <message>
        <source>Tick</source>
        <comment>door list column: one box per person let in by hand</comment>
        <translation>Haken</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <comment>door list: tickets admitted of the order&apos;s tickets</comment>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <comment>door list: last name, first name</comment>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Door list: %1</source>
        <translation>Einlassliste: %1</translation>
    </message>
    <message>
        <source>No orders with tickets for this event.</source>
        <translation>Keine Bestellungen mit Tickets für diese Veranstaltung.</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Seite %1 von %2</translation>
    </message>
</context>
<context>
    <name>qrt::gui::GhlSettingsPage</name>
    <message>
        <source>GHL</source>
        <translation>GHL</translation>
    </message>
    <message>
        <source>No system keychain is available: give the token in the environment variable QRTICKETS_GHL_TOKEN.</source>
        <translation>Kein Schlüsselbund des Systems verfügbar: geben Sie das Token in der Umgebungsvariable QRTICKETS_GHL_TOKEN an.</translation>
    </message>
    <message>
        <source>The token is kept in the system keychain, never in the settings file.</source>
        <translation>Das Token wird im Schlüsselbund des Systems aufbewahrt, nie in der Einstellungsdatei.</translation>
    </message>
    <message>
        <source>Fix the GHL settings first.</source>
        <translation>Korrigieren Sie zuerst die GHL-Einstellungen.</translation>
    </message>
    <message>
        <source>Enter the location ID and the token first.</source>
        <translation>Geben Sie zuerst die Standort-ID und das Token ein.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Verbinde mit %1 ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::GuestSearch</name>
    <message>
        <source>No code? Fin&amp;d by name:</source>
        <translation>Kein Code? Nach &amp;Namen suchen:</translation>
    </message>
    <message>
        <source>Guest&apos;s name, e-mail or phone</source>
        <translation>Name, E-Mail oder Telefon des Gastes</translation>
    </message>
    <message>
        <source>Find a guest by name</source>
        <translation>Gast nach Namen suchen</translation>
    </message>
    <message>
        <source>Guests found</source>
        <translation>Gefundene Gäste</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(kein Name)</translation>
    </message>
    <message>
        <source>%1 · %2 · order %3</source>
        <translation>%1 · %2 · Bestellung %3</translation>
    </message>
    <message>
        <source>No guest of this station&apos;s events matches.</source>
        <translation>Kein Gast der Veranstaltungen dieser Station passt.</translation>
    </message>
    <message>
        <source>Guest&apos;s name or order id</source>
        <translation>Name des Gasts oder Bestell-ID</translation>
    </message>
</context>
<context>
    <name>qrt::gui::HistoryModel</name>
    <message>
        <source>(new)</source>
        <translation>(neu)</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Nach</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Durch</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
</context>
<context>
    <name>qrt::gui::KioskPinSettings</name>
    <message>
        <source>Kiosk PIN (leave the check-in screen)</source>
        <translation>Kiosk-PIN (Einlassbildschirm verlassen)</translation>
    </message>
    <message>
        <source>empty: keep as it is</source>
        <translation>leer: unverändert lassen</translation>
    </message>
    <message>
        <source>New &amp;PIN:</source>
        <translation>Neue &amp;PIN:</translation>
    </message>
    <message>
        <source>&amp;Repeat PIN:</source>
        <translation>PIN &amp;wiederholen:</translation>
    </message>
    <message>
        <source>No PIN: anyone may leave the check-in screen</source>
        <translation>Keine PIN: Jeder darf den Einlassbildschirm verlassen</translation>
    </message>
    <message>
        <source>Kiosk PIN</source>
        <translation>Kiosk-PIN</translation>
    </message>
    <message>
        <source>No PIN is set: the window is never locked.</source>
        <translation>Es ist keine PIN gesetzt: Das Fenster wird nie gesperrt.</translation>
    </message>
    <message>
        <source>A PIN is set: the window starts locked on the check-in screen; leaving it, Settings and Quit ask for it.</source>
        <translation>Eine PIN ist gesetzt: Das Fenster startet gesperrt auf dem Einlassbildschirm; Verlassen, Einstellungen und Beenden fragen nach ihr.</translation>
    </message>
    <message>
        <source>Set outside the settings file (environment or command line): change it there.</source>
        <translation>Außerhalb der Einstellungsdatei gesetzt (Umgebung oder Befehlszeile): Ändern Sie sie dort.</translation>
    </message>
    <message>
        <source>A PIN has at least %1 characters.</source>
        <translation>Eine PIN hat mindestens %1 Zeichen.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>Die beiden PINs unterscheiden sich: Geben Sie zweimal dieselbe PIN ein.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerPanel</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>GHL-Signatur (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Gemeinsames Geheimnis</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Keine (nur dieser Rechner)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Done with a warning</source>
        <translation>Erledigt mit Warnung</translation>
    </message>
    <message>
        <source>Failed, retrying (attempt %1)</source>
        <translation>Fehlgeschlagen, wird wiederholt (Versuch %1)</translation>
    </message>
    <message numerus="yes">
        <source>Dead after %n attempt(s)</source>
        <translation>
            <numerusform>Tot nach %n Versuch</numerusform>
            <numerusform>Tot nach %n Versuchen</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Art</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Fehler</translation>
    </message>
    <message>
        <source>No database is open, so there is no webhook inbox to show.</source>
        <translation>Es ist keine Datenbank geöffnet, daher gibt es keine Webhook-Inbox zum Anzeigen.</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>Lauscht</translation>
    </message>
    <message>
        <source>&amp;Stop listener</source>
        <translation>Empfang &amp;stoppen</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>%1:%2 (not listening)</source>
        <translation>%1:%2 (lauscht nicht)</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>Empfang &amp;starten</translation>
    </message>
    <message>
        <source>The listener needs a database for its inbox.</source>
        <translation>Der Webhook-Empfang braucht eine Datenbank für seine Inbox.</translation>
    </message>
    <message>
        <source>No inbox worker runs in this application: another station or `qrtickets serve` must process the events.</source>
        <translation>In dieser Anwendung läuft kein Inbox-Worker: eine andere Station oder `qrtickets serve` muss die Ereignisse verarbeiten.</translation>
    </message>
    <message>
        <source>Stopped. Webhooks GHL sends now are retried by GHL or lost; start the listener again to receive them.</source>
        <translation>Gestoppt. Webhooks, die GHL jetzt sendet, werden von GHL wiederholt oder gehen verloren; starten Sie den Webhook-Empfang erneut, um sie zu empfangen.</translation>
    </message>
    <message>
        <source>The listener did not start: %1</source>
        <translation>Der Webhook-Empfang ist nicht gestartet: %1</translation>
    </message>
    <message>
        <source>The inbox could not be read: %1</source>
        <translation>Die Inbox konnte nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>%1 pending, %2 processing, %3 waiting to retry</source>
        <translation>%1 ausstehend, %2 in Bearbeitung, %3 warten auf Wiederholung</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>%1 (last error: %2)</source>
        <translation>%1 (letzter Fehler: %2)</translation>
    </message>
    <message>
        <source>(custom)</source>
        <translation>(benutzerdefiniert)</translation>
    </message>
    <message>
        <source>Nothing received yet. Point a GHL workflow webhook or the marketplace app at the address above.</source>
        <translation>Noch nichts empfangen. Richten Sie einen GHL-Workflow-Webhook oder die Marketplace-App auf die Adresse oben.</translation>
    </message>
    <message>
        <source>Only GHL can sign webhooks; set the listener to shared-secret authentication to send a test webhook.</source>
        <translation>Nur GHL kann Webhooks signieren; stellen Sie den Webhook-Empfang auf Authentifizierung mit gemeinsamem Geheimnis, um einen Test-Webhook zu senden.</translation>
    </message>
    <message>
        <source>Retry failed: %1</source>
        <translation>Wiederholen fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>Event %1 is already waiting or being processed.</source>
        <translation>Ereignis %1 wartet bereits oder wird gerade verarbeitet.</translation>
    </message>
    <message>
        <source>Event %1 is queued again.</source>
        <translation>Ereignis %1 ist wieder in der Warteschlange.</translation>
    </message>
    <message>
        <source>Looking up a demo order ...</source>
        <translation>Suche eine Demo-Bestellung ...</translation>
    </message>
    <message>
        <source>No demo order to send: %1</source>
        <translation>Keine Demo-Bestellung zum Senden: %1</translation>
    </message>
    <message>
        <source>The demo location has no orders yet.</source>
        <translation>Der Demo-Standort hat noch keine Bestellungen.</translation>
    </message>
    <message>
        <source>Test webhook for order %1 accepted; watch it below.</source>
        <translation>Test-Webhook für Bestellung %1 angenommen; verfolgen Sie ihn unten.</translation>
    </message>
    <message>
        <source>The listener answered %1: %2</source>
        <translation>Der Webhook-Empfang antwortete %1: %2</translation>
    </message>
    <message>
        <source>The test webhook could not be sent: %1</source>
        <translation>Der Test-Webhook konnte nicht gesendet werden: %1</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Sendet einen OrderCreate-Webhook für eine Demo-Bestellung an diesen Webhook-Empfang</translation>
    </message>
    <message>
        <source>Reconciliation:</source>
        <translation>Abgleich:</translation>
    </message>
    <message>
        <source>Every [sync] reconcile_interval_s while the listener runs: an incremental sync finds orders whose webhook never came, then every stored order without its QR code gets it. One station at a time does it.</source>
        <translation>Alle [sync] reconcile_interval_s, solange der Webhook-Empfang läuft: Eine inkrementelle Synchronisierung findet Bestellungen, deren Webhook nie ankam, dann erhält jede gespeicherte Bestellung ohne QR-Code ihren QR-Code. Das erledigt immer nur eine Station zugleich.</translation>
    </message>
    <message>
        <source>Refused deliveries</source>
        <translation>Abgewiesene Zustellungen</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Antwort</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Requests this listener refused (wrong signature or secret, too large, not an order ...). GHL retries only a 429; the others are lost unless fixed at the sender.</source>
        <translation>Anfragen, die dieser Webhook-Empfang abgewiesen hat (falsche Signatur oder falsches Geheimnis, zu groß, keine Bestellung ...). GHL wiederholt nur eine 429; die anderen gehen verloren, sofern sie nicht beim Absender behoben werden.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerSettingsPage</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>GHL-Signatur (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Gemeinsames Geheimnis</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Keine (nur dieser Rechner)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Webhook-Empfang</translation>
    </message>
    <message>
        <source>Without authentication anyone on the network can post orders to this station. Bind to 127.0.0.1 or choose an authentication mode; the listener refuses to start like this.</source>
        <translation>Ohne Authentifizierung kann jeder im Netzwerk Bestellungen an diese Station senden. Binden Sie an 127.0.0.1 oder wählen Sie eine Authentifizierung; so startet der Webhook-Empfang nicht.</translation>
    </message>
    <message>
        <source>Shared-secret authentication needs a secret.</source>
        <translation>Authentifizierung mit gemeinsamem Geheimnis braucht ein Geheimnis.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MainWindow</name>
    <message>
        <source>Could not write %1.</source>
        <translation>%1 konnte nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>QR Tickets — Demo</source>
        <translation>QR Tickets — Demo</translation>
    </message>
    <message>
        <source>QR Tickets</source>
        <translation>QR Tickets</translation>
    </message>
    <message>
        <source>&lt;p&gt;QR Tickets shows the orders of your GoHighLevel location here.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Open &lt;b&gt;Settings&lt;/b&gt; (Ctrl+,) and enter your GHL location id and private integration token.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch your orders.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Use the &lt;b&gt;Check-in&lt;/b&gt; tab at the door.&lt;/p&gt;&lt;p&gt;Just looking around? Start &lt;code&gt;qrtickets --demo&lt;/code&gt; for a built-in GHL simulator with sample orders.&lt;/p&gt;</source>
        <translation>&lt;p&gt;QR Tickets zeigt hier die Bestellungen Ihres GoHighLevel-Standorts.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Öffnen Sie die &lt;b&gt;Einstellungen&lt;/b&gt; (Strg+,) und geben Sie Ihre GHL-Standort-ID und Ihr Private-Integration-Token ein.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Drücken Sie &lt;b&gt;Synchronisieren&lt;/b&gt; (F5), um Ihre Bestellungen abzurufen.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Nutzen Sie am Eingang den Reiter &lt;b&gt;Einlass&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Nur umsehen? Starten Sie &lt;code&gt;qrtickets --demo&lt;/code&gt; für einen eingebauten GHL-Simulator mit Beispielbestellungen.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not read the orders: %1</source>
        <translation>Die Bestellungen konnten nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Alle Veranstaltungen</translation>
    </message>
    <message>
        <source>Any payment status</source>
        <translation>Jeder Zahlungsstatus</translation>
    </message>
    <message>
        <source>Any check-in state</source>
        <translation>Jeder Einlassstatus</translation>
    </message>
    <message>
        <source>Not arrived</source>
        <translation>Nicht angekommen</translation>
    </message>
    <message>
        <source>Partly admitted</source>
        <translation>Teilweise eingelassen</translation>
    </message>
    <message>
        <source>All admitted</source>
        <translation>Alle eingelassen</translation>
    </message>
    <message>
        <source>No live tickets</source>
        <translation>Keine gültigen Tickets</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) loaded, counting…</source>
        <translation>
            <numerusform>%n Bestellung geladen, zähle…</numerusform>
            <numerusform>%n Bestellungen geladen, zähle…</numerusform>
        </translation>
    </message>
    <message>
        <source>No order matches the search and filters. Clear them to see every order.</source>
        <translation>Keine Bestellung passt zu Suche und Filtern. Setzen Sie sie zurück, um alle Bestellungen zu sehen.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n Bestellung</numerusform>
            <numerusform>%n Bestellungen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 — connected</source>
        <translation>%1: %2 — verbunden</translation>
    </message>
    <message>
        <source>%1: %2 — not reachable</source>
        <translation>%1: %2 — nicht erreichbar</translation>
    </message>
    <message>
        <source>Never synced — press F5</source>
        <translation>Nie synchronisiert — F5 drücken</translation>
    </message>
    <message>
        <source>Listener: %1:%2</source>
        <translation>Webhook-Empfang: %1:%2</translation>
    </message>
    <message>
        <source>Listener: off</source>
        <translation>Webhook-Empfang: aus</translation>
    </message>
    <message>
        <source> — %1 today, %2 dead</source>
        <translation> — %1 heute, %2 tot</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Export fehlgeschlagen</translation>
    </message>
    <message>
        <source>Choose a folder you can write to and try again.</source>
        <translation>Wählen Sie einen beschreibbaren Ordner und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Door list %1</source>
        <translation>Einlassliste %1</translation>
    </message>
    <message>
        <source>Door list not saved</source>
        <translation>Einlassliste nicht gespeichert</translation>
    </message>
    <message>
        <source>Export order list</source>
        <translation>Bestellliste exportieren</translation>
    </message>
    <message>
        <source>No events</source>
        <translation>Keine Veranstaltungen</translation>
    </message>
    <message>
        <source>There are no orders yet. Press Sync (F5) first.</source>
        <translation>Es gibt noch keine Bestellungen. Drücken Sie zuerst Synchronisieren (F5).</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Einlassliste</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Veranstaltung:</translation>
    </message>
    <message>
        <source>Door list not printed</source>
        <translation>Einlassliste nicht gedruckt</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Prüfen Sie die Datenbankverbindung und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Save door list</source>
        <translation>Einlassliste speichern</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF-Dateien (*.pdf)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Webhook-Empfang</translation>
    </message>
    <message>
        <source>About QR Tickets</source>
        <translation>Über QR Tickets</translation>
    </message>
    <message>
        <source>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;GoHighLevel orders, QR codes and door check-in for event staff.&lt;/p&gt;&lt;p&gt;Database: %2&lt;/p&gt;&lt;p&gt;Station: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;GoHighLevel-Bestellungen, QR-Codes und Einlasskontrolle für Veranstaltungspersonal.&lt;/p&gt;&lt;p&gt;Datenbank: %2&lt;/p&gt;&lt;p&gt;Station: %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Changes made at other stations appear here live.</source>
        <translation>Änderungen an anderen Stationen erscheinen hier sofort.</translation>
    </message>
    <message>
        <source>CSV, comma separated (*.csv)</source>
        <translation>CSV, durch Kommas getrennt (*.csv)</translation>
    </message>
    <message>
        <source>CSV, semicolon separated, decimal comma (*.csv)</source>
        <translation>CSV, durch Semikolons getrennt, Dezimalkomma (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Last sync: %1, %2 (%n order(s), %3 failed)</source>
        <translation>
            <numerusform>Letzte Synchronisierung: %1, %2 (%n Bestellung, %3 fehlgeschlagen)</numerusform>
            <numerusform>Letzte Synchronisierung: %1, %2 (%n Bestellungen, %3 fehlgeschlagen)</numerusform>
        </translation>
    </message>
    <message>
        <source>Welcome to the demo</source>
        <translation>Willkommen in der Demo</translation>
    </message>
    <message>
        <source>&lt;p&gt;A built-in GHL simulator holds about 200 sample orders.&lt;/p&gt;&lt;p&gt;Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch them, open an order, admit guests in the &lt;b&gt;Check-in&lt;/b&gt; tab, or send a test webhook from the &lt;b&gt;Listener&lt;/b&gt; panel.&lt;/p&gt;&lt;p&gt;Nothing you do here touches your own settings or data.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Ein eingebauter GHL-Simulator enthält etwa 200 Beispielbestellungen.&lt;/p&gt;&lt;p&gt;Drücken Sie &lt;b&gt;Synchronisieren&lt;/b&gt; (F5), um sie abzurufen, öffnen Sie eine Bestellung, lassen Sie Gäste im Reiter &lt;b&gt;Einlass&lt;/b&gt; ein oder senden Sie einen Test-Webhook aus dem Bereich &lt;b&gt;Webhook-Empfang&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Nichts, was Sie hier tun, berührt Ihre eigenen Einstellungen oder Daten.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Sync the sample orders</source>
        <translation>Beispielbestellungen &amp;laden</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>quit</source>
        <translation>das Programm zu beenden</translation>
    </message>
    <message>
        <source>leave the check-in screen</source>
        <translation>den Einlassbildschirm zu verlassen</translation>
    </message>
    <message>
        <source>&amp;Unlock…</source>
        <translation>Ents&amp;perren…</translation>
    </message>
    <message>
        <source>Loc&amp;k check-in screen</source>
        <translation>Einlassbildschirm s&amp;perren</translation>
    </message>
    <message>
        <source>Leave the check-in screen (asks for the station&apos;s PIN)</source>
        <translation>Einlassbildschirm verlassen (fragt nach der PIN der Station)</translation>
    </message>
    <message>
        <source>Show only the check-in screen until the PIN is entered</source>
        <translation>Nur den Einlassbildschirm zeigen, bis die PIN eingegeben wird</translation>
    </message>
    <message>
        <source>open Settings</source>
        <translation>die Einstellungen zu öffnen</translation>
    </message>
    <message>
        <source>%1 · check-in only (PIN to leave)</source>
        <translation>%1 · nur Einlass (PIN zum Verlassen)</translation>
    </message>
    <message>
        <source>%1 · role not known yet: door station</source>
        <translation>%1 · Rolle noch unbekannt: Einlassstation</translation>
    </message>
    <message>
        <source>%1 · door station</source>
        <translation>%1 · Einlassstation</translation>
    </message>
    <message>
        <source>%1 · admin</source>
        <translation>%1 · Admin</translation>
    </message>
    <message>
        <source>%1 · all rights</source>
        <translation>%1 · alle Rechte</translation>
    </message>
    <message>
        <source>Kiosk PIN damaged: this station is NOT locked. Set the PIN again in Settings → Station.</source>
        <translation>Kiosk-PIN beschädigt: Diese Station ist NICHT gesperrt. Setzen Sie die PIN unter Einstellungen → Station neu.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MappingsSettingsPage</name>
    <message>
        <source>Product (event)</source>
        <translation>Produkt (Veranstaltung)</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Bestellungen</translation>
    </message>
    <message>
        <source>Custom field for the QR code</source>
        <translation>Benutzerdefiniertes Feld für den QR-Code</translation>
    </message>
    <message>
        <source>Field mappings</source>
        <translation>Feldzuordnungen</translation>
    </message>
    <message numerus="yes">
        <source>%n custom field(s) loaded from GHL.</source>
        <translation>
            <numerusform>%n benutzerdefiniertes Feld aus GHL geladen.</numerusform>
            <numerusform>%n benutzerdefinierte Felder aus GHL geladen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Mappings are stored in the database; none is open.</source>
        <translation>Zuordnungen werden in der Datenbank gespeichert; es ist keine geöffnet.</translation>
    </message>
    <message>
        <source>Loading products ...</source>
        <translation>Lade Produkte ...</translation>
    </message>
    <message>
        <source>No products yet: run a sync first, then map each product to a field.</source>
        <translation>Noch keine Produkte: Synchronisieren Sie zuerst und ordnen Sie dann jedes Produkt einem Feld zu.</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to change a mapping.</source>
        <translation>Laden Sie die benutzerdefinierten Felder aus GHL, um eine Zuordnung zu ändern.</translation>
    </message>
    <message>
        <source>Custom field for %1</source>
        <translation>Benutzerdefiniertes Feld für %1</translation>
    </message>
    <message>
        <source>(no QR field)</source>
        <translation>(kein QR-Feld)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL)</source>
        <translation>%1 (nicht mehr in GHL)</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Text</translation>
    </message>
    <message>
        <source>Large text</source>
        <translation>Langer Text</translation>
    </message>
    <message>
        <source>File upload</source>
        <translation>Datei-Upload</translation>
    </message>
    <message>
        <source>Field type</source>
        <translation>Feldtyp</translation>
    </message>
    <message>
        <source>Type: %1</source>
        <translation>Typ: %1</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>noch unbekannt</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to see the field&apos;s type.</source>
        <translation>Laden Sie die benutzerdefinierten Felder aus GHL, um den Typ des Felds zu sehen.</translation>
    </message>
    <message>
        <source>A QR code cannot be put into a field of type %1: choose a Text, Large text or File upload field.</source>
        <translation>Ein QR-Code kann nicht in ein Feld vom Typ %1 geschrieben werden: Wählen Sie ein Feld vom Typ Text, Langer Text oder Datei-Upload.</translation>
    </message>
    <message>
        <source>The QR code is uploaded as a PNG file (scope forms.write).</source>
        <translation>Der QR-Code wird als PNG-Datei hochgeladen (Scope forms.write).</translation>
    </message>
    <message>
        <source>The QR code is written as a data URL (scope contacts.write).</source>
        <translation>Der QR-Code wird als Daten-URL geschrieben (Scope contacts.write).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF</source>
        <translation>Feld für das Ticket-PDF</translation>
    </message>
    <message>
        <source>Optional: a File upload field that receives the buyer&apos;s tickets as a PDF, one page per ticket with the QR code of that ticket alone (tickets-&lt;order&gt;.pdf).</source>
        <translation>Optional: ein Feld vom Typ Datei-Upload, das die Tickets des Käufers als PDF erhält, eine Seite pro Ticket mit dem QR-Code nur dieses Tickets (tickets-&lt;order&gt;.pdf).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF of %1</source>
        <translation>Feld für das Ticket-PDF von %1</translation>
    </message>
    <message>
        <source>(no ticket PDF)</source>
        <translation>(kein Ticket-PDF)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL or not a File upload field)</source>
        <translation>%1 (nicht mehr in GHL oder kein Feld vom Typ Datei-Upload)</translation>
    </message>
    <message>
        <source>Uploaded once per order as tickets-&lt;order&gt;.pdf (scope forms.write). Needs a QR code field in the same row; choose a field other than the QR code&apos;s.</source>
        <translation>Wird einmal pro Bestellung als tickets-&lt;order&gt;.pdf hochgeladen (Scope forms.write). Braucht ein QR-Code-Feld in derselben Zeile; wählen Sie ein anderes Feld als das des QR-Codes.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF needs a field of its own, not the QR code&apos;s field.</source>
        <translation>%1: Das Ticket-PDF braucht ein eigenes Feld, nicht das Feld des QR-Codes.</translation>
    </message>
    <message>
        <source>%1: without a QR code field the product&apos;s mapping is removed, its ticket PDF field (%2) with it; no ticket PDF goes out for it any more.</source>
        <translation>%1: Ohne QR-Code-Feld wird die Zuordnung des Produkts entfernt, mit ihr auch das Ticket-PDF-Feld (%2); für dieses Produkt wird kein Ticket-PDF mehr versandt.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF goes to every past order of this product that has none; how many could not be counted (%2).</source>
        <translation>%1: Das Ticket-PDF geht an jede frühere Bestellung dieses Produkts, die noch keins hat; wie viele, konnte nicht gezählt werden (%2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: the ticket PDF will be uploaded for up to %n past order(s) of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</source>
        <translation>
            <numerusform>%1: Das Ticket-PDF wird beim nächsten Abgleich für bis zu %n frühere Bestellung dieses Produkts hochgeladen (für jeden Käufer, der es noch nicht erhalten hat; ein Käufer mit mehreren Bestellungen erhält das der neuesten), wie bei einem neu zugeordneten QR-Feld.</numerusform>
            <numerusform>%1: Das Ticket-PDF wird beim nächsten Abgleich für bis zu %n frühere Bestellungen dieses Produkts hochgeladen (für jeden Käufer, der es noch nicht erhalten hat; ein Käufer mit mehreren Bestellungen erhält das der neuesten), wie bei einem neu zugeordneten QR-Feld.</numerusform>
        </translation>
    </message>
    <message>
        <source>Save the field mappings?</source>
        <translation>Feldzuordnungen speichern?</translation>
    </message>
    <message>
        <source>Saving these field mappings changes what goes to buyers:</source>
        <translation>Das Speichern dieser Feldzuordnungen ändert, was an Käufer geht:</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Weiter bearbeiten</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OfflineBar</name>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Admitted offline here</source>
        <translation>Hier offline eingelassen</translation>
    </message>
    <message>
        <source>Admitted first by</source>
        <translation>Zuerst eingelassen von</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Grund</translation>
    </message>
    <message numerus="yes">
        <source>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admission(s) wait to be sent.</source>
        <translation>
            <numerusform>OFFLINE: Die gemeinsame Datenbank antwortet nicht. Scans werden mit der Kopie dieser Station geprüft; %n Einlass wartet auf das Senden.</numerusform>
            <numerusform>OFFLINE: Die gemeinsame Datenbank antwortet nicht. Scans werden mit der Kopie dieser Station geprüft; %n Einlässe warten auf das Senden.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online, but %n admission(s) made offline could not be sent: %1 They are sent again every second.</source>
        <translation>
            <numerusform>Online, aber %n offline erfolgter Einlass konnte nicht gesendet werden: %1 Er wird jede Sekunde erneut gesendet.</numerusform>
            <numerusform>Online, aber %n offline erfolgte Einlässe konnten nicht gesendet werden: %1 Sie werden jede Sekunde erneut gesendet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Back online: sending %n admission(s) made offline.</source>
        <translation>
            <numerusform>Wieder online: %n offline erfolgter Einlass wird gesendet.</numerusform>
            <numerusform>Wieder online: %n offline erfolgte Einlässe werden gesendet.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online. %n ticket(s) admitted offline here had already been admitted at another entrance.</source>
        <translation>
            <numerusform>Online. %n hier offline eingelassenes Ticket war bereits an einem anderen Eingang eingelassen worden.</numerusform>
            <numerusform>Online. %n hier offline eingelassene Tickets waren bereits an einem anderen Eingang eingelassen worden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Conflicts (%1)</source>
        <translation>Konflikte (%1)</translation>
    </message>
    <message>
        <source>cancelled meanwhile</source>
        <translation>inzwischen storniert</translation>
    </message>
    <message>
        <source>no longer in the database</source>
        <translation>nicht mehr in der Datenbank</translation>
    </message>
    <message>
        <source>admitted twice</source>
        <translation>doppelt eingelassen</translation>
    </message>
    <message>
        <source>%1 (order %2)</source>
        <translation>%1 (Bestellung %2)</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 am %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>order refunded meanwhile</source>
        <translation>Bestellung inzwischen erstattet</translation>
    </message>
    <message>
        <source>order cancelled meanwhile</source>
        <translation>Bestellung inzwischen storniert</translation>
    </message>
    <message>
        <source>refused by the database: %1</source>
        <translation>von der Datenbank abgelehnt: %1</translation>
    </message>
    <message numerus="yes">
        <source>Online. %n offline admission(s) could not be sent: see Conflicts.</source>
        <translation>
            <numerusform>Online. %n Offline-Einlass konnte nicht gesendet werden: siehe Konflikte.</numerusform>
            <numerusform>Online. %n Offline-Einlässe konnten nicht gesendet werden: siehe Konflikte.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderDialog</name>
    <message>
        <source>Order %1</source>
        <translation>Bestellung %1</translation>
    </message>
    <message>
        <source>No QR code: %1</source>
        <translation>Kein QR-Code: %1</translation>
    </message>
    <message>
        <source>This order is not in the database (any more). Press Sync (F5) to fetch it.</source>
        <translation>Diese Bestellung ist nicht (mehr) in der Datenbank. Drücken Sie Synchronisieren (F5), um sie abzurufen.</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <translation>%1 %2, %3</translation>
    </message>
    <message>
        <source>%1 live, %2 used, %3 cancelled</source>
        <translation>%1 gültig, %2 benutzt, %3 storniert</translation>
    </message>
    <message>
        <source>Order %1 — %2</source>
        <translation>Bestellung %1 — %2</translation>
    </message>
    <message>
        <source>Nothing to change</source>
        <translation>Nichts zu ändern</translation>
    </message>
    <message>
        <source>None of these tickets can be set to %1 (they already are, or a cancelled ticket cannot be admitted).</source>
        <translation>Keines dieser Tickets kann auf %1 gesetzt werden (sie sind es bereits, oder ein storniertes Ticket kann nicht eingelassen werden).</translation>
    </message>
    <message>
        <source>Reason needed</source>
        <translation>Grund erforderlich</translation>
    </message>
    <message>
        <source>Setting a ticket to %1 from its current status needs a reason for the audit trail. Type it in the Reason field and try again.</source>
        <translation>Ein Ticket aus seinem aktuellen Status auf %1 zu setzen, braucht einen Grund für das Prüfprotokoll. Geben Sie ihn im Feld Grund ein und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Cancel tickets</source>
        <translation>Tickets stornieren</translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n ticket(s) of order %1? The holders will not be admitted.</source>
        <translation>
            <numerusform>%n Ticket von Bestellung %1 stornieren? Die Inhaber werden nicht eingelassen.</numerusform>
            <numerusform>%n Tickets von Bestellung %1 stornieren? Die Inhaber werden nicht eingelassen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep them</source>
        <translation>Behalten</translation>
    </message>
    <message>
        <source>Status not changed</source>
        <translation>Status nicht geändert</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Prüfen Sie die Datenbankverbindung und versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>Some tickets were not changed</source>
        <translation>Einige Tickets wurden nicht geändert</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>QR-Code speichern</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG-Bilder (*.png)</translation>
    </message>
    <message>
        <source>QR code not saved</source>
        <translation>QR-Code nicht gespeichert</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>%1 konnte nicht geschrieben werden.</translation>
    </message>
    <message>
        <source>Choose a folder you can write to.</source>
        <translation>Wählen Sie einen beschreibbaren Ordner.</translation>
    </message>
    <message>
        <source>Admit anyway?</source>
        <translation>Trotzdem einlassen?</translation>
    </message>
    <message>
        <source>Admit anyway</source>
        <translation>Trotzdem einlassen</translation>
    </message>
    <message>
        <source>A PDF with one page per ticket, each with the QR code of that ticket alone</source>
        <translation>Ein PDF mit einer Seite pro Ticket, jede mit dem QR-Code nur dieses Tickets</translation>
    </message>
    <message>
        <source>This order has no tickets to print (none, or all cancelled).</source>
        <translation>Diese Bestellung hat keine Tickets zum Drucken (keine oder alle storniert).</translation>
    </message>
    <message>
        <source>Save tickets</source>
        <translation>Tickets speichern</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>PDF-Dokumente (*.pdf)</translation>
    </message>
    <message>
        <source>Writing tickets…</source>
        <translation>Tickets werden geschrieben…</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>Tickets &amp;drucken…</translation>
    </message>
    <message>
        <source>Tickets not saved</source>
        <translation>Tickets nicht gespeichert</translation>
    </message>
    <message>
        <source>Tickets saved</source>
        <translation>Tickets gespeichert</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) saved to %1.</source>
        <translation>
            <numerusform>%n Ticket in %1 gespeichert.</numerusform>
            <numerusform>%n Tickets in %1 gespeichert.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Öffnen</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderListModel</name>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Kontakt</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Veranstaltung</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Gültig</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Benutzt</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Zahlung</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Aktualisiert</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OverviewModel</name>
    <message>
        <source>Event</source>
        <translation>Veranstaltung</translation>
    </message>
    <message>
        <source>Ticket type</source>
        <translation>Ticketart</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Verkauft</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Eingelassen</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Verbleibend</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Storniert</translation>
    </message>
</context>
<context>
    <name>qrt::gui::PinPrompt</name>
    <message>
        <source>PIN needed</source>
        <translation>PIN erforderlich</translation>
    </message>
    <message>
        <source>This station is locked on the check-in screen. Enter the station&apos;s PIN to %1.</source>
        <translation>Diese Station ist auf den Einlassbildschirm gesperrt. Geben Sie die PIN der Station ein, um %1.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Wrong PIN. Too many wrong tries: wait %1 s before the next.</source>
        <translation>Falsche PIN. Zu viele Fehlversuche: Warten Sie %1 s bis zum nächsten.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>Falsche PIN.</translation>
    </message>
    <message>
        <source>Too many wrong tries: wait %1 s before the next.</source>
        <translation>Zu viele Fehlversuche: Warten Sie %1 s bis zum nächsten.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::QrSettingsPage</name>
    <message>
        <source>L: low (7%)</source>
        <translation>L: niedrig (7 %)</translation>
    </message>
    <message>
        <source>M: medium (15%)</source>
        <translation>M: mittel (15 %)</translation>
    </message>
    <message>
        <source>Q: quartile (25%)</source>
        <translation>Q: Quartil (25 %)</translation>
    </message>
    <message>
        <source>H: high (30%)</source>
        <translation>H: hoch (30 %)</translation>
    </message>
    <message>
        <source>QR code</source>
        <translation>QR-Code</translation>
    </message>
    <message>
        <source>Fix the values on the left to see a preview.</source>
        <translation>Korrigieren Sie die Werte links, um eine Vorschau zu sehen.</translation>
    </message>
    <message>
        <source>%1 x %1 px, encodes %2</source>
        <translation>%1 x %1 px, kodiert %2</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsDialog</name>
    <message numerus="yes">
        <source>%n setting(s) need attention before they can be saved.</source>
        <translation>
            <numerusform>%n Einstellung muss korrigiert werden, bevor gespeichert werden kann.</numerusform>
            <numerusform>%n Einstellungen müssen korrigiert werden, bevor gespeichert werden kann.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving in the system keychain ... If it asks to create or unlock a keyring, answer it there.</source>
        <translation>Wird im Schlüsselbund des Systems gespeichert ... Falls er fragt, ob ein Schlüsselbund angelegt oder entsperrt werden soll, antworten Sie dort.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsPage</name>
    <message>
        <source>Set by the environment variable %1; change it there.</source>
        <translation>Gesetzt durch die Umgebungsvariable %1; ändern Sie sie dort.</translation>
    </message>
    <message>
        <source>Set on the command line; change it there.</source>
        <translation>Auf der Befehlszeile gesetzt; ändern Sie es dort.</translation>
    </message>
    <message>
        <source>No system keychain is available; set this secret through its environment variable.</source>
        <translation>Kein Schlüsselbund des Systems verfügbar; setzen Sie dieses Geheimnis über seine Umgebungsvariable.</translation>
    </message>
    <message>
        <source>Reading the system keychain ...</source>
        <translation>Schlüsselbund des Systems wird gelesen ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StartupProblemDialog</name>
    <message>
        <source>set in the settings file %1</source>
        <translation>festgelegt in der Einstellungsdatei %1</translation>
    </message>
    <message>
        <source>set by the environment variable %1</source>
        <translation>festgelegt durch die Umgebungsvariable %1</translation>
    </message>
    <message>
        <source>set by --database on the command line</source>
        <translation>festgelegt durch --database auf der Befehlszeile</translation>
    </message>
    <message>
        <source>the default</source>
        <translation>die Voreinstellung</translation>
    </message>
    <message>
        <source>Open Settings to correct the database URL, retry once the database server is running, or work with this computer&apos;s local database (%1) for now: it becomes the database in the settings, and orders synced into it stay on this computer.</source>
        <translation>Öffnen Sie die Einstellungen, um die Datenbank-URL zu korrigieren, versuchen Sie es erneut, sobald der Datenbankserver läuft, oder arbeiten Sie vorerst mit der lokalen Datenbank dieses Computers (%1): Sie wird in den Einstellungen zur Datenbank, und die dorthin synchronisierten Bestellungen bleiben auf diesem Computer.</translation>
    </message>
    <message>
        <source>%1 database %2</source>
        <translation>%1-Datenbank %2</translation>
    </message>
    <message>
        <source>The database URL in the settings cannot be used.</source>
        <translation>Die Datenbank-URL in den Einstellungen ist nicht verwendbar.</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Datenbank: %1</translation>
    </message>
    <message>
        <source>Database: %1 (%2)</source>
        <translation>Datenbank: %1 (%2)</translation>
    </message>
    <message>
        <source>The database said: %1</source>
        <translation>Die Datenbank meldete: %1</translation>
    </message>
    <message>
        <source>The settings were read again; the database URL still cannot be used.</source>
        <translation>Die Einstellungen wurden neu gelesen; die Datenbank-URL ist weiterhin nicht verwendbar.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Verbinde mit %1 ...</translation>
    </message>
    <message>
        <source>Tried again at %1; still not connected.</source>
        <translation>Um %1 erneut versucht; weiterhin keine Verbindung.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StationSettingsPage</name>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (nicht angeschlossen)</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>Standardkamera des Systems</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keine</translation>
    </message>
    <message>
        <source>No camera is connected now.</source>
        <translation>Derzeit ist keine Kamera angeschlossen.</translation>
    </message>
    <message numerus="yes">
        <source>%n camera(s) connected.</source>
        <translation>
            <numerusform>%n Kamera angeschlossen.</numerusform>
            <numerusform>%n Kameras angeschlossen.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::SyncDialog</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n Sekunde</numerusform>
            <numerusform>%n Sekunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n Minute</numerusform>
            <numerusform>%n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>Syncing is not available in this build.</source>
        <translation>Synchronisieren ist in diesem Build nicht verfügbar.</translation>
    </message>
    <message>
        <source>Ready. An incremental sync fetches only new and changed orders.</source>
        <translation>Bereit. Eine inkrementelle Synchronisierung holt nur neue und geänderte Bestellungen.</translation>
    </message>
    <message>
        <source>Order list</source>
        <translation>Bestellliste</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>JSON-Dateien (*.json);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Enter the GHL location ID and token in Settings first.</source>
        <translation>Geben Sie zuerst die GHL-Standort-ID und das Token in den Einstellungen ein.</translation>
    </message>
    <message>
        <source>A sync is already running.</source>
        <translation>Eine Synchronisierung läuft bereits.</translation>
    </message>
    <message>
        <source>Starting ...</source>
        <translation>Starte ...</translation>
    </message>
    <message>
        <source>Cancelling ... orders already saved stay saved.</source>
        <translation>Breche ab ... bereits gespeicherte Bestellungen bleiben gespeichert.</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>nicht nötig</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n Bestellung</numerusform>
            <numerusform>%n Bestellungen</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n unverändert</numerusform>
            <numerusform>, %n unverändert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n fehlgeschlagen</numerusform>
            <numerusform>, %n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 ... %n request(s) sent to GHL</source>
        <translation>
            <numerusform>%1 ... %n Anfrage an GHL gesendet</numerusform>
            <numerusform>%1 ... %n Anfragen an GHL gesendet</numerusform>
        </translation>
    </message>
    <message>
        <source>Estimating the time left ...</source>
        <translation>Schätze die verbleibende Zeit ...</translation>
    </message>
    <message>
        <source>About %1 left (%2 so far)</source>
        <translation>Noch etwa %1 (bisher %2)</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for GHL rate limit (%n s)</source>
        <translation>
            <numerusform>Warte auf das GHL-Ratenlimit (%n s)</numerusform>
            <numerusform>Warte auf das GHL-Ratenlimit (%n s)</numerusform>
        </translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(Bestellliste)</translation>
    </message>
    <message>
        <source>Failed so far:</source>
        <translation>Bisher fehlgeschlagen:</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; in %2.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; in %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) synced</source>
        <translation>
            <numerusform>%n Bestellung synchronisiert</numerusform>
            <numerusform>%n Bestellungen synchronisiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n unverändert</numerusform>
            <numerusform>%n unverändert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fehlgeschlagen</numerusform>
            <numerusform>%n fehlgeschlagen</numerusform>
        </translation>
    </message>
    <message>
        <source>Tickets: %1 added, %2 cancelled, %3 restored.</source>
        <translation>Tickets: %1 hinzugefügt, %2 storniert, %3 wiederhergestellt.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asked us to slow down %n time(s); the sync waited and went on.</source>
        <translation>
            <numerusform>GHL hat %n Mal um Verlangsamung gebeten; die Synchronisierung hat gewartet und weitergemacht.</numerusform>
            <numerusform>GHL hat %n Mal um Verlangsamung gebeten; die Synchronisierung hat gewartet und weitergemacht.</numerusform>
        </translation>
    </message>
    <message>
        <source>These orders were not synced; run the sync again later or check them in GHL:</source>
        <translation>Diese Bestellungen wurden nicht synchronisiert; synchronisieren Sie später erneut oder prüfen Sie sie in GHL:</translation>
    </message>
    <message>
        <source>A sync started by %1 at %2 is running; Sync is available again when it ends.</source>
        <translation>Eine von %1 um %2 gestartete Synchronisierung läuft; Synchronisieren ist wieder möglich, wenn sie endet.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>eine andere Station</translation>
    </message>
</context>
<context>
    <name>qrt::gui::TicketModel</name>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Geändert</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Durch</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UserDialog</name>
    <message>
        <source>Add user</source>
        <translation>Benutzer hinzufügen</translation>
    </message>
    <message>
        <source>Edit user</source>
        <translation>Benutzer bearbeiten</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Name:</translation>
    </message>
    <message>
        <source>&amp;E-mail:</source>
        <translation>&amp;E-Mail:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Typ:</translation>
    </message>
    <message>
        <source>The type is a label from the original web system: what a station may do depends on the database login it connects with.</source>
        <translation>Der Typ ist eine Bezeichnung aus dem ursprünglichen Websystem: Was eine Station darf, hängt von der Datenbank-Anmeldung ab, mit der sie sich verbindet.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s name.</source>
        <translation>Geben Sie den Namen des Benutzers ein.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s e-mail address.</source>
        <translation>Geben Sie die E-Mail-Adresse des Benutzers ein.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; ist keine E-Mail-Adresse.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 hat bereits die E-Mail-Adresse %2: Jeder Benutzer braucht eine eigene.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UserListModel</name>
    <message>
        <source>Admin</source>
        <translation>Admin</translation>
    </message>
    <message>
        <source>Super Admin</source>
        <translation>Super-Admin</translation>
    </message>
    <message>
        <source>Door</source>
        <translation>Einlass</translation>
    </message>
    <message>
        <source>%1 (admin)</source>
        <translation>%1 (Admin)</translation>
    </message>
    <message>
        <source>%1 (door)</source>
        <translation>%1 (Einlass)</translation>
    </message>
    <message>
        <source>%1 (no login)</source>
        <translation>%1 (keine Anmeldung)</translation>
    </message>
    <message>
        <source>No database login named %1 is in qrtickets_admin or qrtickets_door any more.</source>
        <translation>Es gibt keine Datenbank-Anmeldung namens %1 mehr in qrtickets_admin oder qrtickets_door.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-Mail</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Typ</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Angelegt</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Bediener</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UsersPage</name>
    <message>
        <source>&amp;Add user…</source>
        <translation>&amp;Neuer Benutzer…</translation>
    </message>
    <message>
        <source>Ed&amp;it…</source>
        <translation>Bearbe&amp;iten…</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>Ent&amp;fernen…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>A&amp;ktualisieren</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>This station is connected as a door login: the users are for admins only.</source>
        <translation>Diese Station ist mit einer Einlass-Anmeldung verbunden: Die Benutzer sind nur für Admins.</translation>
    </message>
    <message numerus="yes">
        <source>%n user(s), %1 linked to a database login.</source>
        <translation>
            <numerusform>%n Benutzer, %1 mit einer Datenbank-Anmeldung verknüpft.</numerusform>
            <numerusform>%n Benutzer, %1 mit einer Datenbank-Anmeldung verknüpft.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s).</source>
        <translation>
            <numerusform>%n Benutzer.</numerusform>
            <numerusform>%n Benutzer.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>Benutzer entfernen</translation>
    </message>
    <message>
        <source>Remove the user %1 (%2)?</source>
        <translation>Benutzer %1 (%2) entfernen?</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>Das kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>The database login %1 stays and can still connect: `qrtickets operator remove %1` removes it.</source>
        <translation>Die Datenbank-Anmeldung %1 bleibt bestehen und kann sich weiter verbinden: `qrtickets operator remove %1` entfernt sie.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>%1 was not removed: %2</source>
        <translation>%1 wurde nicht entfernt: %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::FieldCatalog</name>
    <message>
        <source>Reading the contact custom fields from GHL failed: %1</source>
        <translation>Lesen der benutzerdefinierten Kontaktfelder aus GHL fehlgeschlagen: %1</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OrderDelivery</name>
    <message>
        <source>Order %1 is not stored.</source>
        <translation>Bestellung %1 ist nicht gespeichert.</translation>
    </message>
    <message>
        <source>Reading order %1 failed: %2</source>
        <translation>Lesen von Bestellung %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>order %1 is cancelled or refunded: no QR code was written to GHL</source>
        <translation>Bestellung %1 ist storniert oder erstattet: Es wurde kein QR-Code in GHL geschrieben</translation>
    </message>
    <message>
        <source>Reading the field mapping of product %1 failed: %2</source>
        <translation>Lesen der Feldzuordnung von Produkt %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>no custom field mapped for product %1: map it in Settings</source>
        <translation>kein benutzerdefiniertes Feld für Produkt %1 zugeordnet: ordnen Sie es in den Einstellungen zu</translation>
    </message>
    <message>
        <source>the webhook and order %1 name no contact: the QR code was not written to GHL</source>
        <translation>der Webhook und Bestellung %1 nennen keinen Kontakt: der QR-Code wurde nicht in GHL geschrieben</translation>
    </message>
    <message>
        <source>written by the original system</source>
        <translation>vom ursprünglichen System geschrieben</translation>
    </message>
    <message>
        <source>written by an earlier attempt</source>
        <translation>von einem früheren Versuch geschrieben</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>Der QR-Code von Bestellung %1 konnte nicht erzeugt werden: %2</translation>
    </message>
    <message>
        <source>custom field %1 (mapped for order %2) no longer exists in GHL: map another field in Settings</source>
        <translation>das benutzerdefinierte Feld %1 (zugeordnet für Bestellung %2) existiert in GHL nicht mehr: ordnen Sie in den Einstellungen ein anderes Feld zu</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; a QR code goes into a Text, Large text or File upload field: map another field in Settings</source>
        <translation>das benutzerdefinierte Feld %1 ist vom Typ %2; ein QR-Code gehört in ein Feld vom Typ Text, Langer Text oder Datei-Upload: ordnen Sie in den Einstellungen ein anderes Feld zu</translation>
    </message>
    <message>
        <source>already delivered</source>
        <translation>bereits zugestellt</translation>
    </message>
    <message>
        <source>a newer order of this contact holds the field</source>
        <translation>eine neuere Bestellung dieses Kontakts belegt das Feld</translation>
    </message>
    <message>
        <source>being delivered by %1</source>
        <translation>wird gerade von %1 zugestellt</translation>
    </message>
    <message>
        <source>Reading contact %1 from GHL (to check an interrupted delivery) failed: %2</source>
        <translation>Lesen von Kontakt %1 aus GHL (zur Prüfung einer unterbrochenen Zustellung) fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>found in GHL after an interrupted delivery</source>
        <translation>nach einer unterbrochenen Zustellung in GHL vorgefunden</translation>
    </message>
    <message>
        <source>Writing the QR code to contact %1 failed: %2</source>
        <translation>Schreiben des QR-Codes in Kontakt %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Uploading the QR code to contact %1 failed: %2</source>
        <translation>Hochladen des QR-Codes zu Kontakt %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>The QR code reached GHL but recording it failed: %1</source>
        <translation>Der QR-Code ist in GHL angekommen, aber das Aufzeichnen ist fehlgeschlagen: %1</translation>
    </message>
    <message>
        <source>claimed by another station meanwhile</source>
        <translation>zwischenzeitlich von einer anderen Station reserviert</translation>
    </message>
    <message>
        <source>cancelled before the QR code of order %1 was written</source>
        <translation>abgebrochen, bevor der QR-Code von Bestellung %1 geschrieben wurde</translation>
    </message>
    <message>
        <source>custom field %1 is mapped for a QR code and for the ticket PDF: only the QR code goes there; map another field for the ticket PDF in Settings</source>
        <translation>das benutzerdefinierte Feld %1 ist für einen QR-Code und für das Ticket-PDF zugeordnet: Nur der QR-Code kommt dort hinein; ordnen Sie dem Ticket-PDF in den Einstellungen ein anderes Feld zu</translation>
    </message>
    <message>
        <source>an order of the original system: no ticket PDF</source>
        <translation>eine Bestellung aus dem ursprünglichen System: kein Ticket-PDF</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; the ticket PDF goes into a File upload field: map another field in Settings</source>
        <translation>das benutzerdefinierte Feld %1 hat den Typ %2; das Ticket-PDF kommt in ein Feld vom Typ Datei-Upload: Ordnen Sie in den Einstellungen ein anderes Feld zu</translation>
    </message>
    <message>
        <source>The ticket PDF of order %1 could not be made: %2</source>
        <translation>Das Ticket-PDF von Bestellung %1 konnte nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>Uploading the ticket PDF to contact %1 failed: %2</source>
        <translation>Das Hochladen des Ticket-PDFs zu Kontakt %1 ist fehlgeschlagen: %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OutboxRepository</name>
    <message>
        <source>read the QR delivery of order %1</source>
        <translation>die QR-Zustellung von Bestellung %1 lesen</translation>
    </message>
    <message>
        <source>claim the QR delivery of order %1</source>
        <translation>die QR-Zustellung von Bestellung %1 reservieren</translation>
    </message>
    <message>
        <source>the newer order %1 of this contact holds the field</source>
        <translation>die neuere Bestellung %1 dieses Kontakts belegt das Feld</translation>
    </message>
    <message>
        <source>renew the QR delivery claim of order %1</source>
        <translation>die Reservierung der QR-Zustellung von Bestellung %1 erneuern</translation>
    </message>
    <message>
        <source>resume interrupted QR deliveries</source>
        <translation>unterbrochene QR-Zustellungen fortsetzen</translation>
    </message>
    <message>
        <source>record the QR delivery of order %1</source>
        <translation>die QR-Zustellung von Bestellung %1 aufzeichnen</translation>
    </message>
    <message>
        <source>record the failed QR delivery of order %1</source>
        <translation>die fehlgeschlagene QR-Zustellung von Bestellung %1 aufzeichnen</translation>
    </message>
    <message>
        <source>find orders whose QR code was not delivered</source>
        <translation>Bestellungen finden, deren QR-Code nicht zugestellt wurde</translation>
    </message>
    <message>
        <source>read the contacts of %1 orders</source>
        <translation>die Kontakte von %1 Bestellungen lesen</translation>
    </message>
    <message>
        <source>count the orders of product %1 that would get their ticket PDF</source>
        <translation>die Bestellungen von Produkt %1 zählen, die ihr Ticket-PDF erhalten würden</translation>
    </message>
</context>
<context>
    <name>qrt::qr::QrCode</name>
    <message>
        <source>There is no text to put into the QR code.</source>
        <translation>Es gibt keinen Text für den QR-Code.</translation>
    </message>
    <message>
        <source>The text (%1 characters) is too long for a QR code with error correction %2. Use a shorter URL or a lower error correction level.</source>
        <translation>Der Text (%1 Zeichen) ist zu lang für einen QR-Code mit Fehlerkorrektur %2. Verwenden Sie eine kürzere URL oder eine niedrigere Fehlerkorrektur.</translation>
    </message>
    <message>
        <source>The QR code could not be made.</source>
        <translation>Der QR-Code konnte nicht erzeugt werden.</translation>
    </message>
    <message>
        <source>The QR image size must be between 1 and %1 pixels.</source>
        <translation>Die Größe des QR-Bildes muss zwischen 1 und %1 Pixeln liegen.</translation>
    </message>
    <message>
        <source>The QR quiet zone must be between 0 and 64 modules.</source>
        <translation>Die Ruhezone des QR-Codes muss zwischen 0 und 64 Modulen liegen.</translation>
    </message>
    <message>
        <source>A %1 px image is too small for this QR code: it is %2 modules wide with its quiet zone and needs at least %3 px. Increase the QR size, shorten the URL or lower the error correction.</source>
        <translation>Ein Bild mit %1 px ist zu klein für diesen QR-Code: Er ist mit Ruhezone %2 Module breit und braucht mindestens %3 px. Erhöhen Sie die QR-Größe, kürzen Sie die URL oder senken Sie die Fehlerkorrektur.</translation>
    </message>
    <message>
        <source>The QR code could not be saved as PNG.</source>
        <translation>Der QR-Code konnte nicht als PNG gespeichert werden.</translation>
    </message>
    <message>
        <source>The image is empty.</source>
        <translation>Das Bild ist leer.</translation>
    </message>
    <message>
        <source>No QR code was found in the image. Make sure the whole code is visible, sharp and well lit.</source>
        <translation>Im Bild wurde kein QR-Code gefunden. Achten Sie darauf, dass der ganze Code sichtbar, scharf und gut beleuchtet ist.</translation>
    </message>
    <message>
        <source>The file %1 could not be read as an image.</source>
        <translation>Die Datei %1 konnte nicht als Bild gelesen werden.</translation>
    </message>
    <message>
        <source>The data is not an image.</source>
        <translation>Die Daten sind kein Bild.</translation>
    </message>
    <message>
        <source>The text is not an image data URL (data:image/png;base64,...).</source>
        <translation>Der Text ist keine Bild-Daten-URL (data:image/png;base64,...).</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileLease</name>
    <message>
        <source>take the reconciliation lease</source>
        <translation>die Abgleichssperre übernehmen</translation>
    </message>
    <message>
        <source>renew the reconciliation lease</source>
        <translation>die Abgleichssperre erneuern</translation>
    </message>
    <message>
        <source>record the reconciliation</source>
        <translation>den Abgleich aufzeichnen</translation>
    </message>
    <message>
        <source>free the reconciliation lease</source>
        <translation>die Abgleichssperre freigeben</translation>
    </message>
    <message>
        <source>read the reconciliation lease</source>
        <translation>die Abgleichssperre lesen</translation>
    </message>
    <message>
        <source>create the reconciliation lease</source>
        <translation>die Abgleichssperre anlegen</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileStatus</name>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0): orders whose webhook never came are only found by a manual Sync.</source>
        <translation>Der Abgleich ist aus ([sync] reconcile_interval_s = 0): Bestellungen, deren Webhook nie ankam, werden nur durch manuelles Synchronisieren gefunden.</translation>
    </message>
    <message>
        <source>Reconciling now.</source>
        <translation>Abgleich läuft.</translation>
    </message>
    <message numerus="yes">
        <source>Last reconciliation %1 by %2: %n order(s) synced</source>
        <translation>
            <numerusform>Letzter Abgleich %1 durch %2: %n Bestellung synchronisiert</numerusform>
            <numerusform>Letzter Abgleich %1 durch %2: %n Bestellungen synchronisiert</numerusform>
        </translation>
    </message>
    <message>
        <source>another station</source>
        <translation>eine andere Station</translation>
    </message>
    <message numerus="yes">
        <source> (%n new)</source>
        <translation>
            <numerusform> (%n neu)</numerusform>
            <numerusform> (%n neu)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n QR code(s) delivered</source>
        <translation>
            <numerusform>, %n QR-Code zugestellt</numerusform>
            <numerusform>, %n QR-Codes zugestellt</numerusform>
        </translation>
    </message>
    <message>
        <source>, no QR delivery pass</source>
        <translation>, kein Durchlauf der QR-Zustellung</translation>
    </message>
    <message numerus="yes">
        <source>, %n failure(s).</source>
        <translation>
            <numerusform>, %n Fehler.</numerusform>
            <numerusform>, %n Fehler.</numerusform>
        </translation>
    </message>
    <message>
        <source>No reconciliation yet.</source>
        <translation>Noch kein Abgleich.</translation>
    </message>
    <message>
        <source>Skipped at %1: reconciled by station %2.</source>
        <translation>Übersprungen um %1: Station %2 hat abgeglichen.</translation>
    </message>
    <message>
        <source>Could not run: %1</source>
        <translation>Konnte nicht laufen: %1</translation>
    </message>
    <message>
        <source>Next at %1.</source>
        <translation>Nächster um %1.</translation>
    </message>
    <message>
        <source>Runs while the listener runs.</source>
        <translation>Läuft, solange der Webhook-Empfang läuft.</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::Reconciler</name>
    <message>
        <source>count the stored orders</source>
        <translation>die gespeicherten Bestellungen zählen</translation>
    </message>
    <message>
        <source>no GHL token or location id is set</source>
        <translation>es ist kein GHL-Token oder keine Standort-ID gesetzt</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>eine andere Station</translation>
    </message>
    <message>
        <source>a sync of this reconciler is still running</source>
        <translation>eine Synchronisierung dieses Abgleichs läuft noch</translation>
    </message>
    <message>
        <source>order list: %1</source>
        <translation>Bestellliste: %1</translation>
    </message>
    <message>
        <source>order %1: %2</source>
        <translation>Bestellung %1: %2</translation>
    </message>
    <message>
        <source>QR for order %1: %2</source>
        <translation>QR für Bestellung %1: %2</translation>
    </message>
    <message>
        <source>this station&apos;s lease expired during the run (the database was out of reach?) and another station took over</source>
        <translation>die Sperre dieser Station ist während des Laufs abgelaufen (war die Datenbank nicht erreichbar?) und eine andere Station hat übernommen</translation>
    </message>
</context>
<context>
    <name>qrt::sync</name>
    <message>
        <source>Waiting</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Bestellungen auflisten</translation>
    </message>
    <message>
        <source>Fetching orders</source>
        <translation>Bestellungen abrufen</translation>
    </message>
    <message>
        <source>Saving tickets</source>
        <translation>Tickets speichern</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Erledigt</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Completed with failures</source>
        <translation>Abgeschlossen mit Fehlern</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>The order list is not valid JSON (%1 at character %2); it must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</source>
        <translation>Die Bestellliste ist kein gültiges JSON (%1 bei Zeichen %2); sie muss ein JSON-Array von Bestell-IDs sein, z. B. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</translation>
    </message>
    <message>
        <source>The order list must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;], not a JSON %1.</source>
        <translation>Die Bestellliste muss ein JSON-Array von Bestell-IDs sein, z. B. [&quot;653f1c...&quot;], kein JSON-%1.</translation>
    </message>
    <message>
        <source>object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>value</source>
        <translation>Wert</translation>
    </message>
    <message>
        <source>Entry %1 of the order list is not an order id string; the list must hold only strings.</source>
        <translation>Eintrag %1 der Bestellliste ist keine Bestell-ID als Zeichenkette; die Liste darf nur Zeichenketten enthalten.</translation>
    </message>
    <message>
        <source>The order list file %1 does not exist.</source>
        <translation>Die Bestelllisten-Datei %1 existiert nicht.</translation>
    </message>
    <message>
        <source>The order list file %1 cannot be read: %2.</source>
        <translation>Die Bestelllisten-Datei %1 kann nicht gelesen werden: %2.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>full</source>
        <translation>vollständig</translation>
    </message>
    <message>
        <source>incremental</source>
        <translation>inkrementell</translation>
    </message>
    <message>
        <source>listed orders</source>
        <translation>aufgelistete Bestellungen</translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncRun</name>
    <message>
        <source>The sync could not start because the database is not available: %1</source>
        <translation>Die Synchronisierung konnte nicht starten, weil die Datenbank nicht verfügbar ist: %1</translation>
    </message>
    <message>
        <source>Could not list the orders in GHL: %1</source>
        <translation>Die Bestellungen in GHL konnten nicht aufgelistet werden: %1</translation>
    </message>
    <message>
        <source>Orders %1 to %2 of the GHL order list could not be read: %3</source>
        <translation>Die Bestellungen %1 bis %2 der GHL-Bestellliste konnten nicht gelesen werden: %3</translation>
    </message>
    <message>
        <source>GHL refused the token: %1</source>
        <translation>GHL hat das Token abgelehnt: %1</translation>
    </message>
    <message>
        <source>not found in GHL (it may have been deleted, or the id is wrong)</source>
        <translation>nicht in GHL gefunden (sie wurde vielleicht gelöscht oder die ID ist falsch)</translation>
    </message>
    <message numerus="yes">
        <source>Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were not saved. Orders saved before are complete; run the sync again once the database is back. %1</source>
        <translation>
            <numerusform>Das Speichern von Bestellungen in der Datenbank ist fehlgeschlagen, daher wurde die Synchronisierung gestoppt; %n Bestellung des letzten Stapels wurde nicht gespeichert. Zuvor gespeicherte Bestellungen sind vollständig; synchronisieren Sie erneut, sobald die Datenbank wieder da ist. %1</numerusform>
            <numerusform>Das Speichern von Bestellungen in der Datenbank ist fehlgeschlagen, daher wurde die Synchronisierung gestoppt; %n Bestellungen des letzten Stapels wurden nicht gespeichert. Zuvor gespeicherte Bestellungen sind vollständig; synchronisieren Sie erneut, sobald die Datenbank wieder da ist. %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The sync was cancelled; %n order(s) were saved before it stopped.</source>
        <translation>
            <numerusform>Die Synchronisierung wurde abgebrochen; %n Bestellung wurde vorher gespeichert.</numerusform>
            <numerusform>Die Synchronisierung wurde abgebrochen; %n Bestellungen wurden vorher gespeichert.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncWriter</name>
    <message>
        <source>order %1: %2</source>
        <translation>Bestellung %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 (gave up after %n attempt(s))</source>
        <translation>
            <numerusform>%1 (nach %n Versuch aufgegeben)</numerusform>
            <numerusform>%1 (nach %n Versuchen aufgegeben)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::tickets::TicketPdf</name>
    <message>
        <source>Ticket</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <source>The QR code of ticket %1 could not be made: %2</source>
        <translation>Der QR-Code von Ticket %1 konnte nicht erstellt werden: %2</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used.</source>
        <translation>Bereits eingelassen: Dieses Ticket wurde benutzt.</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used on %1.</source>
        <translation>Bereits eingelassen: Dieses Ticket wurde am %1 benutzt.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Bestellung</translation>
    </message>
    <message>
        <source>Show this code at the door, printed or on your phone. It admits one person once: keep it to yourself.</source>
        <translation>Zeigen Sie diesen Code am Eingang vor, ausgedruckt oder auf dem Handy. Er gilt für eine Person und einen Einlass: Geben Sie ihn nicht weiter.</translation>
    </message>
    <message>
        <source>Order %1 has no tickets to print (none, or all cancelled).</source>
        <translation>Bestellung %1 hat keine Tickets zum Drucken (keine oder alle storniert).</translation>
    </message>
    <message>
        <source>drawing it needs fonts, which a program started without its graphical part does not load</source>
        <translation>zum Zeichnen braucht es Schriften, die ein ohne grafische Oberfläche gestartetes Programm nicht lädt</translation>
    </message>
    <message>
        <source>Tickets of order %1</source>
        <translation>Tickets der Bestellung %1</translation>
    </message>
    <message>
        <source>The ticket PDF could not be started.</source>
        <translation>Das Ticket-PDF konnte nicht begonnen werden.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::HttpServer</name>
    <message>
        <source>The webhook listener would accept unauthenticated requests from the network on %1. Set [webhook] auth to ghl-signature or shared-secret, or bind to 127.0.0.1.</source>
        <translation>Der Webhook-Empfang würde nicht authentifizierte Anfragen aus dem Netzwerk auf %1 annehmen. Setzen Sie [webhook] auth auf ghl-signature oder shared-secret oder binden Sie an 127.0.0.1.</translation>
    </message>
    <message>
        <source>The webhook listener is set to shared-secret authentication but no secret is configured.</source>
        <translation>Der Webhook-Empfang ist auf Authentifizierung mit gemeinsamem Geheimnis eingestellt, aber es ist kein Geheimnis eingerichtet.</translation>
    </message>
    <message>
        <source>%1 is not an IP address to listen on.</source>
        <translation>%1 ist keine IP-Adresse, auf der gelauscht werden kann.</translation>
    </message>
    <message>
        <source>Could not listen on %1 port %2.</source>
        <translation>Konnte nicht auf %1 Port %2 lauschen.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::InboxWorker</name>
    <message>
        <source>The stored webhook cannot be read: %1</source>
        <translation>Der gespeicherte Webhook kann nicht gelesen werden: %1</translation>
    </message>
    <message>
        <source>Fetching order %1 from GHL failed: %2</source>
        <translation>Abrufen von Bestellung %1 aus GHL fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Saving order %1 failed: %2</source>
        <translation>Speichern von Bestellung %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>Der QR-Code von Bestellung %1 konnte nicht erzeugt werden: %2</translation>
    </message>
    <message>
        <source>Storing the QR code of order %1 failed: %2</source>
        <translation>Speichern des QR-Codes von Bestellung %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 is being delivered by %2; checked again later</source>
        <translation>Der QR-Code von Bestellung %1 wird gerade von %2 zugestellt; wird später erneut geprüft</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookAuthenticator</name>
    <message>
        <source>Shared-secret authentication is selected but [webhook] secret is empty.</source>
        <translation>Authentifizierung mit gemeinsamem Geheimnis ist gewählt, aber [webhook] secret ist leer.</translation>
    </message>
    <message>
        <source>Legacy x-wh-signature webhooks cannot be verified: accept_legacy_rsa is on but no RSA public key is configured (put GHL&apos;s RSA key in the PEM file named by ghl_public_key).</source>
        <translation>Alte x-wh-signature-Webhooks können nicht geprüft werden: accept_legacy_rsa ist an, aber kein öffentlicher RSA-Schlüssel ist eingerichtet (legen Sie den RSA-Schlüssel von GHL in die von ghl_public_key genannte PEM-Datei).</translation>
    </message>
    <message>
        <source>The configured webhook public key is not a readable PEM public key.</source>
        <translation>Der eingestellte öffentliche Webhook-Schlüssel ist kein lesbarer öffentlicher PEM-Schlüssel.</translation>
    </message>
    <message>
        <source>Cannot read the webhook public key file %1.</source>
        <translation>Die Datei %1 mit dem öffentlichen Webhook-Schlüssel kann nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The file %1 holds no PEM public key.</source>
        <translation>Die Datei %1 enthält keinen öffentlichen PEM-Schlüssel.</translation>
    </message>
    <message>
        <source>The webhook public key is neither base64 SubjectPublicKeyInfo nor a PEM file.</source>
        <translation>Der öffentliche Webhook-Schlüssel ist weder base64-SubjectPublicKeyInfo noch eine PEM-Datei.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookService</name>
    <message>
        <source>The webhook service is not running.</source>
        <translation>Der Webhook-Dienst läuft nicht.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines and no [feed] token is set.</source>
        <translation>Der Ereignis-Feed (/ws) weist jeden Client ab: Der Webhook-Empfang ist von anderen Rechnern erreichbar und es ist kein [feed] token gesetzt.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines, no [feed] token is set, and a generated one cannot be stored: %1</source>
        <translation>Der Ereignis-Feed (/ws) weist jeden Client ab: Der Webhook-Empfang ist von anderen Rechnern erreichbar, es ist kein [feed] token gesetzt und ein erzeugtes kann nicht gespeichert werden: %1</translation>
    </message>
</context>
</TS>
