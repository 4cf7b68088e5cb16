using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.LanguageModels;

/// <summary>
/// A back-off n-gram language model in ARPA form (what KenLM's <c>lmplz</c>, SRILM and
/// <see cref="KneserNeyBuilder"/> write): any order, <c>&lt;s&gt;</c>, <c>&lt;/s&gt;</c>, <c>&lt;unk&gt;</c>.
/// Words are interned to ids and each order's n-grams live in one hash table keyed by the packed ids
/// (21 bits a word, so up to 2,097,151 words and order 6), holding log10 probability and back-off:
/// a query is at most one lookup per order. The units are words for a word model, or single tokens
/// (characters) for a token model — the same file format either way.
/// </summary>
public sealed class NgramLanguageModel
{
    private const int BitsPerWord = 21;
    private const int MaxWords = (1 << BitsPerWord) - 1;

    /// <summary>The highest order ARPA files may have here (six 21-bit ids fill a 128-bit key).</summary>
    public const int MaxOrder = 6;

    private readonly Dictionary<string, int> ids;
    private readonly string[] words;
    private readonly Dictionary<UInt128, (float LogProb, float Backoff)>[] grams;

    private NgramLanguageModel(Dictionary<string, int> ids, string[] words, Dictionary<UInt128, (float, float)>[] grams)
    {
        this.ids = ids;
        this.words = words;
        this.grams = grams;
        Order = grams.Length;
        Start = Id("<s>");
        End = Id("</s>");
        Unknown = ids.TryGetValue("<unk>", out var unknown) ? unknown : -1;
    }

    /// <summary>The model's order (3 for a trigram model).</summary>
    public int Order { get; }

    /// <summary>Words (or tokens) the model knows, <c>&lt;s&gt;</c> and <c>&lt;/s&gt;</c> included.</summary>
    public int VocabularySize => words.Length;

    /// <summary>n-grams of each order (index 0: unigrams).</summary>
    public IReadOnlyList<int> Counts => Array.ConvertAll(grams, g => g.Count);

    /// <summary>Id of <c>&lt;s&gt;</c>.</summary>
    public int Start { get; }

    /// <summary>Id of <c>&lt;/s&gt;</c>.</summary>
    public int End { get; }

    /// <summary>Id of <c>&lt;unk&gt;</c>, or −1 when the model has none.</summary>
    public int Unknown { get; }

    /// <summary>log10 probability given to a word the model does not know and has no <c>&lt;unk&gt;</c> for.</summary>
    public float UnknownLogProb { get; init; } = -10f;

    /// <summary>The id of <paramref name="word"/>: its own, else <c>&lt;unk&gt;</c>'s, else −1.</summary>
    public int Id(string word) => ids.TryGetValue(word, out var id) ? id : Unknown;

    /// <summary>Whether the model has <paramref name="word"/> itself (not as <c>&lt;unk&gt;</c>).</summary>
    public bool Contains(string word) => ids.ContainsKey(word);

    /// <summary>The word of <paramref name="id"/>.</summary>
    public string Word(int id) => words[id];

    /// <summary>A state with no context at all (unigram probabilities).</summary>
    public LmState EmptyState => new(Array.Empty<int>());

    /// <summary>The state at the start of a sentence: the context <c>&lt;s&gt;</c>.</summary>
    public LmState BeginSentence() => new LmState(new[] { Start });

    /// <summary>
    /// log10 P(<paramref name="word"/> | <paramref name="state"/>) with back-off, and the state after it
    /// (the last Order − 1 words). An unknown word scores <c>&lt;unk&gt;</c>'s probability or
    /// <see cref="UnknownLogProb"/>.
    /// </summary>
    public float Score(LmState state, int word, out LmState next)
    {
        var context = state.Words;
        next = state.Then(word, Order - 1);
        if (word < 0) return UnknownLogProb;
        // Longest match first: P(w | h) if (h, w) was seen, else backoff(h) + P(w | shorter h).
        float backoff = 0;
        for (var length = Math.Min(context.Length, Order - 1); length >= 0; length--)
        {
            var key = Pack(context.AsSpan(context.Length - length), word);
            if (grams[length].TryGetValue(key, out var entry)) return backoff + entry.LogProb;
            if (length > 0 && grams[length - 1].TryGetValue(Pack(context.AsSpan(context.Length - length, length - 1), context[^1]), out var history))
                backoff += history.Backoff;
        }
        return backoff + UnknownLogProb; // a word id with no unigram (cannot happen for ids from Id)
    }

    /// <summary>log10 P(words …, &lt;/s&gt; | &lt;s&gt;): a whole sentence, scored as a decoder does.</summary>
    public double ScoreSentence(IEnumerable<string> sentence)
    {
        var state = BeginSentence();
        double total = 0;
        foreach (var word in sentence) total += Score(state, Id(word), out state);
        return total + Score(state, End, out _);
    }

    private static UInt128 Pack(ReadOnlySpan<int> context, int word)
    {
        UInt128 key = 0;
        foreach (var id in context) key = (key << BitsPerWord) | (uint)(id + 1);
        return (key << BitsPerWord) | (uint)(word + 1);
    }

    /// <summary>Reads an ARPA file (plain text; <c>.gz</c> is decompressed, to at most <see cref="Data.DecompressedSizeBound.Ratio"/> times its size or <see cref="Data.DecompressedSizeBound.Floor"/> bytes).</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable or not ARPA; the message names the line.</exception>
    public static NgramLanguageModel Load(string path)
    {
        try
        {
            Data.OutsideFile.RequireRegular(path, "language model");
            using var file = File.OpenRead(path);
            Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
                ? new Data.DecompressedSizeBound(new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress), file.Length, path)
                : file;
            using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
            return Read(reader, path);
        }
        catch (Exception e) when (e is IOException and not DataFileException or UnauthorizedAccessException or DecoderFallbackException or InvalidDataException)
        {
            throw new DataFileException($"{path}: cannot read the language model ({e.Message}).", e);
        }
    }

    /// <summary>Reads ARPA text; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFileException">Not ARPA: a missing header or section, a count that does not match, a malformed or duplicated entry; the message names the line.</exception>
    public static NgramLanguageModel Read(TextReader reader, string name)
    {
        var lines = new Data.BoundedLineReader(reader, name);
        string? line;
        string? Next() => line = lines.ReadLine();
        DataFileException Error(string what) => new($"{name} line {lines.Number}: {what}.");

        // Anything before \data\ is a comment.
        while (Next() is { } text && text.Trim() != "\\data\\")
        {
        }
        if (line is null) throw new DataFileException($"{name}: not an ARPA language model (no \\data\\ section).");
        var declared = new List<int>();
        while (Next() is { } text && text.Trim().Length > 0)
        {
            var trimmed = text.Trim();
            if (!trimmed.StartsWith("ngram ", StringComparison.Ordinal) || trimmed.IndexOf('=') is var equals && equals < 0 ||
                !int.TryParse(trimmed.AsSpan(6, equals - 6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var order) ||
                !int.TryParse(trimmed.AsSpan(equals + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
                throw Error($"expected 'ngram N=COUNT', found '{trimmed}'");
            if (order != declared.Count + 1) throw Error($"ngram {order} is out of order (expected ngram {declared.Count + 1})");
            declared.Add(count);
        }
        if (declared.Count == 0) throw Error("\\data\\ declares no n-gram counts");
        if (declared.Count > MaxOrder) throw Error($"order {declared.Count} is more than the {MaxOrder} supported");

        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var words = new List<string>();
        var grams = new Dictionary<UInt128, (float, float)>[declared.Count];
        var context = new int[MaxOrder];
        for (var n = 1; n <= declared.Count; n++)
        {
            while (Next() is { } text && text.Trim().Length == 0)
            {
            }
            if (line is null || line.Trim() != $"\\{n}-grams:") throw Error($"expected \\{n}-grams:, found '{line?.Trim() ?? "the end of the file"}'");
            // The header is outside input: 'ngram 3=2000000000' in a 12 KB file must not size the table
            // (an OutOfMemoryException); the table grows with the entries actually read, and the count is checked after.
            var table = grams[n - 1] = new Dictionary<UInt128, (float, float)>(Math.Min(declared[n - 1], 1 << 16));
            while (Next() is { } entry && entry.Trim().Length > 0 && !entry.TrimStart().StartsWith('\\'))
            {
                var fields = entry.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length != n + 1 && fields.Length != n + 2) throw Error($"a {n}-gram entry needs a log probability, {n} word(s) and an optional back-off; found {fields.Length} fields");
                var logProb = Number(fields[0], "log probability");
                var backoff = fields.Length == n + 2 ? Number(fields[n + 1], "back-off") : 0f;
                // A back-off is log10 of a weight that scales probabilities: it must be finite, and a
                // positive one makes P(w | h) exceed 1 (3e38 was accepted and changed decodes).
                if (!float.IsFinite(backoff) || backoff > 0) throw Error($"back-off {fields[n + 1]} must be finite and not above 0");
                if (logProb > 0) throw Error($"log probability {fields[0]} is above 0");
                for (var k = 0; k < n; k++)
                {
                    var word = fields[1 + k];
                    if (!ids.TryGetValue(word, out var id))
                    {
                        if (n > 1) throw Error($"'{word}' is in a {n}-gram but not among the unigrams");
                        if (words.Count == MaxWords) throw Error($"more than {MaxWords} words");
                        ids[word] = id = words.Count;
                        words.Add(word);
                    }
                    context[k] = id;
                }
                var key = Pack(context.AsSpan(0, n - 1), context[n - 1]);
                if (!table.TryAdd(key, (logProb, backoff))) throw Error($"the {n}-gram '{string.Join(' ', fields[1..(n + 1)])}' is listed twice");
            }
            if (table.Count != declared[n - 1]) throw Error($"\\data\\ declares {declared[n - 1]} {n}-grams, the section has {table.Count}");
            if (line is not null && line.Trim() is var marker && marker.StartsWith('\\') && marker != "\\end\\" && marker != $"\\{n + 1}-grams:")
                throw Error($"unexpected '{marker}'");
        }
        while (line is not null && line.Trim() != "\\end\\" && Next() is { } text && text.Trim().Length == 0)
        {
        }
        if (line?.Trim() != "\\end\\") throw new DataFileException($"{name}: no \\end\\ marker (a truncated file?).");
        if (!ids.ContainsKey("<s>") || !ids.ContainsKey("</s>")) throw new DataFileException($"{name}: the unigrams must include <s> and </s>.");
        return new NgramLanguageModel(ids, words.ToArray(), grams);

        float Number(string text, string what)
        {
            // One rule for minus infinity (probability 0): '-inf' (KenLM, SRILM) and '-Infinity' (.NET) both read.
            var value = float.NegativeInfinity;
            if (!text.Equals("-inf", StringComparison.OrdinalIgnoreCase) &&
                (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || float.IsNaN(value) || float.IsPositiveInfinity(value)))
                throw Error($"'{text}' is not a {what}");
            return value;
        }
    }
}

/// <summary>A language model's context: the last Order − 1 word ids (immutable; equal contexts are equal states).</summary>
public readonly struct LmState : IEquatable<LmState>
{
    internal LmState(int[] words) => Words = words;

    internal int[] Words { get; }

    internal LmState Then(int word, int keep)
    {
        var length = Math.Min(keep, Words.Length + 1);
        var next = new int[length];
        if (length > 0)
        {
            Array.Copy(Words, Words.Length - (length - 1), next, 0, length - 1);
            next[^1] = word;
        }
        return new LmState(next);
    }

    /// <inheritdoc/>
    public bool Equals(LmState other) => Words.AsSpan().SequenceEqual(other.Words);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is LmState other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var w in Words) hash.Add(w);
        return hash.ToHashCode();
    }
}
