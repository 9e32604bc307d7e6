#pragma once

#include <QtGlobal>

namespace qrt::ghlsim {

// splitmix64: tiny, seedable, the same sequence on every platform (data and fault draws).
struct SplitMix64
{
    quint64 state = 1;

    quint64 next()
    {
        quint64 z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1).
    double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
};

} // namespace qrt::ghlsim
