using System;
using System.Collections.Generic;
using System.Linq;
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

    /// <summary>
    /// Seconds of audio per logit frame: the front-end's hop times the layers' subsampling (read off
    /// the output frames of a long input, where convolution edges no longer matter).
    /// </summary>
    public double SecondsPerFrame => FrontEnd.HopSeconds * Math.Round(10_000.0 / Math.Max(1, shape.OutputFrames(10_000)));

    /// <summary>
    /// Forced alignment of a recording with its transcript: each word (runs of labels between word
    /// separators) with its start and end in seconds — subtitle timing, cutting long recordings.
    /// </summary>
    /// <exception cref="Text.VocabularyException">The transcript has a character outside the vocabulary.</exception>
    /// <exception cref="ArgumentException">The transcript cannot fit the recording's logit frames.</exception>
    public IReadOnlyList<TimedWord> AlignWords(MonoAudio audio, string transcript)
    {
        var alignment = Align(FrontEnd.Compute(audio), transcript);
        var separator = shape.Vocabulary.IdOf(shape.Vocabulary.WordSeparator);
        var words = new List<TimedWord>();
        var current = new List<AlignedLabel>();
        void Flush()
        {
            if (current.Count == 0) return;
            var text = shape.Vocabulary.Decode(current.Select(l => l.Label).ToArray());
            if (text.Length > 0) // a subword vocabulary's bare marker piece alone spells no word
                words.Add(new TimedWord(text, current[0].StartFrame * SecondsPerFrame, current[^1].EndFrame * SecondsPerFrame, current.Sum(l => l.LogProbability)));
            current.Clear();
        }
        foreach (var label in alignment.Labels)
        {
            if (label.Label == separator) Flush();
            else
            {
                if (shape.Vocabulary.StartsWord(label.Label)) Flush(); // a subword piece with the word-boundary marker
                current.Add(label);
            }
        }
        Flush();
        return words;
    }

    /// <summary>
    /// Transcribes a recording of any length, read a window at a time (WAV, FLAC or MP3; memory does not
    /// grow with the recording beyond its output): the recording is cut into chunks of
    /// <see cref="LongFormOptions.ChunkSeconds"/>, each run through the model with
    /// <see cref="LongFormOptions.ContextSeconds"/> of audio on both sides whose output is thrown away, and
    /// the kept output frames are joined into one sequence before decoding — so no word is decoded twice
    /// or cut at a seam. Decoding takes the best path, which ties every token to the frames that emitted
    /// it: the result carries per-token and per-word times (frame positions times
    /// <see cref="SecondsPerFrame"/>, the layers' subsampling included).
    /// </summary>
    /// <exception cref="DataFileException">The file is missing or not usable audio.</exception>
    public LongTranscript TranscribeLong(string path, LongFormOptions? options = null)
    {
        using var reader = AudioFile.Open(path);
        return TranscribeLong(reader, options);
    }

    /// <summary>Long-form transcription of audio in memory (see <see cref="TranscribeLong(string, LongFormOptions?)"/>).</summary>
    public LongTranscript TranscribeLong(MonoAudio audio, LongFormOptions? options = null) => TranscribeLong(new MemoryAudioReader(audio), options);

    /// <summary>Long-form transcription of an open recording (see <see cref="TranscribeLong(string, LongFormOptions?)"/>).</summary>
    public LongTranscript TranscribeLong(AudioReader reader, LongFormOptions? options = null) =>
        LongFormTranscription.Transcribe(reader, options, FrontEnd, (int)Math.Round(10_000.0 / Math.Max(1, shape.OutputFrames(10_000))), shape.Vocabulary, LogProbabilities);

    /// <summary>The front-end and, with global normalisation, its statistics join what an exported ONNX model records.</summary>
    /// <exception cref="InvalidOperationException">Global normalisation without statistics: the exported model could not normalise its input.</exception>
    protected override Export.OnnxModelInfo OnnxInfo()
    {
        if (FrontEnd.Settings.Normalization == FeatureNormalizationMode.Global && FrontEnd.Statistics is null)
            throw new InvalidOperationException("This model normalises with training-set statistics and has none: call FitStatistics, train, or load a checkpoint before exporting it.");
        return base.OnnxInfo() with { FrontEnd = FrontEnd.Settings with { Augment = null }, Statistics = FrontEnd.Statistics };
    }

    /// <summary>An example from audio and its transcript; its features go through <see cref="FrontEnd"/> when first needed.</summary>
    /// <exception cref="Text.VocabularyException">The transcript has a character outside the vocabulary.</exception>
    public TExample ExampleFromAudio(MonoAudio audio, string transcript, string? name = null) =>
        CreateExample(() => FrontEnd.Compute(audio), shape.Vocabulary.Encode(transcript, name), name);

    /// <summary>
    /// Reads a manifest (DeepSpeech CSV, JSON lines or NeMo JSON, Common Voice TSV, a Kaldi data folder or a LibriSpeech folder) into examples: transcripts
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

    /// <summary>An example checked now (so a manifest's bad item is named while loading); a streamed one is checked by its frame count, without reading it.</summary>
    private TExample CreateChecked(Func<float[,]> features, int[] labels, string name)
    {
        var example = CreateExample(features, labels, name);
        _ = example.Frames;
        return example;
    }
}
