using System.Collections.Generic;
using System.Globalization;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// Python that several layer kinds print for the exported PyTorch package (<c>ctcdsl export-pytorch</c>):
/// names, literals, activations and initialisers. The helpers it calls (<c>nn_rt.*</c>) are those of
/// <c>ctcdsl_nn.py</c>, each the counterpart of a runtime class, so the C# and Python code stay line for line alike.
/// </summary>
internal static class PythonCode
{
    private static readonly HashSet<string> Keywords = new(System.StringComparer.Ordinal)
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
        "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or",
        "pass", "raise", "return", "try", "while", "with", "yield", "self", "torch", "nn", "F", "nn_rt", "math",
    };

    /// <summary>
    /// Members of torch.nn.Module (1.13 to 2.x) and of the exported model class that the C# model does not
    /// reserve: a layer attribute of that name would hide them (a layer called <c>run</c> would replace the
    /// model's <c>run</c>), and it cannot be renamed, because attribute names are state-dict keys.
    /// </summary>
    private static readonly HashSet<string> ModuleMembers = new(System.StringComparer.Ordinal)
    {
        "run", "loss", "reset_parameters", "training", "type", "float", "double", "extra_repr", "share_memory", "requires_grad_",
        "get_submodule", "get_extra_state", "set_extra_state", "register_full_backward_hook", "register_backward_hook",
        "register_full_backward_pre_hook", "register_state_dict_pre_hook", "register_load_state_dict_post_hook", "ipu", "xpu", "mps",
        "dump_patches", "call_super_init", "T_destination", "compile", "to_empty", "zero_grad", "forward", "eval", "train",
    };

    /// <summary>Whether a module attribute of this C# field name would hide a member of the exported PyTorch module.</summary>
    public static bool HidesModuleMember(string csharpField) => ModuleMembers.Contains(AttributeName(csharpField)) || AttributeName(csharpField).StartsWith("_", System.StringComparison.Ordinal);

    /// <summary>A Python local from a C# local (the generated C# escapes keywords with '@'; Python's keywords get a trailing '_').</summary>
    public static string Name(string csharpLocal)
    {
        var name = csharpLocal.TrimStart('@');
        return Keywords.Contains(name) ? name + "_" : name;
    }

    /// <summary>
    /// The module attribute of a C# field: the same name, because TorchSharp names state-dict entries after
    /// fields and the Python attribute must give the same keys; a Python keyword goes through getattr.
    /// </summary>
    public static string Attribute(string csharpField)
    {
        var name = csharpField.TrimStart('@');
        return Keywords.Contains(name) ? $"getattr(self, \"{name}\")" : "self." + name;
    }

    /// <summary>The attribute's name as a string (for setattr when it is a Python keyword).</summary>
    public static string AttributeName(string csharpField) => csharpField.TrimStart('@');

    public static string Double(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var s && (s.Contains(".") || s.Contains("E") || s.Contains("e")) ? s : s + ".0";

    public static string Bool(bool value) => value ? "True" : "False";

    /// <summary>A string literal, ASCII only: JSON's escaping, which is also valid Python (spec.json uses it too).</summary>
    public static string String(string value)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            if (c == '"' || c == '\\') text.Append('\\').Append(c);
            else if (c < 0x20 || c > 0x7e) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            else text.Append(c);
        }
        return text.Append('"').ToString();
    }

    /// <summary>An activation applied to <paramref name="expression"/> (null: linear), as TorchSharp's functional of the same name.</summary>
    public static string Activate(string? activation, string expression) => activation switch
    {
        null => expression,
        "gelu" => $"F.gelu({expression})",
        var a => $"torch.{a}({expression})",
    };

    /// <summary>The statement drawing <paramref name="target"/> with <paramref name="init"/>, as <see cref="LayerCode.Initialize"/>.</summary>
    public static string Initialize(InitializerPlan init, string target) => init.Kind switch
    {
        "glorot_uniform" => $"nn_rt.glorot_uniform({target})",
        "orthogonal" => $"nn_rt.orthogonal({target})",
        "zeros" => $"nn_rt.zeros({target})",
        "truncated_normal" => $"nn_rt.truncated_normal({target}, mean={Double(init.Mean)}, stddev={Double(init.StdDev)})",
        "uniform" => $"nn_rt.uniform({target}, low={Double(init.Low)}, high={Double(init.High)})",
        _ => throw new System.ArgumentException($"unknown initializer '{init.Kind}'", nameof(init)),
    };

    /// <summary>A projection's <c>weight</c> and <c>bias</c> drawn with its initialisers.</summary>
    public static IEnumerable<string> WeightAndBias(string name, string field, InitializerPlan kernel, InitializerPlan bias)
    {
        yield return $"# {name}: kernel {LayerCode.Describe(kernel)}, bias {LayerCode.Describe(bias)}.";
        yield return Initialize(kernel, Attribute(field) + ".weight");
        yield return Initialize(bias, Attribute(field) + ".bias");
    }

    /// <summary>Valid lengths after <paramref name="window"/>, as <see cref="LayerCode.ConvolvedLengths"/>.</summary>
    public static string ConvolvedLengths(string lengths, ConvPlan window) =>
        $"nn_rt.convolved_lengths({lengths}, {window.Kernel}, {window.Stride}, {window.Padding}, {window.Dilation})";
}
