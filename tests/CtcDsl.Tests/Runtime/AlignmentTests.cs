using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>Forced alignment against enumeration of every frame-level path.</summary>
public class AlignmentTests
{
    private static float[] RandomLogProbs(int frames, int classes, Random random)
    {
        var result = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var scores = Enumerable.Range(0, classes).Select(_ => random.NextDouble() * 4).ToArray();
            var logSum = Math.Log(scores.Sum(Math.Exp));
            for (var c = 0; c < classes; c++) result[t * classes + c] = (float)(scores[c] - logSum);
        }
        return result;
    }

    /// <summary>The best path that collapses to <paramref name="labels"/>, by trying all classes^frames paths.</summary>
    private static double BestPathByEnumeration(float[] logProbs, int frames, int classes, int[] labels, int blank)
    {
        var best = double.NegativeInfinity;
        var path = new long[frames];
        for (long p = 0; p < (long)Math.Pow(classes, frames); p++)
        {
            var rest = p;
            double score = 0;
            for (var t = 0; t < frames; t++) { path[t] = rest % classes; rest /= classes; score += logProbs[t * classes + path[t]]; }
            if (score > best && GreedyDecoder.Collapse(path, blank).SequenceEqual(labels)) best = score;
        }
        return best;
    }

    [Fact]
    public void The_alignment_is_the_best_path_that_collapses_to_the_labels()
    {
        var random = new Random(11);
        for (var round = 0; round < 60; round++)
        {
            var frames = random.Next(1, 8);
            var classes = random.Next(2, 5);
            var blank = random.Next(classes);
            var labelIds = Enumerable.Range(0, classes).Where(c => c != blank).ToArray();
            var labels = Enumerable.Range(0, random.Next(0, 4)).Select(_ => labelIds[random.Next(labelIds.Length)]).ToArray();
            var needed = labels.Length + labels.Zip(labels.Skip(1)).Count(p => p.First == p.Second);
            if (needed > frames) continue;
            var logProbs = RandomLogProbs(frames, classes, random);

            var alignment = CtcAlignment.Align(logProbs, frames, classes, labels, blank);

            var expected = BestPathByEnumeration(logProbs, frames, classes, labels, blank);
            Assert.Equal(expected, alignment.LogProbability, 9);
            Assert.Equal(labels, GreedyDecoder.Collapse(alignment.Path.Select(c => (long)c).ToArray(), blank));
            Assert.Equal(alignment.LogProbability, Enumerable.Range(0, frames).Sum(t => (double)logProbs[t * classes + alignment.Path[t]]), 9);
            // One span per label, in order, on frames of that label, never overlapping.
            Assert.Equal(labels, alignment.Labels.Select(l => l.Label));
            Assert.Equal(Enumerable.Range(0, labels.Length), alignment.Labels.Select(l => l.Index));
            for (var i = 0; i < alignment.Labels.Count; i++)
            {
                var span = alignment.Labels[i];
                Assert.True(span.StartFrame < span.EndFrame);
                Assert.All(Enumerable.Range(span.StartFrame, span.EndFrame - span.StartFrame), t => Assert.Equal(span.Label, alignment.Path[t]));
                if (i > 0) Assert.True(alignment.Labels[i - 1].EndFrame <= span.StartFrame);
            }
        }
    }

    [Fact]
    public void Peaked_frames_give_the_spans_they_were_made_with()
    {
        // 10 frames: blank, a a, blank, b, blank blank, a, blank blank (classes: blank 0, a 1, b 2).
        var truth = new[] { 0, 1, 1, 0, 2, 0, 0, 1, 0, 0 };
        using var logits = zeros(1, truth.Length, 3);
        for (var t = 0; t < truth.Length; t++) logits[0, t, truth[t]] = tensor(8f);
        var alignment = CtcAlignment.Align(logits, tensor(new long[] { truth.Length }), new[] { new[] { 1, 2, 1 } }, blank: 0)[0];
        Assert.Equal(truth, alignment.Path);
        Assert.Equal(new[] { (1, 1, 3), (2, 4, 5), (1, 7, 8) }, alignment.Labels.Select(l => (l.Label, l.StartFrame, l.EndFrame)));
    }

    [Fact]
    public void Labels_that_cannot_be_aligned_are_refused_with_the_reason()
    {
        var logProbs = RandomLogProbs(3, 3, new Random(1));
        Assert.Contains("need at least 4 frames", Assert.Throws<ArgumentException>(() => CtcAlignment.Align(logProbs, 3, 3, new[] { 1, 1, 2 }, 0)).Message);
        Assert.Contains("is the blank", Assert.Throws<ArgumentException>(() => CtcAlignment.Align(logProbs, 3, 3, new[] { 0 }, 0)).Message);
        Assert.Contains("not a class", Assert.Throws<ArgumentException>(() => CtcAlignment.Align(logProbs, 3, 3, new[] { 5 }, 0)).Message);
    }
}
