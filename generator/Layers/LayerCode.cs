using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>C# that several layer kinds print: activations, initialisers, convolved lengths.</summary>
internal static class LayerCode
{
    /// <summary>An activation applied to <paramref name="expression"/>, or the expression itself (null: linear).</summary>
    public static string Activate(string? activation, string expression) =>
        activation is { } a ? $"global::TorchSharp.torch.nn.functional.{a}({expression})" : expression;

    /// <summary>The activation a plan keeps: null for linear, so nothing is printed.</summary>
    public static string? Kept(string activation) => activation == "linear" ? null : activation;

    /// <summary>A projection's two parameters (<c>weight</c>, <c>bias</c>) drawn with its kernel and bias initialisers, under a comment naming them.</summary>
    public static IEnumerable<string> WeightAndBias(string name, string module, InitializerPlan kernel, InitializerPlan bias)
    {
        yield return $"// {name}: kernel {Describe(kernel)}, bias {Describe(bias)}.";
        yield return Initialize(kernel, Parameter(module, "weight"));
        yield return Initialize(bias, Parameter(module, "bias"));
    }

    /// <summary>Layers without initializer keys: every parameter drawn as PyTorch's constructors draw it.</summary>
    public static IEnumerable<string> PyTorchDefaults(string name, string module)
    {
        yield return $"// {name}: PyTorch's default initialisation (uniform ±1/√fan_in; norms one and zero).";
        yield return $"global::CtcDsl.Runtime.Nn.Initializers.PyTorchDefaults({module});";
    }

    public static string Parameter(string module, string name) => $"global::CtcDsl.Runtime.Nn.Initializers.Parameter({module}, \"{name}\")";

    /// <summary>The statement drawing <paramref name="target"/> with <paramref name="init"/>.</summary>
    public static string Initialize(InitializerPlan init, string target) => init.Kind switch
    {
        "glorot_uniform" => $"global::CtcDsl.Runtime.Nn.Initializers.GlorotUniform({target});",
        "orthogonal" => $"global::CtcDsl.Runtime.Nn.Initializers.Orthogonal({target});",
        "zeros" => $"global::CtcDsl.Runtime.Nn.Initializers.Zeros({target});",
        "truncated_normal" => $"global::CtcDsl.Runtime.Nn.Initializers.TruncatedNormal({target}, mean: {CSharpLiterals.Double(init.Mean)}, stddev: {CSharpLiterals.Double(init.StdDev)});",
        "uniform" => $"global::CtcDsl.Runtime.Nn.Initializers.Uniform({target}, low: {CSharpLiterals.Double(init.Low)}, high: {CSharpLiterals.Double(init.High)});",
        _ => throw new System.ArgumentException($"unknown initializer '{init.Kind}'", nameof(init)),
    };

    /// <summary>An initialiser in words, for the comment above the statements.</summary>
    public static string Describe(InitializerPlan init) => init.Kind switch
    {
        "truncated_normal" => $"truncated normal({CSharpLiterals.Double(init.Mean)}, {CSharpLiterals.Double(init.StdDev)})",
        "uniform" => $"uniform({CSharpLiterals.Double(init.Low)}, {CSharpLiterals.Double(init.High)})",
        var kind => kind.Replace('_', ' '),
    };

    /// <summary>Valid lengths after <paramref name="window"/>, as a tensor expression of <paramref name="lengths"/>.</summary>
    public static string ConvolvedLengths(string lengths, ConvPlan window) =>
        $"global::CtcDsl.Runtime.Nn.Sequences.ConvolvedLengths({lengths}, kernel: {window.Kernel}, stride: {window.Stride}, padding: {window.Padding}, dilation: {window.Dilation})";

    /// <summary>Output frames after <paramref name="window"/>, as an int expression of <paramref name="frames"/>.</summary>
    public static string ConvolvedLength(string frames, ConvPlan window) =>
        $"global::CtcDsl.Runtime.Nn.Sequences.ConvolvedLength({frames}, kernel: {window.Kernel}, stride: {window.Stride}, padding: {window.Padding}, dilation: {window.Dilation})";
}
