using System;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using CtcDsl.SpecFacts;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the subword vocabulary: `type: bpe | unigram` trained from transcripts, or a
// SentencePiece `model:` file, with `size` pieces. The size is the spec's, not the data's, so the
// logits width (size + 1) is known here; the runtime refuses data or a file that cannot give exactly it.
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        private VocabularyPlan? ReadSubwordVocabulary(YamlMap map)
        {
            var errors = context.Diagnostics.Count;
            // A character list and a subword form say two different things about the classes.
            if (map.Has("tokens"))
                context.Report(DiagnosticCatalog.SubwordConflict, map.SpanOf("tokens"), "tokens", "its pieces come from the subword model; remove 'tokens' or the subword keys (type, size, model)");
            var modelFile = map.String("model");
            string type;
            if (modelFile is not null)
            {
                // A SentencePiece file knows whether it is BPE or unigram; a type beside it could only disagree.
                if (map.Has("type"))
                    context.Report(DiagnosticCatalog.SubwordConflict, map.SpanOf("type"), "type", "a SentencePiece model file says its own type; remove 'type'");
                if (!modelFile.EndsWith(".model", StringComparison.Ordinal))
                    context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("model"), "model", "a SentencePiece model file (*.model, as spm_train writes)", $"'{modelFile}'");
                else context.RequireFile(modelFile, map.SpanOf("model"));
                type = SubwordFacts.SentencePiece;
            }
            else type = map.Has("type") ? Option(map, "type", "subword vocabulary type", SubwordFacts.TrainedTypes, SubwordFacts.Bpe) ?? SubwordFacts.Bpe : SubwordFacts.Bpe;

            var size = map.Int("size", required: true, example: "256");
            if (size is { } n && (n < SubwordFacts.MinimumSize || n > SubwordFacts.MaximumSize))
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("size"), "size", $"a number of pieces from {SubwordFacts.MinimumSize} to {SubwordFacts.MaximumSize}", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var pieces = size is { } s && s >= SubwordFacts.MinimumSize && s <= SubwordFacts.MaximumSize ? s : SubwordFacts.MinimumSize;
            var blank = ReadBlank(map, pieces);
            // Decoded subword text puts a space where a piece begins with the word marker.
            if (map.String("word_separator") is { } separator && separator != " ")
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("word_separator"), "word_separator", "a space in a subword vocabulary (decoded words are separated where a piece starts with ▁)", $"'{separator}'");
            var (policy, mappings) = ReadUnknownCharacters(map, null);
            if (context.Diagnostics.Count > errors && context.HasErrors) return null;
            return new VocabularyPlan(EquatableArray<string>.Empty, blank, " ", policy, mappings.ToEquatableArray(),
                new SubwordPlan(type, pieces, modelFile, context.SpecFolder));
        }
    }
}
