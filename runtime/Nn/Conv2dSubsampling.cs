using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Convolutional subsampling in front of an attention encoder, after NeMo's <c>ConvSubsampling</c>
/// with <c>subsampling: striding</c> (nemo/collections/asr/parts/submodules/subsampling.py): log₂(factor)
/// stacked 2-D convolutions over the time–frequency plane, each kernel <c>k</c>, stride 2, padding
/// (k − 1)/2, followed by a ReLU, then a linear layer from <c>channels × freq′</c> (channel-major, as
/// NeMo flattens <c>[batch, channels, time, freq]</c>) to <c>outputSize</c>.
/// <para>
/// One departure from NeMo, on purpose: before every convolution the frames past each sequence's
/// current length are zeroed, so a padded batch gives each sequence exactly what it gives alone
/// (NeMo lets padding leak into the last valid frames). Output lengths follow the convolution
/// arithmetic exactly: ⌊(L + 2·padding − k) / 2⌋ + 1 per layer (<see cref="OutputLengths(Tensor)"/>).
/// </para>
/// </summary>
public sealed class Conv2dSubsampling : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<Conv2d> conv = new();
    private readonly Linear @out;
    private readonly int kernel;
    private readonly long inputSize;

    /// <summary>Creates the stack.</summary>
    /// <param name="inputSize">Features per frame (the frequency axis), e.g. 80 mel bands.</param>
    /// <param name="outputSize">Features per output frame (the encoder's d_model).</param>
    /// <param name="factor">Time (and frequency) reduction: 2, 4 or 8.</param>
    /// <param name="channels">Channels of every convolution (NeMo's <c>subsampling_conv_channels</c>; NeMo uses d_model when unset).</param>
    /// <param name="kernel">Odd kernel size of every convolution (NeMo's default 3).</param>
    public Conv2dSubsampling(long inputSize, long outputSize, int factor = 4, long channels = 144, int kernel = 3)
        : base(nameof(Conv2dSubsampling))
    {
        if (factor is not (2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "Subsampling factor must be 2, 4 or 8.");
        if (kernel < 1 || kernel % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "Kernel must be odd and positive.");
        if (inputSize < 1 || outputSize < 1 || channels < 1) throw new ArgumentOutOfRangeException(nameof(inputSize), "Sizes must be positive.");
        this.kernel = kernel;
        this.inputSize = inputSize;
        Layers = (int)Math.Round(Math.Log2(factor));
        var frequencies = inputSize;
        for (var i = 0; i < Layers; i++)
        {
            conv.Add(new Conv2d(i == 0 ? 1 : channels, channels, kernel, stride: 2, padding: (kernel - 1) / 2));
            frequencies = Sequences.ConvolvedLength((int)frequencies, kernel, 2, (kernel - 1) / 2, 1);
        }
        if (frequencies < 1)
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, $"{inputSize} features leave no frequency bin after ×{factor} subsampling.");
        OutputFrequencies = frequencies;
        @out = nn.Linear(channels * frequencies, outputSize);
        RegisterComponents();
    }

    /// <summary>Stacked convolutions: log₂ of the factor.</summary>
    public int Layers { get; }

    /// <summary>Frequency bins left after the convolutions.</summary>
    public long OutputFrequencies { get; }

    /// <summary>The convolutions, first first (parameters <c>weight</c>, <c>bias</c>).</summary>
    public Conv2d[] Convolutions => conv.ToArray();

    /// <summary>The final projection to <c>outputSize</c>.</summary>
    public Linear Projection => @out;

    /// <summary>Valid output frames for <paramref name="lengths"/> valid input frames.</summary>
    public Tensor OutputLengths(Tensor lengths) => OutputLengths(lengths, Layers, kernel);

    /// <summary>Valid output frames of a stack of <paramref name="layers"/> stride-2 convolutions with odd <paramref name="kernel"/> and padding (kernel − 1)/2.</summary>
    public static Tensor OutputLengths(Tensor lengths, int layers, int kernel = 3)
    {
        using var scope = NewDisposeScope();
        var current = lengths.alias();
        for (var i = 0; i < layers; i++) current = Sequences.ConvolvedLengths(current, kernel, 2, (kernel - 1) / 2, 1);
        return current.MoveToOuterDisposeScope();
    }

    /// <inheritdoc cref="OutputLengths(Tensor, int, int)"/>
    public static int OutputLength(int length, int layers, int kernel = 3)
    {
        for (var i = 0; i < layers; i++) length = Sequences.ConvolvedLength(length, kernel, 2, (kernel - 1) / 2, 1);
        return length;
    }

    /// <summary><c>[batch, time, inputSize]</c> with valid <paramref name="lengths"/> → <c>[batch, time′, outputSize]</c>; time′ and the valid lengths per <see cref="OutputLengths(Tensor)"/>.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        if (x.shape[2] != inputSize)
            throw new ArgumentException($"conv2d_subsampling: {x.shape[2]} features per frame, {inputSize} expected.", nameof(x));
        using var scope = NewDisposeScope();
        var current = lengths;
        var y = x.unsqueeze(-1); // [batch, time, freq, 1]: channels last
        for (var i = 0; i < conv.Count; i++)
        {
            y = nn.functional.relu(conv[i].call(Sequences.ClearPadding(y, current)));
            current = Sequences.ConvolvedLengths(current, kernel, 2, (kernel - 1) / 2, 1);
        }
        // Padding frames of the last convolution reach no valid output through the per-frame projection.
        var flat = y.permute(0, 1, 3, 2).reshape(y.shape[0], y.shape[1], y.shape[3] * y.shape[2]);
        return @out.call(flat).MoveToOuterDisposeScope();
    }
}
