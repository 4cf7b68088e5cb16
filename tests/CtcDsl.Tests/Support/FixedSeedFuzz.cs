using System;
using CsCheck;

namespace CtcDsl.Tests.Support;

/// <summary>
/// Runs a generator's cases from one fixed seed: the same cases on every run and every machine.
/// (CsCheck's <c>Sample(seed:)</c> fixes only the first case and draws the rest at random, which is
/// right for exploring and wrong for a CI budget.) A failure names the case's index and the seed;
/// a longer exploration runs the same test with CTCDSL_FUZZ_ITERATIONS and CTCDSL_FUZZ_SEED.
/// </summary>
internal static class FixedSeedFuzz
{
    /// <summary>A fuzzer's case budget: CTCDSL_FUZZ_ITERATIONS when set (a longer exploration), else <paramref name="fallback"/> (what CI runs).</summary>
    public static int Budget(int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable("CTCDSL_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : fallback;

    /// <summary>Checks <paramref name="iterations"/> cases generated from <paramref name="seed"/> (CTCDSL_FUZZ_SEED overrides it).</summary>
    public static void SampleFixed<T>(this Gen<T> gen, Action<T> check, int iterations, string seed)
    {
        seed = Environment.GetEnvironmentVariable("CTCDSL_FUZZ_SEED") is { Length: > 0 } other ? other : seed;
        var pcg = PCG.Parse(seed);
        for (var i = 0; i < iterations; i++)
        {
            var value = gen.Generate(pcg, null!, out _);
            try
            {
                check(value);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"Case {i} of {iterations} from seed {seed} failed: {e.Message}", e);
            }
        }
    }

    public static void SampleFixed<T1, T2, T3>(this Gen<(T1, T2, T3)> gen, Action<T1, T2, T3> check, int iterations, string seed) =>
        gen.SampleFixed(t => check(t.Item1, t.Item2, t.Item3), iterations, seed);

    public static void SampleFixed<T1, T2, T3, T4>(this Gen<(T1, T2, T3, T4)> gen, Action<T1, T2, T3, T4> check, int iterations, string seed) =>
        gen.SampleFixed(t => check(t.Item1, t.Item2, t.Item3, t.Item4), iterations, seed);
}
