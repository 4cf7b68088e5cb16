using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using NWaves.Audio;
using NWaves.Signals;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>Long recordings are featurised a segment at a time and give the features of the whole file computed at once.</summary>
public sealed class LongAudioTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-long-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Recording(int rate, int channels, double seconds)
    {
        var random = new Random(rate + channels);
        var length = (int)(seconds * rate);
        var signals = Enumerable.Range(0, channels).Select(c => new DiscreteSignal(rate, Enumerable.Range(0, length)
            .Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * (150 + 40 * Math.Sin(i / (double)rate)) * i / rate + c) + 0.05 * (random.NextDouble() - 0.5))).ToArray())).ToList();
        var path = Path.Combine(directory, $"{rate}-{channels}.wav");
        using var file = File.Create(path);
        new WaveFile(signals, 16).SaveTo(file);
        return path;
    }

    [Theory]
    [InlineData(16000, 1, "mfcc")]
    [InlineData(44100, 2, "mfcc")]
    [InlineData(48000, 1, "logfbank")]
    [InlineData(8000, 1, "logfbank")]
    public void Segment_by_segment_features_equal_those_of_the_whole_file(int rate, int channels, string kind)
    {
        var path = Recording(rate, channels, seconds: 7.3);
        var whole = new FrontEnd(new FrontEndSettings(kind, SampleRate: 16000, Deltas: 1));
        // 150-frame segments: this 7.3 s recording is cut into five pieces, each boundary exercised.
        var streamed = new FrontEnd(new FrontEndSettings(kind, SampleRate: 16000, Deltas: 1)) { SegmentFrames = 150 };
        var expected = whole.Raw(WavAudio.Read(path));
        var actual = streamed.RawFromFile(path);
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        Assert.InRange(actual.GetLength(0), expected.GetLength(0) - 1, expected.GetLength(0) + 1);
        var frames = Math.Min(expected.GetLength(0), actual.GetLength(0));
        double Worst(int from, int to)
        {
            var worst = 0.0;
            for (var t = from; t < to; t++)
                for (var c = 0; c < expected.GetLength(1); c++) worst = Math.Max(worst, Math.Abs(expected[t, c] - actual[t, c]));
            return worst;
        }
        // The first segment starts where the file does: identical, whatever the rates.
        Assert.True(Worst(0, 140) < 2e-3, $"first segment: largest difference {Worst(0, 140)}");
        if (rate % 16000 == 0 || 16000 % rate == 0)
        {
            // Integer ratios: every segment matches the whole file within float rounding.
            Assert.True(Worst(0, frames) < 2e-3, $"largest difference {Worst(0, frames)}");
        }
        else
        {
            // 44.1 kHz: NWaves computes each output sample's source position in float, so resampling a
            // whole file drifts by up to ~0.01 sample late in it, while a segment starts exact; later
            // frames then differ slightly (the lifter magnifies it in the top coefficients).
            var mean = 0.0;
            for (var t = 0; t < frames; t++)
                for (var c = 0; c < expected.GetLength(1); c++) mean += Math.Abs(expected[t, c] - actual[t, c]);
            mean /= frames * expected.GetLength(1);
            Assert.True(mean < 0.02, $"mean difference {mean}");
        }
    }

    [Fact]
    public void Reading_a_range_reads_only_that_range_and_names_bad_files()
    {
        var path = Recording(16000, 1, 1.0);
        var all = WavAudio.Read(path).Samples;
        Assert.Equal(all[1000..1500], WavAudio.ReadRange(path, 1000, 500));
        Assert.Equal(all[15900..], WavAudio.ReadRange(path, 15900, 500)); // clipped at the end
        Assert.Equal((16000, 1, 16000L), WavAudio.Probe(path));
        File.WriteAllText(Path.Combine(directory, "text.wav"), "not audio");
        Assert.Contains("not a WAV file", Assert.Throws<DataFileException>(() => WavAudio.Probe(Path.Combine(directory, "text.wav"))).Message);
    }
}
