using System.Collections.Generic;
using CtcDsl.Generator.Model;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Layers;

/// <summary><c>dense</c>: a projection per frame (<c>units: classes</c> = tokens + blank), with an optional activation.</summary>
internal sealed record DenseLayer(LayerWiring Wiring, int Units, string? Activation, InitializerPlan Kernel, InitializerPlan Bias) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("dense", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "units", "activation", "kernel_initializer", "bias_initializer");
        int? units = map.Find("units") is YamlScalarNode { Value: "classes" } ? r.ClassCount : r.Settings.Positive(map, "units", required: true);
        var activation = r.Settings.Activation(map, "activation");
        var kernel = r.Settings.Initializer(map, "kernel_initializer", "glorot_uniform");
        var bias = r.Settings.Initializer(map, "bias_initializer", "zeros");
        if (units is null || activation is null || kernel is null || bias is null) return null;
        return new DenseLayer(r.Wiring(), units.Value, LayerCode.Kept(activation), kernel, bias);
    }

    public override string Type => "dense";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => Units;

    public override bool HasWeights => true;

    public override string FieldType => "global::TorchSharp.Modules.Linear";

    public override string Construct() => $"global::TorchSharp.torch.nn.Linear({InputSize}, {Units})";

    public override IEnumerable<string> Initialize() => LayerCode.WeightAndBias(Name, FieldName, Kernel, Bias);

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {LayerCode.Activate(Activation, $"{FieldName}.call({Inputs[0]})")};";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.Linear({FieldName}, {Inputs[0]}{LayerCode.OnnxActivation(Activation)});";
    }

    public override string PythonConstruct() => $"nn.Linear({InputSize}, {Units})";

    public override IEnumerable<string> PythonInitialize() => PythonCode.WeightAndBias(Name, FieldName, Kernel, Bias);

    public override IEnumerable<string> PythonForward()
    {
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Activate(Activation, $"{PythonCode.Attribute(FieldName)}({PythonCode.Name(Inputs[0])})")}";
    }
}
