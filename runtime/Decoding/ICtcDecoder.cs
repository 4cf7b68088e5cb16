using System.Collections.Generic;
using static TorchSharp.torch;

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

/// <summary>Turns logits into label sequences. Generated models take one (spec default, overridable in code).</summary>
public interface ICtcDecoder
{
    /// <summary>The n best hypotheses per batch item, best first, for logits <c>[batch, time, classes]</c> and valid lengths <c>[batch]</c>.</summary>
    IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths);
}
