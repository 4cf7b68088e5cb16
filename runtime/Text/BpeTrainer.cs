using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Text;

/// <summary>
/// Trains a byte-pair-encoding <see cref="SubwordModel"/> from transcripts, deterministically: the same
/// transcripts (in any order) give the same pieces and merges, byte for byte, because words are counted
/// into an ordinally sorted table and ties between equally frequent pairs go to the ordinally smallest.
/// </summary>
public static class BpeTrainer
{
    /// <summary>The smallest subword vocabulary a spec may ask for.</summary>
    public const int MinimumSize = CtcDsl.SpecFacts.SubwordFacts.MinimumSize;

    /// <summary>The largest subword vocabulary a spec may ask for.</summary>
    public const int MaximumSize = CtcDsl.SpecFacts.SubwordFacts.MaximumSize;

    /// <summary>
    /// Learns <paramref name="size"/> pieces: every character of the transcripts and the word-boundary
    /// marker, then the most frequent adjacent pair merged, again and again, until there are
    /// <paramref name="size"/> pieces.
    /// </summary>
    /// <exception cref="ArgumentException">No words; more characters than <paramref name="size"/>; or the transcripts run out of pairs to merge before <paramref name="size"/> (the message says how many pieces they allow).</exception>
    public static SubwordModel Train(IEnumerable<string> transcripts, int size)
    {
        if (size < MinimumSize || size > MaximumSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A subword vocabulary has {MinimumSize} to {MaximumSize} pieces.");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var transcript in transcripts)
            foreach (var word in transcript.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                counts[SubwordModel.Marker + word] = counts.GetValueOrDefault(SubwordModel.Marker + word) + 1;
        if (counts.Count == 0) throw new ArgumentException("The transcripts have no words to learn subwords from.", nameof(transcripts));

        var alphabet = counts.Keys.SelectMany(w => w).Distinct().OrderBy(c => c).Select(c => c.ToString()).ToList();
        if (alphabet.Count > size)
            throw new ArgumentException($"The transcripts use {alphabet.Count} distinct characters (the word-boundary marker included); a subword vocabulary of {size} cannot hold them all: ask for at least {alphabet.Count}.", nameof(size));

        var words = counts.Select(p => (Symbols: p.Key.Select(c => c.ToString()).ToList(), Count: p.Value)).ToList();
        var pieces = new List<string>(alphabet);
        var known = new HashSet<string>(alphabet, StringComparer.Ordinal);
        var merges = new List<(string, string)>();
        while (pieces.Count < size)
        {
            var pairs = new Dictionary<(string, string), long>();
            foreach (var (symbols, count) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    pairs[(symbols[i], symbols[i + 1])] = pairs.GetValueOrDefault((symbols[i], symbols[i + 1])) + count;
            // A pair whose join is already a piece (made by another pair) would add nothing: skip it.
            var candidates = pairs.Where(p => !known.Contains(p.Key.Item1 + p.Key.Item2)).ToList();
            if (candidates.Count == 0)
                throw new ArgumentException($"The transcripts allow at most {pieces.Count} subword pieces (every word is one piece by then); ask for {pieces.Count} or fewer, or train on more text.", nameof(size));
            var best = candidates[0];
            foreach (var candidate in candidates.Skip(1))
                if (candidate.Value > best.Value || candidate.Value == best.Value && Compare(candidate.Key, best.Key) < 0) best = candidate;
            var (left, right) = best.Key;
            merges.Add((left, right));
            pieces.Add(left + right);
            known.Add(left + right);
            foreach (var (symbols, _) in words)
                for (var i = 0; i + 1 < symbols.Count; i++)
                    if (symbols[i] == left && symbols[i + 1] == right)
                    {
                        symbols[i] = left + right;
                        symbols.RemoveAt(i + 1);
                    }
        }
        return new SubwordModel("bpe", pieces, merges);
    }

    private static int Compare((string Left, string Right) a, (string Left, string Right) b)
    {
        var left = string.CompareOrdinal(a.Left, b.Left);
        return left != 0 ? left : string.CompareOrdinal(a.Right, b.Right);
    }
}
