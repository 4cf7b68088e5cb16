using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// Groups utterances of similar length into batches, so padding stays small: indices are sorted by
/// length (ties broken by a seeded shuffle), cut into batches of at most <c>maxBatchSize</c> items and
/// at most <c>maxFrames</c> padded frames (items × longest item), and the batch order is shuffled per
/// epoch. Deterministic in (seed, epoch).
/// </summary>
public static class BucketBatcher
{
    /// <summary>Batches of indices into <paramref name="lengths"/> for <paramref name="epoch"/>.</summary>
    /// <exception cref="ArgumentException">One item alone exceeds <paramref name="maxFrames"/>; the message names it.</exception>
    public static IReadOnlyList<int[]> Batches(IReadOnlyList<int> lengths, int maxBatchSize, int? maxFrames, int seed, int epoch, bool shuffle = true)
    {
        if (maxBatchSize < 1) throw new ArgumentOutOfRangeException(nameof(maxBatchSize), maxBatchSize, "At least one item per batch.");
        var random = EpochRandom.For(seed, epoch);
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        if (shuffle) random.Shuffle(order);
        order = order.OrderBy(i => lengths[i]).ToArray(); // stable: the shuffle breaks ties

        var batches = new List<int[]>();
        var current = new List<int>();
        var longest = 0;
        foreach (var index in order)
        {
            var length = lengths[index];
            if (maxFrames is { } cap && length > cap)
                throw new ArgumentException($"Item {index} has {length} frames, more than the {cap} frames allowed per batch.", nameof(lengths));
            var wouldBe = Math.Max(longest, length) * (current.Count + 1);
            if (current.Count > 0 && (current.Count == maxBatchSize || (maxFrames is { } limit && wouldBe > limit)))
            {
                batches.Add(current.ToArray());
                current.Clear();
                longest = 0;
            }
            current.Add(index);
            longest = Math.Max(longest, length);
        }
        if (current.Count > 0) batches.Add(current.ToArray());
        var result = batches.ToArray();
        if (shuffle) random.Shuffle(result);
        return result;
    }
}
