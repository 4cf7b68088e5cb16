using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Metrics;

/// <summary>How per-utterance errors become one rate.</summary>
public enum ErrorAggregation
{
    /// <summary>Mean over utterances of edits / reference length (the seed's <c>reduce_mean(tf.edit_distance(normalize=True))</c>).</summary>
    MeanPerUtterance,
    /// <summary>Total edits / total reference length over the batch (the usual corpus CER/WER).</summary>
    Corpus,
}

/// <summary>Error rates over a batch of decoded sequences.</summary>
public static class ErrorRate
{
    /// <summary>
    /// Label error rate as the seed computes it: the mean over utterances of the normalised edit
    /// distance (<c>reduce_mean(tf.edit_distance(normalize=True))</c>). See <see cref="EditDistance.Normalized{T}"/>
    /// for empty references.
    /// </summary>
    public static double MeanNormalized(IReadOnlyList<int[]> hypotheses, IReadOnlyList<int[]> references) =>
        Compute(hypotheses, references, ErrorAggregation.MeanPerUtterance);

    /// <summary>
    /// The error rate of <paramref name="hypotheses"/> against <paramref name="references"/> (token sequences)
    /// aggregated as <paramref name="aggregation"/> says. Corpus rate over empty references: 0 when there
    /// is no edit, +∞ otherwise.
    /// </summary>
    public static double Compute<T>(IReadOnlyList<T[]> hypotheses, IReadOnlyList<T[]> references, ErrorAggregation aggregation)
        where T : IEquatable<T>
    {
        if (hypotheses.Count != references.Count)
            throw new ArgumentException($"{hypotheses.Count} hypotheses for {references.Count} references.", nameof(hypotheses));
        if (references.Count == 0) return 0.0;
        if (aggregation == ErrorAggregation.MeanPerUtterance)
        {
            var sum = 0.0;
            for (var i = 0; i < references.Count; i++) sum += EditDistance.Normalized<T>(hypotheses[i], references[i]);
            return sum / references.Count;
        }
        long edits = 0, length = 0;
        for (var i = 0; i < references.Count; i++)
        {
            edits += EditDistance.Compute<T>(hypotheses[i], references[i]);
            length += references[i].Length;
        }
        return length == 0 ? (edits == 0 ? 0.0 : double.PositiveInfinity) : (double)edits / length;
    }

    /// <summary>
    /// Word error rate: texts split into words at <paramref name="separator"/> (runs of separators and
    /// leading or trailing ones make no empty words), then the edit distance over words.
    /// </summary>
    public static double Words(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, char separator, ErrorAggregation aggregation) =>
        Compute(hypotheses.Select(h => Split(h, separator)).ToArray(), references.Select(r => Split(r, separator)).ToArray(), aggregation);

    /// <summary>Character error rate of texts: the edit distance over their characters (a subword model's CER, whose class ids are pieces).</summary>
    public static double Characters(IReadOnlyList<string> hypotheses, IReadOnlyList<string> references, ErrorAggregation aggregation) =>
        Compute(hypotheses.Select(h => h.ToCharArray()).ToArray(), references.Select(r => r.ToCharArray()).ToArray(), aggregation);

    private static string[] Split(string text, char separator) => text.Split(new[] { separator }, StringSplitOptions.RemoveEmptyEntries);
}
