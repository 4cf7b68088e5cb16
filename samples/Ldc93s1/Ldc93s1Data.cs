using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>The article's two training utterances: the whole of LDC93S1 and its 0.8–2.0 s cut.</summary>
/// <param name="Directory">Where the files were read.</param>
/// <param name="Examples">The two utterances, as the model's front-end featurises them.</param>
/// <param name="Transcripts">Their texts.</param>
/// <param name="Resampled">How the audio was resampled to the model's rate, or null when it already had that rate.</param>
public sealed record Ldc93s1Data(string Directory, IReadOnlyList<Ldc93s1Example> Examples, IReadOnlyList<string> Transcripts, string? Resampled = null)
{
    /// <summary>Where the data is looked for when no directory is given: ../shared/data/ldc93s1 from the repository root or any parent of the working directory.</summary>
    public static string? FindDefaultDirectory()
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data", "ldc93s1");
            if (File.Exists(Path.Combine(candidate, "LDC93S1.wav"))) return candidate;
        }
        return null;
    }

    /// <summary>Reads LDC93S1.wav and LDC93S1.txt and builds the examples as the article does.</summary>
    /// <exception cref="IOException">The files are missing or unreadable (the message names them).</exception>
    public static Ldc93s1Data Load(string? directory)
    {
        directory ??= FindDefaultDirectory()
            ?? throw new FileNotFoundException("No data directory given and ../shared/data/ldc93s1 was not found; pass the folder holding LDC93S1.wav and LDC93S1.txt.");
        var wavPath = Path.Combine(directory, "LDC93S1.wav");
        var textPath = Path.Combine(directory, "LDC93S1.txt");
        if (!File.Exists(wavPath)) throw new FileNotFoundException($"{wavPath}: not found.", wavPath);
        if (!File.Exists(textPath)) throw new FileNotFoundException($"{textPath}: not found.", textPath);

        // The spec's front-end (python_speech_features' MFCC at 16 kHz, per-utterance normalisation);
        // audio recorded at another rate is resampled to the model's rate first.
        var frontEnd = new FrontEnd(Ldc93s1Model.FrontEndSettings);
        var original = WavAudio.Read(wavPath);
        var audio = original.Resample(frontEnd.Settings.SampleRate);
        var resampled = original.SampleRate == audio.SampleRate ? null : $"resampled from {original.SampleRate} Hz to the model's {audio.SampleRate} Hz";
        var transcript = Transcript(textPath);
        var labels = Ldc93s1Model.Vocabulary.Encode(transcript, textPath);

        // The article's second utterance: audio[fs*8//10 : fs*20//10] with labels [13:32] ("dark suit in greasy").
        var fs = audio.SampleRate;
        var cut = audio.Slice(fs * 8 / 10, fs * 20 / 10);
        var shortLabels = labels[13..32];

        var examples = new[]
        {
            new Ldc93s1Example(frontEnd.Compute(audio), labels, "LDC93S1.wav"),
            new Ldc93s1Example(frontEnd.Compute(cut), shortLabels, "LDC93S1.wav[0.8s:2.0s]"),
        };
        return new Ldc93s1Data(directory, examples, new[] { transcript, Ldc93s1Model.Vocabulary.Decode(shortLabels) }, resampled);
    }

    /// <summary>The article's text normalisation: last line, words after the two sample offsets, lower case, no period.</summary>
    private static string Transcript(string path)
    {
        var line = File.ReadAllLines(path).LastOrDefault(l => l.Trim().Length > 0)
            ?? throw new FormatException($"{path}: the transcript file is empty.");
        var words = line.Trim().ToLowerInvariant().Split(' ');
        if (words.Length < 3) throw new FormatException($"{path}: expected '<start> <end> <text>', found \"{line}\".");
        return string.Join(" ", words.Skip(2)).Replace(".", "");
    }
}
