using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Decoding;

/// <summary>What the language model's units are.</summary>
public enum LanguageModelUnit
{
    /// <summary>Words: scored when a word is complete (at a word separator or the end).</summary>
    Word,
    /// <summary>Tokens: every label is scored as it is emitted (the word separator as "|").</summary>
    Token,
}

/// <summary>How <see cref="LanguageModelBeamSearch"/> searches and fuses.</summary>
public sealed record LanguageModelBeamSearchOptions
{
    /// <summary>Prefixes kept after each frame (default 16).</summary>
    public int BeamWidth { get; init; } = 16;

    /// <summary>Hypotheses returned (at most the beam width).</summary>
    public int NBest { get; init; } = 1;

    /// <summary>Weight of the language model's natural-log probability (default 0.5).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Bonus per word (default 1): offsets the language model's preference for fewer words.</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>The language model's units (default words).</summary>
    public LanguageModelUnit Unit { get; init; } = LanguageModelUnit.Word;

    /// <summary>
    /// Score added to a word outside the lexicon; negative infinity (the default) means only lexicon
    /// words can be emitted. Ignored without a lexicon.
    /// </summary>
    public double OutOfLexiconPenalty { get; init; } = double.NegativeInfinity;

    /// <summary>Classes below this natural-log probability in a frame are not extended (default −10; negative infinity: none pruned).</summary>
    public double TokenMinLogProb { get; init; } = -10;

    /// <summary>Prefixes scoring this far (natural log) below the frame's best are dropped (default −20; negative infinity: none).</summary>
    public double BeamPruneLogProb { get; init; } = -20;

    /// <summary>Phrases to favour: every word of each phrase gets its boost (natural log) when completed, and partial credit while being spelled.</summary>
    public IReadOnlyList<(string Phrase, double Boost)> Hotwords { get; init; } = Array.Empty<(string, double)>();
}

/// <summary>
/// CTC prefix beam search fused with an n-gram language model, a lexicon and hotwords: a prefix's
/// score is its acoustic log-probability + α·ln P_LM + β·words (+ hotword boosts), the LM applied at
/// word boundaries for a word model (per token for a token model). With a lexicon the word being
/// spelled is a node of the lexicon's letter trie, so only lexicon words are emitted (or
/// out-of-lexicon words pay <see cref="LanguageModelBeamSearchOptions.OutOfLexiconPenalty"/>). A
/// prefix's language-model part depends only on its labels, so it is computed once per prefix (in the
/// prefix trie) and prefixes reached by different paths merge exactly. Without a language model,
/// lexicon or hotwords, and with pruning off, the n-best equal the exact prefix beam search's.
/// </summary>
public sealed class LanguageModelBeamSearch : ICtcDecoder
{
    private const string TokenSeparator = "|";
    private readonly Vocabulary vocabulary;
    private readonly NgramLanguageModel? lm;
    private readonly Lexicon? lexicon;
    private readonly Dictionary<string, double> hotwordBoost = new(StringComparer.Ordinal);
    private readonly int separator;
    private readonly bool constrained;
    private readonly double lmWeight;

    /// <summary>
    /// A lexicon word the vocabulary cannot spell can never be emitted; when it is every word (a
    /// lexicon in capitals, CMU and LibriSpeech style, against a lowercase vocabulary) every fused
    /// transcript would be empty without a word of explanation, so that is refused, saying so.
    /// </summary>
    private static void RequireSpellable(Lexicon lexicon, Vocabulary vocabulary)
    {
        bool Spellable(string word) => word.All(vocabulary.Covers);
        var unspellable = lexicon.Words.Where(w => !Spellable(w)).ToList();
        if (unspellable.Count < lexicon.Count) return;
        var folded = lexicon.Words.Count(w => Spellable(w.ToLowerInvariant())) > lexicon.Count / 2 ? " Lowercase the lexicon (its words are in capitals; the vocabulary's letters are not)."
            : lexicon.Words.Count(w => Spellable(w.ToUpperInvariant())) > lexicon.Count / 2 ? " Uppercase the lexicon (the vocabulary's letters are capitals)." : "";
        throw new ArgumentException($"The vocabulary cannot spell any of the lexicon's {lexicon.Count} words (e.g. '{string.Join("', '", unspellable.Take(3))}'), so every transcript would be empty.{folded}", nameof(lexicon));
    }


    /// <summary>Creates the decoder.</summary>
    /// <param name="vocabulary">The model's output alphabet (its word separator splits words).</param>
    /// <param name="languageModel">The n-gram model to fuse, or null.</param>
    /// <param name="lexicon">Words that may be emitted, or null.</param>
    /// <param name="options">Search and fusion settings.</param>
    /// <exception cref="ArgumentException">The vocabulary cannot spell any of the lexicon's words (the message offers case-folding when that would help).</exception>
    public LanguageModelBeamSearch(Vocabulary vocabulary, NgramLanguageModel? languageModel = null, Lexicon? lexicon = null, LanguageModelBeamSearchOptions? options = null)
    {
        Options = options ?? new LanguageModelBeamSearchOptions();
        if (Options.BeamWidth < 1) throw new ArgumentOutOfRangeException(nameof(options), Options.BeamWidth, "The beam must hold at least one prefix.");
        if (Options.NBest < 1 || Options.NBest > Options.BeamWidth) throw new ArgumentOutOfRangeException(nameof(options), Options.NBest, $"n-best must be between 1 and the beam width ({Options.BeamWidth}).");
        if (!double.IsFinite(Options.Alpha) || !double.IsFinite(Options.Beta)) throw new ArgumentOutOfRangeException(nameof(options), "Alpha and beta must be finite.");
        this.vocabulary = vocabulary;
        lm = languageModel;
        this.lexicon = lexicon;
        if (lexicon is not null) RequireSpellable(lexicon, vocabulary);
        separator = vocabulary.IdOf(vocabulary.WordSeparator);
        lmWeight = Options.Alpha * Math.Log(10); // ARPA probabilities are log10
        foreach (var (phrase, boost) in Options.Hotwords)
            foreach (var word in phrase.Split(vocabulary.WordSeparator, StringSplitOptions.RemoveEmptyEntries))
                hotwordBoost[word] = Math.Max(hotwordBoost.GetValueOrDefault(word, double.NegativeInfinity), boost);
        // Words are only formed between separators when something scores them: no empty words then.
        constrained = lm is not null || lexicon is not null || hotwordBoost.Count > 0;
    }

    /// <summary>The settings.</summary>
    public LanguageModelBeamSearchOptions Options { get; }

    /// <summary>Searches one utterance: <paramref name="logProbs"/> is <c>[frames, classes]</c> natural-log probabilities, row-major.</summary>
    /// <remarks>
    /// Per frame: every beam prefix's own continuations first (blank, repeat); the worst of those bounds
    /// what an extension must beat to matter, so an extension whose acoustic score plus its parent's
    /// fusion score plus the largest bonus a word could add falls below it is never made into a prefix
    /// (most of a frame's W·C candidates). Survivors merge by prefix; the W best are kept.
    /// </remarks>
    public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        var blank = vocabulary.BlankIndex;
        var width = Options.BeamWidth;
        var trie = new Prefixes(this);
        var beam = new Entries(width);
        beam.Add(Prefixes.Root, 0, double.NegativeInfinity);
        var next = new Entries(width * 4);
        var index = new Dictionary<int, int>();
        var maxBonus = Math.Max(0, Options.Beta) + (hotwordBoost.Count > 0 ? hotwordBoost.Values.Max() : 0);
        for (var t = 0; t < frames; t++)
        {
            var frame = logProbs.Slice(t * classes, classes);
            next.Count = 0;
            index.Clear();
            for (var i = 0; i < beam.Count; i++)
            {
                var node = beam.Nodes[i];
                var last = trie.LabelOf(node);
                var stayLabel = last >= 0 ? beam.Label[i] + frame[last] : double.NegativeInfinity;
                Merge(next, index, node, LogAdd(beam.Blank[i], beam.Label[i]) + frame[blank], stayLabel);
            }
            // The W-th best of the stays: an extension below it cannot enter the beam (scores only grow by merging).
            var threshold = double.NegativeInfinity;
            if (next.Count >= width)
            {
                var scores = new double[next.Count];
                for (var k = 0; k < next.Count; k++) scores[k] = LogAdd(next.Blank[k], next.Label[k]) + trie.Fusion(next.Nodes[k]);
                Array.Sort(scores);
                threshold = scores[next.Count - width];
            }
            for (var i = 0; i < beam.Count; i++)
            {
                var node = beam.Nodes[i];
                var last = trie.LabelOf(node);
                double pb = beam.Blank[i], total = LogAdd(pb, beam.Label[i]);
                var bound = trie.Fusion(node) + maxBonus;
                for (var c = 0; c < classes; c++)
                {
                    double p = frame[c];
                    if (c == blank || p < Options.TokenMinLogProb) continue;
                    var score = (c == last ? pb : total) + p;
                    if (score + bound < threshold) continue;
                    var child = trie.Child(node, c);
                    if (child < 0) continue; // the lexicon (or a rule on separators) forbids it
                    Merge(next, index, child, double.NegativeInfinity, score);
                }
            }
            // Keep the W best by acoustic + fusion score, within the prune margin of the best.
            var order = new (double Score, int Node, int At)[next.Count];
            for (var k = 0; k < next.Count; k++) order[k] = (LogAdd(next.Blank[k], next.Label[k]) + trie.Fusion(next.Nodes[k]), next.Nodes[k], k);
            Array.Sort(order, (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Node.CompareTo(b.Node));
            var floor = order.Length > 0 ? order[0].Score + Options.BeamPruneLogProb : double.NegativeInfinity;
            beam.Count = 0;
            for (var k = 0; k < order.Length && beam.Count < width; k++)
                if (order[k].Score >= floor || beam.Count == 0) beam.Add(order[k].Node, next.Blank[order[k].At], next.Label[order[k].At]);
        }
        // The end of the utterance completes the word being spelled and the sentence.
        var ends = new List<(int Node, double Acoustic, double Fusion, double Total)>();
        for (var i = 0; i < beam.Count; i++)
        {
            var acoustic = LogAdd(beam.Blank[i], beam.Label[i]);
            var fusion = trie.Final(beam.Nodes[i]);
            if (!double.IsNegativeInfinity(acoustic + fusion)) ends.Add((beam.Nodes[i], acoustic, fusion, acoustic + fusion));
        }
        return ends.OrderByDescending(e => e.Total).ThenBy(e => e.Node).Take(Options.NBest)
            .Select(e => new Hypothesis(trie.Labels(e.Node), e.Acoustic) { LanguageModelScore = e.Fusion })
            .ToArray();
    }

    private static void Merge(Entries entries, Dictionary<int, int> index, int node, double blank, double label)
    {
        if (index.TryGetValue(node, out var at))
        {
            entries.Blank[at] = LogAdd(entries.Blank[at], blank);
            entries.Label[at] = LogAdd(entries.Label[at], label);
            return;
        }
        index[node] = entries.Count;
        entries.Add(node, blank, label);
    }

    /// <summary>Prefixes with log P(ends in blank) and log P(ends in a label); grows as needed.</summary>
    private sealed class Entries(int capacity)
    {
        public int[] Nodes = new int[capacity];
        public double[] Blank = new double[capacity];
        public double[] Label = new double[capacity];
        public int Count;

        public void Add(int node, double blank, double label)
        {
            if (Count == Nodes.Length)
            {
                Array.Resize(ref Nodes, Count * 2);
                Array.Resize(ref Blank, Count * 2);
                Array.Resize(ref Label, Count * 2);
            }
            Nodes[Count] = node;
            Blank[Count] = blank;
            Label[Count] = label;
            Count++;
        }
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }

    /// <summary>
    /// Every prefix once, with its language-model part: the fusion score of its complete words (or
    /// tokens), the model state after them, the word being spelled (text and lexicon node) and the
    /// hotword credit for it.
    /// </summary>
    private sealed class Prefixes
    {
        public const int Root = 0;
        private readonly LanguageModelBeamSearch search;
        private readonly List<Node> nodes = new();
        private readonly Dictionary<long, int> children = new();

        public Prefixes(LanguageModelBeamSearch search)
        {
            this.search = search;
            nodes.Add(new Node(-1, -1, 0, search.lm?.BeginSentence() ?? default, "", search.lexicon is null ? -1 : Lexicon.Root, false, 0));
        }

        private readonly record struct Node(int Parent, int Label, double Score, LmState State, string Partial, int LexiconNode, bool OutOfLexicon, double PartialCredit);

        public int LabelOf(int node) => nodes[node].Label;

        /// <summary>The score added to a prefix's acoustic one while searching: its words so far and the credit for a hotword being spelled.</summary>
        public double Fusion(int node) => nodes[node].Score + nodes[node].PartialCredit;

        /// <summary>The child of <paramref name="node"/> by <paramref name="label"/>, or −1 when it may not exist.</summary>
        public int Child(int node, int label)
        {
            var key = (long)node << 32 | (uint)label;
            if (children.TryGetValue(key, out var child)) return child;
            var made = Make(nodes[node], node, label);
            child = made is { } value ? nodes.Count : -1;
            if (made is { } n) nodes.Add(n);
            children.Add(key, child);
            return child;
        }

        private Node? Make(Node parent, int index, int label)
        {
            var text = search.vocabulary.TokenOf(label);
            if (label == search.separator)
            {
                if (search.constrained && parent.Partial.Length == 0) return null; // no empty words
                var (score, state) = CompleteWord(parent);
                if (double.IsNegativeInfinity(score)) return null;
                if (search.lm is not null && search.Options.Unit == LanguageModelUnit.Token)
                    score += search.lmWeight * search.lm.Score(state, search.lm.Id(TokenSeparator), out state);
                return new Node(index, label, score, state, "", search.lexicon is null ? -1 : Lexicon.Root, false, 0);
            }
            var tokenScore = parent.Score;
            var tokenState = parent.State;
            var partial = parent.Partial;
            var lexiconNode = parent.LexiconNode;
            var outside = parent.OutOfLexicon;
            if (search.vocabulary.StartsWord(label))
            {
                // A subword piece with the word-boundary marker ends the word being spelled and begins the next.
                (tokenScore, tokenState) = CompleteWord(parent);
                if (double.IsNegativeInfinity(tokenScore)) return null;
                (partial, lexiconNode, outside) = ("", search.lexicon is null ? -1 : Lexicon.Root, false);
                text = text[1..];
            }
            partial += text;
            if (search.lexicon is not null && !outside)
            {
                lexiconNode = search.lexicon.Step(lexiconNode, text);
                if (lexiconNode < 0)
                {
                    if (double.IsNegativeInfinity(search.Options.OutOfLexiconPenalty)) return null;
                    outside = true;
                }
            }
            if (search.lm is not null && search.Options.Unit == LanguageModelUnit.Token)
                tokenScore += search.lmWeight * search.lm.Score(tokenState, search.lm.Id(search.vocabulary.TokenOf(label)), out tokenState);
            return new Node(index, label, tokenScore, tokenState, partial, lexiconNode, outside, Credit(partial));
        }

        /// <summary>The score after completing the word being spelled at <paramref name="node"/> (negative infinity: not allowed).</summary>
        private (double Score, LmState State) CompleteWord(Node node)
        {
            var score = node.Score;
            var state = node.State;
            if (node.Partial.Length == 0) return (score, state);
            if (search.lexicon is not null && (node.OutOfLexicon || !search.lexicon.IsWord(node.LexiconNode)))
            {
                if (double.IsNegativeInfinity(search.Options.OutOfLexiconPenalty)) return (double.NegativeInfinity, state);
                score += search.Options.OutOfLexiconPenalty;
            }
            if (search.lm is not null && search.Options.Unit == LanguageModelUnit.Word)
                score += search.lmWeight * search.lm.Score(state, search.lm.Id(node.Partial), out state);
            score += search.Options.Beta + search.hotwordBoost.GetValueOrDefault(node.Partial);
            return (score, state);
        }

        /// <summary>Partial hotword credit: the boost times the share of a hotword already spelled.</summary>
        private double Credit(string partial)
        {
            if (search.hotwordBoost.Count == 0) return 0;
            var best = 0.0;
            foreach (var (word, boost) in search.hotwordBoost)
                if (word.StartsWith(partial, StringComparison.Ordinal)) best = Math.Max(best, boost * partial.Length / word.Length);
            return best;
        }

        /// <summary>The fusion score at the end of the utterance: the last word completed, then &lt;/s&gt;.</summary>
        public double Final(int index)
        {
            var node = nodes[index];
            var (score, state) = CompleteWord(node);
            if (double.IsNegativeInfinity(score)) return score;
            if (search.lm is not null) score += search.lmWeight * search.lm.Score(state, search.lm.End, out _);
            return score;
        }

        public int[] Labels(int node)
        {
            var labels = new List<int>();
            for (var n = node; n != Root; n = nodes[n].Parent) labels.Add(nodes[n].Label);
            labels.Reverse();
            return labels.ToArray();
        }
    }
}
