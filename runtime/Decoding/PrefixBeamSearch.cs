using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Decoding;

/// <summary>
/// CTC prefix beam search: keeps the <see cref="BeamWidth"/> most probable label prefixes, each
/// with the probability of ending in a blank and in a non-blank, merging paths that collapse to the
/// same prefix. Exact (the n best labellings with their total probability) when the beam holds every
/// prefix; an approximation otherwise. Runs on the host over log-probabilities.
/// </summary>
public sealed class PrefixBeamSearch : ICtcDecoder
{
    /// <summary>Creates the decoder.</summary>
    /// <param name="blankIndex">Class id of the blank.</param>
    /// <param name="beamWidth">Prefixes kept after each frame.</param>
    /// <param name="pruneThreshold">Per frame, classes with probability below this are not extended (0: none pruned).</param>
    /// <param name="nBest">Hypotheses returned per item (at most <paramref name="beamWidth"/>).</param>
    public PrefixBeamSearch(int blankIndex, int beamWidth = SpecFacts.BeamSearchFacts.DefaultBeamWidth, double pruneThreshold = SpecFacts.BeamSearchFacts.DefaultPruneThreshold, int nBest = SpecFacts.BeamSearchFacts.DefaultNBest)
    {
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, "The beam must hold at least one prefix.");
        if (nBest < 1 || nBest > beamWidth) throw new ArgumentOutOfRangeException(nameof(nBest), nBest, $"n-best must be between 1 and the beam width ({beamWidth}).");
        if (!SpecFacts.BeamSearchFacts.IsPruneThreshold(pruneThreshold)) throw new ArgumentOutOfRangeException(nameof(pruneThreshold), pruneThreshold, "The pruning threshold is a probability in [0, 1).");
        BlankIndex = blankIndex;
        BeamWidth = beamWidth;
        PruneThreshold = pruneThreshold;
        NBest = nBest;
    }

    /// <summary>Class id of the blank.</summary>
    public int BlankIndex { get; }

    /// <summary>Prefixes kept after each frame.</summary>
    public int BeamWidth { get; }

    /// <summary>Classes below this probability in a frame are not extended.</summary>
    public double PruneThreshold { get; }

    /// <summary>Hypotheses returned per item.</summary>
    public int NBest { get; }

    /// <summary>Searches one utterance: <paramref name="logProbs"/> is <c>[time, classes]</c>, row-major.</summary>
    /// <remarks>
    /// Per frame: first every beam prefix's own next score (blank, repeat, and an extension of its
    /// parent when that parent is also in the beam), then the extensions that can still enter the
    /// kept W; only the survivors become prefix nodes. Ties keep the order a plain search reaches
    /// candidates in (beam order, then class id), so results are those of the plain search exactly
    /// (tests compare them).
    /// </remarks>
    public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        var pruneLog = PruneThreshold > 0 ? Math.Log(PruneThreshold) : double.NegativeInfinity;
        var trie = new PrefixTrie();
        var beam = new Beam(BeamWidth);
        var spare = new Beam(BeamWidth); // the next frame's beam is written here, then the two swap
        beam.Add(PrefixTrie.Root, 0, double.NegativeInfinity);
        var kept = new Kept(BeamWidth);
        var totals = new double[BeamWidth];     // log P(beam prefix), blank- and label-ending paths together
        var stayBlank = new double[BeamWidth];
        var stayLabel = new double[BeamWidth];
        var stayKey = new int[BeamWidth];
        var parentIndex = new int[BeamWidth];
        var firstChild = new int[BeamWidth];   // beam index → first beam prefix whose parent it is, or −1
        var nextSibling = new int[BeamWidth];  // beam index → the next such prefix of the same parent, or −1
        for (var t = 0; t < frames; t++)
        {
            var frame = logProbs.Slice(t * classes, classes);
            // The frame's most probable extending class bounds every extension of a prefix.
            var best = double.NegativeInfinity;
            for (var c = 0; c < classes; c++)
                if (c != BlankIndex && frame[c] > best) best = frame[c];

            // Every beam prefix stays: blank, repeat, or its beam parent's extension by its last label.
            for (var i = 0; i < beam.Count; i++) trie.SetBeamIndex(beam.Nodes[i], i);
            for (var i = 0; i < beam.Count; i++)
            {
                var last = trie.LabelOf(beam.Nodes[i]);
                double label = beam.Label[i];
                var total = totals[i] = LogAdd(beam.Blank[i], label);
                stayBlank[i] = total + frame[BlankIndex];
                var repeats = last >= 0 && frame[last] >= pruneLog;
                stayLabel[i] = repeats ? label + frame[last] : double.NegativeInfinity;
                stayKey[i] = i * classes + (repeats ? Math.Min(BlankIndex, last) : BlankIndex);
                parentIndex[i] = trie.BeamIndexOf(trie.ParentOf(beam.Nodes[i]));
                firstChild[i] = -1;
            }
            for (var j = beam.Count - 1; j >= 0; j--)
                if (parentIndex[j] >= 0) { nextSibling[j] = firstChild[parentIndex[j]]; firstChild[parentIndex[j]] = j; }
            for (var j = 0; j < beam.Count; j++)
            {
                var i = parentIndex[j];
                var c = trie.LabelOf(beam.Nodes[j]);
                if (i < 0 || frame[c] < pruneLog) continue;
                var parentLast = trie.LabelOf(beam.Nodes[i]);
                var score = (c == parentLast ? beam.Blank[i] : totals[i]) + frame[c];
                stayLabel[j] = LogAdd(stayLabel[j], score);
                stayKey[j] = Math.Min(stayKey[j], i * classes + c);
            }
            kept.Clear();
            for (var i = 0; i < beam.Count; i++) kept.Offer(LogAdd(stayBlank[i], stayLabel[i]), stayKey[i], i, -1, stayBlank[i], stayLabel[i]);

            // Extensions to new prefixes that can still enter the kept W (a prefix whose best extension
            // cannot is skipped whole).
            for (var i = 0; i < beam.Count; i++)
            {
                var node = beam.Nodes[i];
                var last = trie.LabelOf(node);
                double blank = beam.Blank[i], total = totals[i];
                if (kept.Full && total + best < kept.Threshold) continue;
                for (var c = 0; c < classes; c++)
                {
                    double p = frame[c];
                    if (c == BlankIndex || p < pruneLog) continue;
                    var score = (c == last ? blank : total) + p;
                    if (kept.Full && score < kept.Threshold) continue; // a tie may still win on order: Offer decides
                    if (ChildInBeam(firstChild[i], nextSibling, beam, trie, c)) continue; // reached that beam prefix above
                    kept.Offer(score, i * classes + c, i, c, double.NegativeInfinity, score);
                }
            }

            for (var i = 0; i < beam.Count; i++) trie.SetBeamIndex(beam.Nodes[i], -1);
            spare.Count = 0;
            for (var k = 0; k < kept.Count; k++)
            {
                var from = beam.Nodes[kept.BeamIndex[k]];
                spare.Add(kept.Label[k] < 0 ? from : trie.Child(from, kept.Label[k]), kept.Blank[k], kept.LabelScore[k]);
            }
            (beam, spare) = (spare, beam);
        }
        var hypotheses = new Hypothesis[Math.Min(NBest, beam.Count)];
        for (var i = 0; i < hypotheses.Length; i++) hypotheses[i] = new Hypothesis(trie.Labels(beam.Nodes[i]), LogAdd(beam.Blank[i], beam.Label[i]));
        return hypotheses;
    }

    /// <summary>Whether a beam prefix in the chain from <paramref name="first"/> ends in <paramref name="label"/>.</summary>
    private static bool ChildInBeam(int first, int[] nextSibling, Beam beam, PrefixTrie trie, int label)
    {
        for (var j = first; j >= 0; j = nextSibling[j])
            if (trie.LabelOf(beam.Nodes[j]) == label) return true;
        return false;
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }

    /// <summary>
    /// The best W candidates of a frame so far, best first; ties go to the smaller key (the order a
    /// plain search first reaches a prefix in). A candidate is a beam prefix (label −1) or a beam
    /// prefix extended by a label.
    /// </summary>
    private sealed class Kept(int width)
    {
        public readonly double[] Total = new double[width];
        public readonly int[] Key = new int[width];
        public readonly int[] BeamIndex = new int[width];
        public readonly int[] Label = new int[width];
        public readonly double[] Blank = new double[width];
        public readonly double[] LabelScore = new double[width];
        public int Count;

        public bool Full => Count == Total.Length;

        /// <summary>The worst kept total (when full).</summary>
        public double Threshold => Total[Count - 1];

        public void Clear() => Count = 0;

        public void Offer(double total, int key, int beamIndex, int label, double blank, double labelScore)
        {
            if (Full && !Better(total, key, Count - 1)) return;
            var position = Full ? Count - 1 : Count++;
            while (position > 0 && Better(total, key, position - 1))
            {
                Total[position] = Total[position - 1];
                Key[position] = Key[position - 1];
                BeamIndex[position] = BeamIndex[position - 1];
                Label[position] = Label[position - 1];
                Blank[position] = Blank[position - 1];
                LabelScore[position] = LabelScore[position - 1];
                position--;
            }
            Total[position] = total;
            Key[position] = key;
            BeamIndex[position] = beamIndex;
            Label[position] = label;
            Blank[position] = blank;
            LabelScore[position] = labelScore;
        }

        private bool Better(double total, int key, int than) => total > Total[than] || (total == Total[than] && key < Key[than]);
    }

    /// <summary>The prefixes kept after a frame, best first: trie nodes with log P(ends in blank) and log P(ends in a label).</summary>
    private sealed class Beam(int width)
    {
        public readonly int[] Nodes = new int[width];
        public readonly double[] Blank = new double[width];
        public readonly double[] Label = new double[width];
        public int Count;

        public void Add(int node, double blank, double label)
        {
            Nodes[Count] = node;
            Blank[Count] = blank;
            Label[Count] = label;
            Count++;
        }


    }

    /// <summary>
    /// Every prefix label sequence once, as a node id: a child is looked up only when a candidate
    /// survives a frame, so most of a frame's W·C candidates never become nodes.
    /// </summary>
    private sealed class PrefixTrie
    {
        public const int Root = 0;
        private readonly List<int> parents = new() { -1 };
        private readonly List<int> labels = new() { -1 };
        private readonly List<int> beamIndex = new() { -1 }; // a node's index in the current beam, or −1
        private readonly Dictionary<long, int> children = new();

        public int ParentOf(int node) => parents[node];

        public int LabelOf(int node) => labels[node];

        public int BeamIndexOf(int node) => node < 0 ? -1 : beamIndex[node];

        public void SetBeamIndex(int node, int index) => beamIndex[node] = index;

        public int Child(int node, int label)
        {
            var key = (long)node << 32 | (uint)label;
            if (children.TryGetValue(key, out var child)) return child;
            child = parents.Count;
            parents.Add(node);
            labels.Add(label);
            beamIndex.Add(-1);
            children.Add(key, child);
            return child;
        }

        public int[] Labels(int node)
        {
            var length = 0;
            for (var n = node; n != Root; n = parents[n]) length++;
            var result = new int[length];
            for (var n = node; n != Root; n = parents[n]) result[--length] = labels[n];
            return result;
        }
    }
}
