#!/usr/bin/env python3
"""Writes the check-in panel's three verdict sounds (green.wav, amber.wav, red.wav) next to this file.

Plain Python (no dependencies), so the WAVs can be made again and checked: 22,050 Hz, 16-bit mono,
each under half a second, with 5 ms fades so they do not click. They differ in pitch and rhythm, not
only in loudness, so staff can tell them apart without looking:
  green: two rising notes (E6 then A6), bright and short
  amber: two equal middle notes (A5, A5), a "look at the screen"
  red:   one low buzzing note (A3 with odd harmonics), longer
Run: python3 resources/sounds/make-sounds.py
"""
import math
import os
import struct
import wave

RATE = 22050
FADE = int(0.005 * RATE)


def tone(freq, seconds, harmonics=(1.0,), volume=0.6):
    n = int(seconds * RATE)
    out = []
    norm = sum(harmonics)
    for i in range(n):
        t = i / RATE
        v = sum(a * math.sin(2 * math.pi * freq * (2 * k + 1) * t) for k, a in enumerate(harmonics)) / norm
        env = min(1.0, i / FADE, (n - 1 - i) / FADE)
        out.append(v * env * volume)
    return out


def silence(seconds):
    return [0.0] * int(seconds * RATE)


def write(name, samples):
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples))


write("green.wav", tone(1318.5, 0.09) + silence(0.02) + tone(1760.0, 0.14))
write("amber.wav", tone(880.0, 0.12) + silence(0.08) + tone(880.0, 0.12))
write("red.wav", tone(220.0, 0.45, harmonics=(1.0, 0.5, 0.3, 0.2), volume=0.7))
