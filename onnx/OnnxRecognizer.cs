using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Export;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using Microsoft.ML.OnnxRuntime;

namespace CtcDsl.Onnx;

/// <summary>
/// Speech recognition with a CtcDsl model exported to ONNX (a generated model's <c>ExportOnnx</c>), on
/// ONNX Runtime: the vocabulary, front-end, normalisation statistics, subsampling and decoder come
/// from the file's metadata, so the <c>.onnx</c> file is all it needs. Decoding is CtcDsl.Core's —
/// the same greedy, beam and language-model searches the TorchSharp models use, on the same
/// log-probabilities.
/// </summary>
public sealed class OnnxRecognizer : IDisposable
{
    private readonly InferenceSession session;
    private readonly OnnxRecognizerOptions options;

    private OnnxRecognizer(InferenceSession session, OnnxModelInfo info, OnnxRecognizerOptions options)
    {
        this.session = session;
        this.options = options;
        Info = info;
        FrontEnd = info.FrontEnd is { } settings ? new FrontEnd(settings) { Statistics = info.Statistics } : null;
        Decoder = info.Decoder.Kind == "beam"
            ? new PrefixBeamSearch(info.Vocabulary.BlankIndex, info.Decoder.BeamWidth, info.Decoder.PruneThreshold, info.Decoder.NBest)
            : new GreedyCtcDecoder(info.Vocabulary.BlankIndex);
    }

    /// <summary>Opens an exported model.</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot read the file.</exception>
    /// <exception cref="FormatException">The file is an ONNX model, but not one CtcDsl exported (the message names the missing entry).</exception>
    public static OnnxRecognizer Load(string path, OnnxRecognizerOptions? options = null)
    {
        options ??= new OnnxRecognizerOptions();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 1.");
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = Threads(options),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        // Idle pool threads sleep instead of spinning, as the runtime makes OpenMP's wait (docs/cpu-threads.md):
        // on a shared machine a spinning thread takes the core another process needs.
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var session = new InferenceSession(path, sessionOptions);
        try
        {
            return new OnnxRecognizer(session, OnnxModelInfo.FromMetadata(session.ModelMetadata.CustomMetadataMap), options);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>What the file records: vocabulary, front-end, statistics, subsampling, the spec's decoder.</summary>
    public OnnxModelInfo Info { get; }

    /// <summary>The output alphabet.</summary>
    public Vocabulary Vocabulary => Info.Vocabulary;

    /// <summary>The spec's front-end with its statistics, or null when the model reads features only.</summary>
    public FrontEnd? FrontEnd { get; }

    /// <summary>The decoder (from the spec: greedy or prefix beam search; replace it, or call <see cref="UseLanguageModel"/>).</summary>
    public ICtcDecoder Decoder { get; set; }

    /// <summary>Seconds of audio per logit frame (the front-end's hop times the subsampling).</summary>
    public double SecondsPerFrame => RequireFrontEnd().HopSeconds * Info.Subsampling;

    /// <summary>Decodes with a language model and/or lexicon fused into a beam search from now on.</summary>
    public void UseLanguageModel(NgramLanguageModel? languageModel, Lexicon? lexicon = null, LanguageModelBeamSearchOptions? searchOptions = null) =>
        Decoder = new LanguageModelBeamSearch(Vocabulary, languageModel, lexicon, searchOptions);

    /// <summary>
    /// The logits of each utterance's valid frames, <c>[frames, classes]</c>: the utterances run as
    /// padded batches of <see cref="OnnxRecognizerOptions.BatchSize"/>, lengths as an input, so each
    /// result is that of the utterance alone.
    /// </summary>
    /// <exception cref="ArgumentException">An utterance's frames are not <see cref="OnnxModelInfo.FeatureSize"/> wide.</exception>
    public float[][,] Logits(IReadOnlyList<float[,]> features)
    {
        var result = new float[features.Count][,];
        for (var start = 0; start < features.Count; start += options.BatchSize)
        {
            var batch = features.Skip(start).Take(options.BatchSize).ToList();
            var logits = RunBatch(batch);
            for (var i = 0; i < logits.Length; i++) result[start + i] = logits[i];
        }
        return result;
    }

    /// <summary>Natural-log probabilities of one utterance's frames, <c>[frames, classes]</c> row-major.</summary>
    public float[] LogProbabilities(float[,] features) => LogSoftmax(Logits(new[] { features })[0]);

    /// <summary>The decoder's hypotheses (best first) for each utterance.</summary>
    public IReadOnlyList<Hypothesis>[] Decode(IReadOnlyList<float[,]> features, ICtcDecoder? decoder = null)
    {
        decoder ??= Decoder;
        var logits = Logits(features);
        var classes = Vocabulary.ClassCount;
        // Utterances are independent: each searched on its own core, as the runtime does.
        return ParallelSearch.Run(logits.Length, i => decoder.Search(LogSoftmax(logits[i]), logits[i].GetLength(0), classes));
    }

    /// <summary>The best transcript of each utterance's normalised features.</summary>
    public string[] Transcribe(IReadOnlyList<float[,]> features, ICtcDecoder? decoder = null) =>
        Array.ConvertAll(Decode(features, decoder), h => h.Count == 0 ? "" : Vocabulary.Decode(h[0].Labels));

    /// <summary>The best transcript of a recording in memory (any sample rate: it is resampled).</summary>
    public string Transcribe(MonoAudio audio, ICtcDecoder? decoder = null) => Transcribe(new[] { RequireFrontEnd().Compute(audio) }, decoder)[0];

    /// <summary>The best transcript of an audio file (WAV, FLAC or MP3), featurised a segment at a time.</summary>
    /// <exception cref="CtcDsl.Runtime.Data.DataFileException">The file is missing or not usable audio.</exception>
    public string TranscribeFile(string path, ICtcDecoder? decoder = null) => Transcribe(new[] { RequireFrontEnd().ComputeFromFile(path) }, decoder)[0];

    /// <summary>
    /// Transcribes a recording of any length with per-token and per-word times (for subtitles:
    /// <see cref="Subtitles.ToSrt"/>), cut and stitched exactly as the TorchSharp models'
    /// <c>TranscribeLong</c> does (<see cref="LongFormTranscription"/>).
    /// </summary>
    /// <exception cref="CtcDsl.Runtime.Data.DataFileException">The file is missing or not usable audio.</exception>
    public LongTranscript TranscribeLong(string path, LongFormOptions? longForm = null)
    {
        using var reader = AudioFile.Open(path);
        return TranscribeLong(reader, longForm);
    }

    /// <summary>Long-form transcription of an open recording (see <see cref="TranscribeLong(string, LongFormOptions?)"/>).</summary>
    public LongTranscript TranscribeLong(AudioReader reader, LongFormOptions? longForm = null) =>
        LongFormTranscription.Transcribe(reader, longForm, RequireFrontEnd(), Info.Subsampling, Vocabulary, LogProbabilities);

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();

    private float[][,] RunBatch(IReadOnlyList<float[,]> batch)
    {
        var width = Info.FeatureSize;
        var time = 1;
        foreach (var item in batch)
        {
            if (item.GetLength(1) != width)
                throw new ArgumentException($"{Info.ModelName} reads {width} values per frame; an utterance has {item.GetLength(1)}.", nameof(batch));
            time = Math.Max(time, item.GetLength(0));
        }
        var padded = new float[batch.Count * time * width];
        var lengths = new long[batch.Count];
        for (var b = 0; b < batch.Count; b++)
        {
            lengths[b] = batch[b].GetLength(0);
            // float[,] is row-major: one block copy per utterance.
            Buffer.BlockCopy(batch[b], 0, padded, b * time * width * sizeof(float), batch[b].Length * sizeof(float));
        }
        using var featuresValue = OrtValue.CreateTensorValueFromMemory(padded, new long[] { batch.Count, time, width });
        using var lengthsValue = OrtValue.CreateTensorValueFromMemory(lengths, new long[] { batch.Count });
        var inputs = new Dictionary<string, OrtValue>
        {
            [OnnxModelInfo.FeaturesInput] = featuresValue,
            [OnnxModelInfo.FeatureLengthsInput] = lengthsValue,
        };
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, inputs, new[] { OnnxModelInfo.LogitsOutput, OnnxModelInfo.LogitLengthsOutput });
        var shape = outputs[0].GetTensorTypeAndShape().Shape; // [batch, frames, classes]
        var (frames, classes) = ((int)shape[1], (int)shape[2]);
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var valid = outputs[1].GetTensorDataAsSpan<long>();
        var result = new float[batch.Count][,];
        for (var b = 0; b < batch.Count; b++)
        {
            var n = (int)Math.Clamp(valid[b], 0, frames);
            var item = new float[n, classes];
            var source = logits.Slice(b * frames * classes, n * classes);
            for (var t = 0; t < n; t++)
                for (var c = 0; c < classes; c++) item[t, c] = source[t * classes + c];
            result[b] = item;
        }
        return result;
    }

    /// <summary>Per-frame log-softmax (max-shifted, accumulated in double), row-major.</summary>
    internal static float[] LogSoftmax(float[,] logits)
    {
        var (frames, classes) = (logits.GetLength(0), logits.GetLength(1));
        var result = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var max = float.NegativeInfinity;
            for (var c = 0; c < classes; c++) max = Math.Max(max, logits[t, c]);
            double sum = 0;
            for (var c = 0; c < classes; c++) sum += Math.Exp(logits[t, c] - max);
            var log = max + Math.Log(sum);
            for (var c = 0; c < classes; c++) result[t * classes + c] = (float)(logits[t, c] - log);
        }
        return result;
    }

    private FrontEnd RequireFrontEnd() => FrontEnd ?? throw new InvalidOperationException(
        $"{Info.ModelName} declares no audio front-end (its spec has no features: section): pass feature frames to Transcribe instead.");

    private static int Threads(OnnxRecognizerOptions options)
    {
        if (options.Threads is { } n) return n >= 1 ? n : throw new ArgumentOutOfRangeException(nameof(options), n, "Threads must be at least 1.");
        return int.TryParse(Environment.GetEnvironmentVariable("CTCDSL_THREADS"), out var fromEnvironment) && fromEnvironment >= 1
            ? fromEnvironment
            : Environment.ProcessorCount;
    }
}
