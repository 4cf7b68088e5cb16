using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

// The spec analysis, the vocabulary: tokens, blank, word separator, unknown-character policy (the
// subword form is in SubwordVocabularySection.cs).
internal static partial class SpecAnalyzer
{
    private sealed partial class Reader
    {
        private VocabularyPlan? ReadVocabulary()
        {
            var map = root.Map("vocabulary", "the vocabulary", required: true, example: "{ tokens: \" abcdefghijklmnopqrstuvwxyz\", blank: last }");
            if (map is null) return null;
            map.AllowOnly("tokens", "blank", "word_separator", "unknown_characters", "type", "size", "model");
            if (map.Has("type") || map.Has("size") || map.Has("model")) return ReadSubwordVocabulary(map);

            // Tokens are Unicode scalar values of the Basic Multilingual Plane (one UTF-16 unit each, so a
            // transcript encodes character by character); the string and list forms are read alike.
            var tokens = new List<string>();
            var tokenNodes = new List<YamlNode>();
            var tokensNode = map.Find("tokens");
            if (tokensNode is null) context.Report(DiagnosticCatalog.MissingKey, map.Node, map.Description, "tokens", "\" abcdefghijklmnopqrstuvwxyz\"");
            else if (tokensNode is YamlScalarNode { Value: { } chars })
            {
                foreach (var c in chars)
                {
                    tokens.Add(c.ToString());
                    tokenNodes.Add(tokensNode);
                }
            }
            else if (tokensNode is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { Length: 1 } token })
                    {
                        tokens.Add(token);
                        tokenNodes.Add(item);
                    }
                    else context.Report(DiagnosticCatalog.WrongType, item, "tokens", "one-character texts", YamlMap.Describe(item));
                }
            }
            else context.Report(DiagnosticCatalog.WrongType, tokensNode, "tokens", "a text or a list of one-character texts", YamlMap.Kind(tokensNode));
            var surrogate = tokens.FindIndex(t => char.IsSurrogate(t[0]));
            if (surrogate >= 0)
            {
                context.Report(DiagnosticCatalog.InvalidValue, tokenNodes[surrogate], "tokens",
                    "characters of the Basic Multilingual Plane (U+0000 to U+FFFF; tokens are single UTF-16 characters)", "a character above U+FFFF (an emoji or a supplementary-plane letter)");
                return null;
            }
            if (tokensNode is not null && tokens.Count == 0)
                context.Report(DiagnosticCatalog.InvalidValue, tokensNode, "tokens", "at least one token", "none");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < tokens.Count; i++)
                if (!seen.Add(tokens[i]) && tokens.Take(i).Count(t => t == tokens[i]) == 1) // the first repeat of each token
                    context.Report(DiagnosticCatalog.DuplicateToken, tokenNodes[i], tokens[i]);

            var blank = ReadBlank(map, tokens.Count);

            var separator = map.String("word_separator") ?? " ";
            if (separator.Length != 1)
                context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("word_separator"), "word_separator", "one character", $"'{separator}'");
            var (policy, mappings) = ReadUnknownCharacters(map, tokens);
            return tokens.Count == 0 ? null : new VocabularyPlan(tokens.ToEquatableArray(), blank, separator, policy, mappings.ToEquatableArray(), null);
        }

        /// <summary>Reads the blank's place among <paramref name="tokenCount"/> tokens: first, last (the default) or an id.</summary>
        private int ReadBlank(YamlMap map, int tokenCount)
        {
            if (map.Find("blank") is YamlScalarNode blankNode)
            {
                if (blankNode.Value == "first") return 0;
                if (blankNode.Value == "last") return tokenCount;
                if (int.TryParse(blankNode.Value, out var index) && index >= 0 && index <= tokenCount) return index;
                context.Report(DiagnosticCatalog.InvalidBlank, blankNode, tokenCount, blankNode.Value ?? "");
            }
            else if (map.Find("blank") is { } other) context.Report(DiagnosticCatalog.InvalidBlank, other, tokenCount, YamlMap.Kind(other));
            return tokenCount;
        }

        /// <summary><c>error</c> (default), <c>drop</c>, or <c>{ map: { "é": "e" } }</c>: what transcript normalisation does with characters outside the tokens.</summary>
        private (string Policy, List<CharacterMapping> Map) ReadUnknownCharacters(YamlMap vocabulary, List<string>? tokens)
        {
            var mappings = new List<CharacterMapping>();
            var node = vocabulary.Find("unknown_characters");
            if (node is null) return ("error", mappings);
            if (node is YamlScalarNode { Value: "error" or "drop" } scalar) return (scalar.Value!, mappings);
            if (node is YamlMappingNode mapping)
            {
                var policy = new YamlMap(context, mapping, "unknown_characters");
                policy.AllowOnly("map");
                var replacements = policy.Map("map", "the character map", required: true, example: "{ \"é\": e }");
                if (replacements is null) return ("map", mappings);
                foreach (var pair in replacements.Node.Children)
                {
                    if (pair.Key is not YamlScalarNode { Value: { Length: 1 } from } || pair.Value is not YamlScalarNode { Value: { } to })
                    {
                        context.Report(DiagnosticCatalog.WrongType, pair.Key, "map", "one character mapped to a text (possibly empty)", YamlMap.Describe(pair.Key));
                        continue;
                    }
                    // A subword vocabulary's characters come from data: its replacements are checked when transcripts are normalised.
                    var outside = tokens is null ? default : to.FirstOrDefault(c => !tokens.Contains(c.ToString()));
                    if (outside != default)
                        context.Report(DiagnosticCatalog.InvalidValue, pair.Value, $"map of '{from}'", "a text of vocabulary tokens", $"'{to}' (has '{outside}')");
                    else mappings.Add(new CharacterMapping(from, to));
                }
                return ("map", mappings);
            }
            context.Report(DiagnosticCatalog.UnknownOption, node, YamlMap.Describe(node).Trim('\''), "unknown-character policy", "", "error, drop, { map: { character: replacement } }");
            return ("error", mappings);
        }
    }
}
