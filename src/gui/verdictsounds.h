#pragma once

#include "door/doorcheck.h"

#include <QHash>
#include <QObject>
#include <QUrl>

class QSoundEffect;

namespace qrt::gui {

// The door's three verdict sounds (PRODUCT.md section 4b): green, amber and red each have their own
// short WAV (resources/sounds, shipped as Qt resources); a neutral verdict is silent. Off with
// [door] sound = false. Without an audio output (a server, CI, Xvfb) nothing is played and nothing
// is logged; the choice is still made, so it can be tested.
class VerdictSounds : public QObject
{
    Q_OBJECT
public:
    explicit VerdictSounds(QObject *parent = nullptr);
    ~VerdictSounds() override;

    void setEnabled(bool enabled) { m_enabled = enabled; }
    bool isEnabled() const { return m_enabled; }

    // qrc:/sounds/green.wav, amber.wav, red.wav; empty for a neutral verdict.
    static QUrl sourceFor(door::Verdict::Tone tone);

    // Plays the tone's sound when enabled; returns what it chose (empty: nothing, e.g. sound off).
    QUrl play(door::Verdict::Tone tone);
    QUrl lastChosen() const { return m_lastChosen; }

Q_SIGNALS:
    void chosen(const QUrl &source); // every time play() picks a sound, device or not

private:
    bool haveOutput();

    bool m_enabled = true;
    int m_haveOutput = -1; // -1: not asked yet
    QUrl m_lastChosen;
    QHash<int, QSoundEffect *> m_effects; // made on first use, only when an audio output exists
};

} // namespace qrt::gui
