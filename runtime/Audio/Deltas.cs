using System;

namespace CtcDsl.Runtime.Audio;

/// <summary>Delta (difference) features, as python_speech_features' <c>delta(feat, N)</c>.</summary>
public static class Deltas
{
    /// <summary>
    /// d[t] = Σₙ n·(c[t+n] − c[t−n]) / (2·Σₙ n²) for n = 1..<paramref name="window"/>, with the first and
    /// last frames repeated past the edges.
    /// </summary>
    public static float[,] Compute(float[,] features, int window = 2)
    {
        if (window < 1) throw new ArgumentOutOfRangeException(nameof(window), window, "The delta window must be at least 1.");
        var (frames, width) = (features.GetLength(0), features.GetLength(1));
        var denominator = 0.0;
        for (var n = 1; n <= window; n++) denominator += 2.0 * n * n;
        var deltas = new float[frames, width];
        for (var t = 0; t < frames; t++)
            for (var c = 0; c < width; c++)
            {
                var sum = 0.0;
                for (var n = 1; n <= window; n++)
                    sum += n * (features[Math.Min(frames - 1, t + n), c] - features[Math.Max(0, t - n), c]);
                deltas[t, c] = (float)(sum / denominator);
            }
        return deltas;
    }

    /// <summary>The features followed by their first <paramref name="order"/> orders of deltas: width × (1 + order).</summary>
    public static float[,] Append(float[,] features, int order, int window = 2)
    {
        var (frames, width) = (features.GetLength(0), features.GetLength(1));
        var result = new float[frames, width * (1 + order)];
        var current = features;
        for (var o = 0; o <= order; o++)
        {
            if (o > 0) current = Compute(current, window);
            for (var t = 0; t < frames; t++)
                for (var c = 0; c < width; c++) result[t, o * width + c] = current[t, c];
        }
        return result;
    }
}
