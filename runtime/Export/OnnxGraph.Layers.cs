using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Nn;

namespace CtcDsl.Runtime.Export;

/// <summary>The per-frame layers and the length arithmetic, each as its runtime module computes it in evaluation mode.</summary>
public sealed partial class OnnxGraph
{
    /// <summary><c>dense</c>: <c>x·Wᵀ + b</c> (MatMul + Add, any leading axes).</summary>
    public OnnxValue Linear(TorchSharp.Modules.Linear module, OnnxValue x, string? activation = null)
    {
        var weight = module.weight ?? throw new ArgumentException("A linear layer without weights.", nameof(module));
        var (outputs, inputs) = (weight.shape[0], weight.shape[1]);
        var transposed = Transpose2d(Values(weight), (int)outputs, (int)inputs);
        var product = Node("MatMul", new[] { x, Initializer("linear_weight", transposed, inputs, outputs) }, "linear");
        var y = module.bias is { } bias ? Node("Add", new[] { product, Initializer("linear_bias", Values(bias), outputs) }, "linear_out") : product;
        return Activation(activation, y);
    }

    /// <summary><c>conv1d</c> over time on <c>[batch, time, channels]</c>: ONNX Conv on the transposed tensor, PyTorch's weights as they are.</summary>
    public OnnxValue Conv1d(Nn.Conv1d module, OnnxValue x, string? activation = null)
    {
        if (IsStreaming) return StreamingConv1d(module, x, activation);
        var w = module.weight;
        var channelsFirst = Node("Transpose", new[] { x }, "conv_in", Ints("perm", 0, 2, 1));
        var conv = Node("Conv", new[] { channelsFirst, Initializer("conv_weight", Values(w), w.shape), Initializer("conv_bias", Values(module.bias), module.bias.shape[0]) }, "conv",
            Ints("kernel_shape", w.shape[2]), Ints("strides", module.Stride), Ints("pads", module.Padding, module.Padding), Ints("dilations", module.Dilation));
        return Activation(activation, Node("Transpose", new[] { conv }, "conv_out", Ints("perm", 0, 2, 1)));
    }

    /// <summary><c>batch_norm</c> with its running statistics: <c>(x − mean) / √(var + ε) · γ + β</c>, folded into one scale and shift per feature.</summary>
    public OnnxValue BatchNorm(MaskedBatchNorm module, OnnxValue x)
    {
        var (mean, variance, gamma, beta) = (Values(module.RunningMean), Values(module.RunningVariance), Values(module.Weight), Values(module.Bias));
        var scale = new float[mean.Length];
        var shift = new float[mean.Length];
        for (var c = 0; c < mean.Length; c++)
        {
            // Folded in double: the float32 result differs from the runtime's op-by-op float32 by an ulp or two.
            var s = gamma[c] / Math.Sqrt(variance[c] + module.Epsilon);
            scale[c] = (float)s;
            shift[c] = (float)(beta[c] - mean[c] * s);
        }
        var scaled = Node("Mul", new[] { x, Initializer("norm_scale", scale, scale.Length) }, "norm_scaled");
        return Node("Add", new[] { scaled, Initializer("norm_shift", shift, shift.Length) }, "norm");
    }

    /// <summary><c>layer_norm</c> over each frame's features (ONNX LayerNormalization, opset 17); without elementwise affine parameters the scale is ones and there is no shift.</summary>
    public OnnxValue LayerNorm(TorchSharp.Modules.LayerNorm module, OnnxValue x, double epsilon = 1e-5, int width = 0)
    {
        var scale = module.weight is { } weight ? Values(weight) : Enumerable.Repeat(1f, width > 0 ? width : throw new ArgumentException("A layer norm without weights needs its width.", nameof(width))).ToArray();
        var inputs = new List<OnnxValue> { x, Initializer("layer_norm_weight", scale, scale.Length) };
        if (module.bias is { } bias) inputs.Add(Initializer("layer_norm_bias", Values(bias), scale.Length));
        return Node("LayerNormalization", inputs, "layer_norm", new Attribute("axis", Int: -1), new Attribute("epsilon", Float: (float)epsilon));
    }

    /// <summary><c>dropout</c>: nothing at inference (an Identity, so the layer keeps its place in the graph).</summary>
    public OnnxValue Dropout(OnnxValue x) => Node("Identity", new[] { x }, "dropout");

    /// <summary>An activation function by its spec name (relu, tanh, sigmoid, gelu — erf-exact, as TorchSharp's; linear or null: none).</summary>
    public OnnxValue Activation(string? function, OnnxValue x) => function switch
    {
        null or "linear" => x,
        "relu" => Node("Relu", new[] { x }, "relu"),
        "tanh" => Node("Tanh", new[] { x }, "tanh"),
        "sigmoid" => Node("Sigmoid", new[] { x }, "sigmoid"),
        // Opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2)).
        "gelu" => Node("Mul", new[] { Node("Mul", new[] { x, Scalar("half", 0.5f) }, "gelu_half"),
            Node("Add", new[] { Node("Erf", new[] { Node("Mul", new[] { x, Scalar("inv_sqrt2", (float)(1 / Math.Sqrt(2))) }, "gelu_scaled") }, "gelu_erf"), Scalar("one", 1f) }, "gelu_sum") }, "gelu"),
        _ => throw new ArgumentException($"No ONNX export for the activation '{function}'.", nameof(function)),
    };

    /// <summary><c>add</c>: the element-wise sum of equally shaped tensors (a residual).</summary>
    public OnnxValue Sum(params OnnxValue[] inputs) => Node("Sum", inputs, "sum");

    /// <summary><c>concat</c>: features side by side.</summary>
    public OnnxValue Concat(params OnnxValue[] inputs) => Node("Concat", inputs, "concat", new Attribute("axis", Int: -1));

    /// <summary>Zeroes padding frames (<see cref="Sequences.ZeroPadding"/>): frame t of item b is kept when t &lt; lengths[b].</summary>
    public OnnxValue ZeroPadding(OnnxValue x, OnnxValue lengths) => IsStreaming ? x : // one utterance, no padding
        Node("Where", new[] { ValidMask(x, lengths), x, Scalar("zero", 0f) }, "zero_padded");

    /// <summary>Lengths after a convolution, as <see cref="Sequences.ConvolvedLengths"/>: ⌊(L + 2p − d(k − 1) − 1) / s⌋ + 1, at least 0.</summary>
    public OnnxValue ConvolvedLengths(OnnxValue lengths, int kernel, int stride, int padding, int dilation)
    {
        if (IsStreaming) return lengths; // a chunk's frame counts are the layers' own shapes; nothing reads these
        // ⌊(L + c) / s⌋ + 1 = ⌊(L + c + s) / s⌋. ONNX's integer Div truncates toward zero, which is the
        // floor for a numerator of 0 or more; clamping the numerator at 0 gives the floor there and the
        // "at least 0" below it (an input too short for one window: L = 0, or L + 2p below the span).
        var shifted = Node("Add", new[] { lengths, Int64s("length_shift", new[] { (long)(2 * padding - dilation * (kernel - 1) - 1 + stride) }, scalar: true) }, "lengths_shifted");
        var clamped = Node("Max", new[] { shifted, Int64s("length_floor", new[] { 0L }, scalar: true) }, "lengths_clamped");
        return Node("Div", new[] { clamped, Int64s("length_stride", new[] { (long)stride }, scalar: true) }, "lengths");
    }

    /// <summary><c>[batch, time, 1]</c> booleans: frame t of item b is valid.</summary>
    private OnnxValue ValidMask(OnnxValue x, OnnxValue lengths) =>
        Node("Unsqueeze", new[] { ValidSteps(x, 1, lengths), Int64s("axis_2", new[] { 2L }) }, "valid_mask");

    /// <summary><c>[batch, time]</c> booleans for the time axis <paramref name="timeAxis"/> of <paramref name="x"/>: step t of item b is valid when t &lt; lengths[b].</summary>
    private OnnxValue ValidSteps(OnnxValue x, int timeAxis, OnnxValue lengths)
    {
        var steps = Node("Range", new[] { Int64s("range_start", new[] { 0L }, scalar: true), Node("Squeeze", new[] { Time(x, timeAxis) }, "time_scalar"), Int64s("range_step", new[] { 1L }, scalar: true) }, "steps");
        var column = Node("Unsqueeze", new[] { lengths, Int64s("axis_1", new[] { 1L }) }, "lengths_column");
        return Node("Less", new[] { steps, column }, "valid");
    }

    /// <summary>The (dynamic) size of axis <paramref name="axis"/> of <paramref name="x"/>, <c>[1]</c> int64.</summary>
    private OnnxValue Time(OnnxValue x, int axis = 1) =>
        Node("Shape", new[] { x }, "time", new Attribute("start", Int: axis), new Attribute("end", Int: axis + 1));

    private OnnxValue Scalar(string hint, float value) => Initializer(hint, new[] { value });

    private static Attribute Ints(string name, params long[] values) => new(name, Ints: values);

    /// <summary><c>[rows, columns]</c> → <c>[columns, rows]</c>, row-major.</summary>
    private static float[] Transpose2d(float[] values, int rows, int columns)
    {
        var result = new float[values.Length];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++) result[c * rows + r] = values[r * columns + c];
        return result;
    }
}
