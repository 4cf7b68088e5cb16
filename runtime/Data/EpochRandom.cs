using System;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// The random source of one epoch: a fixed mix of the seed and the epoch (never
/// <see cref="HashCode"/>, which is randomised per process), so orders repeat in every process and
/// after a resume.
/// </summary>
public static class EpochRandom
{
    /// <summary>A generator determined by <paramref name="seed"/> and <paramref name="epoch"/> only.</summary>
    public static Random For(int seed, int epoch) => new(unchecked(seed * 1_000_003 + epoch));
}
