using System;
using System.Collections.Generic;
using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Filters;
using NWaves.Signals;
using NWaves.Utils;
using NWaves.Windows;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MFCC front-end built on NWaves' <see cref="MfccExtractor"/>, configured to reproduce
/// python_speech_features: its framing (last frame zero-padded), its bin-quantised mel filterbank,
/// a normalised power spectrum, natural log, orthonormal DCT-II, sinusoidal lifter and, for c0, the
/// log of the frame's power-spectrum energy.
/// </summary>
public sealed class Mfcc
{
    // numpy's float64 machine epsilon, the floor python_speech_features puts under its logs.
    private const float LogFloor = 2.220446049250313e-16f;

    /// <summary>Creates the front-end.</summary>
    public Mfcc(MfccSettings? settings = null) => Settings = settings ?? MfccSettings.Default;

    /// <summary>The settings in use.</summary>
    public MfccSettings Settings { get; }

    /// <summary>Computes MFCC frames, <c>[frames, CoefficientCount]</c>.</summary>
    public float[,] Compute(MonoAudio audio)
    {
        var s = Settings;
        var (frameSize, hopSize, signal) = Frame(audio);
        var options = new MfccOptions
        {
            SamplingRate = audio.SampleRate,
            FeatureCount = s.CoefficientCount,
            FrameSize = frameSize,
            HopSize = hopSize,
            FilterBank = MelFilterBank(s.FilterCount, s.FftSize, audio.SampleRate, s.LowFrequency, s.HighFrequency ?? audio.SampleRate / 2.0),
            PreEmphasis = 0, // applied to the whole signal in Frame(), as python_speech_features does
            Window = WindowType.Rectangular,
            SpectrumType = SpectrumType.PowerNormalized, // |X|²·2/N; the filterbank's halved weights make it |X|²/N
            NonLinearity = NonLinearityType.LogE,
            LogFloor = LogFloor,
            DctType = "2N",
            LifterSize = s.Lifter,
            IncludeEnergy = false, // NWaves' energy is time-domain; EnergyMfccExtractor uses the spectrum's
        };
        MfccExtractor extractor = s.AppendEnergy ? new SpectralEnergyMfccExtractor(options) : new MfccExtractor(options);
        return ToMatrix(extractor.ComputeFrom(signal), s.CoefficientCount);
    }

    /// <summary>Pre-emphasises and zero-pads the signal so that frames cover it as python_speech_features frames it.</summary>
    private (int FrameSize, int HopSize, DiscreteSignal Signal) Frame(MonoAudio audio)
    {
        var s = Settings;
        var frameSize = RoundHalfUp(s.WindowSeconds * audio.SampleRate);
        var hopSize = RoundHalfUp(s.HopSeconds * audio.SampleRate);
        var length = audio.Samples.Length;
        var frames = length <= frameSize ? 1 : 1 + (int)Math.Ceiling((double)(length - frameSize) / hopSize);
        var padded = new float[(frames - 1) * hopSize + frameSize];
        for (var i = 0; i < length; i++) padded[i] = (float)(audio.Samples[i] * s.InputScale);

        if (s.PreEmphasis != 0)
        {
            // y[n] = x[n] - a·x[n-1] over the original samples only; the padding stays zero.
            var emphasised = new PreEmphasisFilter(s.PreEmphasis).ApplyTo(new DiscreteSignal(audio.SampleRate, padded[..length]));
            Array.Copy(emphasised.Samples, padded, length);
        }
        return (frameSize, hopSize, new DiscreteSignal(audio.SampleRate, padded));
    }

    /// <summary>
    /// python_speech_features' mel filterbank: filter edges equally spaced in mel, quantised to FFT
    /// bins with <c>floor((fft + 1) · hz / rate)</c>, triangles between them. The triangles have height
    /// <see cref="SpectrumScale"/> rather than 1 to turn NWaves' normalised power spectrum (2|X|²/N)
    /// into python_speech_features' (|X|²/N).
    /// </summary>
    public static float[][] MelFilterBank(int filters, int fftSize, int sampleRate, double lowHz, double highHz)
    {
        var lowMel = Scale.HerzToMel(lowHz);
        var highMel = Scale.HerzToMel(highHz);
        var bins = new int[filters + 2];
        for (var i = 0; i < bins.Length; i++)
        {
            var mel = lowMel + (highMel - lowMel) * i / (filters + 1);
            bins[i] = (int)Math.Floor((fftSize + 1) * Scale.MelToHerz(mel) / sampleRate);
        }

        var bank = new float[filters][];
        for (var j = 0; j < filters; j++)
        {
            var row = bank[j] = new float[fftSize / 2 + 1];
            for (var k = bins[j]; k < bins[j + 1]; k++) row[k] = (float)(SpectrumScale * (k - bins[j]) / (bins[j + 1] - bins[j]));
            for (var k = bins[j + 1]; k < bins[j + 2]; k++) row[k] = (float)(SpectrumScale * (bins[j + 2] - k) / (bins[j + 2] - bins[j + 1]));
        }
        return bank;
    }

    /// <summary>NWaves' normalised power spectrum is 2|X|²/N; python_speech_features' is |X|²/N.</summary>
    private const double SpectrumScale = 0.5;

    private static int RoundHalfUp(double x) => (int)Math.Floor(x + 0.5);

    private static float[,] ToMatrix(List<float[]> frames, int width)
    {
        var matrix = new float[frames.Count, width];
        for (var t = 0; t < frames.Count; t++)
            for (var c = 0; c < width; c++) matrix[t, c] = frames[t][c];
        return matrix;
    }

    /// <summary>NWaves' MFCC with c0 replaced by the log of the frame's power-spectrum energy (python_speech_features' appendEnergy).</summary>
    private sealed class SpectralEnergyMfccExtractor(MfccOptions options) : MfccExtractor(options)
    {
        public override void ProcessFrame(float[] block, float[] features)
        {
            base.ProcessFrame(block, features);
            var energy = 0.0;
            foreach (var p in _spectrum) energy += p;
            energy *= SpectrumScale; // total of python_speech_features' power spectrum |X|²/N
            features[0] = (float)Math.Log(Math.Max(energy, LogFloor));
        }
    }
}
