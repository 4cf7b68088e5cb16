using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>What the attention encoders (<c>conformer</c>, <c>transformer</c>) need of their width: heads that divide it, and an even width for the sinusoids.</summary>
internal static class AttentionWidth
{
    /// <summary>True when <paramref name="units"/> suits <paramref name="heads"/> heads and sinusoidal positions; otherwise reports CTC0010 and returns false.</summary>
    public static bool Check(LayerReading r, YamlMap map, int units, int heads)
    {
        if (units % heads != 0)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("heads"), "heads", $"a divisor of units ({units}), so every head gets units / heads features", heads);
            return false;
        }
        if (units % 2 != 0)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("units"), "units", "even (sinusoidal positions pair a sine and a cosine per frequency)", units);
            return false;
        }
        return true;
    }
}
