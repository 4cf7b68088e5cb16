using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>A search over one utterance's log-probabilities <c>[frames, classes]</c>, row-major, on the host.</summary>
public delegate IReadOnlyList<Hypothesis> UtteranceSearch(ReadOnlySpan<float> logProbs, int frames, int classes);

/// <summary>
/// What host-side decoders share: a batch of logits made log-probabilities and copied to the host once,
/// then each utterance searched on its own core (utterances are independent).
/// </summary>
public static class HostSearch
{
    /// <summary>Runs <paramref name="search"/> over every utterance of <paramref name="logits"/> <c>[batch, time, classes]</c> with valid <paramref name="lengths"/>.</summary>
    public static IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths, UtteranceSearch search)
    {
        float[] logProbs;
        long[] valid;
        using (no_grad())
        using (var normalized = nn.functional.log_softmax(logits, -1).to_type(ScalarType.Float32).cpu())
        using (var cpuLengths = lengths.to_type(ScalarType.Int64).cpu())
        {
            logProbs = normalized.data<float>().ToArray();
            valid = cpuLengths.data<long>().ToArray();
        }
        var batch = (int)logits.shape[0];
        var time = (int)logits.shape[1];
        var classes = (int)logits.shape[2];
        return ParallelSearch.Run(batch, b =>
            search(new ReadOnlySpan<float>(logProbs, b * time * classes, time * classes), (int)Math.Min(valid[b], time), classes));
    }
}
