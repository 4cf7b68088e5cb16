using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using CtcDsl.SpecFacts;

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
            var rate = Positive(map, "sample_rate", max: FrontEndFacts.MaxSampleRate) ?? FrontEndFacts.DefaultSampleRate;
            if (rate < FrontEndFacts.MinSampleRate)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("sample_rate"), "sample_rate", $"a rate from {FrontEndFacts.MinSampleRate} to {FrontEndFacts.MaxSampleRate} Hz", rate);
            var coefficients = Positive(map, "coefficients") ?? FrontEndFacts.DefaultCoefficients;
            var filters = Positive(map, "filters") ?? FrontEndFacts.DefaultFilters;
            if (type == FrontEndFacts.Mfcc && coefficients > filters)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("coefficients"), "coefficients", $"at most the number of filters ({filters})", coefficients);
            if (rate >= FrontEndFacts.MinSampleRate && filters <= SpecLimits.MaxCount && LargestUsableFilters(rate) is var usable && filters > usable)
                context.Report(DiagnosticCatalog.EmptyMelFilters, map.SpanOf("filters"), filters, rate, FftSize(rate), usable);
            var deltas = map.Int("deltas") ?? 0;
            if (deltas is < 0 or > FrontEndFacts.MaxDeltas) context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("deltas"), "deltas", "0, 1 or 2", deltas);
            var normalize = Option(map, "normalize", "normalisation", Normalizations, "utterance") ?? "utterance";
            SpecAugmentPlan? augment = null;
            if (map.Map("spec_augment", "spec_augment") is { } masks)
            {
                masks.AllowOnly("frequency_masks", "max_frequency_width", "time_masks", "max_time_width", "max_time_fraction");
                var fraction = masks.Double("max_time_fraction") ?? SpecAugmentFacts.MaxTimeFraction;
                if (fraction is <= 0 or > 1) context.Report(DiagnosticCatalog.InvalidValue, masks.SpanOf("max_time_fraction"), "max_time_fraction", "in (0, 1]", fraction);
                augment = new SpecAugmentPlan(NonNegative(masks, "frequency_masks") ?? SpecAugmentFacts.FrequencyMasks, NonNegative(masks, "max_frequency_width") ?? SpecAugmentFacts.MaxFrequencyWidth,
                    NonNegative(masks, "time_masks") ?? SpecAugmentFacts.TimeMasks, NonNegative(masks, "max_time_width") ?? SpecAugmentFacts.MaxTimeWidth, fraction);
            }
            var plan = new FrontEndPlan(type, rate, coefficients, filters, deltas, normalize, augment);
            if (features is not null && plan.Width != features.Size)
                context.Report(DiagnosticCatalog.FrontEndWidth, map.Span, plan.Width,
                    $"{(type == FrontEndFacts.Mfcc ? $"{coefficients} coefficients" : $"{filters} filters")} × (1 + {deltas} delta orders)", features.Size);
            return plan;
        }

        /// <summary>The FFT size the runtime's front-end uses at <paramref name="sampleRate"/> (its default window).</summary>
        private static int FftSize(int sampleRate) => FrontEndFacts.FftSize(FrontEndFacts.Samples(FrontEndFacts.WindowSeconds, sampleRate));

        /// <summary>
        /// The most mel filters for which every filter spans at least one FFT bin on each side of its peak at
        /// <paramref name="sampleRate"/>, with the runtime's own filter edges (0 Hz to half the rate): more
        /// would give a model constant features, so the spec gets a diagnostic instead.
        /// </summary>
        private static int LargestUsableFilters(int sampleRate)
        {
            var fft = FftSize(sampleRate);
            var best = 0;
            for (var filters = 1; filters <= fft / 2 + 1; filters++)
            {
                if (!MelScale.AllNonEmpty(MelScale.FilterEdges(filters, fft, sampleRate, 0, sampleRate / 2.0))) break;
                best = filters;
            }
            return best;
        }
    }
}
