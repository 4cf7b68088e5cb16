using System.Collections.Generic;
using CtcDsl.Generator.Emitting;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary><c>dropout</c>: zeroes a fraction of values while training; width and lengths unchanged.</summary>
internal sealed class DropoutLayer : LayerKind
{
    public override string Type => "dropout";

    public override bool HasModule => true;

    public override LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "rate");
        var rate = r.Settings.Rate(r.Map, "rate", required: true);
        return r.Plan("dropout", r.Input.Width, r.Input.Width, dropout: rate);
    }

    public override string FieldType(LayerPlan layer) => "global::TorchSharp.Modules.Dropout";

    public override string Construct(LayerPlan layer) => $"global::TorchSharp.torch.nn.Dropout({CSharpLiterals.Double(layer.Dropout)})";

    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        yield return $"var {layer.Output} = {layer.FieldName}.call({layer.Inputs[0]});";
    }
}
