using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, typed, bounded readers of single settings shared by every section and layer kind.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
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


        /// <inheritdoc/>
        public int? Positive(YamlMap map, string key, bool required = false, int max = SpecLimits.MaxCount)
        {
            var value = map.Int(key, required);
            if (value is <= 0 || value > max)
            {
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, $"a positive integer up to {max:N0}", value);
                return null;
            }
            return value;
        }

        private int? NonNegative(YamlMap map, string key, int max = SpecLimits.MaxCount)
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
        /// An enumerated option: the value written (<paramref name="fallback"/> when absent; required when
        /// there is no fallback), or null after reporting a value outside <paramref name="values"/> with
        /// the nearest valid one and the list. Every enumerated key of the language is read here.
        /// </summary>
        string? ISettingsReader.Choice(YamlMap map, string key, string what, string[] values, string fallback) => Option(map, key, what, values, fallback);

        private string? Option(YamlMap map, string key, string what, string[] values, string? fallback, string? valuesText = null)
        {
            var value = fallback is null ? map.String(key, required: true, example: values[0]) : map.String(key) ?? fallback;
            if (value is null) return null; // a required key that is missing: reported by String
            if (values.Contains(value)) return value;
            context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf(key), value, what, Suggestions.DidYouMean(value, values), valuesText ?? string.Join(", ", values));
            return null;
        }
    }
}
