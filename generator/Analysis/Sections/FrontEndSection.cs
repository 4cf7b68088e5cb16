using CtcDsl.Generator.Layers;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the optional audio front-end.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        /// <summary>The optional audio front-end; its width must be the features input's.</summary>
        private FrontEndPlan? ReadFrontEnd()
        {
            var map = root.Map("features", "the front-end", example: "{ type: mfcc, sample_rate: 16000 }");
            if (map is null) return null;
            map.AllowOnly("type", "sample_rate", "coefficients", "filters", "deltas", "normalize", "spec_augment");
            var type = Option(map, "type", "front-end", FrontEndTypes, fallback: null);
            if (type is null) return null;
            var rate = Positive(map, "sample_rate", max: 384_000) ?? 16000;
            if (rate < 1000)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("sample_rate"), "sample_rate", "a rate from 1000 to 384000 Hz", rate);
            var coefficients = Positive(map, "coefficients") ?? 13;
            var filters = Positive(map, "filters") ?? 26;
            if (type == "mfcc" && coefficients > filters)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("coefficients"), "coefficients", $"at most the number of filters ({filters})", coefficients);
            if (rate >= 1000 && filters <= SpecLimits.MaxCount && MelFilters.LargestUsable(rate) is var usable && filters > usable)
                context.Report(DiagnosticCatalog.EmptyMelFilters, map.SpanOf("filters"), filters, rate, MelFilters.FftSize(rate), usable);
            var deltas = map.Int("deltas") ?? 0;
            if (deltas is < 0 or > 2) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("deltas"), "deltas", "0, 1 or 2", deltas);
            var normalize = Option(map, "normalize", "normalisation", Normalizations, "utterance") ?? "utterance";
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
    }
}
