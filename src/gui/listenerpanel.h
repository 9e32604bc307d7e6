#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class ListenerPanel;
}

namespace qrt::webhook {
struct RejectedDelivery;
}

namespace qrt::gui {

struct Services;

// Starts and stops the embedded webhook listener and shows what it receives: address, auth mode,
// accepted today, dead events, recent deliveries (refreshed live) with "Retry" for dead ones, the
// deliveries the listener refused (401, 413, 422, 429 ...: never in the inbox) and, in demo mode,
// "Send test webhook".
class ListenerPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ListenerPanel(Services &services, QWidget *parent = nullptr);
    ~ListenerPanel() override;

    bool isListening() const;
    // Starts the listener unless it already runs; [webhook] enabled does this at launch.
    void startListening();

signals:
    void listeningChanged(bool listening);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void startStop();
    void updateState();
    void refresh();
    void scheduleRefresh();
    void retrySelected();
    void sendTestWebhook();
    void postTestWebhook(const QString &orderId, const QString &contactId);
    void updateButtons();
    void watchDeliveries();
    void buildRefusedTable();
    void addRefused(const webhook::RejectedDelivery &rejected);

    struct Private;
    std::unique_ptr<Ui::ListenerPanel> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
