using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// Per-dimension mean and standard deviation of features over a training set, for global
/// normalisation. Saved with the model (checkpoint extras <c>feature_mean</c> and <c>feature_std</c>)
/// so prediction normalises exactly as training did.
/// </summary>
public sealed record FeatureStatistics(float[] Mean, float[] StandardDeviation)
{
    /// <summary>Extras key of the means.</summary>
    public const string MeanKey = "feature_mean";

    /// <summary>Extras key of the standard deviations.</summary>
    public const string StandardDeviationKey = "feature_std";

    /// <summary>Statistics over every frame of <paramref name="utterances"/> (population standard deviation; 1 where a dimension is constant).</summary>
    public static FeatureStatistics Compute(IEnumerable<float[,]> utterances)
    {
        double[]? sum = null, squares = null;
        long frames = 0;
        foreach (var features in utterances)
        {
            var width = features.GetLength(1);
            sum ??= new double[width];
            squares ??= new double[width];
            if (width != sum.Length) throw new ArgumentException($"Utterances have {sum.Length} and {width} features per frame.", nameof(utterances));
            for (var t = 0; t < features.GetLength(0); t++)
                for (var c = 0; c < width; c++)
                {
                    sum[c] += features[t, c];
                    squares[c] += (double)features[t, c] * features[t, c];
                }
            frames += features.GetLength(0);
        }
        if (sum is null || frames == 0) throw new ArgumentException("No frames to compute statistics over.", nameof(utterances));
        var mean = new float[sum.Length];
        var std = new float[sum.Length];
        for (var c = 0; c < sum.Length; c++)
        {
            var m = sum[c] / frames;
            var variance = Math.Max(0, squares![c] / frames - m * m);
            mean[c] = (float)m;
            std[c] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new FeatureStatistics(mean, std);
    }

    /// <summary>(x − mean) / std per dimension; returns a new matrix.</summary>
    public float[,] Normalize(float[,] features)
    {
        if (features.GetLength(1) != Mean.Length)
            throw new ArgumentException($"Features have {features.GetLength(1)} values per frame; the statistics have {Mean.Length}.", nameof(features));
        var result = new float[features.GetLength(0), features.GetLength(1)];
        for (var t = 0; t < features.GetLength(0); t++)
            for (var c = 0; c < Mean.Length; c++) result[t, c] = (features[t, c] - Mean[c]) / StandardDeviation[c];
        return result;
    }

    /// <summary>The statistics as checkpoint extras.</summary>
    public IReadOnlyDictionary<string, float[]> ToExtras() => new Dictionary<string, float[]> { [MeanKey] = Mean, [StandardDeviationKey] = StandardDeviation };

    /// <summary>The statistics from checkpoint extras.</summary>
    /// <exception cref="KeyNotFoundException">The extras hold no statistics.</exception>
    public static FeatureStatistics FromExtras(IReadOnlyDictionary<string, float[]> extras) =>
        extras.TryGetValue(MeanKey, out var mean) && extras.TryGetValue(StandardDeviationKey, out var std)
            ? new FeatureStatistics(mean, std)
            : throw new KeyNotFoundException($"The checkpoint holds no feature statistics ({MeanKey}, {StandardDeviationKey}).");
}
