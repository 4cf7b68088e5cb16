using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Nn;
using CtcDsl.Samples.Ldc93s1;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 11: libtorch's CPU threads with and without one competing CPU-bound process. Each setting
/// runs in a child process (OpenMP reads its wait policy once, when libtorch loads): a 32×256 by
/// 256×1024 matrix product, and epochs of the synthetic sample. The competitor is a shell busy loop.
/// </summary>
internal static class ThreadsBenchmark
{
    private sealed record Setting(string Name, Dictionary<string, string?> Environment);

    public static void Run(string[] args)
    {
        var epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        var limit = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 180);
        var cores = Environment.ProcessorCount;
        var settings = new[]
        {
            // The cause: OpenMP threads that spin at barriers while a partner is descheduled.
            new Setting($"spinning (OMP_WAIT_POLICY=ACTIVE), {cores} threads", new() { ["OMP_WAIT_POLICY"] = "ACTIVE" }),
            new Setting($"libgomp's default (spin 300k, then sleep), {cores} threads", new() { ["OMP_WAIT_POLICY"] = null, ["GOMP_SPINCOUNT"] = "300000" }),
            new Setting($"CtcDsl's default (passive wait), {cores} threads", new() { ["OMP_WAIT_POLICY"] = null }),
            new Setting("1 thread (CTCDSL_THREADS=1)", new() { ["OMP_WAIT_POLICY"] = null, [TorchThreads.ThreadsVariable] = "1" }),
        };
        Console.WriteLine($"{cores} CPUs for this process; synthetic sample: {epochs} epochs per run, each run stopped after {limit.TotalSeconds:F0} s.");
        Console.WriteLine($"{"setting",-58} {"competitor",-10} {"matmul GFLOP/s",15} {"ms/epoch",10}");
        foreach (var setting in settings)
            foreach (var competing in new[] { false, true })
            {
                using var competitor = competing ? Process.Start(new ProcessStartInfo("sh", "-c \"while :; do :; done\"") { UseShellExecute = false }) : null;
                var (gflops, msPerEpoch) = Child(setting, epochs, limit);
                try { competitor?.Kill(); } catch (InvalidOperationException) { }
                Console.WriteLine($"{setting.Name,-58} {(competing ? "1 busy" : "none"),-10} {gflops,15} {msPerEpoch,10}");
            }
    }

    /// <summary>Runs the measurements in a child process with <paramref name="setting"/>'s environment.</summary>
    private static (string Gflops, string MsPerEpoch) Child(Setting setting, int epochs, TimeSpan limit)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true };
        // Started as "dotnet CtcDsl.Bench.dll": the child needs the assembly; through the app host it does not.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(typeof(ThreadsBenchmark).Assembly.Location);
        start.ArgumentList.Add("--threads-child");
        start.ArgumentList.Add(epochs.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in setting.Environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        using var child = Process.Start(start)!;
        var output = new List<string>();
        child.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        child.BeginOutputReadLine();
        if (!child.WaitForExit(limit))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        lock (output)
        {
            string Value(string key) => output.FirstOrDefault(l => l.StartsWith(key + " ", StringComparison.Ordinal))?[(key.Length + 1)..] ?? $"> {limit.TotalSeconds:F0} s";
            return (Value("gflops"), Value("ms-per-epoch"));
        }
    }

    /// <summary>The child: prints "gflops X" and "ms-per-epoch Y".</summary>
    public static void ChildRun(string[] args)
    {
        var epochs = int.Parse(args[0], CultureInfo.InvariantCulture);
        TorchThreads.Configure();
        using (var a = randn(32, 256))
        using (var b = randn(256, 1024))
        {
            for (var i = 0; i < 20; i++) matmul(a, b).Dispose();
            var clock = Stopwatch.StartNew();
            var count = 0;
            while (clock.Elapsed < TimeSpan.FromSeconds(2) || count < 20) { matmul(a, b).Dispose(); count++; }
            Console.WriteLine($"gflops {2.0 * 32 * 256 * 1024 * count / clock.Elapsed.TotalSeconds / 1e9:F1}");
        }
        var (_, history, _) = SyntheticRun.Train(seed: 1, epochs, trainCount: 300, heldOutCount: 10, CPU, o => o with { Progress = null });
        Console.WriteLine($"ms-per-epoch {history.Epochs.Average(e => e.Duration.TotalMilliseconds):F0}");
    }
}
