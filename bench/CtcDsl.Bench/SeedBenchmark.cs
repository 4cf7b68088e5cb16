using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Samples.Ldc93s1;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>Seed-model training speed: generated CtcDsl model against the same model hand-written in TorchSharp (same per-epoch work, alternating rounds, median after warm-up).</summary>
internal static class SeedBenchmark
{
    /// <summary>Runs and prints the comparison; returns the generated model's median ms per epoch.</summary>
    public static double Run(string[] args)
    {
        string? directory = null;
        int rounds = 300, epochsPerRound = 1, warmup = 20;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--epochs": epochsPerRound = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: directory = args[i]; break;
            }
        }

        var data = Ldc93s1Data.Load(directory);
        Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, .NET {Environment.Version}");
        Console.WriteLine($"Per epoch: 1 SGD step on 2 utterances ({data.Examples[0].Features.GetLength(0)} + {data.Examples[1].Features.GetLength(0)} frames) + validation; {rounds} alternating rounds of {epochsPerRound} epochs after {warmup} warm-up epochs each.");

        random.manual_seed(7);
        using var generated = new Ldc93s1Model(CPU);
        var generatedOptions = Ldc93s1Model.DefaultFitOptions with { Progress = null, Shuffle = false };

        random.manual_seed(7);
        using var handWritten = new HandWrittenSeedModel();
        using var sgd = optim.SGD(handWritten.parameters(), 0.005, momentum: 0.9);
        var utterances = data.Examples.Select(e => e.Features).ToArray();
        var labelIds = data.Examples.Select(e => e.Labels).ToArray();

        List<double> RunGenerated(int epochs) =>
            generated.Fit(data.Examples, data.Examples, generatedOptions with { Epochs = epochs }).Epochs.Select(e => e.Duration.TotalMilliseconds).ToList();

        List<double> RunHandWritten(int epochs)
        {
            var times = new List<double>();
            for (var e = 0; e < epochs; e++)
            {
                var clock = Stopwatch.StartNew();
                handWritten.Epoch(sgd, utterances, labelIds);
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            return times;
        }

        RunGenerated(warmup);
        RunHandWritten(warmup);
        var generatedTimes = new List<double>();
        var handTimes = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            generatedTimes.AddRange(RunGenerated(epochsPerRound));
            handTimes.AddRange(RunHandWritten(epochsPerRound));
        }

        static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var g = Median(generatedTimes);
        var h = Median(handTimes);
        Console.WriteLine($"{"model",-28} {"median ms/epoch",16} {"epochs",8}");
        Console.WriteLine($"{"generated (CtcDsl)",-28} {g,16:F2} {generatedTimes.Count,8}");
        Console.WriteLine($"{"hand-written TorchSharp",-28} {h,16:F2} {handTimes.Count,8}");
        Console.WriteLine($"ratio generated / hand-written: {g / h:F3}");
        return g;
    }
}
