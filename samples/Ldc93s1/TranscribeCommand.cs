using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>
/// <c>--transcribe AUDIO --checkpoint CKPT [--subtitles OUT.srt|OUT.vtt]</c>: a recording of any length
/// (WAV, FLAC or MP3) through a trained model — the seed model's or the synthetic one's, told apart by
/// the checkpoint — in windows, with word timings and optional subtitles.
/// </summary>
public static class TranscribeCommand
{
    /// <summary><c>--export-onnx OUT --checkpoint CKPT</c>: the trained model (seed or synthetic, told apart by the checkpoint) as ONNX.</summary>
    public static int Export(string onnxPath, string checkpointPath, torch.Device device)
    {
        try
        {
            if (Checkpoint.Load(checkpointPath).ModelName == nameof(SyntheticModel))
            {
                using var model = new SyntheticModel(device);
                model.LoadCheckpoint(checkpointPath);
                model.ExportOnnx(onnxPath);
            }
            else
            {
                using var model = new Ldc93s1Model(device);
                model.LoadCheckpoint(checkpointPath);
                model.ExportOnnx(onnxPath);
            }
            Console.WriteLine($"Wrote {onnxPath}: transcribe with it alone, e.g. dotnet run --project samples/OnnxTranscribe -c Release -- {onnxPath} AUDIO");
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    public static int Run(string audioPath, string checkpointPath, string? subtitlesPath, torch.Device device)
    {
        try
        {
            var name = Checkpoint.Load(checkpointPath).ModelName;
            LongTranscript transcript;
            if (name == nameof(SyntheticModel))
            {
                using var model = new SyntheticModel(device);
                model.LoadCheckpoint(checkpointPath);
                transcript = model.TranscribeLong(audioPath);
            }
            else
            {
                using var model = new Ldc93s1Model(device);
                model.LoadCheckpoint(checkpointPath);
                transcript = model.TranscribeLong(audioPath);
            }
            Console.WriteLine($"{audioPath} ({transcript.Duration:F1} s):");
            Console.WriteLine(transcript.Text);
            if (string.IsNullOrWhiteSpace(transcript.Text))
                Console.Error.WriteLine($"warning: the transcript of {audioPath} is empty: the model emitted only blanks (under-trained, or a model of other data; see docs/cli.md, 'When nothing is learned').");
            Console.WriteLine("Word timings: " + string.Join(" ", transcript.Words.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Text} {w.Start:F2}-{w.End:F2}"))));
            if (subtitlesPath is not null) Write(subtitlesPath, transcript.Words);
            return 0;
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Writes SubRip or WebVTT, chosen by the extension (.vtt: WebVTT; anything else: SubRip).</summary>
    public static void Write(string path, System.Collections.Generic.IReadOnlyList<TimedWord> words)
    {
        if (words.Count == 0)
        {
            Console.Error.WriteLine($"warning: no subtitles written to {path}: the transcript is empty.");
            return;
        }
        var text = Path.GetExtension(path).Equals(".vtt", StringComparison.OrdinalIgnoreCase) ? Subtitles.ToWebVtt(words) : Subtitles.ToSrt(words);
        File.WriteAllText(path, text);
        Console.WriteLine($"Subtitles: {Path.GetFullPath(path)}");
    }
}
