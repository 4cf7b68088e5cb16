using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// A 1-D convolution over time on <c>[batch, time, channels]</c> (the layout every CtcDsl layer
/// passes), with PyTorch's <c>Conv1d</c> parameters — <c>weight [out, in, kernel]</c> and
/// <c>bias [out]</c> — so checkpoints and state dicts are those of <c>torch.nn.Conv1d</c>.
/// <para>
/// On the CPU it is computed as a matrix product over unfolded windows (im2col), not through
/// libtorch's convolution: libtorch 2.10's oneDNN reorders the weights of a float32 convolution
/// whose input channels are not a multiple of the vector block (26 log-mel bands, say) into a
/// padded layout with a faulty kernel that leaves the padded lanes unwritten and zeroes some real
/// weights, so that the output is wrong by up to a fifth of its range and NaN when the heap held a
/// NaN there (issue 20, <c>docs/native-memory.md</c>). On other devices (cuDNN) libtorch's
/// convolution is used.
/// </para>
/// </summary>
public sealed class Conv1d : nn.Module<Tensor, Tensor>
{
    private readonly long inputChannels;
    private readonly long kernel;
    private readonly long stride;
    private readonly long padding;
    private readonly long dilation;

    /// <summary>A convolution with <paramref name="padding"/> zero frames on each side; PyTorch's default initialisation.</summary>
    public Conv1d(long inputChannels, long outputChannels, long kernel, long stride = 1, long padding = 0, long dilation = 1, string name = "Conv1d")
        : base(name)
    {
        if (inputChannels < 1 || outputChannels < 1 || kernel < 1 || stride < 1 || padding < 0 || dilation < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"conv1d({inputChannels} → {outputChannels}, kernel {kernel}, stride {stride}, padding {padding}, dilation {dilation}): sizes must be positive, padding 0 or more.");
        this.inputChannels = inputChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        // torch.nn.Conv1d's initialisation (kaiming uniform, a = √5): bound 1/√fan_in for both.
        var bound = 1.0 / Math.Sqrt(inputChannels * kernel);
        weight = new Parameter(empty(outputChannels, inputChannels, kernel).uniform_(-bound, bound));
        bias = new Parameter(empty(outputChannels).uniform_(-bound, bound));
        register_parameter("weight", weight);
        register_parameter("bias", bias);
    }

    /// <summary><c>[out, in, kernel]</c>.</summary>
    public Parameter weight { get; }

    /// <summary><c>[out]</c>.</summary>
    public Parameter bias { get; }

    /// <summary>Frames between window starts (the ONNX exporter reads the settings here).</summary>
    internal long Stride => stride;

    /// <summary>Zero frames on each side.</summary>
    internal long Padding => padding;

    /// <summary>Frames between kernel taps.</summary>
    internal long Dilation => dilation;

    /// <summary><c>[batch, time, in]</c> → <c>[batch, ⌊(time + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1, out]</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.device_type != DeviceType.CPU)
            return nn.functional.conv1d(input.transpose(1, 2), weight, bias, stride, padding, dilation).transpose(1, 2);

        using var scope = NewDisposeScope();
        var padded = padding > 0 ? nn.functional.pad(input, new[] { 0L, 0L, padding, padding }) : input;
        var span = dilation * (kernel - 1) + 1;
        if (padded.shape[1] < span)
            throw new ArgumentException($"conv1d: {padded.shape[1]} frames (padding included) are fewer than the kernel spans ({span}).", nameof(input));
        var windows = padded.unfold(1, span, stride); // [batch, frames, in, span]
        if (dilation > 1) windows = windows[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, dilation)];
        var columns = windows.reshape(windows.shape[0], windows.shape[1], inputChannels * kernel);
        return nn.functional.linear(columns, weight.view(weight.shape[0], inputChannels * kernel), bias).MoveToOuterDisposeScope();
    }
}
