using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Emitting;

/// <summary>The C# a layer contributes: its field type, constructor call, initialisation and forward step.</summary>
internal static class LayerEmitter
{
    public static string FieldType(LayerPlan layer) => layer.Kind switch
    {
        "lstm" => "LSTM",
        "gru" => "GRU",
        "dense" => "Linear",
        _ => "Dropout",
    };

    public static string Construct(LayerPlan layer)
    {
        string Rnn(string factory) =>
            $"nn.{factory}(inputSize: {layer.InputSize}, hiddenSize: {layer.Units}, numLayers: {layer.LayerCount}, batchFirst: true" +
            (layer.Dropout > 0 ? $", dropout: {CSharpLiterals.Double(layer.Dropout)})" : ")");
        return layer.Kind switch
        {
            "lstm" => Rnn("LSTM"),
            "gru" => Rnn("GRU"),
            "dense" => $"nn.Linear({layer.InputSize}, {layer.Units})",
            _ => $"nn.Dropout({CSharpLiterals.Double(layer.Dropout)})",
        };
    }

    public static IEnumerable<string> Initialize(LayerPlan layer)
    {
        var f = layer.FieldName;
        string Param(string name) => $"Initializers.Parameter({f}, \"{name}\")";
        switch (layer.Kind)
        {
            case "lstm":
            case "gru":
                yield return $"// {layer.Name}: kernel {Describe(layer.KernelInitializer)}, recurrent kernel {Describe(layer.RecurrentInitializer)}, bias {Describe(layer.BiasInitializer)}" +
                             (layer.UnitForgetBias ? ", forget gate bias 1 (Keras' unit_forget_bias)." : ".");
                for (var l = 0; l < layer.LayerCount; l++)
                {
                    yield return Call(layer.KernelInitializer!, Param($"weight_ih_l{l}"));
                    yield return Call(layer.RecurrentInitializer!, Param($"weight_hh_l{l}"));
                    // PyTorch keeps two bias vectors where Keras has one: both get the initialiser, the forget gate offset goes in one.
                    yield return Call(layer.BiasInitializer!, Param($"bias_ih_l{l}"));
                    yield return Call(layer.BiasInitializer!, Param($"bias_hh_l{l}"));
                    if (layer.UnitForgetBias) yield return $"Initializers.ForgetGateBias({Param($"bias_ih_l{l}")});";
                }
                break;
            case "dense":
                yield return $"// {layer.Name}: kernel {Describe(layer.KernelInitializer)}, bias {Describe(layer.BiasInitializer)}.";
                yield return Call(layer.KernelInitializer!, Param("weight"));
                yield return Call(layer.BiasInitializer!, Param("bias"));
                break;
        }
    }

    /// <summary>The statement computing this layer's output local from its input local.</summary>
    public static string Forward(LayerPlan layer, string input, string output) => layer.Kind switch
    {
        "lstm" => $"var ({output}, _, _) = {layer.FieldName}.call({input});",
        "gru" => $"var ({output}, _) = {layer.FieldName}.call({input});",
        "dense" when layer.Activation is { } activation => $"var {output} = nn.functional.{activation}({layer.FieldName}.call({input}));",
        _ => $"var {output} = {layer.FieldName}.call({input});",
    };

    private static string Call(InitializerPlan init, string target) => init.Kind switch
    {
        "glorot_uniform" => $"Initializers.GlorotUniform({target});",
        "orthogonal" => $"Initializers.Orthogonal({target});",
        "zeros" => $"Initializers.Zeros({target});",
        "truncated_normal" => $"Initializers.TruncatedNormal({target}, mean: {CSharpLiterals.Double(init.Mean)}, stddev: {CSharpLiterals.Double(init.StdDev)});",
        _ => $"Initializers.Uniform({target}, low: {CSharpLiterals.Double(init.Low)}, high: {CSharpLiterals.Double(init.High)});",
    };

    private static string Describe(InitializerPlan? init) => init?.Kind switch
    {
        "truncated_normal" => $"truncated normal({CSharpLiterals.Double(init.Mean)}, {CSharpLiterals.Double(init.StdDev)})",
        "uniform" => $"uniform({CSharpLiterals.Double(init.Low)}, {CSharpLiterals.Double(init.High)})",
        { } kind => kind.Replace('_', ' '),
        null => "default",
    };
}
