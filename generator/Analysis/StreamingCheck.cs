using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.SpecFacts;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, `streaming: true`: every layer and the front-end must run on audio in pieces
// with their state carried (CTC0030 names what cannot, and why), so a spec that cannot stream fails
// at build time, not in a recognizer.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        private bool streaming;

        /// <summary>The convolutions each tensor's frames went through: tensors with different ones run ahead of each other in a stream.</summary>
        private readonly Dictionary<string, string> convolutionsUpstream = new(System.StringComparer.Ordinal);

        private void CheckStreaming(RawLayer layer, LayerPlan plan)
        {
            if (plan.StreamingObstacle is { } why)
                context.Report(DiagnosticCatalog.NotStreamable, layer.Map.SpanOf("type"), $"layer '{layer.Name}' ({plan.Type})", why,
                    plan is Layers.RnnLayer ? "use bidirectional: false" : "use layers that stream (unidirectional lstm or gru, conv1d, dense, norms, activations)");
            var upstream = layer.Inputs.Select(i => convolutionsUpstream.TryGetValue(i.Name, out var c) ? c : "").Distinct().ToList();
            if (upstream.Count > 1)
                context.Report(DiagnosticCatalog.NotStreamable, layer.Map.SpanOf("inputs"), $"layer '{layer.Name}' ({plan.Type})",
                    $"its inputs come through different convolutions ({string.Join(" and ", upstream.Select(u => u.Length == 0 ? "none" : u))}), whose look-ahead differs, so their frames arrive at different times",
                    "give every input the same convolutions");
            var own = plan.Windows.Count > 0 ? new[] { layer.Name } : System.Array.Empty<string>();
            convolutionsUpstream[layer.Name] = string.Join(", ", upstream.SelectMany(u => u.Split(new[] { ", " }, System.StringSplitOptions.RemoveEmptyEntries)).Concat(own).Distinct().OrderBy(n => n, System.StringComparer.Ordinal));
        }

        /// <summary>The front-end streams with global or no normalisation (deltas are held back until their frames arrive); and the streaming recognizer takes audio, so there must be one.</summary>
        private void CheckStreamingFrontEnd(FrontEndPlan? frontEnd)
        {
            var node = root.Find("features");
            if (frontEnd is null || node is not YamlDotNet.RepresentationModel.YamlMappingNode mapping)
            {
                if (node is null)
                    context.Report(DiagnosticCatalog.NotStreamable, root.SpanOf("streaming"), "the model", "it has no features: section, and the streaming recognizer takes audio", "add a front-end (features: { type: logfbank, normalize: global })");
                return; // a front-end with mistakes is reported already
            }
            var features = new Parsing.YamlMap(context, mapping, "the front-end");
            if (frontEnd.Normalization == "utterance")
                context.Report(DiagnosticCatalog.NotStreamable, features.SpanOf("normalize"), "the front-end",
                    "normalize: utterance divides by the whole utterance's mean and deviation, which are not known until it ends", "use normalize: global (training-set statistics, saved with the model) or none");
        }
    }
}
