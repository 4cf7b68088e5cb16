// Shared with the generator: compiled into CtcDsl.Runtime (net10.0) and linked into CtcDsl.Generator
// (netstandard2.0), so keep to APIs both have. One definition of what the spec language means.
namespace CtcDsl.SpecFacts;

/// <summary>The defaults of <c>training:</c> that a spec may leave out and the runtime's FitOptions also default to.</summary>
internal static class TrainingFacts
{
    public const int DefaultBatchSize = 32;

    /// <summary><c>early_stopping:</c> what is watched, for how many epochs, and the least improvement that counts.</summary>
    public const string DefaultMonitor = "val_loss";
    public const int DefaultPatience = 10;
    public const double DefaultMinDelta = 0;
}

/// <summary>The prefix beam search's defaults and ranges (<c>decoding: { type: beam }</c>; the runtime's PrefixBeamSearch).</summary>
internal static class BeamSearchFacts
{
    public const int DefaultBeamWidth = 8;
    public const int DefaultNBest = 1;

    /// <summary>0: no class is pruned. A threshold is a probability in [0, 1).</summary>
    public const double DefaultPruneThreshold = 0;

    /// <summary>Whether <paramref name="threshold"/> is a valid pruning threshold: a probability in [0, 1).</summary>
    public static bool IsPruneThreshold(double threshold) => threshold >= 0 && threshold < 1;
}
