using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>One label of a forced alignment: the frames it occupies (end exclusive) and their summed log-probability.</summary>
/// <param name="Label">The class id.</param>
/// <param name="Index">Its position in the transcript's labels.</param>
/// <param name="StartFrame">First frame on the label.</param>
/// <param name="EndFrame">One past the last frame on the label.</param>
/// <param name="LogProbability">Σ log P(label) over those frames.</param>
public sealed record AlignedLabel(int Label, int Index, int StartFrame, int EndFrame, double LogProbability);

/// <summary>A forced alignment: the most probable frame-level path that collapses to the given labels.</summary>
/// <param name="Path">The class of every frame (blanks included).</param>
/// <param name="Labels">Each label with its frames, in transcript order.</param>
/// <param name="LogProbability">log P of the path (the best single alignment, not the sum over all).</param>
public sealed record Alignment(int[] Path, IReadOnlyList<AlignedLabel> Labels, double LogProbability);

/// <summary>
/// CTC forced alignment (as torchaudio's <c>forced_align</c>): Viterbi over the labels with blanks
/// between them — blank, l₁, blank, l₂, …, blank — where a frame may stay on a state, move to the
/// next, or skip a blank between two different labels. The result says which frames each label
/// occupies: subtitle timing, data cleaning, segmenting long recordings.
/// </summary>
public static class CtcAlignment
{
    /// <summary>Aligns one utterance: <paramref name="logProbs"/> is <c>[frames, classes]</c> log-probabilities, row-major.</summary>
    /// <exception cref="ArgumentException">A label is the blank or not a class, or the labels cannot fit the frames (repeats need a blank between them).</exception>
    public static Alignment Align(ReadOnlySpan<float> logProbs, int frames, int classes, IReadOnlyList<int> labels, int blank)
    {
        var needed = labels.Count;
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] < 0 || labels[i] >= classes || labels[i] == blank)
                throw new ArgumentException($"Label {labels[i]} at position {i} is {(labels[i] == blank ? "the blank" : "not a class")}.", nameof(labels));
            if (i > 0 && labels[i] == labels[i - 1]) needed++;
        }
        if (frames < needed)
            throw new ArgumentException($"{labels.Count} labels need at least {needed} frames (a repeated label needs a blank between); there are {frames}.", nameof(labels));

        var states = 2 * labels.Count + 1;
        int ClassOf(int s) => s % 2 == 0 ? blank : labels[s / 2];
        var score = new double[states];
        var next = new double[states];
        var from = new int[frames * states]; // backpointers: the state of the previous frame
        Array.Fill(score, double.NegativeInfinity);
        score[0] = logProbs[ClassOf(0)];
        if (states > 1) score[1] = logProbs[ClassOf(1)];
        for (var t = 1; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            for (var s = 0; s < states; s++)
            {
                var best = score[s];
                var previous = s;
                if (s > 0 && score[s - 1] > best) { best = score[s - 1]; previous = s - 1; }
                // Skipping the blank between two labels is allowed unless they are the same label.
                if (s > 1 && s % 2 == 1 && ClassOf(s) != ClassOf(s - 2) && score[s - 2] > best) { best = score[s - 2]; previous = s - 2; }
                next[s] = best + row[ClassOf(s)];
                from[t * states + s] = previous;
            }
            (score, next) = (next, score);
        }

        // The path ends on the last label or the blank after it.
        var end = states == 1 || score[states - 1] >= score[states - 2] ? states - 1 : states - 2;
        var logProbability = score[end];
        var path = new int[frames];
        var stateOf = new int[frames];
        for (int t = frames - 1, s = end; t >= 0; t--)
        {
            stateOf[t] = s;
            path[t] = ClassOf(s);
            if (t > 0) s = from[t * states + s];
        }

        var aligned = new List<AlignedLabel>(labels.Count);
        for (var t = 0; t < frames;)
        {
            var s = stateOf[t];
            var start = t;
            double sum = 0;
            for (; t < frames && stateOf[t] == s; t++) sum += logProbs[t * classes + path[t]];
            if (s % 2 == 1) aligned.Add(new AlignedLabel(labels[s / 2], s / 2, start, t, sum));
        }
        return new Alignment(path, aligned, logProbability);
    }

    /// <summary>Aligns a batch: <paramref name="logits"/> <c>[batch, time, classes]</c> (unnormalised), valid <paramref name="lengths"/>, one label sequence per item.</summary>
    /// <inheritdoc cref="Align(ReadOnlySpan{float}, int, int, IReadOnlyList{int}, int)" path="/exception"/>
    public static Alignment[] Align(Tensor logits, Tensor lengths, IReadOnlyList<int[]> labels, int blank)
    {
        if (logits.dim() != 3) throw new ArgumentException($"Logits must be [batch, time, classes]; got {logits.dim()} dimensions.", nameof(logits));
        if (labels.Count != logits.shape[0]) throw new ArgumentException($"{labels.Count} label sequences for a batch of {logits.shape[0]}.", nameof(labels));
        float[] values;
        long[] valid;
        using (no_grad())
        using (var normalized = nn.functional.log_softmax(logits, -1).to_type(ScalarType.Float32).cpu())
        using (var cpuLengths = lengths.to_type(ScalarType.Int64).cpu())
        {
            values = normalized.data<float>().ToArray();
            valid = cpuLengths.data<long>().ToArray();
        }
        var (time, classes) = ((int)logits.shape[1], (int)logits.shape[2]);
        var result = new Alignment[labels.Count];
        for (var b = 0; b < result.Length; b++)
            result[b] = Align(new ReadOnlySpan<float>(values, b * time * classes, time * classes), (int)Math.Min(valid[b], time), classes, labels[b], blank);
        return result;
    }
}
