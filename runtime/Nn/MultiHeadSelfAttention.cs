using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Multi-head scaled dot-product self-attention on <c>[batch, time, size]</c> masked by lengths, after
/// NeMo's <c>MultiHeadAttention</c>: separate projections <c>linear_q</c>, <c>linear_k</c>,
/// <c>linear_v</c>, <c>linear_out</c> (with bias), scores divided by √d_k, padding keys (and queries)
/// masked, dropout on the attention probabilities. Equal to <c>torch.nn.MultiheadAttention</c> with
/// <c>in_proj_weight</c> = [W_q; W_k; W_v] and <c>key_padding_mask</c> on every valid frame, and a
/// padded batch gives each sequence what it gives alone.
/// </summary>
public sealed class MultiHeadSelfAttention : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear linear_q;
    private readonly Linear linear_k;
    private readonly Linear linear_v;
    private readonly Linear linear_out;
    private readonly Dropout dropout;
    private readonly long heads;
    private readonly long headSize;

    /// <summary>Creates the attention.</summary>
    /// <param name="size">Features in and out (d_model); a multiple of <paramref name="heads"/>.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="dropout">Dropout on the attention probabilities.</param>
    public MultiHeadSelfAttention(long size, long heads, double dropout = 0.0) : base(nameof(MultiHeadSelfAttention))
    {
        headSize = Attention.HeadSize(size, heads);
        this.heads = heads;
        linear_q = nn.Linear(size, size);
        linear_k = nn.Linear(size, size);
        linear_v = nn.Linear(size, size);
        linear_out = nn.Linear(size, size);
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>Attends over <paramref name="x"/> <c>[batch, time, size]</c>; frames at or past <paramref name="lengths"/> are neither attended to nor attend.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var q = Attention.SplitHeads(linear_q.call(x), heads);
        var k = Attention.SplitHeads(linear_k.call(x), heads);
        var v = Attention.SplitHeads(linear_v.call(x), heads);
        using var scale = Math.Sqrt(headSize).ToScalar();
        var scores = matmul(q, k.transpose(-2, -1)).div(scale);
        var mask = Attention.PaddingMask(lengths, x.shape[1], x.device);
        return linear_out.call(Attention.Attend(scores, mask, v, dropout)).MoveToOuterDisposeScope();
    }
}
