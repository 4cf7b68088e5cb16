using System;
using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Windows;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MFCC front-end built on NWaves' <see cref="MfccExtractor"/>, configured to reproduce
/// python_speech_features' <c>mfcc()</c>: its framing (last frame zero-padded), its bin-quantised mel
/// filterbank, a normalised power spectrum, natural log, orthonormal DCT-II, sinusoidal lifter and,
/// for c0, the log of the frame's power-spectrum energy.
/// </summary>
public sealed class Mfcc
{
    /// <summary>Creates the front-end.</summary>
    public Mfcc(MfccSettings? settings = null) => Settings = settings ?? MfccSettings.Default;

    /// <summary>The settings in use.</summary>
    public MfccSettings Settings { get; }

    /// <summary>Computes MFCC frames, <c>[frames, CoefficientCount]</c>.</summary>
    public float[,] Compute(MonoAudio audio)
    {
        var s = Settings;
        var (frameSize, hopSize, signal) = SpeechFrames.Prepare(audio, s.WindowSeconds, s.HopSeconds, s.PreEmphasis, s.InputScale);
        return SpeechFrames.ToMatrix(Extractor(audio.SampleRate, frameSize, hopSize).ComputeFrom(signal), s.CoefficientCount);
    }

    /// <summary>The per-frame analysis of <see cref="Compute"/>, for signals already prepared by <see cref="SpeechFrames.Prepare"/> (the streaming front-end's too).</summary>
    internal MfccExtractor Extractor(int sampleRate, int frameSize, int hopSize)
    {
        var s = Settings;
        var options = new MfccOptions
        {
            SamplingRate = sampleRate,
            FeatureCount = s.CoefficientCount,
            FrameSize = frameSize,
            HopSize = hopSize,
            FftSize = s.FftSizeAt(sampleRate),
            FilterBank = SpeechFrames.MelFilterBank(s.FilterCount, s.FftSizeAt(sampleRate), sampleRate, s.LowFrequency, s.HighFrequency ?? sampleRate / 2.0),
            PreEmphasis = 0, // applied to the whole signal by SpeechFrames.Prepare, as python_speech_features does
            Window = WindowType.Rectangular,
            SpectrumType = SpectrumType.PowerNormalized, // 2|X|²/N; the filterbank's halved weights make it |X|²/N
            NonLinearity = NonLinearityType.LogE,
            LogFloor = SpeechFrames.LogFloor,
            DctType = "2N",
            LifterSize = s.Lifter,
            IncludeEnergy = false, // NWaves' energy is time-domain; SpectralEnergyMfccExtractor uses the spectrum's
        };
        return s.AppendEnergy ? new SpectralEnergyMfccExtractor(options) : new MfccExtractor(options);
    }

    /// <summary>NWaves' MFCC with c0 replaced by the log of the frame's power-spectrum energy (python_speech_features' appendEnergy).</summary>
    private sealed class SpectralEnergyMfccExtractor(MfccOptions options) : MfccExtractor(options)
    {
        public override void ProcessFrame(float[] block, float[] features)
        {
            base.ProcessFrame(block, features);
            var energy = 0.0;
            foreach (var p in _spectrum) energy += p;
            energy *= SpeechFrames.SpectrumScale; // total of python_speech_features' power spectrum |X|²/N
            features[0] = (float)Math.Log(Math.Max(energy, SpeechFrames.LogFloor));
        }
    }
}
