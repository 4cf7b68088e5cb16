using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>add</c> (a residual: equal widths) and <c>concat</c> (widths add up) of tensors with the same
/// lengths — the same windows between the features and each, compared structurally.
/// </summary>
internal sealed record CombineLayer(LayerWiring Wiring, bool IsConcat, int Width) : LayerPlan(Wiring)
{
    public static LayerKind Add { get; } = new("add", r => Read(r, isConcat: false), combinesInputs: true);

    public static LayerKind Concat { get; } = new("concat", r => Read(r, isConcat: true), combinesInputs: true);

    private static LayerPlan? Read(LayerReading r, bool isConcat)
    {
        var map = r.Map;
        var input = r.Input;
        map.AllowOnly("type", "name", "inputs");
        foreach (var other in r.Inputs.Skip(1).Where(o => !o.Subsampling.Equals(input.Subsampling)))
        {
            r.Context.Report(DiagnosticCatalog.LengthMismatch, map.SpanOf("inputs"), r.Name, $"'{input.Name}'", $"'{other.Name}'",
                Tensor.DescribeLengths(input.Subsampling), Tensor.DescribeLengths(other.Subsampling));
            return null;
        }
        if (!isConcat)
        {
            var mismatch = r.Inputs.FirstOrDefault(o => o.Width != input.Width);
            if (mismatch is not null)
            {
                r.Context.Report(DiagnosticCatalog.WidthMismatch, map.SpanOf("inputs"), r.Name, "add",
                    $"'{input.Name}' is {input.Width} wide and '{mismatch.Name}' is {mismatch.Width}",
                    "project one of them with a dense layer, or use concat");
                return null;
            }
            return new CombineLayer(r.Wiring(), isConcat, input.Width);
        }
        var width = r.Inputs.Sum(i => (long)i.Width);
        if (width > SpecLimits.MaxWidth)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("inputs"), "inputs", $"tensors at most {SpecLimits.MaxWidth:N0} wide together", $"{width:N0} values per frame");
            return null;
        }
        return new CombineLayer(r.Wiring(), isConcat, (int)width);
    }

    public override string Type => IsConcat ? "concat" : "add";

    public override string? StreamingObstacle => null; // frame by frame; the analyzer checks its inputs arrive frame-aligned

    public override int OutputSize => Width;

    // Sums go through the runtime: TorchSharp's own '+' passes an alpha scalar that nothing keeps alive.
    public override IEnumerable<string> Forward()
    {
        yield return IsConcat
            ? $"var {Output} = global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", Inputs)} }}, -1);"
            : $"var {Output} = global::CtcDsl.Runtime.Nn.Tensors.Sum({string.Join(", ", Inputs)});";
    }

    public override IEnumerable<string> Export()
    {
        yield return $"var {Output} = onnx.{(IsConcat ? "Concat" : "Sum")}({string.Join(", ", Inputs)});";
    }

    public override IEnumerable<string> PythonForward()
    {
        yield return IsConcat
            ? $"{PythonCode.Name(Output)} = torch.cat([{string.Join(", ", Inputs.Select(PythonCode.Name))}], -1)"
            : $"{PythonCode.Name(Output)} = {string.Join(" + ", Inputs.Select(PythonCode.Name))}";
    }
}
