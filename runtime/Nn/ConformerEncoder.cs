using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// A stack of <see cref="ConformerBlock"/>s, after NeMo's <c>ConformerEncoder</c>
/// (nemo/collections/asr/modules/conformer_encoder.py) without its subsampling, which is a layer of
/// its own (<see cref="Conv2dSubsampling"/>): an input projection when the input is not d_model wide
/// (NeMo's <c>pre_encode</c> without subsampling), the positional encoding (input scaled by √d when
/// <c>xscaling</c>, dropped out with <c>dropout_pre_encode</c>), then the blocks. Lengths are kept.
/// </summary>
public sealed class ConformerEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear? pre_encode;
    private readonly nn.Module pos_enc;
    private readonly ModuleList<ConformerBlock> layers = new();

    /// <summary>Creates the stack; see <see cref="ConformerBlock"/> for the block options.</summary>
    /// <param name="inputSize">Features per input frame.</param>
    /// <param name="size">d_model (even, a multiple of <paramref name="heads"/>).</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="blocks">Stacked blocks.</param>
    /// <param name="feedForwardSize">Feed-forward hidden width.</param>
    /// <param name="convolutionKernel">Odd depthwise kernel.</param>
    /// <param name="convolutionNorm">Norm of the convolution modules.</param>
    /// <param name="dropout">Residual and feed-forward dropout.</param>
    /// <param name="attentionDropout">Dropout on attention probabilities.</param>
    /// <param name="inputDropout">Dropout after the positional encoding (NeMo's <c>dropout_pre_encode</c>).</param>
    /// <param name="positions">Relative or absolute positions.</param>
    /// <param name="scaleInput">Multiply the input by √d_model (NeMo's <c>xscaling</c>, on by default).</param>
    public ConformerEncoder(long inputSize, long size, long heads, int blocks, long feedForwardSize, long convolutionKernel = 31,
        ConvolutionNorm convolutionNorm = ConvolutionNorm.BatchNorm, double dropout = 0.0, double attentionDropout = 0.0,
        double inputDropout = 0.0, PositionEncoding positions = PositionEncoding.Relative, bool scaleInput = true)
        : base(nameof(ConformerEncoder))
    {
        if (blocks < 1) throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "At least one block.");
        pre_encode = inputSize != size ? nn.Linear(inputSize, size) : null;
        pos_enc = positions == PositionEncoding.Relative
            ? new RelPositionalEncoding(size, inputDropout, scaleInput)
            : new SinusoidalPositionalEncoding(size, inputDropout, scaleInput);
        for (var i = 0; i < blocks; i++)
            layers.Add(new ConformerBlock(size, heads, feedForwardSize, convolutionKernel, convolutionNorm, dropout, attentionDropout, positions));
        RegisterComponents();
    }

    /// <summary>The blocks, first first.</summary>
    public ModuleList<ConformerBlock> Blocks => layers;

    /// <summary><c>[batch, time, inputSize]</c> with valid <paramref name="lengths"/> → <c>[batch, time, d_model]</c>, padding frames zero.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        // Padding may hold anything (NaN included); from here on it holds zeros.
        var y = Sequences.ClearPadding(x, lengths);
        if (pre_encode is not null) y = pre_encode.call(y);
        Tensor? positions = null;
        if (pos_enc is RelPositionalEncoding relative) (y, positions) = relative.call(y);
        else y = ((SinusoidalPositionalEncoding)pos_enc).call(y);
        foreach (var block in layers) y = block.call(y, lengths, positions);
        return y.MoveToOuterDisposeScope();
    }
}
