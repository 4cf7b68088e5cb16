using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the metrics computed by the training view.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        private List<MetricPlan> ReadMetrics()
        {
            var metrics = new List<MetricPlan>();
            var spans = new List<SourceSpan>();
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
                var type = Option(map, "type", "metric type", MetricTypes, fallback: null);
                var name = map.String("name") ?? (type == "label_error_rate" ? "ler" : type ?? "metric");
                var decoder = Option(map, "decoder", "metric decoder", new[] { "greedy", "model" }, "greedy", "greedy, model (the spec's decoding)");
                var aggregation = Option(map, "aggregation", "aggregation", new[] { "mean", "corpus" }, type == "label_error_rate" ? "mean" : "corpus");
                if (type is null || decoder is null || aggregation is null) continue;
                if (!IsPlainName(name) || name.EndsWith("_loss", StringComparison.Ordinal) || name == "loss" || metrics.Any(m => m.Name == name))
                    context.Report(DiagnosticCatalog.DuplicateName, map.SpanOf("name"), name, "another metric or a loss (names must be unique, plain, and not end in _loss)");
                else { metrics.Add(new MetricPlan(name, type, decoder, aggregation)); spans.Add(map.SpanOf("name")); }
            }

            // The history adds val_<name> for each value, so 'val_ler' beside 'ler' would be two columns with one name.
            var collisions = metrics.Select((m, i) => (Metric: m, Span: spans[i]))
                .Where(x => x.Metric.Name.StartsWith("val_", StringComparison.Ordinal) && metrics.Any(o => o.Name == x.Metric.Name.Substring(4)))
                .ToList();
            foreach (var (metric, span) in collisions)
                context.Report(DiagnosticCatalog.MetricNameCollision, span, metric.Name, metric.Name.Substring(4));
            return collisions.Count == 0 ? metrics : metrics.Except(collisions.Select(c => c.Metric)).ToList();
        }
    }
}
