using System;
using System.Collections.Generic;
using static TorchSharp.torch;

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
    public PrefixBeamSearch(int blankIndex, int beamWidth = 8, double pruneThreshold = 0, int nBest = 1)
    {
        if (beamWidth < 1) throw new ArgumentOutOfRangeException(nameof(beamWidth), beamWidth, "The beam must hold at least one prefix.");
        if (nBest < 1 || nBest > beamWidth) throw new ArgumentOutOfRangeException(nameof(nBest), nBest, $"n-best must be between 1 and the beam width ({beamWidth}).");
        if (pruneThreshold < 0 || pruneThreshold >= 1) throw new ArgumentOutOfRangeException(nameof(pruneThreshold), pruneThreshold, "The pruning threshold is a probability in [0, 1).");
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

    /// <inheritdoc/>
    public IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths)
    {
        float[] logProbs;
        long[] valid;
        using (no_grad())
        using (var normalized = nn.functional.log_softmax(logits, -1).to_type(ScalarType.Float32).cpu())
        using (var cpuLengths = lengths.to_type(ScalarType.Int64).cpu())
        {
            logProbs = normalized.data<float>().ToArray();
            valid = cpuLengths.data<long>().ToArray();
        }
        var batch = (int)logits.shape[0];
        var time = (int)logits.shape[1];
        var classes = (int)logits.shape[2];
        var result = new IReadOnlyList<Hypothesis>[batch];
        // Utterances are independent: a batch is searched on every core.
        System.Threading.Tasks.Parallel.For(0, batch, b =>
            result[b] = Search(new ReadOnlySpan<float>(logProbs, b * time * classes, time * classes), (int)Math.Min(valid[b], time), classes));
        return result;
    }

    /// <summary>Searches one utterance: <paramref name="logProbs"/> is <c>[time, classes]</c>, row-major.</summary>
    public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        var pruneLog = PruneThreshold > 0 ? Math.Log(PruneThreshold) : double.NegativeInfinity;
        var trie = new PrefixTrie();
        var beam = new Beam(BeamWidth);
        var spare = new Beam(BeamWidth); // the next frame's beam is written here, then the two swap
        beam.Add(PrefixTrie.Root, 0, double.NegativeInfinity);
        var candidates = new Candidates(BeamWidth * classes + BeamWidth);
        var selected = new int[BeamWidth];
        for (var t = 0; t < frames; t++)
        {
            var frame = logProbs.Slice(t * classes, classes);
            candidates.Start(beam, trie);
            for (var i = 0; i < beam.Count; i++)
            {
                var node = beam.Nodes[i];
                double blank = beam.Blank[i], label = beam.Label[i];
                var total = LogAdd(blank, label);
                var last = trie.LabelOf(node);
                for (var c = 0; c < classes; c++)
                {
                    double p = frame[c];
                    if (p < pruneLog && c != BlankIndex) continue;
                    if (c == BlankIndex)
                    {
                        candidates.Stay(i, total + p, double.NegativeInfinity);
                    }
                    else if (c == last)
                    {
                        // Repeat without a blank collapses into the same prefix; after a blank it extends.
                        candidates.Stay(i, double.NegativeInfinity, label + p);
                        candidates.Extend(i, c, blank + p);
                    }
                    else
                    {
                        candidates.Extend(i, c, total + p);
                    }
                }
            }
            var kept = candidates.Best(selected);
            candidates.Fill(spare, selected, kept, trie, beam);
            (beam, spare) = (spare, beam);
        }
        var hypotheses = new Hypothesis[Math.Min(NBest, beam.Count)];
        for (var i = 0; i < hypotheses.Length; i++) hypotheses[i] = new Hypothesis(trie.Labels(beam.Nodes[i]), LogAdd(beam.Blank[i], beam.Label[i]));
        return hypotheses;
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
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
        private readonly Dictionary<long, int> children = new();

        public int ParentOf(int node) => parents[node];

        public int LabelOf(int node) => labels[node];

        public int Child(int node, int label)
        {
            var key = (long)node << 32 | (uint)label;
            if (children.TryGetValue(key, out var child)) return child;
            child = parents.Count;
            parents.Add(node);
            labels.Add(label);
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

    /// <summary>
    /// One frame's candidates without allocation: a "stay" slot per beam prefix, and an extension slot
    /// per (beam prefix, label) that has not been made a node yet. Two paths reach the same prefix
    /// only when a beam prefix extends into another beam prefix (its child), which is found through
    /// the beam's parent links; otherwise every (prefix, label) pair is new. Slots remember the order
    /// they were first reached, so ties break as a dictionary in insertion order would.
    /// </summary>
    private sealed class Candidates(int capacity)
    {
        private readonly int[] parentSlot = new int[capacity];   // beam index the prefix comes from
        private readonly int[] label = new int[capacity];        // -1: the beam prefix itself (stay)
        private readonly double[] blank = new double[capacity];
        private readonly double[] labelScore = new double[capacity];
        private readonly int[] firstReached = new int[capacity];
        private readonly double[] total = new double[capacity];
        private int[] stay = Array.Empty<int>();                 // beam index → its stay slot, or -1
        private int[] childInBeam = Array.Empty<int>();          // beam index → first beam child, or -1
        private int[] nextSibling = Array.Empty<int>();          // beam index → next beam index with the same beam parent
        private Beam? beam;
        private PrefixTrie? trie;
        private int count;
        private int reached;

        public void Start(Beam current, PrefixTrie prefixes)
        {
            beam = current;
            trie = prefixes;
            count = 0;
            reached = 0;
            if (stay.Length < current.Count) { stay = new int[current.Nodes.Length]; childInBeam = new int[current.Nodes.Length]; nextSibling = new int[current.Nodes.Length]; }
            for (var i = 0; i < current.Count; i++) { stay[i] = -1; childInBeam[i] = -1; nextSibling[i] = -1; }
            // Beam prefixes whose parent is also in the beam: extending the parent by their label reaches them.
            for (var j = 0; j < current.Count; j++)
            {
                var parent = prefixes.ParentOf(current.Nodes[j]);
                if (parent < 0) continue;
                for (var i = 0; i < current.Count; i++)
                    if (current.Nodes[i] == parent) { nextSibling[j] = childInBeam[i]; childInBeam[i] = j; break; }
            }
        }

        public void Stay(int beamIndex, double addBlank, double addLabel)
        {
            var slot = stay[beamIndex];
            if (slot < 0) slot = stay[beamIndex] = New(beamIndex, -1);
            blank[slot] = LogAdd(blank[slot], addBlank);
            labelScore[slot] = LogAdd(labelScore[slot], addLabel);
        }

        public void Extend(int beamIndex, int c, double addLabel)
        {
            for (var j = childInBeam[beamIndex]; j >= 0; j = nextSibling[j])
                if (trie!.LabelOf(beam!.Nodes[j]) == c)
                {
                    Stay(j, double.NegativeInfinity, addLabel);
                    return;
                }
            var slot = New(beamIndex, c);
            labelScore[slot] = addLabel;
        }

        private int New(int beamIndex, int c)
        {
            var slot = count++;
            parentSlot[slot] = beamIndex;
            label[slot] = c;
            blank[slot] = double.NegativeInfinity;
            labelScore[slot] = double.NegativeInfinity;
            firstReached[slot] = reached++;
            return slot;
        }

        /// <summary>Fills <paramref name="selected"/> with the best slots, best first (ties: first reached first); returns how many.</summary>
        public int Best(int[] selected)
        {
            var kept = 0;
            for (var s = 0; s < count; s++)
            {
                var score = total[s] = LogAdd(blank[s], labelScore[s]);
                if (kept == selected.Length && !Better(s, selected[kept - 1])) continue;
                // Insertion into the short sorted list (the beam is small).
                var position = kept < selected.Length ? kept++ : kept - 1;
                while (position > 0 && Better(s, selected[position - 1])) { selected[position] = selected[position - 1]; position--; }
                selected[position] = s;
            }
            return kept;
        }

        private bool Better(int a, int b) => total[a] > total[b] || (total[a] == total[b] && firstReached[a] < firstReached[b]);

        /// <summary>Writes the selected slots into <paramref name="next"/>, making nodes of the extensions that survived.</summary>
        public void Fill(Beam next, int[] selected, int kept, PrefixTrie prefixes, Beam previous)
        {
            next.Count = 0;
            for (var k = 0; k < kept; k++)
            {
                var s = selected[k];
                var from = previous.Nodes[parentSlot[s]];
                next.Add(label[s] < 0 ? from : prefixes.Child(from, label[s]), blank[s], labelScore[s]);
            }
        }
    }
}
