using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Runtime.Audio;

/// <summary>How <see cref="PauseDetector"/> tells speech from pauses.</summary>
public sealed record PauseDetectorOptions
{
    /// <summary>Quiet stretches at least this long (default 0.25 s) are pauses; shorter ones (stops, gaps inside a word) stay speech.</summary>
    public double MinPauseSeconds { get; init; } = 0.25;

    /// <summary>Loud stretches shorter than this (default 0.05 s: clicks) are not speech.</summary>
    public double MinSpeechSeconds { get; init; } = 0.05;

    /// <summary>Audio kept on each side of a stretch of speech (default 0.1 s, at most half the pause), so soft onsets and endings are not cut.</summary>
    public double PadSeconds { get; init; } = 0.1;

    /// <summary>
    /// Where the threshold lies between the recording's quiet level (its 10th percentile of frame
    /// energies, in dB) and its loud level (the 99th percentile): 0.3 by default. Relative, so it
    /// follows the recording's gain and noise floor.
    /// </summary>
    public double ThresholdFraction { get; init; } = 0.3;
}

/// <summary>
/// An energy-based voice-activity detector: frame energies (10 ms frames, in dB) against a threshold
/// set from the recording's own quiet and loud levels, quiet runs of at least
/// <see cref="PauseDetectorOptions.MinPauseSeconds"/> as pauses. Reads the recording a second at a
/// time: memory is one number per 10 ms frame.
/// </summary>
public static class PauseDetector
{
    private const double FrameSeconds = 0.01;

    /// <summary>The stretches of speech as sample ranges <c>[Start, End)</c> of <paramref name="reader"/>, in order, padded and never overlapping.</summary>
    public static IReadOnlyList<(long Start, long End)> SpeechStretches(AudioReader reader, PauseDetectorOptions? options = null)
    {
        options ??= new PauseDetectorOptions();
        var rate = reader.Info.SampleRate;
        var frame = Math.Max(1, (int)Math.Round(FrameSeconds * rate));
        var total = reader.Info.Frames;
        var energies = new List<double>();
        for (long start = 0; start < total; start += frame * 100L)
        {
            var block = reader.ReadRange(start, (int)Math.Min(frame * 100L, total - start));
            for (var i = 0; i < block.Length; i += frame)
            {
                var n = Math.Min(frame, block.Length - i);
                double sum = 0;
                for (var j = 0; j < n; j++) sum += (double)block[i + j] * block[i + j];
                // −200 dB for digital silence: a floor, not −∞, so percentiles stay finite.
                energies.Add(10 * Math.Log10(Math.Max(sum / n, 1e-20)));
            }
        }
        if (energies.Count == 0) return Array.Empty<(long, long)>();
        var sorted = energies.Order().ToArray();
        var quiet = sorted[(int)(0.10 * (sorted.Length - 1))];
        var loud = sorted[(int)(0.99 * (sorted.Length - 1))];
        var threshold = quiet + options.ThresholdFraction * (loud - quiet);
        if (loud - quiet < 6) return new[] { (0L, total) }; // no contrast: one stretch, nothing to split at

        // Runs of frames above the threshold, joined across gaps shorter than a pause.
        var minPause = (int)Math.Ceiling(options.MinPauseSeconds / FrameSeconds);
        var runs = new List<(int Start, int End)>();
        for (var t = 0; t < energies.Count; t++)
        {
            if (energies[t] < threshold) continue;
            var end = t;
            while (end < energies.Count && energies[end] >= threshold) end++;
            if (runs.Count > 0 && t - runs[^1].End < minPause) runs[^1] = (runs[^1].Start, end);
            else runs.Add((t, end));
            t = end;
        }
        var minSpeech = options.MinSpeechSeconds / FrameSeconds;
        runs.RemoveAll(r => r.End - r.Start < minSpeech);

        var pad = (int)Math.Round(options.PadSeconds / FrameSeconds);
        var result = new List<(long, long)>(runs.Count);
        for (var i = 0; i < runs.Count; i++)
        {
            var before = i == 0 ? pad : Math.Min(pad, (runs[i].Start - runs[i - 1].End) / 2);
            var after = i == runs.Count - 1 ? pad : Math.Min(pad, (runs[i + 1].Start - runs[i].End) / 2);
            result.Add((Math.Max(0, (long)(runs[i].Start - before) * frame), Math.Min(total, (long)(runs[i].End + after) * frame)));
        }
        return result;
    }
}
