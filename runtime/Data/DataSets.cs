using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Data;

/// <summary>What to do with an utterance whose labels cannot fit its frames.</summary>
public enum InfeasiblePolicy
{
    /// <summary>Fail, listing every such utterance with the arithmetic (the default).</summary>
    Error,
    /// <summary>Leave it out and list it in <see cref="DataSet{TExample}.Skipped"/>.</summary>
    Skip,
}

/// <summary>How <see cref="DataSets.Load"/> reads a manifest.</summary>
public sealed record DataSetOptions
{
    /// <summary>Folder of cached raw features (keyed by each file's content and the front-end's settings); null: no cache.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Feature workers (default: every core).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// For a front-end with global normalisation: compute the statistics from this data set (do it for
    /// the training set, then load the validation set with false so it reuses them). Ignored otherwise.
    /// </summary>
    public bool FitStatistics { get; init; }

    /// <summary>Utterances whose labels cannot fit their frames: error (default) or skip.</summary>
    public InfeasiblePolicy Infeasible { get; init; } = InfeasiblePolicy.Error;

    /// <summary>Accept an audio file listed twice (by default a manifest error naming both lines).</summary>
    public bool AllowDuplicates { get; init; }

    /// <summary>
    /// Keep no features in memory: compute each utterance's into <see cref="CacheDirectory"/> once (in
    /// parallel, checksummed), and have every example read its own from there each time it is batched.
    /// For corpora larger than memory: resident memory stays flat across epochs and does not grow with
    /// the corpus. Frame counts come from the cache entries' headers, so batches are planned up front.
    /// </summary>
    public bool StreamFromDisk { get; init; }
}

/// <summary>The examples read from a manifest, and the utterances left out (with why).</summary>
public sealed record DataSet<TExample>(IReadOnlyList<TExample> Examples, IReadOnlyList<string> Skipped);

/// <summary>
/// One way from a manifest to a model's examples: read the manifest (any <see cref="Manifests"/> reads),
/// normalise transcripts with the spec's policy, compute features through the spec's front-end
/// (resampled to its rate, on all cores, through a cache whose key comes from the front-end's
/// settings), fit global statistics when asked, check that every label fits its frames, and build the
/// typed examples — holding their features, or streaming them from the cache
/// (<see cref="DataSetOptions.StreamFromDisk"/>). Generated models with a front-end expose it as <c>LoadDataSet</c>.
/// </summary>
public static class DataSets
{
    /// <summary>Reads <paramref name="manifestPath"/> into examples.</summary>
    /// <exception cref="DataFileException">The manifest, a transcript or an audio file is bad, or labels cannot fit their frames; the message names the file and manifest line.</exception>
    /// <param name="createExample">Makes an example from its features' loader (called now, or on each use when streaming: <see cref="FeatureSource.Load"/>), labels and name.</param>
    /// <exception cref="ArgumentException"><see cref="DataSetOptions.StreamFromDisk"/> without a <see cref="DataSetOptions.CacheDirectory"/>.</exception>
    public static DataSet<TExample> Load<TExample>(
        string manifestPath, FrontEnd frontEnd, TranscriptNormalizer transcripts, Vocabulary vocabulary, Func<int, int> outputFrames,
        Func<Func<float[,]>, int[], string, TExample> createExample, DataSetOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DataSetOptions();
        if (options.StreamFromDisk && options.CacheDirectory is null)
            throw new ArgumentException("StreamFromDisk keeps features in the on-disk cache: set CacheDirectory too.", nameof(options));
        var utterances = Manifests.Read(manifestPath);
        if (!options.AllowDuplicates)
        {
            // Segments of one recording are different utterances; the same segment twice is a repeat.
            var duplicate = utterances.GroupBy(u => u.AudioName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
                throw new DataFileException($"{duplicate.First().Source}: {duplicate.Key} is listed again at {string.Join(", ", duplicate.Skip(1).Select(u => u.Source))}; remove the repeats (or set AllowDuplicates).");
        }
        var labels = utterances.Select(u => vocabulary.Encode(transcripts.Normalize(u), u.Source)).ToArray();

        // Files are featurised a segment at a time: memory is bounded however long each recording is.
        var loader = new FeatureLoader(frontEnd)
        {
            CacheDirectory = options.CacheDirectory,
            Workers = options.Workers,
        };
        // In memory: every utterance's raw features; streamed: each one's cache entry and frame count.
        float[][,]? raw = null;
        IReadOnlyList<(string Path, int Frames)>? entries = null;
        if (options.StreamFromDisk)
        {
            entries = loader.Precompute(utterances, cancellationToken);
            Nn.NativeHeap.KeepFlat(); // batches of every shape come and go: keep glibc from hoarding them
        }
        else
            raw = loader.Load(utterances, cancellationToken);
        if (frontEnd.Settings.Normalization == FeatureNormalizationMode.Global && options.FitStatistics)
            frontEnd.FitStatistics(raw ?? entries!.Select((e, i) => FeatureLoader.TryRead(e.Path) ?? loader.Load(utterances[i]))); // one utterance in memory at a time

        var examples = new List<TExample>(utterances.Count);
        var skipped = new List<string>();
        var problems = new List<string>();
        for (var i = 0; i < utterances.Count; i++)
        {
            var frames = outputFrames(raw?[i].GetLength(0) ?? entries![i].Frames);
            var required = CtcFeasibility.RequiredFrames(labels[i]);
            if (required > frames)
            {
                var problem = $"{utterances[i].Source}: {labels[i].Length} labels need {required} output frames, the audio gives {frames}";
                (options.Infeasible == InfeasiblePolicy.Skip ? skipped : problems).Add(problem);
                continue;
            }
            if (raw is not null)
            {
                var features = frontEnd.Normalize(raw[i]);
                examples.Add(createExample(() => features, labels[i], utterances[i].Source));
            }
            else
            {
                var source = new CachedFeatureSource(loader, utterances[i], entries![i].Path, entries[i].Frames, frontEnd.Normalize);
                examples.Add(createExample(source.Load, labels[i], utterances[i].Source));
            }
        }
        if (problems.Count > 0)
            throw new DataFileException($"{manifestPath}: {problems.Count} utterance(s) have labels longer than their audio allows:\n  " +
                string.Join("\n  ", problems.Take(10)) + (problems.Count > 10 ? $"\n  ... and {problems.Count - 10} more" : "") +
                "\nFix the transcripts or audio, or set Infeasible = InfeasiblePolicy.Skip.");
        return new DataSet<TExample>(examples, skipped);
    }

    /// <summary>The cache key part that describes the front-end: everything that changes raw features.</summary>
    public static string SettingsKey(FrontEndSettings settings) =>
        $"{settings.Kind};rate={settings.SampleRate};coefficients={settings.Coefficients};filters={settings.Filters};deltas={settings.Deltas};{MfccSettings.Default with { CoefficientCount = settings.Coefficients, FilterCount = settings.Filters }}";
}
