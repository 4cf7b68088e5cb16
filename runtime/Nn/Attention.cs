using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// The steps shared by <see cref="MultiHeadSelfAttention"/> and <see cref="RelPositionMultiHeadAttention"/>,
/// after NeMo's <c>MultiHeadAttention.forward_qkv</c> / <c>forward_attention</c>
/// (nemo/collections/asr/parts/submodules/multi_head_attention.py).
/// </summary>
public static class Attention
{
    /// <summary>The fill of masked scores before the softmax: NeMo's <c>INF_VAL</c>. Finite, so a row with every key masked (a padding query) gives no NaN.</summary>
    public const double MaskedScore = -10000.0;

    /// <summary><c>[batch, time, heads·d_k]</c> → <c>[batch, heads, time, d_k]</c>.</summary>
    public static Tensor SplitHeads(Tensor projected, long heads)
    {
        var size = projected.shape;
        using var split = projected.view(size[0], size[1], heads, size[2] / heads);
        return split.transpose(1, 2);
    }

    /// <summary>
    /// True where query or key is a padding frame: <c>[batch, 1, time, time]</c>, as NeMo's Conformer
    /// builds <c>att_mask</c> from <c>pad_mask</c>. A valid query then attends to valid keys only, and a
    /// padding query to nothing.
    /// </summary>
    public static Tensor PaddingMask(Tensor lengths, long time, Device device)
    {
        using var valid = Sequences.ValidMask(lengths.to(device), time);   // [batch, time]
        using var both = valid.unsqueeze(2).logical_and(valid.unsqueeze(1)); // [batch, query, key]
        using var masked = both.logical_not();
        return masked.unsqueeze(1);
    }

    /// <summary>
    /// Masked softmax over keys, dropout on the probabilities, and the weighted sum of
    /// <paramref name="value"/> <c>[batch, heads, time, d_k]</c>, heads joined again:
    /// <c>[batch, time, heads·d_k]</c> (before the output projection). Masked probabilities are set to
    /// exactly zero after the softmax, as NeMo does.
    /// </summary>
    public static Tensor Attend(Tensor scores, Tensor mask, Tensor value, Dropout dropout)
    {
        using var scope = NewDisposeScope();
        using var fill = MaskedScore.ToScalar();
        using var zero = 0.0.ToScalar();
        var probabilities = scores.masked_fill(mask, fill).softmax(-1).masked_fill(mask, zero);
        var weighted = matmul(dropout.call(probabilities), value); // [batch, heads, time, d_k]
        var size = weighted.shape;
        return weighted.transpose(1, 2).reshape(size[0], size[2], size[1] * size[3]).MoveToOuterDisposeScope();
    }

    /// <summary>Checks that <paramref name="size"/> splits into <paramref name="heads"/> heads.</summary>
    internal static long HeadSize(long size, long heads)
    {
        if (heads < 1 || size < 1 || size % heads != 0)
            throw new ArgumentOutOfRangeException(nameof(heads), heads, $"{size} features do not split into {heads} heads.");
        return size / heads;
    }
}
