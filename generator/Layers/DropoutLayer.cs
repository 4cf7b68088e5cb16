using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary><c>dropout</c>: zeroes a fraction of values while training; width and lengths unchanged.</summary>
internal sealed record DropoutLayer(LayerWiring Wiring, double Rate) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("dropout", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "rate");
        var rate = r.Settings.Rate(r.Map, "rate", required: true);
        return new DropoutLayer(r.Wiring(), rate);
    }

    public override string Type => "dropout";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => InputSize;

    public override string FieldType => "global::TorchSharp.Modules.Dropout";

    public override string Construct() => $"global::TorchSharp.torch.nn.Dropout({CSharpLiterals.Double(Rate)})";

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {FieldName}.call({Inputs[0]});";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.Dropout({Inputs[0]});";
    }

    public override string PythonConstruct() => $"nn.Dropout({PythonCode.Double(Rate)})";

    public override IEnumerable<string> PythonForward()
    {
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Attribute(FieldName)}({PythonCode.Name(Inputs[0])})";
    }
}
