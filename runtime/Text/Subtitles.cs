using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using CtcDsl.Runtime.Training;

namespace CtcDsl.Runtime.Text;

/// <summary>How <see cref="Subtitles"/> groups timed words into cues.</summary>
public sealed record SubtitleOptions
{
    /// <summary>Most characters in one cue (default 42, the common broadcast line length).</summary>
    public int MaxCharacters { get; init; } = 42;

    /// <summary>Longest a cue stays on screen, in seconds (default 6).</summary>
    public double MaxSeconds { get; init; } = 6;

    /// <summary>A silence at least this long (seconds) between two words starts a new cue (default 0.7).</summary>
    public double PauseSeconds { get; init; } = 0.7;
}

/// <summary>
/// Subtitles from timed words — a long-form transcription's (<see cref="LongTranscript.Words"/>) or a
/// forced alignment's (<c>AlignWords</c>) — as SubRip (<c>.srt</c>) or WebVTT (<c>.vtt</c>). Words are
/// grouped into cues that break at pauses and stay within a length and a duration.
/// </summary>
public static class Subtitles
{
    /// <summary>SubRip: numbered cues, <c>HH:MM:SS,mmm --&gt; HH:MM:SS,mmm</c>.</summary>
    public static string ToSrt(IReadOnlyList<TimedWord> words, SubtitleOptions? options = null)
    {
        var text = new StringBuilder();
        var number = 1;
        foreach (var (start, end, line) in Cues(words, options ?? new SubtitleOptions()))
            text.Append(number++).Append('\n').Append(Time(start, ',')).Append(" --> ").Append(Time(end, ',')).Append('\n').Append(line).Append("\n\n");
        return text.ToString();
    }

    /// <summary>WebVTT: a <c>WEBVTT</c> header, then cues with <c>HH:MM:SS.mmm --&gt; HH:MM:SS.mmm</c>.</summary>
    public static string ToWebVtt(IReadOnlyList<TimedWord> words, SubtitleOptions? options = null)
    {
        var text = new StringBuilder("WEBVTT\n\n");
        foreach (var (start, end, line) in Cues(words, options ?? new SubtitleOptions()))
            text.Append(Time(start, '.')).Append(" --> ").Append(Time(end, '.')).Append('\n').Append(Escape(line)).Append("\n\n");
        return text.ToString();
    }

    /// <summary>The cues: consecutive words until a pause, the character limit or the duration limit.</summary>
    public static IReadOnlyList<(double Start, double End, string Text)> Cues(IReadOnlyList<TimedWord> words, SubtitleOptions options)
    {
        var cues = new List<(double, double, string)>();
        var line = new StringBuilder();
        double start = 0, end = 0;
        foreach (var word in words)
        {
            if (word.Text.Length == 0) continue;
            var breaks = line.Length > 0 && (
                word.Start - end >= options.PauseSeconds ||
                line.Length + 1 + word.Text.Length > options.MaxCharacters ||
                word.End - start > options.MaxSeconds);
            if (breaks)
            {
                cues.Add((start, end, line.ToString()));
                line.Clear();
            }
            if (line.Length == 0)
            {
                start = word.Start;
                end = word.End;
            }
            else
            {
                line.Append(' ');
                end = Math.Max(end, word.End);
            }
            line.Append(word.Text);
        }
        if (line.Length > 0) cues.Add((start, end, line.ToString()));
        return cues;
    }

    private static string Time(double seconds, char decimalMark)
    {
        var milliseconds = (long)Math.Round(Math.Max(0, seconds) * 1000);
        var (h, m, s, ms) = (milliseconds / 3_600_000, milliseconds / 60_000 % 60, milliseconds / 1000 % 60, milliseconds % 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{h:00}:{m:00}:{s:00}{decimalMark}{ms:000}");
    }

    /// <summary>WebVTT cue text cannot hold a raw '&lt;', '&amp;' or the arrow.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace("-->", "--&gt;");
}
