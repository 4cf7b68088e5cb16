using System.Collections.Generic;
using CtcDsl.Generator.Model;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Layers;

/// <summary><c>dense</c>: a projection per frame (<c>units: classes</c> = tokens + blank), with an optional activation.</summary>
internal sealed class DenseLayer : LayerKind
{
    public override string Type => "dense";

    public override bool HasModule => true;

    public override bool HasWeights => true;

    public override LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "units", "activation", "kernel_initializer", "bias_initializer");
        int? units = map.Find("units") is YamlScalarNode { Value: "classes" } ? r.Vocabulary?.ClassCount : r.Settings.Positive(map, "units", required: true);
        var activation = r.Settings.Activation(map, "activation");
        var kernel = r.Settings.Initializer(map, "kernel_initializer", "glorot_uniform");
        var bias = r.Settings.Initializer(map, "bias_initializer", "zeros");
        if (units is null || activation is null || kernel is null || bias is null) return null;
        return r.Plan("dense", units.Value, units.Value, activation: activation == "linear" ? null : activation, kernel: kernel, bias: bias);
    }

    public override string FieldType(LayerPlan layer) => "global::TorchSharp.Modules.Linear";

    public override string Construct(LayerPlan layer) => $"global::TorchSharp.torch.nn.Linear({layer.InputSize}, {layer.Units})";

    public override IEnumerable<string> Initialize(LayerPlan layer) => InitializerCode.WeightAndBias(layer);

    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        yield return $"var {layer.Output} = {Activate(layer, $"{layer.FieldName}.call({layer.Inputs[0]})")};";
    }
}
