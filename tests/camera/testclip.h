#pragma once

#include "core/result.h"

#include <QImage>
#include <QList>
#include <QSize>
#include <QString>
#include <QStringList>

// A video of QR codes as a camera at the door sees them, for tests and `scripts/bench camera`
// without a camera: 1280x720 frames, each code held in view for about a second (drifting a little,
// as in a hand) with blank gaps between, in the looks that make reading hard. Written as Motion
// JPEG in AVI by a few lines of RIFF (no encoder tool needed); GStreamer plays it with avidemux and
// jpegdec (Debian: gstreamer1.0-plugins-good).
namespace qrt::test {

struct ClipCode
{
    QString text;
    QString look;   // "plain", "blur", "tilt", "glare", "moire", "tilt+blur+glare"
    int firstFrame; // the first frame it is in view
    int lastFrame;  // the last one
};

struct ClipPlan
{
    QSize size{1280, 720};
    int fps = 25;
    int holdMs = 1000; // each code in view this long
    int gapMs = 600;   // blank frames between codes (and before the first)
    int tailMs = 800;  // blank after the last
    QList<ClipCode> codes;
    int frameCount = 0;

    // One code per text; the looks cycle through looks() in order.
    static ClipPlan make(const QStringList &texts);
    static QStringList looks();
    // The code in view in a frame, or -1 for a blank one.
    int codeAt(int frame) const;
    // When frame starts, in milliseconds from the start of the clip.
    qint64 frameStartMs(int frame) const { return qint64(frame) * 1000 / fps; }
};

// One frame of the clip (RGB32), the same for the same plan and index.
QImage renderClipFrame(const ClipPlan &plan, int frame);

// Writes the whole clip to path (.avi). Errors: "test.clip_write".
core::Result<void> writeClip(const ClipPlan &plan, const QString &path);

// Ticket-like texts for a clip: 32 hex digits (as a ticket's code) and order links, alternating.
QStringList sampleClipTexts(int count);

} // namespace qrt::test
