using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>transformer</c>: the runtime's TransformerEncoder — <c>layers</c> layers after PyTorch's
/// <c>nn.TransformerEncoderLayer</c>, pre- or post-norm (pre-norm adds a final LayerNorm), with absolute
/// sinusoidal or relative (NeMo's Transformer-XL) positions. Attention is masked by lengths; lengths
/// unchanged, width <c>units</c>.
/// </summary>
internal sealed record TransformerLayer(LayerWiring Wiring, int Units, int Heads, int LayerCount, int FeedForward, string Norm, string Positions,
    string Activation, double Dropout, bool ScaleInput) : LayerPlan(Wiring)
{
    public static LayerKind Kind { get; } = new("transformer", Read);

    private static LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly("type", "name", "input", "units", "heads", "layers", "feed_forward", "norm", "positions", "activation", "dropout", "scale_input");
        var units = r.Settings.Positive(map, "units", required: true);
        var heads = r.Settings.Positive(map, "heads", required: true);
        var layers = r.Settings.Positive(map, "layers", required: true, max: SpecLimits.MaxStackedLayers);
        var feedForward = r.Settings.Positive(map, "feed_forward");
        var norm = r.Settings.Choice(map, "norm", "norm placement", new[] { "pre", "post" }, "pre");
        var positions = r.Settings.Choice(map, "positions", "position encoding", new[] { "absolute", "relative" }, "absolute");
        var activation = r.Settings.Choice(map, "activation", "transformer activation", new[] { "relu", "gelu" }, "relu");
        var dropout = map.Has("dropout") ? r.Settings.Rate(map, "dropout") : 0.1;
        var scale = map.Bool("scale_input") ?? true;
        if (units is null || heads is null || layers is null || norm is null || positions is null || activation is null || !AttentionWidth.Check(r, map, units.Value, heads.Value)) return null;
        return new TransformerLayer(r.Wiring(), units.Value, heads.Value, layers.Value, feedForward ?? 4 * units.Value, norm, positions, activation, dropout, scale);
    }

    public override string Type => "transformer";

    public override int OutputSize => Units;

    public override bool HasWeights => true;

    public override string FieldType => "global::CtcDsl.Runtime.Nn.TransformerEncoder";

    // No initializer keys: PyTorch's (and NeMo's) default initialisation, redrawn by ResetParameters.
    public override IEnumerable<string> Initialize() => LayerCode.PyTorchDefaults(Name, FieldName);

    public override string Construct() =>
        $"new global::CtcDsl.Runtime.Nn.TransformerEncoder({InputSize}, {Units}, heads: {Heads}, layerCount: {LayerCount}, feedForwardSize: {FeedForward}, " +
        $"dropout: {CSharpLiterals.Double(Dropout)}, normFirst: {(Norm == "pre" ? "true" : "false")}, " +
        $"positions: global::CtcDsl.Runtime.Nn.PositionEncoding.{(Positions == "relative" ? "Relative" : "Absolute")}, " +
        $"activation: global::CtcDsl.Runtime.Nn.TransformerActivation.{(Activation == "gelu" ? "Gelu" : "Relu")}, scaleInput: {(ScaleInput ? "true" : "false")})";

    public override IEnumerable<string> Forward()
    {
        // The encoder clears padding itself (by selection: NaN or ∞ there cannot leak).
        yield return $"var {Output} = {FieldName}.call({Inputs[0]}, {InputLengths});";
    }
}
