using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace CtcDsl.Runtime.Text;

/// <summary>
/// A byte-pair-encoding subword model: the pieces a CTC model emits (words are written with a leading
/// word-boundary marker <see cref="Marker"/>, U+2581, as SentencePiece writes them) and the merges, in
/// rank order, that turn a word's characters into pieces. Trained by <see cref="BpeTrainer"/>;
/// <see cref="Save"/> and <see cref="Load"/> write and read a text file that
/// <see cref="Fingerprint"/> identifies, so a checkpoint can refuse another subword model.
/// </summary>
public sealed class SubwordModel
{
    /// <summary>The word-boundary marker that begins every word's first piece (U+2581, SentencePiece's).</summary>
    public const char Marker = '\u2581';

    private const string Header = "ctcdsl-subwords 1";
    private readonly string[] pieces;
    private readonly (string Left, string Right)[] merges;
    private readonly Dictionary<(string, string), int> ranks = new();
    private readonly HashSet<char> alphabet = new();

    /// <summary>Creates a model from its <paramref name="kind"/>, <paramref name="pieces"/> (in id order) and <paramref name="merges"/> (rank order).</summary>
    /// <exception cref="ArgumentException">A piece is empty or repeated, or a merge makes a piece that is not listed.</exception>
    public SubwordModel(string kind, IReadOnlyList<string> pieces, IReadOnlyList<(string Left, string Right)> merges)
    {
        Kind = kind;
        this.pieces = pieces.ToArray();
        this.merges = merges.ToArray();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var piece in this.pieces)
        {
            if (piece.Length == 0) throw new ArgumentException("A subword piece is empty.", nameof(pieces));
            if (!known.Add(piece)) throw new ArgumentException($"Subword piece '{piece}' appears twice.", nameof(pieces));
            if (piece.Length == 1) alphabet.Add(piece[0]);
        }
        for (var i = 0; i < this.merges.Length; i++)
        {
            var (left, right) = this.merges[i];
            if (!known.Contains(left + right))
                throw new ArgumentException($"Merge {i} ('{left}' + '{right}') makes '{left + right}', which is not a piece.", nameof(merges));
            ranks.TryAdd((left, right), i);
        }
    }

    /// <summary>How the model was made: <c>bpe</c> (trained here).</summary>
    public string Kind { get; }

    /// <summary>The pieces in id order (the vocabulary's tokens).</summary>
    public IReadOnlyList<string> Pieces => pieces;

    /// <summary>The merges in rank order: the first applies first.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => merges;

    /// <summary>Whether <paramref name="c"/> is one of the single-character pieces (so any word of such characters can be encoded).</summary>
    public bool Covers(char c) => alphabet.Contains(c);

    /// <summary>
    /// The pieces of <paramref name="text"/>: words (split at white space) each get the marker in front
    /// and are merged by rank, lowest first, every occurrence left to right, until no merge applies.
    /// </summary>
    /// <param name="item">Names the text in error messages.</param>
    /// <exception cref="VocabularyException">A character is not among the pieces.</exception>
    public IReadOnlyList<string> Encode(string text, string? item = null)
    {
        var result = new List<string>();
        var position = 0;
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var at = text.IndexOf(word, position, StringComparison.Ordinal);
            position = at + word.Length;
            for (var i = 0; i < word.Length; i++)
                if (!alphabet.Contains(word[i])) throw new VocabularyException(text, at + i, item);
            result.AddRange(MergeWord(Marker + word));
        }
        return result;
    }

    /// <summary>Splits <paramref name="word"/> into characters and applies the merges by rank.</summary>
    internal List<string> MergeWord(string word)
    {
        var symbols = word.Select(c => c.ToString()).ToList();
        while (symbols.Count > 1)
        {
            var best = int.MaxValue;
            for (var i = 0; i + 1 < symbols.Count; i++)
                if (ranks.TryGetValue((symbols[i], symbols[i + 1]), out var rank) && rank < best) best = rank;
            if (best == int.MaxValue) break;
            var (left, right) = merges[best];
            var merged = new List<string>(symbols.Count);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i + 1 < symbols.Count && symbols[i] == left && symbols[i + 1] == right)
                {
                    merged.Add(left + right);
                    i++;
                }
                else merged.Add(symbols[i]);
            }
            symbols = merged;
        }
        return symbols;
    }

    /// <summary>The model as text: a header, the kind, the pieces one a line, then the merges one a line (left and right separated by a space).</summary>
    public string ToText()
    {
        var builder = new StringBuilder();
        builder.Append(Header).Append('\n');
        builder.Append("kind ").Append(Kind).Append('\n');
        builder.Append("pieces ").Append(pieces.Length).Append('\n');
        foreach (var piece in pieces) builder.Append(piece).Append('\n');
        builder.Append("merges ").Append(merges.Length).Append('\n');
        foreach (var (left, right) in merges) builder.Append(left).Append(' ').Append(right).Append('\n');
        return builder.ToString();
    }

    /// <summary>SHA-256 of <see cref="ToText"/> in UTF-8, lowercase hex: equal exactly when pieces, merges and kind are.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToText())));

    /// <summary>Writes <see cref="ToText"/> to <paramref name="path"/> (UTF-8, no byte-order mark).</summary>
    public void Save(string path) => File.WriteAllText(path, ToText(), new UTF8Encoding(false));

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="FormatException">The file is not a subword model; the message names it and the line.</exception>
    public static SubwordModel Load(string path) => Parse(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>Reads a model from the text <see cref="ToText"/> writes; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="FormatException">Not a subword model; the message names the line.</exception>
    public static SubwordModel Parse(string text, string name)
    {
        var lines = text.Split('\n');
        var at = 0;
        string Next(string what)
        {
            if (at >= lines.Length) throw new FormatException($"{name}: ends before {what}.");
            return lines[at++];
        }
        int Count(string keyword)
        {
            var line = Next(keyword);
            if (!line.StartsWith(keyword + " ", StringComparison.Ordinal) || !int.TryParse(line.AsSpan(keyword.Length + 1), out var n) || n < 0)
                throw new FormatException($"{name}: line {at} should be '{keyword} <count>', not '{line}'.");
            return n;
        }
        if (Next("the header") != Header) throw new FormatException($"{name}: not a CtcDsl subword model (line 1 is not '{Header}').");
        var kindLine = Next("the kind");
        if (!kindLine.StartsWith("kind ", StringComparison.Ordinal)) throw new FormatException($"{name}: line 2 should be 'kind <kind>'.");
        var pieceCount = Count("pieces");
        var pieces = new List<string>(pieceCount);
        for (var i = 0; i < pieceCount; i++) pieces.Add(Next("a piece"));
        var mergeCount = Count("merges");
        var merges = new List<(string, string)>(mergeCount);
        for (var i = 0; i < mergeCount; i++)
        {
            var line = Next("a merge");
            var space = line.IndexOf(' ');
            if (space <= 0 || space == line.Length - 1) throw new FormatException($"{name}: line {at} should be a merge '<left> <right>', not '{line}'.");
            merges.Add((line[..space], line[(space + 1)..]));
        }
        // Anything after the merges would be silently ignored and the fingerprint would not see it: refused.
        if (at < lines.Length - 1 || at == lines.Length - 1 && lines[at].Length > 0)
            throw new FormatException($"{name}: line {at + 1} follows the last merge ('{lines[at]}').");
        try
        {
            return new SubwordModel(kindLine[5..], pieces, merges);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }
}
