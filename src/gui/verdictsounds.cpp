#include "gui/verdictsounds.h"

#include <QAudioDevice>
#include <QMediaDevices>
#include <QSoundEffect>

namespace qrt::gui {

VerdictSounds::VerdictSounds(QObject *parent) : QObject(parent) { }

VerdictSounds::~VerdictSounds() = default;

QUrl VerdictSounds::sourceFor(door::Verdict::Tone tone)
{
    switch (tone) {
    case door::Verdict::Tone::Green: return QUrl(QStringLiteral("qrc:/sounds/green.wav"));
    case door::Verdict::Tone::Amber: return QUrl(QStringLiteral("qrc:/sounds/amber.wav"));
    case door::Verdict::Tone::Red: return QUrl(QStringLiteral("qrc:/sounds/red.wav"));
    case door::Verdict::Tone::Neutral: break;
    }
    return {};
}

bool VerdictSounds::haveOutput()
{
    // Asked once: a station without a sound card (or a test under Xvfb) never builds a
    // QSoundEffect, so it neither waits for a device nor logs a warning per scan.
    if (m_haveOutput < 0) {
        // Qt's PulseAudio backend says "pa_context_connect() failed" where no sound server runs;
        // that is the normal case on a server or in CI, not worth a warning in the log.
        static QtMessageHandler previous = nullptr;
        previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &context, const QString &message) {
            if (type == QtWarningMsg && message.startsWith(QLatin1String("PulseAudioService:")))
                return;
            if (previous)
                previous(type, context, message);
        });
        m_haveOutput = QMediaDevices::audioOutputs().isEmpty() ? 0 : 1;
        qInstallMessageHandler(previous);
    }
    return m_haveOutput == 1;
}

QUrl VerdictSounds::play(door::Verdict::Tone tone)
{
    const QUrl source = m_enabled ? sourceFor(tone) : QUrl();
    if (source.isEmpty())
        return {};
    m_lastChosen = source;
    Q_EMIT chosen(source);
    if (!haveOutput())
        return source;
    QSoundEffect *&effect = m_effects[int(tone)];
    if (!effect) {
        effect = new QSoundEffect(this);
        effect->setSource(source);
        effect->setVolume(0.8f);
    }
    // A new verdict cuts the previous sound short: the newest verdict is the one that counts.
    for (QSoundEffect *other : std::as_const(m_effects)) {
        if (other && other != effect && other->isPlaying())
            other->stop();
    }
    effect->play();
    return source;
}

} // namespace qrt::gui
