using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>conv2d_subsampling</c>: the runtime's Conv2dSubsampling after NeMo's <c>striding</c> subsampling —
/// log₂(factor) conv2d layers over the time–frequency plane (kernel k, stride 2, padding (k − 1)/2, ReLU),
/// then a linear layer to <c>units</c>. Each layer is one window over time, so the lengths follow the
/// convolution arithmetic exactly through the analysis' usual length machinery (feasibility, frame rate).
/// </summary>
internal sealed record Conv2dSubsamplingLayer(LayerWiring Wiring, int Units, int Factor, int Channels, int Kernel) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("conv2d_subsampling", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "units", "factor", "channels", "kernel");
        var units = r.Settings.Positive(map, "units", required: true);
        var factor = r.Settings.Positive(map, "factor", required: true);
        var channels = r.Settings.Positive(map, "channels");
        var kernel = r.Settings.Positive(map, "kernel", max: 31) ?? 3;
        if (factor is not null and not (2 or 4 or 8))
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("factor"), "factor", "2, 4 or 8 (stride-2 convolutions: one, two or three)", factor);
            return null;
        }
        if (kernel % 2 == 0)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("kernel"), "kernel", "odd (padding (kernel − 1)/2 on each side, as NeMo's; 3 by default)", kernel);
            return null;
        }
        if (units is null || factor is null) return null;
        return new Conv2dSubsamplingLayer(r.Wiring(Layers(factor.Value, kernel)), units.Value, factor.Value, channels ?? units.Value, kernel);
    }

    /// <summary>One window over time per stride-2 convolution.</summary>
    private static IEnumerable<ConvPlan> Layers(int factor, int kernel) =>
        Enumerable.Repeat(new ConvPlan(kernel, 2, (kernel - 1) / 2, 1), factor == 2 ? 1 : factor == 4 ? 2 : 3);

    public override string Type => "conv2d_subsampling";

    public override int OutputSize => Units;

    public override EquatableArray<ConvPlan> Windows => Layers(Factor, Kernel).ToEquatableArray();

    public override bool HasWeights => true;

    public override string FieldType => "global::CtcDsl.Runtime.Nn.Conv2dSubsampling";

    // No initializer keys: PyTorch's (and NeMo's) default initialisation, redrawn by ResetParameters.
    public override IEnumerable<string> Initialize() => LayerCode.PyTorchDefaults(Name, FieldName);

    public override string Construct() =>
        $"new global::CtcDsl.Runtime.Nn.Conv2dSubsampling({InputSize}, {Units}, factor: {Factor}, channels: {Channels}, kernel: {Kernel})";

    public override IEnumerable<string> Forward()
    {
        // The module zeroes padding itself before each convolution.
        yield return $"var {Output} = {FieldName}.call({Inputs[0]}, {InputLengths});";
        yield return $"var {OutputLengths} = {FieldName}.OutputLengths({InputLengths});";
    }
}
