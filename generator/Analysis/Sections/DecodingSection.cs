using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the prediction view's decoder.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        private DecoderPlan ReadDecoding()
        {
            var greedy = new DecoderPlan("greedy", 1, 0, 1);
            var map = root.Map("decoding", "decoding");
            if (map is null) return greedy;
            map.AllowOnly("type", "beam_width", "prune_threshold", "n_best");
            var type = Option(map, "type", "decoder", DecoderTypes, "greedy");
            if (type is null) return greedy;
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
    }
}
