using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Onnx;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using TorchSharp;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 25: the ONNX Runtime recognizer against the TorchSharp model on the same files and threads —
/// real-time factor (seconds of computing per second of audio, features and greedy decoding
/// included), time to the first transcript (load included) and peak resident memory. The model is
/// specs/synthetic.ctc.yaml (conv1d + 2-layer BiGRU(128) on 26 log-mel bands) with initial weights
/// (speed does not depend on what they learned), saved as a checkpoint and exported to ONNX; each
/// engine and thread count runs in a process of its own, so one's peak memory cannot hide another's.
/// </summary>
internal static class OnnxBenchmark
{
    public static void Run(string[] args)
    {
        if (args.Length == 4 && args[0] == "child")
        {
            Child(args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
            return;
        }
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 40;
        var folder = Path.Combine(Path.GetTempPath(), $"ctcdsl-onnx-bench-{count}");
        Directory.CreateDirectory(folder);
        var utterances = new SyntheticSpeech(seed: 5).GrammarUtterances(count);
        for (var i = 0; i < utterances.Count; i++) WavAudio.Write(Path.Combine(folder, $"utt{i:D3}.wav"), utterances[i].Audio);
        torch.random.manual_seed(1);
        using (var model = new SyntheticModel(torch.CPU))
        {
            model.FitStatistics(utterances.Select(u => u.Audio));
            model.SaveCheckpoint(Path.Combine(folder, "model.ckpt"));
            model.ExportOnnx(Path.Combine(folder, "model.onnx"));
        }
        var seconds = utterances.Sum(u => u.Audio.Duration);
        Console.WriteLine($"{count} files, {seconds:F1} s of 16 kHz speech; SyntheticModel (conv1d + 2×BiGRU(128)); {Environment.ProcessorCount} CPUs; " +
                          $"checkpoint {new FileInfo(Path.Combine(folder, "model.ckpt")).Length / 1e6:F1} MB, ONNX {new FileInfo(Path.Combine(folder, "model.onnx")).Length / 1e6:F1} MB");
        Console.WriteLine("engine        threads   RTF      first transcript (load included)   peak resident memory");
        foreach (var threads in new[] { 1, 2 })
            foreach (var engine in new[] { "torchsharp", "onnx" })
            {
                var self = Environment.ProcessPath!;
                var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
                if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(OnnxBenchmark).Assembly.Location);
                foreach (var a in new[] { "--onnx", "child", engine, threads.ToString(CultureInfo.InvariantCulture), folder }) start.ArgumentList.Add(a);
                using var process = Process.Start(start)!;
                Console.Write(process.StandardOutput.ReadToEnd());
                process.WaitForExit();
            }
    }

    private static void Child(string engine, int threads, string folder)
    {
        var files = Directory.GetFiles(folder, "*.wav").Order(StringComparer.Ordinal).ToArray();
        var seconds = files.Sum(f => AudioFile.Probe(f).Duration);
        var clock = Stopwatch.StartNew();
        Func<string, string> transcribe;
        IDisposable owner;
        if (engine == "onnx")
        {
            var recognizer = OnnxRecognizer.Load(Path.Combine(folder, "model.onnx"), new OnnxRecognizerOptions { Threads = threads });
            (transcribe, owner) = (f => recognizer.TranscribeFile(f), recognizer);
        }
        else
        {
            TorchThreads.Configure(threads);
            var model = new SyntheticModel(torch.CPU);
            model.LoadCheckpoint(Path.Combine(folder, "model.ckpt"));
            // The same path as the recognizer's TranscribeFile: features from the file, then the spec's decoder.
            (transcribe, owner) = (f => model.Transcribe(new[] { model.FrontEnd.ComputeFromFile(f) })[0], model);
        }
        using (owner)
        {
            transcribe(files[0]);
            var first = clock.Elapsed.TotalSeconds;
            // Two passes over every file after the first transcript; the faster pass counts (the machine is shared).
            var best = double.MaxValue;
            var texts = new List<string>();
            for (var pass = 0; pass < 2; pass++)
            {
                texts.Clear();
                var timer = Stopwatch.StartNew();
                foreach (var file in files) texts.Add(transcribe(file));
                best = Math.Min(best, timer.Elapsed.TotalSeconds);
            }
            // A digest that is the same in every process (string.GetHashCode is not): equal digests, equal transcripts.
            var digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", texts))))[..8];
            Console.WriteLine($"{engine,-12}  {threads,7}   {best / seconds:F4}   {first,6:F2} s                          {PeakResidentMegabytes(),6:F0} MB   (transcripts {digest})");
        }
    }

    private static double PeakResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
