using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>conformer</c>: the runtime's ConformerEncoder after NeMo's — <c>blocks</c> macaron blocks (½ feed-forward,
/// self-attention with relative or absolute positions, convolution module, ½ feed-forward, LayerNorm),
/// with NeMo's defaults. Attention is masked by lengths and batch norm counts valid frames only; lengths
/// unchanged, width <c>units</c>.
/// </summary>
internal sealed record ConformerLayer(LayerWiring Wiring, int Units, int Heads, int Blocks, int FeedForward, int ConvKernel, string ConvNorm,
    string Positions, double Dropout, double AttentionDropout, double InputDropout, bool ScaleInput) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("conformer", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "units", "heads", "blocks", "feed_forward", "conv_kernel", "conv_norm", "positions",
            "dropout", "attention_dropout", "input_dropout", "scale_input");
        var units = r.Settings.Positive(map, "units", required: true);
        var heads = r.Settings.Positive(map, "heads", required: true);
        var blocks = r.Settings.Positive(map, "blocks", required: true, max: SpecLimits.MaxStackedLayers);
        var feedForward = r.Settings.Positive(map, "feed_forward");
        var kernel = r.Settings.Positive(map, "conv_kernel", max: 1023) ?? 31;
        var norm = r.Settings.Choice(map, "conv_norm", "convolution norm", new[] { "batch_norm", "layer_norm" }, "batch_norm");
        var positions = r.Settings.Choice(map, "positions", "position encoding", new[] { "relative", "absolute" }, "relative");
        var dropout = map.Has("dropout") ? r.Settings.Rate(map, "dropout") : 0.1;
        var attentionDropout = map.Has("attention_dropout") ? r.Settings.Rate(map, "attention_dropout") : 0.1;
        var inputDropout = map.Has("input_dropout") ? r.Settings.Rate(map, "input_dropout") : 0.1;
        var scale = map.Bool("scale_input") ?? true;
        if (kernel % 2 == 0)
        {
            r.Context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("conv_kernel"), "conv_kernel", "odd, so the depthwise convolution keeps the length (NeMo's default is 31)", kernel);
            return null;
        }
        if (units is null || heads is null || blocks is null || norm is null || positions is null || !AttentionWidth.Check(r, map, units.Value, heads.Value)) return null;
        return new ConformerLayer(r.Wiring(), units.Value, heads.Value, blocks.Value, feedForward ?? 4 * units.Value, kernel, norm, positions,
            dropout, attentionDropout, inputDropout, scale);
    }

    public override string Type => "conformer";

    public override int OutputSize => Units;

    public override bool HasWeights => true;

    public override string FieldType => "global::CtcDsl.Runtime.Nn.ConformerEncoder";

    // No initializer keys: PyTorch's (and NeMo's) default initialisation, redrawn by ResetParameters.
    public override IEnumerable<string> Initialize() => LayerCode.PyTorchDefaults(Name, FieldName);

    public override string Construct() =>
        $"new global::CtcDsl.Runtime.Nn.ConformerEncoder({InputSize}, {Units}, heads: {Heads}, blocks: {Blocks}, feedForwardSize: {FeedForward}, " +
        $"convolutionKernel: {ConvKernel}, convolutionNorm: global::CtcDsl.Runtime.Nn.ConvolutionNorm.{(ConvNorm == "batch_norm" ? "BatchNorm" : "LayerNorm")}, " +
        $"dropout: {CSharpLiterals.Double(Dropout)}, attentionDropout: {CSharpLiterals.Double(AttentionDropout)}, inputDropout: {CSharpLiterals.Double(InputDropout)}, " +
        $"positions: global::CtcDsl.Runtime.Nn.PositionEncoding.{(Positions == "relative" ? "Relative" : "Absolute")}, scaleInput: {(ScaleInput ? "true" : "false")})";

    public override IEnumerable<string> Forward()
    {
        // The encoder clears padding itself (by selection: NaN or ∞ there cannot leak).
        yield return $"var {Output} = {FieldName}.call({Inputs[0]}, {InputLengths});";
    }
}
