using System;
using System.Linq;
using CtcDsl.Bench.Models;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 6's workload 2 utterances: 300–500 frames of 13 random features, 40–80 random labels; the
/// same for a given count in every run. Shared (as a linked file) by the benchmark and the GPU checks,
/// each of which generates its own <see cref="Workload2Example"/> from workload2.ctc.yaml.
/// </summary>
internal static class Workload2Data
{
    public static Workload2Example[] Utterances(int count)
    {
        var random = new Random(0);
        return Enumerable.Range(0, count).Select(i =>
        {
            var frames = random.Next(300, 501);
            var features = new float[frames, 13];
            for (var t = 0; t < frames; t++) for (var c = 0; c < 13; c++) features[t, c] = (float)(random.NextDouble() * 2 - 1);
            var labels = Enumerable.Range(0, random.Next(40, 81)).Select(_ => random.Next(0, 28)).ToArray();
            return new Workload2Example(features, labels, $"u{i}");
        }).ToArray();
    }
}
