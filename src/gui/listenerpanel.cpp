#include "gui/listenerpanel.h"

#include "ui_listenerpanel.h"

#include "core/config.h"
#include "db/database.h"
#include "db/inboxrepository.h"
#include "ghl/ghlclient.h"
#include "ghl/listordersjob.h"
#include "gui/dbworker.h"
#include "gui/services.h"
#include "reconcile/reconciler.h"

#include "webhook/httpserver.h"
#include "webhook/inboxworker.h"
#include "webhook/webhookservice.h"

#include <QDateTime>
#include <QGroupBox>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QTimer>
#include <QUuid>
#include <QVBoxLayout>

namespace qrt::gui {

namespace {

enum Column { TimeColumn, KindColumn, OrderColumn, OutcomeColumn, ErrorColumn, ColumnCount };

QString authName(core::WebhookAuth auth)
{
    switch (auth) {
    case core::WebhookAuth::GhlSignature: return ListenerPanel::tr("GHL signature (Ed25519)");
    case core::WebhookAuth::SharedSecret: return ListenerPanel::tr("Shared secret");
    case core::WebhookAuth::None: return ListenerPanel::tr("None (this machine only)");
    }
    return {};
}

QString outcomeText(const db::InboxItem &item)
{
    switch (item.state) {
    case db::InboxState::Pending: return ListenerPanel::tr("Waiting");
    case db::InboxState::Processing: return ListenerPanel::tr("Processing");
    case db::InboxState::Done:
        return item.warning.isEmpty() ? ListenerPanel::tr("Done") : ListenerPanel::tr("Done with a warning");
    case db::InboxState::Failed: return ListenerPanel::tr("Failed, retrying (attempt %1)").arg(item.attempts);
    case db::InboxState::Dead: return ListenerPanel::tr("Dead after %n attempt(s)", nullptr, item.attempts);
    }
    return {};
}

bool retryable(const db::InboxItem &item)
{
    return item.state == db::InboxState::Dead || item.state == db::InboxState::Failed
        || (item.state == db::InboxState::Done && !item.warning.isEmpty());
}

struct Snapshot
{
    QString error;
    db::InboxStats stats;
    QList<db::InboxItem> recent;
};

} // namespace

struct ListenerPanel::Private
{
    Services &services;
    DbWorker *dbWorker = nullptr;
    QTimer *pollTimer = nullptr;
    QTimer *coalesce = nullptr;
    QList<db::InboxItem> rows;
    QTableWidget *refusedTable = nullptr; // the listener's refusals (401, 413, ...): never in the inbox
    QNetworkAccessManager *nam = nullptr;
    QLabel *reconcileLabel = nullptr; // the last reconciliation, what it healed, the next run
    bool refreshing = false;

    explicit Private(Services &s) : services(s) { }
};

ListenerPanel::ListenerPanel(Services &services, QWidget *parent)
    : QWidget(parent), m_ui(std::make_unique<Ui::ListenerPanel>()), d(std::make_unique<Private>(services))
{
    m_ui->setupUi(this);
    QTableWidget *table = m_ui->deliveriesTable;
    table->setColumnCount(ColumnCount);
    table->setHorizontalHeaderLabels({ tr("Time"), tr("Kind"), tr("Order"), tr("Outcome"), tr("Error") });
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);

    d->pollTimer = new QTimer(this);
    d->pollTimer->setInterval(2000); // other stations and `serve` write the same inbox
    connect(d->pollTimer, &QTimer::timeout, this, &ListenerPanel::refresh);
    d->coalesce = new QTimer(this);
    d->coalesce->setSingleShot(true);
    d->coalesce->setInterval(150); // a burst of deliveries costs one refresh
    connect(d->coalesce, &QTimer::timeout, this, &ListenerPanel::refresh);

    connect(m_ui->startStopButton, &QPushButton::clicked, this, &ListenerPanel::startStop);
    connect(m_ui->refreshButton, &QPushButton::clicked, this, &ListenerPanel::refresh);
    connect(m_ui->retryButton, &QPushButton::clicked, this, &ListenerPanel::retrySelected);
    connect(m_ui->testWebhookButton, &QPushButton::clicked, this, &ListenerPanel::sendTestWebhook);
    connect(table, &QTableWidget::itemSelectionChanged, this, &ListenerPanel::updateButtons);

    if (d->services.database)
        d->dbWorker = d->services.dbWorker;
    else
        m_ui->recentNote->setText(tr("No database is open, so there is no webhook inbox to show."));

    // The state shown is the service's: whoever starts or stops it (this panel, the main window at
    // launch, a settings change that moves the port), the panel follows its signal.
    if (webhook::WebhookService *service = d->services.webhookService) {
        connect(service, &webhook::WebhookService::listeningChanged, this, [this](bool listening) {
            watchDeliveries();
            updateState();
            emit listeningChanged(listening);
            if (listening)
                scheduleRefresh();
        });
        connect(&service->server(), &webhook::HttpServer::requestAnswered, this, &ListenerPanel::scheduleRefresh);
        watchDeliveries();
    }

    // The reconciliation loop's line, below the listener's state (added here, not in the form,
    // because it exists only with a reconciler).
    if (reconcile::Reconciler *reconciler = d->services.reconciler) {
        auto *title = new QLabel(tr("Reconciliation:"), this);
        d->reconcileLabel = new QLabel(this);
        d->reconcileLabel->setObjectName(QStringLiteral("reconcileLabel"));
        d->reconcileLabel->setWordWrap(true);
        d->reconcileLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
        d->reconcileLabel->setToolTip(tr("Every [sync] reconcile_interval_s while the listener runs: an incremental sync "
                                         "finds orders whose webhook never came, then every stored order without its QR "
                                         "code gets it. One station at a time does it."));
        const int row = m_ui->stateLayout->rowCount();
        m_ui->stateLayout->addWidget(title, row, 0, Qt::AlignTop);
        m_ui->stateLayout->addWidget(d->reconcileLabel, row, 1);
        d->reconcileLabel->setText(reconciler->status().summaryLine());
        connect(reconciler, &reconcile::Reconciler::statusChanged, this,
                [this](const reconcile::ReconcileStatus &s) { d->reconcileLabel->setText(s.summaryLine()); });
    }

    buildRefusedTable();
    m_ui->testWebhookButton->setVisible(d->services.demo);
    updateState();
    refresh();
}

void ListenerPanel::buildRefusedTable()
{
    auto *group = new QGroupBox(tr("Refused deliveries"), this);
    group->setObjectName(QStringLiteral("refusedGroup"));
    auto *layout = new QVBoxLayout(group);
    auto *table = new QTableWidget(0, 4, group);
    table->setObjectName(QStringLiteral("refusedTable"));
    table->setHorizontalHeaderLabels({ tr("Time"), tr("From"), tr("Answer"), tr("Reason") });
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setToolTip(tr("Requests this listener refused (wrong signature or secret, too large, not an order ...). "
                         "GHL retries only a 429; the others are lost unless fixed at the sender."));
    layout->addWidget(table);
    m_ui->mainLayout->addWidget(group, 1);
    d->refusedTable = table;
    webhook::WebhookService *service = d->services.webhookService;
    if (!service) {
        group->hide();
        return;
    }
    const QList<webhook::RejectedDelivery> earlier = service->recentRejections();
    for (const webhook::RejectedDelivery &r : earlier)
        addRefused(r);
    connect(service, &webhook::WebhookService::deliveryRejected, this, &ListenerPanel::addRefused);
}

void ListenerPanel::addRefused(const webhook::RejectedDelivery &rejected)
{
    QTableWidget *table = d->refusedTable;
    table->insertRow(0); // newest first
    const QString texts[] = { QLocale().toString(rejected.at.toLocalTime(), QLocale::ShortFormat), rejected.peer,
                              QString::number(rejected.status), rejected.reason };
    for (int c = 0; c < 4; ++c) {
        auto *cell = new QTableWidgetItem(texts[c]);
        cell->setToolTip(texts[c]);
        table->setItem(0, c, cell);
    }
    while (table->rowCount() > webhook::WebhookService::MaxRejections)
        table->removeRow(table->rowCount() - 1);
}

ListenerPanel::~ListenerPanel() = default;

void ListenerPanel::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (d->dbWorker)
        d->pollTimer->start();
    refresh();
}

void ListenerPanel::hideEvent(QHideEvent *event)
{
    d->pollTimer->stop();
    QWidget::hideEvent(event);
}

void ListenerPanel::updateState()
{
    const core::WebhookSettings settings = d->services.config.webhook();
    m_ui->authLabel->setText(authName(settings.auth));
    webhook::HttpServer *server = d->services.webhookServer;
    const bool listening = server && server->isListening();
    if (listening) {
        m_ui->stateLabel->setText(tr("Listening"));
        m_ui->addressLabel->setText(QStringLiteral("http://%1:%2%3")
                                        .arg(server->serverAddress().toString())
                                        .arg(server->serverPort())
                                        .arg(settings.path));
        m_ui->startStopButton->setText(tr("&Stop listener"));
    } else {
        m_ui->stateLabel->setText(tr("Off"));
        m_ui->addressLabel->setText(tr("%1:%2 (not listening)").arg(settings.bind).arg(settings.port));
        m_ui->startStopButton->setText(tr("&Start listener"));
    }
    m_ui->startStopButton->setEnabled(d->services.database != nullptr && d->services.webhookService != nullptr);
    if (!d->services.database)
        m_ui->messageLabel->setText(tr("The listener needs a database for its inbox."));
    if (d->services.webhookService && d->services.webhookService->isRunning() && !d->services.webhookService->worker())
        m_ui->recentNote->setText(tr("No inbox worker runs in this application: another station or `qrtickets "
                                     "serve` must process the events."));
    updateButtons();
}

bool ListenerPanel::isListening() const
{
    return d->services.webhookService && d->services.webhookService->isListening();
}

void ListenerPanel::watchDeliveries()
{
    // The worker exists once the service has started.
    webhook::InboxWorker *worker = d->services.webhookService ? d->services.webhookService->worker() : nullptr;
    if (!worker)
        return;
    connect(worker, &webhook::InboxWorker::eventProcessed, this, &ListenerPanel::scheduleRefresh, Qt::UniqueConnection);
    connect(worker, &webhook::InboxWorker::eventFailed, this, &ListenerPanel::scheduleRefresh, Qt::UniqueConnection);
}

void ListenerPanel::startListening()
{
    if (!isListening())
        startStop();
}

void ListenerPanel::startStop()
{
    webhook::WebhookService *service = d->services.webhookService;
    if (!service)
        return;
    if (service->isListening()) {
        m_ui->messageLabel->setText(tr("Stopped. Webhooks GHL sends now are retried by GHL or lost; start the "
                                       "listener again to receive them."));
        service->stopListening(); // listeningChanged updates the state
        return;
    }
    // The first start starts the whole service (listener, inbox commits, worker, feed); a start
    // after Stop listens again with the settings as they are now (Settings may have changed the
    // secret, the key or the port since); the worker has gone on meanwhile.
    const core::Result<void> started = service->startListening();
    if (!started) {
        m_ui->messageLabel->setText(tr("The listener did not start: %1").arg(started.error().toString()));
        updateState();
        return;
    }
    m_ui->messageLabel->setText(service->warnings().join(u'\n'));
}

void ListenerPanel::scheduleRefresh()
{
    if (!d->coalesce->isActive())
        d->coalesce->start();
}

void ListenerPanel::refresh()
{
    updateState();
    // A hidden panel queries nothing: the inbox statistics would queue on the database worker the
    // door shares. showEvent refreshes when the panel opens.
    if (!d->dbWorker || d->refreshing || !isVisible())
        return;
    d->refreshing = true;
    d->dbWorker->run(
        this,
        [](db::Database &database) {
            Snapshot s;
            db::InboxRepository repo(database);
            auto stats = repo.stats();
            auto recent = repo.recent(100);
            if (!stats)
                s.error = stats.error().message;
            else if (!recent)
                s.error = recent.error().message;
            else {
                s.stats = stats.value();
                s.recent = recent.value();
            }
            return s;
        },
        [this](Snapshot s) {
            d->refreshing = false;
            if (!s.error.isEmpty()) {
                m_ui->recentNote->setText(tr("The inbox could not be read: %1").arg(s.error));
                return;
            }
            m_ui->acceptedTodayLabel->setText(QString::number(s.stats.acceptedToday));
            m_ui->queueLabel->setText(tr("%1 pending, %2 processing, %3 waiting to retry")
                                          .arg(s.stats.pending)
                                          .arg(s.stats.processing)
                                          .arg(s.stats.failed));
            m_ui->deadLabel->setText(s.stats.dead == 0 ? tr("none")
                                                       : tr("%1 (last error: %2)").arg(s.stats.dead).arg(s.stats.lastError));

            QTableWidget *table = m_ui->deliveriesTable;
            qint64 selected = -1;
            if (const auto rows = table->selectionModel()->selectedRows(); !rows.isEmpty())
                selected = table->item(rows.first().row(), TimeColumn)->data(Qt::UserRole).toLongLong();
            d->rows = s.recent;
            table->setRowCount(int(d->rows.size()));
            const QLocale locale;
            for (int r = 0; r < d->rows.size(); ++r) {
                const db::InboxItem &item = d->rows.at(r);
                auto set = [&](int column, const QString &text) {
                    auto *cell = table->item(r, column);
                    if (!cell) {
                        cell = new QTableWidgetItem;
                        table->setItem(r, column, cell);
                    }
                    cell->setText(text);
                    cell->setToolTip(text);
                };
                set(TimeColumn, locale.toString(item.receivedAt.toLocalTime(), QLocale::ShortFormat));
                table->item(r, TimeColumn)->setData(Qt::UserRole, item.id);
                set(KindColumn, item.eventType.isEmpty() ? tr("(custom)") : item.eventType);
                set(OrderColumn, item.orderId);
                set(OutcomeColumn, outcomeText(item));
                set(ErrorColumn, item.state == db::InboxState::Done ? item.warning : item.lastError);
                if (item.id == selected)
                    table->selectRow(r);
            }
            if (d->rows.isEmpty() && m_ui->recentNote->text().isEmpty())
                m_ui->recentNote->setText(tr("Nothing received yet. Point a GHL workflow webhook or the marketplace "
                                             "app at the address above."));
            else if (!d->rows.isEmpty())
                m_ui->recentNote->clear();
            updateButtons();
        });
}

void ListenerPanel::updateButtons()
{
    const auto rows = m_ui->deliveriesTable->selectionModel()->selectedRows();
    bool canRetry = false;
    if (!rows.isEmpty() && rows.first().row() < d->rows.size())
        canRetry = retryable(d->rows.at(rows.first().row()));
    m_ui->retryButton->setEnabled(canRetry && d->dbWorker);
    const bool listening = isListening();
    // Only GHL holds the private key for X-GHL-Signature, so a test webhook needs another mode.
    const bool signable = d->services.config.webhook().auth != core::WebhookAuth::GhlSignature;
    m_ui->testWebhookButton->setEnabled(listening && d->services.ghl && signable);
    m_ui->testWebhookButton->setToolTip(
        signable ? tr("Posts an OrderCreate webhook for a demo order to this listener")
                 : tr("Only GHL can sign webhooks; set the listener to shared-secret authentication to send a test "
                      "webhook."));
}

void ListenerPanel::retrySelected()
{
    const auto rows = m_ui->deliveriesTable->selectionModel()->selectedRows();
    if (rows.isEmpty() || !d->dbWorker || rows.first().row() >= d->rows.size())
        return;
    const qint64 id = d->rows.at(rows.first().row()).id;
    m_ui->retryButton->setEnabled(false);
    d->dbWorker->run(
        this, [id](db::Database &database) { return db::InboxRepository(database).retry(id); },
        [this, id](core::Result<bool> r) {
            if (!r)
                m_ui->messageLabel->setText(tr("Retry failed: %1").arg(r.error().message));
            else if (!r.value())
                m_ui->messageLabel->setText(tr("Event %1 is already waiting or being processed.").arg(id));
            else
                m_ui->messageLabel->setText(tr("Event %1 is queued again.").arg(id));
            webhook::InboxWorker *worker = d->services.webhookService ? d->services.webhookService->worker() : nullptr;
            if (r && r.value() && worker)
                QMetaObject::invokeMethod(worker, &webhook::InboxWorker::wake, Qt::QueuedConnection);
            refresh();
        });
}

void ListenerPanel::sendTestWebhook()
{
    if (!d->services.ghl)
        return;
    // The newest order of the (simulated) location, so the worker finds it when it fetches it.
    ghl::ListOrdersQuery query;
    query.limit = 1;
    m_ui->testWebhookButton->setEnabled(false);
    m_ui->messageLabel->setText(tr("Looking up a demo order ..."));
    auto *job = d->services.ghl->listOrders(query);
    connect(job, &ghl::GhlJob::finished, this, [this, job] {
        m_ui->testWebhookButton->setEnabled(true);
        if (!job->ok()) {
            m_ui->messageLabel->setText(tr("No demo order to send: %1").arg(job->error().message()));
            return;
        }
        if (job->page().orders.isEmpty()) {
            m_ui->messageLabel->setText(tr("The demo location has no orders yet."));
            return;
        }
        const ghl::OrderSummary &order = job->page().orders.constFirst();
        postTestWebhook(order.id, order.contactId);
    });
}

void ListenerPanel::postTestWebhook(const QString &orderId, const QString &contactId)
{
    webhook::HttpServer *server = d->services.webhookServer;
    if (!server || !server->isListening())
        return;
    const core::WebhookSettings settings = d->services.config.webhook();
    // Marketplace OrderCreate shape (reference/ghl-api/webhook-OrderCreate.md).
    const QJsonObject body {
        { QStringLiteral("type"), QStringLiteral("OrderCreate") },
        { QStringLiteral("webhookId"), QUuid::createUuid().toString(QUuid::WithoutBraces) },
        { QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("altId"), d->services.config.ghl().locationId },
        { QStringLiteral("altType"), QStringLiteral("location") },
        { QStringLiteral("locationId"), d->services.config.ghl().locationId },
        { QStringLiteral("_id"), orderId },
        { QStringLiteral("contactId"), contactId },
        { QStringLiteral("status"), QStringLiteral("completed") },
    };
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QHostAddress bound = server->serverAddress();
    const bool anyAddress = bound.isNull() || bound == QHostAddress(QHostAddress::Any)
        || bound == QHostAddress(QHostAddress::AnyIPv4) || bound == QHostAddress(QHostAddress::AnyIPv6);
    url.setHost(anyAddress ? QStringLiteral("127.0.0.1") : bound.toString());
    url.setPort(server->serverPort());
    url.setPath(settings.path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    if (settings.auth == core::WebhookAuth::SharedSecret)
        request.setRawHeader("X-Webhook-Secret", settings.secret.toUtf8());
    request.setTransferTimeout(10000);
    if (!d->nam)
        d->nam = new QNetworkAccessManager(this);
    QNetworkReply *reply = d->nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    connect(reply, &QNetworkReply::finished, this, [this, reply, orderId] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200)
            m_ui->messageLabel->setText(tr("Test webhook for order %1 accepted; watch it below.").arg(orderId));
        else if (status != 0)
            m_ui->messageLabel->setText(tr("The listener answered %1: %2").arg(status).arg(QString::fromUtf8(reply->readAll()).left(200)));
        else
            m_ui->messageLabel->setText(tr("The test webhook could not be sent: %1").arg(reply->errorString()));
        scheduleRefresh();
    });
}

} // namespace qrt::gui
