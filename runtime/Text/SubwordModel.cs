using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace CtcDsl.Runtime.Text;

/// <summary>
/// A subword model: the pieces a CTC model emits (words are written with a leading word-boundary
/// marker <see cref="Marker"/>, U+2581, as SentencePiece writes them) and how a word becomes pieces:
/// <c>bpe</c> applies merges in rank order (<see cref="BpeTrainer"/>), <c>unigram</c> takes the most
/// probable segmentation under per-piece log-probabilities (<see cref="UnigramTrainer"/>), and
/// <c>sentencepiece</c> encodes with a SentencePiece <c>.model</c> file (<see cref="LoadSentencePiece"/>).
/// <see cref="Save"/> and <see cref="Load"/> write and read a text file that <see cref="Fingerprint"/>
/// identifies, so a checkpoint can refuse another subword model.
/// </summary>
public sealed partial class SubwordModel
{
    /// <summary>The word-boundary marker that begins every word's first piece (U+2581, SentencePiece's).</summary>
    public const char Marker = '\u2581';

    private const string Header = "ctcdsl-subwords 1";
    private readonly string[] pieces;
    private readonly (string Left, string Right)[] merges;
    private readonly Dictionary<(string, string), int> ranks = new();
    private readonly HashSet<char> alphabet = new();
    private readonly double[]? scores; // unigram: each piece's log-probability
    private readonly Dictionary<string, int>? pieceIndex; // unigram: piece → index into pieces
    private readonly int longestPiece;

    /// <summary>Creates a model from its <paramref name="kind"/>, <paramref name="pieces"/> (in id order) and <paramref name="merges"/> (rank order).</summary>
    /// <exception cref="ArgumentException">An unknown kind, a piece is empty or repeated, or a merge makes a piece that is not listed.</exception>
    public SubwordModel(string kind, IReadOnlyList<string> pieces, IReadOnlyList<(string Left, string Right)> merges)
    {
        if (kind is not (SpecFacts.SubwordFacts.Bpe or SpecFacts.SubwordFacts.Unigram or SpecFacts.SubwordFacts.SentencePiece))
            throw new ArgumentException($"Unknown subword model kind '{kind}': bpe, unigram or sentencepiece.", nameof(kind));
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

    /// <summary>A unigram model: <paramref name="pieces"/> (every single character of the alphabet among them) with their log-probabilities <paramref name="scores"/>.</summary>
    /// <exception cref="ArgumentException">A piece is empty or repeated, a score is not finite or not ≤ 0, or the counts differ.</exception>
    public SubwordModel(IReadOnlyList<string> pieces, IReadOnlyList<double> scores) : this("unigram", pieces, Array.Empty<(string, string)>())
    {
        if (scores.Count != pieces.Count) throw new ArgumentException($"{pieces.Count} pieces but {scores.Count} scores.", nameof(scores));
        if (scores.Any(s => !double.IsFinite(s) || s > 0)) throw new ArgumentException("A unigram score is a log-probability: finite and at most 0.", nameof(scores));
        this.scores = scores.ToArray();
        pieceIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < this.pieces.Length; i++)
        {
            pieceIndex.Add(this.pieces[i], i);
            longestPiece = Math.Max(longestPiece, this.pieces[i].Length);
        }
    }

    /// <summary>How the model was made: <c>bpe</c>, <c>unigram</c> (both trained here) or <c>sentencepiece</c> (a SentencePiece model file).</summary>
    public string Kind { get; }

    /// <summary>The pieces in id order (the vocabulary's tokens).</summary>
    public IReadOnlyList<string> Pieces => pieces;

    /// <summary>A unigram model's log-probabilities, one per piece in id order; empty for the other kinds.</summary>
    public IReadOnlyList<double> Scores => scores ?? Array.Empty<double>();

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
        if (sentencePiece is not null) return EncodeSentencePiece(text, item);
        var result = new List<string>();
        var position = 0;
        foreach (var word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var at = text.IndexOf(word, position, StringComparison.Ordinal);
            position = at + word.Length;
            for (var i = 0; i < word.Length; i++)
                if (!alphabet.Contains(word[i])) throw new VocabularyException(text, at + i, item);
            result.AddRange(scores is null ? MergeWord(Marker + word) : SegmentWord(Marker + word));
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

    /// <summary>
    /// A unigram model's segmentation of <paramref name="word"/>: the pieces whose log-probabilities sum
    /// highest (Viterbi over the word's characters; every single character is a piece, so one exists).
    /// Ties go to the segmentation found first, ending with the longer piece, so encoding is deterministic.
    /// </summary>
    internal List<string> SegmentWord(string word)
    {
        var best = new double[word.Length + 1];
        var from = new int[word.Length + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var end = 1; end <= word.Length; end++)
            for (var start = Math.Max(0, end - longestPiece); start < end; start++)
            {
                if (double.IsNegativeInfinity(best[start]) || !pieceIndex!.TryGetValue(word[start..end], out var id)) continue;
                var score = best[start] + scores![id];
                if (score > best[end]) { best[end] = score; from[end] = start; }
            }
        var result = new List<string>();
        for (var end = word.Length; end > 0; end = from[end]) result.Add(word[from[end]..end]);
        result.Reverse();
        return result;
    }

    /// <summary>The model as text: a header, the kind, the pieces one a line (a unigram piece followed by a tab and its score), then the merges one a line (left and right separated by a space), or a SentencePiece model's bytes in base64.</summary>
    public string ToText()
    {
        var builder = new StringBuilder();
        builder.Append(Header).Append('\n');
        builder.Append("kind ").Append(Kind).Append('\n');
        builder.Append("pieces ").Append(pieces.Length).Append('\n');
        for (var i = 0; i < pieces.Length; i++)
        {
            builder.Append(pieces[i]);
            if (scores is not null) builder.Append('\t').Append(scores[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            builder.Append('\n');
        }
        if (sentencePieceBytes is not null)
        {
            builder.Append("model ").Append(Convert.ToBase64String(sentencePieceBytes)).Append('\n');
            return builder.ToString();
        }
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
        var kind = kindLine[5..];
        var pieceCount = Count("pieces");
        var pieces = new List<string>(pieceCount);
        var scores = new List<double>();
        for (var i = 0; i < pieceCount; i++)
        {
            var piece = Next("a piece");
            if (kind == "unigram")
            {
                var tab = piece.LastIndexOf('\t');
                if (tab <= 0 || !double.TryParse(piece.AsSpan(tab + 1), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var score))
                    throw new FormatException($"{name}: line {at} should be a unigram piece, a tab and its score, not '{piece}'.");
                scores.Add(score);
                piece = piece[..tab];
            }
            pieces.Add(piece);
        }
        if (kind == "sentencepiece")
        {
            var line = Next("the model");
            byte[] bytes;
            try
            {
                bytes = line.StartsWith("model ", StringComparison.Ordinal) ? Convert.FromBase64String(line[6..]) : throw new FormatException("no 'model' line");
            }
            catch (FormatException e)
            {
                throw new FormatException($"{name}: line {at} should be 'model <base64 of the SentencePiece model>' ({e.Message}).", e);
            }
            if (at < lines.Length - 1 || at == lines.Length - 1 && lines[at].Length > 0)
                throw new FormatException($"{name}: line {at + 1} follows the model.");
            var model = FromSentencePiece(bytes, name);
            if (!model.pieces.SequenceEqual(pieces, StringComparer.Ordinal))
                throw new FormatException($"{name}: the pieces listed differ from the SentencePiece model's.");
            return model;
        }
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
            return kind == "unigram" ? new SubwordModel(pieces, scores) : new SubwordModel(kind, pieces, merges);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"{name}: {e.Message}", e);
        }
    }
}
