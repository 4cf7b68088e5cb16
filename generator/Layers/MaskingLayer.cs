using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>masking</c>: accepted for Keras users and ignored with a warning (lengths already mask padding).
/// An alias of its input: later layers read the input's local directly, and no code is emitted.
/// </summary>
internal sealed class MaskingLayer : LayerKind
{
    public override string Type => "masking";

    public override bool HasModule => false;

    public override bool IsAlias => true;

    public override LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "mask_value");
        r.Context.Report(DiagnosticCatalog.MaskingIgnored, r.Map.Span, r.Name);
        return r.Plan("masking", r.Input.Width, r.Input.Width, outputLocal: r.Input.Local);
    }

    public override IEnumerable<string> Forward(LayerPlan layer) => Enumerable.Empty<string>();
}
