using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// The relative positions of Transformer-XL style attention, after NeMo's <c>RelPositionalEncoding</c>
/// (nemo/collections/asr/parts/submodules/multi_head_attention.py): the input is scaled by √d (NeMo's
/// <c>xscaling</c>) and dropped out, and the sinusoid table of the relative distances
/// <c>time−1, time−2, …, −(time−1)</c> (<c>[1, 2·time − 1, d]</c>, see
/// <see cref="SinusoidalPositionalEncoding.Table"/>) is returned beside it for
/// <see cref="RelPositionMultiHeadAttention"/>. The table is made for the padded width, but the
/// attention reads only the distances between valid frames, so a padded batch still equals each
/// sequence alone.
/// </summary>
public sealed class RelPositionalEncoding : nn.Module<Tensor, (Tensor X, Tensor Positions)>
{
    private readonly long size;
    private readonly bool scale;
    private readonly Dropout dropout;
    private readonly Dropout? dropout_emb;

    /// <summary>Creates the encoding.</summary>
    /// <param name="size">d_model, even.</param>
    /// <param name="dropout">Dropout on the scaled input (NeMo's <c>dropout_pre_encode</c>).</param>
    /// <param name="scale">Multiply the input by √size (NeMo's <c>xscaling</c>).</param>
    /// <param name="positionDropout">Dropout on the position table (NeMo's <c>dropout_emb</c>).</param>
    public RelPositionalEncoding(long size, double dropout = 0.0, bool scale = true, double positionDropout = 0.0) : base(nameof(RelPositionalEncoding))
    {
        if (size < 2 || size % 2 != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Sinusoidal positions need an even number of features.");
        this.size = size;
        this.scale = scale;
        this.dropout = nn.Dropout(dropout);
        dropout_emb = positionDropout > 0 ? nn.Dropout(positionDropout) : null;
        RegisterComponents();
    }

    /// <summary><c>[batch, time, size]</c> → (the scaled input, the table <c>[1, 2·time − 1, size]</c>).</summary>
    public override (Tensor X, Tensor Positions) forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var time = x.shape[1];
        using var start = (time - 1).ToScalar();
        using var stop = (-time).ToScalar();
        using var step = (-1L).ToScalar();
        var distances = arange(start, stop, step, dtype: SinusoidalPositionalEncoding.TableType(x.dtype), device: x.device);
        var table = SinusoidalPositionalEncoding.Table(distances, size).to_type(x.dtype).unsqueeze(0);
        if (dropout_emb is not null) table = dropout_emb.call(table);
        var scaled = dropout.call(SinusoidalPositionalEncoding.Scaled(x, size, scale));
        return (scaled.MoveToOuterDisposeScope(), table.MoveToOuterDisposeScope());
    }
}
