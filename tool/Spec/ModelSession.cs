using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Tool.Spec;

/// <summary>Examples read from a manifest for one model, and the utterances left out with why.</summary>
public abstract class LoadedData
{
    /// <summary>Examples read.</summary>
    public abstract int Count { get; }

    /// <summary>Utterances left out (labels longer than their audio allows), described.</summary>
    public abstract IReadOnlyList<string> Skipped { get; }

    /// <summary>Each utterance's name, features (<c>[frames, width]</c>, the spec's front-end) and label ids, in manifest order.</summary>
    public abstract IEnumerable<(string Name, float[,] Features, int[] Labels)> Utterances();
}

/// <summary>
/// One generated model driven through the runtime's base class: the commands' view of a spec's model
/// without knowing its generated types at compile time.
/// </summary>
public abstract class ModelSession : IDisposable
{
    /// <summary>The spec the model comes from.</summary>
    public abstract CompiledSpec Spec { get; }

    /// <summary>Seconds of audio per output frame.</summary>
    public abstract double SecondsPerFrame { get; }

    /// <summary>
    /// Loads weights (and front-end statistics) from a checkpoint of this spec's model, or from a PyTorch
    /// state dict (<c>.pt</c>/<c>.pth</c>: what the exported trainer writes, docs/training-at-scale.md).
    /// </summary>
    /// <exception cref="CheckpointException">The checkpoint is damaged or of another model.</exception>
    public abstract void LoadCheckpoint(string path);

    /// <summary>Saves the model's weights as a checkpoint.</summary>
    public abstract void SaveCheckpoint(string path);

    /// <summary>Reads a manifest into examples with <paramref name="transcripts"/>' policy and the spec's front-end.</summary>
    public abstract LoadedData Load(string manifest, TranscriptNormalizer transcripts, DataSetOptions options, CancellationToken cancellationToken);

    /// <summary>Trains; see <see cref="CtcModel{TExample, TBatch}.Fit"/>.</summary>
    public abstract TrainingHistory Fit(LoadedData training, LoadedData? validation, FitOptions options);

    /// <summary>Decodes at most <paramref name="limit"/> examples and scores them.</summary>
    public abstract TranscriptionReport Report(LoadedData data, int limit = int.MaxValue);

    /// <summary>A recording of any length, transcribed in windows, with word timings.</summary>
    public abstract LongTranscript TranscribeLong(string audioPath);

    /// <summary>Forced alignment of a recording with its transcript.</summary>
    public abstract IReadOnlyList<TimedWord> AlignWords(MonoAudio audio, string transcript);

    /// <inheritdoc/>
    public abstract void Dispose();
}

/// <summary>The session for one generated model type.</summary>
public sealed class ModelSession<TExample, TBatch> : ModelSession
    where TExample : ICtcExample
    where TBatch : IDisposable
{
    private readonly CompiledSpec spec;
    private readonly CtcAudioModel<TExample, TBatch> model;
    private readonly Func<Func<float[,]>, int[], string?, TExample> createExample;

    /// <summary>Creates the model (fresh weights) on <paramref name="device"/>.</summary>
    public ModelSession(CompiledSpec spec, torch.Device device)
    {
        this.spec = spec;
        model = (CtcAudioModel<TExample, TBatch>)Activator.CreateInstance(spec.ModelType, device)!;
        var constructor = typeof(TExample).GetConstructor(new[] { typeof(Func<float[,]>), typeof(int[]), typeof(string) })
            ?? throw new SpecException($"{typeof(TExample).Name} has no (loader, labels, name) constructor: the generator and this tool's runtime differ in version.");
        createExample = (load, labels, name) => (TExample)constructor.Invoke(new object?[] { load, labels, name });
    }

    /// <inheritdoc/>
    public override CompiledSpec Spec => spec;

    /// <inheritdoc/>
    public override double SecondsPerFrame => model.SecondsPerFrame;

    /// <inheritdoc/>
    public override void LoadCheckpoint(string path)
    {
        // A state dict carries weights only; its .ctcdsl.json identity, names and shapes are checked on load.
        if (path.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".pth", StringComparison.OrdinalIgnoreCase)) model.LoadStateDict(path);
        else model.LoadCheckpoint(path);
    }

    /// <inheritdoc/>
    public override void SaveCheckpoint(string path) => model.SaveCheckpoint(path);

    /// <inheritdoc/>
    public override LoadedData Load(string manifest, TranscriptNormalizer transcripts, DataSetOptions options, CancellationToken cancellationToken)
    {
        // The runtime's one path from a manifest to examples (DataSets.Load, what LoadDataSet calls), with
        // the command line's transcript policy instead of the spec's when one is given.
        var set = DataSets.Load(manifest, model.FrontEnd, transcripts, spec.Vocabulary, spec.Shape.OutputFrames,
            (load, labels, name) => Checked(createExample(load, labels, name)), options, cancellationToken);
        return new Data(set.Examples, set.Skipped);
    }

    /// <inheritdoc/>
    public override TrainingHistory Fit(LoadedData training, LoadedData? validation, FitOptions options) =>
        model.Fit(((Data)training).Examples, (validation as Data)?.Examples, options);

    /// <inheritdoc/>
    public override TranscriptionReport Report(LoadedData data, int limit = int.MaxValue) =>
        model.Report(((Data)data).Examples.Take(limit).ToArray());

    /// <inheritdoc/>
    public override LongTranscript TranscribeLong(string audioPath) => model.TranscribeLong(audioPath);

    /// <inheritdoc/>
    public override IReadOnlyList<TimedWord> AlignWords(MonoAudio audio, string transcript) => model.AlignWords(audio, transcript);

    /// <inheritdoc/>
    public override void Dispose() => model.Dispose();

    private static TExample Checked(TExample example)
    {
        _ = example.Frames; // a streamed example is checked by its frame count now, so a bad item is named while loading
        return example;
    }

    private sealed class Data(IReadOnlyList<TExample> examples, IReadOnlyList<string> skipped) : LoadedData
    {
        public IReadOnlyList<TExample> Examples { get; } = examples;

        public override IEnumerable<(string Name, float[,] Features, int[] Labels)> Utterances() =>
            Examples.Select(e => (e.Name, e.Features, e.Labels));

        public override int Count => Examples.Count;

        public override IReadOnlyList<string> Skipped { get; } = skipped;
    }
}
