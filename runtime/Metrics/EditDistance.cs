using System;

namespace CtcDsl.Runtime.Metrics;

/// <summary>Levenshtein distance (insertions, deletions and substitutions all cost 1).</summary>
public static class EditDistance
{
    /// <summary>The minimum number of edits turning <paramref name="hypothesis"/> into <paramref name="reference"/>.</summary>
    public static int Compute<T>(ReadOnlySpan<T> hypothesis, ReadOnlySpan<T> reference) where T : IEquatable<T>
    {
        if (hypothesis.Length == 0) return reference.Length;
        if (reference.Length == 0) return hypothesis.Length;
        // One row of the dynamic-programming table, over the reference.
        Span<int> row = reference.Length < 256 ? stackalloc int[reference.Length + 1] : new int[reference.Length + 1];
        for (var j = 0; j <= reference.Length; j++) row[j] = j;
        for (var i = 1; i <= hypothesis.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= reference.Length; j++)
            {
                var above = row[j];
                var substitution = diagonal + (hypothesis[i - 1].Equals(reference[j - 1]) ? 0 : 1);
                row[j] = Math.Min(substitution, Math.Min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[reference.Length];
    }

    /// <summary>
    /// Edit distance divided by the reference length, with the semantics of
    /// <c>tf.edit_distance(normalize=True)</c>: an empty reference gives 0 against an empty
    /// hypothesis and +∞ against a non-empty one.
    /// </summary>
    public static double Normalized<T>(ReadOnlySpan<T> hypothesis, ReadOnlySpan<T> reference) where T : IEquatable<T>
    {
        if (reference.Length == 0) return hypothesis.Length == 0 ? 0.0 : double.PositiveInfinity;
        return (double)Compute(hypothesis, reference) / reference.Length;
    }
}
