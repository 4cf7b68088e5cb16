using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Absolute sinusoidal positions (Vaswani et al. 2017), after NeMo's <c>PositionalEncoding</c>
/// (nemo/collections/asr/parts/submodules/multi_head_attention.py): <c>x·xscale + PE[0..time)</c>, then
/// dropout, with PE[p, 2i] = sin(p·10000^(−2i/d)) and PE[p, 2i+1] = cos(p·10000^(−2i/d)) and
/// xscale = √d when scaling is on (NeMo's <c>xscaling: true</c>). Positions count from each
/// sequence's first frame, so trailing padding changes nothing for valid frames.
/// </summary>
public sealed class SinusoidalPositionalEncoding : nn.Module<Tensor, Tensor>
{
    private readonly long size;
    private readonly bool scale;
    private readonly Dropout dropout;

    /// <summary>Creates the encoding for <paramref name="size"/> features (even).</summary>
    /// <param name="size">d_model, even.</param>
    /// <param name="dropout">Dropout after the sum.</param>
    /// <param name="scale">Multiply the input by √size first (NeMo's <c>xscaling</c>).</param>
    public SinusoidalPositionalEncoding(long size, double dropout = 0.0, bool scale = true) : base(nameof(SinusoidalPositionalEncoding))
    {
        if (size < 2 || size % 2 != 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Sinusoidal positions need an even number of features.");
        this.size = size;
        this.scale = scale;
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary><c>[batch, time, size]</c> → the same shape, positions added.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var positions = arange(x.shape[1], dtype: SinusoidalPositionalEncoding.TableType(x.dtype), device: x.device);
        var table = Table(positions, size).to_type(x.dtype).unsqueeze(0);
        return dropout.call(Tensors.Add(Scaled(x, size, scale), table)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// NeMo's <c>create_pe</c>: the sinusoid table <c>[positions, size]</c> for
    /// <paramref name="positions"/> <c>[positions]</c> (float32 as NeMo's, or float64), sines at even
    /// features and cosines at odd ones, in the positions' precision.
    /// </summary>
    public static Tensor Table(Tensor positions, long size)
    {
        using var scope = NewDisposeScope();
        using var rate = (-Math.Log(10000.0) / size).ToScalar();
        using var start = 0L.ToScalar();
        using var stop = size.ToScalar();
        using var step = 2L.ToScalar();
        var frequencies = arange(start, stop, step, dtype: positions.dtype, device: positions.device).mul(rate).exp(); // [size/2]
        var angles = positions.unsqueeze(1) * frequencies;                                                             // [positions, size/2]
        return stack(new[] { angles.sin(), angles.cos() }, -1).reshape(positions.shape[0], size).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The precision of the table: float32 as NeMo computes it, or float64 for float64 input, whose
    /// callers (reference checks) want every digit.
    /// </summary>
    internal static ScalarType TableType(ScalarType input) => input == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;

    /// <summary><paramref name="x"/>·√size when <paramref name="scale"/>, else <paramref name="x"/> itself.</summary>
    internal static Tensor Scaled(Tensor x, long size, bool scale)
    {
        if (!scale) return x.alias();
        using var factor = Math.Sqrt(size).ToScalar();
        return x.mul(factor);
    }
}
