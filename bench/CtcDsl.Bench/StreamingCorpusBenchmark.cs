using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;

namespace CtcDsl.Bench;

/// <summary>
/// Training on a corpus larger than one wants in memory: synthetic speech written to disk as WAV files
/// with a NeMo manifest (durations included), loaded with <see cref="DataSetOptions.StreamFromDisk"/>,
/// trained for a few epochs of a deliberately cheap model. Each size runs in its own process; resident
/// memory (VmRSS) is read at the end of every epoch and the peak (VmHWM) at the end, with the trainer's
/// idle share (time waiting for batches). Corpora are kept in the temporary folder between runs.
/// </summary>
internal static class StreamingCorpusBenchmark
{
    public static void Run(string[] args)
    {
        if (args.Length >= 3 && args[0] == "child")
        {
            Child(double.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture));
            return;
        }
        var hours = args.Length > 0 ? args[0].Split(',').Select(h => double.Parse(h, CultureInfo.InvariantCulture)).ToArray() : new[] { 2.0, 20.0 };
        var epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        Console.WriteLine($"Streaming corpora from disk: {string.Join(" and ", hours.Select(h => $"{h:0.#} h"))}, {epochs} epochs each, {Environment.ProcessorCount} cores.");
        foreach (var size in hours)
        {
            var self = Environment.ProcessPath!;
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(StreamingCorpusBenchmark).Assembly.Location);
            foreach (var a in new[] { "--stream-corpus", "child", size.ToString(CultureInfo.InvariantCulture), epochs.ToString(CultureInfo.InvariantCulture) }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null) Console.WriteLine(line);
            process.WaitForExit();
        }
    }

    private static void Child(double hours, int epochs)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"ctcdsl-corpus-{hours.ToString(CultureInfo.InvariantCulture)}h");
        var manifest = Path.Combine(folder, "manifest.json");
        var clock = Stopwatch.StartNew();
        if (!File.Exists(manifest)) Write(folder, manifest, hours);
        var audioBytes = Directory.EnumerateFiles(Path.Combine(folder, "audio")).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"  {hours:0.#} h corpus: {File.ReadLines(manifest).Count()} utterances, {audioBytes / 1e9:F2} GB of WAV (written or found in {clock.Elapsed.TotalSeconds:F0} s)");

        TorchSharp.torch.random.manual_seed(1);
        using var model = new StreamingBenchModel(TorchSharp.torch.CPU);
        var cache = Path.Combine(folder, "features");
        clock.Restart();
        var set = model.LoadDataSet(manifest, new DataSetOptions { CacheDirectory = cache, StreamFromDisk = true, Infeasible = InfeasiblePolicy.Skip });
        var cacheBytes = Directory.EnumerateFiles(cache, "*.f32", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Console.WriteLine($"    loaded in {clock.Elapsed.TotalSeconds:F0} s ({set.Examples.Count} examples, features cached: {cacheBytes / 1e9:F2} GB); resident {Resident("VmRSS"):F0} MB; glibc mmap threshold fixed: {CtcDsl.Runtime.Nn.NativeHeap.KeptFlat}");
        var progress = new MemoryProgress();
        model.Fit(set.Examples, null, StreamingBenchModel.DefaultFitOptions with { Epochs = epochs, BatchSize = 32, BucketByLength = true, Progress = () => progress });
        Console.WriteLine($"    peak resident memory over the run: {Resident("VmHWM"):F0} MB");
    }

    /// <summary>Prints each epoch's time, idle share and resident memory.</summary>
    private sealed class MemoryProgress : ITrainingProgress
    {
        public void EpochStarted(int epoch, int epochs, int batches) { }

        public void BatchCompleted(int epoch, int batch, int batches, System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, double>> running) { }

        public void EpochCompleted(EpochResult result, int epochs, int examples, int steps) =>
            Console.WriteLine($"    epoch {result.Epoch}: {result.Duration.TotalSeconds,6:F0} s, {steps} steps, loss {result.Loss,7:F2}, trainer idle {result.IdleTime / result.Duration,4:P0}, resident {Resident("VmRSS"),5:F0} MB (managed heap {GC.GetGCMemoryInfo().HeapSizeBytes / 1e6,4:F0} MB)");

        public void Finished(TrainingHistory history) { }

        public void Message(string text) => Console.WriteLine($"    {text}");
    }

    private static void Write(string folder, string manifest, double hours)
    {
        var audio = Directory.CreateDirectory(Path.Combine(folder, "audio")).FullName;
        var target = hours * 3600;
        var total = 0.0;
        using var writer = new StreamWriter(manifest + ".partial");
        for (var i = 0; total < target; i++)
        {
            var speech = new SyntheticSpeech(seed: i);
            var text = speech.Sentence(6, 14);
            var said = speech.Say(text);
            var path = Path.Combine(audio, $"{i:D6}.wav");
            using (var file = File.Create(path)) new NWaves.Audio.WaveFile(new NWaves.Signals.DiscreteSignal(said.SampleRate, said.Samples), 16).SaveTo(file);
            writer.WriteLine($"{{\"audio_filepath\": \"audio/{i:D6}.wav\", \"duration\": {said.Duration.ToString("R", CultureInfo.InvariantCulture)}, \"text\": \"{text}\"}}");
            total += said.Duration;
        }
        writer.Close();
        File.Move(manifest + ".partial", manifest);
    }

    private static double Resident(string field)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
    }
}
