using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.LanguageModels;

/// <summary>
/// The words a decoder may emit, as a letter trie: a decoder keeps the word being spelled as a node and
/// steps it one token at a time, so a prefix that leads to no word is dropped as soon as it is spelled.
/// </summary>
public sealed class Lexicon
{
    /// <summary>The node of the empty word.</summary>
    public const int Root = 0;

    private readonly List<bool> isWord = new() { false };
    private readonly Dictionary<(int Node, char Letter), int> children = new();

    /// <summary>A lexicon of <paramref name="words"/>.</summary>
    /// <exception cref="ArgumentException">No words.</exception>
    public Lexicon(IEnumerable<string> words)
    {
        foreach (var word in words)
        {
            if (word.Length == 0) continue;
            var node = Root;
            foreach (var letter in word)
            {
                if (!children.TryGetValue((node, letter), out var child))
                {
                    child = isWord.Count;
                    isWord.Add(false);
                    children.Add((node, letter), child);
                }
                node = child;
            }
            if (!isWord[node])
            {
                Count++;
                distinct.Add(word);
            }
            isWord[node] = true;
        }
        if (Count == 0) throw new ArgumentException("A lexicon needs at least one word.", nameof(words));
    }

    /// <summary>Distinct words.</summary>
    public int Count { get; }

    private readonly List<string> distinct = new();

    /// <summary>The distinct words, in the order first read.</summary>
    public IReadOnlyList<string> Words => distinct;

    /// <summary>The node after spelling <paramref name="text"/> from <paramref name="node"/>, or −1 when no word continues that way.</summary>
    public int Step(int node, string text)
    {
        foreach (var letter in text)
        {
            if (node < 0 || !children.TryGetValue((node, letter), out node)) return -1;
        }
        return node;
    }

    /// <summary>Whether <paramref name="node"/> ends a word.</summary>
    public bool IsWord(int node) => node >= 0 && isWord[node];

    /// <summary>Whether <paramref name="word"/> is in the lexicon.</summary>
    public bool Contains(string word) => IsWord(Step(Root, word));

    /// <summary>
    /// Reads a lexicon file: one word per line, the first whitespace-separated field (so a plain word
    /// list and flashlight's "word  w o r d |" spelling lexicons both read); blank lines and lines
    /// starting with '#' are skipped.
    /// </summary>
    /// <exception cref="DataFileException">Missing, unreadable, not UTF-8 or without words; the message names the file.</exception>
    public static Lexicon Load(string path)
    {
        var words = new List<string>();
        try
        {
            OutsideFile.RequireRegular(path, "lexicon");
            using var file = new StreamReader(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
            var lines = new Data.BoundedLineReader(file, path);
            while (lines.ReadLine() is { } line)
            {
                var trimmed = line.Trim();
                if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
                var end = trimmed.IndexOfAny(new[] { ' ', '\t' });
                words.Add(end < 0 ? trimmed : trimmed[..end]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new DataFileException($"{path}: cannot read the lexicon ({e.Message}).", e);
        }
        if (words.Count == 0) throw new DataFileException($"{path}: the lexicon has no words.");
        return new Lexicon(words);
    }
}
