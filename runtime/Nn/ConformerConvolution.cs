using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>The normalisation after the depthwise convolution of a <see cref="ConformerConvolution"/>.</summary>
public enum ConvolutionNorm
{
    /// <summary>Batch normalisation over valid frames only (<see cref="MaskedBatchNorm"/>), NeMo's default <c>batch_norm</c>.</summary>
    BatchNorm,
    /// <summary>Layer normalisation over features, per frame (NeMo's <c>layer_norm</c>).</summary>
    LayerNorm,
}

/// <summary>
/// The convolution module of a Conformer block, after NeMo's <c>ConformerConvolution</c>
/// (nemo/collections/asr/parts/submodules/conformer_modules.py): <c>pointwise_conv1</c> (d → 2d),
/// GLU over features, padding frames zeroed, <c>depthwise_conv</c> (odd kernel, same length), norm,
/// Swish, <c>pointwise_conv2</c> (d → d). The pointwise convolutions are <see cref="Linear"/> layers
/// (weight <c>[out, in]</c>, NeMo's <c>[out, in, 1]</c> without its last axis).
/// <para>
/// One departure from NeMo, on purpose: batch normalisation takes its statistics over valid frames only
/// (<see cref="MaskedBatchNorm"/>; NeMo's <c>BatchNorm1d</c> counts padding), so padding changes neither
/// the training statistics nor, with the running statistics in evaluation, any valid output.
/// </para>
/// </summary>
public sealed class ConformerConvolution : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear pointwise_conv1;
    private readonly DepthwiseConv1d depthwise_conv;
    private readonly nn.Module norm;
    private readonly Linear pointwise_conv2;

    /// <summary>Creates the module.</summary>
    /// <param name="size">d_model.</param>
    /// <param name="kernel">Odd depthwise kernel (NeMo's <c>conv_kernel_size</c>, 31 by default).</param>
    /// <param name="normalization">Batch (masked) or layer normalisation.</param>
    public ConformerConvolution(long size, long kernel = 31, ConvolutionNorm normalization = ConvolutionNorm.BatchNorm) : base(nameof(ConformerConvolution))
    {
        pointwise_conv1 = nn.Linear(size, 2 * size);
        depthwise_conv = new DepthwiseConv1d(size, kernel);
        norm = normalization switch
        {
            ConvolutionNorm.BatchNorm => new MaskedBatchNorm(size),
            ConvolutionNorm.LayerNorm => nn.LayerNorm(new[] { size }),
            _ => throw new ArgumentOutOfRangeException(nameof(normalization), normalization, null),
        };
        pointwise_conv2 = nn.Linear(size, size);
        RegisterComponents();
    }

    /// <summary><c>[batch, time, d]</c> with valid <paramref name="lengths"/> → the same shape.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.glu(pointwise_conv1.call(x), -1);
        var convolved = depthwise_conv.call(Sequences.ClearPadding(gated, lengths));
        var normalized = norm is MaskedBatchNorm batch ? batch.call(convolved, lengths) : ((LayerNorm)norm).call(convolved);
        return pointwise_conv2.call(nn.functional.silu(normalized)).MoveToOuterDisposeScope();
    }
}
