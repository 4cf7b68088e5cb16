using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Text;

/// <summary>
/// Trains a unigram-language-model <see cref="SubwordModel"/> (Kudo 2018, SentencePiece's default) from
/// transcripts, deterministically: seed pieces are the most frequent substrings of the words, then
/// rounds of expectation–maximisation (expected piece counts from the forward–backward sums over each
/// word's segmentations) alternate with pruning the pieces whose removal costs the corpus least
/// likelihood, until exactly the asked number is left. Words are counted into an ordinally sorted
/// table and every ranking breaks ties ordinally, so the same transcripts in any order give the same
/// model, byte for byte. Single characters are never pruned, so every word of the training alphabet
/// can be encoded.
/// </summary>
public static class UnigramTrainer
{
    /// <summary>Longest piece considered (SentencePiece's <c>max_sentencepiece_length</c> default).</summary>
    public const int MaximumPieceLength = 16;

    private const double Shrinking = 0.75; // SentencePiece's shrinking_factor: keep 75 % per round
    private const int EmIterations = 2;     // SentencePiece's num_sub_iterations

    /// <summary>Learns exactly <paramref name="size"/> pieces from <paramref name="transcripts"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is outside <see cref="BpeTrainer.MinimumSize"/>..<see cref="BpeTrainer.MaximumSize"/>.</exception>
    /// <exception cref="ArgumentException">No words; more characters than <paramref name="size"/>; or fewer distinct substrings than <paramref name="size"/> (the message says how many the transcripts allow).</exception>
    public static SubwordModel Train(IEnumerable<string> transcripts, int size)
    {
        if (size < BpeTrainer.MinimumSize || size > BpeTrainer.MaximumSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A subword vocabulary has {BpeTrainer.MinimumSize} to {BpeTrainer.MaximumSize} pieces.");
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var transcript in transcripts)
            foreach (var word in transcript.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                counts[SubwordModel.Marker + word] = counts.GetValueOrDefault(SubwordModel.Marker + word) + 1;
        if (counts.Count == 0) throw new ArgumentException("The transcripts have no words to learn subwords from.", nameof(transcripts));
        var words = counts.Select(p => (Word: p.Key, Count: p.Value)).ToArray();

        var alphabet = words.SelectMany(w => w.Word).Distinct().OrderBy(c => c).Select(c => c.ToString()).ToList();
        if (alphabet.Count > size)
            throw new ArgumentException($"The transcripts use {alphabet.Count} distinct characters (the word-boundary marker included); a subword vocabulary of {size} cannot hold them all: ask for at least {alphabet.Count}.", nameof(size));

        // Seeds: every substring of 2..16 characters, by frequency × length (SentencePiece ranks its
        // suffix-array seeds so), ties ordinal; a generous multiple of the target keeps EM meaningful.
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in words)
            for (var start = 0; start < word.Length; start++)
                for (var length = 2; length <= MaximumPieceLength && start + length <= word.Length; length++)
                    frequency[word.Substring(start, length)] = frequency.GetValueOrDefault(word.Substring(start, length)) + count;
        var available = alphabet.Count + frequency.Count;
        if (available < size)
            throw new ArgumentException($"The transcripts allow at most {available} unigram pieces (their characters and distinct substrings of up to {MaximumPieceLength}); ask for {available} or fewer, or train on more text.", nameof(size));
        var seeds = frequency.OrderByDescending(p => p.Value * p.Key.Length).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(Math.Max(4 * size, 1000)).Select(p => p.Key);
        var pieces = alphabet.Concat(seeds).ToList();
        var single = new HashSet<string>(alphabet, StringComparer.Ordinal);

        var logProbabilities = Maximise(words, pieces, pieces.Select(p => Math.Log(p.Length == 1 ? 1 : frequency[p])).ToArray());
        while (pieces.Count > size)
        {
            var target = Math.Max(size, (int)(pieces.Count * Shrinking));
            var loss = PruningLoss(words, pieces, logProbabilities, single);
            var keep = Enumerable.Range(0, pieces.Count)
                .OrderByDescending(i => single.Contains(pieces[i]) ? double.PositiveInfinity : loss[i]).ThenBy(i => pieces[i], StringComparer.Ordinal)
                .Take(target).OrderBy(i => i).ToArray();
            var kept = keep.Select(i => logProbabilities[i]).ToArray();
            pieces = keep.Select(i => pieces[i]).ToList();
            logProbabilities = Maximise(words, pieces, kept);
        }

        // Ids: the alphabet first (ordinal), then the rest by probability, most probable first (ties ordinal).
        var order = Enumerable.Range(0, pieces.Count)
            .OrderBy(i => single.Contains(pieces[i]) ? 0 : 1).ThenByDescending(i => single.Contains(pieces[i]) ? 0 : logProbabilities[i]).ThenBy(i => pieces[i], StringComparer.Ordinal).ToArray();
        return new SubwordModel(order.Select(i => pieces[i]).ToArray(), order.Select(i => Math.Min(0, logProbabilities[i])).ToArray());
    }

    /// <summary>EM from <paramref name="initial"/> (unnormalised log weights): log-probabilities proportional to the expected counts.</summary>
    private static double[] Maximise((string Word, long Count)[] words, List<string> pieces, double[] initial)
    {
        var logP = Normalise(initial);
        for (var iteration = 0; iteration < EmIterations; iteration++)
        {
            var index = Index(pieces);
            var expected = new double[pieces.Count];
            foreach (var (word, count) in words) Expect(word, count, index, logP, expected);
            // A piece no segmentation uses gets a tiny weight rather than −∞ (it is pruned next round).
            logP = Normalise(expected.Select(e => Math.Log(Math.Max(e, 1e-10))).ToArray());
        }
        return logP;
    }

    /// <summary>Adds each piece's posterior expected count in <paramref name="word"/> (forward–backward in log space).</summary>
    private static void Expect(string word, long count, Dictionary<string, int> index, double[] logP, double[] expected)
    {
        var n = word.Length;
        var alpha = Filled(n + 1);
        var beta = Filled(n + 1);
        alpha[0] = 0;
        for (var end = 1; end <= n; end++)
            for (var start = Math.Max(0, end - MaximumPieceLength); start < end; start++)
                if (index.TryGetValue(word[start..end], out var id)) alpha[end] = LogAdd(alpha[end], alpha[start] + logP[id]);
        beta[n] = 0;
        for (var start = n - 1; start >= 0; start--)
            for (var end = start + 1; end <= Math.Min(n, start + MaximumPieceLength); end++)
                if (index.TryGetValue(word[start..end], out var id)) beta[start] = LogAdd(beta[start], logP[id] + beta[end]);
        for (var start = 0; start < n; start++)
            for (var end = start + 1; end <= Math.Min(n, start + MaximumPieceLength); end++)
                if (index.TryGetValue(word[start..end], out var id))
                    expected[id] += count * Math.Exp(alpha[start] + logP[id] + beta[end] - alpha[n]);
    }

    /// <summary>
    /// What the corpus loses without each piece: its expected count times the drop from its own
    /// log-probability to that of its best segmentation into the other pieces (SentencePiece's
    /// approximation). Single characters are never removed (their loss is not computed).
    /// </summary>
    private static double[] PruningLoss((string Word, long Count)[] words, List<string> pieces, double[] logP, HashSet<string> single)
    {
        var index = Index(pieces);
        var expected = new double[pieces.Count];
        foreach (var (word, count) in words) Expect(word, count, index, logP, expected);
        var loss = new double[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            if (single.Contains(pieces[i])) continue;
            var alternative = BestWithout(pieces[i], i, index, logP);
            loss[i] = expected[i] * (logP[i] - alternative);
        }
        return loss;
    }

    /// <summary>The best segmentation's log-probability of <paramref name="text"/> without piece <paramref name="excluded"/>.</summary>
    private static double BestWithout(string text, int excluded, Dictionary<string, int> index, double[] logP)
    {
        var best = Filled(text.Length + 1);
        best[0] = 0;
        for (var end = 1; end <= text.Length; end++)
            for (var start = Math.Max(0, end - MaximumPieceLength); start < end; start++)
                if (index.TryGetValue(text[start..end], out var id) && id != excluded)
                    best[end] = Math.Max(best[end], best[start] + logP[id]);
        return best[text.Length];
    }

    private static Dictionary<string, int> Index(List<string> pieces)
    {
        var index = new Dictionary<string, int>(pieces.Count, StringComparer.Ordinal);
        for (var i = 0; i < pieces.Count; i++) index.Add(pieces[i], i);
        return index;
    }

    private static double[] Normalise(double[] logWeights)
    {
        var total = logWeights.Aggregate(double.NegativeInfinity, LogAdd);
        return logWeights.Select(w => w - total).ToArray();
    }

    private static double[] Filled(int n)
    {
        var values = new double[n];
        Array.Fill(values, double.NegativeInfinity);
        return values;
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }
}
