namespace CtcDsl.Generator.Parsing;

/// <summary>Bounds on the sizes a spec may give, so no arithmetic of the analysis overflows.</summary>
internal static class SpecLimits
{
    /// <summary>Largest count or size a spec may give (units, filters, kernel, epochs...).</summary>
    public const int MaxCount = 1 << 20;

    /// <summary>Widest tensor a layer may produce (concatenations add up).</summary>
    public const long MaxWidth = 1 << 24;

    /// <summary>Most layers one lstm or gru may stack.</summary>
    public const int MaxStackedLayers = 64;
}
