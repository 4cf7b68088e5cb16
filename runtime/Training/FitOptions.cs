using System;
using System.Threading;

namespace CtcDsl.Runtime.Training;

/// <summary>How a training run goes. Generated models fill the defaults from their spec.</summary>
public sealed record FitOptions
{
    /// <summary>Passes over the training set (including those done before a resume).</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per optimisation step.</summary>
    public int BatchSize { get; init; } = SpecFacts.TrainingFacts.DefaultBatchSize;

    /// <summary>Shuffle the training examples each epoch; the order depends only on <see cref="Seed"/> and the epoch, so a resumed run sees the same orders.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Group examples of similar length into batches (less padding); see <see cref="Data.BucketBatcher"/>.</summary>
    public bool BucketByLength { get; init; }

    /// <summary>Cap on padded frames per batch (examples × longest example); implies bucketing. Null: no cap.</summary>
    public int? MaxFramesPerBatch { get; init; }

    /// <summary>Collate the next batch on a worker while the current step runs (default true).</summary>
    public bool Prefetch { get; init; } = true;

    /// <summary>
    /// libtorch's intra-op CPU threads for this run (and after it); null: <c>CTCDSL_THREADS</c>, a count
    /// the application set before (<c>torch.set_num_threads</c>, <c>OMP_NUM_THREADS</c>), else as many as
    /// the model's training step uses well (<see cref="Nn.ThreadPlan"/>: one for a small recurrent model,
    /// every CPU this process may use for a large one). Histories are reproducible at one thread count:
    /// another count splits reductions differently.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Seed of the shuffling order and, on CUDA, of each epoch's random streams (see <see cref="Nn.AcceleratorRandom"/>).</summary>
    public int Seed { get; init; }

    /// <summary>Learning rate over training; null keeps the optimiser's rate.</summary>
    public LearningRateSchedule? Schedule { get; init; }

    /// <summary>Clip the global gradient norm to this value before each step; null: no clipping.</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>What a NaN or infinite batch loss does. Either way the weights are never updated with it.</summary>
    public NonFiniteLossPolicy NonFiniteLoss { get; init; } = NonFiniteLossPolicy.Stop;

    /// <summary>Stop when a monitored value stops improving; null: run every epoch.</summary>
    public EarlyStopping? EarlyStopping { get; init; }

    /// <summary>Where to keep checkpoints and history files; null: keep none.</summary>
    public CheckpointOptions? Checkpoints { get; init; }

    /// <summary>A checkpoint to continue from: weights, optimiser state, epoch, random state and history are restored.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Creates the progress display when training starts (default: live bar in a terminal, plain lines otherwise); null: silent.</summary>
    public Func<ITrainingProgress>? Progress { get; init; } = TrainingProgress.Auto;

    /// <summary>Stops training between steps; the history of the completed epochs is returned and their checkpoints kept.</summary>
    public CancellationToken CancellationToken { get; init; }
}

/// <summary>What to do with a batch whose loss is NaN or infinite.</summary>
public enum NonFiniteLossPolicy
{
    /// <summary>Throw <see cref="NonFiniteLossException"/> naming the batch's examples (the checkpoints of completed epochs stay).</summary>
    Stop,
    /// <summary>Skip the batch (no step) and count it in <see cref="EpochResult.SkippedBatches"/>.</summary>
    Skip,
}

/// <summary>Early stopping: stop after <paramref name="Patience"/> epochs without an improvement of more than <paramref name="MinDelta"/> in <paramref name="Monitor"/>.</summary>
/// <param name="Monitor">A history value, such as "val_loss" or "val_ler".</param>
/// <param name="Patience">Epochs without improvement before stopping.</param>
/// <param name="MinDelta">The smallest change that counts as an improvement.</param>
/// <param name="Maximize">True when larger is better.</param>
public sealed record EarlyStopping(string Monitor = SpecFacts.TrainingFacts.DefaultMonitor, int Patience = SpecFacts.TrainingFacts.DefaultPatience,
    double MinDelta = SpecFacts.TrainingFacts.DefaultMinDelta, bool Maximize = false)
{
    /// <summary>Whether <paramref name="value"/> improves on <paramref name="best"/> by more than <see cref="MinDelta"/>.</summary>
    public bool Improves(double value, double? best) =>
        best is not { } b || (Maximize ? value > b + MinDelta : value < b - MinDelta);
}

/// <summary>Checkpointing: <c>last.ckpt</c> after every epoch, <c>best.ckpt</c> when <paramref name="Monitor"/> improves, and history files.</summary>
/// <param name="Directory">Folder for checkpoints and history (created if needed).</param>
/// <param name="Monitor">The value that decides the best checkpoint (falls back to "loss" without validation data).</param>
/// <param name="Maximize">True when larger is better.</param>
public sealed record CheckpointOptions(string Directory, string Monitor = "val_loss", bool Maximize = false)
{
    /// <summary>Named arrays saved in every checkpoint (a front-end's normalisation statistics, for example); read back with <see cref="Checkpoint.Extras"/>.</summary>
    public System.Collections.Generic.IReadOnlyDictionary<string, float[]>? Extras { get; init; }

    /// <summary>Plot the losses in <c>history.png</c> on a logarithmic axis (CTC losses fall by orders of magnitude; on a linear axis most of a run is a flat line).</summary>
    public bool LogScaleLoss { get; init; }

    /// <summary>Path of the checkpoint written after every epoch.</summary>
    public string LastPath => System.IO.Path.Combine(Directory, "last.ckpt");

    /// <summary>Path of the best checkpoint so far.</summary>
    public string BestPath => System.IO.Path.Combine(Directory, "best.ckpt");
}
