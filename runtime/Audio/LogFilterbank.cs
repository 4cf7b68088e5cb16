using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Windows;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// Log mel filterbank energies through NWaves' <see cref="FilterbankExtractor"/>, configured as
/// python_speech_features' <c>logfbank()</c>: the same framing, pre-emphasis and filterbank as
/// <see cref="Mfcc"/>, natural log of each filter's energy.
/// </summary>
public sealed class LogFilterbank
{
    /// <summary>Creates the front-end; <see cref="MfccSettings.FilterCount"/> filters (default 26), the other MFCC-only settings unused.</summary>
    public LogFilterbank(MfccSettings? settings = null) => Settings = settings ?? MfccSettings.Default;

    /// <summary>The settings in use.</summary>
    public MfccSettings Settings { get; }

    /// <summary>Computes log filterbank frames, <c>[frames, FilterCount]</c>.</summary>
    public float[,] Compute(MonoAudio audio)
    {
        var s = Settings;
        var (frameSize, hopSize, signal) = SpeechFrames.Prepare(audio, s.WindowSeconds, s.HopSeconds, s.PreEmphasis, s.InputScale);
        return SpeechFrames.ToMatrix(Extractor(audio.SampleRate, frameSize, hopSize).ComputeFrom(signal), s.FilterCount);
    }

    /// <summary>The per-frame analysis of <see cref="Compute"/>, for signals already prepared by <see cref="SpeechFrames.Prepare"/> (the streaming front-end's too).</summary>
    internal NWaves.FeatureExtractors.Base.FeatureExtractor Extractor(int sampleRate, int frameSize, int hopSize)
    {
        var s = Settings;
        return new FilterbankExtractor(new FilterbankOptions
        {
            SamplingRate = sampleRate,
            FrameSize = frameSize,
            HopSize = hopSize,
            FftSize = s.FftSizeAt(sampleRate),
            FilterBank = SpeechFrames.MelFilterBank(s.FilterCount, s.FftSizeAt(sampleRate), sampleRate, s.LowFrequency, s.HighFrequency ?? sampleRate / 2.0),
            PreEmphasis = 0,
            Window = WindowType.Rectangular,
            SpectrumType = SpectrumType.PowerNormalized,
            NonLinearity = NonLinearityType.LogE,
            LogFloor = SpeechFrames.LogFloor,
        });
    }
}
