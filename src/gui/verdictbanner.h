#pragma once

#include <QColor>
#include <QObject>
#include <QString>
#include <QTimer>

class QLabel;
class QListWidget;

namespace qrt::gui {

// Text and background colour of a verdict tone ("green", "amber", "red"; anything else: none).
// Fixed pairs, readable in light and dark palettes alike.
struct ToneColours
{
    QColor background;
    QColor text;
    bool isValid() const { return background.isValid(); }
};
ToneColours toneColours(const QString &tone);

// The check-in panel's big verdict: the banner label (its "result" property is "green", "amber",
// "red" or "neutral") and the detail label under it. A verdict goes back to "Ready to scan" by itself
// after [door] clear_after_ms (0: never). Assistive technology is told: the banner's accessible name
// becomes the verdict ("Admitted 2 of 3"), its description the details, and a NameChanged and an
// Alert event are sent, so a screen reader hears the verdict, not a fixed "Check-in result".
class VerdictBanner : public QObject
{
    Q_OBJECT
public:
    VerdictBanner(QLabel *banner, QLabel *detail, QObject *parent = nullptr);

    void setClearAfterMs(int ms) { m_clearAfterMs = ms; }
    int clearAfterMs() const { return m_clearAfterMs; }

    // tone: "green", "amber", "red" or "neutral". A neutral message (undone, ready) does not clear
    // itself unless clearLater.
    void show(const QString &tone, const QString &title, const QString &detail, bool clearLater);
    void showReady();
    bool isClearPending() const { return m_clear.isActive(); }

Q_SIGNALS:
    void clearedByItself(); // the verdict timed out and the banner says "Ready to scan" again

private:
    QLabel *m_banner;
    QLabel *m_detail;
    QTimer m_clear;
    int m_clearAfterMs = 5000;
};

// Adds a line at the top of a recent-scans list: the time, a sign (✓ ! ✗) and the text, coloured
// by tone (the sign keeps it readable without colour); text beyond 120 characters is elided, the
// whole of it is the tooltip. Keeps the newest 50.
void addRecentScan(QListWidget *list, const QString &tone, const QString &text);

} // namespace qrt::gui
