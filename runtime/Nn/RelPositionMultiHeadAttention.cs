using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Multi-head self-attention with Transformer-XL relative positions (Dai et al. 2019, §3.3), after NeMo's
/// <c>RelPositionMultiHeadAttention</c> (nemo/collections/asr/parts/submodules/multi_head_attention.py),
/// the attention of NeMo's Conformer-CTC:
/// <c>scores = ((q + pos_bias_u)·kᵀ + rel_shift((q + pos_bias_v)·pᵀ)) / √d_k</c> with
/// <c>p = linear_pos(positions)</c> (no bias) split into heads, <c>pos_bias_u</c> and <c>pos_bias_v</c>
/// <c>[heads, d_k]</c> learned per layer (NeMo's <c>untie_biases: true</c>) and initialised to zero as
/// NeMo does, then the masked softmax of <see cref="MultiHeadSelfAttention"/>. The positions come from
/// <see cref="RelPositionalEncoding"/>: distances <c>time−1 … −(time−1)</c>; after the shift, score
/// (i, j) reads distance i − j, which does not depend on the padded width.
/// </summary>
public sealed class RelPositionMultiHeadAttention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly Linear linear_q;
    private readonly Linear linear_k;
    private readonly Linear linear_v;
    private readonly Linear linear_out;
    private readonly Linear linear_pos;
    private readonly Parameter pos_bias_u;
    private readonly Parameter pos_bias_v;
    private readonly Dropout dropout;
    private readonly long heads;
    private readonly long headSize;

    /// <summary>Creates the attention.</summary>
    /// <param name="size">Features in and out (d_model); a multiple of <paramref name="heads"/>.</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="dropout">Dropout on the attention probabilities (NeMo's <c>dropout_att</c>).</param>
    public RelPositionMultiHeadAttention(long size, long heads, double dropout = 0.0) : base(nameof(RelPositionMultiHeadAttention))
    {
        headSize = Attention.HeadSize(size, heads);
        this.heads = heads;
        linear_q = nn.Linear(size, size);
        linear_k = nn.Linear(size, size);
        linear_v = nn.Linear(size, size);
        linear_out = nn.Linear(size, size);
        linear_pos = nn.Linear(size, size, hasBias: false);
        pos_bias_u = new Parameter(zeros(heads, headSize));
        pos_bias_v = new Parameter(zeros(heads, headSize));
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>
    /// Attends over <paramref name="x"/> <c>[batch, time, size]</c> with the relative
    /// <paramref name="positions"/> <c>[1, 2·time − 1, size]</c> of <see cref="RelPositionalEncoding"/>;
    /// frames at or past <paramref name="lengths"/> are neither attended to nor attend.
    /// </summary>
    public override Tensor forward(Tensor x, Tensor lengths, Tensor positions)
    {
        var time = x.shape[1];
        if (positions.shape[1] != 2 * time - 1)
            throw new ArgumentException($"Relative positions: {positions.shape[1]} distances for {time} frames; {2 * time - 1} expected.", nameof(positions));
        using var scope = NewDisposeScope();
        var q = Attention.SplitHeads(linear_q.call(x), heads).transpose(1, 2);   // [batch, time, heads, d_k]
        var k = Attention.SplitHeads(linear_k.call(x), heads);
        var v = Attention.SplitHeads(linear_v.call(x), heads);
        var p = Attention.SplitHeads(linear_pos.call(positions), heads);         // [1, heads, 2·time − 1, d_k]
        var withU = Tensors.Add(q, pos_bias_u).transpose(1, 2);                  // [batch, heads, time, d_k]
        var withV = Tensors.Add(q, pos_bias_v).transpose(1, 2);
        var content = matmul(withU, k.transpose(-2, -1));                        // [batch, heads, time, time]
        var position = RelShift(matmul(withV, p.transpose(-2, -1))).narrow(-1, 0, time);
        using var scale = Math.Sqrt(headSize).ToScalar();
        var scores = Tensors.Add(content, position).div(scale);
        var mask = Attention.PaddingMask(lengths, time, x.device);
        return linear_out.call(Attention.Attend(scores, mask, v, dropout)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Transformer-XL's shift as NeMo writes it: <c>[b, h, t, 2t − 1]</c> indexed by distance slot becomes
    /// indexed by key, so that entry (i, j) holds slot t − 1 − i + j, i.e. distance i − j.
    /// </summary>
    public static Tensor RelShift(Tensor x)
    {
        using var scope = NewDisposeScope();
        var b = x.shape[0];
        var h = x.shape[1];
        var queries = x.shape[2];
        var slots = x.shape[3];
        var padded = nn.functional.pad(x, new[] { 1L, 0L });              // [b, h, t, slots + 1]
        var folded = padded.view(b, h, -1, queries);                      // [b, h, slots + 1, t]
        var shifted = folded.narrow(2, 1, folded.shape[2] - 1).reshape(b, h, queries, slots);
        return shifted.MoveToOuterDisposeScope();
    }
}
