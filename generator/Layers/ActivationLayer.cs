using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary><c>activation</c>: a function per value (<c>linear</c> passes the input on); no weights.</summary>
internal sealed record ActivationLayer(LayerWiring Wiring, string? Function) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("activation", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "function");
        var function = r.Settings.Activation(r.Map, "function", required: true);
        if (function is null) return null;
        return new ActivationLayer(r.Wiring(), LayerCode.Kept(function));
    }

    public override string Type => "activation";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => InputSize;

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {LayerCode.Activate(Function, Inputs[0])};";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.Activation({(Function is { } f ? CSharpLiterals.String(f) : "null")}, {Inputs[0]});";
    }

    public override IEnumerable<string> PythonForward()
    {
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Activate(Function, PythonCode.Name(Inputs[0]))}";
    }
}
