using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Bench.Models;
using CtcDsl.Generator;
using CtcDsl.Models;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Nn;
using CtcDsl.Samples.Ldc93s1;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 6's suite, first version: the machine's fp32 matrix-product rate (the floor), workload 2
/// (3-layer BiLSTM(256), batch 32 of 300–500 frames) training and inference, generated against
/// hand-written TorchSharp, prefix beam search, the generator, and memory over 50 seed epochs.
/// Medians after a warm-up. PyTorch's numbers come from pytorch_reference.py (same workloads).
/// </summary>
internal static class SuiteBenchmark
{
    private const double ForwardFlopsPerFrame = 7.4e6; // issue 6's count for workload 2

    public static void Run(string[] args)
    {
        var withPyTorch = !args.Contains("--no-pytorch");
        args = args.Where(a => a != "--no-pytorch").ToArray();
        var steps = args.Length > 0 ? int.Parse(args[0]) : 5;

        Console.WriteLine("== Workload 1: the seed model ==");
        var seedMs = SeedBenchmark.Run(Array.Empty<string>());
        Console.WriteLine();
        Console.WriteLine("== Workloads 2-4 ==");
        Console.WriteLine($"{Environment.ProcessorCount} cores, torch threads {get_num_threads()}, TorchSharp {typeof(torch).Assembly.GetName().Version}, .NET {Environment.Version}");
        var gflops = MatmulRate();
        Console.WriteLine($"fp32 matrix product (1024², TorchSharp): {gflops:F1} GFLOP/s — the floor below");
        Console.WriteLine();

        // Workload 2 data.
        manual_seed(0);
        var examples = Workload2Data.Utterances(32);
        var realFrames = examples.Sum(e => e.Features.GetLength(0));
        var trainFloor = 3 * ForwardFlopsPerFrame * realFrames / (gflops * 1e9) * 1000;
        var inferFloor = ForwardFlopsPerFrame * realFrames / (gflops * 1e9) * 1000;
        using var batch = Workload2Batch.Collate(examples, CPU);
        Console.WriteLine($"Workload 2: batch 32, {realFrames} real frames; floor {trainFloor:F0} ms/training step, {inferFloor:F0} ms/inference batch");
        Console.WriteLine($"{"",-46} {"ms",8} {"utt/s",7} {"× floor",8}");

        // The three training variants run one step each in turn, so machine noise falls on all alike.
        manual_seed(1);
        using var generated = new Workload2Model(CPU);
        using var generatedAdam = generated.CreateOptimizer();
        manual_seed(1);
        var rnn = new BidirectionalRnn(RnnKind.Lstm, 13, 256, layers: 3);
        var dense = nn.Linear(512, 29);
        var ctc = new CtcLoss(28);
        using var handAdam = optim.Adam(rnn.parameters().Concat(dense.parameters()), 1e-3);
        var fused = nn.LSTM(13, 256, numLayers: 3, batchFirst: true, bidirectional: true);
        var fusedDense = nn.Linear(512, 29);
        using var fusedAdam = optim.Adam(fused.parameters().Concat(fusedDense.parameters()), 1e-3);
        var training = MedianInterleaved(steps,
            () =>
            {
                using var scope = NewDisposeScope();
                generatedAdam.zero_grad();
                using var output = generated.Evaluate(batch);
                output.Loss.backward();
                generatedAdam.step();
            },
            () =>
            {
                using var scope = NewDisposeScope();
                handAdam.zero_grad();
                var logits = dense.call(rnn.call(batch.Features, batch.FeatureLengths));
                ctc.Forward(logits, batch.FeatureLengths, batch.Labels, batch.LabelLengths).backward();
                handAdam.step();
            },
            () =>
            {
                using var scope = NewDisposeScope();
                fusedAdam.zero_grad();
                var logits = fusedDense.call(fused.call(batch.Features).Item1);
                ctc.Forward(logits, batch.FeatureLengths, batch.Labels, batch.LabelLengths).backward();
                fusedAdam.step();
            });
        var trainingMs = training[0];
        Report("training, generated", training[0], trainFloor);
        Report("training, hand-written TorchSharp (same exact RNN)", training[1], trainFloor);
        Report("training, TorchSharp fused nn.LSTM (padding-inexact)", training[2], trainFloor);
        Console.WriteLine($"{"generated / hand-written",-46} {training[0] / training[1],8:F3}");

        generated.eval();
        var inferenceMs = Median(steps, () =>
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var outputs = generated.Run(batch.Features, batch.FeatureLengths);
            GreedyDecoder.Decode(outputs.Logits, outputs.LogitsLengths, Workload2Model.BlankIndex);
        });
        Report("inference (forward + greedy), generated", inferenceMs, inferFloor);

        // Workload 3: prefix beam search over fixed logits.
        Console.WriteLine();
        using (var logits = randn(8, 500, 29) * 3)
        using (var lengths = full(8, 500L))
            foreach (var width in new[] { 8, 32 })
            {
                var search = new PrefixBeamSearch(28, beamWidth: width);
                var ms = Median(3, () => search.Decode(logits, lengths));
                Console.WriteLine($"prefix beam search, width {width,2}: {8 * 500 / (ms / 1000),10:F0} frames/s");
            }

        // Workload 4: the generator, in process, per example spec.
        Console.WriteLine();
        var specs = Directory.GetFiles(Path.Combine(RepositoryRoot(), "specs"), "*.ctc.yaml").OrderBy(p => p).ToArray();
        foreach (var spec in specs)
        {
            var text = File.ReadAllText(spec);
            var generatedFiles = 0;
            var ms = Median(10, () =>
            {
                // A fresh driver each time: nothing cached, the whole pipeline (YAML, analysis, Scriban) runs.
                var driver = CSharpGeneratorDriver.Create(new CtcSpecGenerator().AsSourceGenerator())
                    .AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(new SpecText(spec, text)))
                    .RunGenerators(CSharpCompilation.Create("bench"));
                var result = driver.GetRunResult();
                generatedFiles = result.GeneratedTrees.Length;
                if (result.Diagnostics.Length > 0) throw new InvalidOperationException(string.Join("; ", result.Diagnostics));
            });
            Console.WriteLine($"generator, {Path.GetFileName(spec),-22} {ms,7:F2} ms ({generatedFiles} file)");
        }

        // A project with ten specs: dotnet build time (referenced projects already built).
        Console.WriteLine($"dotnet build of a project with ten specs: {TenSpecBuildSeconds(specs):F1} s");

        // Memory over many epochs of the seed model.
        Console.WriteLine();
        var data = Ldc93s1Data.Load(null);
        manual_seed(7);
        using var seed = new Ldc93s1Model(CPU);
        long after1 = 0;
        seed.Fit(data.Examples, data.Examples, Ldc93s1Model.DefaultFitOptions with
        {
            Epochs = 50,
            Progress = () => new MemoryProbe(epoch => { if (epoch == 1) after1 = WorkingSet(); }),
        });
        Console.WriteLine($"seed model working set: {after1 / 1e6:F0} MB after epoch 1, {WorkingSet() / 1e6:F0} MB after epoch 50 (peak {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB over the whole run)");

        if (withPyTorch) PyTorchRatios(seedMs, trainingMs, inferenceMs);
    }

    /// <summary>Runs pytorch_reference.py (Debian's python3-torch, same thread count) when available and prints our speed-up.</summary>
    private static void PyTorchRatios(double seedMs, double trainingMs, double inferenceMs)
    {
        Console.WriteLine();
        var script = Path.Combine(RepositoryRoot(), "bench", "CtcDsl.Bench", "pytorch_reference.py");
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) { Console.WriteLine("PyTorch reference: /usr/bin/python3 not found (apt-get install python3-torch)."); return; }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { script, "1", get_num_threads().ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) { Console.WriteLine($"PyTorch reference unavailable: {output.Trim().Split('\n').Last()}"); return; }
        Console.Write(output);
        double Number(string prefix) => double.Parse(System.Text.RegularExpressions.Regex.Match(output, System.Text.RegularExpressions.Regex.Escape(prefix) + @"[^:]*: ([0-9.]+) ms").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"speed-up over PyTorch eager: workload 1 {Number("workload 1") / seedMs:F1}×, workload 2 training {Number("workload 2, training") / trainingMs:F1}×, inference {Number("workload 2, inference") / inferenceMs:F1}×");
    }

    /// <summary>Builds a throwaway project holding ten copies of the example specs (renamed) and returns the wall time of its build.</summary>
    private static double TenSpecBuildSeconds(string[] specs)
    {
        var root = RepositoryRoot();
        var directory = Directory.CreateTempSubdirectory("ctcdsl-tenspecs-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "TenSpecs.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
                  <ItemGroup>
                    <ProjectReference Include="{root}/runtime/CtcDsl.Runtime.csproj" />
                    <ProjectReference Include="{root}/generator/CtcDsl.Generator.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                    <AdditionalFiles Include="*.ctc.yaml" />
                  </ItemGroup>
                </Project>
                """);
            for (var i = 0; i < 10; i++)
            {
                var text = File.ReadAllText(specs[i % specs.Length]);
                text = System.Text.RegularExpressions.Regex.Replace(text, @"(?m)^name: .*$", "") ;
                File.WriteAllText(Path.Combine(directory, $"model{i}.ctc.yaml"), text);
            }
            string Build(string arguments)
            {
                using var process = Process.Start(new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
                var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0) throw new InvalidOperationException(output);
                return output;
            }
            Build("restore -v q");
            var clock = Stopwatch.StartNew();
            Build("build --no-restore -v q");
            return clock.Elapsed.TotalSeconds;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static double MatmulRate()
    {
        using var a = randn(1024, 1024);
        using var b = randn(1024, 1024);
        var ms = Median(20, () => { using var c = a.matmul(b); });
        return 2.0 * 1024 * 1024 * 1024 / (ms / 1000) / 1e9;
    }

    private static double Median(int runs, Action action)
    {
        action(); // warm-up
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        return times.OrderBy(t => t).ElementAt(times.Count / 2);
    }

    /// <summary>Medians of <paramref name="actions"/> run in turn, one run each per round, after one warm-up round.</summary>
    internal static double[] MedianInterleaved(int rounds, params Action[] actions)
    {
        foreach (var action in actions) action();
        var times = actions.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
            for (var a = 0; a < actions.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                actions[a]();
                times[a].Add(clock.Elapsed.TotalMilliseconds);
            }
        return times.Select(t => t.OrderBy(x => x).ElementAt(t.Count / 2)).ToArray();
    }

    private static void Report(string name, double ms, double floor) =>
        Console.WriteLine($"{name,-46} {ms,8:F0} {32000 / ms,7:F1} {ms / floor,8:F1}");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CtcDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException("CtcDsl.sln not found");
    }

    private sealed class SpecText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(System.Threading.CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    private sealed class MemoryProbe(Action<int> onEpoch) : CtcDsl.Runtime.Training.ITrainingProgress
    {
        public void EpochStarted(int epoch, int epochs, int batches)
        {
        }

        public void BatchCompleted(int epoch, int batch, int batches, IReadOnlyList<KeyValuePair<string, double>> running)
        {
        }

        public void EpochCompleted(CtcDsl.Runtime.Training.EpochResult result, int epochs, int examples, int steps) => onEpoch(result.Epoch);

        public void Finished(CtcDsl.Runtime.Training.TrainingHistory history)
        {
        }

        public void Message(string text)
        {
        }
    }
}
