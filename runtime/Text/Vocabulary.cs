using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace CtcDsl.Runtime.Text;

/// <summary>
/// The output alphabet of a CTC model: the tokens (one character each) and where the blank sits
/// among the classes. Class ids run 0..<see cref="ClassCount"/>-1; the blank takes
/// <see cref="BlankIndex"/> and the tokens take the other ids in order. A subword vocabulary
/// (<see cref="FromSubwords"/>) has pieces of any length instead, words marked by a leading
/// <see cref="SubwordModel.Marker"/>; its text comes back with <see cref="WordSeparator"/> between words.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] tokens;
    private readonly Dictionary<char, int> ids = new();
    private readonly Dictionary<string, int>? pieceIds;

    /// <summary>Creates a vocabulary of single-character <paramref name="tokens"/> with the blank at <paramref name="blankIndex"/>.</summary>
    /// <exception cref="ArgumentException">A token is not one character, appears twice, or the blank index is out of range.</exception>
    public Vocabulary(IReadOnlyList<string> tokens, int blankIndex, char wordSeparator = ' ')
    {
        if (blankIndex < 0 || blankIndex > tokens.Count)
            throw new ArgumentOutOfRangeException(nameof(blankIndex), blankIndex, $"The blank index must be between 0 and {tokens.Count}.");
        this.tokens = new string[tokens.Count];
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Length != 1)
                throw new ArgumentException($"Token {i} ('{token}') must be exactly one character.", nameof(tokens));
            var id = i < blankIndex ? i : i + 1;
            if (!ids.TryAdd(token[0], id))
                throw new ArgumentException($"Token '{token}' appears twice.", nameof(tokens));
            this.tokens[i] = token;
        }
        BlankIndex = blankIndex;
        WordSeparator = wordSeparator;
    }

    private Vocabulary(SubwordModel subwords, int blankIndex)
    {
        if (blankIndex < 0 || blankIndex > subwords.Pieces.Count)
            throw new ArgumentOutOfRangeException(nameof(blankIndex), blankIndex, $"The blank index must be between 0 and {subwords.Pieces.Count}.");
        tokens = subwords.Pieces.ToArray();
        pieceIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            var id = i < blankIndex ? i : i + 1;
            pieceIds.Add(tokens[i], id);
            if (tokens[i].Length == 1) ids.Add(tokens[i][0], id);
        }
        Subwords = subwords;
        BlankIndex = blankIndex;
        WordSeparator = ' ';
    }

    /// <summary>A subword vocabulary: the pieces of <paramref name="subwords"/> in order, the blank at <paramref name="blankIndex"/>, words separated by spaces in decoded text.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The blank index is out of range.</exception>
    public static Vocabulary FromSubwords(SubwordModel subwords, int blankIndex) => new(subwords, blankIndex);

    /// <summary>The subword model of a subword vocabulary; null for a character one.</summary>
    public SubwordModel? Subwords { get; }

    /// <summary>
    /// Whether class <paramref name="classId"/> begins a new word: in a subword vocabulary, a piece that starts
    /// with the word-boundary marker; never in a character one (words there end at <see cref="IsWordSeparator"/>).
    /// </summary>
    public bool StartsWord(int classId) =>
        Subwords is not null && classId != BlankIndex && classId >= 0 && classId < ClassCount && TokenOf(classId)[0] == SubwordModel.Marker;

    /// <summary>Whether class <paramref name="classId"/> is the word separator of a character vocabulary (a subword vocabulary has none: its pieces carry the boundary).</summary>
    public bool IsWordSeparator(int classId) => Subwords is null && classId >= 0 && classId != BlankIndex && classId == IdOf(WordSeparator);

    /// <summary>
    /// Whether <paramref name="c"/> can appear in a transcript: a token of a character vocabulary, or for a
    /// subword vocabulary the word separator or a character among its pieces.
    /// </summary>
    public bool Covers(char c) => Subwords is null ? IdOf(c) >= 0 : c == WordSeparator || Subwords.Covers(c);

    /// <summary>Class id of the token or piece <paramref name="token"/>, or -1 when it is not in the vocabulary.</summary>
    public int IdOf(string token) =>
        pieceIds is not null ? (pieceIds.TryGetValue(token, out var id) ? id : -1) : token.Length == 1 ? IdOf(token[0]) : -1;

    /// <summary>Number of tokens, blank excluded.</summary>
    public int TokenCount => tokens.Length;

    /// <summary>Number of output classes: tokens plus the blank (the width of the logits).</summary>
    public int ClassCount => tokens.Length + 1;

    /// <summary>Class id of the CTC blank.</summary>
    public int BlankIndex { get; }

    /// <summary>The character that separates words (used by word error rate).</summary>
    public char WordSeparator { get; }

    /// <summary>The tokens in id order, blank excluded.</summary>
    public IReadOnlyList<string> Tokens => tokens;

    /// <summary>The token of class <paramref name="classId"/> (not the blank): ids skip the blank's.</summary>
    public string TokenOf(int classId) => tokens[classId < BlankIndex ? classId : classId - 1];

    /// <summary>Class id of <paramref name="token"/>, or -1 when it is not in the vocabulary.</summary>
    public int IdOf(char token) => ids.TryGetValue(token, out var id) ? id : -1;

    /// <summary>Encodes <paramref name="text"/> to class ids.</summary>
    /// <param name="text">The text; every character must be a token.</param>
    /// <param name="item">Names the text in error messages (a file, a line, an example index).</param>
    /// <exception cref="VocabularyException">A character is not in the vocabulary.</exception>
    public int[] Encode(string text, string? item = null)
    {
        if (Subwords is not null) return Subwords.Encode(text, item).Select(p => pieceIds![p]).ToArray();
        var result = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var id = IdOf(text[i]);
            if (id < 0) throw new VocabularyException(text, i, item);
            result[i] = id;
        }
        return result;
    }

    /// <summary>
    /// Returns <paramref name="labels"/> when every id is a token of this vocabulary (not the blank, not
    /// outside the classes); otherwise throws naming <paramref name="item"/>, the position and the id.
    /// </summary>
    /// <exception cref="ArgumentException">An id is the blank or not a class.</exception>
    public int[] EnsureLabels(int[] labels, string item)
    {
        ArgumentNullException.ThrowIfNull(labels);
        for (var i = 0; i < labels.Length; i++)
        {
            var id = labels[i];
            if (id == BlankIndex)
                throw new ArgumentException($"{item}: label {i} is {id}, the blank's id; labels are token ids (the blank is never a label).", nameof(labels));
            if (id < 0 || id >= ClassCount)
                throw new ArgumentException($"{item}: label {i} is {id}, outside the class ids 0..{ClassCount - 1}.", nameof(labels));
        }
        return labels;
    }

    /// <summary>Decodes class ids to text; the blank decodes to nothing (subword pieces are joined, each marker becoming a word separator, none leading).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An id is not a class of this vocabulary.</exception>
    public string Decode(ReadOnlySpan<int> classIds)
    {
        var builder = new StringBuilder(classIds.Length);
        foreach (var id in classIds)
        {
            if (id == BlankIndex) continue;
            if (id < 0 || id >= ClassCount)
                throw new ArgumentOutOfRangeException(nameof(classIds), id, $"Class id {id} is outside 0..{ClassCount - 1}.");
            builder.Append(TokenOf(id));
        }
        if (Subwords is null) return builder.ToString();
        builder.Replace(SubwordModel.Marker, WordSeparator);
        var start = 0;
        while (start < builder.Length && builder[start] == WordSeparator) start++;
        return builder.ToString(start, builder.Length - start);
    }
}

/// <summary>A text holds a character that the vocabulary does not have.</summary>
public sealed class VocabularyException : FormatException
{
    internal VocabularyException(string text, int position, string? item)
        : base($"{(item is null ? "" : item + ": ")}character '{Printable(text[position])}' (U+{(int)text[position]:X4}) at position {position} of \"{text}\" is not in the vocabulary.")
    {
        Text = text;
        Position = position;
        Item = item;
    }

    /// <summary>The text being encoded.</summary>
    public string Text { get; }

    /// <summary>Index of the offending character in <see cref="Text"/>.</summary>
    public int Position { get; }

    /// <summary>What the text belongs to, when the caller said.</summary>
    public string? Item { get; }

    private static string Printable(char c) => char.IsControl(c) ? "\\u" + ((int)c).ToString("X4") : c.ToString();
}
