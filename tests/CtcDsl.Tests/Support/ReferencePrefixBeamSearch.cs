using System;
using System.Collections.Generic;
using System.Linq;

using CtcDsl.Runtime.Decoding;

namespace CtcDsl.Tests.Support;

/// <summary>
/// The first, plain prefix beam search (dictionary of immutable prefixes, LINQ ordering), kept as the
/// reference the fast <see cref="PrefixBeamSearch"/> must agree with exactly, truncated beams, pruning
/// and ties included.
/// <para>
/// CTC prefix beam search: keeps the <see cref="BeamWidth"/> most probable label prefixes, each
/// with the probability of ending in a blank and in a non-blank, merging paths that collapse to the
/// same prefix. Exact (the n best labellings with their total probability) when the beam holds every
/// prefix; an approximation otherwise. Runs on the host over log-probabilities.
/// </para>
/// </summary>
internal sealed class ReferencePrefixBeamSearch
{
    /// <summary>Creates the decoder.</summary>
    /// <param name="blankIndex">Class id of the blank.</param>
    /// <param name="beamWidth">Prefixes kept after each frame.</param>
    /// <param name="pruneThreshold">Per frame, classes with probability below this are not extended (0: none pruned).</param>
    /// <param name="nBest">Hypotheses returned per item (at most <paramref name="beamWidth"/>).</param>
    public ReferencePrefixBeamSearch(int blankIndex, int beamWidth = 8, double pruneThreshold = 0, int nBest = 1)
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

    /// <summary>Searches one utterance: <paramref name="logProbs"/> is <c>[time, classes]</c>, row-major.</summary>
    public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
    {
        var pruneLog = PruneThreshold > 0 ? Math.Log(PruneThreshold) : double.NegativeInfinity;
        // prefix → (log P(prefix, ends in blank), log P(prefix, ends in a label))
        var beam = new Dictionary<Prefix, (double Blank, double Label)> { [Prefix.Empty] = (0, double.NegativeInfinity) };
        for (var t = 0; t < frames; t++)
        {
            var frame = logProbs.Slice(t * classes, classes);
            var next = new Dictionary<Prefix, (double Blank, double Label)>();
            void Add(Prefix prefix, double blank, double label)
            {
                var (b, l) = next.TryGetValue(prefix, out var existing) ? existing : (double.NegativeInfinity, double.NegativeInfinity);
                next[prefix] = (LogAdd(b, blank), LogAdd(l, label));
            }

            foreach (var (prefix, (blank, label)) in beam)
            {
                var total = LogAdd(blank, label);
                for (var c = 0; c < classes; c++)
                {
                    double p = frame[c];
                    if (p < pruneLog && c != BlankIndex) continue;
                    if (c == BlankIndex)
                    {
                        Add(prefix, total + p, double.NegativeInfinity);
                    }
                    else if (c == prefix.Last)
                    {
                        // Repeat without a blank collapses into the same prefix; after a blank it extends.
                        Add(prefix, double.NegativeInfinity, label + p);
                        Add(prefix.Append(c), double.NegativeInfinity, blank + p);
                    }
                    else
                    {
                        Add(prefix.Append(c), double.NegativeInfinity, total + p);
                    }
                }
            }
            // OrderByDescending is stable and the dictionary keeps insertion order: ties resolve deterministically.
            beam = next.OrderByDescending(e => LogAdd(e.Value.Blank, e.Value.Label))
                .Take(BeamWidth).ToDictionary(e => e.Key, e => e.Value);
        }
        return beam.Select(e => new Hypothesis(e.Key.ToArray(), LogAdd(e.Value.Blank, e.Value.Label)))
            .OrderByDescending(h => h.LogProbability)
            .Take(NBest).ToArray();
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return Math.Max(a, b) + Math.Log(1 + Math.Exp(-Math.Abs(a - b)));
    }

    /// <summary>An immutable label prefix, compared by value (persistent linked list with a cached hash).</summary>
    private sealed class Prefix : IEquatable<Prefix>
    {
        public static readonly Prefix Empty = new(null, -1, 0);

        private readonly Prefix? parent;
        private readonly int hash;

        private Prefix(Prefix? parent, int last, int length)
        {
            this.parent = parent;
            Last = last;
            Length = length;
            hash = parent is null ? 17 : unchecked(parent.hash * 31 + last);
        }

        public int Last { get; }

        public int Length { get; }

        public Prefix Append(int label) => new(this, label, Length + 1);

        public int[] ToArray()
        {
            var labels = new int[Length];
            for (var p = this; p.parent is not null; p = p.parent) labels[p.Length - 1] = p.Last;
            return labels;
        }

        public bool Equals(Prefix? other)
        {
            if (ReferenceEquals(this, other)) return true;
            if (other is null || other.hash != hash || other.Length != Length) return false;
            for (Prefix? a = this, b = other; a is not null && b is not null; a = a.parent, b = b.parent)
            {
                if (ReferenceEquals(a, b)) return true;
                if (a.Last != b.Last) return false;
            }
            return true;
        }

        public override bool Equals(object? obj) => Equals(obj as Prefix);

        public override int GetHashCode() => hash;

        public override string ToString() => string.Join(",", ToArray());
    }
}
