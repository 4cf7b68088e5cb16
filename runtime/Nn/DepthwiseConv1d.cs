using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// A depthwise 1-D convolution over time on <c>[batch, time, channels]</c> that keeps the length: odd
/// kernel, stride 1, (kernel − 1)/2 zero frames on each side, one filter per channel. Parameters are
/// those of <c>torch.nn.Conv1d(channels, channels, kernel, padding=(kernel-1)//2, groups=channels)</c>:
/// <c>weight [channels, 1, kernel]</c>, <c>bias [channels]</c>.
/// <para>
/// The caller zeroes the padding frames first (<see cref="Sequences.ClearPadding"/>), so that what a
/// sequence's last frames see past its end are zeros, as alone. On the CPU it is a weighted sum over
/// unfolded windows rather than libtorch's grouped convolution, for the oneDNN reason given on
/// <see cref="Conv1d"/>; on other devices libtorch's convolution is used.
/// </para>
/// </summary>
public sealed class DepthwiseConv1d : nn.Module<Tensor, Tensor>
{
    private readonly long channels;
    private readonly long kernel;

    /// <summary>Creates the convolution; PyTorch's default initialisation (bound 1/√kernel: fan-in of one channel).</summary>
    public DepthwiseConv1d(long channels, long kernel, string name = nameof(DepthwiseConv1d)) : base(name)
    {
        if (channels < 1) throw new ArgumentOutOfRangeException(nameof(channels), channels, "At least one channel.");
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The kernel must be odd so that the length is kept.");
        this.channels = channels;
        this.kernel = kernel;
        var bound = 1.0 / Math.Sqrt(kernel);
        weight = new Parameter(empty(channels, 1, kernel).uniform_(-bound, bound));
        bias = new Parameter(empty(channels).uniform_(-bound, bound));
        RegisterComponents();
    }

    // Fields named as the state dict names them: Module.to(dtype or device) replaces registered
    // parameters through the member of the same name, which a get-only property cannot take.
    private Parameter weight;
    private Parameter bias;

    /// <summary><c>[channels, 1, kernel]</c> (state-dict name <c>weight</c>).</summary>
    public Parameter Weight => weight;

    /// <summary><c>[channels]</c> (state-dict name <c>bias</c>).</summary>
    public Parameter Bias => bias;

    /// <summary><c>[batch, time, channels]</c> → the same shape.</summary>
    public override Tensor forward(Tensor input)
    {
        var padding = (kernel - 1) / 2;
        if (input.device_type != DeviceType.CPU)
        {
            using var ncw = input.transpose(1, 2);
            using var convolved = nn.functional.conv1d(ncw, weight, bias, 1, padding, 1, channels);
            return convolved.transpose(1, 2);
        }

        using var scope = NewDisposeScope();
        var padded = padding > 0 ? nn.functional.pad(input, new[] { 0L, 0L, padding, padding }) : input;
        var windows = padded.unfold(1, kernel, 1);                       // [batch, time, channels, kernel]
        var summed = (windows * weight.view(channels, kernel)).sum(-1);   // [batch, time, channels]
        return Tensors.Add(summed, bias).MoveToOuterDisposeScope();
    }
}
