using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Parsing;

/// <summary>
/// Typed, diagnosing access to one YAML mapping of a spec. Every accessor reports a diagnostic at
/// the offending node and returns null when the value is missing or of the wrong type, so callers
/// can keep going and report every problem of a spec in one build.
/// </summary>
internal sealed class YamlMap
{
    private readonly SpecContext context;

    public YamlMap(SpecContext context, YamlMappingNode node, string description)
    {
        this.context = context;
        Node = node;
        Description = description;
    }

    public YamlMappingNode Node { get; }

    /// <summary>What the mapping is, for messages ("the vocabulary", "layer 'rnn'").</summary>
    public string Description { get; }

    public SourceSpan Span => YamlSpans.Of(Node);

    public bool Has(string key) => Find(key) is not null;

    public YamlNode? Find(string key) =>
        Node.Children.FirstOrDefault(pair => pair.Key is YamlScalarNode k && k.Value == key).Value;

    public SourceSpan SpanOf(string key) => Find(key) is { } node ? YamlSpans.Of(node) : Span;

    /// <summary>Reports every key that is not in <paramref name="allowed"/>, with the nearest valid one.</summary>
    public void AllowOnly(params string[] allowed)
    {
        foreach (var pair in Node.Children)
        {
            if (pair.Key is not YamlScalarNode key || key.Value is null)
            {
                context.Report(DiagnosticCatalog.WrongType, pair.Key, "a key in " + Description, "a plain name", "a complex key");
                continue;
            }
            if (!allowed.Contains(key.Value))
                context.Report(DiagnosticCatalog.UnknownKey, key, key.Value, Description,
                    Suggestions.DidYouMean(key.Value, allowed) is { Length: > 0 } hint ? hint : $"; valid keys: {string.Join(", ", allowed)}");
        }
    }

    public string? String(string key, bool required = false, string example = "...")
    {
        var node = Require(key, required, example);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: not null } scalar) return scalar.Value;
        context.Report(DiagnosticCatalog.WrongType, node, key, "a text value", Kind(node));
        return null;
    }

    public int? Int(string key, bool required = false, string example = "1")
    {
        var node = Require(key, required, example);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: not null } scalar && IsPlain(scalar) &&
            int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        context.Report(DiagnosticCatalog.WrongType, node, key, "an integer", DescribeValue(node, v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)));
        return null;
    }

    public double? Double(string key, bool required = false, string example = "0.1")
    {
        var node = Require(key, required, example);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: not null } scalar && IsPlain(scalar) &&
            double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) &&
            !double.IsInfinity(value) && !double.IsNaN(value))
            return value;
        context.Report(DiagnosticCatalog.WrongType, node, key, "a finite number", DescribeValue(node, v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)));
        return null;
    }

    public bool? Bool(string key)
    {
        var node = Find(key);
        if (node is null) return null;
        if (node is YamlScalarNode { Value: "true" or "false" } scalar && IsPlain(scalar)) return scalar.Value == "true";
        context.Report(DiagnosticCatalog.WrongType, node, key, "true or false", DescribeValue(node, v => v is "true" or "false"));
        return null;
    }

    public YamlMap? Map(string key, string description, bool required = false, string example = "{ ... }")
    {
        var node = Require(key, required, example);
        if (node is null) return null;
        if (node is YamlMappingNode map) return new YamlMap(context, map, description);
        context.Report(DiagnosticCatalog.WrongType, node, key, "a mapping (key: value lines)", Kind(node));
        return null;
    }

    public YamlSequenceNode? Sequence(string key, bool required = false, string example = "[ ... ]")
    {
        var node = Require(key, required, example);
        if (node is null) return null;
        if (node is YamlSequenceNode sequence) return sequence;
        context.Report(DiagnosticCatalog.WrongType, node, key, "a list", Kind(node));
        return null;
    }

    private YamlNode? Require(string key, bool required, string example)
    {
        var node = Find(key);
        if (node is null && required) context.Report(DiagnosticCatalog.MissingKey, Node, Description, key, example);
        return node;
    }

    /// <summary>Describes a value of the wrong type; a quoted value that would be right unquoted says so.</summary>
    private static string DescribeValue(YamlNode node, System.Func<string, bool> rightWithoutQuotes) =>
        node is YamlScalarNode { Value: { } value } scalar && !IsPlain(scalar) && rightWithoutQuotes(value)
            ? $"the text \"{value}\" (quotes make a value text: write {value} without quotes)"
            : Describe(node);

    private static bool IsPlain(YamlScalarNode scalar) => scalar.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;

    public static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "a text value",
    };

    public static string Describe(YamlNode node) =>
        node is YamlScalarNode { Value: { } value } ? $"'{value}'" : Kind(node);
}

/// <summary>The file being read and the diagnostics found so far.</summary>
internal sealed class SpecContext
{
    public SpecContext(string filePath) => FilePath = filePath;

    public string FilePath { get; }

    /// <summary>The spec's folder relative to its project, with '/' separators ("" when unknown or the project's own).</summary>
    public string SpecFolder { get; init; } = "";

    public List<DiagnosticInfo> Diagnostics { get; } = new();

    /// <summary>Files the spec names that must be among the project's additional files, each with the diagnostic for its absence.</summary>
    public List<RequiredFile> RequiredFiles { get; } = new();

    /// <summary>
    /// Records that <paramref name="file"/> (relative to the spec) must exist: a generator may not read the
    /// disk, so the pipeline checks it against the project's additional files and reports CTC0032 otherwise.
    /// </summary>
    public void RequireFile(string file, SourceSpan span)
    {
        var folder = System.IO.Path.GetDirectoryName(FilePath) ?? "";
        var resolved = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, file));
        RequiredFiles.Add(new RequiredFile(resolved, DiagnosticInfo.Create(DiagnosticCatalog.ModelFileMissing, FilePath, span, file, resolved)));
    }

    public bool HasErrors => Diagnostics.Any(d => Descriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, YamlNode node, params object[] arguments) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, FilePath, YamlSpans.Of(node), arguments));

    public void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] arguments) =>
        Diagnostics.Add(DiagnosticInfo.Create(descriptor, FilePath, span, arguments));
}
