using System.IO;
using System.Threading;

namespace CtcDsl.Runtime.Training;

/// <summary>How a training run goes. Generated models fill the defaults from their spec.</summary>
public sealed record FitOptions
{
    /// <summary>Passes over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per optimisation step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Shuffle the training examples each epoch (with <see cref="Seed"/>).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling order.</summary>
    public int Seed { get; init; }

    /// <summary>Learning rate over training; null keeps the optimiser's rate.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the global gradient norm to this value before each step; null: no clipping.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>Where the per-epoch progress lines go (Keras style); null: silent.</summary>
    public TextWriter? Log { get; init; } = System.Console.Out;

    /// <summary>Stops training between steps; the history so far is returned.</summary>
    public CancellationToken CancellationToken { get; init; }
}
