using System.Collections.Generic;
using CtcDsl.Runtime.Nn;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>
/// Decoding of TorchSharp batches with any <see cref="ICtcDecoder"/>: the decoders themselves work on
/// host log-probabilities (in CtcDsl.Core, without TorchSharp), this is where a batch of logits
/// becomes those arrays.
/// </summary>
public static class CtcDecoding
{
    /// <summary>The n best hypotheses per batch item, best first, for logits <c>[batch, time, classes]</c> and valid lengths <c>[batch]</c>.</summary>
    public static IReadOnlyList<Hypothesis>[] Decode(this ICtcDecoder decoder, Tensor logits, Tensor lengths) =>
        decoder is GreedyCtcDecoder greedy ? Greedy(greedy.BlankIndex, logits, lengths) : HostSearch.Decode(logits, lengths, decoder.Search);

    /// <summary>Greedy decoding on the logits' own device: one max gives the best path and its log-probability, only those are copied.</summary>
    private static IReadOnlyList<Hypothesis>[] Greedy(int blankIndex, Tensor logits, Tensor lengths)
    {
        double[] scores;
        int[][] paths;
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var (best, classes) = nn.functional.log_softmax(logits, -1).max(-1);
            var valid = Sequences.ValidMask(lengths.to(logits.device), logits.shape[1]).to_type(best.dtype);
            scores = (best * valid).sum(-1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            paths = GreedyDecoder.FromBestPaths(classes, lengths, blankIndex);
        }
        var result = new IReadOnlyList<Hypothesis>[paths.Length];
        for (var b = 0; b < paths.Length; b++) result[b] = new[] { new Hypothesis(paths[b], scores[b]) };
        return result;
    }
}
