using System.Collections.Generic;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using CtcDsl.SpecFacts;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>conv1d</c> over time: stride subsamples, so the lengths change (⌊(L + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1)
/// unless the convolution keeps them (stride 1, 'same' padding). Padding frames are zeroed first so each
/// sequence's edges see zeros, exactly as when convolved alone.
/// </summary>
internal sealed record Conv1dLayer(LayerWiring Wiring, int Filters, ConvPlan Window, string? Activation, InitializerPlan Kernel, InitializerPlan Bias) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("conv1d", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "filters", "kernel", "stride", "padding", "dilation", "activation", "kernel_initializer", "bias_initializer");
        var filters = r.Settings.Positive(map, "filters", required: true);
        var kernelSize = r.Settings.Positive(map, "kernel", required: true);
        var stride = r.Settings.Positive(map, "stride") ?? 1;
        var dilation = r.Settings.Positive(map, "dilation") ?? 1;
        if ((long)dilation * ((kernelSize ?? 1) - 1) > SpecLimits.MaxCount)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("dilation"), "dilation", $"such that dilation·(kernel − 1) is at most {SpecLimits.MaxCount:N0}", $"{dilation}·({kernelSize} − 1)");
            return null;
        }
        var padding = Padding(r, kernelSize ?? 1, dilation);
        var activation = r.Settings.Activation(map, "activation");
        var kernel = r.Settings.Initializer(map, "kernel_initializer", "glorot_uniform");
        var bias = r.Settings.Initializer(map, "bias_initializer", "zeros");
        if (filters is null || kernelSize is null || padding is null || activation is null || kernel is null || bias is null) return null;
        var window = new ConvPlan(kernelSize.Value, stride, padding.Value, dilation);
        return new Conv1dLayer(r.Wiring(new[] { window }), filters.Value, window, LayerCode.Kept(activation), kernel, bias);
    }

    /// <summary>Symmetric padding: valid (0, the default), same (keeps length at stride 1), or frames.</summary>
    private static int? Padding(LayerReading r, int kernel, int dilation)
    {
        var node = r.Map.Find("padding");
        if (node is null) return 0;
        if (node is YamlScalarNode { Value: "valid" }) return 0;
        if (node is YamlScalarNode { Value: "same" })
        {
            if (ConvolutionFacts.SamePadding(kernel, dilation) is { } same) return same;
            r.Context.Report(DiagnosticCatalog.InvalidValue, node, "padding", "explicit frames: 'same' needs an odd receptive field (dilation·(kernel − 1) even)", $"kernel {kernel}, dilation {dilation}");
            return null;
        }
        if (node is YamlScalarNode { Value: { } text, Style: YamlDotNet.Core.ScalarStyle.Plain } && int.TryParse(text, out var frames) && frames >= 0 && frames <= SpecLimits.MaxCount) return frames;
        r.Context.Report(DiagnosticCatalog.InvalidValue, node, "padding", "valid, same, or a number of frames (0 or more)", YamlMap.Describe(node));
        return null;
    }

    public override string Type => "conv1d";

    // Streams with a cache of the frames its next windows need; its right padding is look-ahead.
    public override string? StreamingObstacle => null;

    public override int OutputSize => Filters;

    public override EquatableArray<ConvPlan> Windows => new[] { Window }.ToEquatableArray();

    public override bool HasWeights => true;

    // The runtime's conv1d, on [batch, time, channels]: libtorch's own is wrong on the CPU for most
    // channel counts (issue 20, docs/native-memory.md).
    public override string FieldType => "global::CtcDsl.Runtime.Nn.Conv1d";

    public override string Construct() =>
        $"new global::CtcDsl.Runtime.Nn.Conv1d({InputSize}, {Filters}, kernel: {Window.Kernel}, stride: {Window.Stride}, padding: {Window.Padding}, dilation: {Window.Dilation})";

    public override IEnumerable<string> Initialize() => LayerCode.WeightAndBias(Name, FieldName, Kernel, Bias);

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {LayerCode.Activate(Activation, $"{FieldName}.call(global::CtcDsl.Runtime.Nn.Sequences.ZeroPadding({Inputs[0]}, {InputLengths}))")};";
        if (!Window.KeepsLength)
            yield return $"var {OutputLengths} = {LayerCode.ConvolvedLengths(InputLengths, Window)};";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.Conv1d({FieldName}, onnx.ZeroPadding({Inputs[0]}, {InputLengths}){LayerCode.OnnxActivation(Activation)});";
        if (!Window.KeepsLength)
            yield return $"var {OutputLengths} = onnx.ConvolvedLengths({InputLengths}, kernel: {Window.Kernel}, stride: {Window.Stride}, padding: {Window.Padding}, dilation: {Window.Dilation});";
    }

    public override string PythonConstruct() =>
        $"nn_rt.Conv1d({InputSize}, {Filters}, {Window.Kernel}, stride={Window.Stride}, padding={Window.Padding}, dilation={Window.Dilation})";

    public override IEnumerable<string> PythonInitialize() => PythonCode.WeightAndBias(Name, FieldName, Kernel, Bias);

    public override IEnumerable<string> PythonForward()
    {
        var lengths = PythonCode.Name(InputLengths);
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Activate(Activation, $"{PythonCode.Attribute(FieldName)}(nn_rt.zero_padding({PythonCode.Name(Inputs[0])}, {lengths}))")}";
        if (!Window.KeepsLength)
            yield return $"{PythonCode.Name(OutputLengths)} = {PythonCode.ConvolvedLengths(lengths, Window)}";
    }
}
