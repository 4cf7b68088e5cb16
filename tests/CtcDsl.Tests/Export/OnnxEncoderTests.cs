using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Export;
using CtcDsl.Runtime.Nn;
using Microsoft.ML.OnnxRuntime;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Export;

/// <summary>
/// The runtime's ONNX methods for the attention-era modules on their own, each module with every
/// parameter and statistic at random: on a padded batch whose padding holds NaN and ∞, ONNX Runtime
/// gives the module's valid frames (within 1e-4) and exactly its lengths; and the length arithmetic
/// agrees with the runtime for every length from 0, including inputs shorter than one window.
/// </summary>
public class OnnxEncoderTests(ITestOutputHelper output)
{
    private const int Width = 12;
    private static readonly long[] Lengths = { 23, 9, 16, 1 };

    public static IEnumerable<object[]> Modules() => new[]
    {
        "subsampling ×2", "subsampling ×4", "subsampling ×8, kernel 5",
        "conformer, relative, batch norm", "conformer, absolute, layer norm, unscaled",
        "transformer, pre-norm, absolute", "transformer, post-norm, relative, gelu", "transformer, pre-norm, relative, unscaled",
    }.Select(name => new object[] { name });

    [Theory]
    [MemberData(nameof(Modules))]
    public void Onnx_runtime_gives_the_module_s_valid_frames_whatever_the_padding_holds(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var (module, forward, export) = Create(name);
        using (no_grad())
        {
            foreach (var (_, parameter) in module.named_parameters()) parameter.uniform_(-0.3, 0.3);
            foreach (var (buffer, values) in module.named_buffers())
                if (buffer.EndsWith("running_var", StringComparison.Ordinal)) values.uniform_(0.5, 1.5);
                else if (buffer.EndsWith("running_mean", StringComparison.Ordinal)) values.uniform_(-0.5, 0.5);
        }
        module.eval();
        var time = Lengths.Max();
        var x = rand(Lengths.Length, time, Width) * 2 - 1;
        for (var b = 0; b < Lengths.Length; b++)
            if (Lengths[b] < time) x[b, TensorIndex.Slice(Lengths[b])] = b % 2 == 0 ? float.NaN : float.PositiveInfinity;
        var lengths = tensor(Lengths);

        Tensor expected, expectedLengths;
        using (no_grad()) (expected, expectedLengths) = forward(x, lengths);
        var graph = new OnnxGraph(Width);
        var (y, yLengths) = export(graph, graph.Features, graph.FeatureLengths);
        graph.Output(y, yLengths);
        var (actual, actualLengths) = Run(graph, x, Lengths);

        Assert.Equal(expectedLengths.data<long>().ToArray(), actualLengths);
        var frames = expected.shape[1];
        var size = expected.shape[2];
        double max = 0;
        for (var b = 0; b < Lengths.Length; b++)
        {
            var valid = expected[b].narrow(0, 0, actualLengths[b]).contiguous().data<float>().ToArray();
            for (var i = 0; i < valid.Length; i++)
            {
                var value = actual[b * frames * size + i];
                Assert.True(float.IsFinite(value), $"{name}: item {b} has a non-finite valid output");
                max = Math.Max(max, Math.Abs(value - valid[i]));
            }
        }
        output.WriteLine($"{name}: max |ONNX Runtime − TorchSharp| over valid frames = {max:E2}");
        Assert.True(max < 1e-4, $"{name}: differs by {max:E2}");
    }

    [Theory]
    [InlineData(PositionEncoding.Absolute)]
    [InlineData(PositionEncoding.Relative)]
    public void Long_inputs_get_the_same_positions(PositionEncoding positions)
    {
        // The sinusoids are computed in the graph from each batch's width: nothing to outgrow. 1200 frames
        // (2399 relative distances) stays within a test's memory; the graph is the same at any width.
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var module = new TransformerEncoder(Width, 16, heads: 2, layerCount: 1, feedForwardSize: 32, positions: positions);
        module.eval();
        var lengths = new long[] { 1200, 1100 };
        var x = rand(lengths.Length, lengths[0], Width) * 2 - 1;
        Tensor expected;
        using (no_grad()) expected = module.call(x, tensor(lengths));
        var graph = new OnnxGraph(Width);
        graph.Output(graph.Transformer(module, graph.Features, graph.FeatureLengths), graph.FeatureLengths);
        var (actual, _) = Run(graph, x, lengths);
        var difference = expected.contiguous().data<float>().ToArray().Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        output.WriteLine($"{positions}, {lengths[0]} frames: max |ONNX Runtime − TorchSharp| = {difference:E2}");
        Assert.True(difference < 1e-4, $"{positions}: differs by {difference:E2} at {lengths[0]} frames");
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    [InlineData(3, 5)]
    public void Subsampled_lengths_equal_the_runtime_s_from_zero(int layers, int kernel)
    {
        using var scope = NewDisposeScope();
        var lengths = Enumerable.Range(0, 42).Select(l => (long)l).ToArray();
        using var module = new Conv2dSubsampling(Width, 8, factor: 1 << layers, channels: 2, kernel: kernel);
        var graph = new OnnxGraph(Width);
        var (y, yLengths) = graph.Conv2dSubsampling(module, graph.Features, graph.FeatureLengths);
        graph.Output(y, yLengths);
        var (_, actual) = Run(graph, zeros(lengths.Length, lengths.Max(), Width), lengths);
        Assert.Equal(module.OutputLengths(tensor(lengths)).data<long>().ToArray(), actual);
        Assert.Equal(lengths.Select(l => (long)Conv2dSubsampling.OutputLength((int)l, layers, kernel)), actual);
    }

    [Theory]
    [InlineData(5, 2, 0, 1)]  // L = 4: (4 − 5) / 2 truncates to 0, the floor is −1: no frame
    [InlineData(3, 2, 1, 1)]  // L = 0
    [InlineData(11, 2, 5, 1)]
    [InlineData(3, 3, 0, 2)]
    [InlineData(4, 1, 0, 1)]
    public void Convolved_lengths_are_floored_and_never_negative(int kernel, int stride, int padding, int dilation)
    {
        var lengths = Enumerable.Range(0, 30).Select(l => (long)l).ToArray();
        var graph = new OnnxGraph(Width);
        graph.Output(graph.Features, graph.ConvolvedLengths(graph.FeatureLengths, kernel, stride, padding, dilation));
        using var scope = NewDisposeScope();
        var (_, actual) = Run(graph, zeros(lengths.Length, 1, Width), lengths);
        Assert.Equal(lengths.Select(l => (long)Sequences.ConvolvedLength((int)l, kernel, stride, padding, dilation)), actual);
    }

    private delegate (Tensor X, Tensor Lengths) Forward(Tensor x, Tensor lengths);

    private delegate (OnnxValue X, OnnxValue Lengths) Export(OnnxGraph graph, OnnxValue x, OnnxValue lengths);

    private static (nn.Module Module, Forward Forward, Export Export) Create(string name)
    {
        switch (name)
        {
            case "subsampling ×2" or "subsampling ×4" or "subsampling ×8, kernel 5":
            {
                var factor = name.Contains("×2") ? 2 : name.Contains("×4") ? 4 : 8;
                var module = new Conv2dSubsampling(Width, 16, factor, channels: 4, kernel: name.Contains("kernel 5") ? 5 : 3);
                return (module, (x, l) => (module.call(x, l), module.OutputLengths(l)), (g, x, l) => g.Conv2dSubsampling(module, x, l));
            }
            case var _ when name.StartsWith("conformer", StringComparison.Ordinal):
            {
                // 12 → 16: the input projection too.
                var module = new ConformerEncoder(Width, 16, heads: 2, blocks: 2, feedForwardSize: 32, convolutionKernel: 5,
                    convolutionNorm: name.Contains("batch norm") ? ConvolutionNorm.BatchNorm : ConvolutionNorm.LayerNorm,
                    positions: name.Contains("relative") ? PositionEncoding.Relative : PositionEncoding.Absolute, scaleInput: !name.Contains("unscaled"));
                return (module, (x, l) => (module.call(x, l), l), (g, x, l) => (g.Conformer(module, x, l), l));
            }
            default:
            {
                var module = new TransformerEncoder(Width, 16, heads: 4, layerCount: 2, feedForwardSize: 32, normFirst: name.Contains("pre-norm"),
                    positions: name.Contains("relative") ? PositionEncoding.Relative : PositionEncoding.Absolute,
                    activation: name.Contains("gelu") ? TransformerActivation.Gelu : TransformerActivation.Relu, scaleInput: !name.Contains("unscaled"));
                return (module, (x, l) => (module.call(x, l), l), (g, x, l) => (g.Transformer(module, x, l), l));
            }
        }
    }

    /// <summary>The graph in ONNX Runtime: the primary outputs, flattened, for <paramref name="x"/> <c>[batch, time, Width]</c>.</summary>
    private static (float[] Logits, long[] Lengths) Run(OnnxGraph graph, Tensor x, long[] lengths)
    {
        var info = new OnnxModelInfo("test", new CtcDsl.Runtime.Text.Vocabulary(new[] { "a", "_" }, 1), Width, 1, null, null, OnnxDecoderInfo.Greedy);
        using var session = new InferenceSession(graph.ToModel(info));
        using var features = OrtValue.CreateTensorValueFromMemory(x.contiguous().data<float>().ToArray(), x.shape);
        using var featureLengths = OrtValue.CreateTensorValueFromMemory(lengths, new long[] { lengths.Length });
        using var run = new RunOptions();
        using var outputs = session.Run(run, new Dictionary<string, OrtValue> { [OnnxModelInfo.FeaturesInput] = features, [OnnxModelInfo.FeatureLengthsInput] = featureLengths },
            new[] { OnnxModelInfo.LogitsOutput, OnnxModelInfo.LogitLengthsOutput });
        return (outputs[0].GetTensorDataAsSpan<float>().ToArray(), outputs[1].GetTensorDataAsSpan<long>().ToArray());
    }
}
