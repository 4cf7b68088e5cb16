using System;

namespace CtcDsl.Generator.Analysis;

/// <summary>
/// The front-end's mel filterbank arithmetic (runtime: MfccSettings and SpeechFrames), repeated here so
/// a spec whose filters cannot all be non-empty at its sample rate is a diagnostic instead of a model
/// with constant features: 25 ms windows, an FFT of the next power of two, filter edges equally spaced
/// in mel from 0 Hz to half the rate and quantised to FFT bins as python_speech_features does.
/// </summary>
internal static class MelFilters
{
    public static int FftSize(int sampleRate)
    {
        var window = (int)Math.Floor(0.025 * sampleRate + 0.5);
        var fft = 1;
        while (fft < window) fft *= 2;
        return fft;
    }

    /// <summary>The most filters for which every filter spans at least one bin on each side of its peak.</summary>
    public static int LargestUsable(int sampleRate)
    {
        var fft = FftSize(sampleRate);
        var best = 0;
        for (var filters = 1; filters <= fft / 2 + 1; filters++)
        {
            if (!AllNonEmpty(filters, fft, sampleRate)) break;
            best = filters;
        }
        return best;
    }

    private static bool AllNonEmpty(int filters, int fft, int sampleRate)
    {
        var highMel = 2595 * Math.Log10(1 + sampleRate / 2.0 / 700);
        var previous = -1;
        for (var i = 0; i < filters + 2; i++)
        {
            var hz = 700 * (Math.Pow(10, highMel * i / (filters + 1) / 2595) - 1);
            var bin = (int)Math.Floor((fft + 1) * hz / sampleRate);
            if (bin <= previous) return false;
            previous = bin;
        }
        return true;
    }
}
