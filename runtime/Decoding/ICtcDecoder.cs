using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Decoding;

/// <summary>One decoded label sequence and its score.</summary>
/// <param name="Labels">Class ids, blanks removed and repeats merged.</param>
/// <param name="LogProbability">Natural-log acoustic score: for beam search the total probability of the labelling over the paths kept; for greedy the best path's.</param>
public sealed record Hypothesis(int[] Labels, double LogProbability)
{
    /// <summary>What a language model, lexicon and hotwords added (α·ln P_LM + β·words + boosts); 0 without them.</summary>
    public double LanguageModelScore { get; init; }

    /// <summary>The score hypotheses are ranked by: acoustic plus language model.</summary>
    public double Score => LogProbability + LanguageModelScore;
}

/// <summary>
/// Turns one utterance's log-probabilities into label sequences. Generated models take one (spec
/// default, overridable in code); a batch of TorchSharp logits is decoded with the runtime's
/// <c>CtcDecoding.Decode(decoder, logits, lengths)</c> extension, ONNX Runtime's output with the
/// same search over host arrays — the decoders need no TorchSharp.
/// </summary>
public interface ICtcDecoder
{
    /// <summary>The n best hypotheses, best first, for <paramref name="logProbs"/>: <c>[frames, classes]</c> natural-log probabilities, row-major.</summary>
    IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes);
}
