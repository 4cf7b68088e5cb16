using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>add</c> (a residual: equal widths) and <c>concat</c> (widths add up) of tensors with the same
/// lengths — the same convolutions between the features and each, compared structurally.
/// </summary>
internal sealed class CombineLayer(string type) : LayerKind
{
    public override string Type => type;

    public override bool HasModule => false;

    public override bool CombinesInputs => true;

    public override LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        var input = r.Input;
        map.AllowOnly("type", "name", "inputs");
        foreach (var other in r.Inputs.Skip(1).Where(o => !o.Subsampling.Equals(input.Subsampling)))
        {
            r.Context.Report(DiagnosticCatalog.LengthMismatch, map.SpanOf("inputs"), r.Name, $"'{input.Name}'", $"'{other.Name}'",
                LayerGraph.DescribeSubsampling(input.Subsampling), LayerGraph.DescribeSubsampling(other.Subsampling));
            return null;
        }
        if (type == "add")
        {
            var mismatch = r.Inputs.FirstOrDefault(o => o.Width != input.Width);
            if (mismatch is not null)
            {
                r.Context.Report(DiagnosticCatalog.WidthMismatch, map.SpanOf("inputs"), r.Name, "add",
                    $"'{input.Name}' is {input.Width} wide and '{mismatch.Name}' is {mismatch.Width}",
                    "project one of them with a dense layer, or use concat");
                return null;
            }
            return r.Plan("add", input.Width, input.Width);
        }
        var width = r.Inputs.Sum(i => (long)i.Width);
        if (width > SpecLimits.MaxWidth)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("inputs"), "inputs", $"tensors at most {SpecLimits.MaxWidth:N0} wide together", $"{width:N0} values per frame");
            return null;
        }
        return r.Plan("concat", (int)width, (int)width);
    }

    // Sums go through the runtime: TorchSharp's own '+' passes an alpha scalar that nothing keeps alive.
    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        yield return type == "add"
            ? $"var {layer.Output} = global::CtcDsl.Runtime.Nn.Tensors.Sum({string.Join(", ", layer.Inputs)});"
            : $"var {layer.Output} = global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", layer.Inputs)} }}, -1);";
    }
}
