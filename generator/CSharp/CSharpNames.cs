using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis.CSharp;

namespace CtcDsl.Generator.CSharp;

/// <summary>
/// How spec names become C# identifiers, and which identifiers the generated code keeps for itself.
/// The analysis claims every identifier through its table (Analysis/IdentifierTable) so clashes are
/// diagnostics at the YAML name; layer kinds and the emitter derive the same identifiers from here.
/// </summary>
internal static class CSharpNames
{
    /// <summary>Longest name a spec may give (C# metadata names stop at 511 UTF-8 bytes; generated names add suffixes).</summary>
    public const int MaxNameLength = 128;

    /// <summary>
    /// Identifiers the generated code declares or calls itself: members and locals of the template,
    /// members of <c>nn.Module</c> and TorchSharp's module extension methods (a field of that name would
    /// hide them), and members every record has. A test checks the module part against TorchSharp.
    /// </summary>
    internal static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        // The template's own members, parameters and locals.
        "FeatureSize", "ClassCount", "BlankIndex", "Vocabulary", "Subwords", "Transcripts", "DefaultFitOptions", "MetricNames", "Device", "FrontEnd", "FrontEndSettings", "LoadDataSet",
        "Decoder", "ResetParameters", "Run", "OutputLengths", "OutputFrames", "Decode", "Transcribe", "ExampleFromAudio", "LoadCheckpoint",
        "Report", "Evaluate", "CreateOptimizer", "Fit", "SaveStateDict", "LoadStateDict", "Texts", "Module", "ModelName", "FrameCount",
        "Collate", "Name", "Validate", "FromTranscript", "LabelIds", "Size", "Dispose",
        "Predict", "CollateForTraining", "OnCheckpointLoaded", "Shape", "CreateExample", "PrepareFit", "Pad", "Padded",
        "training", "outputs", "loss", "metrics", "greedy", "decoded", "batch", "examples", "options", "optimizer", "validation", "decoder",
        "device", "values", "lengths", "scope", "wasTraining", "hypotheses", "frames", "name", "audio", "checkpoint", "path", "items", "start",
        "slice", "i", "batchSize", "resume", "checkpoints", "texts", "direction", "augment", "featureList", "labelList", "transcript",
        "labelIds", "statistics", "ExportOnnx", "OnnxInfo", "onnx",
        // Members of the runtime's CtcExample and CtcBatch base classes that an input's property would hide.
        "Frames", "IsStreamed",
        // nn.Module<Tensor, Tensor, Tensor> (public and protected) and the module extension methods.
        "BoxedModule", "ClearModules", "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create", "Equals", "Finalize",
        "GetDefaultDeviceAndType", "GetHashCode", "GetName", "GetType", "MemberwiseClone", "ReferenceEquals", "RegisterComponents",
        "ReplaceBuffer", "ReplaceParameter", "ToString", "add_module", "apply", "buffers", "call", "children", "eval", "forward", "get_buffer",
        "get_parameter", "has_buffer", "has_parameter", "load", "load_state_dict", "module_post_hooks", "module_pre_hooks", "modules",
        "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "post_hooks", "pre_hooks", "register_buffer",
        "register_forward_hook", "register_forward_pre_hook", "register_module", "register_parameter", "save", "save_state_dict", "state_dict",
        "train", "zero_grad", "to", "cpu", "cuda", "half", "bfloat16", "cfloat", "cdouble", "handle",
        // Records (the outputs record) and objects.
        "EqualityContract", "PrintMembers", "Deconstruct",
    };

    /// <summary>Default model name from the file name: "ldc93s1.ctc.yaml" → "Ldc93s1", "bi-gru.ctc.yaml" → "BiGru".</summary>
    public static string NameFromFile(string filePath)
    {
        var file = System.IO.Path.GetFileName(filePath);
        var stem = file.EndsWith(".ctc.yaml", StringComparison.OrdinalIgnoreCase) ? file.Substring(0, file.Length - ".ctc.yaml".Length) : System.IO.Path.GetFileNameWithoutExtension(file);
        return PascalCase(stem);
    }

    /// <summary>
    /// PascalCase of a snake/kebab/dotted name, moved to a free identifier (a trailing underscore) when the
    /// generated code already uses it, as C# keywords are escaped: a user may name a layer <c>forward</c>.
    /// </summary>
    public static string Pascal(string name) => Free(PascalCase(name));

    /// <summary>The identifier itself, or with a trailing underscore when the generated code uses it (no reserved name ends in one).</summary>
    private static string Free(string identifier) => Reserved.Contains(identifier) ? identifier + "_" : identifier;

    /// <summary>PascalCase of a snake/kebab/dotted name, without moving reserved names (for the model's own type name).</summary>
    public static string PascalCase(string name)
    {
        var builder = new StringBuilder();
        var upper = true;
        foreach (var c in name)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        if (builder.Length > 0 && char.IsDigit(builder[0])) builder.Insert(0, '_');
        return builder.ToString();
    }

    /// <summary>camelCase, escaped when it is a C# keyword and moved to a free identifier when the generated code uses it.</summary>
    public static string Camel(string name)
    {
        var pascal = PascalCase(name);
        var camel = pascal.Length == 0 ? "_" : char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return SyntaxFacts.GetKeywordKind(camel) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(camel) is SyntaxKind.GlobalKeyword ? "@" + camel : Free(camel);
    }

    /// <summary>The singular of a plural input name, for its lengths property: "features" → "Feature".</summary>
    public static string Singular(string pascal) =>
        pascal.Length > 1 && pascal.EndsWith("s", StringComparison.Ordinal) && !pascal.EndsWith("ss", StringComparison.Ordinal)
            ? pascal.Substring(0, pascal.Length - 1) : pascal;

    /// <summary>Whether <paramref name="name"/> can name a generated type: a C# identifier, not a keyword, without formatting characters.</summary>
    public static bool IsTypeName(string name) =>
        name.Length is > 0 and <= MaxNameLength && SyntaxFacts.IsValidIdentifier(name) && SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None &&
        SyntaxFacts.GetContextualKeywordKind(name) is not (SyntaxKind.GlobalKeyword or SyntaxKind.VarKeyword) &&
        name.All(c => char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format);

    /// <summary>Whether <paramref name="ns"/> is a dotted C# namespace whose every segment is a plain identifier.</summary>
    public static bool IsNamespace(string ns) =>
        ns.Length <= 256 && ns.Split('.').All(IsTypeName);
}
