using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Decoding;

/// <summary>Best-path decoding as an <see cref="ICtcDecoder"/>: one hypothesis per item, scored by its best path's log-probability.</summary>
/// <remarks>The runtime decodes TorchSharp batches of it on their device (one max for the whole batch); this search is the same on host arrays.</remarks>
public sealed class GreedyCtcDecoder(int blankIndex) : ICtcDecoder
{
    /// <summary>Class id of the blank.</summary>
    public int BlankIndex { get; } = blankIndex;

    /// <inheritdoc/>
    public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        var labels = new List<int>(frames);
        double score = 0;
        var previous = -1;
        for (var t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            // The first maximum, as torch's max: ties go to the lower class id.
            var best = 0;
            for (var c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            score += row[best];
            if (best != previous && best != BlankIndex) labels.Add(best);
            previous = best;
        }
        return new[] { new Hypothesis(labels.ToArray(), score) };
    }
}
