using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Data;

/// <summary>Checks that a label sequence can be aligned to a number of output frames at all.</summary>
public static class CtcFeasibility
{
    /// <summary>
    /// Frames CTC needs to emit <paramref name="labels"/>: one per label plus one blank between each
    /// pair of equal neighbours (a repeat can only be emitted across a blank).
    /// </summary>
    public static int RequiredFrames(IReadOnlyList<int> labels)
    {
        var frames = labels.Count;
        for (var i = 1; i < labels.Count; i++)
            if (labels[i] == labels[i - 1]) frames++;
        return frames;
    }

    /// <summary>
    /// Throws when <paramref name="labels"/> cannot fit in <paramref name="frames"/> output frames;
    /// <paramref name="item"/> names the example in the message.
    /// </summary>
    /// <exception cref="ArgumentException">The labels are too long; the message gives the arithmetic.</exception>
    public static void Ensure(int frames, IReadOnlyList<int> labels, string item)
    {
        var required = RequiredFrames(labels);
        if (required > frames)
            throw new ArgumentException(
                $"{item}: {labels.Count} labels need at least {required} output frames for CTC, but the input gives {frames}. " +
                "Shorten the label, lengthen the input, or reduce subsampling.");
    }

    /// <summary>
    /// Every item whose labels cannot fit its output frames, described with the arithmetic, so a data
    /// set can be checked before training instead of failing later with an infinite loss.
    /// </summary>
    public static IReadOnlyList<string> FindInfeasible(IEnumerable<(string Item, int Frames, IReadOnlyList<int> Labels)> items)
    {
        var problems = new List<string>();
        foreach (var (item, frames, labels) in items)
        {
            var required = RequiredFrames(labels);
            if (required > frames) problems.Add($"{item}: {labels.Count} labels need {required} output frames, the input gives {frames}");
        }
        return problems;
    }
}
