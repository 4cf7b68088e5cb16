using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Loss;
using CtcDsl.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

public class CtcLossTests
{
    /// <summary>Reference CTC negative log-likelihood: −log P(labels) summed over every alignment (<see cref="CtcBruteForce"/>).</summary>
    private static double BruteForceNll(double[,] logits, int length, int[] labels, int blank) =>
        -CtcBruteForce.LabellingLogProbabilities(CtcBruteForce.LogSoftmax(logits, length), length, blank)[CtcBruteForce.Key(labels)];

    public static IEnumerable<object[]> Cases() => new[]
    {
        // frames, classes, blank, labels
        new object[] { 4, 3, 2, new[] { 0, 1 } },          // blank last
        new object[] { 4, 3, 0, new[] { 1, 2 } },          // blank first
        new object[] { 5, 3, 2, new[] { 1, 1 } },          // repeated label: needs a blank between
        new object[] { 3, 3, 0, new[] { 2, 2 } },          // repeat that exactly fits (2, blank, 2)
        new object[] { 5, 4, 1, new[] { 0, 2, 3 } },       // blank in the middle of the ids
        new object[] { 3, 2, 1, new[] { 0 } },
        new object[] { 4, 3, 2, Array.Empty<int>() },     // empty label: all blanks
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_brute_force_over_all_alignments(int frames, int classes, int blank, int[] labels)
    {
        var random = new Random(frames * 31 + classes * 7 + blank);
        var logits = new double[frames, classes];
        for (var t = 0; t < frames; t++)
            for (var c = 0; c < classes; c++) logits[t, c] = random.NextDouble() * 4 - 2;

        var expected = BruteForceNll(logits, frames, labels, blank);

        using var scope = NewDisposeScope();
        var input = tensor(logits.Cast<double>().ToArray(), new long[] { 1, frames, classes }, ScalarType.Float64);
        var labelTensor = tensor(labels.Length == 0 ? new long[] { 0 } : labels.Select(l => (long)l).ToArray(), new long[] { 1, Math.Max(1, labels.Length) });
        var loss = new CtcLoss(blank).PerUtterance(input, tensor(new long[] { frames }), labelTensor, tensor(new long[] { labels.Length }));

        Assert.Equal(expected, loss[0].item<double>(), 10);
    }

    [Fact]
    public void Padding_is_never_read_and_reductions_follow_their_definitions()
    {
        // Two utterances of 3 and 5 frames; the shorter one's padding holds wild values.
        var random = new Random(7);
        double[,] Logits(int frames)
        {
            var l = new double[frames, 4];
            for (var t = 0; t < frames; t++) for (var c = 0; c < 4; c++) l[t, c] = random.NextDouble() * 2 - 1;
            return l;
        }
        var a = Logits(3);
        var b = Logits(5);
        int[] labelsA = { 1 }, labelsB = { 2, 2, 1 };
        var expectedA = BruteForceNll(a, 3, labelsA, 0);
        var expectedB = BruteForceNll(b, 5, labelsB, 0);

        var data = new double[2 * 5 * 4];
        for (var t = 0; t < 5; t++)
            for (var c = 0; c < 4; c++)
            {
                data[t * 4 + c] = t < 3 ? a[t, c] : 1e6 * (c + 1); // padding of utterance A
                data[20 + t * 4 + c] = b[t, c];
            }
        using var scope = NewDisposeScope();
        var logits = tensor(data, new long[] { 2, 5, 4 }, ScalarType.Float64);
        var lengths = tensor(new long[] { 3, 5 });
        var labels = tensor(new long[] { 1, 99, 99, 2, 2, 1 }, new long[] { 2, 3 }); // 99: label padding
        var labelLengths = tensor(new long[] { 1, 3 });

        var perUtterance = new CtcLoss(0).PerUtterance(logits, lengths, labels, labelLengths);
        Assert.Equal(expectedA, perUtterance[0].item<double>(), 10);
        Assert.Equal(expectedB, perUtterance[1].item<double>(), 10);

        double Reduce(CtcReduction reduction) => new CtcLoss(0, reduction).Forward(logits, lengths, labels, labelLengths).item<double>();
        Assert.Equal((expectedA + expectedB) / 2, Reduce(CtcReduction.Mean), 10);
        Assert.Equal(expectedA + expectedB, Reduce(CtcReduction.Sum), 10);
        Assert.Equal((expectedA / 1 + expectedB / 3) / 2, Reduce(CtcReduction.LengthNormalizedMean), 10);
    }

    [Fact]
    public void Impossible_alignment_is_infinite_unless_zero_infinity()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(1, 2, 3, ScalarType.Float64);
        var labels = tensor(new long[] { 1, 1 }, new long[] { 1, 2 }); // a repeat needs 3 frames
        var lengths = tensor(new long[] { 2 });
        var labelLengths = tensor(new long[] { 2 });
        Assert.True(double.IsPositiveInfinity(new CtcLoss(0).Forward(logits, lengths, labels, labelLengths).item<double>()));
        Assert.Equal(0.0, new CtcLoss(0, zeroInfinity: true).Forward(logits, lengths, labels, labelLengths).item<double>());
    }
}
