using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

public class BeamSearchTests
{
    private static Dictionary<string, double> AllLabellings(float[,] logProbs, int blank)
    {
        var (frames, classes) = (logProbs.GetLength(0), logProbs.GetLength(1));
        var asDouble = new double[frames, classes];
        for (var t = 0; t < frames; t++) for (var c = 0; c < classes; c++) asDouble[t, c] = logProbs[t, c];
        return CtcBruteForce.LabellingLogProbabilities(asDouble, frames, blank);
    }

    private static float[,] RandomLogProbs(int frames, int classes, int seed)
    {
        var random = new Random(seed);
        var result = new float[frames, classes];
        for (var t = 0; t < frames; t++)
        {
            var scores = Enumerable.Range(0, classes).Select(_ => random.NextDouble() * 4).ToArray();
            var logSum = Math.Log(scores.Sum(Math.Exp));
            for (var c = 0; c < classes; c++) result[t, c] = (float)(scores[c] - logSum);
        }
        return result;
    }

    [Theory]
    [InlineData(4, 3, 0, 1)]
    [InlineData(5, 3, 2, 2)]
    [InlineData(5, 4, 1, 3)]
    [InlineData(6, 3, 0, 4)]
    public void A_beam_holding_every_prefix_returns_the_exact_n_best(int frames, int classes, int blank, int seed)
    {
        var logProbs = RandomLogProbs(frames, classes, seed);
        var exact = AllLabellings(logProbs, blank).OrderByDescending(e => e.Value).Take(3).ToArray();

        var search = new PrefixBeamSearch(blank, beamWidth: 1000, nBest: 3);
        var found = search.Search(logProbs.Cast<float>().ToArray(), frames, classes);

        Assert.Equal(exact.Select(e => e.Key), found.Select(h => string.Join(",", h.Labels)));
        for (var i = 0; i < 3; i++) Assert.Equal(exact[i].Value, found[i].LogProbability, 4);
    }

    [Fact]
    public void Beam_search_finds_the_labelling_that_greedy_misses()
    {
        // Two frames, blank = 0. Best path is blank-blank (p = 0.36) but "1" totals 0.64 over three paths.
        var p = new float[,] { { 0.6f, 0.4f }, { 0.6f, 0.4f } };
        var logProbs = new float[2, 2];
        for (var t = 0; t < 2; t++) for (var c = 0; c < 2; c++) logProbs[t, c] = MathF.Log(p[t, c]);
        using var logits = tensor(logProbs.Cast<float>().ToArray(), new long[] { 1, 2, 2 });
        using var lengths = tensor(new long[] { 2 });

        Assert.Empty(new GreedyCtcDecoder(0).Decode(logits, lengths)[0][0].Labels);
        var best = new PrefixBeamSearch(0, beamWidth: 4).Decode(logits, lengths)[0][0];
        Assert.Equal(new[] { 1 }, best.Labels);
        Assert.Equal(Math.Log(0.64), best.LogProbability, 5);
    }

    [Fact]
    public void Pruning_and_lengths_are_respected_and_bad_settings_rejected()
    {
        var logProbs = RandomLogProbs(6, 4, 9);
        using var logits = tensor(logProbs.Cast<float>().ToArray(), new long[] { 1, 6, 4 });
        var shortened = new PrefixBeamSearch(3, beamWidth: 1000, nBest: 1).Decode(logits, tensor(new long[] { 3 }))[0][0];
        var exact = AllLabellings(Enumerable.Range(0, 3).Aggregate(new float[3, 4], (m, t) => { for (var c = 0; c < 4; c++) m[t, c] = logProbs[t, c]; return m; }), 3)
            .OrderByDescending(e => e.Value).First();
        Assert.Equal(exact.Key, string.Join(",", shortened.Labels));

        var pruned = new PrefixBeamSearch(3, beamWidth: 8, pruneThreshold: 0.5).Decode(logits, tensor(new long[] { 6 }))[0];
        Assert.NotEmpty(pruned);

        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixBeamSearch(0, beamWidth: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixBeamSearch(0, beamWidth: 2, nBest: 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixBeamSearch(0, pruneThreshold: 1));
    }

    /// <summary>
    /// The fast search against the first, plain one on random inputs: truncated beams of every width,
    /// pruning on and off, peaked and flat frames (so prefixes merge and scores tie), any blank.
    /// Labels and log-probabilities must be identical, not close.
    /// </summary>
    [Fact]
    public void The_fast_search_agrees_exactly_with_the_plain_reference()
    {
        var random = new Random(2024);
        for (var round = 0; round < 400; round++)
        {
            var frames = random.Next(1, 40);
            var classes = random.Next(2, 7);
            var blank = random.Next(classes);
            var width = random.Next(1, 9);
            var nBest = random.Next(1, width + 1);
            var prune = random.Next(3) == 0 ? 0.05 : 0;
            var logProbs = new float[frames * classes];
            for (var t = 0; t < frames; t++)
            {
                // Some frames flat (ties), some peaked, some dominated by the blank.
                var kind = random.Next(3);
                var scores = Enumerable.Range(0, classes).Select(c => kind == 0 ? 0.0 : kind == 1 ? random.NextDouble() * 6 : (c == blank ? 8.0 : random.NextDouble())).ToArray();
                var logSum = Math.Log(scores.Sum(Math.Exp));
                for (var c = 0; c < classes; c++) logProbs[t * classes + c] = (float)(scores[c] - logSum);
            }
            var fast = new PrefixBeamSearch(blank, width, prune, nBest).Search(logProbs, frames, classes);
            var plain = new ReferencePrefixBeamSearch(blank, width, prune, nBest).Search(logProbs, frames, classes);
            Assert.Equal(plain.Count, fast.Count);
            for (var h = 0; h < plain.Count; h++)
            {
                Assert.Equal(plain[h].Labels, fast[h].Labels);
                Assert.Equal(plain[h].LogProbability, fast[h].LogProbability);
            }
        }
    }
}
