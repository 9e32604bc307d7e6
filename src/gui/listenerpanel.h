#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class ListenerPanel;
}

namespace qrt::gui {

struct Services;

// Starts and stops the embedded webhook listener and shows what it receives: address, auth mode,
// accepted today, dead events, recent deliveries (refreshed live) with "Retry" for dead ones and,
// in demo mode, "Send test webhook".
class ListenerPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ListenerPanel(Services &services, QWidget *parent = nullptr);
    ~ListenerPanel() override;

signals:
    void listeningChanged(bool listening);

private:
    struct Private;
    std::unique_ptr<Ui::ListenerPanel> m_ui;
    std::unique_ptr<Private> d;
};

} // namespace qrt::gui
