using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Audio;

/// <summary>How a front-end normalises its features.</summary>
public enum FeatureNormalizationMode
{
    /// <summary>No normalisation.</summary>
    None,
    /// <summary>(x − mean) / std with one scalar mean and std per utterance (the seed article's).</summary>
    Utterance,
    /// <summary>Per dimension, with statistics of the training set (<see cref="FrontEnd.Statistics"/>), saved with the model.</summary>
    Global,
}

/// <summary>A front-end's settings, as a spec's <c>features:</c> section declares them.</summary>
/// <param name="Kind">"mfcc" or "logfbank".</param>
/// <param name="SampleRate">Audio is resampled to this rate first.</param>
/// <param name="Coefficients">MFCC coefficients.</param>
/// <param name="Filters">Mel filters.</param>
/// <param name="Deltas">Orders of delta features appended (0, 1 or 2).</param>
/// <param name="Normalization">How features are normalised.</param>
/// <param name="Augment">SpecAugment masking for training batches; null: none.</param>
public sealed record FrontEndSettings(string Kind, int SampleRate = SpecFacts.FrontEndFacts.DefaultSampleRate, int Coefficients = SpecFacts.FrontEndFacts.DefaultCoefficients,
    int Filters = SpecFacts.FrontEndFacts.DefaultFilters, int Deltas = 0,
    FeatureNormalizationMode Normalization = FeatureNormalizationMode.Utterance, SpecAugment? Augment = null)
{
    /// <summary>Values per frame the front-end produces.</summary>
    public int Width => SpecFacts.FrontEndFacts.Width(Kind, Coefficients, Filters, Deltas);
}

/// <summary>
/// Audio to normalised feature frames, as declared in a spec: resampling, MFCC or log filterbank
/// (python_speech_features-compatible), deltas, normalisation. Global normalisation needs
/// <see cref="Statistics"/>, computed on the training set with <see cref="FitStatistics"/>.
/// </summary>
public sealed class FrontEnd
{
    private readonly Func<MonoAudio, float[,]> extract;
    private readonly MfccSettings mfccSettings;

    /// <summary>Creates the front-end.</summary>
    public FrontEnd(FrontEndSettings settings)
    {
        Settings = settings;
        mfccSettings = MfccSettings.Default with { CoefficientCount = settings.Coefficients, FilterCount = settings.Filters };
        extract = settings.Kind switch
        {
            SpecFacts.FrontEndFacts.Mfcc => new Mfcc(mfccSettings).Compute,
            SpecFacts.FrontEndFacts.LogFilterbank => new LogFilterbank(mfccSettings).Compute,
            _ => throw new ArgumentException($"Unknown front-end '{settings.Kind}'; use mfcc or logfbank.", nameof(settings)),
        };
    }

    /// <summary>The settings.</summary>
    public FrontEndSettings Settings { get; }

    /// <summary>Seconds between the starts of consecutive feature frames.</summary>
    public double HopSeconds => mfccSettings.HopSeconds;

    /// <summary>Samples between the starts of consecutive feature frames, at <see cref="FrontEndSettings.SampleRate"/>.</summary>
    public int HopSamples => mfccSettings.HopSamples(Settings.SampleRate);

    /// <summary>Samples in one feature frame's window, at <see cref="FrontEndSettings.SampleRate"/>.</summary>
    public int WindowSamples => mfccSettings.WindowSamples(Settings.SampleRate);

    /// <summary>Training-set statistics for <see cref="FeatureNormalizationMode.Global"/>.</summary>
    public FeatureStatistics? Statistics { get; set; }

    /// <summary>Features before normalisation: resample, extract, append deltas.</summary>
    public float[,] Raw(MonoAudio audio)
    {
        var features = extract(audio.Resample(Settings.SampleRate));
        return Settings.Deltas > 0 ? Audio.Deltas.Append(features, Settings.Deltas) : features;
    }

    /// <summary>
    /// Features before normalisation of an audio file (WAV, FLAC or MP3), read and featurised a segment at a time: memory is
    /// bounded by <see cref="SegmentFrames"/> and the features, whatever the recording's length.
    /// </summary>
    /// <exception cref="CtcDsl.Runtime.Data.DataFileException">The file is missing or not a usable audio file; the message names it.</exception>
    public float[,] RawFromFile(string path) => RawFromFile(path, null);

    /// <summary>Features before normalisation of the part <paramref name="segment"/> of an audio file (all of it when null), computed as <see cref="RawFromFile(string)"/>.</summary>
    /// <exception cref="CtcDsl.Runtime.Data.DataFileException">The file is missing, not a usable audio file, or the segment does not lie within it.</exception>
    public float[,] RawFromFile(string path, CtcDsl.Runtime.Data.AudioSegment? segment)
    {
        var features = StreamingFeatures.Extract(path, segment, Settings.SampleRate, extract, mfccSettings, SegmentFrames);
        return Settings.Deltas > 0 ? Audio.Deltas.Append(features, Settings.Deltas) : features;
    }

    /// <summary>Normalised features of an audio file, computed a segment at a time (see <see cref="RawFromFile(string)"/>).</summary>
    public float[,] ComputeFromFile(string path) => Normalize(RawFromFile(path));

    /// <summary>Frames per segment when featurising files (default 6000: one minute of audio).</summary>
    public int SegmentFrames { get; init; } = 6000;

    /// <summary>Normalised features, <c>[frames, Width]</c>.</summary>
    /// <exception cref="InvalidOperationException">Global normalisation without <see cref="Statistics"/>.</exception>
    public float[,] Compute(MonoAudio audio) => Normalize(Raw(audio));

    /// <summary>Applies the declared normalisation to raw features.</summary>
    public float[,] Normalize(float[,] raw) => Settings.Normalization switch
    {
        FeatureNormalizationMode.Utterance => FeatureNormalization.PerUtterance(raw),
        FeatureNormalizationMode.Global => (Statistics ?? throw new InvalidOperationException(
            "This front-end normalises with training-set statistics: call FitStatistics on the training audio first, or load a checkpoint that holds them.")).Normalize(raw),
        _ => raw,
    };

    /// <summary>Computes <see cref="Statistics"/> from the raw features of the training set.</summary>
    public FeatureStatistics FitStatistics(IEnumerable<float[,]> rawFeatures) => Statistics = FeatureStatistics.Compute(rawFeatures);

    /// <summary>Checkpoint extras holding the statistics (empty without them).</summary>
    public IReadOnlyDictionary<string, float[]> Extras => Statistics?.ToExtras() ?? new Dictionary<string, float[]>();
}
