using System;
using System.Linq;
using CsCheck;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Metrics;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

public class GreedyDecoderTests
{
    [Theory]
    [InlineData(new long[] { 1, 1, 3, 2, 2, 3, 2 }, 3, new[] { 1, 2, 2 })]   // repeats merge, a blank splits them
    [InlineData(new long[] { 0, 0, 0 }, 0, new int[0])]                      // all blank
    [InlineData(new long[] { 0, 1, 0, 1, 1, 2 }, 0, new[] { 1, 1, 2 })]      // blank first
    [InlineData(new long[] { 2, 2, 2 }, 5, new[] { 2 })]
    public void Collapse_merges_repeats_then_drops_blanks(long[] path, int blank, int[] expected) =>
        Assert.Equal(expected, GreedyDecoder.Collapse(path, blank));

    [Fact]
    public void Decode_takes_the_argmax_per_frame_and_stops_at_each_length()
    {
        // batch 2, time 4, classes 3 (blank = 2); the second sequence is 2 frames long.
        var scores = new float[2, 4, 3];
        int[][] best = { new[] { 0, 2, 0, 1 }, new[] { 1, 1, 0, 0 } };
        for (var b = 0; b < 2; b++)
            for (var t = 0; t < 4; t++) scores[b, t, best[b][t]] = 5;
        using var logits = tensor(scores.Cast<float>().ToArray(), new long[] { 2, 4, 3 });
        using var lengths = tensor(new long[] { 4, 2 });

        var decoded = GreedyDecoder.Decode(logits, lengths, blankIndex: 2);

        Assert.Equal(new[] { 0, 0, 1 }, decoded[0]);
        Assert.Equal(new[] { 1 }, decoded[1]); // frames 3-4 (class 0) are padding
    }
}

public class EditDistanceTests
{
    [Theory]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("same", "same", 0)]
    public void Known_distances(string a, string b, int expected) =>
        Assert.Equal(expected, EditDistance.Compute<char>(a, b));

    [Fact]
    public void Normalized_matches_tf_edit_distance_including_empty_references()
    {
        Assert.Equal(3.0 / 7, EditDistance.Normalized<char>("kitten", "sitting"), 12);
        Assert.Equal(0.0, EditDistance.Normalized<char>("", ""));                       // both empty
        Assert.Equal(double.PositiveInfinity, EditDistance.Normalized<char>("a", ""));  // empty truth
        Assert.Equal(1.0, EditDistance.Normalized<char>("", "abc"));                    // empty hypothesis
        Assert.Equal(2.0, EditDistance.Normalized<char>("abcdef", "xyz"));              // can exceed 1
    }

    [Fact]
    public void Label_error_rate_is_the_mean_of_per_utterance_rates()
    {
        var hypotheses = new[] { new[] { 1, 2, 3 }, new[] { 4 } };
        var references = new[] { new[] { 1, 2, 3, 4 }, new[] { 5, 6 } };
        Assert.Equal((1.0 / 4 + 2.0 / 2) / 2, ErrorRate.MeanNormalized(hypotheses, references), 12);
    }

    private static readonly Gen<int[]> Sequences = Gen.Int[0, 4].Array[0, 12];

    [Fact]
    public void Identity_holds() =>
        Sequences.Sample(s => EditDistance.Compute<int>(s, s) == 0);

    [Fact]
    public void Symmetry_holds() =>
        Gen.Select(Sequences, Sequences).Sample((a, b) => EditDistance.Compute<int>(a, b) == EditDistance.Compute<int>(b, a));

    [Fact]
    public void Triangle_inequality_holds() =>
        Gen.Select(Sequences, Sequences, Sequences).Sample((a, b, c) =>
            EditDistance.Compute<int>(a, c) <= EditDistance.Compute<int>(a, b) + EditDistance.Compute<int>(b, c));

    [Fact]
    public void Bounds_hold() =>
        Gen.Select(Sequences, Sequences).Sample((a, b) =>
        {
            var d = EditDistance.Compute<int>(a, b);
            return d >= Math.Abs(a.Length - b.Length) && d <= Math.Max(a.Length, b.Length) && (d == 0) == a.SequenceEqual(b);
        });
}
