// Shared with the generator: compiled into CtcDsl.Runtime (net10.0) and linked into CtcDsl.Generator
// (netstandard2.0), so keep to APIs both have. One definition of what the spec language means.
using System;

namespace CtcDsl.SpecFacts;

/// <summary>
/// The audio front-end's facts (<c>features:</c> in a spec): its kinds, defaults and ranges, the width
/// of its frames and its framing. The generator checks specs against them; the runtime computes with them.
/// </summary>
internal static class FrontEndFacts
{
    /// <summary>MFCC frames (python_speech_features' <c>mfcc()</c>).</summary>
    public const string Mfcc = "mfcc";

    /// <summary>Log mel filterbank frames (python_speech_features' <c>logfbank()</c>).</summary>
    public const string LogFilterbank = "logfbank";

    public const int DefaultSampleRate = 16000;
    public const int MinSampleRate = 1000;
    public const int MaxSampleRate = 384_000;

    /// <summary>python_speech_features' defaults, which the seed article used.</summary>
    public const int DefaultCoefficients = 13;
    public const int DefaultFilters = 26;

    /// <summary>Orders of delta features a spec may append (0 to this).</summary>
    public const int MaxDeltas = 2;

    /// <summary>Window and hop in seconds (python_speech_features' defaults).</summary>
    public const double WindowSeconds = 0.025;
    public const double HopSeconds = 0.01;

    /// <summary>Values per frame: coefficients (MFCC) or filters (log filterbank), times the static part and each delta order.</summary>
    public static int Width(string kind, int coefficients, int filters, int deltas) =>
        (kind == Mfcc ? coefficients : filters) * (1 + deltas);

    /// <summary>A duration in samples at <paramref name="sampleRate"/>, rounded half up as python_speech_features does.</summary>
    public static int Samples(double seconds, int sampleRate) => (int)Math.Floor(seconds * sampleRate + 0.5);

    /// <summary>The FFT size that follows a window: the next power of two at or above its length (python_speech_features' <c>calculate_nfft</c>).</summary>
    public static int FftSize(int windowSamples)
    {
        var size = 1;
        while (size < windowSamples) size *= 2;
        return size;
    }
}

/// <summary>SpecAugment's defaults (<c>features.spec_augment</c>): two frequency and two time masks, as in the paper's LibriSpeech basic policy scaled down.</summary>
internal static class SpecAugmentFacts
{
    public const int FrequencyMasks = 2;
    public const int MaxFrequencyWidth = 8;
    public const int TimeMasks = 2;
    public const int MaxTimeWidth = 40;
    public const double MaxTimeFraction = 0.2;
}

/// <summary>
/// The mel filterbank's edges as python_speech_features quantises them: equally spaced in mel between
/// two frequencies, each put on the FFT bin <c>floor((fft + 1) · hz / rate)</c>. The mel scale is
/// 1127·ln(1 + hz/700) (NWaves' and HTK's natural-log form).
/// </summary>
internal static class MelScale
{
    public static double FromHertz(double hertz) => 1127 * Math.Log(hertz / 700 + 1);

    public static double ToHertz(double mel) => (Math.Exp(mel / 1127) - 1) * 700;

    /// <summary>The <paramref name="filters"/> + 2 bin edges: filter j rises from edge j to j + 1 and falls to j + 2.</summary>
    public static int[] FilterEdges(int filters, int fftSize, int sampleRate, double lowHertz, double highHertz)
    {
        var lowMel = FromHertz(lowHertz);
        var highMel = FromHertz(highHertz);
        var edges = new int[filters + 2];
        for (var i = 0; i < edges.Length; i++)
        {
            var mel = lowMel + (highMel - lowMel) * i / (filters + 1);
            edges[i] = (int)Math.Floor((fftSize + 1) * ToHertz(mel) / sampleRate);
        }
        return edges;
    }

    /// <summary>Whether each of the filters spans at least one bin on each side of its peak (strictly rising edges).</summary>
    public static bool AllNonEmpty(int[] edges)
    {
        for (var i = 1; i < edges.Length; i++)
            if (edges[i] <= edges[i - 1]) return false;
        return true;
    }
}
