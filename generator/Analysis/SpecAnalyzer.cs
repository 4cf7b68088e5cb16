using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using Microsoft.CodeAnalysis.CSharp;
using CtcDsl.SpecFacts;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

/// <summary>
/// Reads one spec and lowers it to a <see cref="ModelPlan"/>: checks keys and types, resolves names,
/// infers widths through the layer stack, fills defaults. Reports every problem it finds; returns a
/// plan only when there is no error.
/// </summary>
internal static partial class SpecAnalyzer
{
    public const string DefaultNamespace = "CtcDsl.Models";

    internal static readonly string[] RootKeys = { "version", "name", "namespace", "description", "vocabulary", "features", "inputs", "layers", "ctc", "metrics", "decoding", "training", "streaming" };
    internal static readonly string[] FrontEndTypes = { FrontEndFacts.Mfcc, FrontEndFacts.LogFilterbank };
    internal static readonly string[] Normalizations = { "utterance", "global", "none" };
    internal static readonly string[] LayerTypes = LayerKind.All.Select(k => k.Type).ToArray();
    internal static readonly string[] Activations = { "linear", "relu", "tanh", "sigmoid", "gelu" };
    internal static readonly string[] Reductions = { "mean", "sum", "length_normalized_mean" };
    internal static readonly string[] Optimizers = { "sgd", "adam", "adamw", "rmsprop" };
    internal static readonly string[] MetricTypes = { "label_error_rate", "cer", "wer" };
    internal static readonly string[] DecoderTypes = { "greedy", "beam" };
    internal static readonly string[] LanguageModelUnits = { "word", "token" };
    internal static readonly string[] ScheduleTypes = { "constant", "step", "exponential", "cosine" };
    private static readonly string[] InitializerKinds = { "glorot_uniform", "orthogonal", "zeros", "truncated_normal", "uniform" };

    /// <summary>Reads, validates and plans one spec.</summary>
    /// <param name="filePath">The spec's path (in diagnostics).</param>
    /// <param name="text">The spec's YAML.</param>
    /// <param name="specFolder">The spec's folder relative to its project ("" when unknown): files the spec names are looked for there at run time.</param>
    /// <param name="requiredFiles">When given, receives the files the spec names that the project must hold (a SentencePiece model), each with its CTC0032.</param>
    public static (ModelPlan? Plan, List<DiagnosticInfo> Diagnostics, SourceSpan NameSpan) Analyze(string filePath, string text, string specFolder = "", List<RequiredFile>? requiredFiles = null)
    {
        var context = new SpecContext(filePath) { SpecFolder = specFolder };
        try
        {
            return AnalyzeIn(context, filePath, text);
        }
        finally
        {
            requiredFiles?.AddRange(context.RequiredFiles);
        }
    }

    private static (ModelPlan? Plan, List<DiagnosticInfo> Diagnostics, SourceSpan NameSpan) AnalyzeIn(SpecContext context, string filePath, string text)
    {
        YamlMappingNode? root;
        try
        {
            if (!YamlLimits.Check(text, context)) return (null, context.Diagnostics, SourceSpan.Unknown);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            var document = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            root = document as YamlMappingNode;
            if (root is null && document is not null && document is not YamlScalarNode { Value: null or "" })
            {
                context.Report(DiagnosticCatalog.WrongType, document, Path.GetFileName(filePath), "a mapping with vocabulary, inputs, layers, ctc and training", YamlMap.Kind(document));
                return (null, context.Diagnostics, SourceSpan.Unknown);
            }
        }
        catch (YamlException e)
        {
            if (!ReportUnclosed(context, text, e) && !ReportIndentation(context, text, ErrorSpan(e, text).Line, e))
                context.Report(DiagnosticCatalog.YamlSyntax, ErrorSpan(e, text), FirstLine(e.Message));
            return (null, context.Diagnostics, SourceSpan.Unknown);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, without a position, on some malformed documents (a plain scalar
            // it cannot finish, a key with no text). Point at the last token it could read.
            if (ReportUnclosed(context, text, e)) return (null, context.Diagnostics, SourceSpan.Unknown);
            var mark = LastGoodMark(text);
            if (ReportIndentation(context, text, System.Math.Max(0, (int)mark.Line - 1), e)) return (null, context.Diagnostics, SourceSpan.Unknown);
            context.Report(DiagnosticCatalog.YamlSyntax, YamlSpans.Of(mark, mark), "malformed YAML after this point (" + FirstLine(e.Message) + ")");
            return (null, context.Diagnostics, SourceSpan.Unknown);
        }
        if (root is null)
        {
            context.Report(DiagnosticCatalog.WrongType, SourceSpan.Unknown, Path.GetFileName(filePath), "a mapping with vocabulary, inputs, layers, ctc and training", "an empty or non-mapping document");
            return (null, context.Diagnostics, SourceSpan.Unknown);
        }

        var map = new YamlMap(context, root, "the spec");
        var plan = new Reader(context, map).Read();
        return (context.HasErrors ? null : plan, context.Diagnostics, map.Find("name") is { } name ? YamlSpans.Of(name) : SourceSpan.Unknown);
    }

    /// <summary>An unclosed bracket or quote is reported by YamlDotNet where it gives up; this reports it at the opener.</summary>
    private static bool ReportUnclosed(SpecContext context, string text, Exception e)
    {
        if (YamlUnclosed.Find(text) is not { } unclosed) return false;
        var closer = unclosed.Opener switch { '[' => ']', '{' => '}', _ => unclosed.Opener };
        context.Report(DiagnosticCatalog.YamlSyntax, YamlSpans.At(text, unclosed.Index),
            $"'{unclosed.Opener}' opened here is never closed: add the matching '{closer}' (YamlDotNet: {FirstLine(e.Message)})");
        return true;
    }

    /// <summary>A line indented wrongly at or just before <paramref name="errorLine"/> (0-based) is reported there, with what to change.</summary>
    private static bool ReportIndentation(SpecContext context, string text, int errorLine, Exception e)
    {
        if (YamlIndentation.Find(text, errorLine) is not { } mistake) return false;
        context.Report(DiagnosticCatalog.YamlSyntax, YamlSpans.At(text, mistake.Index), $"{mistake.Hint} (YamlDotNet: {FirstLine(e.Message)})");
        return true;
    }

    /// <summary>
    /// Where a YAML error is. Some of YamlDotNet's errors carry no position (they point at 1:1): a tab in
    /// indentation is then located at the first such tab, anything else after the last readable token.
    /// </summary>
    private static SourceSpan ErrorSpan(YamlException e, string text)
    {
        if (e.Start.Index > 0 || e.Start.Line > 1 || e.Start.Column > 1) return YamlSpans.Of(e.Start, e.End);
        var lineStart = 0;
        for (var line = 0; lineStart <= text.Length; line++)
        {
            var end = text.IndexOf('\n', lineStart);
            if (end < 0) end = text.Length;
            var indent = lineStart;
            while (indent < end && text[indent] is ' ' or '\t') indent++;
            var tab = text.IndexOf('\t', lineStart, indent - lineStart);
            if (tab >= 0 && e.Message.IndexOf("tab", StringComparison.OrdinalIgnoreCase) >= 0)
                return new SourceSpan(tab, 1, line, tab - lineStart, line, tab - lineStart + 1);
            lineStart = end + 1;
        }
        var mark = LastGoodMark(text);
        return YamlSpans.Of(mark, mark);
    }

    /// <summary>The end of the last token YamlDotNet's scanner could read: where the document goes wrong.</summary>
    private static Mark LastGoodMark(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var mark = Mark.Empty;
        try
        {
            // YamlDotNet's scanner can return Error tokens for ever (a stray ']' at the start does), so
            // stop at the first one, and after as many tokens as the text has characters in any case.
            for (var tokens = 0; tokens <= text.Length + 16 && scanner.MoveNext(); tokens++)
            {
                if (scanner.Current is YamlDotNet.Core.Tokens.Error or null) break;
                mark = scanner.Current.End;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or YamlException)
        {
        }
        return mark;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0].Trim();
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: ...) - (...): "; the location is already in the diagnostic.
        var marker = line.LastIndexOf("): ", StringComparison.Ordinal);
        return marker >= 0 ? line.Substring(marker + 3) : line;
    }

    /// <summary>Text safe inside an XML doc comment line: escaped, on one line.</summary>
    private static string? XmlDocText(string? text) =>
        text is null ? null : string.Join(" ", text.Split(new[] { '\r', '\n', '\u0085', '\u2028', '\u2029' }, StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()))
            .Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static bool IsPlainName(string name) =>
        name.Length > 0 && (name[0] == '_' || IsAsciiLetter(name[0])) && name.All(c => c == '_' || IsAsciiLetter(c) || c is >= '0' and <= '9');

    private static bool IsAsciiLetter(char c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';

    private sealed partial class Reader : ISettingsReader
    {
        private readonly SpecContext context;
        private readonly YamlMap root;
        private readonly Dictionary<string, string> names = new(StringComparer.Ordinal); // name → what it is
        private readonly IdentifierTable identifiers;
        private FeatureInputPlan? features;
        private LabelInputPlan? labelsInput;

        public Reader(SpecContext context, YamlMap root)
        {
            this.context = context;
            this.root = root;
            identifiers = new IdentifierTable(context);
        }

        public ModelPlan? Read()
        {
            root.AllowOnly(RootKeys);
            if (root.Find("version") is { } versionNode && !(versionNode is YamlScalarNode { Value: "1" }))
                context.Report(DiagnosticCatalog.UnsupportedVersion, versionNode, YamlMap.Describe(versionNode).Trim('\''));

            var typeName = root.String("name") ?? CSharpNames.NameFromFile(context.FilePath);
            var nameNode = root.Find("name") ?? (YamlNode)root.Node;
            if (!CSharpNames.IsTypeName(typeName))
                context.Report(DiagnosticCatalog.InvalidModelName, nameNode, typeName.Length > 40 ? $"a name of {typeName.Length} characters" : typeName,
                    CSharpNames.PascalCase(typeName) is { Length: > 0 and <= CSharpNames.MaxNameLength } p && CSharpNames.IsTypeName(p) ? p : "MyModel");
            else
                identifiers.Claim("the model name", nameNode, typeName + "Model", typeName + "Example", typeName + "Batch", typeName + "Outputs");
            var ns = root.String("namespace") ?? DefaultNamespace;
            if (!CSharpNames.IsNamespace(ns))
                context.Report(DiagnosticCatalog.InvalidValue, root.SpanOf("namespace"), "namespace",
                    "a dotted C# namespace such as My.Models (each part a letter or underscore then letters and digits, not a C# keyword)", $"'{ns}'");

            streaming = root.Bool("streaming") ?? false;
            var vocabulary = ReadVocabulary();
            (features, labelsInput) = ReadInputs();
            var graph = ReadLayers(vocabulary);
            var ctc = ReadCtc(graph, labelsInput, vocabulary);
            var metrics = ReadMetrics();
            var decoder = ReadDecoding();
            var (optimizer, training) = ReadTraining(MonitorableValues(ctc, metrics));
            var frontEnd = ReadFrontEnd();
            if (streaming) CheckStreamingFrontEnd(frontEnd);

            if (vocabulary is null || features is null || labelsInput is null || graph is null || ctc is null || optimizer is null || training is null)
                return null;
            return new ModelPlan(Path.GetFileName(context.FilePath), ns, typeName, XmlDocText(root.String("description")),
                vocabulary, features, labelsInput, graph.Layers.ToEquatableArray(), ctc.ToEquatableArray(), metrics.ToEquatableArray(), decoder, optimizer, training, frontEnd, streaming);
        }

        /// <summary>
        /// Declares a spec name (input, layer or CTC node) and claims the C# identifiers it becomes:
        /// a plain ASCII identifier, unique in the spec, whose identifiers clash with nothing.
        /// </summary>
        private bool Declare(string name, string what, YamlNode node, params string[] csharp)
        {
            if (!IsPlainName(name) || name.Length > CSharpNames.MaxNameLength)
            {
                context.Report(DiagnosticCatalog.InvalidValue, node, "name", $"a letter or underscore followed by letters, digits and underscores (ASCII, at most {CSharpNames.MaxNameLength} characters)",
                    name.Length > 40 ? $"a name of {name.Length} characters" : $"'{name}'");
                return false;
            }
            var camel = CSharpNames.Camel(name).TrimStart('@');
            if (camel.EndsWith("Out", StringComparison.Ordinal) || camel.EndsWith("Lengths", StringComparison.Ordinal) || camel.EndsWith("Loss", StringComparison.Ordinal))
            {
                context.Report(DiagnosticCatalog.InvalidValue, node, "name", "a name that does not end in _out, _lengths or _loss (the generated code uses those suffixes itself)", $"'{name}'");
                return false;
            }
            if (names.TryGetValue(name, out var existing))
            {
                context.Report(DiagnosticCatalog.DuplicateName, node, name, existing);
                return false;
            }
            if (!identifiers.Claim(what, node, csharp)) return false;
            names[name] = what;
            return true;
        }

        /// <summary>The identifiers a layer or CTC node name becomes: its field, its locals, and its outputs-record properties.</summary>
        private static string[] LayerIdentifiers(string name) =>
            new[] { CSharpNames.Camel(name), CSharpNames.Camel(name + "_out"), CSharpNames.Camel(name + "_lengths"), CSharpNames.Pascal(name), CSharpNames.Pascal(name) + "Lengths" };
    }
}
