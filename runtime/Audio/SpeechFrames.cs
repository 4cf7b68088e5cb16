using System;
using NWaves.Filters;
using NWaves.Signals;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// python_speech_features' preparation of a signal, shared by <see cref="Mfcc"/> and
/// <see cref="LogFilterbank"/>: int16 scale, pre-emphasis over the whole signal, and zero padding so
/// that frames cover it (the last frame padded to a full window).
/// </summary>
internal static class SpeechFrames
{
    /// <summary>numpy's float64 machine epsilon, the floor python_speech_features puts under its logs.</summary>
    public const float LogFloor = 2.220446049250313e-16f;

    /// <summary>NWaves' normalised power spectrum is 2|X|²/N; python_speech_features' is |X|²/N.</summary>
    public const double SpectrumScale = 0.5;

    public static (int FrameSize, int HopSize, DiscreteSignal Signal) Prepare(MonoAudio audio, double windowSeconds, double hopSeconds, double preEmphasis, double inputScale)
    {
        var frameSize = RoundHalfUp(windowSeconds * audio.SampleRate);
        var hopSize = RoundHalfUp(hopSeconds * audio.SampleRate);
        var length = audio.Samples.Length;
        var frames = length <= frameSize ? 1 : 1 + (int)Math.Ceiling((double)(length - frameSize) / hopSize);
        var padded = new float[(frames - 1) * hopSize + frameSize];
        for (var i = 0; i < length; i++) padded[i] = (float)(audio.Samples[i] * inputScale);
        if (preEmphasis != 0)
        {
            // y[n] = x[n] - a·x[n-1] over the original samples only; the padding stays zero.
            var emphasised = new PreEmphasisFilter(preEmphasis).ApplyTo(new DiscreteSignal(audio.SampleRate, padded[..length]));
            Array.Copy(emphasised.Samples, padded, length);
        }
        return (frameSize, hopSize, new DiscreteSignal(audio.SampleRate, padded));
    }

    /// <summary>
    /// python_speech_features' mel filterbank: filter edges equally spaced in mel, quantised to FFT
    /// bins with <c>floor((fft + 1) · hz / rate)</c>, triangles between them, of height
    /// <see cref="SpectrumScale"/> to turn NWaves' normalised power spectrum into python_speech_features'.
    /// </summary>
    public static float[][] MelFilterBank(int filters, int fftSize, int sampleRate, double lowHz, double highHz)
    {
        // The edges come from the spec language's facts, which the generator checks specs with.
        var bins = SpecFacts.MelScale.FilterEdges(filters, fftSize, sampleRate, lowHz, highHz);

        var bank = new float[filters][];
        for (var j = 0; j < filters; j++)
        {
            var row = bank[j] = new float[fftSize / 2 + 1];
            for (var k = bins[j]; k < bins[j + 1]; k++) row[k] = (float)(SpectrumScale * (k - bins[j]) / (bins[j + 1] - bins[j]));
            for (var k = bins[j + 1]; k < bins[j + 2]; k++) row[k] = (float)(SpectrumScale * (bins[j + 2] - k) / (bins[j + 2] - bins[j + 1]));
        }
        return bank;
    }

    public static float[,] ToMatrix(System.Collections.Generic.List<float[]> frames, int width)
    {
        var matrix = new float[frames.Count, width];
        for (var t = 0; t < frames.Count; t++)
            for (var c = 0; c < width; c++) matrix[t, c] = frames[t][c];
        return matrix;
    }

    private static int RoundHalfUp(double x) => (int)Math.Floor(x + 0.5);
}
