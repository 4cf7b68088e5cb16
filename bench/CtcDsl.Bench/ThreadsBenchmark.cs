using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Bench.Models;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using CtcDsl.Runtime.Training;
using CtcDsl.Samples.Ldc93s1;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 21: training speed of three workloads under each CPU thread setting, alone and beside a
/// second training job. The workloads are the seed sample (LSTM(50) on 2 utterances, SGD), the
/// template's spec (conv + BiGRU(128)×2 on 64 synthetic utterances) and issue 6's workload 2
/// (BiLSTM(256)×3, batches of 32). Every measurement runs in a child process, because OpenMP reads
/// its wait policy once, when libtorch loads; the competitor is the same workload with the defaults.
/// First, in this process, where a second thread starts to pay for one recurrent layer.
/// </summary>
internal static class ThreadsBenchmark
{
    private sealed record Setting(string Name, Dictionary<string, string?> Environment);

    private sealed record Workload(string Name, int Epochs);

    public static void Run(string[] args)
    {
        var only = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var workloads = new[] { new Workload("seed", 80), new Workload("template", 6), new Workload("workload2", 3) }
            .Where(w => only.Count == 0 || only.Contains(w.Name)).ToArray();
        var cores = Environment.ProcessorCount;
        var defaults = new Setting("default", new() { ["OMP_WAIT_POLICY"] = null, [TorchThreads.ThreadsVariable] = null });
        var settings = new[]
        {
            defaults,
            new Setting("1 thread", new() { ["OMP_WAIT_POLICY"] = null, [TorchThreads.ThreadsVariable] = "1" }),
            new Setting($"{cores} threads, active wait", new() { ["OMP_WAIT_POLICY"] = "ACTIVE", [TorchThreads.ThreadsVariable] = $"{cores}" }),
            new Setting($"{cores} threads, passive wait", new() { ["OMP_WAIT_POLICY"] = "PASSIVE", [TorchThreads.ThreadsVariable] = $"{cores}" }),
        };

        Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-dd}, {CpuName()}, {cores} CPUs for this process. Median ms per epoch after one warm-up epoch;");
        Console.WriteLine("'shared': while a second process trains the same workload with the defaults.");
        Console.WriteLine($"{"workload",-10} {"setting",-26} {"alone",9} {"shared",9} {"shared/alone",13} {"/best alone",12}");
        if (!args.Contains("--no-crossover")) Crossover(cores);
        foreach (var workload in workloads)
        {
            var results = settings.Select(s => (Setting: s, Alone: Child(workload, s, competitor: null), Shared: Child(workload, s, competitor: defaults))).ToList();
            var best = results.Where(r => r.Setting != defaults).Min(r => r.Alone);
            foreach (var (setting, alone, shared) in results)
                Console.WriteLine($"{workload.Name,-10} {setting.Name,-26} {alone,9:F1} {shared,9:F1} {shared / alone,13:F2} {alone / best,12:F2}");
            var chosen = ChosenThreads(workload);
            Console.WriteLine($"{workload.Name,-10} (the default chose: {chosen})");
        }
    }

    /// <summary>
    /// Where more threads start to pay for one recurrent layer (forward + backward over 100 frames, best
    /// of 5): the measurements behind <see cref="ThreadPlan"/>'s constants, printed with what it chooses.
    /// </summary>
    private static void Crossover(int cores)
    {
        Console.WriteLine($"One recurrent layer, batch × hidden → per-step multiply-adds; ms per forward + backward at 1 and {cores} threads (passive wait):");
        Console.WriteLine($"{"layer",-16} {"M mult-adds",12} {"1 thread",9} {$"{cores} threads",10} {"speed-up",9} {"plan",5}");
        foreach (var lstm in new[] { true, false })
            foreach (var (batch, hidden) in new[] { (2, 50), (32, 96), (32, 128), (32, 160), (32, 192), (32, 256), (32, 320), (64, 256) })
            {
                using var layer = lstm ? (nn.Module)nn.LSTM(hidden, hidden, batchFirst: true) : nn.GRU(hidden, hidden, batchFirst: true);
                using var input = randn(batch, 100, hidden);
                double Time(int threads)
                {
                    set_num_threads(threads);
                    var best = double.MaxValue;
                    for (var round = 0; round < 7; round++)
                    {
                        var clock = Stopwatch.StartNew();
                        using (NewDisposeScope())
                        {
                            var output = lstm ? ((TorchSharp.Modules.LSTM)layer).call(input).Item1 : ((TorchSharp.Modules.GRU)layer).call(input).Item1;
                            output.sum().backward();
                        }
                        if (round >= 2) best = Math.Min(best, clock.Elapsed.TotalMilliseconds);
                    }
                    return best;
                }
                var one = Time(1);
                var all = Time(cores);
                var gates = lstm ? 4 : 3;
                Console.WriteLine($"{(lstm ? "LSTM" : "GRU"),-4} {batch,3} × {hidden,-5} {batch * gates * (double)hidden * hidden / 1e6,12:F2} {one,9:F1} {all,10:F1} {one / all,9:F2} {ThreadPlan.ForTraining(layer, batch, cores),5}");
            }
        set_num_threads(1);
    }

    /// <summary>Median ms per epoch of <paramref name="workload"/> in a child process with <paramref name="setting"/>, beside a competitor when given.</summary>
    private static double Child(Workload workload, Setting setting, Setting? competitor)
    {
        using var rival = competitor is null ? null : Start(workload with { Epochs = 1_000_000 }, competitor, redirect: false);
        using var child = Start(workload, setting, redirect: true);
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (rival is not null)
        {
            rival.Kill(entireProcessTree: true);
            rival.WaitForExit();
        }
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith("ms-per-epoch ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{workload.Name} with {setting.Name}: the child printed no timing (exit {child.ExitCode}):\n{output}");
        return double.Parse(line["ms-per-epoch ".Length..], CultureInfo.InvariantCulture);
    }

    private static Process Start(Workload workload, Setting setting, bool redirect)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        // Started as "dotnet CtcDsl.Bench.dll": the child needs the assembly; through the app host it does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ThreadsBenchmark).Assembly.Location);
        start.ArgumentList.Add("--threads-child");
        start.ArgumentList.Add(workload.Name);
        start.ArgumentList.Add(workload.Epochs.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in setting.Environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        var process = Process.Start(start)!;
        if (!redirect) process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        return process;
    }

    /// <summary>The child: trains <c>args[1]</c> epochs of workload <c>args[0]</c> and prints "threads N" and "ms-per-epoch X".</summary>
    public static void ChildRun(string[] args)
    {
        var epochs = int.Parse(args[1], CultureInfo.InvariantCulture);
        var history = args[0] switch
        {
            "seed" => Seed(epochs),
            "template" => Template(epochs),
            "workload2" => Workload2(epochs),
            _ => throw new ArgumentException($"unknown workload '{args[0]}' (seed, template, workload2)"),
        };
        Console.WriteLine($"threads {TorchThreads.Threads}");
        var times = history.Epochs.Skip(1).Select(e => e.Duration.TotalMilliseconds).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ms-per-epoch {times[times.Count / 2]:F2}"));
    }

    private static string ChosenThreads(Workload workload)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ThreadsBenchmark).Assembly.Location);
        foreach (var a in new[] { "--threads-child", workload.Name, "2" }) start.ArgumentList.Add(a);
        start.Environment.Remove(TorchThreads.ThreadsVariable);
        start.Environment.Remove("OMP_WAIT_POLICY");
        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        return output.Split('\n').FirstOrDefault(l => l.StartsWith("threads ", StringComparison.Ordinal))?.Replace("threads ", "", StringComparison.Ordinal) + " intra-op thread(s)";
    }

    // The three workloads, each as its user meets it (the seed sample's and the template's own settings).

    private static TrainingHistory Seed(int epochs)
    {
        var data = Ldc93s1Data.Load(null);
        random.manual_seed(7);
        using var model = new Ldc93s1Model(CPU);
        return model.Fit(data.Examples, data.Examples, Ldc93s1Model.DefaultFitOptions with { Epochs = epochs, Progress = null });
    }

    private static TrainingHistory Template(int epochs)
    {
        random.manual_seed(1);
        using var model = new SyntheticModel(CPU);
        var training = new SyntheticSpeech(seed: 1).Utterances(64);
        model.FitStatistics(training.Select(u => u.Audio));
        var examples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToList();
        return model.Fit(examples, options: SyntheticModel.DefaultFitOptions with { Epochs = epochs, Progress = null });
    }

    private static TrainingHistory Workload2(int epochs)
    {
        random.manual_seed(0);
        using var model = new Workload2Model(CPU);
        return model.Fit(Workload2Data.Utterances(64), options: Workload2Model.DefaultFitOptions with { Epochs = epochs, Progress = null });
    }

    private static string CpuName()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}
