using System;
using System.Threading;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>What the examples of one generated model must satisfy.</summary>
/// <param name="ModelName">Names the model in messages.</param>
/// <param name="FeatureSize">Values per feature frame.</param>
/// <param name="Vocabulary">The output alphabet label ids index.</param>
/// <param name="OutputFrames">Logit frames for an input of so many frames (labels must fit them).</param>
/// <param name="FeaturesName">The spec's name for the features (in messages).</param>
public sealed record ExampleShape(string ModelName, int FeatureSize, Vocabulary Vocabulary, Func<int, int> OutputFrames, string FeaturesName = "Features");

/// <summary>
/// One utterance of a generated model: feature frames <c>[time, features]</c> and label ids, checked
/// against the model's <see cref="ExampleShape"/> (label ids are classes and not the blank, frames
/// have the model's width, the labels fit the logit frames). Features may be computed when first
/// needed — during training, on the worker that collates the next batch — and are then kept; or
/// streamed from a <see cref="FeatureSource"/>, read each time and never kept.
/// </summary>
public abstract class CtcExample : ICtcExample
{
    private readonly Lazy<float[,]>? features;
    private readonly FeatureSource? source;
    private readonly ExampleShape shape;

    /// <summary>An example from features and label ids.</summary>
    /// <exception cref="ArgumentException">A label id is the blank or not a class, the frames have the wrong width, or the labels cannot fit the frames.</exception>
    protected CtcExample(float[,] features, int[] labels, string? name, ExampleShape shape)
    {
        this.shape = shape;
        Name = name ?? "example";
        Labels = shape.Vocabulary.EnsureLabels(labels, Name);
        this.features = new(Validate(features));
    }

    /// <summary>
    /// An example whose features <paramref name="loadFeatures"/> computes when they are first needed (and
    /// then keeps). Given a <see cref="FeatureSource"/>'s <see cref="FeatureSource.Load"/>, the features
    /// are streamed instead: read from the source on every use and never kept, their frame count known
    /// without reading them.
    /// </summary>
    protected CtcExample(Func<float[,]> loadFeatures, int[] labels, string? name, ExampleShape shape)
    {
        this.shape = shape;
        Name = name ?? "example";
        Labels = shape.Vocabulary.EnsureLabels(labels, Name);
        if (loadFeatures.Target is FeatureSource streamed && loadFeatures.Method.Name == nameof(FeatureSource.Load))
        {
            source = streamed;
            CtcFeasibility.Ensure(shape.OutputFrames(streamed.Frames), Labels, Name);
        }
        else
        {
            features = new(() => Validate(loadFeatures()), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    /// <summary>Feature frames, <c>[time, features]</c> (for a streamed example, read now).</summary>
    public float[,] Features => source is null ? features!.Value : Validate(source.Load());

    /// <summary>Feature frames' count; a streamed example knows it without reading its features.</summary>
    public int Frames => source?.Frames ?? Features.GetLength(0);

    /// <summary>Whether the features are read from a <see cref="FeatureSource"/> on every use rather than kept.</summary>
    public bool IsStreamed => source is not null;

    /// <summary>Label class ids.</summary>
    public int[] Labels { get; }

    /// <summary>Names the example in messages and reports.</summary>
    public string Name { get; }

    private float[,] Validate(float[,] values)
    {
        if (values.GetLength(1) != shape.FeatureSize)
            throw new ArgumentException($"{Name}: {shape.FeaturesName} have {values.GetLength(1)} values per frame; {shape.ModelName} expects {shape.FeatureSize}.", "features");
        CtcFeasibility.Ensure(shape.OutputFrames(values.GetLength(0)), Labels, Name);
        return values;
    }
}
