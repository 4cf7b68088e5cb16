using CtcDsl.Generator.Emitting;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>The C# of an initialiser applied to one parameter, and its description for the comment above it.</summary>
internal static class InitializerCode
{
    /// <summary>A projection's two parameters (<c>weight</c>, <c>bias</c>) drawn with its kernel and bias initialisers, under a comment naming them.</summary>
    public static System.Collections.Generic.IEnumerable<string> WeightAndBias(LayerPlan layer)
    {
        yield return $"// {layer.Name}: kernel {Describe(layer.KernelInitializer)}, bias {Describe(layer.BiasInitializer)}.";
        yield return Call(layer.KernelInitializer!, Parameter(layer.FieldName, "weight"));
        yield return Call(layer.BiasInitializer!, Parameter(layer.FieldName, "bias"));
    }

    public static string Parameter(string module, string name) => $"global::CtcDsl.Runtime.Nn.Initializers.Parameter({module}, \"{name}\")";

    public static string Call(InitializerPlan init, string target) => init.Kind switch
    {
        "glorot_uniform" => $"global::CtcDsl.Runtime.Nn.Initializers.GlorotUniform({target});",
        "orthogonal" => $"global::CtcDsl.Runtime.Nn.Initializers.Orthogonal({target});",
        "zeros" => $"global::CtcDsl.Runtime.Nn.Initializers.Zeros({target});",
        "truncated_normal" => $"global::CtcDsl.Runtime.Nn.Initializers.TruncatedNormal({target}, mean: {CSharpLiterals.Double(init.Mean)}, stddev: {CSharpLiterals.Double(init.StdDev)});",
        "uniform" => $"global::CtcDsl.Runtime.Nn.Initializers.Uniform({target}, low: {CSharpLiterals.Double(init.Low)}, high: {CSharpLiterals.Double(init.High)});",
        _ => throw new System.ArgumentException($"unknown initializer '{init.Kind}'", nameof(init)),
    };

    public static string Describe(InitializerPlan? init) => init?.Kind switch
    {
        "truncated_normal" => $"truncated normal({CSharpLiterals.Double(init.Mean)}, {CSharpLiterals.Double(init.StdDev)})",
        "uniform" => $"uniform({CSharpLiterals.Double(init.Low)}, {CSharpLiterals.Double(init.High)})",
        { } kind => kind.Replace('_', ' '),
        null => "default",
    };
}
