<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>CheckInPanel</name>
    <message>
        <source>Scan a ticket or order QR code (or type an order id) and press Enter. Esc clears.</source>
        <translation>Escanee un código QR de entrada o de pedido (o escriba un ID de pedido) y pulse Intro. Esc borra el campo.</translation>
    </message>
    <message>
        <source>Scan here</source>
        <translation>Escanee aquí</translation>
    </message>
    <message>
        <source>Scan field</source>
        <translation>Campo de escaneo</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Abrir imagen…</translation>
    </message>
    <message>
        <source>Read a QR code from an image file (photo, screenshot, PDF export)</source>
        <translation>Leer un código QR de un archivo de imagen (foto, captura de pantalla, exportación PDF)</translation>
    </message>
    <message>
        <source>Check-in result</source>
        <translation>Resultado de la entrada</translation>
    </message>
    <message>
        <source>Ready to scan</source>
        <translation>Listo para escanear</translation>
    </message>
    <message>
        <source>Check-in details</source>
        <translation>Detalles de la entrada</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Admitir &amp;todos los restantes</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>&amp;Deshacer la última admisión</translation>
    </message>
    <message>
        <source>Recent scans</source>
        <translation>Escaneos recientes</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Admitir &amp;uno más</translation>
    </message>
    <message>
        <source>Ad&amp;mitting for:</source>
        <translation>Ad&amp;misión para:</translation>
    </message>
    <message>
        <source>Events this station admits for</source>
        <translation>Eventos para los que admite esta estación</translation>
    </message>
    <message>
        <source>Tickets of other events are refused here ([door] event)</source>
        <translation>Aquí se rechazan las entradas de otros eventos ([door] event)</translation>
    </message>
    <message>
        <source>Admit an&amp;yway</source>
        <translation>Admitir de t&amp;odos modos</translation>
    </message>
    <message>
        <source>Let the guest in although the order is not paid (recorded as unpaid)</source>
        <translation>Dejar pasar al invitado aunque el pedido no esté pagado (se registra como no pagado)</translation>
    </message>
</context>
<context>
    <name>DatabaseSettingsPage</name>
    <message>
        <source>Database &amp;URL:</source>
        <translation>&amp;URL de la base de datos:</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///ruta/archivo.db o postgresql://usuario:contraseña@host:puerto/nombrebd</translation>
    </message>
    <message>
        <source>Changing the database takes effect after a restart.</source>
        <translation>El cambio de base de datos se aplica tras reiniciar.</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Probar</translation>
    </message>
    <message>
        <source>Opens a connection to this database</source>
        <translation>Abre una conexión con esta base de datos</translation>
    </message>
</context>
<context>
    <name>GhlSettingsPage</name>
    <message>
        <source>Base &amp;URL:</source>
        <translation>&amp;URL base:</translation>
    </message>
    <message>
        <source>https://services.leadconnectorhq.com</source>
        <translation>https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>&amp;Location ID:</source>
        <translation>ID de u&amp;bicación:</translation>
    </message>
    <message>
        <source>GHL sub-account (location) id</source>
        <translation>ID de la subcuenta (ubicación) de GHL</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Token:</translation>
    </message>
    <message>
        <source>Private Integration Token</source>
        <translation>Token de integración privada</translation>
    </message>
    <message>
        <source>Test &amp;connection</source>
        <translation>Probar &amp;conexión</translation>
    </message>
    <message>
        <source>Lists the custom fields of the location with these settings</source>
        <translation>Lista los campos personalizados de la ubicación con esta configuración</translation>
    </message>
</context>
<context>
    <name>ListenerPanel</name>
    <message>
        <source>Listener</source>
        <translation>Receptor</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>Estado:</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Dirección:</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Autenticación:</translation>
    </message>
    <message>
        <source>Accepted today:</source>
        <translation>Aceptados hoy:</translation>
    </message>
    <message>
        <source>Waiting:</source>
        <translation>En espera:</translation>
    </message>
    <message>
        <source>Dead events:</source>
        <translation>Eventos muertos:</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>&amp;Iniciar receptor</translation>
    </message>
    <message>
        <source>Send &amp;test webhook</source>
        <translation>Enviar webhook de &amp;prueba</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Envía un webhook OrderCreate de un pedido de demostración a este receptor</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <source>Recent deliveries</source>
        <translation>Entregas recientes</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>&amp;Reintentar</translation>
    </message>
    <message>
        <source>Puts the selected event back in the queue</source>
        <translation>Vuelve a poner el evento seleccionado en la cola</translation>
    </message>
</context>
<context>
    <name>ListenerSettingsPage</name>
    <message>
        <source>Start the webhook &amp;listener with the application</source>
        <translation>Iniciar el &amp;receptor de webhooks con la aplicación</translation>
    </message>
    <message>
        <source>&amp;Bind address:</source>
        <translation>Dirección de &amp;escucha:</translation>
    </message>
    <message>
        <source>127.0.0.1</source>
        <translation>127.0.0.1</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <source>8787</source>
        <translation>8787</translation>
    </message>
    <message>
        <source>Pa&amp;th:</source>
        <translation>R&amp;uta:</translation>
    </message>
    <message>
        <source>/api/ghl/webhook-qr</source>
        <translation>/api/ghl/webhook-qr</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>&amp;Autenticación:</translation>
    </message>
    <message>
        <source>Shared &amp;secret:</source>
        <translation>&amp;Secreto compartido:</translation>
    </message>
    <message>
        <source>GHL public &amp;key:</source>
        <translation>&amp;Clave pública de GHL:</translation>
    </message>
    <message>
        <source>base64 SPKI or the path of a PEM file</source>
        <translation>SPKI en base64 o la ruta de un archivo PEM</translation>
    </message>
    <message>
        <source>Also accept the le&amp;gacy x-wh-signature (RSA-SHA256)</source>
        <translation>Aceptar también la x-wh-signature anti&amp;gua (RSA-SHA256)</translation>
    </message>
    <message>
        <source>Largest bod&amp;y (bytes):</source>
        <translation>Tamaño má&amp;ximo del cuerpo (bytes):</translation>
    </message>
    <message>
        <source>1048576</source>
        <translation>1048576</translation>
    </message>
    <message>
        <source>&amp;Replay window (s):</source>
        <translation>&amp;Ventana de repetición (s):</translation>
    </message>
    <message>
        <source>4500</source>
        <translation>4500</translation>
    </message>
    <message>
        <source>Reconcile e&amp;very (s):</source>
        <translation>Conciliar ca&amp;da (s):</translation>
    </message>
    <message>
        <source>600</source>
        <translation>600</translation>
    </message>
    <message>
        <source>While the listener runs: an incremental sync and the QR codes still missing, every so many seconds (at least 5; 0 turns it off).</source>
        <translation>Mientras el receptor está en marcha: cada tantos segundos, una sincronización incremental y los códigos QR que aún faltan (mínimo 5; 0 lo desactiva).</translation>
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
        <translation>&amp;Pedidos</translation>
    </message>
    <message>
        <source>Search order, name, e-mail or phone (Ctrl+F)</source>
        <translation>Buscar pedido, nombre, correo o teléfono (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search orders</source>
        <translation>Buscar pedidos</translation>
    </message>
    <message>
        <source>Event filter</source>
        <translation>Filtro de evento</translation>
    </message>
    <message>
        <source>Payment status filter</source>
        <translation>Filtro de estado de pago</translation>
    </message>
    <message>
        <source>Check-in filter</source>
        <translation>Filtro de entrada</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Pedidos</translation>
    </message>
    <message>
        <source>No orders yet</source>
        <translation>Aún no hay pedidos</translation>
    </message>
    <message>
        <source>1. Configure GHL…</source>
        <translation>1. Configurar GHL…</translation>
    </message>
    <message>
        <source>2. Sync now</source>
        <translation>2. Sincronizar ahora</translation>
    </message>
    <message>
        <source>&amp;Check-in</source>
        <translation>E&amp;ntrada</translation>
    </message>
    <message>
        <source>Event o&amp;verview</source>
        <translation>&amp;Resumen de eventos</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Herramientas</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Barra de herramientas principal</translation>
    </message>
    <message>
        <source>&amp;Sync…</source>
        <translation>&amp;Sincronizar…</translation>
    </message>
    <message>
        <source>Fetch orders from GoHighLevel (F5)</source>
        <translation>Obtener pedidos de GoHighLevel (F5)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Configuración…</translation>
    </message>
    <message>
        <source>GHL connection, database, listener, QR codes, station (Ctrl+,)</source>
        <translation>Conexión GHL, base de datos, receptor, códigos QR, estación (Ctrl+,)</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>&amp;Find order</source>
        <translation>&amp;Buscar pedido</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>&amp;Open order</source>
        <translation>&amp;Abrir pedido</translation>
    </message>
    <message>
        <source>Open the selected order (Enter or double-click)</source>
        <translation>Abrir el pedido seleccionado (Intro o doble clic)</translation>
    </message>
    <message>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <source>Admit people at the door by scanning their QR code (Ctrl+2)</source>
        <translation>Admitir personas en la puerta escaneando su código QR (Ctrl+2)</translation>
    </message>
    <message>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <source>Sold, admitted and remaining tickets per event (Ctrl+3)</source>
        <translation>Entradas vendidas, admitidas y restantes por evento (Ctrl+3)</translation>
    </message>
    <message>
        <source>Ctrl+3</source>
        <translation>Ctrl+3</translation>
    </message>
    <message>
        <source>&amp;Export order list as CSV…</source>
        <translation>&amp;Exportar la lista de pedidos como CSV…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Exportar CSV</translation>
    </message>
    <message>
        <source>Save the orders shown (with the current search and filters) as a CSV file</source>
        <translation>Guardar los pedidos mostrados (con la búsqueda y los filtros actuales) como archivo CSV</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Door list as C&amp;SV…</source>
        <translation>Lista de acceso como C&amp;SV…</translation>
    </message>
    <message>
        <source>&amp;Print door list…</source>
        <translation>&amp;Imprimir lista de acceso…</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Lista de acceso</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>&amp;Listener…</source>
        <translation>Re&amp;ceptor…</translation>
    </message>
    <message>
        <source>Webhook listener: on/off, address, recent deliveries</source>
        <translation>Receptor de webhooks: encendido/apagado, dirección, entregas recientes</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;About QR Tickets</source>
        <translation>&amp;Acerca de QR Tickets</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Sa&amp;lir</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>Event overvie&amp;w</source>
        <translation>&amp;Resumen de eventos</translation>
    </message>
    <message>
        <source>Door list as P&amp;DF…</source>
        <translation>Lista de acceso como P&amp;DF…</translation>
    </message>
</context>
<context>
    <name>MappingsSettingsPage</name>
    <message>
        <source>Product to custom field mappings</source>
        <translation>Asignación de productos a campos personalizados</translation>
    </message>
    <message>
        <source>&amp;Load custom fields from GHL</source>
        <translation>&amp;Cargar campos personalizados de GHL</translation>
    </message>
    <message>
        <source>Choose the contact custom field that receives the QR code of each product (event) and, if you like, a File upload field for the buyer&apos;s tickets as a PDF (one page per ticket, each with its own QR code).</source>
        <translation>Elija el campo personalizado del contacto que recibe el código QR de cada producto (evento) y, si lo desea, un campo de tipo Carga de archivo para las entradas del comprador en PDF (una página por entrada, cada una con su propio código QR).</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Order:</source>
        <translation>Pedido:</translation>
    </message>
    <message>
        <source>Contact:</source>
        <translation>Contacto:</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>Correo electrónico:</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Teléfono:</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Evento:</translation>
    </message>
    <message>
        <source>Payment:</source>
        <translation>Pago:</translation>
    </message>
    <message>
        <source>Ordered:</source>
        <translation>Pedido el:</translation>
    </message>
    <message>
        <source>Tickets:</source>
        <translation>Entradas:</translation>
    </message>
    <message>
        <source>QR code of the order</source>
        <translation>Código QR del pedido</translation>
    </message>
    <message>
        <source>&amp;Copy QR</source>
        <translation>&amp;Copiar QR</translation>
    </message>
    <message>
        <source>Save &amp;PNG…</source>
        <translation>Guardar &amp;PNG…</translation>
    </message>
    <message>
        <source>&amp;Tickets</source>
        <translation>&amp;Entradas</translation>
    </message>
    <message>
        <source>Tickets of the order</source>
        <translation>Entradas del pedido</translation>
    </message>
    <message>
        <source>&amp;Admit next</source>
        <translation>&amp;Admitir siguiente</translation>
    </message>
    <message>
        <source>&amp;Set to:</source>
        <translation>Ca&amp;mbiar a:</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>Nuevo estado</translation>
    </message>
    <message>
        <source>Reason (needed to cancel, undo or restore)</source>
        <translation>Motivo (necesario para cancelar, deshacer o restaurar)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>For s&amp;elected</source>
        <translation>Para los &amp;seleccionados</translation>
    </message>
    <message>
        <source>For a&amp;ll</source>
        <translation>Para &amp;todos</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Historial</translation>
    </message>
    <message>
        <source>History of the order&apos;s tickets</source>
        <translation>Historial de las entradas del pedido</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>&amp;Imprimir entradas…</translation>
    </message>
    <message>
        <source>Cancelled tickets are left out; used ones are marked &quot;Already admitted&quot;.</source>
        <translation>Las entradas canceladas se omiten; las usadas se marcan como «Ya admitida».</translation>
    </message>
</context>
<context>
    <name>QrSettingsPage</name>
    <message>
        <source>URL &amp;template:</source>
        <translation>&amp;Plantilla de URL:</translation>
    </message>
    <message>
        <source>https://qr.example.com/orders/{order_id}</source>
        <translation>https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>&amp;Size (px):</source>
        <translation>&amp;Tamaño (px):</translation>
    </message>
    <message>
        <source>300</source>
        <translation>300</translation>
    </message>
    <message>
        <source>&amp;Margin (modules):</source>
        <translation>&amp;Margen (módulos):</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>&amp;Error correction:</source>
        <translation>Corrección de &amp;errores:</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vista previa</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Configuración</translation>
    </message>
</context>
<context>
    <name>StartupProblemDialog</name>
    <message>
        <source>QR Tickets – Database unavailable</source>
        <translation>QR Tickets – Base de datos no disponible</translation>
    </message>
    <message>
        <source>QR Tickets cannot open its database</source>
        <translation>QR Tickets no puede abrir su base de datos</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Configuración…</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Reintentar</translation>
    </message>
    <message>
        <source>Use this computer&apos;s &amp;local database</source>
        <translation>Usar la base de datos &amp;local de este equipo</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
</context>
<context>
    <name>StationSettingsPage</name>
    <message>
        <source>Station &amp;name:</source>
        <translation>&amp;Nombre de la estación:</translation>
    </message>
    <message>
        <source>e.g. Front door</source>
        <translation>p. ej. Puerta principal</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Idioma:</translation>
    </message>
    <message>
        <source>A new language takes effect after a restart.</source>
        <translation>Un nuevo idioma se aplica tras reiniciar.</translation>
    </message>
    <message>
        <source>Event &amp;feed token:</source>
        <translation>Token del &amp;canal de eventos:</translation>
    </message>
    <message>
        <source>empty: no token needed</source>
        <translation>vacío: no se necesita token</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>Cá&amp;mara:</translation>
    </message>
    <message>
        <source>The camera the Camera button in Check-in scans with ([station] camera)</source>
        <translation>La cámara con la que escanea el botón «Cámara» de Entrada ([station] camera)</translation>
    </message>
    <message>
        <source>&amp;Mirror the camera preview (a camera facing the guest)</source>
        <translation>&amp;Reflejar la vista previa de la cámara (cámara orientada al invitado)</translation>
    </message>
</context>
<context>
    <name>SyncDialog</name>
    <message>
        <source>Sync with GHL</source>
        <translation>Sincronizar con GHL</translation>
    </message>
    <message>
        <source>What to sync</source>
        <translation>Qué sincronizar</translation>
    </message>
    <message>
        <source>&amp;Incremental: new and changed orders (recommended)</source>
        <translation>&amp;Incremental: pedidos nuevos y modificados (recomendado)</translation>
    </message>
    <message>
        <source>&amp;Full: fetch every order again</source>
        <translation>&amp;Completa: volver a obtener todos los pedidos</translation>
    </message>
    <message>
        <source>From an order &amp;list file (JSON array of order IDs):</source>
        <translation>Desde un archivo de &amp;lista de pedidos (array JSON de IDs de pedido):</translation>
    </message>
    <message>
        <source>valid_order_list.json</source>
        <translation>valid_order_list.json</translation>
    </message>
    <message>
        <source>&amp;Browse...</source>
        <translation>&amp;Examinar...</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progreso</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Listando pedidos</translation>
    </message>
    <message>
        <source>%v / %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <source>Fetching order details</source>
        <translation>Obteniendo detalles de pedidos</translation>
    </message>
    <message>
        <source>Writing tickets</source>
        <translation>Guardando entradas</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Resumen</translation>
    </message>
    <message>
        <source>Failed orders</source>
        <translation>Pedidos fallidos</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;Sincronizar ahora</translation>
    </message>
    <message>
        <source>Starts the sync (F5)</source>
        <translation>Inicia la sincronización (F5)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Stops the sync (Esc); orders already saved stay</source>
        <translation>Detiene la sincronización (Esc); los pedidos ya guardados se conservan</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Ce&amp;rrar</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>QR Tickets: GoHighLevel orders, QR codes and door check-in.

Commands (none: the desktop application):
  migrate   create or upgrade the database schema, then exit
</source>
        <translation>QR Tickets: pedidos de GoHighLevel, códigos QR y control de acceso.

Comandos (ninguno: la aplicación de escritorio):
  migrate   crear o actualizar el esquema de la base de datos y salir
</translation>
    </message>
    <message>
        <source>  sync      pull orders from GHL with a text progress bar
</source>
        <translation>  sync      obtener pedidos de GHL con una barra de progreso en texto
</translation>
    </message>
    <message>
        <source>  serve     run the webhook listener, inbox worker and event feed until stopped
</source>
        <translation>  serve     ejecutar el receptor de webhooks, el procesador de la bandeja y el canal de eventos hasta que se detengan
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
Ejemplos:
  qrtickets                                   abrir la aplicación de escritorio
  qrtickets --demo                            probarla con un simulador de GHL integrado
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
Cada ajuste también puede venir del entorno como QRTICKETS_&lt;SECCIÓN&gt;_&lt;CLAVE&gt;, p. ej. QRTICKETS_DATABASE_URL.
Códigos de salida: 0 éxito, 1 error, 2 uso o configuración incorrectos, 3 terminado con algunos pedidos fallidos.</translation>
    </message>
    <message>
        <source>Run &apos;qrtickets --help&apos; for usage.</source>
        <translation>Ejecute &apos;qrtickets --help&apos; para ver el uso.</translation>
    </message>
    <message>
        <source>Read settings from &lt;file&gt; (INI).</source>
        <translation>Leer la configuración de &lt;file&gt; (INI).</translation>
    </message>
    <message>
        <source>Use the database at &lt;url&gt;.</source>
        <translation>Usar la base de datos en &lt;url&gt;.</translation>
    </message>
    <message>
        <source>Desktop application against a built-in GHL simulator and a fresh SQLite file.</source>
        <translation>Aplicación de escritorio con un simulador de GHL integrado y un archivo SQLite nuevo.</translation>
    </message>
    <message>
        <source>sync: full or incremental (default).</source>
        <translation>sync: full o incremental (predeterminado).</translation>
    </message>
    <message>
        <source>sync: only the order ids listed in &lt;file&gt;, a JSON array.</source>
        <translation>sync: solo los IDs de pedido de &lt;file&gt;, un array JSON.</translation>
    </message>
    <message>
        <source>See Commands above.</source>
        <translation>Vea los comandos arriba.</translation>
    </message>
    <message>
        <source>Unexpected arguments: %1</source>
        <translation>Argumentos inesperados: %1</translation>
    </message>
    <message>
        <source>Unknown command &apos;%1&apos;.</source>
        <translation>Comando desconocido &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>--demo opens the desktop application; it does not go with &apos;%1&apos;.</source>
        <translation>--demo abre la aplicación de escritorio; no se combina con &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>--mode and --orders-file go with the sync command.</source>
        <translation>--mode y --orders-file van con el comando sync.</translation>
    </message>
    <message>
        <source>--mode must be full or incremental, not &apos;%1&apos;.</source>
        <translation>--mode debe ser full o incremental, no &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>  admit CODE  admit one scan (order link, order id or ticket code) and print the verdict;
            exit code 3 when not admitted
</source>
        <translation>  admit CODE  admitir un escaneo (enlace de pedido, ID de pedido o código de entrada) y mostrar el resultado;
            código de salida 3 si no se admite
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
        <translation>admit: admitir solo para estos eventos (IDs de producto separados por comas) en lugar de [door] event.</translation>
    </message>
    <message>
        <source>admit needs what was scanned: an order link, an order id or a ticket code.</source>
        <translation>admit necesita lo que se escaneó: un enlace de pedido, un ID de pedido o un código de entrada.</translation>
    </message>
    <message>
        <source>--event goes with the admit command.</source>
        <translation>--event va con el comando admit.</translation>
    </message>
    <message>
        <source>  roles install  PostgreSQL: create or update the group roles qrtickets_admin and qrtickets_door
            and their grants (run as the database owner; idempotent)
  operator add NAME --role admin|door [--email E]  a login in that group with a generated
            password; prints the database URL for that station&apos;s Settings
  operator list | operator remove NAME  the logins; remove ends its sessions and drops it
</source>
        <translation>  roles install  PostgreSQL: crear o actualizar los roles de grupo qrtickets_admin y qrtickets_door
            y sus permisos (ejecutar como propietario de la base de datos; idempotente)
  operator add NAME --role admin|door [--email E]  un inicio de sesión en ese grupo con una contraseña
            generada; muestra la URL de la base de datos para la Configuración de esa estación
  operator list | operator remove NAME  los inicios de sesión; remove cierra sus sesiones y lo elimina
</translation>
    </message>
    <message>
        <source>operator add: admin or door.</source>
        <translation>operator add: admin o door.</translation>
    </message>
    <message>
        <source>operator add: link the ghl_qr_users row with this e-mail address.</source>
        <translation>operator add: vincular la fila de ghl_qr_users con esta dirección de correo.</translation>
    </message>
    <message>
        <source>Use: qrtickets roles install</source>
        <translation>Uso: qrtickets roles install</translation>
    </message>
    <message>
        <source>Use: qrtickets operator add NAME --role admin|door [--email E], operator list, or operator remove NAME</source>
        <translation>Uso: qrtickets operator add NAME --role admin|door [--email E], operator list u operator remove NAME</translation>
    </message>
    <message>
        <source>operator add needs --role admin or --role door.</source>
        <translation>operator add necesita --role admin o --role door.</translation>
    </message>
    <message>
        <source>--role and --email go with operator add.</source>
        <translation>--role y --email van con operator add.</translation>
    </message>
</context>
<context>
    <name>qrt::app</name>
    <message>
        <source>%1 is up to date (schema version %2).</source>
        <translation>%1 está al día (versión del esquema %2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: applied %n migration(s), now at schema version %2.</source>
        <translation>
            <numerusform>%1: %n migración aplicada, ahora en la versión de esquema %2.</numerusform>
            <numerusform>%1: %n migraciones aplicadas, ahora en la versión de esquema %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>The database schema is at version %1; this program needs version %2. Run `qrtickets migrate` first.</source>
        <translation>El esquema de la base de datos está en la versión %1; este programa necesita la versión %2. Ejecute antes `qrtickets migrate`.</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door and their grants are installed on %1. Add logins with `qrtickets operator add`.</source>
        <translation>Los roles de grupo qrtickets_admin y qrtickets_door y sus permisos están instalados en %1. Añada inicios de sesión con `qrtickets operator add`.</translation>
    </message>
    <message>
        <source>Operator %1 (%2) created%3. Its password is shown only now; put this database URL in that station&apos;s Settings:</source>
        <translation>Operador %1 (%2) creado%3. Su contraseña solo se muestra ahora; ponga esta URL de base de datos en la Configuración de esa estación:</translation>
    </message>
    <message>
        <source>, linked to %1</source>
        <translation>, vinculado a %1</translation>
    </message>
    <message>
        <source>No operators yet. Add one with `qrtickets operator add NAME --role admin|door`.</source>
        <translation>Aún no hay operadores. Añada uno con `qrtickets operator add NAME --role admin|door`.</translation>
    </message>
    <message numerus="yes">
        <source>Operator %1 removed; %n open session(s) ended.</source>
        <translation>
            <numerusform>Operador %1 eliminado; %n sesión abierta cerrada.</numerusform>
            <numerusform>Operador %1 eliminado; %n sesiones abiertas cerradas.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::app::Desktop</name>
    <message>
        <source>QR Tickets demo</source>
        <translation>Demostración de QR Tickets</translation>
    </message>
    <message>
        <source>The demo could not start its GHL simulator.</source>
        <translation>La demostración no pudo iniciar su simulador de GHL.</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable and try again.</source>
        <translation>Compruebe que se puede escribir en una carpeta temporal e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Report this as a bug.</source>
        <translation>Informe de esto como un error.</translation>
    </message>
    <message>
        <source>Demo door</source>
        <translation>Puerta de demostración</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable.</source>
        <translation>Compruebe que se puede escribir en una carpeta temporal.</translation>
    </message>
    <message>
        <source>The system keychain answered: the %1 is now in use.</source>
        <translation>El llavero del sistema ha respondido: %1 ya está en uso.</translation>
    </message>
    <message>
        <source>The system keychain answered late: the %1 is saved now.</source>
        <translation>El llavero del sistema ha respondido tarde: %1 ya está guardado.</translation>
    </message>
    <message>
        <source>The system keychain answered late and did not save the %1: %2</source>
        <translation>El llavero del sistema ha respondido tarde y no ha guardado %1: %2</translation>
    </message>
</context>
<context>
    <name>qrt::app::DesktopServices</name>
    <message>
        <source>The listener keeps its previous settings: %1</source>
        <translation>El receptor mantiene su configuración anterior: %1</translation>
    </message>
    <message>
        <source>The generated event feed token is used but could not be saved: %1</source>
        <translation>Se usa el token del canal de eventos generado, pero no se pudo guardar: %1</translation>
    </message>
</context>
<context>
    <name>qrt::app::SecretStore</name>
    <message>
        <source>GHL token</source>
        <translation>el token de GHL</translation>
    </message>
    <message>
        <source>webhook secret</source>
        <translation>el secreto del webhook</translation>
    </message>
    <message>
        <source>event feed token</source>
        <translation>el token del canal de eventos</translation>
    </message>
    <message>
        <source>The system keychain could not read the %1.</source>
        <translation>El llavero del sistema no ha podido leer %1.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain refused (%2). It is kept for this session only.</source>
        <translation>No se ha guardado %1: el llavero del sistema lo ha rechazado (%2). Solo se conserva durante esta sesión.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain did not answer. It is kept for this session only; save again when the keychain is unlocked.</source>
        <translation>No se ha guardado %1: el llavero del sistema no ha respondido. Solo se conserva durante esta sesión; vuelva a guardar cuando el llavero esté desbloqueado.</translation>
    </message>
    <message>
        <source>The system keychain did not answer, so the %1 could not be read yet. Unlock the keychain (or answer its prompt); the %1 is used as soon as it answers.</source>
        <translation>El llavero del sistema no ha respondido, así que todavía no se ha podido leer %1. Desbloquee el llavero (o responda a su pregunta); %1 se usará en cuanto responda.</translation>
    </message>
</context>
<context>
    <name>qrt::app::serve</name>
    <message>
        <source>Cannot start the webhook listener: %1</source>
        <translation>No se puede iniciar el receptor de webhooks: %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Aviso: %1</translation>
    </message>
    <message>
        <source>Listening on http://%1:%2%3 (auth %4); health on /healthz, event feed on /ws; database %5; station %6</source>
        <translation>Escuchando en http://%1:%2%3 (autenticación %4); estado en /healthz, canal de eventos en /ws; base de datos %5; estación %6</translation>
    </message>
    <message>
        <source>Signal %1: no longer accepting webhooks; finishing the events in progress ...</source>
        <translation>Señal %1: ya no se aceptan webhooks; terminando los eventos en curso ...</translation>
    </message>
    <message>
        <source>Warning: cannot install the SIGINT/SIGTERM handlers; stop with kill -9 only after the inbox is empty.</source>
        <translation>Aviso: no se pueden instalar los manejadores de SIGINT/SIGTERM; detenga con kill -9 solo cuando la bandeja esté vacía.</translation>
    </message>
    <message>
        <source>Warning: cannot install the Ctrl+C handler; stop only after the inbox is empty.</source>
        <translation>Aviso: no se puede instalar el gestor de Ctrl+C; detenga el servicio solo cuando la bandeja de entrada esté vacía.</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Detenido.</translation>
    </message>
    <message>
        <source>Set QRTICKETS_WEBHOOK_SECRET in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [webhook] secret in the settings file; serve reads the desktop keychain only when started in a desktop session.</source>
        <translation>Defina QRTICKETS_WEBHOOK_SECRET en el entorno (para el servicio qrtickets-serve: en /etc/qrtickets/secrets.env) o [webhook] secret en el archivo de configuración; serve solo lee el llavero del escritorio cuando se inicia en una sesión de escritorio.</translation>
    </message>
    <message>
        <source>Warning: no GHL token is set. Set QRTICKETS_GHL_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [ghl] token in the settings file; serve reads the desktop keychain only when started in a desktop session. Webhooks will be accepted and stored but cannot be processed until a token is set.</source>
        <translation>Aviso: no hay ningún token de GHL. Defina QRTICKETS_GHL_TOKEN en el entorno (para el servicio qrtickets-serve: en /etc/qrtickets/secrets.env) o [ghl] token en el archivo de configuración; serve solo lee el llavero del escritorio cuando se inicia en una sesión de escritorio. Los webhooks se aceptarán y guardarán, pero no podrán procesarse hasta que haya un token.</translation>
    </message>
    <message>
        <source>the settings file %1 cannot be written. Set [feed] token there, or QRTICKETS_FEED_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env), to a long random value.</source>
        <translation>no se puede escribir el archivo de configuración %1. Defina allí [feed] token, o QRTICKETS_FEED_TOKEN en el entorno (para el servicio qrtickets-serve: en /etc/qrtickets/secrets.env), con un valor aleatorio largo.</translation>
    </message>
    <message>
        <source>Generated an event feed token ([feed] token) and stored it in %1: feed clients send it as &apos;Authorization: Bearer &lt;token&gt;&apos; or &apos;/ws?token=&lt;token&gt;&apos;.</source>
        <translation>Se generó un token del canal de eventos ([feed] token) y se guardó en %1: los clientes del canal lo envían como &apos;Authorization: Bearer &lt;token&gt;&apos; o &apos;/ws?token=&lt;token&gt;&apos;.</translation>
    </message>
    <message numerus="yes">
        <source>Reconciliation: now, then every %n second(s) ([sync] reconcile_interval_s).</source>
        <translation>
            <numerusform>Conciliación: ahora y después cada segundo ([sync] reconcile_interval_s).</numerusform>
            <numerusform>Conciliación: ahora y después cada %n segundos ([sync] reconcile_interval_s).</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0).</source>
        <translation>La conciliación está desactivada ([sync] reconcile_interval_s = 0).</translation>
    </message>
</context>
<context>
    <name>qrt::app::sync</name>
    <message>
        <source>: %1 of %2 listed</source>
        <translation>: %1 de %2 listados</translation>
    </message>
    <message>
        <source>: %1 of %2 saved</source>
        <translation>: %1 de %2 guardados</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n fallidos</numerusform>
            <numerusform>, %n fallidos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n sin cambios</numerusform>
            <numerusform>, %n sin cambios</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n request(s)</source>
        <translation>
            <numerusform>, %n solicitudes</numerusform>
            <numerusform>, %n solicitudes</numerusform>
        </translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, quedan unos %1</translation>
    </message>
    <message>
        <source> (waiting %1 s for the GHL rate limit)</source>
        <translation> (esperando %1 s por el límite de solicitudes de GHL)</translation>
    </message>
    <message>
        <source>No GHL token is set. Set QRTICKETS_GHL_TOKEN (a Private Integration token with scope payments/orders.readonly), or store it in the keychain from the Settings dialog.</source>
        <translation>No hay ningún token de GHL. Defina QRTICKETS_GHL_TOKEN (un token de integración privada con el ámbito payments/orders.readonly) o guárdelo en el llavero desde la configuración.</translation>
    </message>
    <message>
        <source>No GHL location id is set. Set [ghl] location_id in the configuration file, or QRTICKETS_GHL_LOCATION_ID.</source>
        <translation>No hay ningún ID de ubicación de GHL. Defina [ghl] location_id en el archivo de configuración o QRTICKETS_GHL_LOCATION_ID.</translation>
    </message>
    <message>
        <source>Note: a sync started at %1 by %2 is still marked as running; syncing anyway (the results merge safely).</source>
        <translation>Nota: una sincronización iniciada a las %1 por %2 sigue marcada como en curso; se sincroniza de todos modos (los resultados se combinan sin problemas).</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>otra estación</translation>
    </message>
    <message numerus="yes">
        <source>Sync %1 (%2) in %3: %4 of %n order(s) saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</source>
        <translation>
            <numerusform>Sincronización %1 (%2) en %3: %4 de %n pedido guardados, %5 fallidos, %6 sin cambios; entradas: %7 añadidas, %8 canceladas;</numerusform>
            <numerusform>Sincronización %1 (%2) en %3: %4 de %n pedidos guardados, %5 fallidos, %6 sin cambios; entradas: %7 añadidas, %8 canceladas;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n GHL request(s).</source>
        <translation>
            <numerusform>%n solicitud a GHL.</numerusform>
            <numerusform>%n solicitudes a GHL.</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed orders:</source>
        <translation>Pedidos fallidos:</translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(lista de pedidos)</translation>
    </message>
    <message>
        <source>Ticket conflicts (left as they are):</source>
        <translation>Conflictos de entradas (se dejan como están):</translation>
    </message>
</context>
<context>
    <name>qrt::camera::CameraSource</name>
    <message>
        <source>No camera found — connect one or choose it in Settings → Station</source>
        <translation>No se encontró ninguna cámara — conecte una o elíjala en Configuración → Estación</translation>
    </message>
    <message>
        <source>The camera chosen in Settings → Station is not connected — connect it or choose another</source>
        <translation>La cámara elegida en Configuración → Estación no está conectada — conéctela o elija otra</translation>
    </message>
    <message>
        <source>QR Tickets may not use the camera — allow it in the system&apos;s privacy settings (Camera), then press Camera again</source>
        <translation>QR Tickets no tiene permiso para usar la cámara — permítalo en la configuración de privacidad del sistema (Cámara) y vuelva a pulsar Cámara</translation>
    </message>
    <message>
        <source>The camera is in use by another program — close that program, then press Camera again</source>
        <translation>Otro programa está usando la cámara — cierre ese programa y vuelva a pulsar Cámara</translation>
    </message>
    <message>
        <source>The camera did not start — press Camera again, or choose another in Settings → Station</source>
        <translation>La cámara no se inició — vuelva a pulsar Cámara o elija otra en Configuración → Estación</translation>
    </message>
</context>
<context>
    <name>qrt::core</name>
    <message>
        <source>Changing a ticket from %1 to %2 needs a reason.</source>
        <translation>Cambiar una entrada de %1 a %2 requiere un motivo.</translation>
    </message>
    <message>
        <source>The ticket is already %1.</source>
        <translation>La entrada ya está %1.</translation>
    </message>
    <message>
        <source>A cancelled ticket cannot be admitted; restore it to live first.</source>
        <translation>Una entrada cancelada no se puede admitir; restáurela primero a válida.</translation>
    </message>
</context>
<context>
    <name>qrt::core::Config</name>
    <message>
        <source>at most %1 characters</source>
        <translation>como máximo %1 caracteres</translation>
    </message>
    <message>
        <source>must not be empty</source>
        <translation>no puede estar vacío</translation>
    </message>
    <message>
        <source>a whole number from %1 to %2</source>
        <translation>un número entero de %1 a %2</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true o false</translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation>uno de %1</translation>
    </message>
    <message>
        <source>an http:// or https:// URL such as https://services.leadconnectorhq.com</source>
        <translation>una URL http:// o https:// como https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///ruta/archivo.db o postgresql://usuario:contraseña@host:puerto/nombrebd</translation>
    </message>
    <message>
        <source>an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)</source>
        <translation>una dirección IP como 127.0.0.1 (solo este equipo) o 0.0.0.0 (todas las interfaces)</translation>
    </message>
    <message>
        <source>a path starting with / such as /api/ghl/webhook-qr (not /healthz or /ws)</source>
        <translation>una ruta que empiece por / como /api/ghl/webhook-qr (no /healthz ni /ws)</translation>
    </message>
    <message>
        <source>a URL containing {order_id}, such as https://qr.example.com/orders/{order_id}</source>
        <translation>una URL que contenga {order_id}, como https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>The configuration file %1 does not exist.</source>
        <translation>El archivo de configuración %1 no existe.</translation>
    </message>
    <message>
        <source>The configuration file %1 could not be read; check that it is an INI file.</source>
        <translation>No se pudo leer el archivo de configuración %1; compruebe que es un archivo INI.</translation>
    </message>
    <message>
        <source> (in %1)</source>
        <translation> (en %1)</translation>
    </message>
    <message>
        <source>The settings could not be saved to %1; check that the folder is writable.</source>
        <translation>No se pudo guardar la configuración en %1; compruebe que se puede escribir en la carpeta.</translation>
    </message>
    <message>
        <source>(hidden)</source>
        <translation>(oculto)</translation>
    </message>
    <message>
        <source>Invalid value %1 for %2 (environment variable %3): %4</source>
        <translation>Valor no válido %1 para %2 (variable de entorno %3): %4</translation>
    </message>
    <message>
        <source>0 (off) or a whole number from %1 to %2</source>
        <translation>0 (desactivado) o un número entero de %1 a %2</translation>
    </message>
</context>
<context>
    <name>qrt::core::Order</name>
    <message>
        <source>paid</source>
        <translation>pagado</translation>
    </message>
    <message>
        <source>unpaid</source>
        <translation>no pagado</translation>
    </message>
    <message>
        <source>partially paid</source>
        <translation>pagado en parte</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>reembolsado</translation>
    </message>
    <message>
        <source>partially refunded</source>
        <translation>reembolsado en parte</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>pendiente</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fallido</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>anulado</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelado</translation>
    </message>
</context>
<context>
    <name>qrt::core::PinHash</name>
    <message>
        <source>The station&apos;s PIN setting ([station] pin_hash) is not a PIN hash QR Tickets made. Set the PIN again in Settings → Station, or remove the line from the settings file.</source>
        <translation>El ajuste de PIN de la estación ([station] pin_hash) no es un hash de PIN creado por QR Tickets. Vuelva a definir el PIN en Configuración → Estación o elimine la línea del archivo de configuración.</translation>
    </message>
    <message>
        <source>The PIN could not be checked (OpenSSL&apos;s scrypt failed).</source>
        <translation>No se pudo comprobar el PIN (falló scrypt de OpenSSL).</translation>
    </message>
</context>
<context>
    <name>qrt::core::TicketStatus</name>
    <message>
        <source>live</source>
        <translation>válida</translation>
    </message>
    <message>
        <source>used</source>
        <translation>usada</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>cancelada</translation>
    </message>
</context>
<context>
    <name>qrt::db::ArrivalsRepository</name>
    <message>
        <source>read the latest admission</source>
        <translation>leer la última admisión</translation>
    </message>
    <message>
        <source>count admissions over time</source>
        <translation>contar las admisiones a lo largo del tiempo</translation>
    </message>
    <message>
        <source>count who is inside</source>
        <translation>contar quién está dentro</translation>
    </message>
</context>
<context>
    <name>qrt::db::Database</name>
    <message>
        <source>The Qt %1 database driver (%2) is not installed; reinstall QR Tickets or add the Qt SQL driver package.</source>
        <translation>El controlador de base de datos Qt %1 (%2) no está instalado; reinstale QR Tickets o añada el paquete del controlador Qt SQL.</translation>
    </message>
    <message>
        <source>check the connection</source>
        <translation>comprobar la conexión</translation>
    </message>
    <message>
        <source>The database file %1 cannot be opened. Check that the folder exists and is writable.</source>
        <translation>No se puede abrir el archivo de base de datos %1. Compruebe que la carpeta existe y se puede escribir en ella.</translation>
    </message>
    <message>
        <source>PostgreSQL at %1:%2 refused the user name or password. Check the user and password in the database URL.</source>
        <translation>PostgreSQL en %1:%2 rechazó el usuario o la contraseña. Revise el usuario y la contraseña en la URL de la base de datos.</translation>
    </message>
    <message>
        <source>The database &quot;%1&quot; does not exist on the PostgreSQL server %2:%3. Create it, or fix the name in the database URL.</source>
        <translation>La base de datos &quot;%1&quot; no existe en el servidor PostgreSQL %2:%3. Créela o corrija el nombre en la URL de la base de datos.</translation>
    </message>
    <message>
        <source>The PostgreSQL server at %1:%2 cannot be reached. Check that it is running and that the host and port in the database URL are right.</source>
        <translation>No se puede acceder al servidor PostgreSQL en %1:%2. Compruebe que está en marcha y que el host y el puerto de la URL son correctos.</translation>
    </message>
    <message>
        <source>The database reported an error.</source>
        <translation>La base de datos informó de un error.</translation>
    </message>
    <message>
        <source>The connection to the database was lost while trying to %1. It will reconnect on the next attempt; if this repeats, check the database server.</source>
        <translation>Se perdió la conexión con la base de datos al intentar %1. Se volverá a conectar en el siguiente intento; si se repite, revise el servidor de base de datos.</translation>
    </message>
    <message>
        <source>The database could not %1.</source>
        <translation>La base de datos no pudo %1.</translation>
    </message>
    <message>
        <source>start a transaction</source>
        <translation>iniciar una transacción</translation>
    </message>
    <message>
        <source>save the changes</source>
        <translation>guardar los cambios</translation>
    </message>
    <message>
        <source>set the statement timeout</source>
        <translation>fijar el tiempo límite de las sentencias</translation>
    </message>
    <message>
        <source>The database server %1 did not answer within %2 s while trying to %3. Check the network to the database server; the next attempt connects again.</source>
        <translation>El servidor de base de datos %1 no respondió en %2 s al intentar %3. Revise la red hasta el servidor de base de datos; el siguiente intento vuelve a conectar.</translation>
    </message>
    <message>
        <source>The database did not finish in time while trying to %1 (another station or a sync may be holding the rows). Try again.</source>
        <translation>La base de datos no terminó a tiempo al intentar %1 (puede que otra estación o una sincronización esté bloqueando las filas). Inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>The database could not %1 because another station changed the same rows at the same moment.</source>
        <translation>La base de datos no pudo %1 porque otra estación cambió las mismas filas en el mismo momento.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DatabaseUrl</name>
    <message>
        <source>it is empty</source>
        <translation>está vacía</translation>
    </message>
    <message>
        <source>it is not a valid URL</source>
        <translation>no es una URL válida</translation>
    </message>
    <message>
        <source>a SQLite URL has three slashes before an absolute path (sqlite:///home/me/qr.db)</source>
        <translation>una URL de SQLite lleva tres barras antes de una ruta absoluta (sqlite:///home/yo/qr.db)</translation>
    </message>
    <message>
        <source>it names no database file</source>
        <translation>no indica ningún archivo de base de datos</translation>
    </message>
    <message>
        <source>it names no server host</source>
        <translation>no indica ningún servidor</translation>
    </message>
    <message>
        <source>option %1 contains &apos;;&apos;</source>
        <translation>la opción %1 contiene &apos;;&apos;</translation>
    </message>
    <message>
        <source>the scheme &apos;%1&apos; is not supported</source>
        <translation>el esquema &apos;%1&apos; no es compatible</translation>
    </message>
    <message>
        <source>The database URL is not usable: %1. Use sqlite:///path/file.db or postgresql://user:password@host:port/dbname.</source>
        <translation>La URL de la base de datos no es válida: %1. Use sqlite:///ruta/archivo.db o postgresql://usuario:contraseña@host:puerto/nombrebd.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DoorFunctions</name>
    <message>
        <source>read the connected user&apos;s role</source>
        <translation>leer el rol del usuario conectado</translation>
    </message>
    <message>
        <source>admit %1</source>
        <translation>admitir %1</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>deshacer la admisión de la entrada %1</translation>
    </message>
    <message>
        <source>read the door cache</source>
        <translation>leer la caché de acceso</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>admitir la entrada %1</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>registrar un conflicto de una admisión sin conexión</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>leer la entrada %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::FieldMappingRepository</name>
    <message>
        <source>read the field mappings</source>
        <translation>leer las asignaciones de campos</translation>
    </message>
    <message>
        <source>read the field mapping of product %1</source>
        <translation>leer la asignación de campo del producto %1</translation>
    </message>
    <message>
        <source>A field mapping needs a product and a custom field.</source>
        <translation>Una asignación de campo necesita un producto y un campo personalizado.</translation>
    </message>
    <message>
        <source>save the field mapping of product %1</source>
        <translation>guardar la asignación de campo del producto %1</translation>
    </message>
    <message>
        <source>remove the field mapping of product %1</source>
        <translation>eliminar la asignación de campo del producto %1</translation>
    </message>
    <message>
        <source>save the type of custom field %1</source>
        <translation>guardar el tipo del campo personalizado %1</translation>
    </message>
    <message>
        <source>save the ticket PDF field of product %1</source>
        <translation>guardar el campo del PDF de entradas del producto %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::InboxRepository</name>
    <message>
        <source>store the webhook for order %1</source>
        <translation>guardar el webhook del pedido %1</translation>
    </message>
    <message>
        <source>take the next webhook from the inbox</source>
        <translation>tomar el siguiente webhook de la bandeja</translation>
    </message>
    <message>
        <source>mark webhook %1 as processed</source>
        <translation>marcar el webhook %1 como procesado</translation>
    </message>
    <message>
        <source>Webhook %1 is not in the inbox.</source>
        <translation>El webhook %1 no está en la bandeja.</translation>
    </message>
    <message>
        <source>record the failure of webhook %1</source>
        <translation>registrar el fallo del webhook %1</translation>
    </message>
    <message>
        <source>record the contact update of webhook %1</source>
        <translation>registrar la actualización del contacto del webhook %1</translation>
    </message>
    <message>
        <source>resume interrupted webhooks</source>
        <translation>reanudar los webhooks interrumpidos</translation>
    </message>
    <message>
        <source>retry webhook %1</source>
        <translation>reintentar el webhook %1</translation>
    </message>
    <message>
        <source>count the webhooks in the inbox</source>
        <translation>contar los webhooks de la bandeja</translation>
    </message>
    <message>
        <source>read the last webhook error</source>
        <translation>leer el último error de webhook</translation>
    </message>
    <message>
        <source>read the recent webhooks</source>
        <translation>leer los webhooks recientes</translation>
    </message>
    <message>
        <source>read webhook %1</source>
        <translation>leer el webhook %1</translation>
    </message>
    <message>
        <source>store %1 webhooks</source>
        <translation>guardar %1 webhooks</translation>
    </message>
    <message>
        <source>prepare the webhook inbox</source>
        <translation>preparar la bandeja de webhooks</translation>
    </message>
    <message>
        <source>prepare storing %1 webhooks</source>
        <translation>preparar el guardado de %1 webhooks</translation>
    </message>
    <message>
        <source>look up webhook %1</source>
        <translation>buscar el webhook %1</translation>
    </message>
    <message>
        <source>take over a webhook whose worker stopped</source>
        <translation>retomar un webhook cuyo procesador se detuvo</translation>
    </message>
    <message>
        <source>renew the claim on webhook %1</source>
        <translation>renovar la reserva del webhook %1</translation>
    </message>
    <message>
        <source>retry the failed webhooks</source>
        <translation>reintentar los webhooks fallidos</translation>
    </message>
    <message>
        <source>delete old processed webhooks</source>
        <translation>eliminar los webhooks procesados antiguos</translation>
    </message>
    <message>
        <source>Webhook %1 was taken over by another worker after its claim ran out; its result was not recorded here.</source>
        <translation>Otro procesador tomó el webhook %1 cuando caducó su reserva; su resultado no se registró aquí.</translation>
    </message>
    <message>
        <source>check the right to write the webhook inbox</source>
        <translation>comprobar el permiso de escritura en la bandeja de webhooks</translation>
    </message>
</context>
<context>
    <name>qrt::db::Migrator</name>
    <message>
        <source>create the schema_migrations table</source>
        <translation>crear la tabla schema_migrations</translation>
    </message>
    <message>
        <source>lock the schema for migration</source>
        <translation>bloquear el esquema para la migración</translation>
    </message>
    <message>
        <source>read the applied migrations</source>
        <translation>leer las migraciones aplicadas</translation>
    </message>
    <message>
        <source>apply migration %1 (%2)</source>
        <translation>aplicar la migración %1 (%2)</translation>
    </message>
    <message>
        <source>record migration %1</source>
        <translation>registrar la migración %1</translation>
    </message>
    <message>
        <source>The database schema is older than this program needs, and this database login may not change it (an operator login). Run `qrtickets migrate` and `qrtickets roles install` with the database owner&apos;s URL, then start again.</source>
        <translation>El esquema de la base de datos es más antiguo de lo que este programa necesita, y este inicio de sesión de base de datos no puede cambiarlo (es el de un operador). Ejecute `qrtickets migrate` y `qrtickets roles install` con la URL del propietario de la base de datos y vuelva a iniciar.</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderRepository</name>
    <message>
        <source>An order without an id cannot be saved.</source>
        <translation>No se puede guardar un pedido sin ID.</translation>
    </message>
    <message>
        <source>save order %1</source>
        <translation>guardar el pedido %1</translation>
    </message>
    <message>
        <source>prepare saving orders</source>
        <translation>preparar el guardado de pedidos</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>leer el pedido %1</translation>
    </message>
    <message>
        <source>list orders</source>
        <translation>listar pedidos</translation>
    </message>
    <message>
        <source>count orders</source>
        <translation>contar pedidos</translation>
    </message>
    <message>
        <source>list events</source>
        <translation>listar eventos</translation>
    </message>
    <message>
        <source>list payment statuses</source>
        <translation>listar estados de pago</translation>
    </message>
    <message>
        <source>read when orders last changed</source>
        <translation>leer cuándo cambiaron los pedidos por última vez</translation>
    </message>
    <message>
        <source>store the QR code of order %1</source>
        <translation>guardar el código QR del pedido %1</translation>
    </message>
    <message>
        <source>Order %1 is not in the database.</source>
        <translation>El pedido %1 no está en la base de datos.</translation>
    </message>
    <message>
        <source>find a guest by name</source>
        <translation>buscar un invitado por nombre</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderWriter</name>
    <message>
        <source>prepare saving orders</source>
        <translation>preparar el guardado de pedidos</translation>
    </message>
    <message>
        <source>lock the tickets of order %1</source>
        <translation>bloquear las entradas del pedido %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::Roles</name>
    <message>
        <source>--role must be admin or door, not &apos;%1&apos;.</source>
        <translation>--role debe ser admin o door, no &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; no es una dirección de correo.</translation>
    </message>
    <message>
        <source>A database role named %1 already exists: choose another name, or remove the operator first (`qrtickets operator remove %1`).</source>
        <translation>Ya existe un rol de base de datos llamado %1: elija otro nombre o elimine antes el operador (`qrtickets operator remove %1`).</translation>
    </message>
    <message>
        <source>create the login %1</source>
        <translation>crear el inicio de sesión %1</translation>
    </message>
    <message>
        <source>link user %1 to %2</source>
        <translation>vincular el usuario %1 a %2</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>añadir el usuario %1</translation>
    </message>
    <message>
        <source>list the operators</source>
        <translation>listar los operadores</translation>
    </message>
    <message>
        <source>%1 is not a QR Tickets operator (no login in qrtickets_admin or qrtickets_door); nothing was changed.</source>
        <translation>%1 no es un operador de QR Tickets (no es un inicio de sesión de qrtickets_admin ni de qrtickets_door); no se ha cambiado nada.</translation>
    </message>
    <message>
        <source>lock out %1</source>
        <translation>bloquear el acceso de %1</translation>
    </message>
    <message>
        <source>check the rights on %1</source>
        <translation>comprobar los permisos sobre %1</translation>
    </message>
    <message>
        <source>take over the sessions of %1</source>
        <translation>tomar el control de las sesiones de %1</translation>
    </message>
    <message>
        <source>end the sessions of %1</source>
        <translation>cerrar las sesiones de %1</translation>
    </message>
    <message>
        <source>unlink the users of %1</source>
        <translation>desvincular los usuarios de %1</translation>
    </message>
    <message>
        <source>drop the login %1</source>
        <translation>eliminar el inicio de sesión %1</translation>
    </message>
    <message>
        <source>Operators and roles need PostgreSQL: this station uses SQLite (%1), which has no database users. On SQLite, Settings can require a PIN to leave the check-in screen.</source>
        <translation>Los operadores y los roles necesitan PostgreSQL: esta estación usa SQLite (%1), que no tiene usuarios de base de datos. Con SQLite, la Configuración puede exigir un PIN para salir de la pantalla de entrada.</translation>
    </message>
    <message>
        <source>read the connecting role&apos;s rights</source>
        <translation>leer los permisos del rol que se conecta</translation>
    </message>
    <message>
        <source>The database user %1 may not create roles (it lacks CREATEROLE). Run this command with the database owner&apos;s URL (on Supabase: the postgres user), e.g. --database postgresql://postgres:…@host:5432/db.</source>
        <translation>El usuario de base de datos %1 no puede crear roles (le falta CREATEROLE). Ejecute este comando con la URL del propietario de la base de datos (en Supabase: el usuario postgres), p. ej. --database postgresql://postgres:…@host:5432/db.</translation>
    </message>
    <message>
        <source>look for the QR Tickets group roles</source>
        <translation>buscar los roles de grupo de QR Tickets</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door do not exist yet. Run `qrtickets roles install` first.</source>
        <translation>Los roles de grupo qrtickets_admin y qrtickets_door aún no existen. Ejecute antes `qrtickets roles install`.</translation>
    </message>
    <message>
        <source>look for role %1</source>
        <translation>buscar el rol %1</translation>
    </message>
    <message>
        <source>read the groups of role %1</source>
        <translation>leer los grupos del rol %1</translation>
    </message>
    <message>
        <source>&apos;%1&apos; cannot be an operator&apos;s name: use lower-case letters, digits and &apos;_&apos; (starting with a letter, at most 63), e.g. door_north.</source>
        <translation>&apos;%1&apos; no puede ser el nombre de un operador: use letras minúsculas, dígitos y &apos;_&apos; (empezando por una letra, como máximo 63), p. ej. door_north.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is reserved; choose another operator name.</source>
        <translation>&apos;%1&apos; está reservado; elija otro nombre de operador.</translation>
    </message>
    <message>
        <source>The database schema is at version %1; the roles need version %2. Run `qrtickets migrate` first.</source>
        <translation>El esquema de la base de datos está en la versión %1; los roles necesitan la versión %2. Ejecute antes `qrtickets migrate`.</translation>
    </message>
    <message>
        <source>read who owns the tables</source>
        <translation>leer quién es el propietario de las tablas</translation>
    </message>
    <message>
        <source>The tables belong to %1: run `qrtickets roles install` with that user&apos;s URL.</source>
        <translation>Las tablas pertenecen a %1: ejecute `qrtickets roles install` con la URL de ese usuario.</translation>
    </message>
    <message>
        <source>The roles script is missing from this program.</source>
        <translation>Falta el script de roles en este programa.</translation>
    </message>
    <message>
        <source>The tables are in schema %1, whose name holds &apos;$&apos; or a quote: roles need a schema name without them.</source>
        <translation>Las tablas están en el esquema %1, cuyo nombre contiene &apos;$&apos; o una comilla: los roles necesitan un nombre de esquema sin ellos.</translation>
    </message>
    <message>
        <source>lock the schema</source>
        <translation>bloquear el esquema</translation>
    </message>
    <message>
        <source>quieten notices</source>
        <translation>silenciar los avisos</translation>
    </message>
    <message>
        <source>install the roles</source>
        <translation>instalar los roles</translation>
    </message>
</context>
<context>
    <name>qrt::db::SearchText</name>
    <message>
        <source>prepare saving the search text of orders</source>
        <translation>preparar el guardado del texto de búsqueda de los pedidos</translation>
    </message>
    <message>
        <source>save the search text of order %1</source>
        <translation>guardar el texto de búsqueda del pedido %1</translation>
    </message>
    <message>
        <source>read the search text of orders</source>
        <translation>leer el texto de búsqueda de los pedidos</translation>
    </message>
    <message>
        <source>The SQLite driver gave no database handle.</source>
        <translation>El controlador SQLite no devolvió ningún identificador de base de datos.</translation>
    </message>
    <message>
        <source>The SQLite database is not open.</source>
        <translation>La base de datos SQLite no está abierta.</translation>
    </message>
    <message>
        <source>The name sort order could not be set up for SQLite.</source>
        <translation>No se pudo configurar el orden de los nombres para SQLite.</translation>
    </message>
</context>
<context>
    <name>qrt::db::SyncRunRepository</name>
    <message>
        <source>record the start of a sync run</source>
        <translation>registrar el inicio de una sincronización</translation>
    </message>
    <message>
        <source>record the outcome of sync run %1</source>
        <translation>registrar el resultado de la sincronización %1</translation>
    </message>
    <message>
        <source>Sync run %1 is not recorded.</source>
        <translation>La sincronización %1 no está registrada.</translation>
    </message>
    <message>
        <source>read the sync history</source>
        <translation>leer el historial de sincronización</translation>
    </message>
    <message>
        <source>record that sync run %1 is alive</source>
        <translation>registrar que la sincronización %1 sigue activa</translation>
    </message>
    <message>
        <source>record the progress of sync run %1</source>
        <translation>registrar el progreso de la sincronización %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::TicketRepository</name>
    <message>
        <source>read the latest ticket changes</source>
        <translation>leer los últimos cambios de entradas</translation>
    </message>
    <message>
        <source>read the tickets of order %1</source>
        <translation>leer las entradas del pedido %1</translation>
    </message>
    <message>
        <source>Ticket %1 has the unknown status &apos;%2&apos; and was left as it is.</source>
        <translation>La entrada %1 tiene el estado desconocido &apos;%2&apos; y se dejó como estaba.</translation>
    </message>
    <message>
        <source>assign ticket %1 to its event</source>
        <translation>asignar la entrada %1 a su evento</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL grew to %2</source>
        <translation>la cantidad de %1 en GHL subió a %2</translation>
    </message>
    <message>
        <source>add a ticket to order %1</source>
        <translation>añadir una entrada al pedido %1</translation>
    </message>
    <message>
        <source>bought in GHL (%1 x %2)</source>
        <translation>comprado en GHL (%1 x %2)</translation>
    </message>
    <message>
        <source>order %1 in GHL</source>
        <translation>pedido %1 en GHL</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL fell to %2</source>
        <translation>la cantidad de %1 en GHL bajó a %2</translation>
    </message>
    <message>
        <source>Order %1: GHL reports %2 x %3 but %4 more are already used or were admitted meanwhile; they were left as they are.</source>
        <translation>Pedido %1: GHL indica %2 x %3, pero %4 más ya están usadas o se admitieron mientras tanto; se dejaron como estaban.</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>leer la entrada %1</translation>
    </message>
    <message>
        <source>look up a ticket code</source>
        <translation>buscar un código de entrada</translation>
    </message>
    <message>
        <source>Ticket %1 does not exist.</source>
        <translation>La entrada %1 no existe.</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else a moment ago; look at it again.</source>
        <translation>Otra persona acaba de cambiar la entrada %1; vuelva a revisarla.</translation>
    </message>
    <message>
        <source>read the tickets to change</source>
        <translation>leer las entradas a cambiar</translation>
    </message>
    <message>
        <source>count the tickets of order %1</source>
        <translation>contar las entradas del pedido %1</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>admitir la entrada %1</translation>
    </message>
    <message>
        <source>find a ticket to admit</source>
        <translation>buscar una entrada para admitir</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>El pedido %1 se está admitiendo ahora mismo en otra estación; inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>read the history of order %1</source>
        <translation>leer el historial del pedido %1</translation>
    </message>
    <message>
        <source>count tickets per event</source>
        <translation>contar entradas por evento</translation>
    </message>
    <message>
        <source>record the ticket change</source>
        <translation>registrar el cambio de la entrada</translation>
    </message>
    <message>
        <source>change ticket %1</source>
        <translation>cambiar la entrada %1</translation>
    </message>
    <message>
        <source>Ticket %1: %2</source>
        <translation>Entrada %1: %2</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else meanwhile.</source>
        <translation>Otra persona ha cambiado la entrada %1 mientras tanto.</translation>
    </message>
    <message>
        <source>Order %1 changed at the door while syncing; some tickets were left as they are. Sync again to finish.</source>
        <translation>El pedido %1 cambió en la entrada durante la sincronización; algunas entradas quedaron como estaban. Sincronice de nuevo para terminar.</translation>
    </message>
    <message>
        <source>read the door list</source>
        <translation>leer la lista de acceso</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>deshacer la admisión de la entrada %1</translation>
    </message>
    <message>
        <source>Ticket %1 no longer exists.</source>
        <translation>La entrada %1 ya no existe.</translation>
    </message>
    <message>
        <source>Ticket %1 stays used: it was admitted again by %2.</source>
        <translation>La entrada %1 sigue usada: %2 la volvió a admitir.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>otra estación</translation>
    </message>
    <message>
        <source>Ticket %1 stays %2: it was changed meanwhile.</source>
        <translation>La entrada %1 sigue %2: se cambió mientras tanto.</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>leer el pedido %1</translation>
    </message>
    <message>
        <source>read the ticket %1</source>
        <translation>leer la entrada %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::UserRepository</name>
    <message>
        <source>read the users</source>
        <translation>leer los usuarios</translation>
    </message>
    <message>
        <source>save user %1</source>
        <translation>guardar el usuario %1</translation>
    </message>
    <message>
        <source>remove user %1</source>
        <translation>eliminar el usuario %1</translation>
    </message>
    <message>
        <source>Which user to change is missing.</source>
        <translation>Falta qué usuario cambiar.</translation>
    </message>
    <message>
        <source>A user needs a name.</source>
        <translation>Un usuario necesita un nombre.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address: a user needs a valid one.</source>
        <translation>&apos;%1&apos; no es una dirección de correo: un usuario necesita una válida.</translation>
    </message>
    <message>
        <source>A user&apos;s type must be Admin, Super Admin or Door, not &apos;%1&apos;.</source>
        <translation>El tipo de un usuario debe ser Administrador, Superadministrador o Acceso, no &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>look for user %1</source>
        <translation>buscar el usuario %1</translation>
    </message>
    <message>
        <source>Another user already has the e-mail address %1.</source>
        <translation>Otro usuario ya tiene la dirección de correo %1.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 ya tiene la dirección de correo %2: cada usuario necesita la suya.</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>añadir el usuario %1</translation>
    </message>
    <message>
        <source>The user %1 is gone: another station removed it.</source>
        <translation>El usuario %1 ya no existe: otra estación lo eliminó.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCache</name>
    <message>
        <source>prepare the door cache&apos;s journal</source>
        <translation>preparar el diario de la caché de acceso</translation>
    </message>
    <message>
        <source>write the door cache&apos;s settings</source>
        <translation>escribir los ajustes de la caché de acceso</translation>
    </message>
    <message>
        <source>read the door cache&apos;s settings</source>
        <translation>leer los ajustes de la caché de acceso</translation>
    </message>
    <message>
        <source>read the rows the door needs</source>
        <translation>leer las filas que necesita el acceso</translation>
    </message>
    <message>
        <source>copy the door&apos;s rows into the door cache</source>
        <translation>copiar las filas del acceso en la caché de acceso</translation>
    </message>
    <message>
        <source>read the queued admissions</source>
        <translation>leer las admisiones en cola</translation>
    </message>
    <message>
        <source>count the queued admissions</source>
        <translation>contar las admisiones en cola</translation>
    </message>
    <message>
        <source>mark a queued admission uploaded</source>
        <translation>marcar como enviada una admisión en cola</translation>
    </message>
    <message>
        <source>record a conflict of a queued admission</source>
        <translation>registrar un conflicto de una admisión en cola</translation>
    </message>
    <message>
        <source>note an admission in the door cache</source>
        <translation>anotar una admisión en la caché de acceso</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCheck</name>
    <message>
        <source>an unknown station</source>
        <translation>una estación desconocida</translation>
    </message>
    <message>
        <source>by %1 at an unknown time</source>
        <translation>por %1 a una hora desconocida</translation>
    </message>
    <message>
        <source>by %1 on %2 at %3</source>
        <translation>por %1 el %2 a las %3</translation>
    </message>
    <message>
        <source>Payment: %1</source>
        <translation>Pago: %1</translation>
    </message>
    <message>
        <source>not known</source>
        <translation>desconocido</translation>
    </message>
    <message>
        <source>Could not check in</source>
        <translation>No se pudo registrar la entrada</translation>
    </message>
    <message>
        <source>Not a ticket</source>
        <translation>No es una entrada</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a ticket code nor an order link. Scan the QR code on the ticket.</source>
        <translation>«%1» no es un código de entrada ni un enlace de pedido. Escanee el código QR de la entrada.</translation>
    </message>
    <message>
        <source>Unknown ticket</source>
        <translation>Entrada desconocida</translation>
    </message>
    <message>
        <source>No ticket has the code %1. If the order is new, press Sync (F5) and scan again.</source>
        <translation>Ninguna entrada tiene el código %1. Si el pedido es nuevo, pulse Sincronizar (F5) y vuelva a escanear.</translation>
    </message>
    <message>
        <source>Unknown order</source>
        <translation>Pedido desconocido</translation>
    </message>
    <message>
        <source>Order %1 is not in the database. If it is new, press Sync (F5) and scan again.</source>
        <translation>El pedido %1 no está en la base de datos. Si es nuevo, pulse Sincronizar (F5) y vuelva a escanear.</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Reembolsado</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <source>This order was refunded: its tickets are not valid.</source>
        <translation>Este pedido fue reembolsado: sus entradas no son válidas.</translation>
    </message>
    <message>
        <source>This order was cancelled: its tickets are not valid.</source>
        <translation>Este pedido fue cancelado: sus entradas no son válidas.</translation>
    </message>
    <message>
        <source>Other event: %1</source>
        <translation>Otro evento: %1</translation>
    </message>
    <message>
        <source>This station does not admit for this event. Send the guest to the right entrance.</source>
        <translation>Esta estación no admite para este evento. Indique al invitado la entrada correcta.</translation>
    </message>
    <message>
        <source>Already used</source>
        <translation>Ya usada</translation>
    </message>
    <message>
        <source>All %1 tickets of this order are admitted.</source>
        <translation>Las %1 entradas de este pedido ya están admitidas.</translation>
    </message>
    <message>
        <source>Every ticket of this order is cancelled.</source>
        <translation>Todas las entradas de este pedido están canceladas.</translation>
    </message>
    <message>
        <source>This ticket is cancelled.</source>
        <translation>Esta entrada está cancelada.</translation>
    </message>
    <message>
        <source>No tickets</source>
        <translation>Sin entradas</translation>
    </message>
    <message>
        <source>This order has no tickets yet. Press Sync (F5) and scan again.</source>
        <translation>Este pedido aún no tiene entradas. Pulse Sincronizar (F5) y vuelva a escanear.</translation>
    </message>
    <message>
        <source>Not paid</source>
        <translation>No pagado</translation>
    </message>
    <message>
        <source>This order is %1; this station admits paid orders only.</source>
        <translation>Estado de pago del pedido: %1; esta estación solo admite pedidos pagados.</translation>
    </message>
    <message>
        <source>This order is %1. Press &quot;Admit anyway&quot; to let the guest in (recorded as unpaid).</source>
        <translation>Estado de pago del pedido: %1. Pulse «Admitir de todos modos» para dejar pasar al invitado (se registra como no pagado).</translation>
    </message>
    <message>
        <source>Not admitted yet</source>
        <translation>Aún no admitido</translation>
    </message>
    <message>
        <source>%1 of %2 admitted</source>
        <translation>%1 de %2 admitidas</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) to admit. Check who the guest is, then press Admit.</source>
        <translation>
            <numerusform>Falta %n entrada por admitir. Compruebe quién es el invitado y después admítalo.</numerusform>
            <numerusform>Faltan %n entradas por admitir. Compruebe quién es el invitado y después admítalo.</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted %1 of %2</source>
        <translation>Admitidas: %1 de %2</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) admitted now</source>
        <translation>
            <numerusform>%n entrada admitida ahora</numerusform>
            <numerusform>%n entradas admitidas ahora</numerusform>
        </translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation>Entrada: %1</translation>
    </message>
    <message>
        <source>Admitted although not paid.</source>
        <translation>Admitido aunque no está pagado.</translation>
    </message>
    <message>
        <source>Stopped before the rest: %1 Press &quot;Admit all remaining&quot; again.</source>
        <translation>Se detuvo antes del resto: %1 Pulse de nuevo «Admitir todos los restantes».</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>El pedido %1 se está admitiendo ahora mismo en otra estación; inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>This door login cannot check tickets yet: the database lacks this version&apos;s door functions. Ask the admin to run `qrtickets roles install` again with the database owner&apos;s URL.</source>
        <translation>Este inicio de sesión de acceso aún no puede comprobar entradas: a la base de datos le faltan las funciones de acceso de esta versión. Pida al administrador que vuelva a ejecutar `qrtickets roles install` con la URL del propietario de la base de datos.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorStation</name>
    <message>
        <source>The station is closing; the rest is sent at the next start.</source>
        <translation>La estación se está cerrando; el resto se envía en el próximo inicio.</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>registrar un conflicto de una admisión sin conexión</translation>
    </message>
    <message numerus="yes">
        <source>%n admission(s) made offline are still to be sent.</source>
        <translation>
            <numerusform>%n admisión hecha sin conexión aún está por enviar.</numerusform>
            <numerusform>%n admisiones hechas sin conexión aún están por enviar.</numerusform>
        </translation>
    </message>
    <message>
        <source>OFFLINE: door cache not ready</source>
        <translation>SIN CONEXIÓN: caché de acceso no preparada</translation>
    </message>
    <message>
        <source>The database does not answer, and this station had not finished copying the tickets (the door cache) before, so it cannot check this ticket offline. Check the network to the database; scans work again as soon as it answers.</source>
        <translation>La base de datos no responde y esta estación no había terminado de copiar las entradas (la caché de acceso), así que no puede comprobar esta entrada sin conexión. Compruebe la red hacia la base de datos; los escaneos vuelven a funcionar en cuanto responda.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy; sent to the database when it answers again.</source>
        <translation>SIN CONEXIÓN: decidido con la copia de esta estación; se envía a la base de datos cuando vuelva a responder.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy.</source>
        <translation>SIN CONEXIÓN: decidido con la copia de esta estación.</translation>
    </message>
    <message>
        <source>Undo needs the shared database: try again when online. This admission was made while online, and this station is OFFLINE now.</source>
        <translation>Deshacer necesita la base de datos compartida: inténtelo de nuevo cuando haya conexión. Esta admisión se hizo con conexión y esta estación está ahora SIN CONEXIÓN.</translation>
    </message>
    <message>
        <source>Ticket %1 stays as it is: it is not admitted any more.</source>
        <translation>La entrada %1 se queda como está: ya no está admitida.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted more than 10 minutes ago: only an admin can undo it.</source>
        <translation>La entrada %1 se admitió hace más de 10 minutos: solo un administrador puede deshacerlo.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted by another operator: only an admin can undo it.</source>
        <translation>La entrada %1 la admitió otro operador: solo un administrador puede deshacerlo.</translation>
    </message>
    <message>
        <source>A door login undoes only its own admissions, within 10 minutes of them.</source>
        <translation>Un inicio de sesión de acceso solo deshace sus propias admisiones, en los 10 minutos siguientes.</translation>
    </message>
    <message numerus="yes">
        <source>%n more ticket(s) not tried: undo them again.</source>
        <translation>
            <numerusform>%n entrada más sin intentar: vuelva a deshacerla.</numerusform>
            <numerusform>%n entradas más sin intentar: vuelva a deshacerlas.</numerusform>
        </translation>
    </message>
    <message>
        <source>read the order of ticket %1</source>
        <translation>leer el pedido de la entrada %1</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>leer el pedido %1</translation>
    </message>
</context>
<context>
    <name>qrt::feed::EventFeed</name>
    <message>
        <source>The event feed cannot listen on %1 port %2.</source>
        <translation>El canal de eventos no puede escuchar en %1 puerto %2.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ConnectionTest</name>
    <message numerus="yes">
        <source>Connected: the location has %n custom field(s).</source>
        <translation>
            <numerusform>Conectado: la ubicación tiene %n campo personalizado.</numerusform>
            <numerusform>Conectado: la ubicación tiene %n campos personalizados.</numerusform>
        </translation>
    </message>
    <message>
        <source>forms.write (QR codes into File upload fields)</source>
        <translation>forms.write (códigos QR en campos de tipo Carga de archivo)</translation>
    </message>
    <message>
        <source>contacts.write (QR codes into Text and Large text fields)</source>
        <translation>contacts.write (códigos QR en campos de tipo Texto y Texto largo)</translation>
    </message>
    <message>
        <source>But the token lacks scope %1: add it to the Private Integration token.</source>
        <translation>Pero al token le falta el ámbito %1: añádalo al token de integración privada.</translation>
    </message>
    <message>
        <source>Could not check scope %1: GHL did not answer the check.</source>
        <translation>No se pudo comprobar el ámbito %1: GHL no respondió a la comprobación.</translation>
    </message>
    <message>
        <source>contacts.readonly (checking a field before a QR code is written again)</source>
        <translation>contacts.readonly (comprobar un campo antes de volver a escribir un código QR)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetContactJob</name>
    <message>
        <source>contact %1 is not a JSON object</source>
        <translation>el contacto %1 no es un objeto JSON</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetOrderJob</name>
    <message>
        <source>order %1 is not valid JSON (%2 at byte %3)</source>
        <translation>el pedido %1 no es JSON válido (%2 en el byte %3)</translation>
    </message>
    <message>
        <source>order %1 is not a JSON object</source>
        <translation>el pedido %1 no es un objeto JSON</translation>
    </message>
    <message>
        <source>GHL answered order %1 for %2; the answer is not stored.</source>
        <translation>GHL devolvió el pedido %1 al pedir %2; la respuesta no se guarda.</translation>
    </message>
    <message>
        <source>Order %1 belongs to location %2, not to %3 (the configured location); it is not stored.</source>
        <translation>El pedido %1 pertenece a la ubicación %2, no a %3 (la ubicación configurada); no se guarda.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlClient</name>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>La solicitud a GHL se canceló.</translation>
    </message>
    <message>
        <source>No GHL token is set: enter the Private Integration token (scope %1) in Settings.</source>
        <translation>No hay ningún token de GHL: introduzca el token de integración privada (ámbito %1) en la configuración.</translation>
    </message>
    <message>
        <source>The GHL base URL is not set or not valid; check it in Settings.</source>
        <translation>La URL base de GHL no está definida o no es válida; revísela en la configuración.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 401): the token is invalid or missing scope %1. Check the Private Integration token in Settings.</source>
        <translation>GHL rechazó la solicitud (HTTP 401): el token no es válido o le falta el ámbito %1. Revise el token de integración privada en la configuración.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 403): the token is invalid or missing scope %1, or it has no access to location %2. Check the token and the location id in Settings.</source>
        <translation>GHL rechazó la solicitud (HTTP 403): el token no es válido, le falta el ámbito %1 o no tiene acceso a la ubicación %2. Revise el token y el ID de ubicación en la configuración.</translation>
    </message>
    <message>
        <source>GHL does not know what was asked for (%1): it may have been deleted.</source>
        <translation>GHL no conoce lo solicitado (%1): puede que se haya eliminado.</translation>
    </message>
    <message>
        <source>GHL&apos;s rate limit was exceeded (too many requests).</source>
        <translation>Se superó el límite de solicitudes de GHL (demasiadas solicitudes).</translation>
    </message>
    <message>
        <source>GHL had a problem on its side (HTTP %1). Try again later.</source>
        <translation>GHL tuvo un problema por su parte (HTTP %1). Inténtelo más tarde.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1).</source>
        <translation>GHL rechazó la solicitud (HTTP %1).</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1): %2</source>
        <translation>GHL rechazó la solicitud (HTTP %1): %2</translation>
    </message>
    <message>
        <source>GHL did not answer within %1 seconds.</source>
        <translation>GHL no respondió en %1 segundos.</translation>
    </message>
    <message>
        <source>Could not connect to GHL at %1: the connection was refused.</source>
        <translation>No se pudo conectar con GHL en %1: la conexión fue rechazada.</translation>
    </message>
    <message>
        <source>GHL at %1 closed the connection before answering.</source>
        <translation>GHL en %1 cerró la conexión antes de responder.</translation>
    </message>
    <message>
        <source>The GHL server %1 could not be found. Check the internet connection and the base URL.</source>
        <translation>No se encontró el servidor de GHL %1. Revise la conexión a internet y la URL base.</translation>
    </message>
    <message>
        <source>No secure connection to GHL at %1 could be made (TLS error). Check the computer&apos;s date and time and any proxy or firewall.</source>
        <translation>No se pudo establecer una conexión segura con GHL en %1 (error TLS). Revise la fecha y hora del equipo y cualquier proxy o cortafuegos.</translation>
    </message>
    <message>
        <source>The network is not available.</source>
        <translation>La red no está disponible.</translation>
    </message>
    <message>
        <source>The proxy refused or failed the connection to GHL.</source>
        <translation>El proxy rechazó o no pudo establecer la conexión con GHL.</translation>
    </message>
    <message>
        <source>The connection to GHL at %1 failed.</source>
        <translation>Falló la conexión con GHL en %1.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asks to wait %n minute(s) before the next request (its daily limit may be used up).</source>
        <translation>
            <numerusform>GHL pide esperar %n minuto antes de la siguiente solicitud (puede que se haya agotado el límite diario).</numerusform>
            <numerusform>GHL pide esperar %n minutos antes de la siguiente solicitud (puede que se haya agotado el límite diario).</numerusform>
        </translation>
    </message>
    <message>
        <source>Gave up: GHL failed too often recently and the retry budget is used up.</source>
        <translation>Se abandonó: GHL ha fallado demasiadas veces últimamente y se agotó el margen de reintentos.</translation>
    </message>
    <message numerus="yes">
        <source>Gave up after %n attempt(s).</source>
        <translation>
            <numerusform>Se abandonó tras %n intento.</numerusform>
            <numerusform>Se abandonó tras %n intentos.</numerusform>
        </translation>
    </message>
    <message>
        <source>GHL kept answering &apos;too many requests&apos; (rate limit).</source>
        <translation>GHL siguió respondiendo &apos;demasiadas solicitudes&apos; (límite de solicitudes).</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlJob</name>
    <message>
        <source>The request was cancelled: the GHL connection is gone.</source>
        <translation>La solicitud se canceló: la conexión con GHL ya no existe.</translation>
    </message>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>La solicitud a GHL se canceló.</translation>
    </message>
    <message>
        <source>GHL answered with malformed data: %1.</source>
        <translation>GHL respondió con datos mal formados: %1.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListCustomFieldsJob</name>
    <message>
        <source>the custom field list is not valid JSON (%1 at byte %2)</source>
        <translation>la lista de campos personalizados no es JSON válido (%1 en el byte %2)</translation>
    </message>
    <message>
        <source>the custom field list has no &quot;customFields&quot; list</source>
        <translation>la lista de campos personalizados no tiene una lista &quot;customFields&quot;</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListOrdersJob</name>
    <message>
        <source>the order list is not valid JSON (%1 at byte %2)</source>
        <translation>la lista de pedidos no es JSON válido (%1 en el byte %2)</translation>
    </message>
    <message>
        <source>the order list has no &quot;data&quot; list or no &quot;totalCount&quot;</source>
        <translation>la lista de pedidos no tiene una lista &quot;data&quot; o no tiene &quot;totalCount&quot;</translation>
    </message>
    <message>
        <source>order %1 of the list has no id (_id)</source>
        <translation>el pedido %1 de la lista no tiene ID (_id)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::OrderJson</name>
    <message>
        <source>The order data from GHL is malformed: %1.</source>
        <translation>Los datos del pedido de GHL están mal formados: %1.</translation>
    </message>
    <message>
        <source>The data of order %1 from GHL is malformed: %2.</source>
        <translation>Los datos del pedido %1 de GHL están mal formados: %2.</translation>
    </message>
    <message>
        <source>not valid JSON (%1 at byte %2)</source>
        <translation>JSON no válido (%1 en el byte %2)</translation>
    </message>
    <message>
        <source>expected a JSON object</source>
        <translation>se esperaba un objeto JSON</translation>
    </message>
    <message>
        <source>it has no order id (_id)</source>
        <translation>no tiene ID de pedido (_id)</translation>
    </message>
    <message>
        <source>the order id is longer than 64 characters</source>
        <translation>el ID del pedido tiene más de 64 caracteres</translation>
    </message>
    <message>
        <source>amount is not a number</source>
        <translation>amount no es un número</translation>
    </message>
    <message>
        <source>items is not a list</source>
        <translation>items no es una lista</translation>
    </message>
    <message>
        <source>item %1 is not an object</source>
        <translation>el artículo %1 no es un objeto</translation>
    </message>
    <message>
        <source>item %1 has no valid quantity (qty)</source>
        <translation>el artículo %1 no tiene una cantidad válida (qty)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ArrivalsChart</name>
    <message>
        <source>Tickets admitted and not undone (their status is used). There is no exit scan: a guest who left still counts.</source>
        <translation>Entradas admitidas y no deshechas (su estado es «usada»). No se escanea la salida: un invitado que se fue sigue contando.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes</source>
        <translation>Admisiones cada 15 minutos</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n inside)</source>
        <translation>
            <numerusform>%1 (%n dentro)</numerusform>
            <numerusform>%1 (%n dentro)</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admitidas</translation>
    </message>
    <message>
        <source>Nobody admitted yet: admissions appear here per 15 minutes as guests arrive.</source>
        <translation>Aún no se ha admitido a nadie: las admisiones aparecen aquí cada 15 minutos a medida que llegan los invitados.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes, %1 %2 – %3</source>
        <translation>Admisiones cada 15 minutos, %1 %2 – %3</translation>
    </message>
    <message numerus="yes">
        <source>Inside now: %n</source>
        <translation>
            <numerusform>Dentro ahora: %n</numerusform>
            <numerusform>Dentro ahora: %n</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Admitted per 15 minutes: %1</source>
        <translation>Admitidas cada 15 minutos: %1</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CameraPreview</name>
    <message>
        <source>Camera preview</source>
        <translation>Vista previa de la cámara</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>Iniciando %1…</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CheckInPanel</name>
    <message>
        <source>Ready to scan</source>
        <translation>Listo para escanear</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining (%1)</source>
        <translation>Admitir &amp;todos los restantes (%1)</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Admitir &amp;todos los restantes</translation>
    </message>
    <message>
        <source>Undo failed</source>
        <translation>No se pudo deshacer</translation>
    </message>
    <message>
        <source>Admission undone</source>
        <translation>Admisión deshecha</translation>
    </message>
    <message>
        <source>Open an image with a QR code</source>
        <translation>Abrir una imagen con un código QR</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation>Imágenes (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>No QR code found</source>
        <translation>No se encontró ningún código QR</translation>
    </message>
    <message>
        <source>No readable QR code in %1. Try a sharper or larger image.</source>
        <translation>No hay ningún código QR legible en %1. Pruebe con una imagen más nítida o más grande.</translation>
    </message>
    <message>
        <source>Gate: %1</source>
        <translation>Puerta: %1</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Admitir &amp;uno más</translation>
    </message>
    <message>
        <source>Admit o&amp;ne</source>
        <translation>Admitir &amp;uno</translation>
    </message>
    <message>
        <source>&amp;Undo last admission (%1)</source>
        <translation>&amp;Deshacer la última admisión (%1)</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>&amp;Deshacer la última admisión</translation>
    </message>
    <message>
        <source>The last scan admitted nobody: nothing to undo</source>
        <translation>El último escaneo no admitió a nadie: no hay nada que deshacer</translation>
    </message>
    <message numerus="yes">
        <source>Makes the %n ticket(s) just admitted live again</source>
        <translation>
            <numerusform>Vuelve a hacer válida la entrada recién admitida</numerusform>
            <numerusform>Vuelve a hacer válidas las %n entradas recién admitidas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) are live again.</source>
        <translation>
            <numerusform>%n entrada vuelve a ser válida.</numerusform>
            <numerusform>%n entradas vuelven a ser válidas.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) of %1 are live again.</source>
        <translation>
            <numerusform>%n entrada de %1 vuelve a ser válida.</numerusform>
            <numerusform>%n entradas de %1 vuelven a ser válidas.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s)</source>
        <translation>
            <numerusform>Deshecho: %n entrada</numerusform>
            <numerusform>Deshecho: %n entradas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s) of %1</source>
        <translation>
            <numerusform>Deshecho: %n entrada de %1</numerusform>
            <numerusform>Deshecho: %n entradas de %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Every event</source>
        <translation>Todos los eventos</translation>
    </message>
    <message>
        <source>Not undone:</source>
        <translation>No deshecho:</translation>
    </message>
    <message>
        <source>Nothing undone</source>
        <translation>No se deshizo nada</translation>
    </message>
    <message>
        <source>Came&amp;ra</source>
        <translation>&amp;Cámara</translation>
    </message>
    <message>
        <source>Scan QR codes with this computer&apos;s camera (Settings → Station chooses which)</source>
        <translation>Escanear códigos QR con la cámara de este equipo (cuál, se elige en Configuración → Estación)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::DatabaseSettingsPage</name>
    <message>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <source>Connecting ...</source>
        <translation>Conectando ...</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>No conectado: %1</translation>
    </message>
    <message>
        <source>Connected to %1 (%2).</source>
        <translation>Conectado a %1 (%2).</translation>
    </message>
    <message>
        <source>Trying the new database before saving it ...</source>
        <translation>Probando la nueva base de datos antes de guardarla ...</translation>
    </message>
    <message>
        <source>Save anyway?</source>
        <translation>¿Guardar de todos modos?</translation>
    </message>
    <message>
        <source>QR Tickets could not connect to the database at %1:
%2</source>
        <translation>QR Tickets no ha podido conectarse a la base de datos en %1:
%2</translation>
    </message>
    <message>
        <source>Saved anyway, QR Tickets starts on a window that offers Settings, Retry and this computer&apos;s local database until this database answers.</source>
        <translation>Si la guarda de todos modos, QR Tickets se abrirá en una ventana que ofrece Configuración, Reintentar y la base de datos local de este equipo hasta que esta base de datos responda.</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>Guardar de todos modos</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Seguir editando</translation>
    </message>
</context>
<context>
    <name>qrt::gui::EventOverview</name>
    <message>
        <source>Event overview</source>
        <translation>Resumen de eventos</translation>
    </message>
    <message>
        <source>No tickets yet. Press Sync (F5) to fetch orders from GHL.</source>
        <translation>Aún no hay entradas. Pulse Sincronizar (F5) para obtener los pedidos de GHL.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n ticket(s) admitted, %2 still to come.</source>
        <translation>
            <numerusform>%1 de %n entrada admitidas, faltan %2.</numerusform>
            <numerusform>%1 de %n entradas admitidas, faltan %2.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::Exporter</name>
    <message>
        <source>door-list</source>
        <comment>start of a saved door list&apos;s file name</comment>
        <translation>lista-de-acceso</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Apellidos</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Tickets live</source>
        <translation>Entradas válidas</translation>
    </message>
    <message>
        <source>Tickets used</source>
        <translation>Entradas usadas</translation>
    </message>
    <message>
        <source>Tickets cancelled</source>
        <translation>Entradas canceladas</translation>
    </message>
    <message>
        <source>Total paid</source>
        <translation>Total pagado</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Moneda</translation>
    </message>
    <message>
        <source>Payment status</source>
        <translation>Estado del pago</translation>
    </message>
    <message>
        <source>Ordered (UTC)</source>
        <translation>Pedido el (UTC)</translation>
    </message>
    <message>
        <source>Updated (UTC)</source>
        <translation>Actualizado (UTC)</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Entradas</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admitidas</translation>
    </message>
    <message>
        <source>Ticket types</source>
        <translation>Tipos de entrada</translation>
    </message>
    <message>
        <source>Orders: %1 · Tickets: %2 · Admitted: %3 · Printed: %4</source>
        <translation>Pedidos: %1 · Entradas: %2 · Admitidas: %3 · Impreso: %4</translation>
    </message>
    <message>
        <source>Tick</source>
        <comment>door list column: one box per person let in by hand</comment>
        <translation>Marcar</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <comment>door list: tickets admitted of the order&apos;s tickets</comment>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <comment>door list: last name, first name</comment>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Door list: %1</source>
        <translation>Lista de acceso: %1</translation>
    </message>
    <message>
        <source>No orders with tickets for this event.</source>
        <translation>No hay pedidos con entradas para este evento.</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Página %1 de %2</translation>
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
        <translation>No hay llavero del sistema disponible: indique el token en la variable de entorno QRTICKETS_GHL_TOKEN.</translation>
    </message>
    <message>
        <source>The token is kept in the system keychain, never in the settings file.</source>
        <translation>El token se guarda en el llavero del sistema, nunca en el archivo de configuración.</translation>
    </message>
    <message>
        <source>Fix the GHL settings first.</source>
        <translation>Corrija primero la configuración de GHL.</translation>
    </message>
    <message>
        <source>Enter the location ID and the token first.</source>
        <translation>Introduzca primero el ID de ubicación y el token.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Conectando con %1 ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::GuestSearch</name>
    <message>
        <source>No code? Fin&amp;d by name:</source>
        <translation>¿Sin código? &amp;Buscar por nombre:</translation>
    </message>
    <message>
        <source>Guest&apos;s name, e-mail or phone</source>
        <translation>Nombre, correo electrónico o teléfono del invitado</translation>
    </message>
    <message>
        <source>Find a guest by name</source>
        <translation>Buscar un invitado por nombre</translation>
    </message>
    <message>
        <source>Guests found</source>
        <translation>Invitados encontrados</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sin nombre)</translation>
    </message>
    <message>
        <source>%1 · %2 · order %3</source>
        <translation>%1 · %2 · pedido %3</translation>
    </message>
    <message>
        <source>No guest of this station&apos;s events matches.</source>
        <translation>Ningún invitado de los eventos de esta estación coincide.</translation>
    </message>
    <message>
        <source>Guest&apos;s name or order id</source>
        <translation>Nombre del invitado o ID de pedido</translation>
    </message>
</context>
<context>
    <name>qrt::gui::HistoryModel</name>
    <message>
        <source>(new)</source>
        <translation>(nuevo)</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Cuándo</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Entrada</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>To</source>
        <translation>A</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Por</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
</context>
<context>
    <name>qrt::gui::KioskPinSettings</name>
    <message>
        <source>Kiosk PIN (leave the check-in screen)</source>
        <translation>PIN de quiosco (salir de la pantalla de entrada)</translation>
    </message>
    <message>
        <source>empty: keep as it is</source>
        <translation>vacío: dejar como está</translation>
    </message>
    <message>
        <source>New &amp;PIN:</source>
        <translation>&amp;PIN nuevo:</translation>
    </message>
    <message>
        <source>&amp;Repeat PIN:</source>
        <translation>R&amp;epetir PIN:</translation>
    </message>
    <message>
        <source>No PIN: anyone may leave the check-in screen</source>
        <translation>Sin PIN: cualquiera puede salir de la pantalla de entrada</translation>
    </message>
    <message>
        <source>Kiosk PIN</source>
        <translation>PIN de quiosco</translation>
    </message>
    <message>
        <source>No PIN is set: the window is never locked.</source>
        <translation>No hay ningún PIN: la ventana nunca se bloquea.</translation>
    </message>
    <message>
        <source>A PIN is set: the window starts locked on the check-in screen; leaving it, Settings and Quit ask for it.</source>
        <translation>Hay un PIN: la ventana se inicia bloqueada en la pantalla de entrada; salir de ella, la Configuración y Salir lo piden.</translation>
    </message>
    <message>
        <source>Set outside the settings file (environment or command line): change it there.</source>
        <translation>Definido fuera del archivo de configuración (entorno o línea de comandos): cámbielo allí.</translation>
    </message>
    <message>
        <source>A PIN has at least %1 characters.</source>
        <translation>Un PIN tiene al menos %1 caracteres.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>Los dos PIN no coinciden: escriba el mismo PIN dos veces.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerPanel</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>Firma de GHL (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Secreto compartido</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Ninguna (solo este equipo)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Procesando</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Hecho</translation>
    </message>
    <message>
        <source>Done with a warning</source>
        <translation>Hecho con un aviso</translation>
    </message>
    <message>
        <source>Failed, retrying (attempt %1)</source>
        <translation>Fallido, se reintentará (intento %1)</translation>
    </message>
    <message numerus="yes">
        <source>Dead after %n attempt(s)</source>
        <translation>
            <numerusform>Muerto tras %n intento</numerusform>
            <numerusform>Muerto tras %n intentos</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>No database is open, so there is no webhook inbox to show.</source>
        <translation>No hay ninguna base de datos abierta, así que no hay bandeja de webhooks que mostrar.</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>Escuchando</translation>
    </message>
    <message>
        <source>&amp;Stop listener</source>
        <translation>&amp;Detener receptor</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Apagado</translation>
    </message>
    <message>
        <source>%1:%2 (not listening)</source>
        <translation>%1:%2 (sin escuchar)</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>&amp;Iniciar receptor</translation>
    </message>
    <message>
        <source>The listener needs a database for its inbox.</source>
        <translation>El receptor necesita una base de datos para su bandeja.</translation>
    </message>
    <message>
        <source>No inbox worker runs in this application: another station or `qrtickets serve` must process the events.</source>
        <translation>En esta aplicación no se ejecuta ningún procesador de la bandeja: otra estación o `qrtickets serve` debe procesar los eventos.</translation>
    </message>
    <message>
        <source>Stopped. Webhooks GHL sends now are retried by GHL or lost; start the listener again to receive them.</source>
        <translation>Detenido. Los webhooks que GHL envíe ahora serán reintentados por GHL o se perderán; vuelva a iniciar el receptor para recibirlos.</translation>
    </message>
    <message>
        <source>The listener did not start: %1</source>
        <translation>El receptor no se inició: %1</translation>
    </message>
    <message>
        <source>The inbox could not be read: %1</source>
        <translation>No se pudo leer la bandeja: %1</translation>
    </message>
    <message>
        <source>%1 pending, %2 processing, %3 waiting to retry</source>
        <translation>%1 pendientes, %2 procesando, %3 esperando reintento</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ninguno</translation>
    </message>
    <message>
        <source>%1 (last error: %2)</source>
        <translation>%1 (último error: %2)</translation>
    </message>
    <message>
        <source>(custom)</source>
        <translation>(personalizado)</translation>
    </message>
    <message>
        <source>Nothing received yet. Point a GHL workflow webhook or the marketplace app at the address above.</source>
        <translation>Aún no se ha recibido nada. Apunte un webhook de flujo de trabajo de GHL o la aplicación del marketplace a la dirección de arriba.</translation>
    </message>
    <message>
        <source>Only GHL can sign webhooks; set the listener to shared-secret authentication to send a test webhook.</source>
        <translation>Solo GHL puede firmar webhooks; configure el receptor con autenticación de secreto compartido para enviar un webhook de prueba.</translation>
    </message>
    <message>
        <source>Retry failed: %1</source>
        <translation>Falló el reintento: %1</translation>
    </message>
    <message>
        <source>Event %1 is already waiting or being processed.</source>
        <translation>El evento %1 ya está en espera o se está procesando.</translation>
    </message>
    <message>
        <source>Event %1 is queued again.</source>
        <translation>El evento %1 vuelve a estar en la cola.</translation>
    </message>
    <message>
        <source>Looking up a demo order ...</source>
        <translation>Buscando un pedido de demostración ...</translation>
    </message>
    <message>
        <source>No demo order to send: %1</source>
        <translation>No hay pedido de demostración que enviar: %1</translation>
    </message>
    <message>
        <source>The demo location has no orders yet.</source>
        <translation>La ubicación de demostración aún no tiene pedidos.</translation>
    </message>
    <message>
        <source>Test webhook for order %1 accepted; watch it below.</source>
        <translation>Webhook de prueba del pedido %1 aceptado; sígalo abajo.</translation>
    </message>
    <message>
        <source>The listener answered %1: %2</source>
        <translation>El receptor respondió %1: %2</translation>
    </message>
    <message>
        <source>The test webhook could not be sent: %1</source>
        <translation>No se pudo enviar el webhook de prueba: %1</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Envía un webhook OrderCreate de un pedido de demostración a este receptor</translation>
    </message>
    <message>
        <source>Reconciliation:</source>
        <translation>Conciliación:</translation>
    </message>
    <message>
        <source>Every [sync] reconcile_interval_s while the listener runs: an incremental sync finds orders whose webhook never came, then every stored order without its QR code gets it. One station at a time does it.</source>
        <translation>Cada [sync] reconcile_interval_s mientras el receptor está en marcha: una sincronización incremental encuentra los pedidos cuyo webhook nunca llegó y después cada pedido guardado sin su código QR lo recibe. Solo una estación a la vez lo hace.</translation>
    </message>
    <message>
        <source>Refused deliveries</source>
        <translation>Entregas rechazadas</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Requests this listener refused (wrong signature or secret, too large, not an order ...). GHL retries only a 429; the others are lost unless fixed at the sender.</source>
        <translation>Solicitudes que este receptor rechazó (firma o secreto incorrectos, demasiado grandes, no son un pedido ...). GHL solo reintenta un 429; las demás se pierden salvo que se corrijan en el remitente.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerSettingsPage</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>Firma de GHL (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Secreto compartido</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Ninguna (solo este equipo)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Receptor</translation>
    </message>
    <message>
        <source>Without authentication anyone on the network can post orders to this station. Bind to 127.0.0.1 or choose an authentication mode; the listener refuses to start like this.</source>
        <translation>Sin autenticación, cualquiera en la red puede enviar pedidos a esta estación. Escuche en 127.0.0.1 o elija un modo de autenticación; así el receptor no arranca.</translation>
    </message>
    <message>
        <source>Shared-secret authentication needs a secret.</source>
        <translation>La autenticación de secreto compartido necesita un secreto.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MainWindow</name>
    <message>
        <source>Could not write %1.</source>
        <translation>No se pudo escribir %1.</translation>
    </message>
    <message>
        <source>QR Tickets — Demo</source>
        <translation>QR Tickets — Demostración</translation>
    </message>
    <message>
        <source>QR Tickets</source>
        <translation>QR Tickets</translation>
    </message>
    <message>
        <source>&lt;p&gt;QR Tickets shows the orders of your GoHighLevel location here.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Open &lt;b&gt;Settings&lt;/b&gt; (Ctrl+,) and enter your GHL location id and private integration token.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch your orders.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Use the &lt;b&gt;Check-in&lt;/b&gt; tab at the door.&lt;/p&gt;&lt;p&gt;Just looking around? Start &lt;code&gt;qrtickets --demo&lt;/code&gt; for a built-in GHL simulator with sample orders.&lt;/p&gt;</source>
        <translation>&lt;p&gt;QR Tickets muestra aquí los pedidos de su ubicación de GoHighLevel.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Abra la &lt;b&gt;Configuración&lt;/b&gt; (Ctrl+,) e introduzca el ID de ubicación de GHL y el token de integración privada.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Pulse &lt;b&gt;Sincronizar&lt;/b&gt; (F5) para obtener sus pedidos.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Use la pestaña &lt;b&gt;Entrada&lt;/b&gt; en la puerta.&lt;/p&gt;&lt;p&gt;¿Solo quiere echar un vistazo? Inicie &lt;code&gt;qrtickets --demo&lt;/code&gt; para un simulador de GHL integrado con pedidos de ejemplo.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not read the orders: %1</source>
        <translation>No se pudieron leer los pedidos: %1</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Todos los eventos</translation>
    </message>
    <message>
        <source>Any payment status</source>
        <translation>Cualquier estado de pago</translation>
    </message>
    <message>
        <source>Any check-in state</source>
        <translation>Cualquier estado de entrada</translation>
    </message>
    <message>
        <source>Not arrived</source>
        <translation>No ha llegado</translation>
    </message>
    <message>
        <source>Partly admitted</source>
        <translation>Admitido en parte</translation>
    </message>
    <message>
        <source>All admitted</source>
        <translation>Todos admitidos</translation>
    </message>
    <message>
        <source>No live tickets</source>
        <translation>Sin entradas válidas</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) loaded, counting…</source>
        <translation>
            <numerusform>%n pedido cargado, contando…</numerusform>
            <numerusform>%n pedidos cargados, contando…</numerusform>
        </translation>
    </message>
    <message>
        <source>No order matches the search and filters. Clear them to see every order.</source>
        <translation>Ningún pedido coincide con la búsqueda y los filtros. Bórrelos para ver todos los pedidos.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n pedido</numerusform>
            <numerusform>%n pedidos</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 — connected</source>
        <translation>%1: %2 — conectado</translation>
    </message>
    <message>
        <source>%1: %2 — not reachable</source>
        <translation>%1: %2 — no accesible</translation>
    </message>
    <message>
        <source>Never synced — press F5</source>
        <translation>Nunca sincronizado: pulse F5</translation>
    </message>
    <message>
        <source>Listener: %1:%2</source>
        <translation>Receptor: %1:%2</translation>
    </message>
    <message>
        <source>Listener: off</source>
        <translation>Receptor: apagado</translation>
    </message>
    <message>
        <source> — %1 today, %2 dead</source>
        <translation> — %1 hoy, %2 muertos</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Falló la exportación</translation>
    </message>
    <message>
        <source>Choose a folder you can write to and try again.</source>
        <translation>Elija una carpeta en la que se pueda escribir e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>Guardado %1</translation>
    </message>
    <message>
        <source>Door list %1</source>
        <translation>Lista de acceso %1</translation>
    </message>
    <message>
        <source>Door list not saved</source>
        <translation>Lista de acceso no guardada</translation>
    </message>
    <message>
        <source>Export order list</source>
        <translation>Exportar lista de pedidos</translation>
    </message>
    <message>
        <source>No events</source>
        <translation>No hay eventos</translation>
    </message>
    <message>
        <source>There are no orders yet. Press Sync (F5) first.</source>
        <translation>Aún no hay pedidos. Pulse primero Sincronizar (F5).</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Lista de acceso</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Evento:</translation>
    </message>
    <message>
        <source>Door list not printed</source>
        <translation>Lista de acceso no impresa</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Revise la conexión con la base de datos e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Save door list</source>
        <translation>Guardar lista de acceso</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Archivos PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Receptor</translation>
    </message>
    <message>
        <source>About QR Tickets</source>
        <translation>Acerca de QR Tickets</translation>
    </message>
    <message>
        <source>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;GoHighLevel orders, QR codes and door check-in for event staff.&lt;/p&gt;&lt;p&gt;Database: %2&lt;/p&gt;&lt;p&gt;Station: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;Pedidos de GoHighLevel, códigos QR y control de acceso para el personal de eventos.&lt;/p&gt;&lt;p&gt;Base de datos: %2&lt;/p&gt;&lt;p&gt;Estación: %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Changes made at other stations appear here live.</source>
        <translation>Los cambios hechos en otras estaciones aparecen aquí al instante.</translation>
    </message>
    <message>
        <source>CSV, comma separated (*.csv)</source>
        <translation>CSV, separado por comas (*.csv)</translation>
    </message>
    <message>
        <source>CSV, semicolon separated, decimal comma (*.csv)</source>
        <translation>CSV, separado por punto y coma, coma decimal (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Last sync: %1, %2 (%n order(s), %3 failed)</source>
        <translation>
            <numerusform>Última sincronización: %1, %2 (%n pedido, %3 fallidos)</numerusform>
            <numerusform>Última sincronización: %1, %2 (%n pedidos, %3 fallidos)</numerusform>
        </translation>
    </message>
    <message>
        <source>Welcome to the demo</source>
        <translation>Bienvenido a la demostración</translation>
    </message>
    <message>
        <source>&lt;p&gt;A built-in GHL simulator holds about 200 sample orders.&lt;/p&gt;&lt;p&gt;Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch them, open an order, admit guests in the &lt;b&gt;Check-in&lt;/b&gt; tab, or send a test webhook from the &lt;b&gt;Listener&lt;/b&gt; panel.&lt;/p&gt;&lt;p&gt;Nothing you do here touches your own settings or data.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Un simulador de GHL integrado contiene unos 200 pedidos de ejemplo.&lt;/p&gt;&lt;p&gt;Pulse &lt;b&gt;Sincronizar&lt;/b&gt; (F5) para obtenerlos, abra un pedido, admita invitados en la pestaña &lt;b&gt;Entrada&lt;/b&gt; o envíe un webhook de prueba desde el panel &lt;b&gt;Receptor&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Nada de lo que haga aquí afecta a su propia configuración ni a sus datos.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Sync the sample orders</source>
        <translation>&amp;Sincronizar los pedidos de ejemplo</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source>quit</source>
        <translation>salir</translation>
    </message>
    <message>
        <source>leave the check-in screen</source>
        <translation>salir de la pantalla de entrada</translation>
    </message>
    <message>
        <source>&amp;Unlock…</source>
        <translation>&amp;Desbloquear…</translation>
    </message>
    <message>
        <source>Loc&amp;k check-in screen</source>
        <translation>&amp;Bloquear la pantalla de entrada</translation>
    </message>
    <message>
        <source>Leave the check-in screen (asks for the station&apos;s PIN)</source>
        <translation>Salir de la pantalla de entrada (pide el PIN de la estación)</translation>
    </message>
    <message>
        <source>Show only the check-in screen until the PIN is entered</source>
        <translation>Mostrar solo la pantalla de entrada hasta que se introduzca el PIN</translation>
    </message>
    <message>
        <source>open Settings</source>
        <translation>abrir la Configuración</translation>
    </message>
    <message>
        <source>%1 · check-in only (PIN to leave)</source>
        <translation>%1 · solo entrada (PIN para salir)</translation>
    </message>
    <message>
        <source>%1 · role not known yet: door station</source>
        <translation>%1 · rol aún desconocido: estación de acceso</translation>
    </message>
    <message>
        <source>%1 · door station</source>
        <translation>%1 · estación de acceso</translation>
    </message>
    <message>
        <source>%1 · admin</source>
        <translation>%1 · administrador</translation>
    </message>
    <message>
        <source>%1 · all rights</source>
        <translation>%1 · todos los permisos</translation>
    </message>
    <message>
        <source>Kiosk PIN damaged: this station is NOT locked. Set the PIN again in Settings → Station.</source>
        <translation>PIN de quiosco dañado: esta estación NO está bloqueada. Vuelva a definir el PIN en Configuración → Estación.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MappingsSettingsPage</name>
    <message>
        <source>Product (event)</source>
        <translation>Producto (evento)</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Pedidos</translation>
    </message>
    <message>
        <source>Custom field for the QR code</source>
        <translation>Campo personalizado para el código QR</translation>
    </message>
    <message>
        <source>Field mappings</source>
        <translation>Asignación de campos</translation>
    </message>
    <message numerus="yes">
        <source>%n custom field(s) loaded from GHL.</source>
        <translation>
            <numerusform>%n campo personalizado cargado de GHL.</numerusform>
            <numerusform>%n campos personalizados cargados de GHL.</numerusform>
        </translation>
    </message>
    <message>
        <source>Mappings are stored in the database; none is open.</source>
        <translation>Las asignaciones se guardan en la base de datos; no hay ninguna abierta.</translation>
    </message>
    <message>
        <source>Loading products ...</source>
        <translation>Cargando productos ...</translation>
    </message>
    <message>
        <source>No products yet: run a sync first, then map each product to a field.</source>
        <translation>Aún no hay productos: sincronice primero y después asigne cada producto a un campo.</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to change a mapping.</source>
        <translation>Cargue los campos personalizados de GHL para cambiar una asignación.</translation>
    </message>
    <message>
        <source>Custom field for %1</source>
        <translation>Campo personalizado para %1</translation>
    </message>
    <message>
        <source>(no QR field)</source>
        <translation>(sin campo QR)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL)</source>
        <translation>%1 (ya no está en GHL)</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
    <message>
        <source>Large text</source>
        <translation>Texto largo</translation>
    </message>
    <message>
        <source>File upload</source>
        <translation>Carga de archivo</translation>
    </message>
    <message>
        <source>Field type</source>
        <translation>Tipo de campo</translation>
    </message>
    <message>
        <source>Type: %1</source>
        <translation>Tipo: %1</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>aún desconocido</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to see the field&apos;s type.</source>
        <translation>Cargue los campos personalizados de GHL para ver el tipo del campo.</translation>
    </message>
    <message>
        <source>A QR code cannot be put into a field of type %1: choose a Text, Large text or File upload field.</source>
        <translation>No se puede poner un código QR en un campo de tipo %1: elija un campo Texto, Texto largo o Carga de archivo.</translation>
    </message>
    <message>
        <source>The QR code is uploaded as a PNG file (scope forms.write).</source>
        <translation>El código QR se sube como archivo PNG (ámbito forms.write).</translation>
    </message>
    <message>
        <source>The QR code is written as a data URL (scope contacts.write).</source>
        <translation>El código QR se escribe como URL de datos (ámbito contacts.write).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF</source>
        <translation>Campo para el PDF de entradas</translation>
    </message>
    <message>
        <source>Optional: a File upload field that receives the buyer&apos;s tickets as a PDF, one page per ticket with the QR code of that ticket alone (tickets-&lt;order&gt;.pdf).</source>
        <translation>Opcional: un campo de tipo Carga de archivo que recibe las entradas del comprador en PDF, una página por entrada con el código QR solo de esa entrada (tickets-&lt;order&gt;.pdf).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF of %1</source>
        <translation>Campo para el PDF de entradas de %1</translation>
    </message>
    <message>
        <source>(no ticket PDF)</source>
        <translation>(sin PDF de entradas)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL or not a File upload field)</source>
        <translation>%1 (ya no está en GHL o no es un campo de tipo Carga de archivo)</translation>
    </message>
    <message>
        <source>Uploaded once per order as tickets-&lt;order&gt;.pdf (scope forms.write). Needs a QR code field in the same row; choose a field other than the QR code&apos;s.</source>
        <translation>Se sube una vez por pedido como tickets-&lt;order&gt;.pdf (ámbito forms.write). Necesita un campo de código QR en la misma fila; elija un campo distinto del del código QR.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF needs a field of its own, not the QR code&apos;s field.</source>
        <translation>%1: el PDF de entradas necesita un campo propio, no el del código QR.</translation>
    </message>
    <message>
        <source>%1: without a QR code field the product&apos;s mapping is removed, its ticket PDF field (%2) with it; no ticket PDF goes out for it any more.</source>
        <translation>%1: sin campo de código QR se elimina la asignación del producto y con ella su campo del PDF de entradas (%2); ya no se envía ningún PDF de entradas para él.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF goes to every past order of this product that has none; how many could not be counted (%2).</source>
        <translation>%1: el PDF de entradas se envía a cada pedido anterior de este producto que no lo tenga; no se pudo contar cuántos son (%2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: the ticket PDF will be uploaded for up to %n past order(s) of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</source>
        <translation>
            <numerusform>%1: el PDF de entradas se subirá para hasta %n pedido anterior de este producto (cada comprador que no lo haya recibido; un comprador con varios pedidos recibe el del más reciente) en la próxima conciliación, igual que un campo QR recién asignado.</numerusform>
            <numerusform>%1: el PDF de entradas se subirá para hasta %n pedidos anteriores de este producto (cada comprador que no lo haya recibido; un comprador con varios pedidos recibe el del más reciente) en la próxima conciliación, igual que un campo QR recién asignado.</numerusform>
        </translation>
    </message>
    <message>
        <source>Save the field mappings?</source>
        <translation>¿Guardar la asignación de campos?</translation>
    </message>
    <message>
        <source>Saving these field mappings changes what goes to buyers:</source>
        <translation>Guardar esta asignación de campos cambia lo que se envía a los compradores:</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Seguir editando</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OfflineBar</name>
    <message>
        <source>Ticket</source>
        <translation>Entrada</translation>
    </message>
    <message>
        <source>Admitted offline here</source>
        <translation>Admitida aquí sin conexión</translation>
    </message>
    <message>
        <source>Admitted first by</source>
        <translation>Admitida primero por</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Motivo</translation>
    </message>
    <message numerus="yes">
        <source>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admission(s) wait to be sent.</source>
        <translation>
            <numerusform>SIN CONEXIÓN: la base de datos compartida no responde. Los escaneos se comprueban con la copia de esta estación; %n admisión espera a enviarse.</numerusform>
            <numerusform>SIN CONEXIÓN: la base de datos compartida no responde. Los escaneos se comprueban con la copia de esta estación; %n admisiones esperan a enviarse.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online, but %n admission(s) made offline could not be sent: %1 They are sent again every second.</source>
        <translation>
            <numerusform>Con conexión, pero %n admisión hecha sin conexión no se pudo enviar: %1 Se reenvía cada segundo.</numerusform>
            <numerusform>Con conexión, pero %n admisiones hechas sin conexión no se pudieron enviar: %1 Se reenvían cada segundo.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Back online: sending %n admission(s) made offline.</source>
        <translation>
            <numerusform>Conexión restablecida: enviando %n admisión hecha sin conexión.</numerusform>
            <numerusform>Conexión restablecida: enviando %n admisiones hechas sin conexión.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online. %n ticket(s) admitted offline here had already been admitted at another entrance.</source>
        <translation>
            <numerusform>Con conexión. %n entrada admitida aquí sin conexión ya había sido admitida en otro acceso.</numerusform>
            <numerusform>Con conexión. %n entradas admitidas aquí sin conexión ya habían sido admitidas en otro acceso.</numerusform>
        </translation>
    </message>
    <message>
        <source>Conflicts (%1)</source>
        <translation>Conflictos (%1)</translation>
    </message>
    <message>
        <source>cancelled meanwhile</source>
        <translation>cancelada entretanto</translation>
    </message>
    <message>
        <source>no longer in the database</source>
        <translation>ya no está en la base de datos</translation>
    </message>
    <message>
        <source>admitted twice</source>
        <translation>admitida dos veces</translation>
    </message>
    <message>
        <source>%1 (order %2)</source>
        <translation>%1 (pedido %2)</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 el %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>order refunded meanwhile</source>
        <translation>pedido reembolsado entretanto</translation>
    </message>
    <message>
        <source>order cancelled meanwhile</source>
        <translation>pedido cancelado entretanto</translation>
    </message>
    <message>
        <source>refused by the database: %1</source>
        <translation>rechazada por la base de datos: %1</translation>
    </message>
    <message numerus="yes">
        <source>Online. %n offline admission(s) could not be sent: see Conflicts.</source>
        <translation>
            <numerusform>Con conexión. %n admisión sin conexión no se pudo enviar: vea Conflictos.</numerusform>
            <numerusform>Con conexión. %n admisiones sin conexión no se pudieron enviar: vea Conflictos.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderDialog</name>
    <message>
        <source>Order %1</source>
        <translation>Pedido %1</translation>
    </message>
    <message>
        <source>No QR code: %1</source>
        <translation>Sin código QR: %1</translation>
    </message>
    <message>
        <source>This order is not in the database (any more). Press Sync (F5) to fetch it.</source>
        <translation>Este pedido no está (ya) en la base de datos. Pulse Sincronizar (F5) para obtenerlo.</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <translation>%1 %2, %3</translation>
    </message>
    <message>
        <source>%1 live, %2 used, %3 cancelled</source>
        <translation>%1 válidas, %2 usadas, %3 canceladas</translation>
    </message>
    <message>
        <source>Order %1 — %2</source>
        <translation>Pedido %1 — %2</translation>
    </message>
    <message>
        <source>Nothing to change</source>
        <translation>Nada que cambiar</translation>
    </message>
    <message>
        <source>None of these tickets can be set to %1 (they already are, or a cancelled ticket cannot be admitted).</source>
        <translation>Ninguna de estas entradas puede pasar a %1 (ya lo están, o una entrada cancelada no se puede admitir).</translation>
    </message>
    <message>
        <source>Reason needed</source>
        <translation>Se necesita un motivo</translation>
    </message>
    <message>
        <source>Setting a ticket to %1 from its current status needs a reason for the audit trail. Type it in the Reason field and try again.</source>
        <translation>Pasar una entrada a %1 desde su estado actual requiere un motivo para el registro de auditoría. Escríbalo en el campo Motivo e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Cancel tickets</source>
        <translation>Cancelar entradas</translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n ticket(s) of order %1? The holders will not be admitted.</source>
        <translation>
            <numerusform>¿Cancelar %n entrada del pedido %1? Su titular no podrá entrar.</numerusform>
            <numerusform>¿Cancelar %n entradas del pedido %1? Sus titulares no podrán entrar.</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep them</source>
        <translation>Conservarlas</translation>
    </message>
    <message>
        <source>Status not changed</source>
        <translation>Estado sin cambiar</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Revise la conexión con la base de datos e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Some tickets were not changed</source>
        <translation>Algunas entradas no se cambiaron</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>Guardar código QR</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Imágenes PNG (*.png)</translation>
    </message>
    <message>
        <source>QR code not saved</source>
        <translation>Código QR no guardado</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>No se pudo escribir %1.</translation>
    </message>
    <message>
        <source>Choose a folder you can write to.</source>
        <translation>Elija una carpeta en la que se pueda escribir.</translation>
    </message>
    <message>
        <source>Admit anyway?</source>
        <translation>¿Admitir de todos modos?</translation>
    </message>
    <message>
        <source>Admit anyway</source>
        <translation>Admitir de todos modos</translation>
    </message>
    <message>
        <source>A PDF with one page per ticket, each with the QR code of that ticket alone</source>
        <translation>Un PDF con una página por entrada, cada una con el código QR solo de esa entrada</translation>
    </message>
    <message>
        <source>This order has no tickets to print (none, or all cancelled).</source>
        <translation>Este pedido no tiene entradas que imprimir (ninguna o todas canceladas).</translation>
    </message>
    <message>
        <source>Save tickets</source>
        <translation>Guardar entradas</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documentos PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Writing tickets…</source>
        <translation>Escribiendo entradas…</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>&amp;Imprimir entradas…</translation>
    </message>
    <message>
        <source>Tickets not saved</source>
        <translation>Entradas no guardadas</translation>
    </message>
    <message>
        <source>Tickets saved</source>
        <translation>Entradas guardadas</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) saved to %1.</source>
        <translation>
            <numerusform>%n entrada guardada en %1.</numerusform>
            <numerusform>%n entradas guardadas en %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Abrir</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderListModel</name>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contacto</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Válidas</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Usadas</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Canceladas</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Pago</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Actualizado</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OverviewModel</name>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Ticket type</source>
        <translation>Tipo de entrada</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Vendidas</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admitidas</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Restantes</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Canceladas</translation>
    </message>
</context>
<context>
    <name>qrt::gui::PinPrompt</name>
    <message>
        <source>PIN needed</source>
        <translation>Se necesita el PIN</translation>
    </message>
    <message>
        <source>This station is locked on the check-in screen. Enter the station&apos;s PIN to %1.</source>
        <translation>Esta estación está bloqueada en la pantalla de entrada. Introduzca el PIN de la estación para %1.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Wrong PIN. Too many wrong tries: wait %1 s before the next.</source>
        <translation>PIN incorrecto. Demasiados intentos fallidos: espere %1 s antes del siguiente.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>PIN incorrecto.</translation>
    </message>
    <message>
        <source>Too many wrong tries: wait %1 s before the next.</source>
        <translation>Demasiados intentos fallidos: espere %1 s antes del siguiente.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::QrSettingsPage</name>
    <message>
        <source>L: low (7%)</source>
        <translation>L: baja (7 %)</translation>
    </message>
    <message>
        <source>M: medium (15%)</source>
        <translation>M: media (15 %)</translation>
    </message>
    <message>
        <source>Q: quartile (25%)</source>
        <translation>Q: cuartil (25 %)</translation>
    </message>
    <message>
        <source>H: high (30%)</source>
        <translation>H: alta (30 %)</translation>
    </message>
    <message>
        <source>QR code</source>
        <translation>Código QR</translation>
    </message>
    <message>
        <source>Fix the values on the left to see a preview.</source>
        <translation>Corrija los valores de la izquierda para ver una vista previa.</translation>
    </message>
    <message>
        <source>%1 x %1 px, encodes %2</source>
        <translation>%1 x %1 px, codifica %2</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsDialog</name>
    <message numerus="yes">
        <source>%n setting(s) need attention before they can be saved.</source>
        <translation>
            <numerusform>%n ajuste necesita atención antes de poder guardarse.</numerusform>
            <numerusform>%n ajustes necesitan atención antes de poder guardarse.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving in the system keychain ... If it asks to create or unlock a keyring, answer it there.</source>
        <translation>Guardando en el llavero del sistema ... Si pregunta si desea crear o desbloquear un llavero, responda allí.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsPage</name>
    <message>
        <source>Set by the environment variable %1; change it there.</source>
        <translation>Definido por la variable de entorno %1; cámbielo allí.</translation>
    </message>
    <message>
        <source>Set on the command line; change it there.</source>
        <translation>Definido en la línea de comandos; cámbielo allí.</translation>
    </message>
    <message>
        <source>No system keychain is available; set this secret through its environment variable.</source>
        <translation>No hay llavero del sistema disponible; defina este secreto mediante su variable de entorno.</translation>
    </message>
    <message>
        <source>Reading the system keychain ...</source>
        <translation>Leyendo el llavero del sistema ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StartupProblemDialog</name>
    <message>
        <source>set in the settings file %1</source>
        <translation>definida en el archivo de configuración %1</translation>
    </message>
    <message>
        <source>set by the environment variable %1</source>
        <translation>definida por la variable de entorno %1</translation>
    </message>
    <message>
        <source>set by --database on the command line</source>
        <translation>definida con --database en la línea de órdenes</translation>
    </message>
    <message>
        <source>the default</source>
        <translation>la predeterminada</translation>
    </message>
    <message>
        <source>Open Settings to correct the database URL, retry once the database server is running, or work with this computer&apos;s local database (%1) for now: it becomes the database in the settings, and orders synced into it stay on this computer.</source>
        <translation>Abra la configuración para corregir la URL de la base de datos, vuelva a intentarlo cuando el servidor de base de datos esté en marcha o trabaje por ahora con la base de datos local de este equipo (%1): pasará a ser la base de datos de la configuración y los pedidos sincronizados en ella se quedarán en este equipo.</translation>
    </message>
    <message>
        <source>%1 database %2</source>
        <translation>base de datos %1 %2</translation>
    </message>
    <message>
        <source>The database URL in the settings cannot be used.</source>
        <translation>La URL de la base de datos de la configuración no se puede usar.</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Base de datos: %1</translation>
    </message>
    <message>
        <source>Database: %1 (%2)</source>
        <translation>Base de datos: %1 (%2)</translation>
    </message>
    <message>
        <source>The database said: %1</source>
        <translation>La base de datos respondió: %1</translation>
    </message>
    <message>
        <source>The settings were read again; the database URL still cannot be used.</source>
        <translation>Se ha vuelto a leer la configuración; la URL de la base de datos sigue sin poder usarse.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Conectando con %1 ...</translation>
    </message>
    <message>
        <source>Tried again at %1; still not connected.</source>
        <translation>Reintentado a las %1; sigue sin conexión.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StationSettingsPage</name>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Estación</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (no conectada)</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>Cámara predeterminada del sistema</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguna</translation>
    </message>
    <message>
        <source>No camera is connected now.</source>
        <translation>Ahora no hay ninguna cámara conectada.</translation>
    </message>
    <message numerus="yes">
        <source>%n camera(s) connected.</source>
        <translation>
            <numerusform>%n cámara conectada.</numerusform>
            <numerusform>%n cámaras conectadas.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::SyncDialog</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n segundo</numerusform>
            <numerusform>%n segundos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minuto</numerusform>
            <numerusform>%n minutos</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Syncing is not available in this build.</source>
        <translation>La sincronización no está disponible en esta compilación.</translation>
    </message>
    <message>
        <source>Ready. An incremental sync fetches only new and changed orders.</source>
        <translation>Listo. Una sincronización incremental solo obtiene pedidos nuevos y modificados.</translation>
    </message>
    <message>
        <source>Order list</source>
        <translation>Lista de pedidos</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>Archivos JSON (*.json);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Enter the GHL location ID and token in Settings first.</source>
        <translation>Introduzca primero el ID de ubicación de GHL y el token en la configuración.</translation>
    </message>
    <message>
        <source>A sync is already running.</source>
        <translation>Ya hay una sincronización en curso.</translation>
    </message>
    <message>
        <source>Starting ...</source>
        <translation>Iniciando ...</translation>
    </message>
    <message>
        <source>Cancelling ... orders already saved stay saved.</source>
        <translation>Cancelando ... los pedidos ya guardados se conservan.</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>no necesario</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n pedido</numerusform>
            <numerusform>%n pedidos</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n sin cambios</numerusform>
            <numerusform>, %n sin cambios</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n fallido</numerusform>
            <numerusform>, %n fallidos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 ... %n request(s) sent to GHL</source>
        <translation>
            <numerusform>%1 ... %n solicitud enviada a GHL</numerusform>
            <numerusform>%1 ... %n solicitudes enviadas a GHL</numerusform>
        </translation>
    </message>
    <message>
        <source>Estimating the time left ...</source>
        <translation>Calculando el tiempo restante ...</translation>
    </message>
    <message>
        <source>About %1 left (%2 so far)</source>
        <translation>Quedan unos %1 (%2 hasta ahora)</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for GHL rate limit (%n s)</source>
        <translation>
            <numerusform>Esperando por el límite de solicitudes de GHL (%n s)</numerusform>
            <numerusform>Esperando por el límite de solicitudes de GHL (%n s)</numerusform>
        </translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(lista de pedidos)</translation>
    </message>
    <message>
        <source>Failed so far:</source>
        <translation>Fallidos hasta ahora:</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; in %2.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; en %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) synced</source>
        <translation>
            <numerusform>%n pedido sincronizado</numerusform>
            <numerusform>%n pedidos sincronizados</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n sin cambios</numerusform>
            <numerusform>%n sin cambios</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n fallido</numerusform>
            <numerusform>%n fallidos</numerusform>
        </translation>
    </message>
    <message>
        <source>Tickets: %1 added, %2 cancelled, %3 restored.</source>
        <translation>Entradas: %1 añadidas, %2 canceladas, %3 restauradas.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asked us to slow down %n time(s); the sync waited and went on.</source>
        <translation>
            <numerusform>GHL pidió ir más despacio %n vez; la sincronización esperó y continuó.</numerusform>
            <numerusform>GHL pidió ir más despacio %n veces; la sincronización esperó y continuó.</numerusform>
        </translation>
    </message>
    <message>
        <source>These orders were not synced; run the sync again later or check them in GHL:</source>
        <translation>Estos pedidos no se sincronizaron; vuelva a sincronizar más tarde o revíselos en GHL:</translation>
    </message>
    <message>
        <source>A sync started by %1 at %2 is running; Sync is available again when it ends.</source>
        <translation>Hay una sincronización en curso iniciada por %1 a las %2; podrá sincronizar de nuevo cuando termine.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>otra estación</translation>
    </message>
</context>
<context>
    <name>qrt::gui::TicketModel</name>
    <message>
        <source>Ticket</source>
        <translation>Entrada</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Código</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Modificado</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Por</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UserDialog</name>
    <message>
        <source>Add user</source>
        <translation>Añadir usuario</translation>
    </message>
    <message>
        <source>Edit user</source>
        <translation>Editar usuario</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <source>&amp;E-mail:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Tipo:</translation>
    </message>
    <message>
        <source>The type is a label from the original web system: what a station may do depends on the database login it connects with.</source>
        <translation>El tipo es una etiqueta del sistema web original: lo que puede hacer una estación depende del inicio de sesión de base de datos con el que se conecta.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s name.</source>
        <translation>Introduzca el nombre del usuario.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s e-mail address.</source>
        <translation>Introduzca la dirección de correo del usuario.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; no es una dirección de correo.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 ya tiene la dirección de correo %2: cada usuario necesita la suya.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UserListModel</name>
    <message>
        <source>Admin</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Super Admin</source>
        <translation>Superadministrador</translation>
    </message>
    <message>
        <source>Door</source>
        <translation>Acceso</translation>
    </message>
    <message>
        <source>%1 (admin)</source>
        <translation>%1 (administrador)</translation>
    </message>
    <message>
        <source>%1 (door)</source>
        <translation>%1 (acceso)</translation>
    </message>
    <message>
        <source>%1 (no login)</source>
        <translation>%1 (sin inicio de sesión)</translation>
    </message>
    <message>
        <source>No database login named %1 is in qrtickets_admin or qrtickets_door any more.</source>
        <translation>Ya no hay ningún inicio de sesión de base de datos llamado %1 en qrtickets_admin ni en qrtickets_door.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Creado</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Operador</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UsersPage</name>
    <message>
        <source>&amp;Add user…</source>
        <translation>Añadir &amp;usuario…</translation>
    </message>
    <message>
        <source>Ed&amp;it…</source>
        <translation>Ed&amp;itar…</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>E&amp;liminar…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Ac&amp;tualizar</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source>This station is connected as a door login: the users are for admins only.</source>
        <translation>Esta estación está conectada con un inicio de sesión de acceso: los usuarios son solo para administradores.</translation>
    </message>
    <message numerus="yes">
        <source>%n user(s), %1 linked to a database login.</source>
        <translation>
            <numerusform>%n usuario; vinculados a un inicio de sesión de base de datos: %1.</numerusform>
            <numerusform>%n usuarios; vinculados a un inicio de sesión de base de datos: %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s).</source>
        <translation>
            <numerusform>%n usuario.</numerusform>
            <numerusform>%n usuarios.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>Eliminar usuario</translation>
    </message>
    <message>
        <source>Remove the user %1 (%2)?</source>
        <translation>¿Eliminar el usuario %1 (%2)?</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>Esto no se puede deshacer.</translation>
    </message>
    <message>
        <source>The database login %1 stays and can still connect: `qrtickets operator remove %1` removes it.</source>
        <translation>El inicio de sesión de base de datos %1 se mantiene y aún puede conectarse: `qrtickets operator remove %1` lo elimina.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Eliminar</translation>
    </message>
    <message>
        <source>%1 was not removed: %2</source>
        <translation>%1 no se eliminó: %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::FieldCatalog</name>
    <message>
        <source>Reading the contact custom fields from GHL failed: %1</source>
        <translation>Falló la lectura de los campos personalizados de contacto de GHL: %1</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OrderDelivery</name>
    <message>
        <source>Order %1 is not stored.</source>
        <translation>El pedido %1 no está guardado.</translation>
    </message>
    <message>
        <source>Reading order %1 failed: %2</source>
        <translation>Falló la lectura del pedido %1: %2</translation>
    </message>
    <message>
        <source>order %1 is cancelled or refunded: no QR code was written to GHL</source>
        <translation>el pedido %1 está cancelado o reembolsado: no se escribió ningún código QR en GHL</translation>
    </message>
    <message>
        <source>Reading the field mapping of product %1 failed: %2</source>
        <translation>Falló la lectura de la asignación de campo del producto %1: %2</translation>
    </message>
    <message>
        <source>no custom field mapped for product %1: map it in Settings</source>
        <translation>no hay campo personalizado asignado al producto %1: asígnelo en la configuración</translation>
    </message>
    <message>
        <source>the webhook and order %1 name no contact: the QR code was not written to GHL</source>
        <translation>el webhook y el pedido %1 no indican ningún contacto: el código QR no se escribió en GHL</translation>
    </message>
    <message>
        <source>written by the original system</source>
        <translation>escrito por el sistema original</translation>
    </message>
    <message>
        <source>written by an earlier attempt</source>
        <translation>escrito por un intento anterior</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>No se pudo generar el código QR del pedido %1: %2</translation>
    </message>
    <message>
        <source>custom field %1 (mapped for order %2) no longer exists in GHL: map another field in Settings</source>
        <translation>el campo personalizado %1 (asignado para el pedido %2) ya no existe en GHL: asigne otro campo en la configuración</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; a QR code goes into a Text, Large text or File upload field: map another field in Settings</source>
        <translation>el campo personalizado %1 es de tipo %2; un código QR va en un campo Texto, Texto largo o Carga de archivo: asigne otro campo en la configuración</translation>
    </message>
    <message>
        <source>already delivered</source>
        <translation>ya entregado</translation>
    </message>
    <message>
        <source>a newer order of this contact holds the field</source>
        <translation>un pedido más reciente de este contacto ocupa el campo</translation>
    </message>
    <message>
        <source>being delivered by %1</source>
        <translation>lo está entregando %1</translation>
    </message>
    <message>
        <source>Reading contact %1 from GHL (to check an interrupted delivery) failed: %2</source>
        <translation>Falló la lectura del contacto %1 de GHL (para comprobar una entrega interrumpida): %2</translation>
    </message>
    <message>
        <source>found in GHL after an interrupted delivery</source>
        <translation>encontrado en GHL tras una entrega interrumpida</translation>
    </message>
    <message>
        <source>Writing the QR code to contact %1 failed: %2</source>
        <translation>Falló la escritura del código QR en el contacto %1: %2</translation>
    </message>
    <message>
        <source>Uploading the QR code to contact %1 failed: %2</source>
        <translation>Falló la subida del código QR al contacto %1: %2</translation>
    </message>
    <message>
        <source>The QR code reached GHL but recording it failed: %1</source>
        <translation>El código QR llegó a GHL, pero falló su registro: %1</translation>
    </message>
    <message>
        <source>claimed by another station meanwhile</source>
        <translation>reservado mientras tanto por otra estación</translation>
    </message>
    <message>
        <source>cancelled before the QR code of order %1 was written</source>
        <translation>interrumpido antes de escribir el código QR del pedido %1</translation>
    </message>
    <message>
        <source>custom field %1 is mapped for a QR code and for the ticket PDF: only the QR code goes there; map another field for the ticket PDF in Settings</source>
        <translation>el campo personalizado %1 está asignado a un código QR y al PDF de entradas: solo el código QR va ahí; asigne otro campo al PDF de entradas en la Configuración</translation>
    </message>
    <message>
        <source>an order of the original system: no ticket PDF</source>
        <translation>un pedido del sistema original: sin PDF de entradas</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; the ticket PDF goes into a File upload field: map another field in Settings</source>
        <translation>el campo personalizado %1 es de tipo %2; el PDF de entradas va en un campo de tipo Carga de archivo: asigne otro campo en la Configuración</translation>
    </message>
    <message>
        <source>The ticket PDF of order %1 could not be made: %2</source>
        <translation>No se pudo crear el PDF de entradas del pedido %1: %2</translation>
    </message>
    <message>
        <source>Uploading the ticket PDF to contact %1 failed: %2</source>
        <translation>Falló la subida del PDF de entradas al contacto %1: %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OutboxRepository</name>
    <message>
        <source>read the QR delivery of order %1</source>
        <translation>leer la entrega del QR del pedido %1</translation>
    </message>
    <message>
        <source>claim the QR delivery of order %1</source>
        <translation>reservar la entrega del QR del pedido %1</translation>
    </message>
    <message>
        <source>the newer order %1 of this contact holds the field</source>
        <translation>el pedido más reciente %1 de este contacto ocupa el campo</translation>
    </message>
    <message>
        <source>renew the QR delivery claim of order %1</source>
        <translation>renovar la reserva de la entrega del QR del pedido %1</translation>
    </message>
    <message>
        <source>resume interrupted QR deliveries</source>
        <translation>reanudar las entregas de QR interrumpidas</translation>
    </message>
    <message>
        <source>record the QR delivery of order %1</source>
        <translation>registrar la entrega del QR del pedido %1</translation>
    </message>
    <message>
        <source>record the failed QR delivery of order %1</source>
        <translation>registrar la entrega fallida del QR del pedido %1</translation>
    </message>
    <message>
        <source>find orders whose QR code was not delivered</source>
        <translation>buscar los pedidos cuyo código QR no se entregó</translation>
    </message>
    <message>
        <source>read the contacts of %1 orders</source>
        <translation>leer los contactos de %1 pedidos</translation>
    </message>
    <message>
        <source>count the orders of product %1 that would get their ticket PDF</source>
        <translation>contar los pedidos del producto %1 que recibirían su PDF de entradas</translation>
    </message>
</context>
<context>
    <name>qrt::qr::QrCode</name>
    <message>
        <source>There is no text to put into the QR code.</source>
        <translation>No hay texto para el código QR.</translation>
    </message>
    <message>
        <source>The text (%1 characters) is too long for a QR code with error correction %2. Use a shorter URL or a lower error correction level.</source>
        <translation>El texto (%1 caracteres) es demasiado largo para un código QR con corrección de errores %2. Use una URL más corta o un nivel de corrección menor.</translation>
    </message>
    <message>
        <source>The QR code could not be made.</source>
        <translation>No se pudo generar el código QR.</translation>
    </message>
    <message>
        <source>The QR image size must be between 1 and %1 pixels.</source>
        <translation>El tamaño de la imagen QR debe estar entre 1 y %1 píxeles.</translation>
    </message>
    <message>
        <source>The QR quiet zone must be between 0 and 64 modules.</source>
        <translation>La zona de silencio del código QR debe estar entre 0 y 64 módulos.</translation>
    </message>
    <message>
        <source>A %1 px image is too small for this QR code: it is %2 modules wide with its quiet zone and needs at least %3 px. Increase the QR size, shorten the URL or lower the error correction.</source>
        <translation>Una imagen de %1 px es demasiado pequeña para este código QR: mide %2 módulos de ancho con su zona de silencio y necesita al menos %3 px. Aumente el tamaño del QR, acorte la URL o reduzca la corrección de errores.</translation>
    </message>
    <message>
        <source>The QR code could not be saved as PNG.</source>
        <translation>No se pudo guardar el código QR como PNG.</translation>
    </message>
    <message>
        <source>The image is empty.</source>
        <translation>La imagen está vacía.</translation>
    </message>
    <message>
        <source>No QR code was found in the image. Make sure the whole code is visible, sharp and well lit.</source>
        <translation>No se encontró ningún código QR en la imagen. Asegúrese de que todo el código sea visible, nítido y esté bien iluminado.</translation>
    </message>
    <message>
        <source>The file %1 could not be read as an image.</source>
        <translation>No se pudo leer el archivo %1 como imagen.</translation>
    </message>
    <message>
        <source>The data is not an image.</source>
        <translation>Los datos no son una imagen.</translation>
    </message>
    <message>
        <source>The text is not an image data URL (data:image/png;base64,...).</source>
        <translation>El texto no es una URL de datos de imagen (data:image/png;base64,...).</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileLease</name>
    <message>
        <source>take the reconciliation lease</source>
        <translation>tomar el turno de conciliación</translation>
    </message>
    <message>
        <source>renew the reconciliation lease</source>
        <translation>renovar el turno de conciliación</translation>
    </message>
    <message>
        <source>record the reconciliation</source>
        <translation>registrar la conciliación</translation>
    </message>
    <message>
        <source>free the reconciliation lease</source>
        <translation>liberar el turno de conciliación</translation>
    </message>
    <message>
        <source>read the reconciliation lease</source>
        <translation>leer el turno de conciliación</translation>
    </message>
    <message>
        <source>create the reconciliation lease</source>
        <translation>crear el turno de conciliación</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileStatus</name>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0): orders whose webhook never came are only found by a manual Sync.</source>
        <translation>La conciliación está desactivada ([sync] reconcile_interval_s = 0): los pedidos cuyo webhook nunca llegó solo se encuentran con una sincronización manual.</translation>
    </message>
    <message>
        <source>Reconciling now.</source>
        <translation>Conciliando ahora.</translation>
    </message>
    <message numerus="yes">
        <source>Last reconciliation %1 by %2: %n order(s) synced</source>
        <translation>
            <numerusform>Última conciliación %1 por %2: %n pedido sincronizado</numerusform>
            <numerusform>Última conciliación %1 por %2: %n pedidos sincronizados</numerusform>
        </translation>
    </message>
    <message>
        <source>another station</source>
        <translation>otra estación</translation>
    </message>
    <message numerus="yes">
        <source> (%n new)</source>
        <translation>
            <numerusform> (%n nuevo)</numerusform>
            <numerusform> (%n nuevos)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n QR code(s) delivered</source>
        <translation>
            <numerusform>, %n código QR entregado</numerusform>
            <numerusform>, %n códigos QR entregados</numerusform>
        </translation>
    </message>
    <message>
        <source>, no QR delivery pass</source>
        <translation>, sin pasada de entrega de QR</translation>
    </message>
    <message numerus="yes">
        <source>, %n failure(s).</source>
        <translation>
            <numerusform>, %n fallo.</numerusform>
            <numerusform>, %n fallos.</numerusform>
        </translation>
    </message>
    <message>
        <source>No reconciliation yet.</source>
        <translation>Aún no hay conciliación.</translation>
    </message>
    <message>
        <source>Skipped at %1: reconciled by station %2.</source>
        <translation>Omitida a las %1: la concilió la estación %2.</translation>
    </message>
    <message>
        <source>Could not run: %1</source>
        <translation>No se pudo ejecutar: %1</translation>
    </message>
    <message>
        <source>Next at %1.</source>
        <translation>Próxima a las %1.</translation>
    </message>
    <message>
        <source>Runs while the listener runs.</source>
        <translation>Se ejecuta mientras el receptor está en marcha.</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::Reconciler</name>
    <message>
        <source>count the stored orders</source>
        <translation>contar los pedidos guardados</translation>
    </message>
    <message>
        <source>no GHL token or location id is set</source>
        <translation>no hay token de GHL ni ID de ubicación</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>otra estación</translation>
    </message>
    <message>
        <source>a sync of this reconciler is still running</source>
        <translation>una sincronización de esta conciliación sigue en curso</translation>
    </message>
    <message>
        <source>order list: %1</source>
        <translation>lista de pedidos: %1</translation>
    </message>
    <message>
        <source>order %1: %2</source>
        <translation>pedido %1: %2</translation>
    </message>
    <message>
        <source>QR for order %1: %2</source>
        <translation>QR del pedido %1: %2</translation>
    </message>
    <message>
        <source>this station&apos;s lease expired during the run (the database was out of reach?) and another station took over</source>
        <translation>el turno de esta estación caducó durante la ejecución (¿no se pudo acceder a la base de datos?) y otra estación tomó el relevo</translation>
    </message>
</context>
<context>
    <name>qrt::sync</name>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Listando pedidos</translation>
    </message>
    <message>
        <source>Fetching orders</source>
        <translation>Obteniendo pedidos</translation>
    </message>
    <message>
        <source>Saving tickets</source>
        <translation>Guardando entradas</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Hecho</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En curso</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completada</translation>
    </message>
    <message>
        <source>Completed with failures</source>
        <translation>Completada con fallos</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallida</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <source>The order list is not valid JSON (%1 at character %2); it must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</source>
        <translation>La lista de pedidos no es JSON válido (%1 en el carácter %2); debe ser un array JSON de IDs de pedido, p. ej. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</translation>
    </message>
    <message>
        <source>The order list must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;], not a JSON %1.</source>
        <translation>La lista de pedidos debe ser un array JSON de IDs de pedido, p. ej. [&quot;653f1c...&quot;], no un %1 JSON.</translation>
    </message>
    <message>
        <source>object</source>
        <translation>objeto</translation>
    </message>
    <message>
        <source>value</source>
        <translation>valor</translation>
    </message>
    <message>
        <source>Entry %1 of the order list is not an order id string; the list must hold only strings.</source>
        <translation>La entrada %1 de la lista de pedidos no es un ID de pedido en texto; la lista solo puede contener cadenas.</translation>
    </message>
    <message>
        <source>The order list file %1 does not exist.</source>
        <translation>El archivo de lista de pedidos %1 no existe.</translation>
    </message>
    <message>
        <source>The order list file %1 cannot be read: %2.</source>
        <translation>No se puede leer el archivo de lista de pedidos %1: %2.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>full</source>
        <translation>completa</translation>
    </message>
    <message>
        <source>incremental</source>
        <translation>incremental</translation>
    </message>
    <message>
        <source>listed orders</source>
        <translation>pedidos de la lista</translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncRun</name>
    <message>
        <source>The sync could not start because the database is not available: %1</source>
        <translation>La sincronización no pudo iniciarse porque la base de datos no está disponible: %1</translation>
    </message>
    <message>
        <source>Could not list the orders in GHL: %1</source>
        <translation>No se pudieron listar los pedidos en GHL: %1</translation>
    </message>
    <message>
        <source>Orders %1 to %2 of the GHL order list could not be read: %3</source>
        <translation>No se pudieron leer los pedidos %1 a %2 de la lista de pedidos de GHL: %3</translation>
    </message>
    <message>
        <source>GHL refused the token: %1</source>
        <translation>GHL rechazó el token: %1</translation>
    </message>
    <message>
        <source>not found in GHL (it may have been deleted, or the id is wrong)</source>
        <translation>no encontrado en GHL (puede que se haya eliminado o que el ID sea incorrecto)</translation>
    </message>
    <message numerus="yes">
        <source>Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were not saved. Orders saved before are complete; run the sync again once the database is back. %1</source>
        <translation>
            <numerusform>Falló el guardado de pedidos en la base de datos, así que la sincronización se detuvo; %n pedido del último lote no se guardó. Los pedidos guardados antes están completos; vuelva a sincronizar cuando la base de datos vuelva a estar disponible. %1</numerusform>
            <numerusform>Falló el guardado de pedidos en la base de datos, así que la sincronización se detuvo; %n pedidos del último lote no se guardaron. Los pedidos guardados antes están completos; vuelva a sincronizar cuando la base de datos vuelva a estar disponible. %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The sync was cancelled; %n order(s) were saved before it stopped.</source>
        <translation>
            <numerusform>La sincronización se canceló; se guardó %n pedido antes de detenerse.</numerusform>
            <numerusform>La sincronización se canceló; se guardaron %n pedidos antes de detenerse.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncWriter</name>
    <message>
        <source>order %1: %2</source>
        <translation>pedido %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 (gave up after %n attempt(s))</source>
        <translation>
            <numerusform>%1 (se abandonó tras %n intento)</numerusform>
            <numerusform>%1 (se abandonó tras %n intentos)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::tickets::TicketPdf</name>
    <message>
        <source>Ticket</source>
        <translation>Entrada</translation>
    </message>
    <message>
        <source>The QR code of ticket %1 could not be made: %2</source>
        <translation>No se pudo crear el código QR de la entrada %1: %2</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used.</source>
        <translation>Ya admitida: esta entrada ya se usó.</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used on %1.</source>
        <translation>Ya admitida: esta entrada se usó el %1.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Pedido</translation>
    </message>
    <message>
        <source>Show this code at the door, printed or on your phone. It admits one person once: keep it to yourself.</source>
        <translation>Muestre este código en la entrada, impreso o en el móvil. Da acceso a una persona una sola vez: no lo comparta.</translation>
    </message>
    <message>
        <source>Order %1 has no tickets to print (none, or all cancelled).</source>
        <translation>El pedido %1 no tiene entradas que imprimir (ninguna o todas canceladas).</translation>
    </message>
    <message>
        <source>drawing it needs fonts, which a program started without its graphical part does not load</source>
        <translation>dibujarlo requiere fuentes, que un programa iniciado sin su parte gráfica no carga</translation>
    </message>
    <message>
        <source>Tickets of order %1</source>
        <translation>Entradas del pedido %1</translation>
    </message>
    <message>
        <source>The ticket PDF could not be started.</source>
        <translation>No se pudo empezar el PDF de entradas.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>No se pudo escribir %1: %2</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::HttpServer</name>
    <message>
        <source>The webhook listener would accept unauthenticated requests from the network on %1. Set [webhook] auth to ghl-signature or shared-secret, or bind to 127.0.0.1.</source>
        <translation>El receptor de webhooks aceptaría solicitudes no autenticadas de la red en %1. Ponga [webhook] auth en ghl-signature o shared-secret, o escuche en 127.0.0.1.</translation>
    </message>
    <message>
        <source>The webhook listener is set to shared-secret authentication but no secret is configured.</source>
        <translation>El receptor de webhooks usa autenticación de secreto compartido, pero no hay ningún secreto configurado.</translation>
    </message>
    <message>
        <source>%1 is not an IP address to listen on.</source>
        <translation>%1 no es una dirección IP en la que escuchar.</translation>
    </message>
    <message>
        <source>Could not listen on %1 port %2.</source>
        <translation>No se pudo escuchar en %1 puerto %2.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::InboxWorker</name>
    <message>
        <source>The stored webhook cannot be read: %1</source>
        <translation>No se puede leer el webhook guardado: %1</translation>
    </message>
    <message>
        <source>Fetching order %1 from GHL failed: %2</source>
        <translation>Falló la obtención del pedido %1 de GHL: %2</translation>
    </message>
    <message>
        <source>Saving order %1 failed: %2</source>
        <translation>Falló el guardado del pedido %1: %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>No se pudo generar el código QR del pedido %1: %2</translation>
    </message>
    <message>
        <source>Storing the QR code of order %1 failed: %2</source>
        <translation>Falló el guardado del código QR del pedido %1: %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 is being delivered by %2; checked again later</source>
        <translation>%2 está entregando el código QR del pedido %1; se comprobará más tarde</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookAuthenticator</name>
    <message>
        <source>Shared-secret authentication is selected but [webhook] secret is empty.</source>
        <translation>Está seleccionada la autenticación de secreto compartido, pero [webhook] secret está vacío.</translation>
    </message>
    <message>
        <source>Legacy x-wh-signature webhooks cannot be verified: accept_legacy_rsa is on but no RSA public key is configured (put GHL&apos;s RSA key in the PEM file named by ghl_public_key).</source>
        <translation>Los webhooks antiguos con x-wh-signature no se pueden verificar: accept_legacy_rsa está activado pero no hay clave pública RSA configurada (ponga la clave RSA de GHL en el archivo PEM indicado por ghl_public_key).</translation>
    </message>
    <message>
        <source>The configured webhook public key is not a readable PEM public key.</source>
        <translation>La clave pública de webhook configurada no es una clave pública PEM legible.</translation>
    </message>
    <message>
        <source>Cannot read the webhook public key file %1.</source>
        <translation>No se puede leer el archivo de clave pública de webhook %1.</translation>
    </message>
    <message>
        <source>The file %1 holds no PEM public key.</source>
        <translation>El archivo %1 no contiene ninguna clave pública PEM.</translation>
    </message>
    <message>
        <source>The webhook public key is neither base64 SubjectPublicKeyInfo nor a PEM file.</source>
        <translation>La clave pública de webhook no es ni SubjectPublicKeyInfo en base64 ni un archivo PEM.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookService</name>
    <message>
        <source>The webhook service is not running.</source>
        <translation>El servicio de webhooks no está en marcha.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines and no [feed] token is set.</source>
        <translation>El canal de eventos (/ws) rechaza a todos los clientes: el receptor es accesible desde otros equipos y no hay ningún [feed] token.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines, no [feed] token is set, and a generated one cannot be stored: %1</source>
        <translation>El canal de eventos (/ws) rechaza a todos los clientes: el receptor es accesible desde otros equipos, no hay ningún [feed] token y no se puede guardar uno generado: %1</translation>
    </message>
</context>
</TS>
