using System.Collections.Generic;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using CtcDsl.SpecFacts;

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
            map.AllowOnly("type", "beam_width", "prune_threshold", "n_best", "lm", "lexicon", "out_of_lexicon_penalty", "hotwords");
            var type = Option(map, "type", "decoder", DecoderTypes, "greedy");
            if (type is null) return greedy;
            if (type == "greedy")
            {
                // Fusion needs a beam: say so rather than calling the keys unknown.
                foreach (var key in new[] { "lm", "lexicon", "hotwords", "out_of_lexicon_penalty" })
                    if (map.Has(key)) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, "used with type: beam", "type: greedy");
                map.AllowOnly("type", "lm", "lexicon", "hotwords", "out_of_lexicon_penalty");
                return greedy;
            }
            var width = Positive(map, "beam_width") ?? BeamSearchFacts.DefaultBeamWidth;
            var prune = map.Double("prune_threshold") ?? BeamSearchFacts.DefaultPruneThreshold;
            if (!BeamSearchFacts.IsPruneThreshold(prune)) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("prune_threshold"), "prune_threshold", "a probability in [0, 1)", prune);
            var nBest = Positive(map, "n_best") ?? BeamSearchFacts.DefaultNBest;
            if (nBest > width) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("n_best"), "n_best", $"at most beam_width ({width})", nBest);
            return new DecoderPlan("beam", width, prune, nBest) { Fusion = ReadFusion(map) };
        }

        /// <summary>The language model, lexicon and hotwords of a beam decoder, when it has any.</summary>
        private FusionPlan? ReadFusion(YamlMap decoding)
        {
            if (!decoding.Has("lm") && !decoding.Has("lexicon") && !decoding.Has("hotwords") && !decoding.Has("out_of_lexicon_penalty")) return null;
            string? languageModel = null;
            double alpha = 0.5, beta = 1.0;
            var unit = "word";
            if (decoding.Map("lm", "lm") is { } lm)
            {
                lm.AllowOnly("path", "alpha", "beta", "unit");
                languageModel = NonEmpty(lm, "path", required: true, example: "words.arpa");
                alpha = lm.Double("alpha") ?? alpha;
                if (alpha is < 0 or > 10) context.Report(DiagnosticCatalog.InvalidValue, lm.SpanOf("alpha"), "alpha", "between 0 and 10", alpha);
                beta = lm.Double("beta") ?? beta;
                if (beta is < -20 or > 20) context.Report(DiagnosticCatalog.InvalidValue, lm.SpanOf("beta"), "beta", "between -20 and 20", beta);
                unit = Option(lm, "unit", "language model unit", LanguageModelUnits, "word") ?? unit;
            }
            var lexicon = decoding.Has("lexicon") ? NonEmpty(decoding, "lexicon", required: false, example: "words.txt") : null;
            var penalty = decoding.Double("out_of_lexicon_penalty");
            if (penalty is > 0) context.Report(DiagnosticCatalog.InvalidValue, decoding.SpanOf("out_of_lexicon_penalty"), "out_of_lexicon_penalty", "0 or negative (a natural-log penalty)", penalty);
            if (penalty is not null && lexicon is null) context.Report(DiagnosticCatalog.InvalidValue, decoding.SpanOf("out_of_lexicon_penalty"), "out_of_lexicon_penalty", "given with a lexicon", "no lexicon");
            var hotwords = new List<HotwordPlan>();
            if (decoding.Sequence("hotwords") is { } list)
                foreach (var item in list.Children)
                {
                    if (item is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { Length: > 0 } phrase })
                    {
                        hotwords.Add(new HotwordPlan(phrase, 2.0));
                        continue;
                    }
                    if (item is not YamlDotNet.RepresentationModel.YamlMappingNode node)
                    {
                        context.Report(DiagnosticCatalog.WrongType, item, "hotwords item", "a phrase or { phrase, boost }", YamlMap.Kind(item));
                        continue;
                    }
                    var entry = new YamlMap(context, node, "hotword");
                    entry.AllowOnly("phrase", "boost");
                    var text = NonEmpty(entry, "phrase", required: true, example: "kubernetes");
                    var boost = entry.Double("boost") ?? 2.0;
                    if (boost is < 0 or > 50) context.Report(DiagnosticCatalog.InvalidValue, entry.SpanOf("boost"), "boost", "between 0 and 50", boost);
                    if (text is not null) hotwords.Add(new HotwordPlan(text, boost));
                }
            return new FusionPlan(context.SpecFolder, languageModel, alpha, beta, unit, lexicon, penalty, hotwords.ToEquatableArray());
        }

        private string? NonEmpty(YamlMap map, string key, bool required, string example)
        {
            var value = map.String(key, required, example);
            if (value is not null && value.Trim().Length == 0)
            {
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf(key), key, "a file path", "an empty text");
                return null;
            }
            return value;
        }
    }
}
