using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Decoding;

namespace CtcDsl.Tests.Support;

/// <summary>
/// CTC by enumeration, the independent reference of the loss and beam-search tests: every frame-level
/// path (classes^frames of them) is collapsed (repeats merged, blanks dropped) and its probability
/// added to its labelling's, in double precision.
/// </summary>
internal static class CtcBruteForce
{
    /// <summary>log P(labelling) for every labelling with non-zero probability, keyed "1,2,3".</summary>
    public static Dictionary<string, double> LabellingLogProbabilities(double[,] logProbs, int frames, int blank)
    {
        var classes = logProbs.GetLength(1);
        var totals = new Dictionary<string, double>();
        var path = new long[frames];
        for (long p = 0; p < (long)Math.Pow(classes, frames); p++)
        {
            var rest = p;
            var logP = 0.0;
            for (var t = 0; t < frames; t++) { path[t] = rest % classes; rest /= classes; logP += logProbs[t, path[t]]; }
            var key = Key(GreedyDecoder.Collapse(path, blank));
            totals[key] = totals.GetValueOrDefault(key) + Math.Exp(logP);
        }
        return totals.ToDictionary(e => e.Key, e => Math.Log(e.Value));
    }

    /// <summary>Log-softmax of each row of <paramref name="logits"/> (first <paramref name="frames"/> rows).</summary>
    public static double[,] LogSoftmax(double[,] logits, int frames)
    {
        var classes = logits.GetLength(1);
        var result = new double[frames, classes];
        for (var t = 0; t < frames; t++)
        {
            var max = Enumerable.Range(0, classes).Max(c => logits[t, c]);
            var logSum = max + Math.Log(Enumerable.Range(0, classes).Sum(c => Math.Exp(logits[t, c] - max)));
            for (var c = 0; c < classes; c++) result[t, c] = logits[t, c] - logSum;
        }
        return result;
    }

    public static string Key(IEnumerable<int> labels) => string.Join(",", labels);
}
