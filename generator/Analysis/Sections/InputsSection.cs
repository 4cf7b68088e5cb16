using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the inputs: one features input and one labels input, lengths first-class.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
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
                var lengthsProperty = CSharpNames.Pascal(CSharpNames.Singular(CSharpNames.PascalCase(name)) + "Lengths");
                if (!Declare(name, $"input '{name}'", pair.Key, property, lengthsProperty, CSharpNames.Camel(property), CSharpNames.Camel(lengthsProperty), "load" + property)) continue;
                var kind = Option(input, "kind", "input kind", new[] { "features", "labels" }, fallback: null);
                if (BaseNameClash(kind, property, lengthsProperty) is { } taken)
                {
                    context.Report(DiagnosticCatalog.InvalidValue, pair.Key, "name",
                        $"a name the generated code does not use itself (input '{name}' becomes '{taken}', which the example and batch types use for the other input)", $"'{name}'");
                    continue;
                }
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
            }
            if (features is null && !context.HasErrors) context.Report(DiagnosticCatalog.MissingInput, map.Span, "features");
            if (labels is null && !context.HasErrors) context.Report(DiagnosticCatalog.MissingInput, map.Span, "labels");
            return (features, labels);
        }

        /// <summary>
        /// The example and batch base types call the inputs Features and Labels (with FeatureLengths and
        /// LabelLengths); a spec's other names become aliases of those. An input may take its own kind's
        /// pair of names, or names outside the four — never one of the other pair.
        /// </summary>
        private static string? BaseNameClash(string? kind, string property, string lengthsProperty)
        {
            var own = kind switch { "features" => ("Features", "FeatureLengths"), "labels" => ("Labels", "LabelLengths"), _ => default };
            if (own.Item1 is null || (property == own.Item1 && lengthsProperty == own.Item2)) return null; // unknown kinds are reported on their own
            foreach (var identifier in new[] { property, lengthsProperty })
                if (identifier is "Features" or "FeatureLengths" or "Labels" or "LabelLengths") return identifier;
            return null;
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
    }
}
