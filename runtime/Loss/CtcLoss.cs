using System;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Loss;

/// <summary>
/// The CTC loss of a model's logits against its labels: log-softmax over classes, then
/// <c>torch.nn.functional.ctc_loss</c> per utterance, then the declared <see cref="CtcReduction"/>.
/// Padding is never read: only the first <c>logitLengths[b]</c> frames and <c>labelLengths[b]</c> labels count.
/// </summary>
public sealed class CtcLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="blankIndex">Class id of the blank.</param>
    /// <param name="reduction">How per-utterance losses are combined.</param>
    /// <param name="zeroInfinity">Replace infinite losses (labels that cannot fit the frames) and their gradients by zero.</param>
    public CtcLoss(int blankIndex, CtcReduction reduction = CtcReduction.Mean, bool zeroInfinity = false)
    {
        if (blankIndex < 0) throw new ArgumentOutOfRangeException(nameof(blankIndex), blankIndex, "The blank index must not be negative.");
        BlankIndex = blankIndex;
        Reduction = reduction;
        ZeroInfinity = zeroInfinity;
    }

    /// <summary>Class id of the blank.</summary>
    public int BlankIndex { get; }

    /// <summary>How per-utterance losses are combined.</summary>
    public CtcReduction Reduction { get; }

    /// <summary>Whether infinite losses are zeroed.</summary>
    public bool ZeroInfinity { get; }

    /// <summary>Per-utterance negative log-likelihoods, shape <c>[batch]</c>.</summary>
    /// <param name="logits">Unnormalised scores, <c>[batch, time, classes]</c>.</param>
    /// <param name="logitLengths">Valid frames per utterance, <c>[batch]</c> (int64).</param>
    /// <param name="labels">Padded label ids, <c>[batch, max label length]</c> (int64).</param>
    /// <param name="labelLengths">Valid labels per utterance, <c>[batch]</c> (int64).</param>
    public Tensor PerUtterance(Tensor logits, Tensor logitLengths, Tensor labels, Tensor labelLengths)
    {
        using var scope = NewDisposeScope();
        // ctc_loss wants time-major log-probabilities; lengths on the CPU are accepted for every device.
        var logProbs = nn.functional.log_softmax(logits, dim: -1).transpose(0, 1);
        var losses = nn.functional.ctc_loss(
            logProbs, labels, logitLengths, labelLengths,
            blank: BlankIndex, zero_infinity: ZeroInfinity, reduction: nn.Reduction.None);
        return losses.MoveToOuterDisposeScope();
    }

    /// <summary>Σ weight · loss over the terms (several CTC nodes), with the weights as owned scalars.</summary>
    public static Tensor WeightedSum(params (Tensor Loss, double Weight)[] terms)
    {
        if (terms.Length == 0) throw new ArgumentException("At least one loss is needed.", nameof(terms));
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var (loss, weight) in terms)
        {
            using var factor = weight.ToScalar();
            var term = loss.mul(factor);
            total = total is null ? term : Nn.Tensors.Add(total, term);
        }
        return total!.MoveToOuterDisposeScope();
    }

    /// <summary>The reduced loss (a scalar), as <see cref="Reduction"/> declares.</summary>
    /// <inheritdoc cref="PerUtterance" path="/param"/>
    public Tensor Forward(Tensor logits, Tensor logitLengths, Tensor labels, Tensor labelLengths)
    {
        using var scope = NewDisposeScope();
        var losses = PerUtterance(logits, logitLengths, labels, labelLengths);
        using var one = 1.ToScalar(); // owned, not converted implicitly: see Sequences.ConvolvedLengths
        var reduced = Reduction switch
        {
            CtcReduction.Mean => losses.mean(),
            CtcReduction.Sum => losses.sum(),
            CtcReduction.LengthNormalizedMean =>
                (losses / labelLengths.to(losses.device).to_type(losses.dtype).clamp_min(one)).mean(),
            _ => throw new InvalidOperationException($"Unknown reduction {Reduction}."),
        };
        return reduced.MoveToOuterDisposeScope();
    }
}
