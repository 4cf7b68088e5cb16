using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// Parity with python_speech_features 0.6.1 (reference CSVs in ../shared/data/ldc93s1).
/// Tolerance: 1e-3 absolute on every coefficient. The reference is float64 end to end; NWaves
/// computes in float32 (relative precision ~6e-8) on int16-scale samples, and the lifter multiplies
/// coefficient n by 1 + 11·sin(πn/22), up to 12×, so float32 rounding shows most in the high
/// coefficients: the largest difference measured here is 1.5e-4 (full utterance, frame 59, c10).
/// 1e-3 leaves room for another CPU's float32 FFT while any real mismatch (a filter edge, the energy
/// scale, the lifter) moves values by 0.05 to 0.7. A failure message reports the worst difference.
/// </summary>
public class MfccTests
{
    private const double Tolerance = 1e-3;

    [SkippableTheory]
    [InlineData("mfcc_full.csv", 0, 46797)]
    [InlineData("mfcc_short.csv", 12800, 32000)]
    public void Mfcc_matches_python_speech_features(string reference, int start, int end)
    {
        var directory = SharedData.Ldc93s1();
        var audio = WavAudio.Read(Path.Combine(directory, "LDC93S1.wav"));
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(46797, audio.Samples.Length);

        var actual = new Mfcc().Compute(audio.Slice(start, end));
        var expected = ReadCsv(Path.Combine(directory, reference));

        AssertClose(expected, actual);
    }

    [Fact]
    public void Per_utterance_normalisation_uses_one_scalar_mean_and_population_std()
    {
        var normalized = FeatureNormalization.PerUtterance(new float[,] { { 1, 2 }, { 3, 6 } });
        // mean 3, population std sqrt((4+1+0+9)/4) = sqrt(3.5)
        Assert.Equal((1 - 3) / Math.Sqrt(3.5), normalized[0, 0], 6);
        Assert.Equal((6 - 3) / Math.Sqrt(3.5), normalized[1, 1], 6);
    }

    internal static double[,] ReadCsv(string path)
    {
        var rows = File.ReadAllLines(path).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var matrix = new double[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows[i].Length; j++) matrix[i, j] = rows[i][j];
        return matrix;
    }

    internal static void AssertClose(double[,] expected, float[,] actual)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        var worst = 0.0;
        (int, int) at = default;
        for (var i = 0; i < expected.GetLength(0); i++)
            for (var j = 0; j < expected.GetLength(1); j++)
            {
                var error = Math.Abs(expected[i, j] - actual[i, j]);
                if (error > worst) { worst = error; at = (i, j); }
            }
        Assert.True(worst <= Tolerance, $"largest difference {worst:G3} at frame {at.Item1}, coefficient {at.Item2} (expected {expected[at.Item1, at.Item2]}, got {actual[at.Item1, at.Item2]})");
    }
}
