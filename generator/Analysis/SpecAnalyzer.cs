using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using Microsoft.CodeAnalysis.CSharp;
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

    internal static readonly string[] RootKeys = { "version", "name", "namespace", "description", "vocabulary", "features", "inputs", "layers", "ctc", "metrics", "decoding", "training" };
    internal static readonly string[] FrontEndTypes = { "mfcc", "logfbank" };
    internal static readonly string[] Normalizations = { "utterance", "global", "none" };
    internal static readonly string[] LayerTypes = LayerKind.All.Select(k => k.Type).ToArray();
    internal static readonly string[] Activations = { "linear", "relu", "tanh", "sigmoid", "gelu" };
    internal static readonly string[] Reductions = { "mean", "sum", "length_normalized_mean" };
    internal static readonly string[] Optimizers = { "sgd", "adam", "adamw", "rmsprop" };
    internal static readonly string[] MetricTypes = { "label_error_rate", "cer", "wer" };
    internal static readonly string[] DecoderTypes = { "greedy", "beam" };
    internal static readonly string[] ScheduleTypes = { "constant", "step", "exponential", "cosine" };
    private static readonly string[] InitializerKinds = { "glorot_uniform", "orthogonal", "zeros", "truncated_normal", "uniform" };

    public static (ModelPlan? Plan, List<DiagnosticInfo> Diagnostics, SourceSpan NameSpan) Analyze(string filePath, string text)
    {
        var context = new SpecContext(filePath);
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
            context.Report(DiagnosticCatalog.YamlSyntax, ErrorSpan(e, text), FirstLine(e.Message));
            return (null, context.Diagnostics, SourceSpan.Unknown);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet throws these, without a position, on some malformed documents (a plain scalar
            // it cannot finish, a key with no text). Point at the last token it could read.
            var mark = LastGoodMark(text);
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
        private readonly CSharpNames identifiers;
        private FeatureInputPlan? features;
        private LabelInputPlan? labelsInput;

        public Reader(SpecContext context, YamlMap root)
        {
            this.context = context;
            this.root = root;
            identifiers = new CSharpNames(context);
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
                    CSharpNames.Pascal(typeName) is { Length: > 0 and <= CSharpNames.MaxNameLength } p && CSharpNames.IsTypeName(p) ? p : "MyModel");
            else
                identifiers.Claim("the model name", nameNode, typeName + "Model", typeName + "Example", typeName + "Batch", typeName + "Outputs");
            var ns = root.String("namespace") ?? DefaultNamespace;
            if (!CSharpNames.IsNamespace(ns))
                context.Report(DiagnosticCatalog.InvalidValue, root.SpanOf("namespace"), "namespace",
                    "a dotted C# namespace such as My.Models (each part a letter or underscore then letters and digits, not a C# keyword)", $"'{ns}'");

            var vocabulary = ReadVocabulary();
            (features, labelsInput) = ReadInputs();
            var graph = ReadLayers(vocabulary);
            var ctc = ReadCtc(graph, labelsInput, vocabulary);
            var metrics = ReadMetrics();
            var decoder = ReadDecoding();
            var (optimizer, training) = ReadTraining(MonitorableValues(ctc, metrics));
            var frontEnd = ReadFrontEnd();

            if (vocabulary is null || features is null || labelsInput is null || graph is null || ctc is null || optimizer is null || training is null)
                return null;
            return new ModelPlan(Path.GetFileName(context.FilePath), ns, typeName, XmlDocText(root.String("description")),
                vocabulary, features, labelsInput, graph.Layers.ToEquatableArray(), ctc.ToEquatableArray(), metrics.ToEquatableArray(), decoder, optimizer, training, frontEnd);
        }

        private VocabularyPlan? ReadVocabulary()
        {
            var map = root.Map("vocabulary", "the vocabulary", required: true, example: "{ tokens: \" abcdefghijklmnopqrstuvwxyz\", blank: last }");
            if (map is null) return null;
            map.AllowOnly("tokens", "blank", "word_separator", "unknown_characters");

            // Tokens are Unicode scalar values of the Basic Multilingual Plane (one UTF-16 unit each, so a
            // transcript encodes character by character); the string and list forms are read alike.
            var tokens = new List<string>();
            var tokenNodes = new List<YamlNode>();
            var tokensNode = map.Find("tokens");
            if (tokensNode is null) context.Report(DiagnosticCatalog.MissingKey, map.Node, map.Description, "tokens", "\" abcdefghijklmnopqrstuvwxyz\"");
            else if (tokensNode is YamlScalarNode { Value: { } chars })
            {
                foreach (var c in chars)
                {
                    tokens.Add(c.ToString());
                    tokenNodes.Add(tokensNode);
                }
            }
            else if (tokensNode is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { Length: 1 } token })
                    {
                        tokens.Add(token);
                        tokenNodes.Add(item);
                    }
                    else context.Report(DiagnosticCatalog.WrongType, item, "tokens", "one-character texts", YamlMap.Describe(item));
                }
            }
            else context.Report(DiagnosticCatalog.WrongType, tokensNode, "tokens", "a text or a list of one-character texts", YamlMap.Kind(tokensNode));
            var surrogate = tokens.FindIndex(t => char.IsSurrogate(t[0]));
            if (surrogate >= 0)
            {
                context.Report(DiagnosticCatalog.InvalidValue, tokenNodes[surrogate], "tokens",
                    "characters of the Basic Multilingual Plane (U+0000 to U+FFFF; tokens are single UTF-16 characters)", "a character above U+FFFF (an emoji or a supplementary-plane letter)");
                return null;
            }
            if (tokensNode is not null && tokens.Count == 0)
                context.Report(DiagnosticCatalog.InvalidValue, tokensNode, "tokens", "at least one token", "none");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < tokens.Count; i++)
                if (!seen.Add(tokens[i]) && tokens.Take(i).Count(t => t == tokens[i]) == 1) // the first repeat of each token
                    context.Report(DiagnosticCatalog.DuplicateToken, tokenNodes[i], tokens[i]);

            var blank = tokens.Count; // last
            if (map.Find("blank") is YamlScalarNode blankNode)
            {
                if (blankNode.Value == "first") blank = 0;
                else if (blankNode.Value == "last") blank = tokens.Count;
                else if (int.TryParse(blankNode.Value, out var index) && index >= 0 && index <= tokens.Count) blank = index;
                else context.Report(DiagnosticCatalog.InvalidBlank, blankNode, tokens.Count, blankNode.Value ?? "");
            }
            else if (map.Find("blank") is { } other) context.Report(DiagnosticCatalog.InvalidBlank, other, tokens.Count, YamlMap.Kind(other));

            var separator = map.String("word_separator") ?? " ";
            if (separator.Length != 1)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("word_separator"), "word_separator", "one character", $"'{separator}'");
            var (policy, mappings) = ReadUnknownCharacters(map, tokens);
            return tokens.Count == 0 ? null : new VocabularyPlan(tokens.ToEquatableArray(), blank, separator, policy, mappings.ToEquatableArray());
        }

        /// <summary><c>error</c> (default), <c>drop</c>, or <c>{ map: { "é": "e" } }</c>: what transcript normalisation does with characters outside the tokens.</summary>
        private (string Policy, List<CharacterMapping> Map) ReadUnknownCharacters(YamlMap vocabulary, List<string> tokens)
        {
            var mappings = new List<CharacterMapping>();
            var node = vocabulary.Find("unknown_characters");
            if (node is null) return ("error", mappings);
            if (node is YamlScalarNode { Value: "error" or "drop" } scalar) return (scalar.Value!, mappings);
            if (node is YamlMappingNode mapping)
            {
                var policy = new YamlMap(context, mapping, "unknown_characters");
                policy.AllowOnly("map");
                var replacements = policy.Map("map", "the character map", required: true, example: "{ \"é\": e }");
                if (replacements is null) return ("map", mappings);
                foreach (var pair in replacements.Node.Children)
                {
                    if (pair.Key is not YamlScalarNode { Value: { Length: 1 } from } || pair.Value is not YamlScalarNode { Value: { } to })
                    {
                        context.Report(DiagnosticCatalog.WrongType, pair.Key, "map", "one character mapped to a text (possibly empty)", YamlMap.Describe(pair.Key));
                        continue;
                    }
                    var outside = to.FirstOrDefault(c => !tokens.Contains(c.ToString()));
                    if (outside != default)
                        context.Report(DiagnosticCatalog.InvalidValue, pair.Value, $"map of '{from}'", "a text of vocabulary tokens", $"'{to}' (has '{outside}')");
                    else mappings.Add(new CharacterMapping(from, to));
                }
                return ("map", mappings);
            }
            context.Report(DiagnosticCatalog.UnknownOption, node, YamlMap.Describe(node).Trim('\''), "unknown-character policy", "", "error, drop, { map: { character: replacement } }");
            return ("error", mappings);
        }

        private (FeatureInputPlan?, LabelInputPlan?) ReadInputs()
        {
            var map = root.Map("inputs", "the inputs", required: true, example: "{ features: { kind: features, shape: [time, 13] }, labels: { kind: labels } }");
            if (map is null) return (null, null);
            FeatureInputPlan? features = null;
            LabelInputPlan? labels = null;
            foreach (var pair in map.Node.Children)
            {
                var name = (pair.Key as YamlScalarNode)?.Value ?? "";
                if (pair.Value is not YamlMappingNode inputNode)
                {
                    context.Report(DiagnosticCatalog.WrongType, pair.Value, name, "a mapping with 'kind'", YamlMap.Kind(pair.Value));
                    continue;
                }
                var input = new YamlMap(context, inputNode, $"input '{name}'");
                var property = CSharpNames.Pascal(name);
                var lengthsProperty = CSharpNames.Singular(property) + "Lengths";
                if (!Declare(name, $"input '{name}'", pair.Key, property, lengthsProperty, CSharpNames.Camel(property), CSharpNames.Camel(lengthsProperty), "load" + property)) continue;
                var kind = input.String("kind", required: true, example: "features");
                if (kind == "features")
                {
                    input.AllowOnly("kind", "shape", "dtype", "min_length");
                    CheckDtype(input, "float32", "features");
                    var size = ReadFeatureShape(input);
                    var minLength = Positive(input, "min_length");
                    if (features is not null) context.Report(DiagnosticCatalog.DuplicateName, pair.Key, name, "another features input (a spec has one)");
                    else if (size is not null) features = new FeatureInputPlan(name, property, lengthsProperty, size.Value, minLength);
                }
                else if (kind == "labels")
                {
                    input.AllowOnly("kind", "dtype", "max_length");
                    CheckDtype(input, "int64", "labels");
                    var maxLength = Positive(input, "max_length");
                    if (labels is not null) context.Report(DiagnosticCatalog.DuplicateName, pair.Key, name, "another labels input (a spec has one)");
                    else labels = new LabelInputPlan(name, property, lengthsProperty, maxLength);
                }
                else if (kind is not null)
                    context.Report(DiagnosticCatalog.UnknownOption, input.SpanOf("kind"), kind, "input kind", Suggestions.DidYouMean(kind, new[] { "features", "labels" }), "features, labels");
            }
            if (features is null && !context.HasErrors) context.Report(DiagnosticCatalog.MissingInput, map.Span, "features");
            if (labels is null && !context.HasErrors) context.Report(DiagnosticCatalog.MissingInput, map.Span, "labels");
            return (features, labels);
        }

        private void CheckDtype(YamlMap input, string supported, string what)
        {
            var dtype = input.String("dtype");
            if (dtype is not null && dtype != supported)
                context.Report(DiagnosticCatalog.UnsupportedDtype, input.SpanOf("dtype"), dtype, what, supported);
        }

        private int? ReadFeatureShape(YamlMap input)
        {
            var shape = input.Sequence("shape", required: true, example: "[time, 13]");
            if (shape is null) return null;
            if (shape.Children.Count == 2 && shape.Children[0] is YamlScalarNode { Value: "time" } &&
                shape.Children[1] is YamlScalarNode { Value: { } width } && int.TryParse(width, out var size) && size > 0)
                return size;
            context.Report(DiagnosticCatalog.InvalidValue, shape, "shape", "[time, N] with N a positive integer (features per frame)", "[" + string.Join(", ", shape.Children.Select(YamlMap.Describe)) + "]");
            return null;
        }

        private List<CtcPlan>? ReadCtc(LayerGraph? graph, LabelInputPlan? labels, VocabularyPlan? vocabulary)
        {
            var node = root.Find("ctc");
            if (node is null)
            {
                context.Report(DiagnosticCatalog.MissingKey, root.Node, root.Description, "ctc", "{ logits: logits, labels: labels, reduction: mean }");
                return null;
            }
            var maps = new List<YamlMap>();
            if (node is YamlMappingNode single) maps.Add(new YamlMap(context, single, "the ctc node"));
            else if (node is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    if (item is YamlMappingNode map) maps.Add(new YamlMap(context, map, $"ctc node {maps.Count + 1}"));
                    else context.Report(DiagnosticCatalog.WrongType, item, "ctc", "a mapping such as { logits: logits, labels: labels }", YamlMap.Kind(item));
                }
            }
            else context.Report(DiagnosticCatalog.WrongType, node, "ctc", "a mapping or a list of mappings", YamlMap.Kind(node));
            if (maps.Count == 0) return null;

            var nodes = new List<CtcPlan>();
            var ok = true;
            foreach (var map in maps)
            {
                map.AllowOnly("name", "logits", "labels", "reduction", "zero_infinity", "weight");
                var name = map.String("name") ?? (nodes.Count == 0 ? "ctc" : $"ctc{nodes.Count + 1}");
                var logitsName = map.String("logits", required: true, example: "logits");
                var labelsName = map.String("labels", required: true, example: labels?.Name ?? "labels");
                var reduction = map.String("reduction") ?? "mean";
                if (!Reductions.Contains(reduction))
                    context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("reduction"), reduction, "CTC reduction", Suggestions.DidYouMean(reduction, Reductions), string.Join(", ", Reductions));
                var zeroInfinity = map.Bool("zero_infinity") ?? false;
                var weight = map.Double("weight") ?? 1.0;
                if (!(weight > 0)) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("weight"), "weight", "a positive number", weight);
                // Node names share the layers' namespace: each becomes a field of the generated model.
                if (!Declare(name, $"ctc node '{name}'", map.Find("name") ?? (YamlNode)map.Node, CSharpNames.Camel(name), CSharpNames.Camel(name) + "Loss")) ok = false;

                if (labelsName is not null && labels is not null && labelsName != labels.Name)
                    context.Report(DiagnosticCatalog.UnknownName, map.SpanOf("labels"), labelsName, "a labels input", Suggestions.DidYouMean(labelsName, new[] { labels.Name }));
                if (logitsName is null || graph is null) { ok = false; continue; }

                var logits = graph.Find(logitsName);
                if (logits is null)
                {
                    context.Report(DiagnosticCatalog.UnknownName, map.SpanOf("logits"), logitsName, "a layer", Suggestions.DidYouMean(logitsName, graph.Names));
                    ok = false;
                    continue;
                }
                if (vocabulary is not null && logits.Width != vocabulary.ClassCount)
                    context.Report(DiagnosticCatalog.LogitsWidth, map.SpanOf("logits"), logitsName, logits.Width, vocabulary.Tokens.Count, vocabulary.ClassCount);
                CheckOutputLength(map, logitsName, logits);
                if (nodes.FirstOrDefault(n => n.LogitsProperty == CSharpNames.Pascal(logitsName)) is { } twin)
                {
                    context.Report(DiagnosticCatalog.DuplicateName, map.SpanOf("logits"), logitsName, $"ctc node '{twin.Name}' (each CTC node reads its own logits layer)");
                    ok = false;
                    continue;
                }
                nodes.Add(new CtcPlan(name, CSharpNames.Camel(name) + "Loss", CSharpNames.Pascal(logitsName), logits.Local, logits.LengthsLocal, logits.Subsampling,
                    reduction, zeroInfinity, weight));
            }
            return ok ? nodes : null;
        }

        /// <summary>Warns when subsampling can make the logits shorter than the longest label the spec allows.</summary>
        private void CheckOutputLength(YamlMap map, string logitsName, LayerGraph.Tensor logits)
        {
            if (features?.MinLength is not { } minFrames || labelsInput?.MaxLength is not { } maxLabels || logits.Subsampling.Count == 0) return;
            var frames = minFrames;
            var steps = new List<string>();
            foreach (var conv in logits.Subsampling)
            {
                var next = Math.Max(0, (int)Math.Floor((frames + 2.0 * conv.Padding - conv.Dilation * (conv.Kernel - 1) - 1) / conv.Stride) + 1);
                steps.Add($"⌊({frames} + 2·{conv.Padding} − {conv.Dilation}·({conv.Kernel} − 1) − 1) / {conv.Stride}⌋ + 1 = {next}");
                frames = next;
            }
            if (frames < maxLabels)
                context.Report(DiagnosticCatalog.OutputTooShort, map.SpanOf("logits"), minFrames, logitsName, frames, string.Join("; ", steps), maxLabels);
        }

        private List<MetricPlan> ReadMetrics()
        {
            var metrics = new List<MetricPlan>();
            var sequence = root.Sequence("metrics");
            if (sequence is null) return metrics;
            foreach (var item in sequence)
            {
                if (item is not YamlMappingNode node)
                {
                    context.Report(DiagnosticCatalog.WrongType, item, "metrics", "a mapping such as { name: ler, type: label_error_rate }", YamlMap.Kind(item));
                    continue;
                }
                var map = new YamlMap(context, node, "a metric");
                map.AllowOnly("name", "type", "decoder", "aggregation");
                var type = map.String("type", required: true, example: "label_error_rate");
                var name = map.String("name") ?? (type == "label_error_rate" ? "ler" : type ?? "metric");
                var decoder = map.String("decoder") ?? "greedy";
                var aggregation = map.String("aggregation") ?? (type == "label_error_rate" ? "mean" : "corpus");
                if (type is null) continue;
                if (!MetricTypes.Contains(type))
                    context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("type"), type, "metric type", Suggestions.DidYouMean(type, MetricTypes), string.Join(", ", MetricTypes));
                else if (decoder is not ("greedy" or "model"))
                    context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("decoder"), decoder, "metric decoder", Suggestions.DidYouMean(decoder, new[] { "greedy", "model" }), "greedy, model (the spec's decoding)");
                else if (aggregation is not ("mean" or "corpus"))
                    context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("aggregation"), aggregation, "aggregation", Suggestions.DidYouMean(aggregation, new[] { "mean", "corpus" }), "mean, corpus");
                else if (!IsPlainName(name) || name.EndsWith("_loss", StringComparison.Ordinal) || name == "loss" || metrics.Any(m => m.Name == name))
                    context.Report(DiagnosticCatalog.DuplicateName, map.SpanOf("name"), name, "another metric or a loss (names must be unique, plain, and not end in _loss)");
                else metrics.Add(new MetricPlan(name, type, decoder, aggregation));
            }
            return metrics;
        }

        /// <summary>The optional audio front-end; its width must be the features input's.</summary>
        private FrontEndPlan? ReadFrontEnd()
        {
            var map = root.Map("features", "the front-end", example: "{ type: mfcc, sample_rate: 16000 }");
            if (map is null) return null;
            map.AllowOnly("type", "sample_rate", "coefficients", "filters", "deltas", "normalize", "spec_augment");
            var type = map.String("type", required: true, example: "mfcc");
            if (type is null) return null;
            if (!FrontEndTypes.Contains(type))
            {
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("type"), type, "front-end", Suggestions.DidYouMean(type, FrontEndTypes), string.Join(", ", FrontEndTypes));
                return null;
            }
            var rate = Positive(map, "sample_rate", max: 384_000) ?? 16000;
            if (rate < 1000)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("sample_rate"), "sample_rate", "a rate from 1000 to 384000 Hz", rate);
            var coefficients = Positive(map, "coefficients") ?? 13;
            var filters = Positive(map, "filters") ?? 26;
            if (type == "mfcc" && coefficients > filters)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("coefficients"), "coefficients", $"at most the number of filters ({filters})", coefficients);
            if (rate >= 1000 && filters <= MaxCount && MelFilters.LargestUsable(rate) is var usable && filters > usable)
                context.Report(DiagnosticCatalog.EmptyMelFilters, map.SpanOf("filters"), filters, rate, MelFilters.FftSize(rate), usable);
            var deltas = map.Int("deltas") ?? 0;
            if (deltas is < 0 or > 2) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("deltas"), "deltas", "0, 1 or 2", deltas);
            var normalize = map.String("normalize") ?? "utterance";
            if (!Normalizations.Contains(normalize))
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("normalize"), normalize, "normalisation", Suggestions.DidYouMean(normalize, Normalizations), string.Join(", ", Normalizations));
            SpecAugmentPlan? augment = null;
            if (map.Map("spec_augment", "spec_augment") is { } masks)
            {
                masks.AllowOnly("frequency_masks", "max_frequency_width", "time_masks", "max_time_width", "max_time_fraction");
                var fraction = masks.Double("max_time_fraction") ?? 0.2;
                if (fraction is <= 0 or > 1) context.Report(DiagnosticCatalog.InvalidValue, masks.SpanOf("max_time_fraction"), "max_time_fraction", "in (0, 1]", fraction);
                augment = new SpecAugmentPlan(NonNegative(masks, "frequency_masks") ?? 2, NonNegative(masks, "max_frequency_width") ?? 8,
                    NonNegative(masks, "time_masks") ?? 2, NonNegative(masks, "max_time_width") ?? 40, fraction);
            }
            var plan = new FrontEndPlan(type, rate, coefficients, filters, deltas, normalize, augment);
            if (features is not null && plan.Width != features.Size)
                context.Report(DiagnosticCatalog.FrontEndWidth, map.Span, plan.Width,
                    $"{(type == "mfcc" ? $"{coefficients} coefficients" : $"{filters} filters")} × (1 + {deltas} delta orders)", features.Size);
            return plan;
        }

        private DecoderPlan ReadDecoding()
        {
            var greedy = new DecoderPlan("greedy", 1, 0, 1);
            var map = root.Map("decoding", "decoding");
            if (map is null) return greedy;
            map.AllowOnly("type", "beam_width", "prune_threshold", "n_best");
            var type = map.String("type") ?? "greedy";
            if (!DecoderTypes.Contains(type))
            {
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("type"), type, "decoder", Suggestions.DidYouMean(type, DecoderTypes), string.Join(", ", DecoderTypes));
                return greedy;
            }
            if (type == "greedy")
            {
                map.AllowOnly("type");
                return greedy;
            }
            var width = Positive(map, "beam_width") ?? 8;
            var prune = map.Double("prune_threshold") ?? 0;
            if (prune is < 0 or >= 1) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("prune_threshold"), "prune_threshold", "a probability in [0, 1)", prune);
            var nBest = Positive(map, "n_best") ?? 1;
            if (nBest > width) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("n_best"), "n_best", $"at most beam_width ({width})", nBest);
            return new DecoderPlan("beam", width, prune, nBest);
        }

        /// <summary>The values a training history holds, which early stopping can monitor.</summary>
        private static List<string> MonitorableValues(List<CtcPlan>? ctc, List<MetricPlan> metrics)
        {
            var values = new List<string> { "loss" };
            if (ctc is { Count: > 1 }) values.AddRange(ctc.Select(n => n.Name + "_loss"));
            values.AddRange(metrics.Select(m => m.Name));
            return values.Concat(values.Select(v => "val_" + v).ToList()).ToList();
        }

        private (OptimizerPlan?, TrainingPlan?) ReadTraining(List<string> monitorable)
        {
            var map = root.Map("training", "training", required: true, example: "{ optimizer: { type: sgd, learning_rate: 0.005 }, epochs: 400, batch_size: 2 }");
            if (map is null) return (null, null);
            map.AllowOnly("optimizer", "schedule", "epochs", "batch_size", "shuffle", "seed", "clip_grad_norm", "non_finite_loss", "early_stopping");
            var epochs = Positive(map, "epochs", required: true);
            var batchSize = Positive(map, "batch_size") ?? 32;
            var shuffle = map.Bool("shuffle") ?? true;
            var seed = map.Int("seed") ?? 0;
            var clip = map.Double("clip_grad_norm");
            if (clip is <= 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("clip_grad_norm"), "clip_grad_norm", "a positive number", clip);

            OptimizerPlan? optimizer = null;
            var opt = map.Map("optimizer", "the optimizer", required: true, example: "{ type: sgd, learning_rate: 0.005, momentum: 0.9 }");
            if (opt is not null)
            {
                opt.AllowOnly("type", "learning_rate", "momentum", "nesterov", "weight_decay", "beta1", "beta2", "epsilon");
                var type = opt.String("type", required: true, example: "sgd");
                var lr = opt.Double("learning_rate", required: true, example: "0.001");
                if (lr is { } rate && !(rate > 0 && rate < 10))
                    context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("learning_rate"), "learning_rate", "a positive number below 10", rate);
                var momentum = opt.Double("momentum") ?? 0;
                if (momentum is < 0 or >= 1) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("momentum"), "momentum", "in [0, 1)", momentum);
                var nesterov = opt.Bool("nesterov") ?? false;
                if (nesterov && momentum == 0) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("nesterov"), "nesterov", "used with a momentum above 0", "momentum 0");
                var decay = opt.Double("weight_decay") ?? (type == "adamw" ? 0.01 : 0);
                if (decay < 0) context.Report(DiagnosticCatalog.InvalidValue, opt.SpanOf("weight_decay"), "weight_decay", "0 or more", decay);
                var beta1 = opt.Double("beta1") ?? 0.9;
                var beta2 = opt.Double("beta2") ?? 0.999;
                var epsilon = opt.Double("epsilon") ?? (type == "rmsprop" ? 1e-8 : 1e-8);
                if (type is not null && !Optimizers.Contains(type))
                    context.Report(DiagnosticCatalog.UnknownOption, opt.SpanOf("type"), type, "optimizer", Suggestions.DidYouMean(type, Optimizers), string.Join(", ", Optimizers));
                else if (type is not null && lr is not null)
                    optimizer = new OptimizerPlan(type, lr.Value, momentum, nesterov, decay, beta1, beta2, epsilon);
            }
            var schedule = ReadSchedule(map);
            var nonFinite = map.String("non_finite_loss") ?? "stop";
            if (nonFinite is not ("stop" or "skip"))
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("non_finite_loss"), nonFinite, "non-finite loss policy", Suggestions.DidYouMean(nonFinite, new[] { "stop", "skip" }), "stop (fail naming the batch), skip (drop the batch and count it)");
            var earlyStopping = ReadEarlyStopping(map, monitorable);
            var training = epochs is null ? null : new TrainingPlan(epochs.Value, batchSize, shuffle, seed, clip, schedule, nonFinite == "skip", earlyStopping);
            return (optimizer, training);
        }

        private EarlyStoppingPlan? ReadEarlyStopping(YamlMap training, List<string> monitorable)
        {
            var map = training.Map("early_stopping", "early stopping");
            if (map is null) return null;
            map.AllowOnly("monitor", "patience", "min_delta", "mode");
            var monitor = map.String("monitor") ?? "val_loss";
            if (!monitorable.Contains(monitor))
                context.Report(DiagnosticCatalog.UnknownName, map.SpanOf("monitor"), monitor, "a value of the training history",
                    (Suggestions.DidYouMean(monitor, monitorable) is { Length: > 0 } hint ? hint : "") + "; valid: " + string.Join(", ", monitorable) + " (val_ values need validation data)");
            var patience = Positive(map, "patience") ?? 10;
            var minDelta = map.Double("min_delta") ?? 0;
            if (minDelta < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("min_delta"), "min_delta", "0 or more", minDelta);
            var mode = map.String("mode") ?? "min";
            if (mode is not ("min" or "max"))
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("mode"), mode, "mode", Suggestions.DidYouMean(mode, new[] { "min", "max" }), "min, max");
            return new EarlyStoppingPlan(monitor, patience, minDelta, mode == "max");
        }

        private SchedulePlan? ReadSchedule(YamlMap training)
        {
            var map = training.Map("schedule", "the schedule");
            if (map is null) return null;
            var type = map.String("type") ?? "constant";
            if (!ScheduleTypes.Contains(type))
            {
                context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf("type"), type, "schedule", Suggestions.DidYouMean(type, ScheduleTypes), string.Join(", ", ScheduleTypes));
                return null;
            }
            var keys = new List<string> { "type", "warmup_steps" };
            keys.AddRange(type switch
            {
                "step" => new[] { "step_size", "gamma" },
                "exponential" => new[] { "gamma" },
                "cosine" => new[] { "epochs", "min_learning_rate" },
                _ => new string[0],
            });
            map.AllowOnly(keys.ToArray());
            var stepSize = type == "step" ? Positive(map, "step_size", required: true) ?? 1 : 1;
            var gamma = map.Double("gamma") ?? 0.1;
            if (!(gamma > 0 && gamma <= 1)) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("gamma"), "gamma", "in (0, 1]", gamma);
            var epochs = type == "cosine" ? Positive(map, "epochs", required: true) ?? 1 : 1;
            var minimum = map.Double("min_learning_rate") ?? 0;
            if (minimum < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("min_learning_rate"), "min_learning_rate", "0 or more", minimum);
            var warmup = map.Int("warmup_steps") ?? 0;
            if (warmup < 0) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("warmup_steps"), "warmup_steps", "0 or more", warmup);
            return new SchedulePlan(type, stepSize, gamma, epochs, minimum, warmup);
        }

        /// <inheritdoc/>
        public SpecContext Context => context;

        /// <inheritdoc/>
        public InitializerPlan? Initializer(YamlMap map, string key, string fallback)
        {
            var node = map.Find(key);
            if (node is null) return new InitializerPlan(fallback, 0, 0, 0, 0);
            if (node is YamlScalarNode { Value: { } simple })
            {
                if (simple is "glorot_uniform" or "orthogonal" or "zeros") return new InitializerPlan(simple, 0, 0, 0, 0);
                context.Report(DiagnosticCatalog.UnknownOption, node, simple, "initializer", Suggestions.DidYouMean(simple, InitializerKinds),
                    "glorot_uniform, orthogonal, zeros, { type: truncated_normal, mean, stddev }, { type: uniform, low, high }");
                return null;
            }
            if (node is not YamlMappingNode mapping)
            {
                context.Report(DiagnosticCatalog.WrongType, node, key, "an initializer name or mapping", YamlMap.Kind(node));
                return null;
            }
            var init = new YamlMap(context, mapping, key);
            var type = init.String("type", required: true, example: "truncated_normal");
            switch (type)
            {
                case "truncated_normal":
                    init.AllowOnly("type", "mean", "stddev");
                    var std = init.Double("stddev") ?? 0.05;
                    if (std <= 0) context.Report(DiagnosticCatalog.InvalidValue, init.SpanOf("stddev"), "stddev", "a positive number", std);
                    return new InitializerPlan(type, init.Double("mean") ?? 0, std, 0, 0);
                case "uniform":
                    init.AllowOnly("type", "low", "high");
                    return new InitializerPlan(type, 0, 0, init.Double("low") ?? -0.05, init.Double("high") ?? 0.05);
                case "glorot_uniform":
                case "orthogonal":
                case "zeros":
                    init.AllowOnly("type");
                    return new InitializerPlan(type, 0, 0, 0, 0);
                case null:
                    return null;
                default:
                    context.Report(DiagnosticCatalog.UnknownOption, init.SpanOf("type"), type, "initializer", Suggestions.DidYouMean(type, InitializerKinds), string.Join(", ", InitializerKinds));
                    return null;
            }
        }

        /// <summary>Largest count or size a spec may give (units, filters, kernel, epochs...): keeps every size the analysis derives within <c>int</c>.</summary>
        internal const int MaxCount = SpecLimits.MaxCount;

        /// <inheritdoc/>
        public int? Positive(YamlMap map, string key, bool required = false, int max = MaxCount)
        {
            var value = map.Int(key, required);
            if (value is <= 0 || value > max)
            {
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, $"a positive integer up to {max:N0}", value);
                return null;
            }
            return value;
        }

        private int? NonNegative(YamlMap map, string key, int max = MaxCount)
        {
            var value = map.Int(key);
            if (value is < 0 || value > max)
            {
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, $"0 or more, up to {max:N0}", value);
                return null;
            }
            return value;
        }

        /// <inheritdoc/>
        public double Rate(YamlMap map, string key, bool required = false)
        {
            var value = map.Double(key, required, "0.1") ?? 0;
            if (value is < 0 or >= 1)
            {
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, "a rate in [0, 1)", value);
                return 0;
            }
            return value;
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
