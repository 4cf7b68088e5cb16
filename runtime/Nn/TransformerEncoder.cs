using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// A stack of <see cref="TransformerEncoderLayer"/>s: an input projection when the input is not d_model
/// wide, the positional encoding — absolute sinusoids added (<see cref="SinusoidalPositionalEncoding"/>)
/// or relative (<see cref="RelPositionalEncoding"/>), the input scaled by √d when asked, as NeMo's
/// <c>xscaling</c> — then the layers, and for pre-norm a final LayerNorm <c>norm</c> (what
/// <c>torch.nn.TransformerEncoder(norm=…)</c> and ESPnet's <c>after_norm</c> add, since pre-norm layers
/// leave their output unnormalised). Lengths are kept.
/// </summary>
public sealed class TransformerEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Linear? input_projection;
    private readonly nn.Module pos_enc;
    private readonly ModuleList<TransformerEncoderLayer> layers = new();
    private readonly LayerNorm? norm;

    /// <summary>Creates the stack; see <see cref="TransformerEncoderLayer"/> for the layer options.</summary>
    /// <param name="inputSize">Features per input frame.</param>
    /// <param name="size">d_model (even, a multiple of <paramref name="heads"/>).</param>
    /// <param name="heads">Attention heads.</param>
    /// <param name="layerCount">Stacked layers.</param>
    /// <param name="feedForwardSize">Feed-forward hidden width.</param>
    /// <param name="dropout">Dropout in the layers and after the positional encoding.</param>
    /// <param name="normFirst">Pre-norm (with a final norm) or post-norm.</param>
    /// <param name="positions">Relative or absolute positions.</param>
    /// <param name="activation">The feed-forward activation.</param>
    /// <param name="scaleInput">Multiply the input by √d_model before the positions.</param>
    public TransformerEncoder(long inputSize, long size, long heads, int layerCount, long feedForwardSize, double dropout = 0.0,
        bool normFirst = true, PositionEncoding positions = PositionEncoding.Absolute,
        TransformerActivation activation = TransformerActivation.Relu, bool scaleInput = true)
        : base(nameof(TransformerEncoder))
    {
        if (layerCount < 1) throw new ArgumentOutOfRangeException(nameof(layerCount), layerCount, "At least one layer.");
        input_projection = inputSize != size ? nn.Linear(inputSize, size) : null;
        pos_enc = positions == PositionEncoding.Relative
            ? new RelPositionalEncoding(size, dropout, scaleInput)
            : new SinusoidalPositionalEncoding(size, dropout, scaleInput);
        for (var i = 0; i < layerCount; i++)
            layers.Add(new TransformerEncoderLayer(size, heads, feedForwardSize, dropout, normFirst, positions, activation));
        norm = normFirst ? nn.LayerNorm(new[] { size }) : null;
        RegisterComponents();
    }

    /// <summary>The layers, first first.</summary>
    public ModuleList<TransformerEncoderLayer> Layers => layers;

    /// <summary><c>[batch, time, inputSize]</c> with valid <paramref name="lengths"/> → <c>[batch, time, d_model]</c>, padding frames zero.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var y = Sequences.ClearPadding(x, lengths);
        if (input_projection is not null) y = input_projection.call(y);
        Tensor? positions = null;
        if (pos_enc is RelPositionalEncoding relative) (y, positions) = relative.call(y);
        else y = ((SinusoidalPositionalEncoding)pos_enc).call(y);
        foreach (var layer in layers) y = layer.call(y, lengths, positions);
        if (norm is not null) y = Sequences.ClearPadding(norm.call(y), lengths);
        return y.MoveToOuterDisposeScope();
    }
}
