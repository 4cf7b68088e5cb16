using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>layer_norm</c>: each frame normalised over its features, (x − mean) / √(variance + epsilon) with the
/// biased variance, then scaled and shifted per feature when <c>elementwise_affine</c> (PyTorch's
/// <c>nn.LayerNorm</c> over the last axis, its defaults included). A frame never sees another, so
/// padding cannot reach a valid frame; width and lengths unchanged.
/// </summary>
internal sealed record LayerNormLayer(LayerWiring Wiring, double Epsilon, bool ElementwiseAffine) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("layer_norm", Read);

    /// <summary>PyTorch's default (and TorchSharp's, so the generated call leaves it out).</summary>
    public const double DefaultEpsilon = 1e-5;

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "epsilon", "elementwise_affine");
        var epsilon = map.Double("epsilon") ?? DefaultEpsilon;
        var affine = map.Bool("elementwise_affine") ?? true;
        // Positive: with 0 a constant frame divides by zero (the reader already refuses what is not a finite number).
        if (epsilon <= 0)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("epsilon"), "epsilon", "a positive number (PyTorch's default is 1e-5)", epsilon);
            return null;
        }
        return new LayerNormLayer(r.Wiring(), epsilon, affine);
    }

    public override string Type => "layer_norm";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => InputSize;

    public override string FieldType => "global::TorchSharp.Modules.LayerNorm";

    public override string Construct() =>
        $"global::TorchSharp.torch.nn.LayerNorm({InputSize}" +
        (Epsilon != DefaultEpsilon ? $", eps: {CSharpLiterals.Double(Epsilon)}" : "") +
        (ElementwiseAffine ? "" : ", elementwise_affine: false") + ")";

    public override IEnumerable<string> Forward()
    {
        yield return $"var {Output} = {FieldName}.call({Inputs[0]});";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.LayerNorm({FieldName}, {Inputs[0]}" +
                     (Epsilon != DefaultEpsilon ? $", epsilon: {CSharpLiterals.Double(Epsilon)}" : "") +
                     (ElementwiseAffine ? "" : $", width: {InputSize}") + ");";
    }

    public override string PythonConstruct() =>
        $"nn.LayerNorm({InputSize}, eps={PythonCode.Double(Epsilon)}, elementwise_affine={PythonCode.Bool(ElementwiseAffine)})";

    public override IEnumerable<string> PythonForward()
    {
        yield return $"{PythonCode.Name(Output)} = {PythonCode.Attribute(FieldName)}({PythonCode.Name(Inputs[0])})";
    }
}
