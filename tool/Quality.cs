using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;

namespace CtcDsl.Tool;

/// <summary>
/// Says plainly when output is not what it looks like: a transcript that came out empty (the model
/// emitted only blanks), a model whose error rate is still near 100%, subtitles that would be empty.
/// </summary>
public static class Quality
{
    /// <summary>At or above this character error rate a model has not learned to transcribe yet.</summary>
    public const double Untrained = 0.9;

    /// <summary>Warnings about a report of decoded utterances (none when it looks like a working model).</summary>
    public static IReadOnlyList<string> Warnings(TranscriptionReport report, string what)
    {
        var warnings = new List<string>();
        var empty = report.Results.Count(r => string.IsNullOrWhiteSpace(r.Hypothesis) && r.Reference.Length > 0);
        if (empty > 0)
            warnings.Add($"warning: {empty} of {report.Results.Count} transcripts of {what} came out empty: the model emits only blanks for them.");
        if (report.Results.Count > 0 && report.CharacterErrorRate >= Untrained)
            warnings.Add($"warning: CER {report.CharacterErrorRate * 100:0}% on {what}: the model has not learned to transcribe yet. Train longer (--epochs), on more data, or with a larger model (another spec; see docs/cli.md, 'When nothing is learned').");
        return warnings;
    }

    /// <summary>The empty-transcript notice for one recording, or null when the transcript has text.</summary>
    public static string? EmptyTranscript(string text, string recording) =>
        !string.IsNullOrWhiteSpace(text) ? null : $"warning: the transcript of {recording} is empty: the model emitted only blanks (an untrained or under-trained model, or no speech in the recording).";

    /// <summary>Writes SubRip or WebVTT (by extension: .vtt is WebVTT) unless there are no words, which it says instead.</summary>
    /// <returns>Whether a file was written.</returns>
    public static bool WriteSubtitles(string path, IReadOnlyList<TimedWord> words)
    {
        if (words.Count == 0)
        {
            Console.Error.WriteLine($"warning: no subtitles written to {path}: the transcript is empty, so there is nothing to time.");
            return false;
        }
        var text = Path.GetExtension(path).Equals(".vtt", StringComparison.OrdinalIgnoreCase) ? Subtitles.ToWebVtt(words) : Subtitles.ToSrt(words);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, text);
        Console.WriteLine($"Subtitles: {Path.GetFullPath(path)} ({Subtitles.Cues(words, new SubtitleOptions()).Count} cues)");
        return true;
    }
}
