using System;

namespace CtcDsl.Runtime.Audio;

/// <summary>Feature normalisation.</summary>
public static class FeatureNormalization
{
    /// <summary>
    /// <c>(x - mean(x)) / std(x)</c> with one scalar mean and one population standard deviation over
    /// the whole matrix, as the seed article normalises each utterance. Returns a new matrix.
    /// </summary>
    public static float[,] PerUtterance(float[,] features)
    {
        var count = features.Length;
        if (count == 0) return (float[,])features.Clone();
        double sum = 0, squares = 0;
        foreach (var x in features) sum += x;
        var mean = sum / count;
        foreach (var x in features) squares += (x - mean) * (x - mean);
        var std = Math.Sqrt(squares / count);
        if (std == 0) std = 1; // a constant matrix: centre it, do not divide by zero
        var result = new float[features.GetLength(0), features.GetLength(1)];
        for (var t = 0; t < features.GetLength(0); t++)
            for (var c = 0; c < features.GetLength(1); c++)
                result[t, c] = (float)((features[t, c] - mean) / std);
        return result;
    }
}
