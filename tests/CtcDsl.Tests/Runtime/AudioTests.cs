using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using NWaves.Audio;
using NWaves.Signals;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>WAV decoding, resampling and the front-ends beyond MFCC.</summary>
public sealed class AudioTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-audio-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static float[] Tone(int rate, int length) =>
        Enumerable.Range(0, length).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / rate) + 0.25 * Math.Sin(2 * Math.PI * 1234 * i / rate))).ToArray();

    private string WriteWave(string name, IList<float[]> channels, int rate, short bits)
    {
        var path = Path.Combine(directory, name);
        using var file = File.Create(path);
        new WaveFile(channels.Select(c => new DiscreteSignal(rate, c)).ToList(), bits).SaveTo(file, normalized: true);
        return path;
    }

    /// <summary>A 32-bit IEEE float WAV, written by hand (format tag 3).</summary>
    private string WriteFloatWave(string name, float[] samples, int rate)
    {
        var path = Path.Combine(directory, name);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(Encoding.ASCII.GetBytes("RIFF"));
        writer.Write(36 + samples.Length * 4);
        writer.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        writer.Write(16);
        writer.Write((short)3);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 4);
        writer.Write((short)4);
        writer.Write((short)32);
        writer.Write(Encoding.ASCII.GetBytes("data"));
        writer.Write(samples.Length * 4);
        foreach (var s in samples) writer.Write(s);
        return path;
    }

    [Theory]
    [InlineData((short)8, 1.0 / 64)]
    [InlineData((short)16, 1.0 / 16000)]
    [InlineData((short)24, 1e-5)]
    [InlineData((short)32, 1e-6)]
    public void Pcm_depths_decode_to_the_signal_within_their_quantisation(short bits, double tolerance)
    {
        var samples = Tone(16000, 1600);
        var audio = WavAudio.Read(WriteWave($"pcm{bits}.wav", new[] { samples }, 16000, bits));
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(samples.Length, audio.Samples.Length);
        Assert.True(samples.Zip(audio.Samples).Max(p => Math.Abs(p.First - p.Second)) <= tolerance);
    }

    [Fact]
    public void Float_wav_and_stereo_downmix()
    {
        var samples = Tone(8000, 800);
        var floats = WavAudio.Read(WriteFloatWave("float.wav", samples, 8000));
        Assert.Equal(samples, floats.Samples);

        var left = samples;
        var right = samples.Select(s => -0.5f * s).ToArray();
        var stereo = WavAudio.Read(WriteWave("stereo.wav", new[] { left, right }, 8000, 16));
        Assert.True(stereo.Samples.Zip(samples).Max(p => Math.Abs(p.First - 0.25f * p.Second)) < 1e-4);
    }

    [Fact]
    public void Bad_files_fail_naming_the_file_and_the_reason()
    {
        var good = File.ReadAllBytes(WriteWave("good.wav", new[] { Tone(16000, 1600) }, 16000, 16));
        var cases = new Dictionary<string, (byte[] Bytes, string Reason)>
        {
            ["text.wav"] = (Encoding.ASCII.GetBytes("this is not audio at all"), "not a WAV file"),
            ["cut.wav"] = (good[..(good.Length / 2)], "truncated"),
            ["header-only.wav"] = (good[..20], "truncated"),
            ["adpcm.wav"] = (WithFormatTag(good, 2), "unsupported WAV encoding (format tag 2)"),
        };
        foreach (var (name, (bytes, reason)) in cases)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllBytes(path, bytes);
            var error = Assert.Throws<DataFileException>(() => WavAudio.Read(path));
            Assert.Contains(path, error.Message);
            Assert.Contains(reason, error.Message);
        }
    }

    private static byte[] WithFormatTag(byte[] wave, short tag)
    {
        var copy = (byte[])wave.Clone();
        BitConverter.GetBytes(tag).CopyTo(copy, 20); // the fmt chunk's first field
        return copy;
    }

    /// <summary>
    /// The utterance at 8 kHz mono and at 44.1 kHz stereo, resampled back to 16 kHz on reading, gives
    /// MFCCs close to the original's. Measure: Pearson correlation of the per-utterance normalised MFCC
    /// matrices (all frames and coefficients). The 8 kHz copy has lost everything above 4 kHz, so it
    /// is compared on the band both share (filters up to 3.8 kHz, for original and copy alike); the
    /// 44.1 kHz copy keeps the whole band and is compared with the default front-end. Bounds leave
    /// room under the measured values for another machine's float rounding; without the resampler's
    /// delay compensation the correlations fall to 0.92 and 0.96.
    /// </summary>
    [SkippableTheory]
    [InlineData(8000, 1, 3800.0, 0.98)]   // measured 0.9935
    [InlineData(44100, 2, 8000.0, 0.995)] // measured 0.9992
    public void Resampled_variants_give_close_features(int rate, int channels, double band, double bound)
    {
        var original = WavAudio.Read(Path.Combine(SharedData.Ldc93s1(), "LDC93S1.wav"));
        var mfcc = new Mfcc(MfccSettings.Default with { HighFrequency = band });
        var reference = FeatureNormalization.PerUtterance(mfcc.Compute(original));

        var variant = original.Resample(rate);
        var path = WriteWave($"{rate}.wav", Enumerable.Range(0, channels).Select(c => variant.Samples.Select(s => s * (1 - 0.1f * c)).ToArray()).ToArray(), rate, 16);
        var features = FeatureNormalization.PerUtterance(mfcc.Compute(WavAudio.Read(path, sampleRate: 16000)));

        Assert.InRange(Math.Abs(features.GetLength(0) - reference.GetLength(0)), 0, 1);
        var correlation = Correlation(reference, features, Math.Min(features.GetLength(0), reference.GetLength(0)));
        Assert.True(correlation >= bound, $"{rate} Hz: correlation {correlation:F4} < {bound}");
    }

    private static double Correlation(float[,] a, float[,] b, int frames)
    {
        var x = new List<double>();
        var y = new List<double>();
        for (var t = 0; t < frames; t++)
            for (var c = 0; c < a.GetLength(1); c++) { x.Add(a[t, c]); y.Add(b[t, c]); }
        var (mx, my) = (x.Average(), y.Average());
        var cov = x.Zip(y).Sum(p => (p.First - mx) * (p.Second - my));
        return cov / Math.Sqrt(x.Sum(v => (v - mx) * (v - mx)) * y.Sum(v => (v - my) * (v - my)));
    }

    [SkippableFact]
    public void Log_filterbank_matches_python_speech_features()
    {
        var data = SharedData.Ldc93s1();
        var audio = WavAudio.Read(Path.Combine(data, "LDC93S1.wav"));
        var actual = new LogFilterbank().Compute(audio);
        MfccTests.AssertClose(MfccTests.ReadCsv(Path.Combine(data, "logfbank26_full.csv")), actual);
    }

    [Fact]
    public void Deltas_follow_the_regression_formula_with_repeated_edges()
    {
        var features = new float[,] { { 0 }, { 1 }, { 4 }, { 9 }, { 16 } };
        var deltas = Deltas.Compute(features, window: 2);
        // t = 2: (1·(9 − 1) + 2·(16 − 0)) / 10 = 4; t = 0: (1·(1 − 0) + 2·(4 − 0)) / 10 = 0.9.
        Assert.Equal(4f, deltas[2, 0], 5);
        Assert.Equal(0.9f, deltas[0, 0], 5);
        var appended = Deltas.Append(features, order: 2);
        Assert.Equal(3, appended.GetLength(1));
        Assert.Equal(features[3, 0], appended[3, 0]);
        Assert.Equal(deltas[3, 0], appended[3, 1]);
    }

    [Fact]
    public void Global_statistics_normalise_each_dimension_and_round_trip_as_extras()
    {
        var a = new float[,] { { 1, 10 }, { 3, 10 } };
        var b = new float[,] { { 5, 10 } };
        var stats = FeatureStatistics.Compute(new[] { a, b });
        Assert.Equal(new[] { 3f, 10f }, stats.Mean);
        Assert.Equal((float)Math.Sqrt(8.0 / 3), stats.StandardDeviation[0], 5);
        Assert.Equal(1f, stats.StandardDeviation[1]); // constant dimension
        var normalized = stats.Normalize(b);
        Assert.Equal(2 / Math.Sqrt(8.0 / 3), normalized[0, 0], 5);
        Assert.Equal(stats.Mean, FeatureStatistics.FromExtras(stats.ToExtras()).Mean);
    }

    [Fact]
    public void Spec_augment_masks_within_its_limits_and_leaves_the_input_alone()
    {
        var features = new float[100, 20];
        var random = new Random(0);
        for (var t = 0; t < 100; t++) for (var c = 0; c < 20; c++) features[t, c] = (float)random.NextDouble() + 1;
        var augment = new SpecAugment(FrequencyMasks: 1, MaxFrequencyWidth: 5, TimeMasks: 1, MaxTimeWidth: 30, MaxTimeFraction: 0.1);
        var masked = augment.Apply(features, new Random(1));

        var changedColumns = Enumerable.Range(0, 20).Count(c => Enumerable.Range(0, 100).All(t => masked[t, c] != features[t, c]));
        var changedRows = Enumerable.Range(0, 100).Count(t => Enumerable.Range(0, 20).All(c => masked[t, c] != features[t, c]));
        Assert.InRange(changedColumns, 0, 5);
        Assert.InRange(changedRows, 0, 10); // 10% of 100 frames
        Assert.NotEqual(0f, features[0, 0]); // the input is untouched
        Assert.Equal(masked, augment.Apply(features, new Random(1)));
    }
}
