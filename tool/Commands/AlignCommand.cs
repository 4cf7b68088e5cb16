using System;
using System.Globalization;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using CtcDsl.Tool.Data;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Commands;

/// <summary><c>ctcdsl align SPEC CHECKPOINT AUDIO TRANSCRIPT</c>: forced alignment, each word with its time, and optional subtitles.</summary>
public static class AlignCommand
{
    /// <summary>Aligns the transcript (normalised with the spec's or the command line's policy) to the recording.</summary>
    public static int Run(string specPath, string checkpoint, string recording, string transcript, string? subtitles, string? unknownCharacters, string? map, string? device, int? threads)
    {
        var spec = SpecCompiler.Compile(specPath);
        TorchThreads.Configure(threads);
        var path = RunFolders.ResolveCheckpoint(checkpoint);
        spec.BindSubwords(path, null); // a subword spec's pieces, saved with the checkpoint
        var text = TranscriptPolicy.Resolve(spec, unknownCharacters, map).Normalize(new Utterance(recording, transcript, "the transcript"));
        using var session = spec.CreateSession(Devices.Parse(device));
        session.LoadCheckpoint(path);
        var words = session.AlignWords(AudioFile.Read(recording), text);
        Console.WriteLine($"{recording}: \"{text}\" ({path})");
        foreach (var word in words)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{word.Start,8:F2} {word.End,8:F2}  {word.Text}"));
        if (subtitles is not null) Quality.WriteSubtitles(subtitles, words);
        return 0;
    }
}
