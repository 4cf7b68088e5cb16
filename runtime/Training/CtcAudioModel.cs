using System;
using System.Collections.Generic;
using System.Threading;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// A generated model whose spec declares its audio front-end (<c>features:</c>): besides what every
/// model has, it reads audio — transcription of a recording, examples from audio, manifests — and,
/// with global normalisation, keeps the front-end's training-set statistics with its checkpoints.
/// </summary>
/// <typeparam name="TExample">The generated example type.</typeparam>
/// <typeparam name="TBatch">The generated batch type.</typeparam>
public abstract class CtcAudioModel<TExample, TBatch> : CtcModel<TExample, TBatch>
    where TExample : ICtcExample
    where TBatch : IDisposable
{
    private readonly ExampleShape shape;
    private readonly TranscriptNormalizer transcripts;

    /// <summary>Creates the shared part of a model with a front-end.</summary>
    /// <inheritdoc cref="CtcModel{TExample, TBatch}(ExampleShape, FitOptions, IReadOnlyList{string}, ICtcDecoder, Device?)" path="/param"/>
    /// <param name="frontEnd">The spec's front-end.</param>
    /// <param name="transcripts">How manifest transcripts become this vocabulary's text.</param>
    protected CtcAudioModel(ExampleShape shape, FrontEndSettings frontEnd, TranscriptNormalizer transcripts, FitOptions defaults, IReadOnlyList<string> metricNames, ICtcDecoder decoder, Device? device)
        : base(shape, defaults, metricNames, decoder, device)
    {
        this.shape = shape;
        this.transcripts = transcripts;
        FrontEnd = new FrontEnd(frontEnd);
    }

    /// <summary>The audio front-end the spec declares: audio (of any rate: it is resampled first) to the feature frames this model reads.</summary>
    public FrontEnd FrontEnd { get; }

    /// <summary>An example of this model; <paramref name="loadFeatures"/> runs when the features are first needed.</summary>
    protected abstract TExample CreateExample(Func<float[,]> loadFeatures, int[] labels, string? name);

    /// <summary>Prediction view from audio: features through <see cref="FrontEnd"/>, then the decoder's best transcript.</summary>
    public string Transcribe(MonoAudio audio, ICtcDecoder? decoder = null) =>
        Transcribe(new[] { FrontEnd.Compute(audio) }, decoder)[0];

    /// <summary>An example from audio and its transcript; its features go through <see cref="FrontEnd"/> when first needed.</summary>
    /// <exception cref="Text.VocabularyException">The transcript has a character outside the vocabulary.</exception>
    public TExample ExampleFromAudio(MonoAudio audio, string transcript, string? name = null) =>
        CreateExample(() => FrontEnd.Compute(audio), shape.Vocabulary.Encode(transcript, name), name);

    /// <summary>
    /// Reads a manifest (DeepSpeech CSV, JSON lines or a LibriSpeech folder) into examples: transcripts
    /// normalised with the spec's policy, features through <see cref="FrontEnd"/> (resampled, cached when
    /// <paramref name="options"/> names a folder, statistics fitted when it says so), every label checked
    /// against its frames.
    /// </summary>
    /// <exception cref="DataFileException">The manifest, a transcript or an audio file is bad; the message names the file and line.</exception>
    public DataSet<TExample> LoadDataSet(string manifestPath, DataSetOptions? options = null, CancellationToken cancellationToken = default) =>
        DataSets.Load(manifestPath, FrontEnd, transcripts, shape.Vocabulary, shape.OutputFrames, CreateChecked, options, cancellationToken);

    /// <summary>
    /// Fits the front-end's normalisation statistics on the training audio (needed before training
    /// when the spec normalises with training-set statistics, <c>normalize: global</c>; saved with
    /// every checkpoint from then on).
    /// </summary>
    public FeatureStatistics FitStatistics(IEnumerable<MonoAudio> trainingAudio) =>
        FrontEnd.FitStatistics(System.Linq.Enumerable.Select(trainingAudio, FrontEnd.Raw));

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, float[]>? CheckpointExtras =>
        FrontEnd.Settings.Normalization == FeatureNormalizationMode.Global ? FrontEnd.Extras : null;

    /// <summary>With global normalisation, the front-end's statistics travel with every checkpoint and come back with a resume.</summary>
    protected override FitOptions PrepareFit(FitOptions options)
    {
        if (FrontEnd.Settings.Normalization == FeatureNormalizationMode.Global && options.ResumeFrom is { } resume && FrontEnd.Statistics is null)
            FrontEnd.Statistics = FeatureStatistics.FromExtras(Checkpoint.Load(resume).Extras);
        return base.PrepareFit(options);
    }

    /// <summary>Restores the front-end's normalisation statistics saved with the weights (global normalisation).</summary>
    protected override void OnCheckpointLoaded(Checkpoint checkpoint)
    {
        if (FrontEnd.Settings.Normalization == FeatureNormalizationMode.Global)
            FrontEnd.Statistics = FeatureStatistics.FromExtras(checkpoint.Extras);
    }

    /// <summary>An example whose features are already computed, checked now (so a manifest's bad item is named while loading).</summary>
    private TExample CreateChecked(float[,] features, int[] labels, string name)
    {
        var example = CreateExample(() => features, labels, name);
        _ = example.Features;
        return example;
    }
}
