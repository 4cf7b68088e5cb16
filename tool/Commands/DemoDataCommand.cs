using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Tool.Commands;

/// <summary>
/// <c>ctcdsl demo-data DIR</c>: a small data set of the runtime's synthetic speech (grammar sentences of
/// real words) as WAV files with DeepSpeech manifests, to try every command before one's own data is ready.
/// </summary>
public static class DemoDataCommand
{
    /// <summary>Writes <c>train.csv</c>, <c>dev.csv</c> and their WAV files into <paramref name="directory"/>.</summary>
    public static int Run(string directory, int count, int seed)
    {
        if (count < 1) throw new ArgumentException("--count must be at least 1.");
        var audio = Path.Combine(directory, "wav");
        Directory.CreateDirectory(audio);
        var devCount = Math.Max(1, count / 10);
        Write(directory, "train", new SyntheticSpeech(seed).GrammarUtterances(count));
        Write(directory, "dev", new SyntheticSpeech(seed + 1_000_000).GrammarUtterances(devCount));
        Console.WriteLine($"{Path.GetFullPath(directory)}: train.csv ({count} utterances), dev.csv ({devCount}), WAV files in wav/ (16 kHz synthetic speech of grammar sentences).");
        Console.WriteLine($"Next: ctcdsl check SPEC {Path.Combine(directory, "train.csv")}");
        return 0;
    }

    private static void Write(string directory, string name, System.Collections.Generic.IReadOnlyList<(MonoAudio Audio, string Transcript)> utterances)
    {
        var csv = new StringBuilder("wav_filename,wav_filesize,transcript\n");
        for (var i = 0; i < utterances.Count; i++)
        {
            var file = Path.Combine("wav", string.Create(CultureInfo.InvariantCulture, $"{name}-{i:D4}.wav"));
            var path = Path.Combine(directory, file);
            WavAudio.Write(path, utterances[i].Audio);
            csv.Append(CultureInfo.InvariantCulture, $"{file},{new FileInfo(path).Length},{utterances[i].Transcript}\n");
        }
        File.WriteAllText(Path.Combine(directory, name + ".csv"), csv.ToString());
    }
}
