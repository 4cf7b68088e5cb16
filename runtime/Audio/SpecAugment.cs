using System;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// SpecAugment's masking (Park et al., 2019), a training-only augmentation: <paramref name="FrequencyMasks"/>
/// bands of up to <paramref name="MaxFrequencyWidth"/> feature channels and <paramref name="TimeMasks"/>
/// spans of up to <paramref name="MaxTimeWidth"/> frames (never more than <paramref name="MaxTimeFraction"/>
/// of the utterance) are set to the utterance's mean.
/// </summary>
public sealed record SpecAugment(int FrequencyMasks = SpecFacts.SpecAugmentFacts.FrequencyMasks, int MaxFrequencyWidth = SpecFacts.SpecAugmentFacts.MaxFrequencyWidth,
    int TimeMasks = SpecFacts.SpecAugmentFacts.TimeMasks, int MaxTimeWidth = SpecFacts.SpecAugmentFacts.MaxTimeWidth, double MaxTimeFraction = SpecFacts.SpecAugmentFacts.MaxTimeFraction)
{
    /// <summary>
    /// The masks' random source for one example in one epoch: a fixed hash of the example's name and
    /// the epoch, so masks differ between epochs, never depend on thread timing, and repeat exactly
    /// after a resume.
    /// </summary>
    public static Random RandomFor(string example, int epoch)
    {
        var hash = 2166136261u; // FNV-1a
        foreach (var c in example) hash = (hash ^ c) * 16777619u;
        return new Random(unchecked((int)(hash ^ (uint)epoch * 2654435761u)));
    }

    /// <summary>A masked copy of <paramref name="features"/> <c>[time, channels]</c>, drawing from <paramref name="random"/>.</summary>
    public float[,] Apply(float[,] features, Random random)
    {
        var (frames, channels) = (features.GetLength(0), features.GetLength(1));
        var result = (float[,])features.Clone();
        if (frames == 0) return result;
        var mean = 0.0;
        foreach (var v in features) mean += v;
        var fill = (float)(mean / features.Length);

        for (var m = 0; m < FrequencyMasks; m++)
        {
            var width = random.Next(0, Math.Min(MaxFrequencyWidth, channels) + 1);
            var start = random.Next(0, channels - width + 1);
            for (var t = 0; t < frames; t++)
                for (var c = start; c < start + width; c++) result[t, c] = fill;
        }
        var maxTime = Math.Min(MaxTimeWidth, (int)(MaxTimeFraction * frames));
        for (var m = 0; m < TimeMasks; m++)
        {
            var width = random.Next(0, maxTime + 1);
            var start = random.Next(0, frames - width + 1);
            for (var t = start; t < start + width; t++)
                for (var c = 0; c < channels; c++) result[t, c] = fill;
        }
        return result;
    }
}
