using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>masking</c>: accepted for Keras users and ignored with a warning (lengths already mask padding).
/// An alias of its input: later layers read the input's local directly, and no code is emitted.
/// </summary>
internal sealed record MaskingLayer(LayerWiring Wiring) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("masking", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "mask_value");
        r.Context.Report(DiagnosticCatalog.MaskingIgnored, r.Map.Span, r.Name);
        return new MaskingLayer(r.Wiring(outputLocal: r.Input.Local));
    }

    public override string Type => "masking";

    public override string? StreamingObstacle => null; // frame by frame

    public override int OutputSize => InputSize;

    public override bool IsAlias => true;

    public override IEnumerable<string> Forward() => Enumerable.Empty<string>();

    public override IEnumerable<string> Export() => Enumerable.Empty<string>();

    public override IEnumerable<string> PythonForward() => Enumerable.Empty<string>();
}
