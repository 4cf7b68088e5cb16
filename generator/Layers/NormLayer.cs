using System.Collections.Generic;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>layer_norm</c> (per frame) and <c>batch_norm</c> (the runtime's MaskedBatchNorm: statistics over
/// valid frames only, so padding never shifts them); width and lengths unchanged.
/// </summary>
internal sealed record NormLayer(LayerWiring Wiring, bool IsBatch) : LayerPlan(Wiring)
{
    public static LayerKind LayerNorm { get; } = new("layer_norm", r => Read(r, isBatch: false));

    public static LayerKind BatchNorm { get; } = new("batch_norm", r => Read(r, isBatch: true));

    private static LayerPlan Read(LayerReading r, bool isBatch)
    {
        r.Map.AllowOnly("type", "name", "input");
        return new NormLayer(r.Wiring(), isBatch);
    }

    public override string Type => IsBatch ? "batch_norm" : "layer_norm";

    public override int OutputSize => InputSize;

    public override string FieldType => IsBatch ? "global::CtcDsl.Runtime.Nn.MaskedBatchNorm" : "global::TorchSharp.Modules.LayerNorm";

    public override string Construct() =>
        IsBatch ? $"new global::CtcDsl.Runtime.Nn.MaskedBatchNorm({InputSize})" : $"global::TorchSharp.torch.nn.LayerNorm({InputSize})";

    public override IEnumerable<string> Forward()
    {
        yield return IsBatch
            ? $"var {Output} = {FieldName}.call({Inputs[0]}, {InputLengths});"
            : $"var {Output} = {FieldName}.call({Inputs[0]});";
    }
}
