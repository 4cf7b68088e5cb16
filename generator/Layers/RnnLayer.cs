using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Emitting;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// <c>lstm</c> and <c>gru</c>: stacked, optionally bidirectional, with Keras' initialisers. Unidirectional
/// stacks are TorchSharp's fused modules on the padded batch (padding trails, so it never reaches a
/// valid step); bidirectional ones the runtime's BidirectionalRnn (the backward direction runs on
/// each sequence reversed within its length).
/// </summary>
internal sealed class RnnLayer(string type) : LayerKind
{
    private static readonly string[] Keys = { "type", "name", "input", "units", "layers", "dropout", "bidirectional", "kernel_initializer", "recurrent_initializer", "bias_initializer" };

    public override string Type => type;

    public override bool HasModule => true;

    public override bool HasWeights => true;

    private bool IsLstm => type == "lstm";

    public override LayerPlan? Read(LayerReading r)
    {
        var map = r.Map;
        map.AllowOnly(IsLstm ? Keys.Concat(new[] { "unit_forget_bias" }).ToArray() : Keys);
        var units = r.Settings.Positive(map, "units", required: true);
        var count = r.Settings.Positive(map, "layers", max: SpecLimits.MaxStackedLayers) ?? 1;
        var dropout = r.Settings.Rate(map, "dropout");
        var bidirectional = map.Bool("bidirectional") ?? false;
        var kernel = r.Settings.Initializer(map, "kernel_initializer", "glorot_uniform");
        var recurrent = r.Settings.Initializer(map, "recurrent_initializer", "orthogonal");
        var bias = r.Settings.Initializer(map, "bias_initializer", "zeros");
        var forget = IsLstm && (map.Bool("unit_forget_bias") ?? true);
        if (units is null || kernel is null || recurrent is null || bias is null) return null;
        return r.Plan(type, units.Value, units.Value * (bidirectional ? 2 : 1), count, bidirectional, dropout, null, null, kernel, recurrent, bias, forget);
    }

    public override string FieldType(LayerPlan layer) =>
        layer.Bidirectional ? "global::CtcDsl.Runtime.Nn.BidirectionalRnn" : IsLstm ? "global::TorchSharp.Modules.LSTM" : "global::TorchSharp.Modules.GRU";

    public override string Construct(LayerPlan layer)
    {
        var dropout = layer.Dropout > 0 ? $", dropout: {CSharpLiterals.Double(layer.Dropout)}" : "";
        return layer.Bidirectional
            ? $"new global::CtcDsl.Runtime.Nn.BidirectionalRnn(global::CtcDsl.Runtime.Nn.RnnKind.{(IsLstm ? "Lstm" : "Gru")}, inputSize: {layer.InputSize}, hiddenSize: {layer.Units}, layers: {layer.LayerCount}{dropout})"
            : $"global::TorchSharp.torch.nn.{type.ToUpperInvariant()}(inputSize: {layer.InputSize}, hiddenSize: {layer.Units}, numLayers: {layer.LayerCount}, batchFirst: true{dropout})";
    }

    public override IEnumerable<string> Initialize(LayerPlan layer)
    {
        yield return $"// {layer.Name}: kernel {InitializerCode.Describe(layer.KernelInitializer)}, recurrent kernel {InitializerCode.Describe(layer.RecurrentInitializer)}, bias {InitializerCode.Describe(layer.BiasInitializer)}" +
                     (layer.UnitForgetBias ? ", forget gate bias 1 (Keras' unit_forget_bias)." : ".");
        if (layer.Bidirectional)
        {
            yield return $"foreach (var direction in {layer.FieldName}.Directions)";
            yield return "{";
            foreach (var line in Stack(layer, "direction", 0)) yield return "    " + line;
            yield return "}";
        }
        else
        {
            for (var l = 0; l < layer.LayerCount; l++)
                foreach (var line in Stack(layer, layer.FieldName, l)) yield return line;
        }
    }

    private static IEnumerable<string> Stack(LayerPlan layer, string module, int l)
    {
        yield return InitializerCode.Call(layer.KernelInitializer!, InitializerCode.Parameter(module, $"weight_ih_l{l}"));
        yield return InitializerCode.Call(layer.RecurrentInitializer!, InitializerCode.Parameter(module, $"weight_hh_l{l}"));
        // PyTorch keeps two bias vectors where Keras has one: both get the initialiser, the forget gate offset goes in one.
        yield return InitializerCode.Call(layer.BiasInitializer!, InitializerCode.Parameter(module, $"bias_ih_l{l}"));
        yield return InitializerCode.Call(layer.BiasInitializer!, InitializerCode.Parameter(module, $"bias_hh_l{l}"));
        if (layer.UnitForgetBias) yield return $"global::CtcDsl.Runtime.Nn.Initializers.ForgetGateBias({InitializerCode.Parameter(module, $"bias_ih_l{l}")});";
    }

    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        var input = layer.Inputs[0];
        if (layer.Bidirectional)
        {
            yield return $"var {layer.Output} = {layer.FieldName}.call({input}, {layer.InputLengths});";
            yield break;
        }
        yield return $"// {layer.Name}: a unidirectional RNN runs on the padded batch as is: padding trails each sequence, so it never reaches a valid step.";
        yield return IsLstm ? $"var ({layer.Output}, _, _) = {layer.FieldName}.call({input});" : $"var ({layer.Output}, _) = {layer.FieldName}.call({input});";
    }
}
