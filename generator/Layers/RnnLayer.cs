using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>lstm</c> and <c>gru</c>: stacked, optionally bidirectional, with Keras' initialisers. Unidirectional
/// stacks are TorchSharp's fused modules on the padded batch (padding trails, so it never reaches a
/// valid step); bidirectional ones the runtime's BidirectionalRnn (the backward direction runs on
/// each sequence reversed within its length).
/// </summary>
internal sealed record RnnLayer(
    LayerWiring Wiring,
    bool IsLstm,
    int Units,
    int LayerCount,
    bool Bidirectional,
    double Dropout,
    InitializerPlan Kernel,
    InitializerPlan Recurrent,
    InitializerPlan Bias,
    bool UnitForgetBias) : LayerPlan(Wiring)
{
    public static LayerKind Lstm { get; } = new("lstm", r => Read(r, isLstm: true));

    public static LayerKind Gru { get; } = new("gru", r => Read(r, isLstm: false));

    private static readonly string[] Keys = { "type", "name", "input", "units", "layers", "dropout", "bidirectional", "kernel_initializer", "recurrent_initializer", "bias_initializer" };

    private static LayerPlan? Read(LayerReading r, bool isLstm)
    {
        var map = r.Map;
        map.AllowOnly(isLstm ? Keys.Concat(new[] { "unit_forget_bias" }).ToArray() : Keys);
        var units = r.Settings.Positive(map, "units", required: true);
        var count = r.Settings.Positive(map, "layers", max: SpecLimits.MaxStackedLayers) ?? 1;
        var dropout = r.Settings.Rate(map, "dropout");
        var bidirectional = map.Bool("bidirectional") ?? false;
        var kernel = r.Settings.Initializer(map, "kernel_initializer", "glorot_uniform");
        var recurrent = r.Settings.Initializer(map, "recurrent_initializer", "orthogonal");
        var bias = r.Settings.Initializer(map, "bias_initializer", "zeros");
        var forget = isLstm && (map.Bool("unit_forget_bias") ?? true);
        if (units is null || kernel is null || recurrent is null || bias is null) return null;
        return new RnnLayer(r.Wiring(), isLstm, units.Value, count, bidirectional, dropout, kernel, recurrent, bias, forget);
    }

    public override string Type => IsLstm ? "lstm" : "gru";

    public override string? StreamingObstacle => Bidirectional ? "a bidirectional RNN reads each utterance backwards from its end, which a stream has not reached" : null;

    public override int OutputSize => Units * (Bidirectional ? 2 : 1);

    public override bool HasWeights => true;

    public override string FieldType =>
        Bidirectional ? "global::CtcDsl.Runtime.Nn.BidirectionalRnn" : IsLstm ? "global::TorchSharp.Modules.LSTM" : "global::TorchSharp.Modules.GRU";

    public override string Construct()
    {
        var dropout = Dropout > 0 ? $", dropout: {CSharpLiterals.Double(Dropout)}" : "";
        return Bidirectional
            ? $"new global::CtcDsl.Runtime.Nn.BidirectionalRnn(global::CtcDsl.Runtime.Nn.RnnKind.{(IsLstm ? "Lstm" : "Gru")}, inputSize: {InputSize}, hiddenSize: {Units}, layers: {LayerCount}{dropout})"
            : $"global::TorchSharp.torch.nn.{Type.ToUpperInvariant()}(inputSize: {InputSize}, hiddenSize: {Units}, numLayers: {LayerCount}, batchFirst: true{dropout})";
    }

    public override IEnumerable<string> Initialize()
    {
        yield return $"// {Name}: kernel {LayerCode.Describe(Kernel)}, recurrent kernel {LayerCode.Describe(Recurrent)}, bias {LayerCode.Describe(Bias)}" +
                     (UnitForgetBias ? ", forget gate bias 1 (Keras' unit_forget_bias)." : ".");
        if (Bidirectional)
        {
            yield return $"foreach (var direction in {FieldName}.Directions)";
            yield return "{";
            foreach (var line in Stack("direction", 0)) yield return "    " + line;
            yield return "}";
        }
        else
        {
            for (var l = 0; l < LayerCount; l++)
                foreach (var line in Stack(FieldName, l)) yield return line;
        }
    }

    private IEnumerable<string> Stack(string module, int l)
    {
        yield return LayerCode.Initialize(Kernel, LayerCode.Parameter(module, $"weight_ih_l{l}"));
        yield return LayerCode.Initialize(Recurrent, LayerCode.Parameter(module, $"weight_hh_l{l}"));
        // PyTorch keeps two bias vectors where Keras has one: both get the initialiser, the forget gate offset goes in one.
        yield return LayerCode.Initialize(Bias, LayerCode.Parameter(module, $"bias_ih_l{l}"));
        yield return LayerCode.Initialize(Bias, LayerCode.Parameter(module, $"bias_hh_l{l}"));
        if (UnitForgetBias) yield return $"global::CtcDsl.Runtime.Nn.Initializers.ForgetGateBias({LayerCode.Parameter(module, $"bias_ih_l{l}")});";
    }

    public override IEnumerable<string> Forward()
    {
        var input = Inputs[0];
        if (Bidirectional)
        {
            yield return $"var {Output} = {FieldName}.call({input}, {InputLengths});";
            yield break;
        }
        yield return $"// {Name}: a unidirectional RNN runs on the padded batch as is: padding trails each sequence, so it never reaches a valid step.";
        yield return IsLstm ? $"var ({Output}, _, _) = {FieldName}.call({input});" : $"var ({Output}, _) = {FieldName}.call({input});";
    }

    // The ONNX nodes need the lengths only where the runtime does: a bidirectional layer's reverse direction.
    public override IEnumerable<string> Export()
    {
        yield return Bidirectional
            ? $"var {Output} = onnx.Rnn({FieldName}, {Inputs[0]}, {InputLengths});"
            : $"var {Output} = onnx.Rnn({FieldName}, {Inputs[0]});";
    }

    public override string PythonConstruct()
    {
        var dropout = Dropout > 0 ? $", dropout={PythonCode.Double(Dropout)}" : "";
        return Bidirectional
            ? $"nn_rt.BidirectionalRnn(\"{Type}\", {InputSize}, {Units}, layers={LayerCount}{dropout})"
            : $"nn.{Type.ToUpperInvariant()}({InputSize}, {Units}, num_layers={LayerCount}, batch_first=True{dropout})";
    }

    public override IEnumerable<string> PythonInitialize()
    {
        yield return $"# {Name}: kernel {LayerCode.Describe(Kernel)}, recurrent kernel {LayerCode.Describe(Recurrent)}, bias {LayerCode.Describe(Bias)}" +
                     (UnitForgetBias ? ", forget gate bias 1 (Keras' unit_forget_bias)." : ".");
        if (Bidirectional)
        {
            yield return $"for direction in {PythonCode.Attribute(FieldName)}.directions():";
            foreach (var line in PythonStack("direction", 0)) yield return "    " + line;
        }
        else
        {
            for (var l = 0; l < LayerCount; l++)
                foreach (var line in PythonStack(PythonCode.Attribute(FieldName), l)) yield return line;
        }
    }

    private IEnumerable<string> PythonStack(string module, int l)
    {
        yield return PythonCode.Initialize(Kernel, $"{module}.weight_ih_l{l}");
        yield return PythonCode.Initialize(Recurrent, $"{module}.weight_hh_l{l}");
        yield return PythonCode.Initialize(Bias, $"{module}.bias_ih_l{l}");
        yield return PythonCode.Initialize(Bias, $"{module}.bias_hh_l{l}");
        if (UnitForgetBias) yield return $"nn_rt.forget_gate_bias({module}.bias_ih_l{l})";
    }

    public override IEnumerable<string> PythonForward()
    {
        var input = PythonCode.Name(Inputs[0]);
        var output = PythonCode.Name(Output);
        yield return Bidirectional
            ? $"{output} = {PythonCode.Attribute(FieldName)}({input}, {PythonCode.Name(InputLengths)})"
            : $"{output} = {PythonCode.Attribute(FieldName)}({input})[0]";
    }
}
