using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 6's workload 2, a first measurement: batch 32 of random [T, 13] features, T uniform in
/// 300–500, labels of 40–80 over 28 tokens + blank, 3-layer bidirectional LSTM(256) → dense → CTC,
/// Adam 1e-3; median ms per training step. Two TorchSharp variants: the runtime's exact
/// <see cref="BidirectionalRnn"/> (what generated models use) and TorchSharp's fused bidirectional
/// <c>nn.LSTM</c> on the padded batch (inexact for the backward direction; a speed reference).
/// PyTorch's time comes from <c>bench/CtcDsl.Bench/workload2.py</c>.
/// </summary>
internal static class Workload2Benchmark
{
    public static void Run(string[] args)
    {
        var steps = args.Length > 0 ? int.Parse(args[0]) : 5;
        manual_seed(0);
        var random = new Random(0);
        var lengths = Enumerable.Range(0, 32).Select(_ => (long)random.Next(300, 501)).ToArray();
        var labelLengths = Enumerable.Range(0, 32).Select(_ => (long)random.Next(40, 81)).ToArray();
        using var features = randn(32, lengths.Max(), 13);
        using var featureLengths = tensor(lengths);
        using var labels = randint(0, 28, new long[] { 32, labelLengths.Max() });
        using var labelLengthTensor = tensor(labelLengths);
        var frames = lengths.Sum();
        Console.WriteLine($"Workload 2: batch 32, {frames} real frames, torch threads {get_num_threads()}.");

        Measure("runtime BidirectionalRnn (exact, generated models)", steps, frames, () =>
        {
            var rnn = new BidirectionalRnn(RnnKind.Lstm, 13, 256, layers: 3);
            var dense = nn.Linear(512, 29);
            return (new nn.Module[] { rnn, dense }, x => dense.call(rnn.call(x, featureLengths)));
        }, features, featureLengths, labels, labelLengthTensor);

        Measure("TorchSharp nn.LSTM bidirectional (padded, inexact)", steps, frames, () =>
        {
            var rnn = nn.LSTM(13, 256, numLayers: 3, batchFirst: true, bidirectional: true);
            var dense = nn.Linear(512, 29);
            return (new nn.Module[] { rnn, dense }, x => dense.call(rnn.call(x).Item1));
        }, features, featureLengths, labels, labelLengthTensor);
    }

    private static void Measure(string name, int steps, long frames, Func<(nn.Module[] Modules, Func<Tensor, Tensor> Forward)> build,
        Tensor features, Tensor lengths, Tensor labels, Tensor labelLengths)
    {
        var (modules, forward) = build();
        var parameters = modules.SelectMany(m => m.parameters()).ToArray();
        using var adam = optim.Adam(parameters, 1e-3);
        var ctc = new CtcLoss(28);
        var times = new List<double>();
        for (var s = 0; s <= steps; s++) // the first step is warm-up
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                adam.zero_grad();
                var loss = ctc.Forward(forward(features), lengths, labels, labelLengths);
                loss.backward();
                adam.step();
            }
            if (s > 0) times.Add(clock.Elapsed.TotalMilliseconds);
        }
        var median = times.OrderBy(t => t).ElementAt(times.Count / 2);
        Console.WriteLine($"{name,-52} {median,9:F0} ms/step {32000 / median,7:F1} utt/s");
        foreach (var module in modules) module.Dispose();
    }
}
