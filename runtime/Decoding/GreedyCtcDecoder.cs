using System.Collections.Generic;
using CtcDsl.Runtime.Nn;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>Best-path decoding as an <see cref="ICtcDecoder"/>: one hypothesis per item, scored by its best path's log-probability.</summary>
public sealed class GreedyCtcDecoder(int blankIndex) : ICtcDecoder
{
    /// <summary>Class id of the blank.</summary>
    public int BlankIndex { get; } = blankIndex;

    /// <inheritdoc/>
    public IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths)
    {
        double[] scores;
        int[][] paths;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            // One max gives both the best path and its log-probability.
            var (best, classes) = nn.functional.log_softmax(logits, -1).max(-1);
            var valid = Sequences.ValidMask(lengths.to(logits.device), logits.shape[1]).to_type(best.dtype);
            scores = (best * valid).sum(-1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            paths = GreedyDecoder.FromBestPaths(classes, lengths, BlankIndex);
        }
        var result = new IReadOnlyList<Hypothesis>[paths.Length];
        for (var b = 0; b < paths.Length; b++) result[b] = new[] { new Hypothesis(paths[b], scores[b]) };
        return result;
    }
}
