using System;
using CtcDsl.Runtime.Nn;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// <c>conv2d_subsampling</c>, <c>conformer</c> and <c>transformer</c>, as <see cref="Nn.Conv2dSubsampling"/>,
/// <see cref="ConformerEncoder"/> and <see cref="TransformerEncoder"/> compute them in evaluation mode:
/// dropout is the identity, batch norm uses its running statistics, and padding is cleared by selection
/// (Where) wherever the runtime clears it, so NaN or ∞ in the padding cannot reach a valid frame.
/// </summary>
public sealed partial class OnnxGraph
{
    /// <summary>
    /// <c>conv2d_subsampling</c>: log₂(factor) stride-2 Conv + Relu over <c>[batch, 1, time, freq]</c>, the
    /// frames past each utterance's current length zeroed before each, then channel-major flattening and
    /// the projection. Returns the frames and their lengths (the convolution arithmetic per layer).
    /// </summary>
    public (OnnxValue X, OnnxValue Lengths) Conv2dSubsampling(Nn.Conv2dSubsampling module, OnnxValue x, OnnxValue lengths)
    {
        var y = Node("Unsqueeze", new[] { x, Int64s("axis_1", new[] { 1L }) }, "subsampling_in"); // [batch, 1, time, freq]
        var current = lengths;
        foreach (var conv in module.Convolutions)
        {
            var (w, kernel) = (conv.Weight, (int)conv.Weight.shape[2]);
            // Time is the Conv's first spatial axis, frequency its second, as the weight's trailing axes are.
            var convolved = Node("Conv", new[] { ClearPlanePadding(y, current), Initializer("conv2d_weight", Values(w), w.shape), Initializer("conv2d_bias", Values(conv.Bias), conv.Bias.shape[0]) }, "conv2d",
                Ints("kernel_shape", kernel, kernel), Ints("strides", conv.Stride, conv.Stride), Ints("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding));
            y = Node("Relu", new[] { convolved }, "conv2d_relu");
            current = ConvolvedLengths(current, kernel, (int)conv.Stride, (int)conv.Padding, 1);
        }
        // [batch, channels, time′, freq′] → [batch, time′, channels·freq′]: channel-major, as NeMo flattens.
        var frames = Node("Transpose", new[] { y }, "subsampled_frames", Ints("perm", 0, 2, 1, 3));
        var flat = Node("Reshape", new[] { frames, Int64s("shape_tb_", new[] { 0L, 0L, -1L }) }, "subsampled_flat");
        return (Linear(module.Projection, flat), current);
    }

    /// <summary><c>conformer</c>: input projection when present, positions, the blocks; lengths unchanged, padding frames zero.</summary>
    public OnnxValue Conformer(ConformerEncoder module, OnnxValue x, OnnxValue lengths)
    {
        var (y, valid, mask, positions) = EncoderInput(module.InputProjection, module.PositionalEncoding, x, lengths);
        foreach (var block in module.Blocks) y = ConformerBlock(block, y, valid, mask, positions);
        return y;
    }

    /// <summary><c>transformer</c>: input projection when present, positions, the layers, and for pre-norm the final LayerNorm; lengths unchanged, padding frames zero.</summary>
    public OnnxValue Transformer(TransformerEncoder module, OnnxValue x, OnnxValue lengths)
    {
        var (y, valid, mask, positions) = EncoderInput(module.InputProjection, module.PositionalEncoding, x, lengths);
        foreach (var layer in module.Layers) y = TransformerLayer(layer, y, valid, mask, positions);
        return module.FinalNorm is { } norm ? KeepValid(valid, LayerNorm(norm, y)) : y;
    }

    /// <summary>
    /// What both encoders do first: padding cleared, the optional projection, the positional encoding; and
    /// the masks their layers share — valid frames <c>[batch, time, 1]</c> and valid pairs <c>[batch, 1, time, time]</c>.
    /// </summary>
    private (OnnxValue X, OnnxValue Valid, OnnxValue Mask, OnnxValue? Positions) EncoderInput(TorchSharp.Modules.Linear? projection, TorchSharp.torch.nn.Module encoding, OnnxValue x, OnnxValue lengths)
    {
        var steps = ValidSteps(x, 1, lengths);
        var valid = Node("Unsqueeze", new[] { steps, Int64s("axis_2", new[] { 2L }) }, "valid_mask");
        var y = KeepValid(valid, x);
        if (projection is not null) y = Linear(projection, y);
        var (positioned, positions) = PositionalEncoding(encoding, y);
        return (positioned, valid, AttentionMask(steps), positions);
    }

    /// <summary>
    /// A macaron block (<see cref="Nn.ConformerBlock"/>): ½·FFN, self-attention, convolution module, ½·FFN,
    /// each pre-normed and added, then <c>norm_out</c> and the padding cleared.
    /// </summary>
    private OnnxValue ConformerBlock(Nn.ConformerBlock block, OnnxValue x, OnnxValue valid, OnnxValue mask, OnnxValue? positions)
    {
        var r = Node("Add", new[] { x, Half(FeedForward(block.FeedForward1, LayerNorm(block.NormFeedForward1, x))) }, "macaron_1");
        r = Node("Add", new[] { r, SelfAttention(block.SelfAttention, LayerNorm(block.NormSelfAttention, r), mask, positions) }, "attended");
        r = Node("Add", new[] { r, ConvolutionModule(block.Convolution, LayerNorm(block.NormConvolution, r), valid) }, "convolved");
        r = Node("Add", new[] { r, Half(FeedForward(block.FeedForward2, LayerNorm(block.NormFeedForward2, r))) }, "macaron_2");
        return KeepValid(valid, LayerNorm(block.NormOut, r));
    }

    /// <summary><see cref="ConformerFeedForward"/>: linear, Swish, linear.</summary>
    private OnnxValue FeedForward(ConformerFeedForward module, OnnxValue x) => Linear(module.Linear2, Swish(Linear(module.Linear1, x)));

    /// <summary>
    /// <see cref="ConformerConvolution"/>: pointwise (d → 2d), GLU, padding zeroed, depthwise Conv
    /// (<c>group</c> = d), batch norm (running statistics) or layer norm, Swish, pointwise.
    /// </summary>
    private OnnxValue ConvolutionModule(ConformerConvolution module, OnnxValue x, OnnxValue valid)
    {
        var doubled = Linear(module.PointwiseConv1, x);
        var halves = Node("Split", new[] { doubled.Name }, new[] { Fresh("glu_value"), Fresh("glu_gate") }, new Attribute("axis", Int: -1));
        var gated = Node("Mul", new[] { halves[0], Node("Sigmoid", new[] { halves[1] }, "glu_sigmoid") }, "glu");
        var depthwise = module.DepthwiseConv;
        var (w, kernel) = (depthwise.Weight, depthwise.Weight.shape[2]);
        var channelsFirst = Node("Transpose", new[] { KeepValid(valid, gated) }, "depthwise_in", Ints("perm", 0, 2, 1));
        var conv = Node("Conv", new[] { channelsFirst, Initializer("depthwise_weight", Values(w), w.shape), Initializer("depthwise_bias", Values(depthwise.Bias), depthwise.Bias.shape[0]) }, "depthwise",
            Ints("kernel_shape", kernel), Ints("pads", (kernel - 1) / 2, (kernel - 1) / 2), new Attribute("group", Int: w.shape[0]));
        var convolved = Node("Transpose", new[] { conv }, "depthwise_out", Ints("perm", 0, 2, 1));
        var normalized = module.Norm switch
        {
            MaskedBatchNorm batch => BatchNorm(batch, convolved),
            TorchSharp.Modules.LayerNorm layer => LayerNorm(layer, convolved),
            _ => throw new ArgumentException($"No ONNX export for the convolution norm {module.Norm.GetType().Name}.", nameof(module)),
        };
        return Linear(module.PointwiseConv2, Swish(normalized));
    }

    /// <summary>
    /// <see cref="TransformerEncoderLayer"/>: pre-norm <c>x + attn(norm1(x))</c>, <c>x + ff(norm2(x))</c>, or
    /// post-norm <c>norm1(x + attn(x))</c>, <c>norm2(x + ff(x))</c>; then the padding cleared.
    /// </summary>
    private OnnxValue TransformerLayer(TransformerEncoderLayer layer, OnnxValue x, OnnxValue valid, OnnxValue mask, OnnxValue? positions)
    {
        var activation = layer.Activation == TransformerActivation.Gelu ? "gelu" : "relu";
        OnnxValue FeedForwardOf(OnnxValue input) => Linear(layer.Linear2, Linear(layer.Linear1, input, activation));
        OnnxValue y;
        if (layer.NormFirst)
        {
            y = Node("Add", new[] { x, SelfAttention(layer.SelfAttention, LayerNorm(layer.Norm1, x), mask, positions) }, "attended");
            y = Node("Add", new[] { y, FeedForwardOf(LayerNorm(layer.Norm2, y)) }, "fed_forward");
        }
        else
        {
            y = LayerNorm(layer.Norm1, Node("Add", new[] { x, SelfAttention(layer.SelfAttention, x, mask, positions) }, "attended"));
            y = LayerNorm(layer.Norm2, Node("Add", new[] { y, FeedForwardOf(y) }, "fed_forward"));
        }
        return KeepValid(valid, y);
    }

    /// <summary>Frames where <paramref name="valid"/> (<c>[batch, time, 1]</c>) is false set to zero, by selection.</summary>
    private OnnxValue KeepValid(OnnxValue valid, OnnxValue x) => Node("Where", new[] { valid, x, Scalar("zero", 0f) }, "cleared");

    /// <summary>
    /// <paramref name="x"/> <c>[batch, channels, time, freq]</c> with the frames at or past each item's length
    /// set to zero by selection, as <see cref="Sequences.ClearPadding"/> on the runtime's channels-last plane.
    /// </summary>
    private OnnxValue ClearPlanePadding(OnnxValue x, OnnxValue lengths)
    {
        var mask = Node("Unsqueeze", new[] { ValidSteps(x, 2, lengths), Int64s("axes_1_3", new[] { 1L, 3L }) }, "valid_plane"); // [batch, 1, time, 1]
        return Node("Where", new[] { mask, x, Scalar("zero", 0f) }, "cleared");
    }

    /// <summary>Swish (SiLU): <c>x·sigmoid(x)</c>.</summary>
    private OnnxValue Swish(OnnxValue x) => Node("Mul", new[] { x, Node("Sigmoid", new[] { x }, "swish_gate") }, "swish");

    /// <summary>½·x: the macaron feed-forward's weight.</summary>
    private OnnxValue Half(OnnxValue x) => Node("Mul", new[] { x, Scalar("half", 0.5f) }, "halved");
}
