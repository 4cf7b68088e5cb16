using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Metrics;

/// <summary>Error rates over a batch of decoded sequences.</summary>
public static class ErrorRate
{
    /// <summary>
    /// Label error rate as the seed computes it: the mean over utterances of the normalised edit
    /// distance (<c>reduce_mean(tf.edit_distance(normalize=True))</c>). See <see cref="EditDistance.Normalized{T}"/>
    /// for empty references.
    /// </summary>
    public static double MeanNormalized(IReadOnlyList<int[]> hypotheses, IReadOnlyList<int[]> references)
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references.", nameof(hypotheses));
        if (references.Count == 0) return 0.0;
        var sum = 0.0;
        for (var i = 0; i < references.Count; i++) sum += EditDistance.Normalized<int>(hypotheses[i], references[i]);
        return sum / references.Count;
    }
}
