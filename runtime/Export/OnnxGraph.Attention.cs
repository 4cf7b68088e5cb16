using System;
using CtcDsl.Runtime.Nn;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// Self-attention and positional encodings, node for node as the runtime computes them
/// (<see cref="MultiHeadSelfAttention"/>, <see cref="RelPositionMultiHeadAttention"/>,
/// <see cref="SinusoidalPositionalEncoding"/>, <see cref="RelPositionalEncoding"/>). Nothing depends on
/// a fixed length: the sinusoids are computed in the graph from the input's own width (Range, Sin, Cos),
/// so the time axis stays dynamic with no table to outgrow. Scores of padding keys and queries are
/// masked with the lengths as the runtime masks them (−10000 before the softmax, 0 after), so a padded
/// batch gives each utterance what it gives alone.
/// </summary>
public sealed partial class OnnxGraph
{
    /// <summary>
    /// <c>[batch, 1, time, time]</c> booleans from <paramref name="valid"/> <c>[batch, time]</c>: true
    /// where both query and key are valid frames (the complement of <see cref="Nn.Attention.PaddingMask"/>).
    /// </summary>
    private OnnxValue AttentionMask(OnnxValue valid)
    {
        var queries = Node("Unsqueeze", new[] { valid, Int64s("axis_2", new[] { 2L }) }, "valid_queries");
        var keys = Node("Unsqueeze", new[] { valid, Int64s("axis_1", new[] { 1L }) }, "valid_keys");
        var both = Node("And", new[] { queries, keys }, "valid_pairs");
        return Node("Unsqueeze", new[] { both, Int64s("axis_1", new[] { 1L }) }, "attention_mask");
    }

    /// <summary>
    /// The positional encoding of an attention encoder on <paramref name="x"/> <c>[batch, time, d]</c>:
    /// absolute sinusoids added to the (scaled) input, or, for relative attention, the scaled input and
    /// the table of distances <c>time − 1 … −(time − 1)</c>, <c>[1, 2·time − 1, d]</c>. Dropout is the identity.
    /// </summary>
    private (OnnxValue X, OnnxValue? Positions) PositionalEncoding(nn.Module module, OnnxValue x)
    {
        switch (module)
        {
            case RelPositionalEncoding relative:
            {
                var time = Node("Squeeze", new[] { Time(x) }, "time_scalar");
                var first = Node("Sub", new[] { time, Int64s("one_step", new[] { 1L }, scalar: true) }, "last_distance");
                var distances = Node("Range", new[] { first, Node("Neg", new[] { time }, "distance_end"), Int64s("minus_one", new[] { -1L }, scalar: true) }, "distances");
                return (Scaled(x, relative.Size, relative.Scale), Sinusoids(distances, relative.Size));
            }
            case SinusoidalPositionalEncoding absolute:
            {
                var time = Node("Squeeze", new[] { Time(x) }, "time_scalar");
                var positions = Node("Range", new[] { Int64s("range_start", new[] { 0L }, scalar: true), time, Int64s("range_step", new[] { 1L }, scalar: true) }, "positions");
                return (Node("Add", new[] { Scaled(x, absolute.Size, absolute.Scale), Sinusoids(positions, absolute.Size) }, "positioned"), null);
            }
            default:
                throw new ArgumentException($"No ONNX export for the positional encoding {module.GetType().Name}.", nameof(module));
        }
    }

    /// <summary><paramref name="x"/>·√size when <paramref name="scale"/> (NeMo's <c>xscaling</c>).</summary>
    private OnnxValue Scaled(OnnxValue x, long size, bool scale) =>
        scale ? Node("Mul", new[] { x, Scalar("x_scale", (float)Math.Sqrt(size)) }, "x_scaled") : x;

    /// <summary>
    /// <see cref="SinusoidalPositionalEncoding.Table"/> for int64 <paramref name="positions"/> <c>[n]</c>:
    /// <c>[1, n, size]</c>, sin(p·f) at even features and cos(p·f) at odd ones, in float32 from the
    /// runtime's own frequencies.
    /// </summary>
    private OnnxValue Sinusoids(OnnxValue positions, long size)
    {
        float[] frequencies;
        using (var computed = SinusoidalPositionalEncoding.Frequencies(size, ScalarType.Float32)) frequencies = Values(computed);
        var column = Node("Unsqueeze", new[] { Node("Cast", new[] { positions }, "positions_float", new Attribute("to", Int: (long)DataType.Float)), Int64s("axis_1", new[] { 1L }) }, "positions_column");
        var angles = Node("Mul", new[] { column, Initializer("frequencies", frequencies, frequencies.Length) }, "angles"); // [n, size/2]
        var sines = Node("Unsqueeze", new[] { Node("Sin", new[] { angles }, "sines"), Int64s("axis_2", new[] { 2L }) }, "sines_pair");
        var cosines = Node("Unsqueeze", new[] { Node("Cos", new[] { angles }, "cosines"), Int64s("axis_2", new[] { 2L }) }, "cosines_pair");
        // [n, size/2, 2] → [n, size]: each sine beside its cosine, as the runtime stacks them.
        var pairs = Node("Concat", new[] { sines, cosines }, "sinusoid_pairs", new Attribute("axis", Int: 2));
        var table = Node("Reshape", new[] { pairs, Int64s("shape_sinusoids", new[] { -1L, size }) }, "sinusoids");
        return Node("Unsqueeze", new[] { table, Int64s("axis_0", new[] { 0L }) }, "position_table");
    }

    /// <summary>
    /// Self-attention on <paramref name="x"/> <c>[batch, time, d]</c>: plain (<see cref="MultiHeadSelfAttention"/>)
    /// or relative (<see cref="RelPositionMultiHeadAttention"/>, reading <paramref name="positions"/>).
    /// </summary>
    private OnnxValue SelfAttention(nn.Module module, OnnxValue x, OnnxValue mask, OnnxValue? positions) => module switch
    {
        RelPositionMultiHeadAttention relative => RelativeAttention(relative, x, mask,
            positions ?? throw new ArgumentNullException(nameof(positions), "Relative attention needs the relative position table.")),
        MultiHeadSelfAttention plain => PlainAttention(plain, x, mask),
        _ => throw new ArgumentException($"No ONNX export for the attention {module.GetType().Name}.", nameof(module)),
    };

    /// <summary><c>softmax(q·kᵀ / √d_k)·v</c> per head, masked, then <c>linear_out</c>.</summary>
    private OnnxValue PlainAttention(MultiHeadSelfAttention module, OnnxValue x, OnnxValue mask)
    {
        var (heads, headSize) = HeadShape(module.LinearQ, module.Heads);
        var q = Node("Transpose", new[] { SplitHeads(Linear(module.LinearQ, x), heads, headSize) }, "queries", Ints("perm", 0, 2, 1, 3));
        var keys = Node("Transpose", new[] { SplitHeads(Linear(module.LinearK, x), heads, headSize) }, "keys_t", Ints("perm", 0, 2, 3, 1));
        var scores = Node("Div", new[] { Node("MatMul", new[] { q, keys }, "content"), Scalar("sqrt_d_k", (float)Math.Sqrt(headSize)) }, "scores");
        return Attend(module.LinearOut, scores, mask, Linear(module.LinearV, x), heads, headSize);
    }

    /// <summary>
    /// Transformer-XL attention as <see cref="RelPositionMultiHeadAttention"/> computes it:
    /// <c>((q + u)·kᵀ + rel_shift((q + v)·pᵀ)) / √d_k</c> with <c>p = linear_pos(positions)</c>, masked.
    /// </summary>
    private OnnxValue RelativeAttention(RelPositionMultiHeadAttention module, OnnxValue x, OnnxValue mask, OnnxValue positions)
    {
        var (heads, headSize) = HeadShape(module.LinearQ, module.Heads);
        var q = SplitHeads(Linear(module.LinearQ, x), heads, headSize); // [batch, time, heads, d_k]
        var keys = Node("Transpose", new[] { SplitHeads(Linear(module.LinearK, x), heads, headSize) }, "keys_t", Ints("perm", 0, 2, 3, 1));
        var p = Node("Transpose", new[] { SplitHeads(Linear(module.LinearPos, positions), heads, headSize) }, "positions_t", Ints("perm", 0, 2, 3, 1)); // [1, heads, d_k, 2·time − 1]
        var withU = Node("Transpose", new[] { Node("Add", new[] { q, Initializer("pos_bias_u", Values(module.PosBiasU), heads, headSize) }, "q_with_u") }, "q_u", Ints("perm", 0, 2, 1, 3));
        var withV = Node("Transpose", new[] { Node("Add", new[] { q, Initializer("pos_bias_v", Values(module.PosBiasV), heads, headSize) }, "q_with_v") }, "q_v", Ints("perm", 0, 2, 1, 3));
        var content = Node("MatMul", new[] { withU, keys }, "content");                   // [batch, heads, time, time]
        var position = RelShift(Node("MatMul", new[] { withV, p }, "position_raw"), x); // [batch, heads, time, time]
        var scores = Node("Div", new[] { Node("Add", new[] { content, position }, "scores_sum"), Scalar("sqrt_d_k", (float)Math.Sqrt(headSize)) }, "scores");
        return Attend(module.LinearOut, scores, mask, Linear(module.LinearV, x), heads, headSize);
    }

    /// <summary>
    /// <see cref="RelPositionMultiHeadAttention.RelShift"/> and the narrowing to <c>time</c> keys, by the
    /// same pad-and-reshape: <c>[b, h, t, 2t − 1]</c> indexed by distance slot becomes <c>[b, h, t, t]</c>
    /// with distance i − j at (i, j). Only copies, so the values are the runtime's exactly.
    /// </summary>
    private OnnxValue RelShift(OnnxValue scores, OnnxValue x)
    {
        var time = Time(x);
        var padded = Node("Pad", new[] { scores, Int64s("pads_left_1", new[] { 0L, 0L, 0L, 1L, 0L, 0L, 0L, 0L }) }, "rel_padded");  // [b, h, t, 2t]
        var foldShape = Node("Concat", new[] { Int64s("shape_bh_", new[] { 0L, 0L, -1L }), time }, "fold_shape", new Attribute("axis", Int: 0));
        var folded = Node("Reshape", new[] { padded, foldShape }, "rel_folded");                                                      // [b, h, 2t, t]
        var dropped = Node("Slice", new[] { folded, Int64s("start_1", new[] { 1L }), Int64s("end_all", new[] { long.MaxValue }), Int64s("axis_2", new[] { 2L }) }, "rel_dropped");
        var shiftShape = Node("Concat", new[] { Int64s("shape_bh", new[] { 0L, 0L }), time, Int64s("shape_rest", new[] { -1L }) }, "shift_shape", new Attribute("axis", Int: 0));
        var shifted = Node("Reshape", new[] { dropped, shiftShape }, "rel_shifted");                                                  // [b, h, t, 2t − 1]
        return Node("Slice", new[] { shifted, Int64s("start_0", new[] { 0L }), time, Int64s("axis_3", new[] { 3L }) }, "rel_position"); // [b, h, t, t]
    }

    /// <summary>
    /// As <see cref="Nn.Attention.Attend"/>: scores of invalid pairs set to −10000, softmax over keys, their
    /// probabilities set to 0, the weighted sum of the values, heads joined, then the output projection.
    /// </summary>
    private OnnxValue Attend(TorchSharp.Modules.Linear output, OnnxValue scores, OnnxValue mask, OnnxValue values, long heads, long headSize)
    {
        var v = Node("Transpose", new[] { SplitHeads(values, heads, headSize) }, "values", Ints("perm", 0, 2, 1, 3));
        var masked = Node("Where", new[] { mask, scores, Scalar("masked_score", (float)Nn.Attention.MaskedScore) }, "scores_masked");
        var probabilities = Node("Where", new[] { mask, Node("Softmax", new[] { masked }, "attention", new Attribute("axis", Int: -1)), Scalar("zero", 0f) }, "probabilities");
        var weighted = Node("Transpose", new[] { Node("MatMul", new[] { probabilities, v }, "weighted") }, "weighted_frames", Ints("perm", 0, 2, 1, 3));
        var joined = Node("Reshape", new[] { weighted, Int64s("shape_joined", new[] { 0L, 0L, heads * headSize }) }, "heads_joined");
        return Linear(output, joined);
    }

    /// <summary><c>[batch, time, heads·d_k]</c> → <c>[batch, time, heads, d_k]</c>.</summary>
    private OnnxValue SplitHeads(OnnxValue x, long heads, long headSize) =>
        Node("Reshape", new[] { x, Int64s("shape_heads", new[] { 0L, 0L, heads, headSize }) }, "heads");

    private static (long Heads, long HeadSize) HeadShape(TorchSharp.Modules.Linear query, long heads) => (heads, query.weight!.shape[0] / heads);
}
