using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CtcDsl.Runtime.Nn;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Commands;

/// <summary><c>ctcdsl transcribe SPEC CHECKPOINT AUDIO...</c>: recordings of any length (WAV, FLAC, MP3) through a trained model, with word timings and optional subtitles.</summary>
public static class TranscribeCommand
{
    /// <summary>Transcribes each recording; writes subtitles for a single one when asked.</summary>
    public static int Run(string specPath, string checkpoint, IReadOnlyList<string> recordings, string? subtitles, string? device, int? threads)
    {
        if (subtitles is not null && recordings.Count != 1)
            throw new ArgumentException($"--subtitles writes one file: give one recording (got {recordings.Count}).");
        var spec = SpecCompiler.Compile(specPath);
        TorchThreads.Configure(threads);
        var path = RunFolders.ResolveCheckpoint(checkpoint);
        spec.BindSubwords(path, null); // a subword spec's pieces, saved with the checkpoint
        using var session = spec.CreateSession(Devices.Parse(device));
        session.LoadCheckpoint(path);
        Console.WriteLine($"Model: {path}");
        var empty = 0;
        foreach (var recording in recordings)
        {
            var transcript = session.TranscribeLong(recording);
            Console.WriteLine($"{recording} ({transcript.Duration:F1} s): {transcript.Text}");
            if (Quality.EmptyTranscript(transcript.Text, recording) is { } warning)
            {
                Console.Error.WriteLine(warning);
                empty++;
            }
            else
                Console.WriteLine("  words: " + string.Join(" ", transcript.Words.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Text} {w.Start:F2}-{w.End:F2}"))));
            if (subtitles is not null) Quality.WriteSubtitles(subtitles, transcript.Words);
        }
        if (empty > 0 && recordings.Count > 1) Console.Error.WriteLine($"warning: {empty} of {recordings.Count} transcripts are empty.");
        return 0;
    }
}
