using System.Collections.Generic;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>batch_norm</c>: the runtime's MaskedBatchNorm, statistics over valid frames only, so padding never
/// shifts them; width and lengths unchanged.
/// </summary>
internal sealed record BatchNormLayer(LayerWiring Wiring) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("batch_norm", Read);

    private static LayerPlan Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input");
        return new BatchNormLayer(r.Wiring());
    }

    public override string Type => "batch_norm";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => InputSize;

    public override string FieldType => "global::CtcDsl.Runtime.Nn.MaskedBatchNorm";

    public override string Construct() => $"new global::CtcDsl.Runtime.Nn.MaskedBatchNorm({InputSize})";

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {FieldName}.call({Inputs[0]}, {InputLengths});";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.BatchNorm({FieldName}, {Inputs[0]});";
    }

    public override string PythonConstruct() => $"nn_rt.MaskedBatchNorm({InputSize})";

    public override IEnumerable<string> PythonForward()
    {
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Attribute(FieldName)}({PythonCode.Name(Inputs[0])}, {PythonCode.Name(InputLengths)})";
    }
}
