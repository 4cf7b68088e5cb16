using System.Collections.Generic;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>layer_norm</c> (per frame) and <c>batch_norm</c> (the runtime's MaskedBatchNorm: statistics over
/// valid frames only, so padding never shifts them); width and lengths unchanged.
/// </summary>
internal sealed class NormLayer(string type) : LayerKind
{
    public override string Type => type;

    public override bool HasModule => true;

    private bool IsBatch => type == "batch_norm";

    public override LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input");
        return r.Plan(type, r.Input.Width, r.Input.Width);
    }

    public override string FieldType(LayerPlan layer) => IsBatch ? "global::CtcDsl.Runtime.Nn.MaskedBatchNorm" : "global::TorchSharp.Modules.LayerNorm";

    public override string Construct(LayerPlan layer) =>
        IsBatch ? $"new global::CtcDsl.Runtime.Nn.MaskedBatchNorm({layer.InputSize})" : $"global::TorchSharp.torch.nn.LayerNorm({layer.InputSize})";

    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        yield return IsBatch
            ? $"var {layer.Output} = {layer.FieldName}.call({layer.Inputs[0]}, {layer.InputLengths});"
            : $"var {layer.Output} = {layer.FieldName}.call({layer.Inputs[0]});";
    }
}
