using System;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>Length-aware operations on padded batches <c>[batch, time, features]</c>.</summary>
public static class Sequences
{
    /// <summary>True for valid frames: <c>[batch, time]</c>, frame t of item b valid when t &lt; lengths[b].</summary>
    public static Tensor ValidMask(Tensor lengths, long time)
    {
        using var steps = arange(time, device: lengths.device);
        return steps.unsqueeze(0) < lengths.unsqueeze(1);
    }

    /// <summary>Zeroes the padding frames, so that an operation looking across time (a convolution) sees zeros past each end, as it would on the sequence alone.</summary>
    public static Tensor ZeroPadding(Tensor x, Tensor lengths)
    {
        using var mask = ValidMask(lengths, x.shape[1]);
        return x * mask.unsqueeze(-1).to_type(x.dtype);
    }

    /// <summary>
    /// Sets every padding frame of <paramref name="x"/> <c>[batch, time, …]</c> (any rank from 2) to zero by
    /// selection rather than multiplication, so that infinities or NaNs in the padding cannot leak
    /// (0 · NaN is NaN): what an attention or convolution then reads past each end is the zero it would
    /// read on the sequence alone.
    /// </summary>
    public static Tensor ClearPadding(Tensor x, Tensor lengths)
    {
        using var valid = ValidMask(lengths.to(x.device), x.shape[1]);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[0] = x.shape[0];
        shape[1] = x.shape[1];
        using var padding = valid.logical_not().reshape(shape);
        using var zero = 0.ToScalar();
        return x.masked_fill(padding, zero);
    }

    /// <summary>
    /// Reverses each sequence within its own length and leaves its padding in place: the backward
    /// direction of a bidirectional RNN is then exact on a padded batch (padding still trails).
    /// Applying it twice gives the input back.
    /// </summary>
    public static Tensor ReverseWithinLengths(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        var time = x.shape[1];
        var steps = arange(time, device: x.device).unsqueeze(0);             // [1, T]
        using var one = 1.ToScalar();
        var last = lengths.to(x.device).to_type(ScalarType.Int64).sub(one).unsqueeze(1); // [B, 1]
        var source = where(steps <= last, last - steps, steps);                 // [B, T]
        var index = source.unsqueeze(-1).expand(x.shape[0], time, x.shape[2]);
        return x.gather(1, index).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Output lengths of a 1-D convolution over time: ⌊(L + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1,
    /// at least 0 — the same arithmetic that gives the padded batch's output width.
    /// </summary>
    public static Tensor ConvolvedLengths(Tensor lengths, int kernel, int stride, int padding, int dilation)
    {
        if (kernel < 1 || stride < 1 || dilation < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), "kernel, stride and dilation must be at least 1 and padding at least 0.");
        var span = SpecFacts.ConvolutionFacts.Span(kernel, dilation);
        // No implicit scalars: one can be finalized while the native call that received it still reads
        // it (see Tensors and NativeLifetimeTests).
        using var step = stride.ToScalar();
        using var zero = 0.ToScalar();
        using var shifted = Tensors.Add(lengths, 2L * padding - span);
        using var divided = shifted.div(step, rounding_mode: RoundingMode.floor);
        using var counted = Tensors.Add(divided, 1L);
        return counted.clamp_min(zero);
    }

    /// <inheritdoc cref="ConvolvedLengths(Tensor, int, int, int, int)"/>
    public static int ConvolvedLength(int length, int kernel, int stride, int padding, int dilation) =>
        SpecFacts.ConvolutionFacts.OutputLength(length, kernel, stride, padding, dilation);
}
