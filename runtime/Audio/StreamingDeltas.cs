using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// <see cref="Deltas.Append"/> on frames that arrive one at a time: order k's delta of frame t is due
/// once frame t + k·window has arrived (each order reads <c>window</c> frames past the previous one's),
/// and at <see cref="Finish"/> the last frames repeat past the end, as offline. The arithmetic is
/// <see cref="Deltas.Compute"/>'s, so the frames are equal to the bit.
/// </summary>
internal sealed class StreamingDeltas
{
    private readonly Stage[] stages;
    private readonly int width, order;
    private readonly Queue<float[]>[] pending; // per level, values of frames not yet complete at every level

    public StreamingDeltas(int width, int order, int window = 2)
    {
        (this.width, this.order) = (width, order);
        stages = new Stage[order];
        for (var o = 0; o < order; o++) stages[o] = new Stage(window);
        pending = new Queue<float[]>[order + 1];
        for (var o = 0; o <= order; o++) pending[o] = new Queue<float[]>();
    }

    /// <summary>Takes the next frames (<c>[n, width]</c>) and returns those whose every delta is now known, <c>[m, width × (1 + order)]</c>.</summary>
    public float[,] Accept(float[,] frames)
    {
        for (var t = 0; t < frames.GetLength(0); t++)
        {
            var row = new float[width];
            for (var c = 0; c < width; c++) row[c] = frames[t, c];
            Feed(0, row);
        }
        return Drain();
    }

    /// <summary>The remaining frames, the last frames repeated past the end.</summary>
    public float[,] Finish()
    {
        for (var o = 0; o < order; o++)
            foreach (var delta in stages[o].Finish()) Feed(o + 1, delta);
        return Drain();
    }

    private void Feed(int level, float[] row)
    {
        pending[level].Enqueue(row);
        if (level == order) return;
        foreach (var delta in stages[level].Push(row)) Feed(level + 1, delta);
    }

    private float[,] Drain()
    {
        var ready = pending[order].Count;
        var result = new float[ready, width * (1 + order)];
        for (var t = 0; t < ready; t++)
            for (var o = 0; o <= order; o++)
            {
                var row = pending[o].Dequeue();
                for (var c = 0; c < width; c++) result[t, o * width + c] = row[c];
            }
        return result;
    }

    /// <summary>One order: deltas of the frames pushed, each once <c>window</c> later frames (or the end) are known.</summary>
    private sealed class Stage(int window)
    {
        private readonly List<float[]> frames = new(); // frames from index first on
        private long first, received, emitted;

        public IEnumerable<float[]> Push(float[] frame)
        {
            frames.Add(frame);
            received++;
            var due = new List<float[]>();
            while (emitted + window < received) due.Add(Delta(emitted++, total: -1));
            Trim();
            return due;
        }

        public IEnumerable<float[]> Finish()
        {
            var due = new List<float[]>();
            while (emitted < received) due.Add(Delta(emitted++, total: received));
            return due;
        }

        /// <summary>As <see cref="Deltas.Compute"/>: Σₙ n·(c[t+n] − c[t−n]) / (2·Σₙ n²), indices clamped to the frames (the end only once known).</summary>
        private float[] Delta(long t, long total)
        {
            var denominator = 0.0;
            for (var n = 1; n <= window; n++) denominator += 2.0 * n * n;
            var width = frames[0].Length;
            var delta = new float[width];
            for (var c = 0; c < width; c++)
            {
                var sum = 0.0;
                for (var n = 1; n <= window; n++)
                {
                    var ahead = total < 0 ? t + n : Math.Min(total - 1, t + n);
                    sum += n * (At(ahead)[c] - At(Math.Max(0, t - n))[c]);
                }
                delta[c] = (float)(sum / denominator);
            }
            return delta;
        }

        private float[] At(long index) => frames[(int)(index - first)];

        // Keep the frames the next deltas read: from `window` before the next one due.
        private void Trim()
        {
            var keepFrom = Math.Max(0, emitted - window);
            if (keepFrom <= first) return;
            frames.RemoveRange(0, (int)(keepFrom - first));
            first = keepFrom;
        }
    }
}
