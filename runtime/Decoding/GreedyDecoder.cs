using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>
/// Best-path CTC decoding (as <c>tf.nn.ctc_greedy_decoder</c> with <c>merge_repeated=True</c>):
/// the most likely class per frame, repeats merged, blanks dropped. Frames past each length are ignored.
/// </summary>
public static class GreedyDecoder
{
    /// <summary>Decodes a batch of logits <c>[batch, time, classes]</c> with valid lengths <c>[batch]</c>.</summary>
    public static int[][] Decode(Tensor logits, Tensor lengths, int blankIndex)
    {
        if (logits.dim() != 3) throw new ArgumentException($"Logits must be [batch, time, classes]; got {logits.dim()} dimensions.", nameof(logits));
        using (no_grad())
        using (var best = logits.argmax(-1))
            return FromBestPaths(best, lengths, blankIndex);
    }

    /// <summary>Collapses per-frame best classes <c>[batch, time]</c>, each up to its length.</summary>
    public static int[][] FromBestPaths(Tensor bestClasses, Tensor lengths, int blankIndex)
    {
        var batch = (int)bestClasses.shape[0];
        var time = (int)bestClasses.shape[1];
        long[] best;
        long[] valid;
        using (var cpuBest = bestClasses.to_type(ScalarType.Int64).cpu())
        using (var cpuLengths = lengths.to_type(ScalarType.Int64).cpu())
        {
            best = cpuBest.data<long>().ToArray();
            valid = cpuLengths.data<long>().ToArray();
        }
        var result = new int[batch][];
        for (var b = 0; b < batch; b++)
        {
            var length = (int)Math.Min(valid[b], time);
            result[b] = Collapse(new ReadOnlySpan<long>(best, b * time, length), blankIndex);
        }
        return result;
    }

    /// <summary>Merges repeated classes of one best path, then drops blanks.</summary>
    public static int[] Collapse(ReadOnlySpan<long> path, int blankIndex)
    {
        var output = new List<int>(path.Length);
        long previous = -1;
        foreach (var c in path)
        {
            if (c != previous && c != blankIndex) output.Add((int)c);
            previous = c;
        }
        return output.ToArray();
    }
}
