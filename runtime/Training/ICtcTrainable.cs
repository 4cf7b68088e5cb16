using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>A generated model's identity: what checkpoints and state dicts are checked against before weights are loaded.</summary>
public interface ICtcModel
{
    /// <summary>Identifies the model in checkpoints (the generated type's name).</summary>
    string ModelName { get; }

    /// <summary>The output alphabet (checked when weights are loaded).</summary>
    CtcDsl.Runtime.Text.Vocabulary Vocabulary { get; }
}

/// <summary>
/// What <see cref="CtcTrainer"/> needs from a model: how to batch examples and the training view
/// (a batch in, loss and metrics out). Generated models implement it.
/// </summary>
/// <typeparam name="TExample">One utterance.</typeparam>
/// <typeparam name="TBatch">A padded batch on the model's device.</typeparam>
public interface ICtcTrainable<TExample, TBatch> : ICtcModel where TBatch : IDisposable
{
    /// <summary>The module whose parameters are trained.</summary>
    nn.Module Module { get; }

    /// <summary>Names of the metrics <see cref="Evaluate"/> reports, in display order (loss excluded).</summary>
    IReadOnlyList<string> MetricNames { get; }

    /// <summary>Input frames of an example (for bucketing by length and frame caps).</summary>
    int FrameCount(TExample example);

    /// <summary>Pads examples into a batch on the model's device; <paramref name="training"/> batches get training-only augmentation.</summary>
    TBatch Collate(IReadOnlyList<TExample> examples, bool training);

    /// <summary>The training view: loss (with its graph when gradients are on) and metrics of one batch.</summary>
    TrainingOutput Evaluate(TBatch batch);
}

/// <summary>One batch's loss and metrics.</summary>
/// <param name="Loss">Scalar loss tensor; the trainer disposes it.</param>
/// <param name="Metrics">Metric values by name (for example "ler").</param>
/// <param name="BatchSize">Examples in the batch (weights the epoch averages).</param>
public sealed record TrainingOutput(Tensor Loss, IReadOnlyDictionary<string, double> Metrics, int BatchSize) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose() => Loss.Dispose();
}
