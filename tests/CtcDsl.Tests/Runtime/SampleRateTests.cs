using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The front-ends at every common sample rate: the FFT follows the window (next power of two), and a
/// front-end resamples to its declared rate, so the same speech recorded at 44.1 or 48 kHz gives the
/// features of its 16 kHz version.
/// </summary>
public class SampleRateTests
{
    public static TheoryData<int> Rates() => new() { 8000, 11025, 16000, 22050, 44100, 48000, 96000 };

    /// <summary>Half a second of a chirp with noise at <paramref name="rate"/>.</summary>
    private static MonoAudio Chirp(int rate)
    {
        var random = new Random(rate);
        var samples = new float[rate / 2];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / rate;
            samples[i] = (float)(0.3 * Math.Sin(2 * Math.PI * (200 + 1500 * t) * t) + 0.01 * (random.NextDouble() - 0.5));
        }
        return new MonoAudio(samples, rate);
    }

    [Theory]
    [MemberData(nameof(Rates))]
    public void Mfcc_and_filterbank_run_at_the_audio_native_rate(int rate)
    {
        var audio = Chirp(rate);
        var mfcc = new Mfcc().Compute(audio);
        var fbank = new LogFilterbank().Compute(audio);
        // 25 ms windows every 10 ms over 0.5 s: 49 frames (the last one padded), at every rate.
        Assert.Equal(49, mfcc.GetLength(0));
        Assert.Equal(13, mfcc.GetLength(1));
        Assert.Equal(49, fbank.GetLength(0));
        Assert.All(mfcc.Cast<float>().Concat(fbank.Cast<float>()), v => Assert.True(float.IsFinite(v)));
        Assert.True(MfccSettings.Default.FftSizeAt(rate) >= MfccSettings.Default.WindowSamples(rate));
    }

    [Theory]
    [InlineData(22050, 44100, "mfcc")]
    [InlineData(8000, 48000, "logfbank")]
    [InlineData(44100, 16000, "mfcc")]
    [InlineData(96000, 8000, "logfbank")]
    public void A_front_end_declared_at_any_rate_takes_audio_at_any_other(int declared, int recorded, string kind)
    {
        // A spec's 'features: { sample_rate: 22050 }' once threw at Transcribe ("frame size must not exceed FFT size").
        var frontEnd = new FrontEnd(new FrontEndSettings(kind, SampleRate: declared));
        var features = frontEnd.Compute(Chirp(recorded));
        Assert.Equal(49, features.GetLength(0));
        Assert.Equal(frontEnd.Settings.Width, features.GetLength(1));
        Assert.All(features.Cast<float>(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Fft_size_follows_the_window_and_keeps_512_at_16_khz()
    {
        Assert.Equal(512, MfccSettings.Default.FftSizeAt(16000));
        Assert.Equal(256, MfccSettings.Default.FftSizeAt(8000));
        Assert.Equal(2048, MfccSettings.Default.FftSizeAt(44100));
        Assert.Equal(1024, (MfccSettings.Default with { FftSize = 1024 }).FftSizeAt(16000));
        var error = Assert.Throws<ArgumentException>(() => (MfccSettings.Default with { FftSize = 512 }).FftSizeAt(44100));
        Assert.Contains("1103-sample window", error.Message);
    }

    [SkippableTheory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(22050)]
    [InlineData(96000)]
    public void A_front_end_gives_the_same_features_for_the_same_speech_at_another_rate(int rate)
    {
        var original = WavAudio.Read(Path.Combine(SharedData.Ldc93s1(), "LDC93S1.wav"));
        Assert.Equal(16000, original.SampleRate);
        var frontEnd = new FrontEnd(new FrontEndSettings("mfcc", SampleRate: 16000));
        var reference = frontEnd.Compute(original);
        var recorded = original.Resample(rate); // the same speech as if recorded at another rate
        var features = frontEnd.Compute(recorded);
        Assert.Equal(reference.GetLength(1), features.GetLength(1));
        Assert.InRange(features.GetLength(0), reference.GetLength(0) - 1, reference.GetLength(0) + 1);
        // Normalised MFCCs of the two versions correlate almost perfectly (only resampling error differs).
        var frames = Math.Min(reference.GetLength(0), features.GetLength(0));
        var correlation = Correlation(reference, features, frames);
        Assert.True(correlation > 0.995, $"correlation {correlation:F4} at {rate} Hz");
    }

    private static double Correlation(float[,] a, float[,] b, int frames)
    {
        double sab = 0, saa = 0, sbb = 0;
        for (var t = 0; t < frames; t++)
            for (var c = 0; c < a.GetLength(1); c++)
            {
                sab += a[t, c] * b[t, c];
                saa += a[t, c] * a[t, c];
                sbb += b[t, c] * b[t, c];
            }
        return sab / Math.Sqrt(saa * sbb);
    }
}
