using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Emitting;

/// <summary>The C# a layer contributes: its field type, constructor call, initialisation and forward statements.</summary>
internal static class LayerEmitter
{
    public static string FieldType(LayerPlan layer) => layer.Kind switch
    {
        "lstm" or "gru" when layer.Bidirectional => "global::CtcDsl.Runtime.Nn.BidirectionalRnn",
        "lstm" => "global::TorchSharp.Modules.LSTM",
        "gru" => "global::TorchSharp.Modules.GRU",
        "dense" => "global::TorchSharp.Modules.Linear",
        "conv1d" => "global::TorchSharp.Modules.Conv1d",
        "layer_norm" => "global::TorchSharp.Modules.LayerNorm",
        "batch_norm" => "global::CtcDsl.Runtime.Nn.MaskedBatchNorm",
        "dropout" => "global::TorchSharp.Modules.Dropout",
        _ => throw new System.ArgumentException($"layer kind '{layer.Kind}' has no module", nameof(layer)),
    };

    public static string Construct(LayerPlan layer)
    {
        // Conv1d's padding: an 'L' suffix, because a literal 0 also converts to TorchSharp's Padding enum and both overloads exist (CS0121).
        var dropout = layer.Dropout > 0 ? $", dropout: {CSharpLiterals.Double(layer.Dropout)}" : "";
        switch (layer.Kind)
        {
            case "lstm" or "gru" when layer.Bidirectional:
                return $"new global::CtcDsl.Runtime.Nn.BidirectionalRnn(global::CtcDsl.Runtime.Nn.RnnKind.{(layer.Kind == "lstm" ? "Lstm" : "Gru")}, inputSize: {layer.InputSize}, hiddenSize: {layer.Units}, layers: {layer.LayerCount}{dropout})";
            case "lstm":
            case "gru":
                return $"global::TorchSharp.torch.nn.{layer.Kind.ToUpperInvariant()}(inputSize: {layer.InputSize}, hiddenSize: {layer.Units}, numLayers: {layer.LayerCount}, batchFirst: true{dropout})";
            case "dense":
                return $"global::TorchSharp.torch.nn.Linear({layer.InputSize}, {layer.Units})";
            case "conv1d":
                var c = layer.Conv!;
                return $"global::TorchSharp.torch.nn.Conv1d({layer.InputSize}, {layer.Units}, kernel_size: {c.Kernel}, stride: {c.Stride}, padding: {c.Padding}L, dilation: {c.Dilation})";
            case "layer_norm":
                return $"global::TorchSharp.torch.nn.LayerNorm({layer.InputSize})";
            case "batch_norm":
                return $"new global::CtcDsl.Runtime.Nn.MaskedBatchNorm({layer.InputSize})";
            default:
                return $"global::TorchSharp.torch.nn.Dropout({CSharpLiterals.Double(layer.Dropout)})";
        }
    }

    public static IEnumerable<string> Initialize(LayerPlan layer)
    {
        switch (layer.Kind)
        {
            case "lstm":
            case "gru":
                yield return $"// {layer.Name}: kernel {Describe(layer.KernelInitializer)}, recurrent kernel {Describe(layer.RecurrentInitializer)}, bias {Describe(layer.BiasInitializer)}" +
                             (layer.UnitForgetBias ? ", forget gate bias 1 (Keras' unit_forget_bias)." : ".");
                if (layer.Bidirectional)
                {
                    yield return $"foreach (var direction in {layer.FieldName}.Directions)";
                    yield return "{";
                    foreach (var line in RnnLayer(layer, "direction", 0)) yield return "    " + line;
                    yield return "}";
                }
                else
                {
                    for (var l = 0; l < layer.LayerCount; l++)
                        foreach (var line in RnnLayer(layer, layer.FieldName, l)) yield return line;
                }
                break;
            case "dense":
            case "conv1d":
                yield return $"// {layer.Name}: kernel {Describe(layer.KernelInitializer)}, bias {Describe(layer.BiasInitializer)}.";
                yield return Call(layer.KernelInitializer!, Param(layer.FieldName, "weight"));
                yield return Call(layer.BiasInitializer!, Param(layer.FieldName, "bias"));
                break;
        }
    }

    private static IEnumerable<string> RnnLayer(LayerPlan layer, string module, int l)
    {
        yield return Call(layer.KernelInitializer!, Param(module, $"weight_ih_l{l}"));
        yield return Call(layer.RecurrentInitializer!, Param(module, $"weight_hh_l{l}"));
        // PyTorch keeps two bias vectors where Keras has one: both get the initialiser, the forget gate offset goes in one.
        yield return Call(layer.BiasInitializer!, Param(module, $"bias_ih_l{l}"));
        yield return Call(layer.BiasInitializer!, Param(module, $"bias_hh_l{l}"));
        if (layer.UnitForgetBias) yield return $"global::CtcDsl.Runtime.Nn.Initializers.ForgetGateBias({Param(module, $"bias_ih_l{l}")});";
    }

    /// <summary>The statements computing this layer's output local (and its lengths, when it subsamples).</summary>
    public static IEnumerable<string> Forward(LayerPlan layer)
    {
        var input = layer.Inputs[0];
        var f = layer.FieldName;
        string Activate(string expression) => layer.Activation is { } a ? $"global::TorchSharp.torch.nn.functional.{a}({expression})" : expression;
        switch (layer.Kind)
        {
            case "lstm" or "gru" when layer.Bidirectional:
            case "batch_norm":
                yield return $"var {layer.Output} = {f}.call({input}, {layer.InputLengths});";
                break;
            case "lstm":
            case "gru":
                yield return $"// {layer.Name}: a unidirectional RNN runs on the padded batch as is: padding trails each sequence, so it never reaches a valid step.";
                yield return layer.Kind == "lstm" ? $"var ({layer.Output}, _, _) = {f}.call({input});" : $"var ({layer.Output}, _) = {f}.call({input});";
                break;
            case "conv1d":
                var c = layer.Conv!;
                // Padding is zeroed first so each sequence's edges see zeros, exactly as when convolved alone.
                yield return $"var {layer.Output} = {Activate($"{f}.call(global::CtcDsl.Runtime.Nn.Sequences.ZeroPadding({input}, {layer.InputLengths}).transpose(1, 2)).transpose(1, 2)")};";
                if (!c.KeepsLength)
                    yield return $"var {layer.OutputLengths} = global::CtcDsl.Runtime.Nn.Sequences.ConvolvedLengths({layer.InputLengths}, kernel: {c.Kernel}, stride: {c.Stride}, padding: {c.Padding}, dilation: {c.Dilation});";
                break;
            case "activation":
                yield return $"var {layer.Output} = {Activate(input)};";
                break;
            case "add":
                // Through the runtime: TorchSharp's own '+' passes an alpha scalar that nothing keeps alive.
                yield return $"var {layer.Output} = global::CtcDsl.Runtime.Nn.Tensors.Sum({string.Join(", ", layer.Inputs)});";
                break;
            case "concat":
                yield return $"var {layer.Output} = global::TorchSharp.torch.cat(new[] {{ {string.Join(", ", layer.Inputs)} }}, -1);";
                break;
            default: // dense, dropout, layer_norm
                yield return $"var {layer.Output} = {Activate($"{f}.call({input})")};";
                break;
        }
    }

    private static string Param(string module, string name) => $"global::CtcDsl.Runtime.Nn.Initializers.Parameter({module}, \"{name}\")";

    private static string Call(InitializerPlan init, string target) => init.Kind switch
    {
        "glorot_uniform" => $"global::CtcDsl.Runtime.Nn.Initializers.GlorotUniform({target});",
        "orthogonal" => $"global::CtcDsl.Runtime.Nn.Initializers.Orthogonal({target});",
        "zeros" => $"global::CtcDsl.Runtime.Nn.Initializers.Zeros({target});",
        "truncated_normal" => $"global::CtcDsl.Runtime.Nn.Initializers.TruncatedNormal({target}, mean: {CSharpLiterals.Double(init.Mean)}, stddev: {CSharpLiterals.Double(init.StdDev)});",
        _ => $"global::CtcDsl.Runtime.Nn.Initializers.Uniform({target}, low: {CSharpLiterals.Double(init.Low)}, high: {CSharpLiterals.Double(init.High)});",
    };

    private static string Describe(InitializerPlan? init) => init?.Kind switch
    {
        "truncated_normal" => $"truncated normal({CSharpLiterals.Double(init.Mean)}, {CSharpLiterals.Double(init.StdDev)})",
        "uniform" => $"uniform({CSharpLiterals.Double(init.Low)}, {CSharpLiterals.Double(init.High)})",
        { } kind => kind.Replace('_', ' '),
        null => "default",
    };
}
