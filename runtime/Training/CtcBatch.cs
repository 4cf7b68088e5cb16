using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>A padded batch of examples on one device; the lengths say what is real. Disposing it frees its tensors.</summary>
public abstract class CtcBatch : IDisposable
{
    /// <summary>A batch of what <see cref="Pad"/> made.</summary>
    protected CtcBatch(Padded padded)
    {
        Features = padded.Features;
        FeatureLengths = padded.FeatureLengths;
        Labels = padded.Labels;
        LabelLengths = padded.LabelLengths;
        LabelIds = padded.LabelIds;
    }

    /// <summary>Features, <c>[batch, max time, features]</c>, zero-padded.</summary>
    public Tensor Features { get; }

    /// <summary>Frames per example, <c>[batch]</c>.</summary>
    public Tensor FeatureLengths { get; }

    /// <summary>Label ids, <c>[batch, max label length]</c>, zero-padded.</summary>
    public Tensor Labels { get; }

    /// <summary>Labels per example, <c>[batch]</c>.</summary>
    public Tensor LabelLengths { get; }

    /// <summary>The label ids on the host, for metrics.</summary>
    public IReadOnlyList<int[]> LabelIds { get; }

    /// <summary>Examples in the batch.</summary>
    public int Size => LabelIds.Count;

    /// <summary>The tensors of a batch, before they become one.</summary>
    protected readonly record struct Padded(Tensor Features, Tensor FeatureLengths, Tensor Labels, Tensor LabelLengths, IReadOnlyList<int[]> LabelIds);

    /// <summary>
    /// Pads <paramref name="examples"/> on <paramref name="device"/>; with <paramref name="augment"/>,
    /// each example's features are masked first, differently per example and epoch.
    /// </summary>
    protected static Padded Pad<TExample>(IReadOnlyList<TExample> examples, int featureSize, Device device, SpecAugment? augment = null)
        where TExample : ICtcExample
    {
        var featureList = new float[examples.Count][,];
        var labelList = new int[examples.Count][];
        for (var i = 0; i < examples.Count; i++)
        {
            featureList[i] = augment is null
                ? examples[i].Features
                : augment.Apply(examples[i].Features, SpecAugment.RandomFor(examples[i].Name, CtcTrainer.CurrentEpoch));
            labelList[i] = examples[i].Labels;
        }
        var (features, featureLengths) = PaddedBatch.Features(featureList, featureSize, device);
        var (labels, labelLengths) = PaddedBatch.Labels(labelList, device);
        return new Padded(features, featureLengths, labels, labelLengths, labelList);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Features.Dispose();
        FeatureLengths.Dispose();
        Labels.Dispose();
        LabelLengths.Dispose();
        GC.SuppressFinalize(this);
    }
}
