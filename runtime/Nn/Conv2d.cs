using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// A 2-D convolution over the time–frequency plane on channels-last input <c>[batch, time, freq, in]</c>
/// with PyTorch's <c>Conv2d</c> parameters — <c>weight [out, in, kernel, kernel]</c>, <c>bias [out]</c> —
/// and the same zero padding on both sides of both axes.
/// <para>
/// On the CPU it is a matrix product over unfolded windows (im2col), like <see cref="Conv1d"/>: libtorch
/// 2.10's oneDNN convolution reorders float32 weights whose input channels are not a multiple of its
/// vector block into a layout it fills wrongly (issue 20, <c>docs/native-memory.md</c>), and the first
/// layer of a subsampling stack has one input channel. On other devices libtorch's convolution is used.
/// </para>
/// </summary>
public sealed class Conv2d : nn.Module<Tensor, Tensor>
{
    private readonly long inputChannels;
    private readonly long kernel;
    private readonly long stride;
    private readonly long padding;

    /// <summary>A square <paramref name="kernel"/> with the same <paramref name="stride"/> and <paramref name="padding"/> on both axes; PyTorch's default initialisation.</summary>
    public Conv2d(long inputChannels, long outputChannels, long kernel, long stride = 1, long padding = 0, string name = "Conv2d")
        : base(name)
    {
        if (inputChannels < 1 || outputChannels < 1 || kernel < 1 || stride < 1 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"conv2d({inputChannels} → {outputChannels}, kernel {kernel}, stride {stride}, padding {padding}): sizes must be positive, padding 0 or more.");
        this.inputChannels = inputChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        // torch.nn.Conv2d's initialisation (kaiming uniform, a = √5): bound 1/√fan_in for weight and bias.
        var bound = 1.0 / Math.Sqrt(inputChannels * kernel * kernel);
        weight = new Parameter(empty(outputChannels, inputChannels, kernel, kernel).uniform_(-bound, bound));
        bias = new Parameter(empty(outputChannels).uniform_(-bound, bound));
        RegisterComponents();
    }

    // Fields named as the state dict names them: Module.to(dtype or device) replaces registered
    // parameters through the member of the same name, which a get-only property cannot take.
    private Parameter weight;
    private Parameter bias;

    /// <summary><c>[out, in, kernel, kernel]</c> (state-dict name <c>weight</c>).</summary>
    public Parameter Weight => weight;

    /// <summary><c>[out]</c> (state-dict name <c>bias</c>).</summary>
    public Parameter Bias => bias;

    /// <summary>Output size along one axis of <paramref name="size"/> frames or bins: ⌊(size + 2·padding − kernel) / stride⌋ + 1, at least 0.</summary>
    public long OutputSize(long size) => Math.Max(0, (long)Math.Floor((size + 2.0 * padding - kernel) / stride) + 1);

    /// <summary><c>[batch, time, freq, in]</c> → <c>[batch, time′, freq′, out]</c> (see <see cref="OutputSize"/>).</summary>
    public override Tensor forward(Tensor input)
    {
        if (input.shape[3] != inputChannels)
            throw new ArgumentException($"conv2d: {input.shape[3]} input channels, {inputChannels} expected.", nameof(input));
        if (input.device_type != DeviceType.CPU)
        {
            using var nchw = input.permute(0, 3, 1, 2);
            using var convolved = nn.functional.conv2d(nchw, weight, bias, new[] { stride, stride }, new[] { padding, padding });
            return convolved.permute(0, 2, 3, 1);
        }

        using var scope = NewDisposeScope();
        var padded = padding > 0 ? nn.functional.pad(input, new[] { 0L, 0L, padding, padding, padding, padding }) : input;
        if (padded.shape[1] < kernel || padded.shape[2] < kernel)
            throw new ArgumentException($"conv2d: {padded.shape[1]}×{padded.shape[2]} (padding included) is smaller than the {kernel}×{kernel} kernel.", nameof(input));
        // [batch, time′, freq′, in, kernel (time), kernel (freq)]: the order of weight's trailing axes.
        var windows = padded.unfold(1, kernel, stride).unfold(2, kernel, stride);
        var columns = windows.reshape(windows.shape[0], windows.shape[1], windows.shape[2], inputChannels * kernel * kernel);
        return nn.functional.linear(columns, weight.view(weight.shape[0], inputChannels * kernel * kernel), bias).MoveToOuterDisposeScope();
    }
}
