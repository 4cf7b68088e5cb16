using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Data;

/// <summary>What to do with a transcript character the vocabulary lacks.</summary>
public enum UnknownCharacterPolicy
{
    /// <summary>Fail, naming the file, line and character.</summary>
    Error,
    /// <summary>Leave the character out.</summary>
    Drop,
    /// <summary>Replace it through <see cref="TranscriptNormalizer.Map"/>; fail when it has no entry.</summary>
    Map,
}

/// <summary>
/// Turns manifest transcripts into the vocabulary's text: Unicode normalisation (NFKC), optional
/// lower-casing, whitespace runs collapsed to the word separator, then the unknown-character policy.
/// </summary>
public sealed class TranscriptNormalizer(Vocabulary vocabulary)
{
    /// <summary>Lower-case before checking (LibriSpeech is upper case). Default true.</summary>
    public bool LowerCase { get; init; } = true;

    /// <summary>What to do with characters outside the vocabulary.</summary>
    public UnknownCharacterPolicy Policy { get; init; } = UnknownCharacterPolicy.Error;

    /// <summary>Replacements for <see cref="UnknownCharacterPolicy.Map"/> (an empty string drops the character).</summary>
    public IReadOnlyDictionary<char, string> Map { get; init; } = new Dictionary<char, string>();

    /// <summary>
    /// The part of <see cref="Normalize"/> that needs no vocabulary: NFKC, lower case when <paramref name="lowerCase"/>,
    /// whitespace runs collapsed to <paramref name="separator"/>. Subword pieces are trained on transcripts so
    /// prepared, so that they spell what training will feed them (LibriSpeech's upper case included).
    /// </summary>
    public static string Prepare(string transcript, bool lowerCase = true, char separator = ' ')
    {
        var text = transcript.Normalize(NormalizationForm.FormKC);
        if (lowerCase) text = text.ToLower(CultureInfo.InvariantCulture);
        return string.Join(separator.ToString(), text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>The normalised transcript of <paramref name="utterance"/>.</summary>
    /// <exception cref="DataFileException">A character is outside the vocabulary under <see cref="UnknownCharacterPolicy.Error"/> (or unmapped under <see cref="UnknownCharacterPolicy.Map"/>).</exception>
    public string Normalize(Utterance utterance)
    {
        var separator = vocabulary.WordSeparator;
        var text = Prepare(utterance.Transcript, LowerCase, separator);

        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (vocabulary.Covers(c)) { result.Append(c); continue; }
            switch (Policy)
            {
                case UnknownCharacterPolicy.Drop:
                    continue;
                case UnknownCharacterPolicy.Map when Map.TryGetValue(c, out var replacement):
                    result.Append(replacement);
                    continue;
                default:
                    throw new DataFileException(
                        $"{utterance.Source}: character '{c}' (U+{(int)c:X4}) at position {i} of \"{text}\" is not in the vocabulary; " +
                        "fix the transcript, or set the spec's vocabulary.unknown_characters (drop, or { map: { \"" + (c is '"' or '\\' ? "\\" + c : c.ToString()) + "\": \" \" } }), " +
                        "or with the ctcdsl tool pass --unknown-characters drop|map (--map FILE); `ctcdsl check` lists every such character at once.");
            }
        }
        // Dropped or mapped characters can leave separators doubled or at either end: collapse them again.
        var cleaned = result.ToString().Split(new[] { separator }, StringSplitOptions.RemoveEmptyEntries);
        return string.Join(separator.ToString(), cleaned);
    }
}
