<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr" sourcelanguage="en">
<context>
    <name>CheckInPanel</name>
    <message>
        <source>Scan a ticket or order QR code (or type an order id) and press Enter. Esc clears.</source>
        <translation>Scannez le QR code d&apos;un billet ou d&apos;une commande (ou saisissez un identifiant de commande) et appuyez sur Entrée. Échap efface le champ.</translation>
    </message>
    <message>
        <source>Scan here</source>
        <translation>Scannez ici</translation>
    </message>
    <message>
        <source>Scan field</source>
        <translation>Champ de scan</translation>
    </message>
    <message>
        <source>Open image…</source>
        <translation>Ouvrir une image…</translation>
    </message>
    <message>
        <source>Read a QR code from an image file (photo, screenshot, PDF export)</source>
        <translation>Lire un QR code depuis un fichier image (photo, capture d&apos;écran, export PDF)</translation>
    </message>
    <message>
        <source>Check-in result</source>
        <translation>Résultat du contrôle</translation>
    </message>
    <message>
        <source>Ready to scan</source>
        <translation>Prêt à scanner</translation>
    </message>
    <message>
        <source>Check-in details</source>
        <translation>Détails du contrôle</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Admettre &amp;tous les restants</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>A&amp;nnuler la dernière admission</translation>
    </message>
    <message>
        <source>Recent scans</source>
        <translation>Scans récents</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Admettre &amp;un de plus</translation>
    </message>
    <message>
        <source>Ad&amp;mitting for:</source>
        <translation>Admission &amp;pour :</translation>
    </message>
    <message>
        <source>Events this station admits for</source>
        <translation>Événements pour lesquels ce poste admet</translation>
    </message>
    <message>
        <source>Tickets of other events are refused here ([door] event)</source>
        <translation>Les billets d&apos;autres événements sont refusés ici ([door] event)</translation>
    </message>
    <message>
        <source>Admit an&amp;yway</source>
        <translation>Admettre &amp;quand même</translation>
    </message>
    <message>
        <source>Let the guest in although the order is not paid (recorded as unpaid)</source>
        <translation>Laisser entrer l&apos;invité bien que la commande ne soit pas payée (enregistré comme non payé)</translation>
    </message>
</context>
<context>
    <name>DatabaseSettingsPage</name>
    <message>
        <source>Database &amp;URL:</source>
        <translation>&amp;URL de la base de données :</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///chemin/fichier.db ou postgresql://utilisateur:motdepasse@hôte:port/nombd</translation>
    </message>
    <message>
        <source>Changing the database takes effect after a restart.</source>
        <translation>Le changement de base de données prend effet après un redémarrage.</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Tester</translation>
    </message>
    <message>
        <source>Opens a connection to this database</source>
        <translation>Ouvre une connexion à cette base de données</translation>
    </message>
</context>
<context>
    <name>GhlSettingsPage</name>
    <message>
        <source>Base &amp;URL:</source>
        <translation>&amp;URL de base :</translation>
    </message>
    <message>
        <source>https://services.leadconnectorhq.com</source>
        <translation>https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>&amp;Location ID:</source>
        <translation>ID d&apos;&amp;emplacement :</translation>
    </message>
    <message>
        <source>GHL sub-account (location) id</source>
        <translation>Identifiant du sous-compte (emplacement) GHL</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>&amp;Jeton :</translation>
    </message>
    <message>
        <source>Private Integration Token</source>
        <translation>Jeton d&apos;intégration privée</translation>
    </message>
    <message>
        <source>Test &amp;connection</source>
        <translation>Tester la &amp;connexion</translation>
    </message>
    <message>
        <source>Lists the custom fields of the location with these settings</source>
        <translation>Liste les champs personnalisés de l&apos;emplacement avec ces paramètres</translation>
    </message>
</context>
<context>
    <name>ListenerPanel</name>
    <message>
        <source>Listener</source>
        <translation>Récepteur</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>État :</translation>
    </message>
    <message>
        <source>Address:</source>
        <translation>Adresse :</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>Authentification :</translation>
    </message>
    <message>
        <source>Accepted today:</source>
        <translation>Acceptés aujourd&apos;hui :</translation>
    </message>
    <message>
        <source>Waiting:</source>
        <translation>En attente :</translation>
    </message>
    <message>
        <source>Dead events:</source>
        <translation>Événements morts :</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>&amp;Démarrer le récepteur</translation>
    </message>
    <message>
        <source>Send &amp;test webhook</source>
        <translation>Envoyer un webhook de &amp;test</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Envoie un webhook OrderCreate pour une commande de démonstration à ce récepteur</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualiser</translation>
    </message>
    <message>
        <source>Recent deliveries</source>
        <translation>Livraisons récentes</translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Puts the selected event back in the queue</source>
        <translation>Remet l&apos;événement sélectionné dans la file d&apos;attente</translation>
    </message>
</context>
<context>
    <name>ListenerSettingsPage</name>
    <message>
        <source>Start the webhook &amp;listener with the application</source>
        <translation>Démarrer le &amp;récepteur de webhooks avec l&apos;application</translation>
    </message>
    <message>
        <source>&amp;Bind address:</source>
        <translation>Adresse d&apos;&amp;écoute :</translation>
    </message>
    <message>
        <source>127.0.0.1</source>
        <translation>127.0.0.1</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>&amp;Port :</translation>
    </message>
    <message>
        <source>8787</source>
        <translation>8787</translation>
    </message>
    <message>
        <source>Pa&amp;th:</source>
        <translation>C&amp;hemin :</translation>
    </message>
    <message>
        <source>/api/ghl/webhook-qr</source>
        <translation>/api/ghl/webhook-qr</translation>
    </message>
    <message>
        <source>&amp;Authentication:</source>
        <translation>&amp;Authentification :</translation>
    </message>
    <message>
        <source>Shared &amp;secret:</source>
        <translation>&amp;Secret partagé :</translation>
    </message>
    <message>
        <source>GHL public &amp;key:</source>
        <translation>&amp;Clé publique GHL :</translation>
    </message>
    <message>
        <source>base64 SPKI or the path of a PEM file</source>
        <translation>SPKI en base64 ou chemin d&apos;un fichier PEM</translation>
    </message>
    <message>
        <source>Also accept the le&amp;gacy x-wh-signature (RSA-SHA256)</source>
        <translation>Accepter aussi l&apos;ancienne x-wh-si&amp;gnature (RSA-SHA256)</translation>
    </message>
    <message>
        <source>Largest bod&amp;y (bytes):</source>
        <translation>Ta&amp;ille maximale du corps (octets) :</translation>
    </message>
    <message>
        <source>1048576</source>
        <translation>1048576</translation>
    </message>
    <message>
        <source>&amp;Replay window (s):</source>
        <translation>&amp;Fenêtre anti-rejeu (s) :</translation>
    </message>
    <message>
        <source>4500</source>
        <translation>4500</translation>
    </message>
    <message>
        <source>Reconcile e&amp;very (s):</source>
        <translation>In&amp;tervalle de rapprochement (s) :</translation>
    </message>
    <message>
        <source>600</source>
        <translation>600</translation>
    </message>
    <message>
        <source>While the listener runs: an incremental sync and the QR codes still missing, every so many seconds (at least 5; 0 turns it off).</source>
        <translation>Tant que le récepteur tourne : une synchronisation incrémentale et les QR codes encore manquants, à cet intervalle en secondes (au moins 5 ; 0 le désactive).</translation>
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
        <translation>&amp;Commandes</translation>
    </message>
    <message>
        <source>Search order, name, e-mail or phone (Ctrl+F)</source>
        <translation>Rechercher une commande, un nom, un e-mail ou un téléphone (Ctrl+F)</translation>
    </message>
    <message>
        <source>Search orders</source>
        <translation>Rechercher des commandes</translation>
    </message>
    <message>
        <source>Event filter</source>
        <translation>Filtre d&apos;événement</translation>
    </message>
    <message>
        <source>Payment status filter</source>
        <translation>Filtre de statut de paiement</translation>
    </message>
    <message>
        <source>Check-in filter</source>
        <translation>Filtre de contrôle d&apos;accès</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>No orders yet</source>
        <translation>Aucune commande pour l&apos;instant</translation>
    </message>
    <message>
        <source>1. Configure GHL…</source>
        <translation>1. Configurer GHL…</translation>
    </message>
    <message>
        <source>2. Sync now</source>
        <translation>2. Synchroniser maintenant</translation>
    </message>
    <message>
        <source>&amp;Check-in</source>
        <translation>Contrôle &amp;d&apos;accès</translation>
    </message>
    <message>
        <source>Event o&amp;verview</source>
        <translation>&amp;Vue d&apos;ensemble des événements</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Édition</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Outils</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;ide</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Barre d&apos;outils principale</translation>
    </message>
    <message>
        <source>&amp;Sync…</source>
        <translation>&amp;Synchroniser…</translation>
    </message>
    <message>
        <source>Fetch orders from GoHighLevel (F5)</source>
        <translation>Récupérer les commandes depuis GoHighLevel (F5)</translation>
    </message>
    <message>
        <source>F5</source>
        <translation>F5</translation>
    </message>
    <message>
        <source>Se&amp;ttings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>GHL connection, database, listener, QR codes, station (Ctrl+,)</source>
        <translation>Connexion GHL, base de données, récepteur, QR codes, poste (Ctrl+,)</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>&amp;Find order</source>
        <translation>&amp;Trouver une commande</translation>
    </message>
    <message>
        <source>Ctrl+F</source>
        <translation>Ctrl+F</translation>
    </message>
    <message>
        <source>&amp;Open order</source>
        <translation>&amp;Ouvrir la commande</translation>
    </message>
    <message>
        <source>Open the selected order (Enter or double-click)</source>
        <translation>Ouvrir la commande sélectionnée (Entrée ou double-clic)</translation>
    </message>
    <message>
        <source>Ctrl+1</source>
        <translation>Ctrl+1</translation>
    </message>
    <message>
        <source>Admit people at the door by scanning their QR code (Ctrl+2)</source>
        <translation>Admettre les personnes à l&apos;entrée en scannant leur QR code (Ctrl+2)</translation>
    </message>
    <message>
        <source>Ctrl+2</source>
        <translation>Ctrl+2</translation>
    </message>
    <message>
        <source>Sold, admitted and remaining tickets per event (Ctrl+3)</source>
        <translation>Billets vendus, admis et restants par événement (Ctrl+3)</translation>
    </message>
    <message>
        <source>Ctrl+3</source>
        <translation>Ctrl+3</translation>
    </message>
    <message>
        <source>&amp;Export order list as CSV…</source>
        <translation>&amp;Exporter la liste des commandes en CSV…</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Exporter en CSV</translation>
    </message>
    <message>
        <source>Save the orders shown (with the current search and filters) as a CSV file</source>
        <translation>Enregistrer les commandes affichées (avec la recherche et les filtres actuels) dans un fichier CSV</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Door list as C&amp;SV…</source>
        <translation>Liste d&apos;entrée en C&amp;SV…</translation>
    </message>
    <message>
        <source>&amp;Print door list…</source>
        <translation>&amp;Imprimer la liste d&apos;entrée…</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Liste d&apos;entrée</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>&amp;Listener…</source>
        <translation>&amp;Récepteur…</translation>
    </message>
    <message>
        <source>Webhook listener: on/off, address, recent deliveries</source>
        <translation>Récepteur de webhooks : marche/arrêt, adresse, livraisons récentes</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;About QR Tickets</source>
        <translation>À &amp;propos de QR Tickets</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>Ctrl+Q</source>
        <translation>Ctrl+Q</translation>
    </message>
    <message>
        <source>Event overvie&amp;w</source>
        <translation>&amp;Vue d&apos;ensemble des événements</translation>
    </message>
    <message>
        <source>Door list as P&amp;DF…</source>
        <translation>Liste d&apos;entrée en P&amp;DF…</translation>
    </message>
</context>
<context>
    <name>MappingsSettingsPage</name>
    <message>
        <source>Product to custom field mappings</source>
        <translation>Correspondance entre produits et champs personnalisés</translation>
    </message>
    <message>
        <source>&amp;Load custom fields from GHL</source>
        <translation>&amp;Charger les champs personnalisés depuis GHL</translation>
    </message>
    <message>
        <source>Choose the contact custom field that receives the QR code of each product (event) and, if you like, a File upload field for the buyer&apos;s tickets as a PDF (one page per ticket, each with its own QR code).</source>
        <translation>Choisissez le champ personnalisé du contact qui reçoit le QR code de chaque produit (événement) et, si vous le souhaitez, un champ de type Téléversement de fichier pour les billets de l&apos;acheteur en PDF (une page par billet, chacune avec son propre QR code).</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Order:</source>
        <translation>Commande :</translation>
    </message>
    <message>
        <source>Contact:</source>
        <translation>Contact :</translation>
    </message>
    <message>
        <source>E-mail:</source>
        <translation>E-mail :</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>Téléphone :</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Événement :</translation>
    </message>
    <message>
        <source>Payment:</source>
        <translation>Paiement :</translation>
    </message>
    <message>
        <source>Ordered:</source>
        <translation>Commandé le :</translation>
    </message>
    <message>
        <source>Tickets:</source>
        <translation>Billets :</translation>
    </message>
    <message>
        <source>QR code of the order</source>
        <translation>QR code de la commande</translation>
    </message>
    <message>
        <source>&amp;Copy QR</source>
        <translation>&amp;Copier le QR</translation>
    </message>
    <message>
        <source>Save &amp;PNG…</source>
        <translation>Enregistrer en &amp;PNG…</translation>
    </message>
    <message>
        <source>&amp;Tickets</source>
        <translation>&amp;Billets</translation>
    </message>
    <message>
        <source>Tickets of the order</source>
        <translation>Billets de la commande</translation>
    </message>
    <message>
        <source>&amp;Admit next</source>
        <translation>&amp;Admettre le suivant</translation>
    </message>
    <message>
        <source>&amp;Set to:</source>
        <translation>Pa&amp;sser à :</translation>
    </message>
    <message>
        <source>New status</source>
        <translation>Nouveau statut</translation>
    </message>
    <message>
        <source>Reason (needed to cancel, undo or restore)</source>
        <translation>Motif (nécessaire pour annuler, défaire ou restaurer)</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>For s&amp;elected</source>
        <translation>Pour la s&amp;élection</translation>
    </message>
    <message>
        <source>For a&amp;ll</source>
        <translation>Pour &amp;tous</translation>
    </message>
    <message>
        <source>&amp;History</source>
        <translation>&amp;Historique</translation>
    </message>
    <message>
        <source>History of the order&apos;s tickets</source>
        <translation>Historique des billets de la commande</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>&amp;Imprimer les billets…</translation>
    </message>
    <message>
        <source>Cancelled tickets are left out; used ones are marked &quot;Already admitted&quot;.</source>
        <translation>Les billets annulés sont omis ; les billets utilisés portent la mention « Déjà admis ».</translation>
    </message>
</context>
<context>
    <name>QrSettingsPage</name>
    <message>
        <source>URL &amp;template:</source>
        <translation>&amp;Modèle d&apos;URL :</translation>
    </message>
    <message>
        <source>https://qr.example.com/orders/{order_id}</source>
        <translation>https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>&amp;Size (px):</source>
        <translation>&amp;Taille (px) :</translation>
    </message>
    <message>
        <source>300</source>
        <translation>300</translation>
    </message>
    <message>
        <source>&amp;Margin (modules):</source>
        <translation>Mar&amp;ge (modules) :</translation>
    </message>
    <message>
        <source>1</source>
        <translation>1</translation>
    </message>
    <message>
        <source>&amp;Error correction:</source>
        <translation>Correction d&apos;&amp;erreurs :</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
</context>
<context>
    <name>StartupProblemDialog</name>
    <message>
        <source>QR Tickets – Database unavailable</source>
        <translation>QR Tickets – Base de données indisponible</translation>
    </message>
    <message>
        <source>QR Tickets cannot open its database</source>
        <translation>QR Tickets ne peut pas ouvrir sa base de données</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Paramètres…</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Réessayer</translation>
    </message>
    <message>
        <source>Use this computer&apos;s &amp;local database</source>
        <translation>Utiliser la base de données &amp;locale de cet ordinateur</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
</context>
<context>
    <name>StationSettingsPage</name>
    <message>
        <source>Station &amp;name:</source>
        <translation>&amp;Nom du poste :</translation>
    </message>
    <message>
        <source>e.g. Front door</source>
        <translation>p. ex. Entrée principale</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue :</translation>
    </message>
    <message>
        <source>A new language takes effect after a restart.</source>
        <translation>Une nouvelle langue prend effet après un redémarrage.</translation>
    </message>
    <message>
        <source>Event &amp;feed token:</source>
        <translation>Jeton du &amp;flux d&apos;événements :</translation>
    </message>
    <message>
        <source>empty: no token needed</source>
        <translation>vide : aucun jeton nécessaire</translation>
    </message>
    <message>
        <source>&amp;Camera:</source>
        <translation>&amp;Caméra :</translation>
    </message>
    <message>
        <source>The camera the Camera button in Check-in scans with ([station] camera)</source>
        <translation>La caméra avec laquelle le bouton « Caméra » du contrôle d&apos;accès scanne ([station] camera)</translation>
    </message>
    <message>
        <source>&amp;Mirror the camera preview (a camera facing the guest)</source>
        <translation>Afficher l&apos;aperçu de la caméra en &amp;miroir (caméra face à l&apos;invité)</translation>
    </message>
</context>
<context>
    <name>SyncDialog</name>
    <message>
        <source>Sync with GHL</source>
        <translation>Synchroniser avec GHL</translation>
    </message>
    <message>
        <source>What to sync</source>
        <translation>Quoi synchroniser</translation>
    </message>
    <message>
        <source>&amp;Incremental: new and changed orders (recommended)</source>
        <translation>&amp;Incrémentale : commandes nouvelles et modifiées (recommandé)</translation>
    </message>
    <message>
        <source>&amp;Full: fetch every order again</source>
        <translation>&amp;Complète : récupérer à nouveau toutes les commandes</translation>
    </message>
    <message>
        <source>From an order &amp;list file (JSON array of order IDs):</source>
        <translation>Depuis un fichier de &amp;liste de commandes (tableau JSON d&apos;identifiants) :</translation>
    </message>
    <message>
        <source>valid_order_list.json</source>
        <translation>valid_order_list.json</translation>
    </message>
    <message>
        <source>&amp;Browse...</source>
        <translation>&amp;Parcourir...</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Progression</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Liste des commandes</translation>
    </message>
    <message>
        <source>%v / %m</source>
        <translation>%v / %m</translation>
    </message>
    <message>
        <source>Fetching order details</source>
        <translation>Récupération du détail des commandes</translation>
    </message>
    <message>
        <source>Writing tickets</source>
        <translation>Écriture des billets</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>Résumé</translation>
    </message>
    <message>
        <source>Failed orders</source>
        <translation>Commandes en échec</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>&amp;Synchroniser maintenant</translation>
    </message>
    <message>
        <source>Starts the sync (F5)</source>
        <translation>Lance la synchronisation (F5)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Stops the sync (Esc); orders already saved stay</source>
        <translation>Arrête la synchronisation (Échap) ; les commandes déjà enregistrées sont conservées</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>QR Tickets: GoHighLevel orders, QR codes and door check-in.

Commands (none: the desktop application):
  migrate   create or upgrade the database schema, then exit
</source>
        <translation>QR Tickets : commandes GoHighLevel, QR codes et contrôle d&apos;accès.

Commandes (aucune : l&apos;application de bureau) :
  migrate   créer ou mettre à jour le schéma de la base de données, puis quitter
</translation>
    </message>
    <message>
        <source>  sync      pull orders from GHL with a text progress bar
</source>
        <translation>  sync      récupérer les commandes depuis GHL avec une barre de progression texte
</translation>
    </message>
    <message>
        <source>  serve     run the webhook listener, inbox worker and event feed until stopped
</source>
        <translation>  serve     exécuter le récepteur de webhooks, le traitement de la boîte de réception et le flux d&apos;événements jusqu&apos;à l&apos;arrêt
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
Exemples :
  qrtickets                                   ouvrir l&apos;application de bureau
  qrtickets --demo                            l&apos;essayer avec un simulateur GHL intégré
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
Chaque paramètre peut aussi venir de l&apos;environnement sous la forme QRTICKETS_&lt;SECTION&gt;_&lt;CLÉ&gt;, p. ex. QRTICKETS_DATABASE_URL.
Codes de sortie : 0 succès, 1 échec, 2 usage ou configuration incorrects, 3 terminé avec des commandes en échec.</translation>
    </message>
    <message>
        <source>Run &apos;qrtickets --help&apos; for usage.</source>
        <translation>Lancez &apos;qrtickets --help&apos; pour l&apos;aide.</translation>
    </message>
    <message>
        <source>Read settings from &lt;file&gt; (INI).</source>
        <translation>Lire les paramètres depuis &lt;file&gt; (INI).</translation>
    </message>
    <message>
        <source>Use the database at &lt;url&gt;.</source>
        <translation>Utiliser la base de données à &lt;url&gt;.</translation>
    </message>
    <message>
        <source>Desktop application against a built-in GHL simulator and a fresh SQLite file.</source>
        <translation>Application de bureau avec un simulateur GHL intégré et un nouveau fichier SQLite.</translation>
    </message>
    <message>
        <source>sync: full or incremental (default).</source>
        <translation>sync : full ou incremental (par défaut).</translation>
    </message>
    <message>
        <source>sync: only the order ids listed in &lt;file&gt;, a JSON array.</source>
        <translation>sync : uniquement les identifiants de commande listés dans &lt;file&gt;, un tableau JSON.</translation>
    </message>
    <message>
        <source>See Commands above.</source>
        <translation>Voir les commandes ci-dessus.</translation>
    </message>
    <message>
        <source>Unexpected arguments: %1</source>
        <translation>Arguments inattendus : %1</translation>
    </message>
    <message>
        <source>Unknown command &apos;%1&apos;.</source>
        <translation>Commande inconnue « %1 ».</translation>
    </message>
    <message>
        <source>--demo opens the desktop application; it does not go with &apos;%1&apos;.</source>
        <translation>--demo ouvre l&apos;application de bureau ; il ne va pas avec « %1 ».</translation>
    </message>
    <message>
        <source>--mode and --orders-file go with the sync command.</source>
        <translation>--mode et --orders-file vont avec la commande sync.</translation>
    </message>
    <message>
        <source>--mode must be full or incremental, not &apos;%1&apos;.</source>
        <translation>--mode doit être full ou incremental, pas « %1 ».</translation>
    </message>
    <message>
        <source>  admit CODE  admit one scan (order link, order id or ticket code) and print the verdict;
            exit code 3 when not admitted
</source>
        <translation>  admit CODE  admettre un scan (lien de commande, identifiant de commande ou code de billet) et afficher le résultat ;
            code de sortie 3 si non admis
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
        <translation>admit : admettre uniquement pour ces événements (identifiants de produit séparés par des virgules) au lieu de [door] event.</translation>
    </message>
    <message>
        <source>admit needs what was scanned: an order link, an order id or a ticket code.</source>
        <translation>admit a besoin de ce qui a été scanné : un lien de commande, un identifiant de commande ou un code de billet.</translation>
    </message>
    <message>
        <source>--event goes with the admit command.</source>
        <translation>--event va avec la commande admit.</translation>
    </message>
    <message>
        <source>  roles install  PostgreSQL: create or update the group roles qrtickets_admin and qrtickets_door
            and their grants (run as the database owner; idempotent)
  operator add NAME --role admin|door [--email E]  a login in that group with a generated
            password; prints the database URL for that station&apos;s Settings
  operator list | operator remove NAME  the logins; remove ends its sessions and drops it
</source>
        <translation>  roles install  PostgreSQL : créer ou mettre à jour les rôles de groupe qrtickets_admin et qrtickets_door
            et leurs droits (à lancer en tant que propriétaire de la base de données ; idempotent)
  operator add NAME --role admin|door [--email E]  un identifiant dans ce groupe avec un mot de passe
            généré ; affiche l&apos;URL de la base de données pour les Paramètres de ce poste
  operator list | operator remove NAME  les identifiants ; remove met fin à ses sessions et le supprime
</translation>
    </message>
    <message>
        <source>operator add: admin or door.</source>
        <translation>operator add : admin ou door.</translation>
    </message>
    <message>
        <source>operator add: link the ghl_qr_users row with this e-mail address.</source>
        <translation>operator add : lier la ligne de ghl_qr_users ayant cette adresse e-mail.</translation>
    </message>
    <message>
        <source>Use: qrtickets roles install</source>
        <translation>Utilisation : qrtickets roles install</translation>
    </message>
    <message>
        <source>Use: qrtickets operator add NAME --role admin|door [--email E], operator list, or operator remove NAME</source>
        <translation>Utilisation : qrtickets operator add NAME --role admin|door [--email E], operator list ou operator remove NAME</translation>
    </message>
    <message>
        <source>operator add needs --role admin or --role door.</source>
        <translation>operator add a besoin de --role admin ou --role door.</translation>
    </message>
    <message>
        <source>--role and --email go with operator add.</source>
        <translation>--role et --email s&apos;utilisent avec operator add.</translation>
    </message>
</context>
<context>
    <name>qrt::app</name>
    <message>
        <source>%1 is up to date (schema version %2).</source>
        <translation>%1 est à jour (version du schéma %2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: applied %n migration(s), now at schema version %2.</source>
        <translation>
            <numerusform>%1 : %n migration appliquée, schéma maintenant en version %2.</numerusform>
            <numerusform>%1 : %n migrations appliquées, schéma maintenant en version %2.</numerusform>
        </translation>
    </message>
    <message>
        <source>The database schema is at version %1; this program needs version %2. Run `qrtickets migrate` first.</source>
        <translation>Le schéma de la base de données est en version %1 ; ce programme a besoin de la version %2. Lancez d&apos;abord `qrtickets migrate`.</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door and their grants are installed on %1. Add logins with `qrtickets operator add`.</source>
        <translation>Les rôles de groupe qrtickets_admin et qrtickets_door et leurs droits sont installés sur %1. Ajoutez des identifiants avec `qrtickets operator add`.</translation>
    </message>
    <message>
        <source>Operator %1 (%2) created%3. Its password is shown only now; put this database URL in that station&apos;s Settings:</source>
        <translation>Opérateur %1 (%2) créé%3. Son mot de passe n&apos;est affiché que maintenant ; saisissez cette URL de base de données dans les Paramètres de ce poste :</translation>
    </message>
    <message>
        <source>, linked to %1</source>
        <translation>, lié à %1</translation>
    </message>
    <message>
        <source>No operators yet. Add one with `qrtickets operator add NAME --role admin|door`.</source>
        <translation>Aucun opérateur pour l&apos;instant. Ajoutez-en un avec `qrtickets operator add NAME --role admin|door`.</translation>
    </message>
    <message numerus="yes">
        <source>Operator %1 removed; %n open session(s) ended.</source>
        <translation>
            <numerusform>Opérateur %1 supprimé ; %n session ouverte fermée.</numerusform>
            <numerusform>Opérateur %1 supprimé ; %n sessions ouvertes fermées.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::app::Desktop</name>
    <message>
        <source>QR Tickets demo</source>
        <translation>Démo QR Tickets</translation>
    </message>
    <message>
        <source>The demo could not start its GHL simulator.</source>
        <translation>La démo n&apos;a pas pu démarrer son simulateur GHL.</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable and try again.</source>
        <translation>Vérifiez qu&apos;un dossier temporaire est accessible en écriture et réessayez.</translation>
    </message>
    <message>
        <source>Report this as a bug.</source>
        <translation>Signalez-le comme un bogue.</translation>
    </message>
    <message>
        <source>Demo door</source>
        <translation>Entrée de démo</translation>
    </message>
    <message>
        <source>Check that a temporary folder is writable.</source>
        <translation>Vérifiez qu&apos;un dossier temporaire est accessible en écriture.</translation>
    </message>
    <message>
        <source>The system keychain answered: the %1 is now in use.</source>
        <translation>Le trousseau du système a répondu : %1 est maintenant utilisé.</translation>
    </message>
    <message>
        <source>The system keychain answered late: the %1 is saved now.</source>
        <translation>Le trousseau du système a répondu en retard : %1 est maintenant enregistré.</translation>
    </message>
    <message>
        <source>The system keychain answered late and did not save the %1: %2</source>
        <translation>Le trousseau du système a répondu en retard et n&apos;a pas enregistré %1 : %2</translation>
    </message>
</context>
<context>
    <name>qrt::app::DesktopServices</name>
    <message>
        <source>The listener keeps its previous settings: %1</source>
        <translation>Le récepteur garde ses paramètres précédents : %1</translation>
    </message>
    <message>
        <source>The generated event feed token is used but could not be saved: %1</source>
        <translation>Le jeton du flux d&apos;événements généré est utilisé mais n&apos;a pas pu être enregistré : %1</translation>
    </message>
</context>
<context>
    <name>qrt::app::SecretStore</name>
    <message>
        <source>GHL token</source>
        <translation>le jeton GHL</translation>
    </message>
    <message>
        <source>webhook secret</source>
        <translation>le secret du webhook</translation>
    </message>
    <message>
        <source>event feed token</source>
        <translation>le jeton du flux d&apos;événements</translation>
    </message>
    <message>
        <source>The system keychain could not read the %1.</source>
        <translation>Le trousseau du système n&apos;a pas pu lire %1.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain refused (%2). It is kept for this session only.</source>
        <translation>%1 n&apos;a pas été enregistré : le trousseau du système a refusé (%2). Il est conservé pour cette session uniquement.</translation>
    </message>
    <message>
        <source>The %1 was not saved: the system keychain did not answer. It is kept for this session only; save again when the keychain is unlocked.</source>
        <translation>%1 n&apos;a pas été enregistré : le trousseau du système n&apos;a pas répondu. Il est conservé pour cette session uniquement ; enregistrez à nouveau une fois le trousseau déverrouillé.</translation>
    </message>
    <message>
        <source>The system keychain did not answer, so the %1 could not be read yet. Unlock the keychain (or answer its prompt); the %1 is used as soon as it answers.</source>
        <translation>Le trousseau du système n&apos;a pas répondu, %1 n&apos;a donc pas encore pu être lu. Déverrouillez le trousseau (ou répondez à sa demande) ; %1 sera utilisé dès qu&apos;il répondra.</translation>
    </message>
</context>
<context>
    <name>qrt::app::serve</name>
    <message>
        <source>Cannot start the webhook listener: %1</source>
        <translation>Impossible de démarrer le récepteur de webhooks : %1</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Avertissement : %1</translation>
    </message>
    <message>
        <source>Listening on http://%1:%2%3 (auth %4); health on /healthz, event feed on /ws; database %5; station %6</source>
        <translation>Écoute sur http://%1:%2%3 (auth %4) ; état sur /healthz, flux d&apos;événements sur /ws ; base de données %5 ; poste %6</translation>
    </message>
    <message>
        <source>Signal %1: no longer accepting webhooks; finishing the events in progress ...</source>
        <translation>Signal %1 : plus aucun webhook accepté ; fin des événements en cours ...</translation>
    </message>
    <message>
        <source>Warning: cannot install the SIGINT/SIGTERM handlers; stop with kill -9 only after the inbox is empty.</source>
        <translation>Avertissement : impossible d&apos;installer les gestionnaires SIGINT/SIGTERM ; n&apos;arrêtez avec kill -9 qu&apos;une fois la boîte de réception vide.</translation>
    </message>
    <message>
        <source>Warning: cannot install the Ctrl+C handler; stop only after the inbox is empty.</source>
        <translation>Attention : impossible d&apos;installer le gestionnaire de Ctrl+C ; n&apos;arrêtez le service qu&apos;une fois la boîte de réception vide.</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>Arrêté.</translation>
    </message>
    <message>
        <source>Set QRTICKETS_WEBHOOK_SECRET in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [webhook] secret in the settings file; serve reads the desktop keychain only when started in a desktop session.</source>
        <translation>Définissez QRTICKETS_WEBHOOK_SECRET dans l&apos;environnement (pour le service qrtickets-serve : dans /etc/qrtickets/secrets.env) ou [webhook] secret dans le fichier de paramètres ; serve ne lit le trousseau du bureau que lorsqu&apos;il est lancé dans une session de bureau.</translation>
    </message>
    <message>
        <source>Warning: no GHL token is set. Set QRTICKETS_GHL_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env) or [ghl] token in the settings file; serve reads the desktop keychain only when started in a desktop session. Webhooks will be accepted and stored but cannot be processed until a token is set.</source>
        <translation>Attention : aucun jeton GHL n&apos;est défini. Définissez QRTICKETS_GHL_TOKEN dans l&apos;environnement (pour le service qrtickets-serve : dans /etc/qrtickets/secrets.env) ou [ghl] token dans le fichier de paramètres ; serve ne lit le trousseau du bureau que lorsqu&apos;il est lancé dans une session de bureau. Les webhooks seront acceptés et enregistrés, mais ne pourront être traités qu&apos;une fois un jeton défini.</translation>
    </message>
    <message>
        <source>the settings file %1 cannot be written. Set [feed] token there, or QRTICKETS_FEED_TOKEN in the environment (for the qrtickets-serve service: in /etc/qrtickets/secrets.env), to a long random value.</source>
        <translation>le fichier de paramètres %1 n&apos;est pas accessible en écriture. Définissez-y [feed] token, ou QRTICKETS_FEED_TOKEN dans l&apos;environnement (pour le service qrtickets-serve : dans /etc/qrtickets/secrets.env), avec une longue valeur aléatoire.</translation>
    </message>
    <message>
        <source>Generated an event feed token ([feed] token) and stored it in %1: feed clients send it as &apos;Authorization: Bearer &lt;token&gt;&apos; or &apos;/ws?token=&lt;token&gt;&apos;.</source>
        <translation>Un jeton du flux d&apos;événements ([feed] token) a été généré et enregistré dans %1 : les clients du flux l&apos;envoient sous la forme &apos;Authorization: Bearer &lt;token&gt;&apos; ou &apos;/ws?token=&lt;token&gt;&apos;.</translation>
    </message>
    <message numerus="yes">
        <source>Reconciliation: now, then every %n second(s) ([sync] reconcile_interval_s).</source>
        <translation>
            <numerusform>Rapprochement : maintenant, puis chaque seconde ([sync] reconcile_interval_s).</numerusform>
            <numerusform>Rapprochement : maintenant, puis toutes les %n secondes ([sync] reconcile_interval_s).</numerusform>
        </translation>
    </message>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0).</source>
        <translation>Le rapprochement est désactivé ([sync] reconcile_interval_s = 0).</translation>
    </message>
</context>
<context>
    <name>qrt::app::sync</name>
    <message>
        <source>: %1 of %2 listed</source>
        <translation>: %1 sur %2 listées</translation>
    </message>
    <message>
        <source>: %1 of %2 saved</source>
        <translation>: %1 sur %2 enregistrées</translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n en échec</numerusform>
            <numerusform>, %n en échec</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n inchangées</numerusform>
            <numerusform>, %n inchangées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n request(s)</source>
        <translation>
            <numerusform>, %n requêtes</numerusform>
            <numerusform>, %n requêtes</numerusform>
        </translation>
    </message>
    <message>
        <source>, about %1 left</source>
        <translation>, environ %1 restant</translation>
    </message>
    <message>
        <source> (waiting %1 s for the GHL rate limit)</source>
        <translation> (attente de %1 s pour la limite de requêtes GHL)</translation>
    </message>
    <message>
        <source>No GHL token is set. Set QRTICKETS_GHL_TOKEN (a Private Integration token with scope payments/orders.readonly), or store it in the keychain from the Settings dialog.</source>
        <translation>Aucun jeton GHL n&apos;est défini. Définissez QRTICKETS_GHL_TOKEN (un jeton d&apos;intégration privée avec la portée payments/orders.readonly) ou enregistrez-le dans le trousseau depuis les paramètres.</translation>
    </message>
    <message>
        <source>No GHL location id is set. Set [ghl] location_id in the configuration file, or QRTICKETS_GHL_LOCATION_ID.</source>
        <translation>Aucun identifiant d&apos;emplacement GHL n&apos;est défini. Définissez [ghl] location_id dans le fichier de configuration ou QRTICKETS_GHL_LOCATION_ID.</translation>
    </message>
    <message>
        <source>Note: a sync started at %1 by %2 is still marked as running; syncing anyway (the results merge safely).</source>
        <translation>Remarque : une synchronisation lancée à %1 par %2 est toujours marquée en cours ; synchronisation quand même (les résultats se fusionnent sans risque).</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>un autre poste</translation>
    </message>
    <message numerus="yes">
        <source>Sync %1 (%2) in %3: %4 of %n order(s) saved, %5 failed, %6 unchanged; tickets %7 added, %8 cancelled;</source>
        <translation>
            <numerusform>Synchronisation %1 (%2) en %3 : %4 sur %n commande enregistrées, %5 en échec, %6 inchangées ; billets : %7 ajoutés, %8 annulés ;</numerusform>
            <numerusform>Synchronisation %1 (%2) en %3 : %4 sur %n commandes enregistrées, %5 en échec, %6 inchangées ; billets : %7 ajoutés, %8 annulés ;</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n GHL request(s).</source>
        <translation>
            <numerusform>%n requête GHL.</numerusform>
            <numerusform>%n requêtes GHL.</numerusform>
        </translation>
    </message>
    <message>
        <source>Failed orders:</source>
        <translation>Commandes en échec :</translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(liste des commandes)</translation>
    </message>
    <message>
        <source>Ticket conflicts (left as they are):</source>
        <translation>Conflits de billets (laissés tels quels) :</translation>
    </message>
</context>
<context>
    <name>qrt::camera::CameraSource</name>
    <message>
        <source>No camera found — connect one or choose it in Settings → Station</source>
        <translation>Aucune caméra trouvée — branchez-en une ou choisissez-la dans Paramètres → Poste</translation>
    </message>
    <message>
        <source>The camera chosen in Settings → Station is not connected — connect it or choose another</source>
        <translation>La caméra choisie dans Paramètres → Poste n&apos;est pas branchée — branchez-la ou choisissez-en une autre</translation>
    </message>
    <message>
        <source>QR Tickets may not use the camera — allow it in the system&apos;s privacy settings (Camera), then press Camera again</source>
        <translation>QR Tickets n&apos;a pas le droit d&apos;utiliser la caméra — autorisez-le dans les paramètres de confidentialité du système (Caméra), puis appuyez de nouveau sur Caméra</translation>
    </message>
    <message>
        <source>The camera is in use by another program — close that program, then press Camera again</source>
        <translation>La caméra est utilisée par un autre programme — fermez ce programme, puis appuyez de nouveau sur Caméra</translation>
    </message>
    <message>
        <source>The camera did not start — press Camera again, or choose another in Settings → Station</source>
        <translation>La caméra n&apos;a pas démarré — appuyez de nouveau sur Caméra ou choisissez-en une autre dans Paramètres → Poste</translation>
    </message>
</context>
<context>
    <name>qrt::core</name>
    <message>
        <source>Changing a ticket from %1 to %2 needs a reason.</source>
        <translation>Passer un billet de %1 à %2 nécessite un motif.</translation>
    </message>
    <message>
        <source>The ticket is already %1.</source>
        <translation>Le billet est déjà %1.</translation>
    </message>
    <message>
        <source>A cancelled ticket cannot be admitted; restore it to live first.</source>
        <translation>Un billet annulé ne peut pas être admis ; restaurez-le d&apos;abord en valide.</translation>
    </message>
</context>
<context>
    <name>qrt::core::Config</name>
    <message>
        <source>at most %1 characters</source>
        <translation>au plus %1 caractères</translation>
    </message>
    <message>
        <source>must not be empty</source>
        <translation>ne doit pas être vide</translation>
    </message>
    <message>
        <source>a whole number from %1 to %2</source>
        <translation>un nombre entier de %1 à %2</translation>
    </message>
    <message>
        <source>true or false</source>
        <translation>true ou false</translation>
    </message>
    <message>
        <source>one of %1</source>
        <translation>l&apos;une des valeurs %1</translation>
    </message>
    <message>
        <source>an http:// or https:// URL such as https://services.leadconnectorhq.com</source>
        <translation>une URL http:// ou https:// comme https://services.leadconnectorhq.com</translation>
    </message>
    <message>
        <source>sqlite:///path/file.db or postgresql://user:password@host:port/dbname</source>
        <translation>sqlite:///chemin/fichier.db ou postgresql://utilisateur:motdepasse@hôte:port/nombd</translation>
    </message>
    <message>
        <source>an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)</source>
        <translation>une adresse IP comme 127.0.0.1 (cette machine uniquement) ou 0.0.0.0 (toutes les interfaces)</translation>
    </message>
    <message>
        <source>a path starting with / such as /api/ghl/webhook-qr (not /healthz or /ws)</source>
        <translation>un chemin commençant par / comme /api/ghl/webhook-qr (pas /healthz ni /ws)</translation>
    </message>
    <message>
        <source>a URL containing {order_id}, such as https://qr.example.com/orders/{order_id}</source>
        <translation>une URL contenant {order_id}, comme https://qr.example.com/orders/{order_id}</translation>
    </message>
    <message>
        <source>The configuration file %1 does not exist.</source>
        <translation>Le fichier de configuration %1 n&apos;existe pas.</translation>
    </message>
    <message>
        <source>The configuration file %1 could not be read; check that it is an INI file.</source>
        <translation>Le fichier de configuration %1 n&apos;a pas pu être lu ; vérifiez qu&apos;il s&apos;agit d&apos;un fichier INI.</translation>
    </message>
    <message>
        <source> (in %1)</source>
        <translation> (dans %1)</translation>
    </message>
    <message>
        <source>The settings could not be saved to %1; check that the folder is writable.</source>
        <translation>Les paramètres n&apos;ont pas pu être enregistrés dans %1 ; vérifiez que le dossier est accessible en écriture.</translation>
    </message>
    <message>
        <source>(hidden)</source>
        <translation>(masqué)</translation>
    </message>
    <message>
        <source>Invalid value %1 for %2 (environment variable %3): %4</source>
        <translation>Valeur invalide %1 pour %2 (variable d&apos;environnement %3) : %4</translation>
    </message>
    <message>
        <source>0 (off) or a whole number from %1 to %2</source>
        <translation>0 (désactivé) ou un nombre entier de %1 à %2</translation>
    </message>
</context>
<context>
    <name>qrt::core::Order</name>
    <message>
        <source>paid</source>
        <translation>payée</translation>
    </message>
    <message>
        <source>unpaid</source>
        <translation>non payée</translation>
    </message>
    <message>
        <source>partially paid</source>
        <translation>payée en partie</translation>
    </message>
    <message>
        <source>refunded</source>
        <translation>remboursée</translation>
    </message>
    <message>
        <source>partially refunded</source>
        <translation>remboursée en partie</translation>
    </message>
    <message>
        <source>pending</source>
        <translation>en attente</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>échouée</translation>
    </message>
    <message>
        <source>voided</source>
        <translation>invalidée</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulée</translation>
    </message>
</context>
<context>
    <name>qrt::core::PinHash</name>
    <message>
        <source>The station&apos;s PIN setting ([station] pin_hash) is not a PIN hash QR Tickets made. Set the PIN again in Settings → Station, or remove the line from the settings file.</source>
        <translation>Le réglage du PIN du poste ([station] pin_hash) n&apos;est pas une empreinte de PIN créée par QR Tickets. Définissez de nouveau le PIN dans Paramètres → Poste, ou supprimez la ligne du fichier de paramètres.</translation>
    </message>
    <message>
        <source>The PIN could not be checked (OpenSSL&apos;s scrypt failed).</source>
        <translation>Le PIN n&apos;a pas pu être vérifié (échec de scrypt d&apos;OpenSSL).</translation>
    </message>
</context>
<context>
    <name>qrt::core::TicketStatus</name>
    <message>
        <source>live</source>
        <translation>valide</translation>
    </message>
    <message>
        <source>used</source>
        <translation>utilisé</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>annulé</translation>
    </message>
</context>
<context>
    <name>qrt::db::ArrivalsRepository</name>
    <message>
        <source>read the latest admission</source>
        <translation>lire la dernière admission</translation>
    </message>
    <message>
        <source>count admissions over time</source>
        <translation>compter les admissions au fil du temps</translation>
    </message>
    <message>
        <source>count who is inside</source>
        <translation>compter qui est à l’intérieur</translation>
    </message>
</context>
<context>
    <name>qrt::db::Database</name>
    <message>
        <source>The Qt %1 database driver (%2) is not installed; reinstall QR Tickets or add the Qt SQL driver package.</source>
        <translation>Le pilote de base de données Qt %1 (%2) n&apos;est pas installé ; réinstallez QR Tickets ou ajoutez le paquet du pilote Qt SQL.</translation>
    </message>
    <message>
        <source>check the connection</source>
        <translation>vérifier la connexion</translation>
    </message>
    <message>
        <source>The database file %1 cannot be opened. Check that the folder exists and is writable.</source>
        <translation>Le fichier de base de données %1 ne peut pas être ouvert. Vérifiez que le dossier existe et est accessible en écriture.</translation>
    </message>
    <message>
        <source>PostgreSQL at %1:%2 refused the user name or password. Check the user and password in the database URL.</source>
        <translation>PostgreSQL sur %1:%2 a refusé le nom d&apos;utilisateur ou le mot de passe. Vérifiez l&apos;utilisateur et le mot de passe dans l&apos;URL de la base de données.</translation>
    </message>
    <message>
        <source>The database &quot;%1&quot; does not exist on the PostgreSQL server %2:%3. Create it, or fix the name in the database URL.</source>
        <translation>La base de données « %1 » n&apos;existe pas sur le serveur PostgreSQL %2:%3. Créez-la ou corrigez le nom dans l&apos;URL de la base de données.</translation>
    </message>
    <message>
        <source>The PostgreSQL server at %1:%2 cannot be reached. Check that it is running and that the host and port in the database URL are right.</source>
        <translation>Le serveur PostgreSQL sur %1:%2 est injoignable. Vérifiez qu&apos;il fonctionne et que l&apos;hôte et le port de l&apos;URL de la base de données sont corrects.</translation>
    </message>
    <message>
        <source>The database reported an error.</source>
        <translation>La base de données a signalé une erreur.</translation>
    </message>
    <message>
        <source>The connection to the database was lost while trying to %1. It will reconnect on the next attempt; if this repeats, check the database server.</source>
        <translation>La connexion à la base de données a été perdue en tentant de %1. Elle sera rétablie à la prochaine tentative ; si cela se répète, vérifiez le serveur de base de données.</translation>
    </message>
    <message>
        <source>The database could not %1.</source>
        <translation>La base de données n&apos;a pas pu %1.</translation>
    </message>
    <message>
        <source>start a transaction</source>
        <translation>démarrer une transaction</translation>
    </message>
    <message>
        <source>save the changes</source>
        <translation>enregistrer les modifications</translation>
    </message>
    <message>
        <source>set the statement timeout</source>
        <translation>définir le délai d&apos;exécution des requêtes</translation>
    </message>
    <message>
        <source>The database server %1 did not answer within %2 s while trying to %3. Check the network to the database server; the next attempt connects again.</source>
        <translation>Le serveur de base de données %1 n&apos;a pas répondu en %2 s en tentant de %3. Vérifiez le réseau jusqu&apos;au serveur de base de données ; la prochaine tentative se reconnecte.</translation>
    </message>
    <message>
        <source>The database did not finish in time while trying to %1 (another station or a sync may be holding the rows). Try again.</source>
        <translation>La base de données n&apos;a pas terminé à temps en tentant de %1 (un autre poste ou une synchronisation bloque peut-être les lignes). Réessayez.</translation>
    </message>
    <message>
        <source>The database could not %1 because another station changed the same rows at the same moment.</source>
        <translation>La base de données n&apos;a pas pu %1 car un autre poste a modifié les mêmes lignes au même moment.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DatabaseUrl</name>
    <message>
        <source>it is empty</source>
        <translation>elle est vide</translation>
    </message>
    <message>
        <source>it is not a valid URL</source>
        <translation>ce n&apos;est pas une URL valide</translation>
    </message>
    <message>
        <source>a SQLite URL has three slashes before an absolute path (sqlite:///home/me/qr.db)</source>
        <translation>une URL SQLite a trois barres obliques avant un chemin absolu (sqlite:///home/moi/qr.db)</translation>
    </message>
    <message>
        <source>it names no database file</source>
        <translation>elle ne désigne aucun fichier de base de données</translation>
    </message>
    <message>
        <source>it names no server host</source>
        <translation>elle ne désigne aucun hôte serveur</translation>
    </message>
    <message>
        <source>option %1 contains &apos;;&apos;</source>
        <translation>l&apos;option %1 contient « ; »</translation>
    </message>
    <message>
        <source>the scheme &apos;%1&apos; is not supported</source>
        <translation>le schéma « %1 » n&apos;est pas pris en charge</translation>
    </message>
    <message>
        <source>The database URL is not usable: %1. Use sqlite:///path/file.db or postgresql://user:password@host:port/dbname.</source>
        <translation>L&apos;URL de la base de données n&apos;est pas utilisable : %1. Utilisez sqlite:///chemin/fichier.db ou postgresql://utilisateur:motdepasse@hôte:port/nombd.</translation>
    </message>
</context>
<context>
    <name>qrt::db::DoorFunctions</name>
    <message>
        <source>read the connected user&apos;s role</source>
        <translation>lire le rôle de l&apos;utilisateur connecté</translation>
    </message>
    <message>
        <source>admit %1</source>
        <translation>admettre %1</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>annuler l&apos;admission du billet %1</translation>
    </message>
    <message>
        <source>read the door cache</source>
        <translation>lire le cache d&apos;entrée</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>admettre le billet %1</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>enregistrer un conflit d&apos;une admission hors ligne</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>lire le billet %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::FieldMappingRepository</name>
    <message>
        <source>read the field mappings</source>
        <translation>lire les correspondances de champs</translation>
    </message>
    <message>
        <source>read the field mapping of product %1</source>
        <translation>lire la correspondance de champ du produit %1</translation>
    </message>
    <message>
        <source>A field mapping needs a product and a custom field.</source>
        <translation>Une correspondance de champ nécessite un produit et un champ personnalisé.</translation>
    </message>
    <message>
        <source>save the field mapping of product %1</source>
        <translation>enregistrer la correspondance de champ du produit %1</translation>
    </message>
    <message>
        <source>remove the field mapping of product %1</source>
        <translation>supprimer la correspondance de champ du produit %1</translation>
    </message>
    <message>
        <source>save the type of custom field %1</source>
        <translation>enregistrer le type du champ personnalisé %1</translation>
    </message>
    <message>
        <source>save the ticket PDF field of product %1</source>
        <translation>enregistrer le champ du PDF des billets du produit %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::InboxRepository</name>
    <message>
        <source>store the webhook for order %1</source>
        <translation>stocker le webhook de la commande %1</translation>
    </message>
    <message>
        <source>take the next webhook from the inbox</source>
        <translation>prendre le webhook suivant dans la boîte de réception</translation>
    </message>
    <message>
        <source>mark webhook %1 as processed</source>
        <translation>marquer le webhook %1 comme traité</translation>
    </message>
    <message>
        <source>Webhook %1 is not in the inbox.</source>
        <translation>Le webhook %1 n&apos;est pas dans la boîte de réception.</translation>
    </message>
    <message>
        <source>record the failure of webhook %1</source>
        <translation>enregistrer l&apos;échec du webhook %1</translation>
    </message>
    <message>
        <source>record the contact update of webhook %1</source>
        <translation>enregistrer la mise à jour du contact du webhook %1</translation>
    </message>
    <message>
        <source>resume interrupted webhooks</source>
        <translation>reprendre les webhooks interrompus</translation>
    </message>
    <message>
        <source>retry webhook %1</source>
        <translation>réessayer le webhook %1</translation>
    </message>
    <message>
        <source>count the webhooks in the inbox</source>
        <translation>compter les webhooks de la boîte de réception</translation>
    </message>
    <message>
        <source>read the last webhook error</source>
        <translation>lire la dernière erreur de webhook</translation>
    </message>
    <message>
        <source>read the recent webhooks</source>
        <translation>lire les webhooks récents</translation>
    </message>
    <message>
        <source>read webhook %1</source>
        <translation>lire le webhook %1</translation>
    </message>
    <message>
        <source>store %1 webhooks</source>
        <translation>stocker %1 webhooks</translation>
    </message>
    <message>
        <source>prepare the webhook inbox</source>
        <translation>préparer la boîte de réception des webhooks</translation>
    </message>
    <message>
        <source>prepare storing %1 webhooks</source>
        <translation>préparer l&apos;enregistrement de %1 webhooks</translation>
    </message>
    <message>
        <source>look up webhook %1</source>
        <translation>rechercher le webhook %1</translation>
    </message>
    <message>
        <source>take over a webhook whose worker stopped</source>
        <translation>reprendre un webhook dont le traitement s’est arrêté</translation>
    </message>
    <message>
        <source>renew the claim on webhook %1</source>
        <translation>renouveler la réservation du webhook %1</translation>
    </message>
    <message>
        <source>retry the failed webhooks</source>
        <translation>réessayer les webhooks en échec</translation>
    </message>
    <message>
        <source>delete old processed webhooks</source>
        <translation>supprimer les anciens webhooks traités</translation>
    </message>
    <message>
        <source>Webhook %1 was taken over by another worker after its claim ran out; its result was not recorded here.</source>
        <translation>Le webhook %1 a été repris par un autre traitement après l&apos;expiration de sa réservation ; son résultat n&apos;a pas été enregistré ici.</translation>
    </message>
    <message>
        <source>check the right to write the webhook inbox</source>
        <translation>vérifier le droit d&apos;écrire dans la boîte de réception des webhooks</translation>
    </message>
</context>
<context>
    <name>qrt::db::Migrator</name>
    <message>
        <source>create the schema_migrations table</source>
        <translation>créer la table schema_migrations</translation>
    </message>
    <message>
        <source>lock the schema for migration</source>
        <translation>verrouiller le schéma pour la migration</translation>
    </message>
    <message>
        <source>read the applied migrations</source>
        <translation>lire les migrations appliquées</translation>
    </message>
    <message>
        <source>apply migration %1 (%2)</source>
        <translation>appliquer la migration %1 (%2)</translation>
    </message>
    <message>
        <source>record migration %1</source>
        <translation>enregistrer la migration %1</translation>
    </message>
    <message>
        <source>The database schema is older than this program needs, and this database login may not change it (an operator login). Run `qrtickets migrate` and `qrtickets roles install` with the database owner&apos;s URL, then start again.</source>
        <translation>Le schéma de la base de données est plus ancien que ce dont ce programme a besoin, et cet identifiant de base de données ne peut pas le modifier (identifiant d&apos;opérateur). Lancez `qrtickets migrate` et `qrtickets roles install` avec l&apos;URL du propriétaire de la base de données, puis redémarrez.</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderRepository</name>
    <message>
        <source>An order without an id cannot be saved.</source>
        <translation>Une commande sans identifiant ne peut pas être enregistrée.</translation>
    </message>
    <message>
        <source>save order %1</source>
        <translation>enregistrer la commande %1</translation>
    </message>
    <message>
        <source>prepare saving orders</source>
        <translation>préparer l&apos;enregistrement des commandes</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>lire la commande %1</translation>
    </message>
    <message>
        <source>list orders</source>
        <translation>lister les commandes</translation>
    </message>
    <message>
        <source>count orders</source>
        <translation>compter les commandes</translation>
    </message>
    <message>
        <source>list events</source>
        <translation>lister les événements</translation>
    </message>
    <message>
        <source>list payment statuses</source>
        <translation>lister les statuts de paiement</translation>
    </message>
    <message>
        <source>read when orders last changed</source>
        <translation>lire la date de dernière modification des commandes</translation>
    </message>
    <message>
        <source>store the QR code of order %1</source>
        <translation>stocker le QR code de la commande %1</translation>
    </message>
    <message>
        <source>Order %1 is not in the database.</source>
        <translation>La commande %1 n&apos;est pas dans la base de données.</translation>
    </message>
    <message>
        <source>find a guest by name</source>
        <translation>chercher un invité par son nom</translation>
    </message>
</context>
<context>
    <name>qrt::db::OrderWriter</name>
    <message>
        <source>prepare saving orders</source>
        <translation>préparer l&apos;enregistrement des commandes</translation>
    </message>
    <message>
        <source>lock the tickets of order %1</source>
        <translation>verrouiller les billets de la commande %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::Roles</name>
    <message>
        <source>--role must be admin or door, not &apos;%1&apos;.</source>
        <translation>--role doit être admin ou door, pas &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; n&apos;est pas une adresse e-mail.</translation>
    </message>
    <message>
        <source>A database role named %1 already exists: choose another name, or remove the operator first (`qrtickets operator remove %1`).</source>
        <translation>Un rôle de base de données nommé %1 existe déjà : choisissez un autre nom, ou supprimez d&apos;abord l&apos;opérateur (`qrtickets operator remove %1`).</translation>
    </message>
    <message>
        <source>create the login %1</source>
        <translation>créer l&apos;identifiant %1</translation>
    </message>
    <message>
        <source>link user %1 to %2</source>
        <translation>lier l&apos;utilisateur %1 à %2</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>ajouter l&apos;utilisateur %1</translation>
    </message>
    <message>
        <source>list the operators</source>
        <translation>lister les opérateurs</translation>
    </message>
    <message>
        <source>%1 is not a QR Tickets operator (no login in qrtickets_admin or qrtickets_door); nothing was changed.</source>
        <translation>%1 n&apos;est pas un opérateur de QR Tickets (aucun identifiant dans qrtickets_admin ou qrtickets_door) ; rien n&apos;a été modifié.</translation>
    </message>
    <message>
        <source>lock out %1</source>
        <translation>bloquer l&apos;accès de %1</translation>
    </message>
    <message>
        <source>check the rights on %1</source>
        <translation>vérifier les droits sur %1</translation>
    </message>
    <message>
        <source>take over the sessions of %1</source>
        <translation>prendre le contrôle des sessions de %1</translation>
    </message>
    <message>
        <source>end the sessions of %1</source>
        <translation>mettre fin aux sessions de %1</translation>
    </message>
    <message>
        <source>unlink the users of %1</source>
        <translation>délier les utilisateurs de %1</translation>
    </message>
    <message>
        <source>drop the login %1</source>
        <translation>supprimer l&apos;identifiant %1</translation>
    </message>
    <message>
        <source>Operators and roles need PostgreSQL: this station uses SQLite (%1), which has no database users. On SQLite, Settings can require a PIN to leave the check-in screen.</source>
        <translation>Les opérateurs et les rôles nécessitent PostgreSQL : ce poste utilise SQLite (%1), qui n&apos;a pas d&apos;utilisateurs de base de données. Avec SQLite, les Paramètres peuvent exiger un code PIN pour quitter l&apos;écran de contrôle.</translation>
    </message>
    <message>
        <source>read the connecting role&apos;s rights</source>
        <translation>lire les droits du rôle qui se connecte</translation>
    </message>
    <message>
        <source>The database user %1 may not create roles (it lacks CREATEROLE). Run this command with the database owner&apos;s URL (on Supabase: the postgres user), e.g. --database postgresql://postgres:…@host:5432/db.</source>
        <translation>L&apos;utilisateur de base de données %1 ne peut pas créer de rôles (il n&apos;a pas CREATEROLE). Lancez cette commande avec l&apos;URL du propriétaire de la base de données (sur Supabase : l&apos;utilisateur postgres), p. ex. --database postgresql://postgres:…@host:5432/db.</translation>
    </message>
    <message>
        <source>look for the QR Tickets group roles</source>
        <translation>rechercher les rôles de groupe de QR Tickets</translation>
    </message>
    <message>
        <source>The group roles qrtickets_admin and qrtickets_door do not exist yet. Run `qrtickets roles install` first.</source>
        <translation>Les rôles de groupe qrtickets_admin et qrtickets_door n&apos;existent pas encore. Lancez d&apos;abord `qrtickets roles install`.</translation>
    </message>
    <message>
        <source>look for role %1</source>
        <translation>rechercher le rôle %1</translation>
    </message>
    <message>
        <source>read the groups of role %1</source>
        <translation>lire les groupes du rôle %1</translation>
    </message>
    <message>
        <source>&apos;%1&apos; cannot be an operator&apos;s name: use lower-case letters, digits and &apos;_&apos; (starting with a letter, at most 63), e.g. door_north.</source>
        <translation>&apos;%1&apos; ne peut pas être un nom d&apos;opérateur : utilisez des lettres minuscules, des chiffres et &apos;_&apos; (en commençant par une lettre, 63 au plus), p. ex. door_north.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is reserved; choose another operator name.</source>
        <translation>&apos;%1&apos; est réservé ; choisissez un autre nom d&apos;opérateur.</translation>
    </message>
    <message>
        <source>The database schema is at version %1; the roles need version %2. Run `qrtickets migrate` first.</source>
        <translation>Le schéma de la base de données est en version %1 ; les rôles ont besoin de la version %2. Lancez d&apos;abord `qrtickets migrate`.</translation>
    </message>
    <message>
        <source>read who owns the tables</source>
        <translation>lire à qui appartiennent les tables</translation>
    </message>
    <message>
        <source>The tables belong to %1: run `qrtickets roles install` with that user&apos;s URL.</source>
        <translation>Les tables appartiennent à %1 : lancez `qrtickets roles install` avec l&apos;URL de cet utilisateur.</translation>
    </message>
    <message>
        <source>The roles script is missing from this program.</source>
        <translation>Le script des rôles manque dans ce programme.</translation>
    </message>
    <message>
        <source>The tables are in schema %1, whose name holds &apos;$&apos; or a quote: roles need a schema name without them.</source>
        <translation>Les tables sont dans le schéma %1, dont le nom contient &apos;$&apos; ou un guillemet : les rôles ont besoin d&apos;un nom de schéma sans ces caractères.</translation>
    </message>
    <message>
        <source>lock the schema</source>
        <translation>verrouiller le schéma</translation>
    </message>
    <message>
        <source>quieten notices</source>
        <translation>faire taire les avis</translation>
    </message>
    <message>
        <source>install the roles</source>
        <translation>installer les rôles</translation>
    </message>
</context>
<context>
    <name>qrt::db::SearchText</name>
    <message>
        <source>prepare saving the search text of orders</source>
        <translation>préparer l&apos;enregistrement du texte de recherche des commandes</translation>
    </message>
    <message>
        <source>save the search text of order %1</source>
        <translation>enregistrer le texte de recherche de la commande %1</translation>
    </message>
    <message>
        <source>read the search text of orders</source>
        <translation>lire le texte de recherche des commandes</translation>
    </message>
    <message>
        <source>The SQLite driver gave no database handle.</source>
        <translation>Le pilote SQLite n&apos;a fourni aucun descripteur de base de données.</translation>
    </message>
    <message>
        <source>The SQLite database is not open.</source>
        <translation>La base de données SQLite n&apos;est pas ouverte.</translation>
    </message>
    <message>
        <source>The name sort order could not be set up for SQLite.</source>
        <translation>L&apos;ordre de tri des noms n&apos;a pas pu être configuré pour SQLite.</translation>
    </message>
</context>
<context>
    <name>qrt::db::SyncRunRepository</name>
    <message>
        <source>record the start of a sync run</source>
        <translation>enregistrer le début d&apos;une synchronisation</translation>
    </message>
    <message>
        <source>record the outcome of sync run %1</source>
        <translation>enregistrer le résultat de la synchronisation %1</translation>
    </message>
    <message>
        <source>Sync run %1 is not recorded.</source>
        <translation>La synchronisation %1 n&apos;est pas enregistrée.</translation>
    </message>
    <message>
        <source>read the sync history</source>
        <translation>lire l&apos;historique de synchronisation</translation>
    </message>
    <message>
        <source>record that sync run %1 is alive</source>
        <translation>noter que la synchronisation %1 est toujours en cours</translation>
    </message>
    <message>
        <source>record the progress of sync run %1</source>
        <translation>enregistrer la progression de la synchronisation %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::TicketRepository</name>
    <message>
        <source>read the latest ticket changes</source>
        <translation>lire les dernières modifications des billets</translation>
    </message>
    <message>
        <source>read the tickets of order %1</source>
        <translation>lire les billets de la commande %1</translation>
    </message>
    <message>
        <source>Ticket %1 has the unknown status &apos;%2&apos; and was left as it is.</source>
        <translation>Le billet %1 a le statut inconnu « %2 » et a été laissé tel quel.</translation>
    </message>
    <message>
        <source>assign ticket %1 to its event</source>
        <translation>rattacher le billet %1 à son événement</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL grew to %2</source>
        <translation>la quantité de %1 dans GHL est passée à %2</translation>
    </message>
    <message>
        <source>add a ticket to order %1</source>
        <translation>ajouter un billet à la commande %1</translation>
    </message>
    <message>
        <source>bought in GHL (%1 x %2)</source>
        <translation>acheté dans GHL (%1 x %2)</translation>
    </message>
    <message>
        <source>order %1 in GHL</source>
        <translation>commande %1 dans GHL</translation>
    </message>
    <message>
        <source>quantity of %1 in GHL fell to %2</source>
        <translation>la quantité de %1 dans GHL est tombée à %2</translation>
    </message>
    <message>
        <source>Order %1: GHL reports %2 x %3 but %4 more are already used or were admitted meanwhile; they were left as they are.</source>
        <translation>Commande %1 : GHL indique %2 x %3, mais %4 de plus sont déjà utilisés ou ont été admis entre-temps ; ils ont été laissés tels quels.</translation>
    </message>
    <message>
        <source>read ticket %1</source>
        <translation>lire le billet %1</translation>
    </message>
    <message>
        <source>look up a ticket code</source>
        <translation>rechercher un code de billet</translation>
    </message>
    <message>
        <source>Ticket %1 does not exist.</source>
        <translation>Le billet %1 n&apos;existe pas.</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else a moment ago; look at it again.</source>
        <translation>Le billet %1 vient d&apos;être modifié par quelqu&apos;un d&apos;autre ; regardez-le à nouveau.</translation>
    </message>
    <message>
        <source>read the tickets to change</source>
        <translation>lire les billets à modifier</translation>
    </message>
    <message>
        <source>count the tickets of order %1</source>
        <translation>compter les billets de la commande %1</translation>
    </message>
    <message>
        <source>admit ticket %1</source>
        <translation>admettre le billet %1</translation>
    </message>
    <message>
        <source>find a ticket to admit</source>
        <translation>trouver un billet à admettre</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>La commande %1 est en cours d&apos;admission à un autre poste ; réessayez.</translation>
    </message>
    <message>
        <source>read the history of order %1</source>
        <translation>lire l&apos;historique de la commande %1</translation>
    </message>
    <message>
        <source>count tickets per event</source>
        <translation>compter les billets par événement</translation>
    </message>
    <message>
        <source>record the ticket change</source>
        <translation>enregistrer la modification du billet</translation>
    </message>
    <message>
        <source>change ticket %1</source>
        <translation>modifier le billet %1</translation>
    </message>
    <message>
        <source>Ticket %1: %2</source>
        <translation>Billet %1 : %2</translation>
    </message>
    <message>
        <source>Ticket %1 was changed by someone else meanwhile.</source>
        <translation>Le billet %1 a été modifié entre-temps par quelqu&apos;un d&apos;autre.</translation>
    </message>
    <message>
        <source>Order %1 changed at the door while syncing; some tickets were left as they are. Sync again to finish.</source>
        <translation>La commande %1 a changé à l’entrée pendant la synchronisation ; certains billets sont restés tels quels. Synchronisez à nouveau pour terminer.</translation>
    </message>
    <message>
        <source>read the door list</source>
        <translation>lire la liste d&apos;entrée</translation>
    </message>
    <message>
        <source>undo the admission of ticket %1</source>
        <translation>annuler l&apos;admission du billet %1</translation>
    </message>
    <message>
        <source>Ticket %1 no longer exists.</source>
        <translation>Le billet %1 n&apos;existe plus.</translation>
    </message>
    <message>
        <source>Ticket %1 stays used: it was admitted again by %2.</source>
        <translation>Le billet %1 reste utilisé : %2 l’a de nouveau admis.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>un autre poste</translation>
    </message>
    <message>
        <source>Ticket %1 stays %2: it was changed meanwhile.</source>
        <translation>Le billet %1 reste %2 : il a été modifié entre-temps.</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>lire la commande %1</translation>
    </message>
    <message>
        <source>read the ticket %1</source>
        <translation>lire le billet %1</translation>
    </message>
</context>
<context>
    <name>qrt::db::UserRepository</name>
    <message>
        <source>read the users</source>
        <translation>lire les utilisateurs</translation>
    </message>
    <message>
        <source>save user %1</source>
        <translation>enregistrer l&apos;utilisateur %1</translation>
    </message>
    <message>
        <source>remove user %1</source>
        <translation>supprimer l&apos;utilisateur %1</translation>
    </message>
    <message>
        <source>Which user to change is missing.</source>
        <translation>Il manque l&apos;utilisateur à modifier.</translation>
    </message>
    <message>
        <source>A user needs a name.</source>
        <translation>Un utilisateur doit avoir un nom.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address: a user needs a valid one.</source>
        <translation>&apos;%1&apos; n&apos;est pas une adresse e-mail : un utilisateur doit en avoir une valide.</translation>
    </message>
    <message>
        <source>A user&apos;s type must be Admin, Super Admin or Door, not &apos;%1&apos;.</source>
        <translation>Le type d&apos;un utilisateur doit être Admin, Super admin ou Entrée, pas &apos;%1&apos;.</translation>
    </message>
    <message>
        <source>look for user %1</source>
        <translation>rechercher l&apos;utilisateur %1</translation>
    </message>
    <message>
        <source>Another user already has the e-mail address %1.</source>
        <translation>Un autre utilisateur a déjà l&apos;adresse e-mail %1.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 a déjà l&apos;adresse e-mail %2 : chaque utilisateur doit avoir la sienne.</translation>
    </message>
    <message>
        <source>add user %1</source>
        <translation>ajouter l&apos;utilisateur %1</translation>
    </message>
    <message>
        <source>The user %1 is gone: another station removed it.</source>
        <translation>L&apos;utilisateur %1 n&apos;existe plus : un autre poste l&apos;a supprimé.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCache</name>
    <message>
        <source>prepare the door cache&apos;s journal</source>
        <translation>préparer le journal du cache d&apos;entrée</translation>
    </message>
    <message>
        <source>write the door cache&apos;s settings</source>
        <translation>écrire les paramètres du cache d&apos;entrée</translation>
    </message>
    <message>
        <source>read the door cache&apos;s settings</source>
        <translation>lire les paramètres du cache d&apos;entrée</translation>
    </message>
    <message>
        <source>read the rows the door needs</source>
        <translation>lire les lignes dont l&apos;entrée a besoin</translation>
    </message>
    <message>
        <source>copy the door&apos;s rows into the door cache</source>
        <translation>copier les lignes de l&apos;entrée dans le cache d&apos;entrée</translation>
    </message>
    <message>
        <source>read the queued admissions</source>
        <translation>lire les admissions en attente</translation>
    </message>
    <message>
        <source>count the queued admissions</source>
        <translation>compter les admissions en attente</translation>
    </message>
    <message>
        <source>mark a queued admission uploaded</source>
        <translation>marquer une admission en attente comme envoyée</translation>
    </message>
    <message>
        <source>record a conflict of a queued admission</source>
        <translation>enregistrer un conflit d&apos;une admission en attente</translation>
    </message>
    <message>
        <source>note an admission in the door cache</source>
        <translation>noter une admission dans le cache d&apos;entrée</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorCheck</name>
    <message>
        <source>an unknown station</source>
        <translation>un poste inconnu</translation>
    </message>
    <message>
        <source>by %1 at an unknown time</source>
        <translation>par %1 à une heure inconnue</translation>
    </message>
    <message>
        <source>by %1 on %2 at %3</source>
        <translation>par %1 le %2 à %3</translation>
    </message>
    <message>
        <source>Payment: %1</source>
        <translation>Paiement : %1</translation>
    </message>
    <message>
        <source>not known</source>
        <translation>inconnu</translation>
    </message>
    <message>
        <source>Could not check in</source>
        <translation>Contrôle impossible</translation>
    </message>
    <message>
        <source>Not a ticket</source>
        <translation>Pas un billet</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is neither a ticket code nor an order link. Scan the QR code on the ticket.</source>
        <translation>« %1 » n&apos;est ni un code de billet ni un lien de commande. Scannez le QR code du billet.</translation>
    </message>
    <message>
        <source>Unknown ticket</source>
        <translation>Billet inconnu</translation>
    </message>
    <message>
        <source>No ticket has the code %1. If the order is new, press Sync (F5) and scan again.</source>
        <translation>Aucun billet n&apos;a le code %1. Si la commande est nouvelle, appuyez sur Synchroniser (F5) et scannez à nouveau.</translation>
    </message>
    <message>
        <source>Unknown order</source>
        <translation>Commande inconnue</translation>
    </message>
    <message>
        <source>Order %1 is not in the database. If it is new, press Sync (F5) and scan again.</source>
        <translation>La commande %1 n&apos;est pas dans la base de données. Si elle est nouvelle, appuyez sur Synchroniser (F5) et scannez à nouveau.</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Remboursé</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulé</translation>
    </message>
    <message>
        <source>This order was refunded: its tickets are not valid.</source>
        <translation>Cette commande a été remboursée : ses billets ne sont pas valides.</translation>
    </message>
    <message>
        <source>This order was cancelled: its tickets are not valid.</source>
        <translation>Cette commande a été annulée : ses billets ne sont pas valides.</translation>
    </message>
    <message>
        <source>Other event: %1</source>
        <translation>Autre événement : %1</translation>
    </message>
    <message>
        <source>This station does not admit for this event. Send the guest to the right entrance.</source>
        <translation>Ce poste n&apos;admet pas pour cet événement. Envoyez l&apos;invité à la bonne entrée.</translation>
    </message>
    <message>
        <source>Already used</source>
        <translation>Déjà utilisé</translation>
    </message>
    <message>
        <source>All %1 tickets of this order are admitted.</source>
        <translation>Les %1 billets de cette commande sont tous admis.</translation>
    </message>
    <message>
        <source>Every ticket of this order is cancelled.</source>
        <translation>Tous les billets de cette commande sont annulés.</translation>
    </message>
    <message>
        <source>This ticket is cancelled.</source>
        <translation>Ce billet est annulé.</translation>
    </message>
    <message>
        <source>No tickets</source>
        <translation>Aucun billet</translation>
    </message>
    <message>
        <source>This order has no tickets yet. Press Sync (F5) and scan again.</source>
        <translation>Cette commande n&apos;a pas encore de billets. Appuyez sur Synchroniser (F5) et scannez à nouveau.</translation>
    </message>
    <message>
        <source>Not paid</source>
        <translation>Non payé</translation>
    </message>
    <message>
        <source>This order is %1; this station admits paid orders only.</source>
        <translation>Cette commande est %1 ; ce poste n&apos;admet que les commandes payées.</translation>
    </message>
    <message>
        <source>This order is %1. Press &quot;Admit anyway&quot; to let the guest in (recorded as unpaid).</source>
        <translation>Cette commande est %1. Appuyez sur « Admettre quand même » pour laisser entrer l&apos;invité (enregistré comme non payé).</translation>
    </message>
    <message>
        <source>Not admitted yet</source>
        <translation>Pas encore admis</translation>
    </message>
    <message>
        <source>%1 of %2 admitted</source>
        <translation>%1 sur %2 admis</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) to admit. Check who the guest is, then press Admit.</source>
        <translation>
            <numerusform>%n billet à admettre. Vérifiez l&apos;identité de l&apos;invité, puis admettez-le.</numerusform>
            <numerusform>%n billets à admettre. Vérifiez l&apos;identité de l&apos;invité, puis admettez-le.</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted %1 of %2</source>
        <translation>Admis : %1 sur %2</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) admitted now</source>
        <translation>
            <numerusform>%n billet admis maintenant</numerusform>
            <numerusform>%n billets admis maintenant</numerusform>
        </translation>
    </message>
    <message>
        <source>Ticket: %1</source>
        <translation>Billet : %1</translation>
    </message>
    <message>
        <source>Admitted although not paid.</source>
        <translation>Admis bien que non payé.</translation>
    </message>
    <message>
        <source>Stopped before the rest: %1 Press &quot;Admit all remaining&quot; again.</source>
        <translation>Arrêté avant le reste : %1 Appuyez de nouveau sur « Admettre tous les restants ».</translation>
    </message>
    <message>
        <source>Order %1 is being admitted at another station right now; try again.</source>
        <translation>La commande %1 est en cours d&apos;admission à un autre poste ; réessayez.</translation>
    </message>
    <message>
        <source>This door login cannot check tickets yet: the database lacks this version&apos;s door functions. Ask the admin to run `qrtickets roles install` again with the database owner&apos;s URL.</source>
        <translation>Cet identifiant d&apos;entrée ne peut pas encore vérifier les billets : il manque à la base de données les fonctions d&apos;entrée de cette version. Demandez à l&apos;administrateur de relancer `qrtickets roles install` avec l&apos;URL du propriétaire de la base de données.</translation>
    </message>
</context>
<context>
    <name>qrt::door::DoorStation</name>
    <message>
        <source>The station is closing; the rest is sent at the next start.</source>
        <translation>Le poste se ferme ; le reste sera envoyé au prochain démarrage.</translation>
    </message>
    <message>
        <source>record a conflict of an offline admission</source>
        <translation>enregistrer un conflit d&apos;une admission hors ligne</translation>
    </message>
    <message numerus="yes">
        <source>%n admission(s) made offline are still to be sent.</source>
        <translation>
            <numerusform>%n admission faite hors ligne reste à envoyer.</numerusform>
            <numerusform>%n admissions faites hors ligne restent à envoyer.</numerusform>
        </translation>
    </message>
    <message>
        <source>OFFLINE: door cache not ready</source>
        <translation>HORS LIGNE : cache d&apos;entrée pas prêt</translation>
    </message>
    <message>
        <source>The database does not answer, and this station had not finished copying the tickets (the door cache) before, so it cannot check this ticket offline. Check the network to the database; scans work again as soon as it answers.</source>
        <translation>La base de données ne répond pas, et ce poste n&apos;avait pas fini de copier les billets (le cache d&apos;entrée) auparavant : il ne peut donc pas vérifier ce billet hors ligne. Vérifiez le réseau vers la base de données ; les scans fonctionnent de nouveau dès qu&apos;elle répond.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy; sent to the database when it answers again.</source>
        <translation>HORS LIGNE : décidé d&apos;après la copie de ce poste ; envoyé à la base de données dès qu&apos;elle répond de nouveau.</translation>
    </message>
    <message>
        <source>OFFLINE: decided from this station&apos;s copy.</source>
        <translation>HORS LIGNE : décidé d&apos;après la copie de ce poste.</translation>
    </message>
    <message>
        <source>Undo needs the shared database: try again when online. This admission was made while online, and this station is OFFLINE now.</source>
        <translation>L&apos;annulation a besoin de la base de données partagée : réessayez une fois en ligne. Cette admission a été faite en ligne, et ce poste est maintenant HORS LIGNE.</translation>
    </message>
    <message>
        <source>Ticket %1 stays as it is: it is not admitted any more.</source>
        <translation>Le billet %1 reste tel quel : il n&apos;est plus admis.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted more than 10 minutes ago: only an admin can undo it.</source>
        <translation>Le billet %1 a été admis il y a plus de 10 minutes : seul un administrateur peut annuler cette admission.</translation>
    </message>
    <message>
        <source>Ticket %1 was admitted by another operator: only an admin can undo it.</source>
        <translation>Le billet %1 a été admis par un autre opérateur : seul un administrateur peut annuler cette admission.</translation>
    </message>
    <message>
        <source>A door login undoes only its own admissions, within 10 minutes of them.</source>
        <translation>Un identifiant d&apos;entrée n&apos;annule que ses propres admissions, dans les 10 minutes qui suivent.</translation>
    </message>
    <message numerus="yes">
        <source>%n more ticket(s) not tried: undo them again.</source>
        <translation>
            <numerusform>%n billet de plus non tenté : annulez-le de nouveau.</numerusform>
            <numerusform>%n billets de plus non tentés : annulez-les de nouveau.</numerusform>
        </translation>
    </message>
    <message>
        <source>read the order of ticket %1</source>
        <translation>lire la commande du billet %1</translation>
    </message>
    <message>
        <source>read order %1</source>
        <translation>lire la commande %1</translation>
    </message>
</context>
<context>
    <name>qrt::feed::EventFeed</name>
    <message>
        <source>The event feed cannot listen on %1 port %2.</source>
        <translation>Le flux d&apos;événements ne peut pas écouter sur %1 port %2.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ConnectionTest</name>
    <message numerus="yes">
        <source>Connected: the location has %n custom field(s).</source>
        <translation>
            <numerusform>Connecté : l&apos;emplacement a %n champ personnalisé.</numerusform>
            <numerusform>Connecté : l&apos;emplacement a %n champs personnalisés.</numerusform>
        </translation>
    </message>
    <message>
        <source>forms.write (QR codes into File upload fields)</source>
        <translation>forms.write (QR codes dans les champs de type Téléversement de fichier)</translation>
    </message>
    <message>
        <source>contacts.write (QR codes into Text and Large text fields)</source>
        <translation>contacts.write (QR codes dans les champs de type Texte et Texte long)</translation>
    </message>
    <message>
        <source>But the token lacks scope %1: add it to the Private Integration token.</source>
        <translation>Mais le jeton n&apos;a pas la portée %1 : ajoutez-la au jeton d&apos;intégration privée.</translation>
    </message>
    <message>
        <source>Could not check scope %1: GHL did not answer the check.</source>
        <translation>Impossible de vérifier la portée %1 : GHL n&apos;a pas répondu à la vérification.</translation>
    </message>
    <message>
        <source>contacts.readonly (checking a field before a QR code is written again)</source>
        <translation>contacts.readonly (vérifier un champ avant de réécrire un QR code)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetContactJob</name>
    <message>
        <source>contact %1 is not a JSON object</source>
        <translation>le contact %1 n&apos;est pas un objet JSON</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GetOrderJob</name>
    <message>
        <source>order %1 is not valid JSON (%2 at byte %3)</source>
        <translation>la commande %1 n&apos;est pas un JSON valide (%2 à l&apos;octet %3)</translation>
    </message>
    <message>
        <source>order %1 is not a JSON object</source>
        <translation>la commande %1 n&apos;est pas un objet JSON</translation>
    </message>
    <message>
        <source>GHL answered order %1 for %2; the answer is not stored.</source>
        <translation>GHL a renvoyé la commande %1 pour la demande %2 ; la réponse n&apos;est pas enregistrée.</translation>
    </message>
    <message>
        <source>Order %1 belongs to location %2, not to %3 (the configured location); it is not stored.</source>
        <translation>La commande %1 appartient à l&apos;emplacement %2, pas à %3 (l&apos;emplacement configuré) ; elle n&apos;est pas enregistrée.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlClient</name>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>La requête vers GHL a été annulée.</translation>
    </message>
    <message>
        <source>No GHL token is set: enter the Private Integration token (scope %1) in Settings.</source>
        <translation>Aucun jeton GHL n&apos;est défini : saisissez le jeton d&apos;intégration privée (portée %1) dans les paramètres.</translation>
    </message>
    <message>
        <source>The GHL base URL is not set or not valid; check it in Settings.</source>
        <translation>L&apos;URL de base GHL n&apos;est pas définie ou pas valide ; vérifiez-la dans les paramètres.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 401): the token is invalid or missing scope %1. Check the Private Integration token in Settings.</source>
        <translation>GHL a refusé la requête (HTTP 401) : le jeton est invalide ou n&apos;a pas la portée %1. Vérifiez le jeton d&apos;intégration privée dans les paramètres.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP 403): the token is invalid or missing scope %1, or it has no access to location %2. Check the token and the location id in Settings.</source>
        <translation>GHL a refusé la requête (HTTP 403) : le jeton est invalide, n&apos;a pas la portée %1 ou n&apos;a pas accès à l&apos;emplacement %2. Vérifiez le jeton et l&apos;identifiant d&apos;emplacement dans les paramètres.</translation>
    </message>
    <message>
        <source>GHL does not know what was asked for (%1): it may have been deleted.</source>
        <translation>GHL ne connaît pas l&apos;élément demandé (%1) : il a peut-être été supprimé.</translation>
    </message>
    <message>
        <source>GHL&apos;s rate limit was exceeded (too many requests).</source>
        <translation>La limite de requêtes de GHL a été dépassée (trop de requêtes).</translation>
    </message>
    <message>
        <source>GHL had a problem on its side (HTTP %1). Try again later.</source>
        <translation>GHL a rencontré un problème de son côté (HTTP %1). Réessayez plus tard.</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1).</source>
        <translation>GHL a refusé la requête (HTTP %1).</translation>
    </message>
    <message>
        <source>GHL refused the request (HTTP %1): %2</source>
        <translation>GHL a refusé la requête (HTTP %1) : %2</translation>
    </message>
    <message>
        <source>GHL did not answer within %1 seconds.</source>
        <translation>GHL n&apos;a pas répondu en %1 secondes.</translation>
    </message>
    <message>
        <source>Could not connect to GHL at %1: the connection was refused.</source>
        <translation>Impossible de se connecter à GHL sur %1 : la connexion a été refusée.</translation>
    </message>
    <message>
        <source>GHL at %1 closed the connection before answering.</source>
        <translation>GHL sur %1 a fermé la connexion avant de répondre.</translation>
    </message>
    <message>
        <source>The GHL server %1 could not be found. Check the internet connection and the base URL.</source>
        <translation>Le serveur GHL %1 est introuvable. Vérifiez la connexion internet et l&apos;URL de base.</translation>
    </message>
    <message>
        <source>No secure connection to GHL at %1 could be made (TLS error). Check the computer&apos;s date and time and any proxy or firewall.</source>
        <translation>Aucune connexion sécurisée à GHL sur %1 n&apos;a pu être établie (erreur TLS). Vérifiez la date et l&apos;heure de l&apos;ordinateur ainsi que le proxy ou le pare-feu.</translation>
    </message>
    <message>
        <source>The network is not available.</source>
        <translation>Le réseau n&apos;est pas disponible.</translation>
    </message>
    <message>
        <source>The proxy refused or failed the connection to GHL.</source>
        <translation>Le proxy a refusé ou échoué la connexion à GHL.</translation>
    </message>
    <message>
        <source>The connection to GHL at %1 failed.</source>
        <translation>La connexion à GHL sur %1 a échoué.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asks to wait %n minute(s) before the next request (its daily limit may be used up).</source>
        <translation>
            <numerusform>GHL demande d&apos;attendre %n minute avant la prochaine requête (la limite quotidienne est peut-être atteinte).</numerusform>
            <numerusform>GHL demande d&apos;attendre %n minutes avant la prochaine requête (la limite quotidienne est peut-être atteinte).</numerusform>
        </translation>
    </message>
    <message>
        <source>Gave up: GHL failed too often recently and the retry budget is used up.</source>
        <translation>Abandon : GHL a échoué trop souvent récemment et le budget de nouvelles tentatives est épuisé.</translation>
    </message>
    <message numerus="yes">
        <source>Gave up after %n attempt(s).</source>
        <translation>
            <numerusform>Abandon après %n tentative.</numerusform>
            <numerusform>Abandon après %n tentatives.</numerusform>
        </translation>
    </message>
    <message>
        <source>GHL kept answering &apos;too many requests&apos; (rate limit).</source>
        <translation>GHL a continué de répondre « trop de requêtes » (limite de requêtes).</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::GhlJob</name>
    <message>
        <source>The request was cancelled: the GHL connection is gone.</source>
        <translation>La requête a été annulée : la connexion GHL n&apos;existe plus.</translation>
    </message>
    <message>
        <source>The request to GHL was cancelled.</source>
        <translation>La requête vers GHL a été annulée.</translation>
    </message>
    <message>
        <source>GHL answered with malformed data: %1.</source>
        <translation>GHL a répondu avec des données mal formées : %1.</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListCustomFieldsJob</name>
    <message>
        <source>the custom field list is not valid JSON (%1 at byte %2)</source>
        <translation>la liste des champs personnalisés n&apos;est pas un JSON valide (%1 à l&apos;octet %2)</translation>
    </message>
    <message>
        <source>the custom field list has no &quot;customFields&quot; list</source>
        <translation>la liste des champs personnalisés n&apos;a pas de liste « customFields »</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::ListOrdersJob</name>
    <message>
        <source>the order list is not valid JSON (%1 at byte %2)</source>
        <translation>la liste des commandes n&apos;est pas un JSON valide (%1 à l&apos;octet %2)</translation>
    </message>
    <message>
        <source>the order list has no &quot;data&quot; list or no &quot;totalCount&quot;</source>
        <translation>la liste des commandes n&apos;a pas de liste « data » ou pas de « totalCount »</translation>
    </message>
    <message>
        <source>order %1 of the list has no id (_id)</source>
        <translation>la commande %1 de la liste n&apos;a pas d&apos;identifiant (_id)</translation>
    </message>
</context>
<context>
    <name>qrt::ghl::OrderJson</name>
    <message>
        <source>The order data from GHL is malformed: %1.</source>
        <translation>Les données de commande de GHL sont mal formées : %1.</translation>
    </message>
    <message>
        <source>The data of order %1 from GHL is malformed: %2.</source>
        <translation>Les données de la commande %1 venant de GHL sont mal formées : %2.</translation>
    </message>
    <message>
        <source>not valid JSON (%1 at byte %2)</source>
        <translation>JSON invalide (%1 à l&apos;octet %2)</translation>
    </message>
    <message>
        <source>expected a JSON object</source>
        <translation>objet JSON attendu</translation>
    </message>
    <message>
        <source>it has no order id (_id)</source>
        <translation>elle n&apos;a pas d&apos;identifiant de commande (_id)</translation>
    </message>
    <message>
        <source>the order id is longer than 64 characters</source>
        <translation>l&apos;identifiant de commande dépasse 64 caractères</translation>
    </message>
    <message>
        <source>amount is not a number</source>
        <translation>amount n&apos;est pas un nombre</translation>
    </message>
    <message>
        <source>items is not a list</source>
        <translation>items n&apos;est pas une liste</translation>
    </message>
    <message>
        <source>item %1 is not an object</source>
        <translation>l&apos;article %1 n&apos;est pas un objet</translation>
    </message>
    <message>
        <source>item %1 has no valid quantity (qty)</source>
        <translation>l&apos;article %1 n&apos;a pas de quantité valide (qty)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ArrivalsChart</name>
    <message>
        <source>Tickets admitted and not undone (their status is used). There is no exit scan: a guest who left still counts.</source>
        <translation>Billets admis et non annulés (leur statut est « utilisé »). Il n&apos;y a pas de scan à la sortie : un invité parti compte toujours.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes</source>
        <translation>Admissions par tranche de 15 minutes</translation>
    </message>
    <message numerus="yes">
        <source>%1 (%n inside)</source>
        <translation>
            <numerusform>%1 (%n à l’intérieur)</numerusform>
            <numerusform>%1 (%n à l’intérieur)</numerusform>
        </translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admis</translation>
    </message>
    <message>
        <source>Nobody admitted yet: admissions appear here per 15 minutes as guests arrive.</source>
        <translation>Personne n&apos;est encore admis : les admissions apparaissent ici par tranche de 15 minutes à mesure que les invités arrivent.</translation>
    </message>
    <message>
        <source>Admissions per 15 minutes, %1 %2 – %3</source>
        <translation>Admissions par tranche de 15 minutes, %1 %2 – %3</translation>
    </message>
    <message numerus="yes">
        <source>Inside now: %n</source>
        <translation>
            <numerusform>À l’intérieur maintenant : %n</numerusform>
            <numerusform>À l’intérieur maintenant : %n</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Admitted per 15 minutes: %1</source>
        <translation>Admis par tranche de 15 minutes : %1</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CameraPreview</name>
    <message>
        <source>Camera preview</source>
        <translation>Aperçu de la caméra</translation>
    </message>
    <message>
        <source>Starting %1…</source>
        <translation>Démarrage de %1…</translation>
    </message>
</context>
<context>
    <name>qrt::gui::CheckInPanel</name>
    <message>
        <source>Ready to scan</source>
        <translation>Prêt à scanner</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining (%1)</source>
        <translation>Admettre &amp;tous les restants (%1)</translation>
    </message>
    <message>
        <source>Admit &amp;all remaining</source>
        <translation>Admettre &amp;tous les restants</translation>
    </message>
    <message>
        <source>Undo failed</source>
        <translation>Échec de l&apos;annulation</translation>
    </message>
    <message>
        <source>Admission undone</source>
        <translation>Admission annulée</translation>
    </message>
    <message>
        <source>Open an image with a QR code</source>
        <translation>Ouvrir une image contenant un QR code</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)</source>
        <translation>Images (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>No QR code found</source>
        <translation>Aucun QR code trouvé</translation>
    </message>
    <message>
        <source>No readable QR code in %1. Try a sharper or larger image.</source>
        <translation>Aucun QR code lisible dans %1. Essayez une image plus nette ou plus grande.</translation>
    </message>
    <message>
        <source>Gate: %1</source>
        <translation>Entrée : %1</translation>
    </message>
    <message>
        <source>Admit o&amp;ne more</source>
        <translation>Admettre &amp;un de plus</translation>
    </message>
    <message>
        <source>Admit o&amp;ne</source>
        <translation>Admettre &amp;un</translation>
    </message>
    <message>
        <source>&amp;Undo last admission (%1)</source>
        <translation>A&amp;nnuler la dernière admission (%1)</translation>
    </message>
    <message>
        <source>&amp;Undo last admission</source>
        <translation>A&amp;nnuler la dernière admission</translation>
    </message>
    <message>
        <source>The last scan admitted nobody: nothing to undo</source>
        <translation>Le dernier scan n&apos;a admis personne : rien à annuler</translation>
    </message>
    <message numerus="yes">
        <source>Makes the %n ticket(s) just admitted live again</source>
        <translation>
            <numerusform>Rend à nouveau valide le billet qui vient d’être admis</numerusform>
            <numerusform>Rend à nouveau valides les %n billets qui viennent d’être admis</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) are live again.</source>
        <translation>
            <numerusform>%n billet est à nouveau valide.</numerusform>
            <numerusform>%n billets sont à nouveau valides.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) of %1 are live again.</source>
        <translation>
            <numerusform>%n billet de %1 est à nouveau valide.</numerusform>
            <numerusform>%n billets de %1 sont à nouveau valides.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s)</source>
        <translation>
            <numerusform>Annulé : %n billet</numerusform>
            <numerusform>Annulé : %n billets</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Undone: %n ticket(s) of %1</source>
        <translation>
            <numerusform>Annulé : %n billet de %1</numerusform>
            <numerusform>Annulé : %n billets de %1</numerusform>
        </translation>
    </message>
    <message>
        <source>Every event</source>
        <translation>Tous les événements</translation>
    </message>
    <message>
        <source>Not undone:</source>
        <translation>Non annulé :</translation>
    </message>
    <message>
        <source>Nothing undone</source>
        <translation>Rien n&apos;a été annulé</translation>
    </message>
    <message>
        <source>Came&amp;ra</source>
        <translation>Ca&amp;méra</translation>
    </message>
    <message>
        <source>Scan QR codes with this computer&apos;s camera (Settings → Station chooses which)</source>
        <translation>Scanner les QR codes avec la caméra de cet ordinateur (laquelle : Paramètres → Poste)</translation>
    </message>
</context>
<context>
    <name>qrt::gui::DatabaseSettingsPage</name>
    <message>
        <source>Database</source>
        <translation>Base de données</translation>
    </message>
    <message>
        <source>Connecting ...</source>
        <translation>Connexion ...</translation>
    </message>
    <message>
        <source>Not connected: %1</source>
        <translation>Non connecté : %1</translation>
    </message>
    <message>
        <source>Connected to %1 (%2).</source>
        <translation>Connecté à %1 (%2).</translation>
    </message>
    <message>
        <source>Trying the new database before saving it ...</source>
        <translation>Essai de la nouvelle base de données avant de l&apos;enregistrer ...</translation>
    </message>
    <message>
        <source>Save anyway?</source>
        <translation>Enregistrer quand même ?</translation>
    </message>
    <message>
        <source>QR Tickets could not connect to the database at %1:
%2</source>
        <translation>QR Tickets n&apos;a pas pu se connecter à la base de données %1 :
%2</translation>
    </message>
    <message>
        <source>Saved anyway, QR Tickets starts on a window that offers Settings, Retry and this computer&apos;s local database until this database answers.</source>
        <translation>Si vous enregistrez quand même, QR Tickets s&apos;ouvrira sur une fenêtre proposant Paramètres, Réessayer et la base de données locale de cet ordinateur, jusqu&apos;à ce que cette base de données réponde.</translation>
    </message>
    <message>
        <source>Save anyway</source>
        <translation>Enregistrer quand même</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Continuer la modification</translation>
    </message>
</context>
<context>
    <name>qrt::gui::EventOverview</name>
    <message>
        <source>Event overview</source>
        <translation>Vue d&apos;ensemble des événements</translation>
    </message>
    <message>
        <source>No tickets yet. Press Sync (F5) to fetch orders from GHL.</source>
        <translation>Aucun billet pour l&apos;instant. Appuyez sur Synchroniser (F5) pour récupérer les commandes depuis GHL.</translation>
    </message>
    <message numerus="yes">
        <source>%1 of %n ticket(s) admitted, %2 still to come.</source>
        <translation>
            <numerusform>%1 billet sur %n admis, %2 encore attendus.</numerusform>
            <numerusform>%1 billets sur %n admis, %2 encore attendus.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::Exporter</name>
    <message>
        <source>door-list</source>
        <comment>start of a saved door list&apos;s file name</comment>
        <translation>liste-d-entree</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>Tickets live</source>
        <translation>Billets valides</translation>
    </message>
    <message>
        <source>Tickets used</source>
        <translation>Billets utilisés</translation>
    </message>
    <message>
        <source>Tickets cancelled</source>
        <translation>Billets annulés</translation>
    </message>
    <message>
        <source>Total paid</source>
        <translation>Total payé</translation>
    </message>
    <message>
        <source>Currency</source>
        <translation>Devise</translation>
    </message>
    <message>
        <source>Payment status</source>
        <translation>Statut du paiement</translation>
    </message>
    <message>
        <source>Ordered (UTC)</source>
        <translation>Commandé le (UTC)</translation>
    </message>
    <message>
        <source>Updated (UTC)</source>
        <translation>Mis à jour (UTC)</translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation>Billets</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admis</translation>
    </message>
    <message>
        <source>Ticket types</source>
        <translation>Types de billets</translation>
    </message>
    <message>
        <source>Orders: %1 · Tickets: %2 · Admitted: %3 · Printed: %4</source>
        <translation>Commandes : %1 · Billets : %2 · Admis : %3 · Imprimé : %4</translation>
    </message>
    <message>
        <source>Tick</source>
        <comment>door list column: one box per person let in by hand</comment>
        <translation>Cocher</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <comment>door list: tickets admitted of the order&apos;s tickets</comment>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <comment>door list: last name, first name</comment>
        <translation>%1, %2</translation>
    </message>
    <message>
        <source>Door list: %1</source>
        <translation>Liste d&apos;entrée : %1</translation>
    </message>
    <message>
        <source>No orders with tickets for this event.</source>
        <translation>Aucune commande avec des billets pour cet événement.</translation>
    </message>
    <message>
        <source>Page %1 of %2</source>
        <translation>Page %1 sur %2</translation>
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
        <translation>Aucun trousseau système n&apos;est disponible : indiquez le jeton dans la variable d&apos;environnement QRTICKETS_GHL_TOKEN.</translation>
    </message>
    <message>
        <source>The token is kept in the system keychain, never in the settings file.</source>
        <translation>Le jeton est conservé dans le trousseau du système, jamais dans le fichier de paramètres.</translation>
    </message>
    <message>
        <source>Fix the GHL settings first.</source>
        <translation>Corrigez d&apos;abord les paramètres GHL.</translation>
    </message>
    <message>
        <source>Enter the location ID and the token first.</source>
        <translation>Saisissez d&apos;abord l&apos;identifiant d&apos;emplacement et le jeton.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Connexion à %1 ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::GuestSearch</name>
    <message>
        <source>No code? Fin&amp;d by name:</source>
        <translation>Pas de code ? &amp;Rechercher par nom :</translation>
    </message>
    <message>
        <source>Guest&apos;s name, e-mail or phone</source>
        <translation>Nom, e-mail ou téléphone de l&apos;invité</translation>
    </message>
    <message>
        <source>Find a guest by name</source>
        <translation>Rechercher un invité par nom</translation>
    </message>
    <message>
        <source>Guests found</source>
        <translation>Invités trouvés</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>%1 · %2 · order %3</source>
        <translation>%1 · %2 · commande %3</translation>
    </message>
    <message>
        <source>No guest of this station&apos;s events matches.</source>
        <translation>Aucun invité des événements de ce poste ne correspond.</translation>
    </message>
    <message>
        <source>Guest&apos;s name or order id</source>
        <translation>Nom de l&apos;invité ou identifiant de commande</translation>
    </message>
</context>
<context>
    <name>qrt::gui::HistoryModel</name>
    <message>
        <source>(new)</source>
        <translation>(nouveau)</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Quand</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Billet</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>To</source>
        <translation>À</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
</context>
<context>
    <name>qrt::gui::KioskPinSettings</name>
    <message>
        <source>Kiosk PIN (leave the check-in screen)</source>
        <translation>PIN du mode kiosque (quitter l&apos;écran de contrôle)</translation>
    </message>
    <message>
        <source>empty: keep as it is</source>
        <translation>vide : laisser tel quel</translation>
    </message>
    <message>
        <source>New &amp;PIN:</source>
        <translation>Nouveau &amp;PIN :</translation>
    </message>
    <message>
        <source>&amp;Repeat PIN:</source>
        <translation>&amp;Répéter le PIN :</translation>
    </message>
    <message>
        <source>No PIN: anyone may leave the check-in screen</source>
        <translation>Pas de PIN : tout le monde peut quitter l&apos;écran de contrôle</translation>
    </message>
    <message>
        <source>Kiosk PIN</source>
        <translation>PIN du mode kiosque</translation>
    </message>
    <message>
        <source>No PIN is set: the window is never locked.</source>
        <translation>Aucun PIN n&apos;est défini : la fenêtre n&apos;est jamais verrouillée.</translation>
    </message>
    <message>
        <source>A PIN is set: the window starts locked on the check-in screen; leaving it, Settings and Quit ask for it.</source>
        <translation>Un PIN est défini : la fenêtre démarre verrouillée sur l&apos;écran de contrôle ; le quitter, les Paramètres et Quitter le demandent.</translation>
    </message>
    <message>
        <source>Set outside the settings file (environment or command line): change it there.</source>
        <translation>Défini en dehors du fichier de paramètres (environnement ou ligne de commande) : modifiez-le là.</translation>
    </message>
    <message>
        <source>A PIN has at least %1 characters.</source>
        <translation>Un PIN comporte au moins %1 caractères.</translation>
    </message>
    <message>
        <source>The two PINs differ: type the same PIN twice.</source>
        <translation>Les deux PIN diffèrent : saisissez deux fois le même PIN.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerPanel</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>Signature GHL (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Secret partagé</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Aucune (cette machine uniquement)</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Done with a warning</source>
        <translation>Terminé avec un avertissement</translation>
    </message>
    <message>
        <source>Failed, retrying (attempt %1)</source>
        <translation>Échec, nouvelle tentative prévue (tentative %1)</translation>
    </message>
    <message numerus="yes">
        <source>Dead after %n attempt(s)</source>
        <translation>
            <numerusform>Mort après %n tentative</numerusform>
            <numerusform>Mort après %n tentatives</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Heure</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Erreur</translation>
    </message>
    <message>
        <source>No database is open, so there is no webhook inbox to show.</source>
        <translation>Aucune base de données n&apos;est ouverte, il n&apos;y a donc pas de boîte de réception de webhooks à afficher.</translation>
    </message>
    <message>
        <source>Listening</source>
        <translation>À l&apos;écoute</translation>
    </message>
    <message>
        <source>&amp;Stop listener</source>
        <translation>&amp;Arrêter le récepteur</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>%1:%2 (not listening)</source>
        <translation>%1:%2 (pas à l&apos;écoute)</translation>
    </message>
    <message>
        <source>&amp;Start listener</source>
        <translation>&amp;Démarrer le récepteur</translation>
    </message>
    <message>
        <source>The listener needs a database for its inbox.</source>
        <translation>Le récepteur a besoin d&apos;une base de données pour sa boîte de réception.</translation>
    </message>
    <message>
        <source>No inbox worker runs in this application: another station or `qrtickets serve` must process the events.</source>
        <translation>Aucun traitement de la boîte de réception ne tourne dans cette application : un autre poste ou `qrtickets serve` doit traiter les événements.</translation>
    </message>
    <message>
        <source>Stopped. Webhooks GHL sends now are retried by GHL or lost; start the listener again to receive them.</source>
        <translation>Arrêté. Les webhooks que GHL envoie maintenant seront renvoyés par GHL ou perdus ; redémarrez le récepteur pour les recevoir.</translation>
    </message>
    <message>
        <source>The listener did not start: %1</source>
        <translation>Le récepteur n&apos;a pas démarré : %1</translation>
    </message>
    <message>
        <source>The inbox could not be read: %1</source>
        <translation>La boîte de réception n&apos;a pas pu être lue : %1</translation>
    </message>
    <message>
        <source>%1 pending, %2 processing, %3 waiting to retry</source>
        <translation>%1 en attente, %2 en cours, %3 en attente de nouvelle tentative</translation>
    </message>
    <message>
        <source>none</source>
        <translation>aucun</translation>
    </message>
    <message>
        <source>%1 (last error: %2)</source>
        <translation>%1 (dernière erreur : %2)</translation>
    </message>
    <message>
        <source>(custom)</source>
        <translation>(personnalisé)</translation>
    </message>
    <message>
        <source>Nothing received yet. Point a GHL workflow webhook or the marketplace app at the address above.</source>
        <translation>Rien reçu pour l&apos;instant. Faites pointer un webhook de workflow GHL ou l&apos;application du marketplace vers l&apos;adresse ci-dessus.</translation>
    </message>
    <message>
        <source>Only GHL can sign webhooks; set the listener to shared-secret authentication to send a test webhook.</source>
        <translation>Seul GHL peut signer les webhooks ; passez le récepteur en authentification par secret partagé pour envoyer un webhook de test.</translation>
    </message>
    <message>
        <source>Retry failed: %1</source>
        <translation>Échec de la nouvelle tentative : %1</translation>
    </message>
    <message>
        <source>Event %1 is already waiting or being processed.</source>
        <translation>L&apos;événement %1 est déjà en attente ou en cours de traitement.</translation>
    </message>
    <message>
        <source>Event %1 is queued again.</source>
        <translation>L&apos;événement %1 est de nouveau dans la file.</translation>
    </message>
    <message>
        <source>Looking up a demo order ...</source>
        <translation>Recherche d&apos;une commande de démonstration ...</translation>
    </message>
    <message>
        <source>No demo order to send: %1</source>
        <translation>Aucune commande de démonstration à envoyer : %1</translation>
    </message>
    <message>
        <source>The demo location has no orders yet.</source>
        <translation>L&apos;emplacement de démonstration n&apos;a encore aucune commande.</translation>
    </message>
    <message>
        <source>Test webhook for order %1 accepted; watch it below.</source>
        <translation>Webhook de test pour la commande %1 accepté ; suivez-le ci-dessous.</translation>
    </message>
    <message>
        <source>The listener answered %1: %2</source>
        <translation>Le récepteur a répondu %1 : %2</translation>
    </message>
    <message>
        <source>The test webhook could not be sent: %1</source>
        <translation>Le webhook de test n&apos;a pas pu être envoyé : %1</translation>
    </message>
    <message>
        <source>Posts an OrderCreate webhook for a demo order to this listener</source>
        <translation>Envoie un webhook OrderCreate pour une commande de démonstration à ce récepteur</translation>
    </message>
    <message>
        <source>Reconciliation:</source>
        <translation>Rapprochement :</translation>
    </message>
    <message>
        <source>Every [sync] reconcile_interval_s while the listener runs: an incremental sync finds orders whose webhook never came, then every stored order without its QR code gets it. One station at a time does it.</source>
        <translation>Toutes les [sync] reconcile_interval_s tant que le récepteur tourne : une synchronisation incrémentale trouve les commandes dont le webhook n&apos;est jamais arrivé, puis chaque commande enregistrée sans son QR code le reçoit. Un seul poste à la fois s&apos;en charge.</translation>
    </message>
    <message>
        <source>Refused deliveries</source>
        <translation>Livraisons refusées</translation>
    </message>
    <message>
        <source>From</source>
        <translation>De</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Réponse</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Requests this listener refused (wrong signature or secret, too large, not an order ...). GHL retries only a 429; the others are lost unless fixed at the sender.</source>
        <translation>Requêtes refusées par ce récepteur (signature ou secret incorrects, trop volumineuses, pas une commande ...). GHL ne renvoie qu&apos;une 429 ; les autres sont perdues sauf correction chez l&apos;expéditeur.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::ListenerSettingsPage</name>
    <message>
        <source>GHL signature (Ed25519)</source>
        <translation>Signature GHL (Ed25519)</translation>
    </message>
    <message>
        <source>Shared secret</source>
        <translation>Secret partagé</translation>
    </message>
    <message>
        <source>None (this machine only)</source>
        <translation>Aucune (cette machine uniquement)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Récepteur</translation>
    </message>
    <message>
        <source>Without authentication anyone on the network can post orders to this station. Bind to 127.0.0.1 or choose an authentication mode; the listener refuses to start like this.</source>
        <translation>Sans authentification, n&apos;importe qui sur le réseau peut envoyer des commandes à ce poste. Écoutez sur 127.0.0.1 ou choisissez un mode d&apos;authentification ; le récepteur refuse de démarrer ainsi.</translation>
    </message>
    <message>
        <source>Shared-secret authentication needs a secret.</source>
        <translation>L&apos;authentification par secret partagé nécessite un secret.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MainWindow</name>
    <message>
        <source>Could not write %1.</source>
        <translation>Impossible d&apos;écrire %1.</translation>
    </message>
    <message>
        <source>QR Tickets — Demo</source>
        <translation>QR Tickets — Démo</translation>
    </message>
    <message>
        <source>QR Tickets</source>
        <translation>QR Tickets</translation>
    </message>
    <message>
        <source>&lt;p&gt;QR Tickets shows the orders of your GoHighLevel location here.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Open &lt;b&gt;Settings&lt;/b&gt; (Ctrl+,) and enter your GHL location id and private integration token.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch your orders.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Use the &lt;b&gt;Check-in&lt;/b&gt; tab at the door.&lt;/p&gt;&lt;p&gt;Just looking around? Start &lt;code&gt;qrtickets --demo&lt;/code&gt; for a built-in GHL simulator with sample orders.&lt;/p&gt;</source>
        <translation>&lt;p&gt;QR Tickets affiche ici les commandes de votre emplacement GoHighLevel.&lt;/p&gt;&lt;p&gt;&lt;b&gt;1.&lt;/b&gt; Ouvrez les &lt;b&gt;Paramètres&lt;/b&gt; (Ctrl+,) et saisissez l&apos;identifiant d&apos;emplacement GHL et le jeton d&apos;intégration privée.&lt;br&gt;&lt;b&gt;2.&lt;/b&gt; Appuyez sur &lt;b&gt;Synchroniser&lt;/b&gt; (F5) pour récupérer vos commandes.&lt;br&gt;&lt;b&gt;3.&lt;/b&gt; Utilisez l&apos;onglet &lt;b&gt;Contrôle d&apos;accès&lt;/b&gt; à l&apos;entrée.&lt;/p&gt;&lt;p&gt;Vous voulez juste jeter un œil ? Lancez &lt;code&gt;qrtickets --demo&lt;/code&gt; pour un simulateur GHL intégré avec des commandes d&apos;exemple.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Could not read the orders: %1</source>
        <translation>Les commandes n&apos;ont pas pu être lues : %1</translation>
    </message>
    <message>
        <source>All events</source>
        <translation>Tous les événements</translation>
    </message>
    <message>
        <source>Any payment status</source>
        <translation>Tout statut de paiement</translation>
    </message>
    <message>
        <source>Any check-in state</source>
        <translation>Tout état de contrôle</translation>
    </message>
    <message>
        <source>Not arrived</source>
        <translation>Pas arrivé</translation>
    </message>
    <message>
        <source>Partly admitted</source>
        <translation>Partiellement admis</translation>
    </message>
    <message>
        <source>All admitted</source>
        <translation>Tous admis</translation>
    </message>
    <message>
        <source>No live tickets</source>
        <translation>Aucun billet valide</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) loaded, counting…</source>
        <translation>
            <numerusform>%n commande chargée, comptage…</numerusform>
            <numerusform>%n commandes chargées, comptage…</numerusform>
        </translation>
    </message>
    <message>
        <source>No order matches the search and filters. Clear them to see every order.</source>
        <translation>Aucune commande ne correspond à la recherche et aux filtres. Effacez-les pour voir toutes les commandes.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n commande</numerusform>
            <numerusform>%n commandes</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 — connected</source>
        <translation>%1 : %2 — connecté</translation>
    </message>
    <message>
        <source>%1: %2 — not reachable</source>
        <translation>%1 : %2 — injoignable</translation>
    </message>
    <message>
        <source>Never synced — press F5</source>
        <translation>Jamais synchronisé — appuyez sur F5</translation>
    </message>
    <message>
        <source>Listener: %1:%2</source>
        <translation>Récepteur : %1:%2</translation>
    </message>
    <message>
        <source>Listener: off</source>
        <translation>Récepteur : arrêté</translation>
    </message>
    <message>
        <source> — %1 today, %2 dead</source>
        <translation> — %1 aujourd&apos;hui, %2 morts</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Échec de l&apos;export</translation>
    </message>
    <message>
        <source>Choose a folder you can write to and try again.</source>
        <translation>Choisissez un dossier accessible en écriture et réessayez.</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 enregistré</translation>
    </message>
    <message>
        <source>Door list %1</source>
        <translation>Liste d&apos;entrée %1</translation>
    </message>
    <message>
        <source>Door list not saved</source>
        <translation>Liste d&apos;entrée non enregistrée</translation>
    </message>
    <message>
        <source>Export order list</source>
        <translation>Exporter la liste des commandes</translation>
    </message>
    <message>
        <source>No events</source>
        <translation>Aucun événement</translation>
    </message>
    <message>
        <source>There are no orders yet. Press Sync (F5) first.</source>
        <translation>Il n&apos;y a pas encore de commandes. Appuyez d&apos;abord sur Synchroniser (F5).</translation>
    </message>
    <message>
        <source>Door list</source>
        <translation>Liste d&apos;entrée</translation>
    </message>
    <message>
        <source>Event:</source>
        <translation>Événement :</translation>
    </message>
    <message>
        <source>Door list not printed</source>
        <translation>Liste d&apos;entrée non imprimée</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Vérifiez la connexion à la base de données et réessayez.</translation>
    </message>
    <message>
        <source>Save door list</source>
        <translation>Enregistrer la liste d&apos;entrée</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>Fichiers PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Listener</source>
        <translation>Récepteur</translation>
    </message>
    <message>
        <source>About QR Tickets</source>
        <translation>À propos de QR Tickets</translation>
    </message>
    <message>
        <source>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;GoHighLevel orders, QR codes and door check-in for event staff.&lt;/p&gt;&lt;p&gt;Database: %2&lt;/p&gt;&lt;p&gt;Station: %3&lt;/p&gt;</source>
        <translation>&lt;h3&gt;QR Tickets %1&lt;/h3&gt;&lt;p&gt;Commandes GoHighLevel, QR codes et contrôle d&apos;accès pour le personnel d&apos;événements.&lt;/p&gt;&lt;p&gt;Base de données : %2&lt;/p&gt;&lt;p&gt;Poste : %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Changes made at other stations appear here live.</source>
        <translation>Les modifications faites à d&apos;autres postes apparaissent ici en direct.</translation>
    </message>
    <message>
        <source>CSV, comma separated (*.csv)</source>
        <translation>CSV, séparé par des virgules (*.csv)</translation>
    </message>
    <message>
        <source>CSV, semicolon separated, decimal comma (*.csv)</source>
        <translation>CSV, séparé par des points-virgules, virgule décimale (*.csv)</translation>
    </message>
    <message numerus="yes">
        <source>Last sync: %1, %2 (%n order(s), %3 failed)</source>
        <translation>
            <numerusform>Dernière synchronisation : %1, %2 (%n commande, %3 en échec)</numerusform>
            <numerusform>Dernière synchronisation : %1, %2 (%n commandes, %3 en échec)</numerusform>
        </translation>
    </message>
    <message>
        <source>Welcome to the demo</source>
        <translation>Bienvenue dans la démo</translation>
    </message>
    <message>
        <source>&lt;p&gt;A built-in GHL simulator holds about 200 sample orders.&lt;/p&gt;&lt;p&gt;Press &lt;b&gt;Sync&lt;/b&gt; (F5) to fetch them, open an order, admit guests in the &lt;b&gt;Check-in&lt;/b&gt; tab, or send a test webhook from the &lt;b&gt;Listener&lt;/b&gt; panel.&lt;/p&gt;&lt;p&gt;Nothing you do here touches your own settings or data.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Un simulateur GHL intégré contient environ 200 commandes d&apos;exemple.&lt;/p&gt;&lt;p&gt;Appuyez sur &lt;b&gt;Synchroniser&lt;/b&gt; (F5) pour les récupérer, ouvrez une commande, admettez des invités dans l&apos;onglet &lt;b&gt;Contrôle d&apos;accès&lt;/b&gt; ou envoyez un webhook de test depuis le panneau &lt;b&gt;Récepteur&lt;/b&gt;.&lt;/p&gt;&lt;p&gt;Rien de ce que vous faites ici ne touche à vos propres paramètres ni à vos données.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Sync the sample orders</source>
        <translation>&amp;Synchroniser les commandes d&apos;exemple</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
    <message>
        <source>quit</source>
        <translation>quitter</translation>
    </message>
    <message>
        <source>leave the check-in screen</source>
        <translation>quitter l&apos;écran de contrôle</translation>
    </message>
    <message>
        <source>&amp;Unlock…</source>
        <translation>Dév&amp;errouiller…</translation>
    </message>
    <message>
        <source>Loc&amp;k check-in screen</source>
        <translation>V&amp;errouiller l&apos;écran de contrôle</translation>
    </message>
    <message>
        <source>Leave the check-in screen (asks for the station&apos;s PIN)</source>
        <translation>Quitter l&apos;écran de contrôle (demande le PIN du poste)</translation>
    </message>
    <message>
        <source>Show only the check-in screen until the PIN is entered</source>
        <translation>N&apos;afficher que l&apos;écran de contrôle jusqu&apos;à la saisie du PIN</translation>
    </message>
    <message>
        <source>open Settings</source>
        <translation>ouvrir les Paramètres</translation>
    </message>
    <message>
        <source>%1 · check-in only (PIN to leave)</source>
        <translation>%1 · contrôle d&apos;accès seul (PIN pour quitter)</translation>
    </message>
    <message>
        <source>%1 · role not known yet: door station</source>
        <translation>%1 · rôle pas encore connu : poste d&apos;entrée</translation>
    </message>
    <message>
        <source>%1 · door station</source>
        <translation>%1 · poste d&apos;entrée</translation>
    </message>
    <message>
        <source>%1 · admin</source>
        <translation>%1 · admin</translation>
    </message>
    <message>
        <source>%1 · all rights</source>
        <translation>%1 · tous les droits</translation>
    </message>
    <message>
        <source>Kiosk PIN damaged: this station is NOT locked. Set the PIN again in Settings → Station.</source>
        <translation>PIN du mode kiosque endommagé : ce poste n&apos;est PAS verrouillé. Définissez de nouveau le PIN dans Paramètres → Poste.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::MappingsSettingsPage</name>
    <message>
        <source>Product (event)</source>
        <translation>Produit (événement)</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>Commandes</translation>
    </message>
    <message>
        <source>Custom field for the QR code</source>
        <translation>Champ personnalisé pour le QR code</translation>
    </message>
    <message>
        <source>Field mappings</source>
        <translation>Correspondance des champs</translation>
    </message>
    <message numerus="yes">
        <source>%n custom field(s) loaded from GHL.</source>
        <translation>
            <numerusform>%n champ personnalisé chargé depuis GHL.</numerusform>
            <numerusform>%n champs personnalisés chargés depuis GHL.</numerusform>
        </translation>
    </message>
    <message>
        <source>Mappings are stored in the database; none is open.</source>
        <translation>Les correspondances sont stockées dans la base de données ; aucune n&apos;est ouverte.</translation>
    </message>
    <message>
        <source>Loading products ...</source>
        <translation>Chargement des produits ...</translation>
    </message>
    <message>
        <source>No products yet: run a sync first, then map each product to a field.</source>
        <translation>Pas encore de produits : synchronisez d&apos;abord, puis associez chaque produit à un champ.</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to change a mapping.</source>
        <translation>Chargez les champs personnalisés depuis GHL pour modifier une correspondance.</translation>
    </message>
    <message>
        <source>Custom field for %1</source>
        <translation>Champ personnalisé pour %1</translation>
    </message>
    <message>
        <source>(no QR field)</source>
        <translation>(pas de champ QR)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL)</source>
        <translation>%1 (n&apos;existe plus dans GHL)</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texte</translation>
    </message>
    <message>
        <source>Large text</source>
        <translation>Texte long</translation>
    </message>
    <message>
        <source>File upload</source>
        <translation>Téléversement de fichier</translation>
    </message>
    <message>
        <source>Field type</source>
        <translation>Type de champ</translation>
    </message>
    <message>
        <source>Type: %1</source>
        <translation>Type : %1</translation>
    </message>
    <message>
        <source>not known yet</source>
        <translation>encore inconnu</translation>
    </message>
    <message>
        <source>Load the custom fields from GHL to see the field&apos;s type.</source>
        <translation>Chargez les champs personnalisés depuis GHL pour voir le type du champ.</translation>
    </message>
    <message>
        <source>A QR code cannot be put into a field of type %1: choose a Text, Large text or File upload field.</source>
        <translation>Un QR code ne peut pas être placé dans un champ de type %1 : choisissez un champ Texte, Texte long ou Téléversement de fichier.</translation>
    </message>
    <message>
        <source>The QR code is uploaded as a PNG file (scope forms.write).</source>
        <translation>Le QR code est téléversé en fichier PNG (portée forms.write).</translation>
    </message>
    <message>
        <source>The QR code is written as a data URL (scope contacts.write).</source>
        <translation>Le QR code est écrit sous forme d’URL de données (portée contacts.write).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF</source>
        <translation>Champ pour le PDF des billets</translation>
    </message>
    <message>
        <source>Optional: a File upload field that receives the buyer&apos;s tickets as a PDF, one page per ticket with the QR code of that ticket alone (tickets-&lt;order&gt;.pdf).</source>
        <translation>Facultatif : un champ de type Téléversement de fichier qui reçoit les billets de l&apos;acheteur en PDF, une page par billet avec le QR code de ce seul billet (tickets-&lt;order&gt;.pdf).</translation>
    </message>
    <message>
        <source>Field for the ticket PDF of %1</source>
        <translation>Champ pour le PDF des billets de %1</translation>
    </message>
    <message>
        <source>(no ticket PDF)</source>
        <translation>(pas de PDF des billets)</translation>
    </message>
    <message>
        <source>%1 (no longer in GHL or not a File upload field)</source>
        <translation>%1 (n&apos;existe plus dans GHL ou n&apos;est pas un champ de type Téléversement de fichier)</translation>
    </message>
    <message>
        <source>Uploaded once per order as tickets-&lt;order&gt;.pdf (scope forms.write). Needs a QR code field in the same row; choose a field other than the QR code&apos;s.</source>
        <translation>Téléversé une fois par commande sous le nom tickets-&lt;order&gt;.pdf (portée forms.write). Nécessite un champ de QR code sur la même ligne ; choisissez un autre champ que celui du QR code.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF needs a field of its own, not the QR code&apos;s field.</source>
        <translation>%1 : le PDF des billets a besoin de son propre champ, pas de celui du QR code.</translation>
    </message>
    <message>
        <source>%1: without a QR code field the product&apos;s mapping is removed, its ticket PDF field (%2) with it; no ticket PDF goes out for it any more.</source>
        <translation>%1 : sans champ de QR code, la correspondance du produit est supprimée, et son champ du PDF des billets (%2) avec elle ; plus aucun PDF des billets n&apos;est envoyé pour ce produit.</translation>
    </message>
    <message>
        <source>%1: the ticket PDF goes to every past order of this product that has none; how many could not be counted (%2).</source>
        <translation>%1 : le PDF des billets est envoyé à chaque commande passée de ce produit qui n&apos;en a pas ; leur nombre n&apos;a pas pu être compté (%2).</translation>
    </message>
    <message numerus="yes">
        <source>%1: the ticket PDF will be uploaded for up to %n past order(s) of this product (each buyer who has not received it; a buyer with several orders gets the newest one&apos;s) with the next reconciliation, as a newly mapped QR field is.</source>
        <translation>
            <numerusform>%1 : le PDF des billets sera téléversé pour au plus %n commande passée de ce produit (chaque acheteur qui ne l&apos;a pas reçu ; un acheteur ayant plusieurs commandes reçoit celui de la plus récente) lors du prochain rapprochement, comme pour un champ QR nouvellement associé.</numerusform>
            <numerusform>%1 : le PDF des billets sera téléversé pour au plus %n commandes passées de ce produit (chaque acheteur qui ne l&apos;a pas reçu ; un acheteur ayant plusieurs commandes reçoit celui de la plus récente) lors du prochain rapprochement, comme pour un champ QR nouvellement associé.</numerusform>
        </translation>
    </message>
    <message>
        <source>Save the field mappings?</source>
        <translation>Enregistrer la correspondance des champs ?</translation>
    </message>
    <message>
        <source>Saving these field mappings changes what goes to buyers:</source>
        <translation>Enregistrer cette correspondance des champs modifie ce qui est envoyé aux acheteurs :</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Enregistrer</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>Continuer la modification</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OfflineBar</name>
    <message>
        <source>Ticket</source>
        <translation>Billet</translation>
    </message>
    <message>
        <source>Admitted offline here</source>
        <translation>Admis ici hors ligne</translation>
    </message>
    <message>
        <source>Admitted first by</source>
        <translation>Admis d&apos;abord par</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Raison</translation>
    </message>
    <message numerus="yes">
        <source>OFFLINE: the shared database does not answer. Scans are checked against this station&apos;s copy; %n admission(s) wait to be sent.</source>
        <translation>
            <numerusform>HORS LIGNE : la base de données partagée ne répond pas. Les scans sont vérifiés avec la copie de ce poste ; %n admission attend d&apos;être envoyée.</numerusform>
            <numerusform>HORS LIGNE : la base de données partagée ne répond pas. Les scans sont vérifiés avec la copie de ce poste ; %n admissions attendent d&apos;être envoyées.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online, but %n admission(s) made offline could not be sent: %1 They are sent again every second.</source>
        <translation>
            <numerusform>En ligne, mais %n admission faite hors ligne n&apos;a pas pu être envoyée : %1 Elle est renvoyée chaque seconde.</numerusform>
            <numerusform>En ligne, mais %n admissions faites hors ligne n&apos;ont pas pu être envoyées : %1 Elles sont renvoyées chaque seconde.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Back online: sending %n admission(s) made offline.</source>
        <translation>
            <numerusform>De nouveau en ligne : envoi de %n admission faite hors ligne.</numerusform>
            <numerusform>De nouveau en ligne : envoi de %n admissions faites hors ligne.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Online. %n ticket(s) admitted offline here had already been admitted at another entrance.</source>
        <translation>
            <numerusform>En ligne. %n billet admis ici hors ligne avait déjà été admis à une autre entrée.</numerusform>
            <numerusform>En ligne. %n billets admis ici hors ligne avaient déjà été admis à une autre entrée.</numerusform>
        </translation>
    </message>
    <message>
        <source>Conflicts (%1)</source>
        <translation>Conflits (%1)</translation>
    </message>
    <message>
        <source>cancelled meanwhile</source>
        <translation>annulé entre-temps</translation>
    </message>
    <message>
        <source>no longer in the database</source>
        <translation>plus dans la base de données</translation>
    </message>
    <message>
        <source>admitted twice</source>
        <translation>admis deux fois</translation>
    </message>
    <message>
        <source>%1 (order %2)</source>
        <translation>%1 (commande %2)</translation>
    </message>
    <message>
        <source>%1 at %2</source>
        <translation>%1 le %2</translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message>
        <source>order refunded meanwhile</source>
        <translation>commande remboursée entre-temps</translation>
    </message>
    <message>
        <source>order cancelled meanwhile</source>
        <translation>commande annulée entre-temps</translation>
    </message>
    <message>
        <source>refused by the database: %1</source>
        <translation>refusé par la base de données : %1</translation>
    </message>
    <message numerus="yes">
        <source>Online. %n offline admission(s) could not be sent: see Conflicts.</source>
        <translation>
            <numerusform>En ligne. %n admission hors ligne n&apos;a pas pu être envoyée : voir Conflits.</numerusform>
            <numerusform>En ligne. %n admissions hors ligne n&apos;ont pas pu être envoyées : voir Conflits.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderDialog</name>
    <message>
        <source>Order %1</source>
        <translation>Commande %1</translation>
    </message>
    <message>
        <source>No QR code: %1</source>
        <translation>Pas de QR code : %1</translation>
    </message>
    <message>
        <source>This order is not in the database (any more). Press Sync (F5) to fetch it.</source>
        <translation>Cette commande n&apos;est pas (ou plus) dans la base de données. Appuyez sur Synchroniser (F5) pour la récupérer.</translation>
    </message>
    <message>
        <source>%1 %2, %3</source>
        <translation>%1 %2, %3</translation>
    </message>
    <message>
        <source>%1 live, %2 used, %3 cancelled</source>
        <translation>%1 valides, %2 utilisés, %3 annulés</translation>
    </message>
    <message>
        <source>Order %1 — %2</source>
        <translation>Commande %1 — %2</translation>
    </message>
    <message>
        <source>Nothing to change</source>
        <translation>Rien à modifier</translation>
    </message>
    <message>
        <source>None of these tickets can be set to %1 (they already are, or a cancelled ticket cannot be admitted).</source>
        <translation>Aucun de ces billets ne peut passer à %1 (ils le sont déjà, ou un billet annulé ne peut pas être admis).</translation>
    </message>
    <message>
        <source>Reason needed</source>
        <translation>Motif requis</translation>
    </message>
    <message>
        <source>Setting a ticket to %1 from its current status needs a reason for the audit trail. Type it in the Reason field and try again.</source>
        <translation>Passer un billet à %1 depuis son statut actuel nécessite un motif pour la piste d&apos;audit. Saisissez-le dans le champ Motif et réessayez.</translation>
    </message>
    <message>
        <source>Cancel tickets</source>
        <translation>Annuler des billets</translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n ticket(s) of order %1? The holders will not be admitted.</source>
        <translation>
            <numerusform>Annuler %n billet de la commande %1 ? Son titulaire ne sera pas admis.</numerusform>
            <numerusform>Annuler %n billets de la commande %1 ? Leurs titulaires ne seront pas admis.</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep them</source>
        <translation>Les garder</translation>
    </message>
    <message>
        <source>Status not changed</source>
        <translation>Statut non modifié</translation>
    </message>
    <message>
        <source>Check the database connection and try again.</source>
        <translation>Vérifiez la connexion à la base de données et réessayez.</translation>
    </message>
    <message>
        <source>Some tickets were not changed</source>
        <translation>Certains billets n&apos;ont pas été modifiés</translation>
    </message>
    <message>
        <source>Save QR code</source>
        <translation>Enregistrer le QR code</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>Images PNG (*.png)</translation>
    </message>
    <message>
        <source>QR code not saved</source>
        <translation>QR code non enregistré</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>Impossible d&apos;écrire %1.</translation>
    </message>
    <message>
        <source>Choose a folder you can write to.</source>
        <translation>Choisissez un dossier accessible en écriture.</translation>
    </message>
    <message>
        <source>Admit anyway?</source>
        <translation>Admettre quand même ?</translation>
    </message>
    <message>
        <source>Admit anyway</source>
        <translation>Admettre quand même</translation>
    </message>
    <message>
        <source>A PDF with one page per ticket, each with the QR code of that ticket alone</source>
        <translation>Un PDF avec une page par billet, chacune avec le QR code de ce seul billet</translation>
    </message>
    <message>
        <source>This order has no tickets to print (none, or all cancelled).</source>
        <translation>Cette commande n&apos;a aucun billet à imprimer (aucun, ou tous annulés).</translation>
    </message>
    <message>
        <source>Save tickets</source>
        <translation>Enregistrer les billets</translation>
    </message>
    <message>
        <source>PDF documents (*.pdf)</source>
        <translation>Documents PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Writing tickets…</source>
        <translation>Écriture des billets…</translation>
    </message>
    <message>
        <source>P&amp;rint tickets…</source>
        <translation>&amp;Imprimer les billets…</translation>
    </message>
    <message>
        <source>Tickets not saved</source>
        <translation>Billets non enregistrés</translation>
    </message>
    <message>
        <source>Tickets saved</source>
        <translation>Billets enregistrés</translation>
    </message>
    <message numerus="yes">
        <source>%n ticket(s) saved to %1.</source>
        <translation>
            <numerusform>%n billet enregistré dans %1.</numerusform>
            <numerusform>%n billets enregistrés dans %1.</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation>&amp;Ouvrir</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OrderListModel</name>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Contact</source>
        <translation>Contact</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Valides</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>Utilisés</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulés</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Paiement</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Mis à jour</translation>
    </message>
</context>
<context>
    <name>qrt::gui::OverviewModel</name>
    <message>
        <source>Event</source>
        <translation>Événement</translation>
    </message>
    <message>
        <source>Ticket type</source>
        <translation>Type de billet</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>Vendus</translation>
    </message>
    <message>
        <source>Admitted</source>
        <translation>Admis</translation>
    </message>
    <message>
        <source>Remaining</source>
        <translation>Restants</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulés</translation>
    </message>
</context>
<context>
    <name>qrt::gui::PinPrompt</name>
    <message>
        <source>PIN needed</source>
        <translation>PIN requis</translation>
    </message>
    <message>
        <source>This station is locked on the check-in screen. Enter the station&apos;s PIN to %1.</source>
        <translation>Ce poste est verrouillé sur l&apos;écran de contrôle. Saisissez le PIN du poste pour %1.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Wrong PIN. Too many wrong tries: wait %1 s before the next.</source>
        <translation>PIN incorrect. Trop d&apos;essais erronés : attendez %1 s avant le suivant.</translation>
    </message>
    <message>
        <source>Wrong PIN.</source>
        <translation>PIN incorrect.</translation>
    </message>
    <message>
        <source>Too many wrong tries: wait %1 s before the next.</source>
        <translation>Trop d&apos;essais erronés : attendez %1 s avant le suivant.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::QrSettingsPage</name>
    <message>
        <source>L: low (7%)</source>
        <translation>L : faible (7 %)</translation>
    </message>
    <message>
        <source>M: medium (15%)</source>
        <translation>M : moyenne (15 %)</translation>
    </message>
    <message>
        <source>Q: quartile (25%)</source>
        <translation>Q : quartile (25 %)</translation>
    </message>
    <message>
        <source>H: high (30%)</source>
        <translation>H : élevée (30 %)</translation>
    </message>
    <message>
        <source>QR code</source>
        <translation>QR code</translation>
    </message>
    <message>
        <source>Fix the values on the left to see a preview.</source>
        <translation>Corrigez les valeurs à gauche pour voir un aperçu.</translation>
    </message>
    <message>
        <source>%1 x %1 px, encodes %2</source>
        <translation>%1 x %1 px, encode %2</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsDialog</name>
    <message numerus="yes">
        <source>%n setting(s) need attention before they can be saved.</source>
        <translation>
            <numerusform>%n paramètre doit être corrigé avant de pouvoir enregistrer.</numerusform>
            <numerusform>%n paramètres doivent être corrigés avant de pouvoir enregistrer.</numerusform>
        </translation>
    </message>
    <message>
        <source>Saving in the system keychain ... If it asks to create or unlock a keyring, answer it there.</source>
        <translation>Enregistrement dans le trousseau du système ... S&apos;il demande de créer ou de déverrouiller un trousseau, répondez-y.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::SettingsPage</name>
    <message>
        <source>Set by the environment variable %1; change it there.</source>
        <translation>Défini par la variable d&apos;environnement %1 ; modifiez-la à cet endroit.</translation>
    </message>
    <message>
        <source>Set on the command line; change it there.</source>
        <translation>Défini sur la ligne de commande ; modifiez-le à cet endroit.</translation>
    </message>
    <message>
        <source>No system keychain is available; set this secret through its environment variable.</source>
        <translation>Aucun trousseau système n&apos;est disponible ; définissez ce secret via sa variable d&apos;environnement.</translation>
    </message>
    <message>
        <source>Reading the system keychain ...</source>
        <translation>Lecture du trousseau du système ...</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StartupProblemDialog</name>
    <message>
        <source>set in the settings file %1</source>
        <translation>définie dans le fichier de paramètres %1</translation>
    </message>
    <message>
        <source>set by the environment variable %1</source>
        <translation>définie par la variable d&apos;environnement %1</translation>
    </message>
    <message>
        <source>set by --database on the command line</source>
        <translation>définie par --database sur la ligne de commande</translation>
    </message>
    <message>
        <source>the default</source>
        <translation>la valeur par défaut</translation>
    </message>
    <message>
        <source>Open Settings to correct the database URL, retry once the database server is running, or work with this computer&apos;s local database (%1) for now: it becomes the database in the settings, and orders synced into it stay on this computer.</source>
        <translation>Ouvrez les paramètres pour corriger l&apos;URL de la base de données, réessayez une fois le serveur de base de données démarré, ou travaillez pour l&apos;instant avec la base de données locale de cet ordinateur (%1) : elle devient la base de données des paramètres, et les commandes qui y sont synchronisées restent sur cet ordinateur.</translation>
    </message>
    <message>
        <source>%1 database %2</source>
        <translation>base de données %1 %2</translation>
    </message>
    <message>
        <source>The database URL in the settings cannot be used.</source>
        <translation>L&apos;URL de la base de données des paramètres est inutilisable.</translation>
    </message>
    <message>
        <source>Database: %1</source>
        <translation>Base de données : %1</translation>
    </message>
    <message>
        <source>Database: %1 (%2)</source>
        <translation>Base de données : %1 (%2)</translation>
    </message>
    <message>
        <source>The database said: %1</source>
        <translation>La base de données a répondu : %1</translation>
    </message>
    <message>
        <source>The settings were read again; the database URL still cannot be used.</source>
        <translation>Les paramètres ont été relus ; l&apos;URL de la base de données reste inutilisable.</translation>
    </message>
    <message>
        <source>Connecting to %1 ...</source>
        <translation>Connexion à %1 ...</translation>
    </message>
    <message>
        <source>Tried again at %1; still not connected.</source>
        <translation>Nouvel essai à %1 ; toujours pas connecté.</translation>
    </message>
</context>
<context>
    <name>qrt::gui::StationSettingsPage</name>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>Poste</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (non branchée)</translation>
    </message>
    <message>
        <source>System default camera</source>
        <translation>Caméra par défaut du système</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucune</translation>
    </message>
    <message>
        <source>No camera is connected now.</source>
        <translation>Aucune caméra n&apos;est branchée actuellement.</translation>
    </message>
    <message numerus="yes">
        <source>%n camera(s) connected.</source>
        <translation>
            <numerusform>%n caméra branchée.</numerusform>
            <numerusform>%n caméras branchées.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::gui::SyncDialog</name>
    <message numerus="yes">
        <source>%n second(s)</source>
        <translation>
            <numerusform>%n seconde</numerusform>
            <numerusform>%n secondes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n minute</numerusform>
            <numerusform>%n minutes</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motif</translation>
    </message>
    <message>
        <source>Syncing is not available in this build.</source>
        <translation>La synchronisation n&apos;est pas disponible dans cette version.</translation>
    </message>
    <message>
        <source>Ready. An incremental sync fetches only new and changed orders.</source>
        <translation>Prêt. Une synchronisation incrémentale ne récupère que les commandes nouvelles et modifiées.</translation>
    </message>
    <message>
        <source>Order list</source>
        <translation>Liste des commandes</translation>
    </message>
    <message>
        <source>JSON files (*.json);;All files (*)</source>
        <translation>Fichiers JSON (*.json);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Enter the GHL location ID and token in Settings first.</source>
        <translation>Saisissez d&apos;abord l&apos;identifiant d&apos;emplacement GHL et le jeton dans les paramètres.</translation>
    </message>
    <message>
        <source>A sync is already running.</source>
        <translation>Une synchronisation est déjà en cours.</translation>
    </message>
    <message>
        <source>Starting ...</source>
        <translation>Démarrage ...</translation>
    </message>
    <message>
        <source>Cancelling ... orders already saved stay saved.</source>
        <translation>Annulation ... les commandes déjà enregistrées le restent.</translation>
    </message>
    <message>
        <source>not needed</source>
        <translation>inutile</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s)</source>
        <translation>
            <numerusform>%n commande</numerusform>
            <numerusform>%n commandes</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message numerus="yes">
        <source>, %n unchanged</source>
        <translation>
            <numerusform>, %n inchangée</numerusform>
            <numerusform>, %n inchangées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n failed</source>
        <translation>
            <numerusform>, %n en échec</numerusform>
            <numerusform>, %n en échec</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 ... %n request(s) sent to GHL</source>
        <translation>
            <numerusform>%1 ... %n requête envoyée à GHL</numerusform>
            <numerusform>%1 ... %n requêtes envoyées à GHL</numerusform>
        </translation>
    </message>
    <message>
        <source>Estimating the time left ...</source>
        <translation>Estimation du temps restant ...</translation>
    </message>
    <message>
        <source>About %1 left (%2 so far)</source>
        <translation>Environ %1 restant (%2 écoulé)</translation>
    </message>
    <message numerus="yes">
        <source>Waiting for GHL rate limit (%n s)</source>
        <translation>
            <numerusform>Attente de la limite de requêtes GHL (%n s)</numerusform>
            <numerusform>Attente de la limite de requêtes GHL (%n s)</numerusform>
        </translation>
    </message>
    <message>
        <source>(order list)</source>
        <translation>(liste des commandes)</translation>
    </message>
    <message>
        <source>Failed so far:</source>
        <translation>En échec jusqu&apos;ici :</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt; in %2.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt; en %2.</translation>
    </message>
    <message numerus="yes">
        <source>%n order(s) synced</source>
        <translation>
            <numerusform>%n commande synchronisée</numerusform>
            <numerusform>%n commandes synchronisées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n unchanged</source>
        <translation>
            <numerusform>%n inchangée</numerusform>
            <numerusform>%n inchangées</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n failed</source>
        <translation>
            <numerusform>%n en échec</numerusform>
            <numerusform>%n en échec</numerusform>
        </translation>
    </message>
    <message>
        <source>Tickets: %1 added, %2 cancelled, %3 restored.</source>
        <translation>Billets : %1 ajoutés, %2 annulés, %3 restaurés.</translation>
    </message>
    <message numerus="yes">
        <source>GHL asked us to slow down %n time(s); the sync waited and went on.</source>
        <translation>
            <numerusform>GHL a demandé de ralentir %n fois ; la synchronisation a attendu puis continué.</numerusform>
            <numerusform>GHL a demandé de ralentir %n fois ; la synchronisation a attendu puis continué.</numerusform>
        </translation>
    </message>
    <message>
        <source>These orders were not synced; run the sync again later or check them in GHL:</source>
        <translation>Ces commandes n&apos;ont pas été synchronisées ; relancez la synchronisation plus tard ou vérifiez-les dans GHL :</translation>
    </message>
    <message>
        <source>A sync started by %1 at %2 is running; Sync is available again when it ends.</source>
        <translation>Une synchronisation lancée par %1 à %2 est en cours ; la synchronisation sera de nouveau possible à sa fin.</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>un autre poste</translation>
    </message>
</context>
<context>
    <name>qrt::gui::TicketModel</name>
    <message>
        <source>Ticket</source>
        <translation>Billet</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Statut</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Changed</source>
        <translation>Modifié</translation>
    </message>
    <message>
        <source>By</source>
        <translation>Par</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UserDialog</name>
    <message>
        <source>Add user</source>
        <translation>Ajouter un utilisateur</translation>
    </message>
    <message>
        <source>Edit user</source>
        <translation>Modifier l&apos;utilisateur</translation>
    </message>
    <message>
        <source>&amp;Name:</source>
        <translation>&amp;Nom :</translation>
    </message>
    <message>
        <source>&amp;E-mail:</source>
        <translation>&amp;E-mail :</translation>
    </message>
    <message>
        <source>&amp;Type:</source>
        <translation>&amp;Type :</translation>
    </message>
    <message>
        <source>The type is a label from the original web system: what a station may do depends on the database login it connects with.</source>
        <translation>Le type est une étiquette du système web d&apos;origine : ce qu&apos;un poste peut faire dépend de l&apos;identifiant de base de données avec lequel il se connecte.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s name.</source>
        <translation>Saisissez le nom de l&apos;utilisateur.</translation>
    </message>
    <message>
        <source>Enter the user&apos;s e-mail address.</source>
        <translation>Saisissez l&apos;adresse e-mail de l&apos;utilisateur.</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an e-mail address.</source>
        <translation>&apos;%1&apos; n&apos;est pas une adresse e-mail.</translation>
    </message>
    <message>
        <source>%1 already has the e-mail address %2: each user needs their own.</source>
        <translation>%1 a déjà l&apos;adresse e-mail %2 : chaque utilisateur doit avoir la sienne.</translation>
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
        <translation>Super admin</translation>
    </message>
    <message>
        <source>Door</source>
        <translation>Entrée</translation>
    </message>
    <message>
        <source>%1 (admin)</source>
        <translation>%1 (admin)</translation>
    </message>
    <message>
        <source>%1 (door)</source>
        <translation>%1 (entrée)</translation>
    </message>
    <message>
        <source>%1 (no login)</source>
        <translation>%1 (sans identifiant)</translation>
    </message>
    <message>
        <source>No database login named %1 is in qrtickets_admin or qrtickets_door any more.</source>
        <translation>Aucun identifiant de base de données nommé %1 n&apos;est plus dans qrtickets_admin ou qrtickets_door.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>E-mail</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créé le</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Opérateur</translation>
    </message>
</context>
<context>
    <name>qrt::gui::UsersPage</name>
    <message>
        <source>&amp;Add user…</source>
        <translation>A&amp;jouter un utilisateur…</translation>
    </message>
    <message>
        <source>Ed&amp;it…</source>
        <translation>&amp;Modifier…</translation>
    </message>
    <message>
        <source>Re&amp;move…</source>
        <translation>&amp;Supprimer…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Actua&amp;liser</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Utilisateurs</translation>
    </message>
    <message>
        <source>This station is connected as a door login: the users are for admins only.</source>
        <translation>Ce poste est connecté avec un identifiant d&apos;entrée : les utilisateurs sont réservés aux administrateurs.</translation>
    </message>
    <message numerus="yes">
        <source>%n user(s), %1 linked to a database login.</source>
        <translation>
            <numerusform>%n utilisateur ; liés à un identifiant de base de données : %1.</numerusform>
            <numerusform>%n utilisateurs ; liés à un identifiant de base de données : %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n user(s).</source>
        <translation>
            <numerusform>%n utilisateur.</numerusform>
            <numerusform>%n utilisateurs.</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>Supprimer l&apos;utilisateur</translation>
    </message>
    <message>
        <source>Remove the user %1 (%2)?</source>
        <translation>Supprimer l&apos;utilisateur %1 (%2) ?</translation>
    </message>
    <message>
        <source>This cannot be undone.</source>
        <translation>Cette action est irréversible.</translation>
    </message>
    <message>
        <source>The database login %1 stays and can still connect: `qrtickets operator remove %1` removes it.</source>
        <translation>L&apos;identifiant de base de données %1 reste et peut toujours se connecter : `qrtickets operator remove %1` le supprime.</translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation>&amp;Supprimer</translation>
    </message>
    <message>
        <source>%1 was not removed: %2</source>
        <translation>%1 n&apos;a pas été supprimé : %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::FieldCatalog</name>
    <message>
        <source>Reading the contact custom fields from GHL failed: %1</source>
        <translation>La lecture des champs personnalisés de contact depuis GHL a échoué : %1</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OrderDelivery</name>
    <message>
        <source>Order %1 is not stored.</source>
        <translation>La commande %1 n&apos;est pas enregistrée.</translation>
    </message>
    <message>
        <source>Reading order %1 failed: %2</source>
        <translation>La lecture de la commande %1 a échoué : %2</translation>
    </message>
    <message>
        <source>order %1 is cancelled or refunded: no QR code was written to GHL</source>
        <translation>la commande %1 est annulée ou remboursée : aucun QR code n&apos;a été écrit dans GHL</translation>
    </message>
    <message>
        <source>Reading the field mapping of product %1 failed: %2</source>
        <translation>La lecture de la correspondance de champ du produit %1 a échoué : %2</translation>
    </message>
    <message>
        <source>no custom field mapped for product %1: map it in Settings</source>
        <translation>aucun champ personnalisé associé au produit %1 : associez-le dans les paramètres</translation>
    </message>
    <message>
        <source>the webhook and order %1 name no contact: the QR code was not written to GHL</source>
        <translation>le webhook et la commande %1 ne désignent aucun contact : le QR code n&apos;a pas été écrit dans GHL</translation>
    </message>
    <message>
        <source>written by the original system</source>
        <translation>écrit par le système d&apos;origine</translation>
    </message>
    <message>
        <source>written by an earlier attempt</source>
        <translation>écrit par une tentative précédente</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>Le QR code de la commande %1 n&apos;a pas pu être créé : %2</translation>
    </message>
    <message>
        <source>custom field %1 (mapped for order %2) no longer exists in GHL: map another field in Settings</source>
        <translation>le champ personnalisé %1 (associé pour la commande %2) n&apos;existe plus dans GHL : associez un autre champ dans les paramètres</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; a QR code goes into a Text, Large text or File upload field: map another field in Settings</source>
        <translation>le champ personnalisé %1 est de type %2 ; un QR code va dans un champ Texte, Texte long ou Téléversement de fichier : associez un autre champ dans les paramètres</translation>
    </message>
    <message>
        <source>already delivered</source>
        <translation>déjà livré</translation>
    </message>
    <message>
        <source>a newer order of this contact holds the field</source>
        <translation>une commande plus récente de ce contact occupe le champ</translation>
    </message>
    <message>
        <source>being delivered by %1</source>
        <translation>en cours de livraison par %1</translation>
    </message>
    <message>
        <source>Reading contact %1 from GHL (to check an interrupted delivery) failed: %2</source>
        <translation>La lecture du contact %1 depuis GHL (pour vérifier une livraison interrompue) a échoué : %2</translation>
    </message>
    <message>
        <source>found in GHL after an interrupted delivery</source>
        <translation>trouvé dans GHL après une livraison interrompue</translation>
    </message>
    <message>
        <source>Writing the QR code to contact %1 failed: %2</source>
        <translation>L&apos;écriture du QR code dans le contact %1 a échoué : %2</translation>
    </message>
    <message>
        <source>Uploading the QR code to contact %1 failed: %2</source>
        <translation>Le téléversement du QR code vers le contact %1 a échoué : %2</translation>
    </message>
    <message>
        <source>The QR code reached GHL but recording it failed: %1</source>
        <translation>Le QR code est arrivé dans GHL mais son enregistrement a échoué : %1</translation>
    </message>
    <message>
        <source>claimed by another station meanwhile</source>
        <translation>réservé entre-temps par un autre poste</translation>
    </message>
    <message>
        <source>cancelled before the QR code of order %1 was written</source>
        <translation>interrompu avant l&apos;écriture du QR code de la commande %1</translation>
    </message>
    <message>
        <source>custom field %1 is mapped for a QR code and for the ticket PDF: only the QR code goes there; map another field for the ticket PDF in Settings</source>
        <translation>le champ personnalisé %1 est associé à un QR code et au PDF des billets : seul le QR code y est envoyé ; associez un autre champ au PDF des billets dans les Paramètres</translation>
    </message>
    <message>
        <source>an order of the original system: no ticket PDF</source>
        <translation>une commande du système d&apos;origine : pas de PDF des billets</translation>
    </message>
    <message>
        <source>custom field %1 is of type %2; the ticket PDF goes into a File upload field: map another field in Settings</source>
        <translation>le champ personnalisé %1 est de type %2 ; le PDF des billets va dans un champ de type Téléversement de fichier : associez un autre champ dans les Paramètres</translation>
    </message>
    <message>
        <source>The ticket PDF of order %1 could not be made: %2</source>
        <translation>Le PDF des billets de la commande %1 n&apos;a pas pu être créé : %2</translation>
    </message>
    <message>
        <source>Uploading the ticket PDF to contact %1 failed: %2</source>
        <translation>Le téléversement du PDF des billets vers le contact %1 a échoué : %2</translation>
    </message>
</context>
<context>
    <name>qrt::outbox::OutboxRepository</name>
    <message>
        <source>read the QR delivery of order %1</source>
        <translation>lire la livraison du QR de la commande %1</translation>
    </message>
    <message>
        <source>claim the QR delivery of order %1</source>
        <translation>réserver la livraison du QR de la commande %1</translation>
    </message>
    <message>
        <source>the newer order %1 of this contact holds the field</source>
        <translation>la commande plus récente %1 de ce contact occupe le champ</translation>
    </message>
    <message>
        <source>renew the QR delivery claim of order %1</source>
        <translation>renouveler la réservation de la livraison du QR de la commande %1</translation>
    </message>
    <message>
        <source>resume interrupted QR deliveries</source>
        <translation>reprendre les livraisons de QR interrompues</translation>
    </message>
    <message>
        <source>record the QR delivery of order %1</source>
        <translation>enregistrer la livraison du QR de la commande %1</translation>
    </message>
    <message>
        <source>record the failed QR delivery of order %1</source>
        <translation>enregistrer l&apos;échec de livraison du QR de la commande %1</translation>
    </message>
    <message>
        <source>find orders whose QR code was not delivered</source>
        <translation>trouver les commandes dont le QR code n&apos;a pas été livré</translation>
    </message>
    <message>
        <source>read the contacts of %1 orders</source>
        <translation>lire les contacts de %1 commandes</translation>
    </message>
    <message>
        <source>count the orders of product %1 that would get their ticket PDF</source>
        <translation>compter les commandes du produit %1 qui recevraient leur PDF des billets</translation>
    </message>
</context>
<context>
    <name>qrt::qr::QrCode</name>
    <message>
        <source>There is no text to put into the QR code.</source>
        <translation>Il n&apos;y a pas de texte à mettre dans le QR code.</translation>
    </message>
    <message>
        <source>The text (%1 characters) is too long for a QR code with error correction %2. Use a shorter URL or a lower error correction level.</source>
        <translation>Le texte (%1 caractères) est trop long pour un QR code avec la correction d&apos;erreurs %2. Utilisez une URL plus courte ou un niveau de correction plus faible.</translation>
    </message>
    <message>
        <source>The QR code could not be made.</source>
        <translation>Le QR code n&apos;a pas pu être créé.</translation>
    </message>
    <message>
        <source>The QR image size must be between 1 and %1 pixels.</source>
        <translation>La taille de l&apos;image QR doit être comprise entre 1 et %1 pixels.</translation>
    </message>
    <message>
        <source>The QR quiet zone must be between 0 and 64 modules.</source>
        <translation>La zone de silence du QR code doit être comprise entre 0 et 64 modules.</translation>
    </message>
    <message>
        <source>A %1 px image is too small for this QR code: it is %2 modules wide with its quiet zone and needs at least %3 px. Increase the QR size, shorten the URL or lower the error correction.</source>
        <translation>Une image de %1 px est trop petite pour ce QR code : il fait %2 modules de large avec sa zone de silence et nécessite au moins %3 px. Augmentez la taille du QR, raccourcissez l&apos;URL ou baissez la correction d&apos;erreurs.</translation>
    </message>
    <message>
        <source>The QR code could not be saved as PNG.</source>
        <translation>Le QR code n&apos;a pas pu être enregistré en PNG.</translation>
    </message>
    <message>
        <source>The image is empty.</source>
        <translation>L&apos;image est vide.</translation>
    </message>
    <message>
        <source>No QR code was found in the image. Make sure the whole code is visible, sharp and well lit.</source>
        <translation>Aucun QR code n&apos;a été trouvé dans l&apos;image. Vérifiez que le code entier est visible, net et bien éclairé.</translation>
    </message>
    <message>
        <source>The file %1 could not be read as an image.</source>
        <translation>Le fichier %1 n&apos;a pas pu être lu comme une image.</translation>
    </message>
    <message>
        <source>The data is not an image.</source>
        <translation>Les données ne sont pas une image.</translation>
    </message>
    <message>
        <source>The text is not an image data URL (data:image/png;base64,...).</source>
        <translation>Le texte n&apos;est pas une URL de données d&apos;image (data:image/png;base64,...).</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileLease</name>
    <message>
        <source>take the reconciliation lease</source>
        <translation>prendre le verrou de rapprochement</translation>
    </message>
    <message>
        <source>renew the reconciliation lease</source>
        <translation>renouveler le verrou de rapprochement</translation>
    </message>
    <message>
        <source>record the reconciliation</source>
        <translation>enregistrer le rapprochement</translation>
    </message>
    <message>
        <source>free the reconciliation lease</source>
        <translation>libérer le verrou de rapprochement</translation>
    </message>
    <message>
        <source>read the reconciliation lease</source>
        <translation>lire le verrou de rapprochement</translation>
    </message>
    <message>
        <source>create the reconciliation lease</source>
        <translation>créer le verrou de rapprochement</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::ReconcileStatus</name>
    <message>
        <source>Reconciliation is off ([sync] reconcile_interval_s = 0): orders whose webhook never came are only found by a manual Sync.</source>
        <translation>Le rapprochement est désactivé ([sync] reconcile_interval_s = 0) : les commandes dont le webhook n&apos;est jamais arrivé ne sont trouvées que par une synchronisation manuelle.</translation>
    </message>
    <message>
        <source>Reconciling now.</source>
        <translation>Rapprochement en cours.</translation>
    </message>
    <message numerus="yes">
        <source>Last reconciliation %1 by %2: %n order(s) synced</source>
        <translation>
            <numerusform>Dernier rapprochement %1 par %2 : %n commande synchronisée</numerusform>
            <numerusform>Dernier rapprochement %1 par %2 : %n commandes synchronisées</numerusform>
        </translation>
    </message>
    <message>
        <source>another station</source>
        <translation>un autre poste</translation>
    </message>
    <message numerus="yes">
        <source> (%n new)</source>
        <translation>
            <numerusform> (%n nouvelle)</numerusform>
            <numerusform> (%n nouvelles)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>, %n QR code(s) delivered</source>
        <translation>
            <numerusform>, %n QR code livré</numerusform>
            <numerusform>, %n QR codes livrés</numerusform>
        </translation>
    </message>
    <message>
        <source>, no QR delivery pass</source>
        <translation>, pas de passe de livraison des QR</translation>
    </message>
    <message numerus="yes">
        <source>, %n failure(s).</source>
        <translation>
            <numerusform>, %n échec.</numerusform>
            <numerusform>, %n échecs.</numerusform>
        </translation>
    </message>
    <message>
        <source>No reconciliation yet.</source>
        <translation>Aucun rapprochement pour le moment.</translation>
    </message>
    <message>
        <source>Skipped at %1: reconciled by station %2.</source>
        <translation>Ignoré à %1 : rapprochement fait par le poste %2.</translation>
    </message>
    <message>
        <source>Could not run: %1</source>
        <translation>N&apos;a pas pu s&apos;exécuter : %1</translation>
    </message>
    <message>
        <source>Next at %1.</source>
        <translation>Prochain à %1.</translation>
    </message>
    <message>
        <source>Runs while the listener runs.</source>
        <translation>Tourne tant que le récepteur tourne.</translation>
    </message>
</context>
<context>
    <name>qrt::reconcile::Reconciler</name>
    <message>
        <source>count the stored orders</source>
        <translation>compter les commandes enregistrées</translation>
    </message>
    <message>
        <source>no GHL token or location id is set</source>
        <translation>aucun jeton GHL ou identifiant d&apos;emplacement n&apos;est défini</translation>
    </message>
    <message>
        <source>another station</source>
        <translation>un autre poste</translation>
    </message>
    <message>
        <source>a sync of this reconciler is still running</source>
        <translation>une synchronisation de ce rapprochement est encore en cours</translation>
    </message>
    <message>
        <source>order list: %1</source>
        <translation>liste des commandes : %1</translation>
    </message>
    <message>
        <source>order %1: %2</source>
        <translation>commande %1 : %2</translation>
    </message>
    <message>
        <source>QR for order %1: %2</source>
        <translation>QR de la commande %1 : %2</translation>
    </message>
    <message>
        <source>this station&apos;s lease expired during the run (the database was out of reach?) and another station took over</source>
        <translation>le verrou de ce poste a expiré pendant l&apos;exécution (base de données injoignable ?) et un autre poste a pris le relais</translation>
    </message>
</context>
<context>
    <name>qrt::sync</name>
    <message>
        <source>Waiting</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Listing orders</source>
        <translation>Liste des commandes</translation>
    </message>
    <message>
        <source>Fetching orders</source>
        <translation>Récupération des commandes</translation>
    </message>
    <message>
        <source>Saving tickets</source>
        <translation>Enregistrement des billets</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Terminée</translation>
    </message>
    <message>
        <source>Completed with failures</source>
        <translation>Terminée avec des échecs</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annulée</translation>
    </message>
    <message>
        <source>The order list is not valid JSON (%1 at character %2); it must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</source>
        <translation>La liste des commandes n&apos;est pas un JSON valide (%1 au caractère %2) ; elle doit être un tableau JSON d&apos;identifiants de commande, p. ex. [&quot;653f1c...&quot;, &quot;6540aa...&quot;].</translation>
    </message>
    <message>
        <source>The order list must be a JSON array of order ids, e.g. [&quot;653f1c...&quot;], not a JSON %1.</source>
        <translation>La liste des commandes doit être un tableau JSON d&apos;identifiants de commande, p. ex. [&quot;653f1c...&quot;], pas un %1 JSON.</translation>
    </message>
    <message>
        <source>object</source>
        <translation>objet</translation>
    </message>
    <message>
        <source>value</source>
        <translation>valeur</translation>
    </message>
    <message>
        <source>Entry %1 of the order list is not an order id string; the list must hold only strings.</source>
        <translation>L&apos;entrée %1 de la liste des commandes n&apos;est pas un identifiant de commande sous forme de chaîne ; la liste ne doit contenir que des chaînes.</translation>
    </message>
    <message>
        <source>The order list file %1 does not exist.</source>
        <translation>Le fichier de liste de commandes %1 n&apos;existe pas.</translation>
    </message>
    <message>
        <source>The order list file %1 cannot be read: %2.</source>
        <translation>Le fichier de liste de commandes %1 ne peut pas être lu : %2.</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>full</source>
        <translation>complète</translation>
    </message>
    <message>
        <source>incremental</source>
        <translation>incrémentale</translation>
    </message>
    <message>
        <source>listed orders</source>
        <translation>commandes listées</translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncRun</name>
    <message>
        <source>The sync could not start because the database is not available: %1</source>
        <translation>La synchronisation n&apos;a pas pu démarrer car la base de données n&apos;est pas disponible : %1</translation>
    </message>
    <message>
        <source>Could not list the orders in GHL: %1</source>
        <translation>Les commandes n&apos;ont pas pu être listées dans GHL : %1</translation>
    </message>
    <message>
        <source>Orders %1 to %2 of the GHL order list could not be read: %3</source>
        <translation>Les commandes %1 à %2 de la liste GHL n&apos;ont pas pu être lues : %3</translation>
    </message>
    <message>
        <source>GHL refused the token: %1</source>
        <translation>GHL a refusé le jeton : %1</translation>
    </message>
    <message>
        <source>not found in GHL (it may have been deleted, or the id is wrong)</source>
        <translation>introuvable dans GHL (elle a peut-être été supprimée ou l&apos;identifiant est erroné)</translation>
    </message>
    <message numerus="yes">
        <source>Saving orders to the database failed, so the sync stopped; %n order(s) of the last batch were not saved. Orders saved before are complete; run the sync again once the database is back. %1</source>
        <translation>
            <numerusform>L&apos;enregistrement des commandes dans la base de données a échoué, la synchronisation s&apos;est donc arrêtée ; %n commande du dernier lot n&apos;a pas été enregistrée. Les commandes enregistrées avant sont complètes ; relancez la synchronisation quand la base de données sera de retour. %1</numerusform>
            <numerusform>L&apos;enregistrement des commandes dans la base de données a échoué, la synchronisation s&apos;est donc arrêtée ; %n commandes du dernier lot n&apos;ont pas été enregistrées. Les commandes enregistrées avant sont complètes ; relancez la synchronisation quand la base de données sera de retour. %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The sync was cancelled; %n order(s) were saved before it stopped.</source>
        <translation>
            <numerusform>La synchronisation a été annulée ; %n commande a été enregistrée avant l&apos;arrêt.</numerusform>
            <numerusform>La synchronisation a été annulée ; %n commandes ont été enregistrées avant l&apos;arrêt.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::sync::SyncWriter</name>
    <message>
        <source>order %1: %2</source>
        <translation>commande %1 : %2</translation>
    </message>
    <message numerus="yes">
        <source>%1 (gave up after %n attempt(s))</source>
        <translation>
            <numerusform>%1 (abandon après %n tentative)</numerusform>
            <numerusform>%1 (abandon après %n tentatives)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>qrt::tickets::TicketPdf</name>
    <message>
        <source>Ticket</source>
        <translation>Billet</translation>
    </message>
    <message>
        <source>The QR code of ticket %1 could not be made: %2</source>
        <translation>Le QR code du billet %1 n&apos;a pas pu être créé : %2</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used.</source>
        <translation>Déjà admis : ce billet a été utilisé.</translation>
    </message>
    <message>
        <source>Already admitted: this ticket was used on %1.</source>
        <translation>Déjà admis : ce billet a été utilisé le %1.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 sur %2</translation>
    </message>
    <message>
        <source>Order</source>
        <translation>Commande</translation>
    </message>
    <message>
        <source>Show this code at the door, printed or on your phone. It admits one person once: keep it to yourself.</source>
        <translation>Présentez ce code à l&apos;entrée, imprimé ou sur votre téléphone. Il donne accès à une seule personne, une seule fois : ne le partagez pas.</translation>
    </message>
    <message>
        <source>Order %1 has no tickets to print (none, or all cancelled).</source>
        <translation>La commande %1 n&apos;a aucun billet à imprimer (aucun, ou tous annulés).</translation>
    </message>
    <message>
        <source>drawing it needs fonts, which a program started without its graphical part does not load</source>
        <translation>le dessiner nécessite des polices, qu&apos;un programme lancé sans sa partie graphique ne charge pas</translation>
    </message>
    <message>
        <source>Tickets of order %1</source>
        <translation>Billets de la commande %1</translation>
    </message>
    <message>
        <source>The ticket PDF could not be started.</source>
        <translation>Le PDF des billets n&apos;a pas pu être commencé.</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>Impossible d&apos;écrire %1 : %2</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::HttpServer</name>
    <message>
        <source>The webhook listener would accept unauthenticated requests from the network on %1. Set [webhook] auth to ghl-signature or shared-secret, or bind to 127.0.0.1.</source>
        <translation>Le récepteur de webhooks accepterait des requêtes non authentifiées venant du réseau sur %1. Réglez [webhook] auth sur ghl-signature ou shared-secret, ou écoutez sur 127.0.0.1.</translation>
    </message>
    <message>
        <source>The webhook listener is set to shared-secret authentication but no secret is configured.</source>
        <translation>Le récepteur de webhooks utilise l&apos;authentification par secret partagé, mais aucun secret n&apos;est configuré.</translation>
    </message>
    <message>
        <source>%1 is not an IP address to listen on.</source>
        <translation>%1 n&apos;est pas une adresse IP d&apos;écoute.</translation>
    </message>
    <message>
        <source>Could not listen on %1 port %2.</source>
        <translation>Impossible d&apos;écouter sur %1 port %2.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::InboxWorker</name>
    <message>
        <source>The stored webhook cannot be read: %1</source>
        <translation>Le webhook stocké ne peut pas être lu : %1</translation>
    </message>
    <message>
        <source>Fetching order %1 from GHL failed: %2</source>
        <translation>La récupération de la commande %1 depuis GHL a échoué : %2</translation>
    </message>
    <message>
        <source>Saving order %1 failed: %2</source>
        <translation>L&apos;enregistrement de la commande %1 a échoué : %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 could not be made: %2</source>
        <translation>Le QR code de la commande %1 n&apos;a pas pu être créé : %2</translation>
    </message>
    <message>
        <source>Storing the QR code of order %1 failed: %2</source>
        <translation>Le stockage du QR code de la commande %1 a échoué : %2</translation>
    </message>
    <message>
        <source>The QR code of order %1 is being delivered by %2; checked again later</source>
        <translation>Le QR code de la commande %1 est en cours de livraison par %2 ; nouvelle vérification plus tard</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookAuthenticator</name>
    <message>
        <source>Shared-secret authentication is selected but [webhook] secret is empty.</source>
        <translation>L&apos;authentification par secret partagé est choisie mais [webhook] secret est vide.</translation>
    </message>
    <message>
        <source>Legacy x-wh-signature webhooks cannot be verified: accept_legacy_rsa is on but no RSA public key is configured (put GHL&apos;s RSA key in the PEM file named by ghl_public_key).</source>
        <translation>Les anciens webhooks x-wh-signature ne peuvent pas être vérifiés : accept_legacy_rsa est activé mais aucune clé publique RSA n&apos;est configurée (placez la clé RSA de GHL dans le fichier PEM désigné par ghl_public_key).</translation>
    </message>
    <message>
        <source>The configured webhook public key is not a readable PEM public key.</source>
        <translation>La clé publique de webhook configurée n&apos;est pas une clé publique PEM lisible.</translation>
    </message>
    <message>
        <source>Cannot read the webhook public key file %1.</source>
        <translation>Impossible de lire le fichier de clé publique de webhook %1.</translation>
    </message>
    <message>
        <source>The file %1 holds no PEM public key.</source>
        <translation>Le fichier %1 ne contient aucune clé publique PEM.</translation>
    </message>
    <message>
        <source>The webhook public key is neither base64 SubjectPublicKeyInfo nor a PEM file.</source>
        <translation>La clé publique de webhook n&apos;est ni un SubjectPublicKeyInfo en base64 ni un fichier PEM.</translation>
    </message>
</context>
<context>
    <name>qrt::webhook::WebhookService</name>
    <message>
        <source>The webhook service is not running.</source>
        <translation>Le service de webhooks n&apos;est pas démarré.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines and no [feed] token is set.</source>
        <translation>Le flux d&apos;événements (/ws) refuse tous les clients : le récepteur est joignable depuis d&apos;autres machines et aucun [feed] token n&apos;est défini.</translation>
    </message>
    <message>
        <source>The event feed (/ws) refuses every client: the listener is reachable from other machines, no [feed] token is set, and a generated one cannot be stored: %1</source>
        <translation>Le flux d&apos;événements (/ws) refuse tous les clients : le récepteur est joignable depuis d&apos;autres machines, aucun [feed] token n&apos;est défini et un jeton généré ne peut pas être enregistré : %1</translation>
    </message>
</context>
</TS>
