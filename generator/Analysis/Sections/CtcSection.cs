using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the CTC nodes: logits, labels, reduction, weight, and whether outputs can hold the labels.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
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
                var reduction = Option(map, "reduction", "CTC reduction", Reductions, "mean") ?? "mean";
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
                    context.Report(DiagnosticCatalog.LogitsWidth, map.SpanOf("logits"), logitsName, logits.Width, vocabulary.TokenCount, vocabulary.ClassCount);
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
        private void CheckOutputLength(YamlMap map, string logitsName, Tensor logits)
        {
            if (features?.MinLength is not { } minFrames || labelsInput?.MaxLength is not { } maxLabels || logits.Subsampling.Count == 0) return;
            var frames = minFrames;
            var steps = new List<string>();
            foreach (var conv in logits.Subsampling)
            {
                var next = conv.OutputLength(frames);
                steps.Add($"⌊({frames} + 2·{conv.Padding} − {conv.Dilation}·({conv.Kernel} − 1) − 1) / {conv.Stride}⌋ + 1 = {next}");
                frames = next;
            }
            if (frames < maxLabels)
                context.Report(DiagnosticCatalog.OutputTooShort, map.SpanOf("logits"), minFrames, logitsName, frames, string.Join("; ", steps), maxLabels);
        }
    }
}
