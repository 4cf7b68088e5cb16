using System;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Prefix beam search throughput (issue 14): frames per second at widths 8 and 32 over issue 6's
/// workload 3 (8 utterances of 500 frames, 29 classes, logits randn·3), one utterance at a time on
/// one thread and a batch over all cores. No pruning: the search is exact for its beam.
/// </summary>
internal static class BeamBenchmark
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5;
        manual_seed(0);
        using var logits = randn(8, 500, 29) * 3;
        using var lengths = full(8, 500L);
        using var logProbs = nn.functional.log_softmax(logits, -1);
        var flat = logProbs.data<float>().ToArray();
        Console.WriteLine($"{Environment.ProcessorCount} cores; 8 × 500 frames × 29 classes; median of {rounds}");
        Console.WriteLine($"{"width",5} {"plain (before), 1 thread",26} {"fast, 1 thread",16} {"speed-up",9} {"fast, batch on all cores",26}");
        foreach (var width in new[] { 8, 32 })
        {
            var plain = new CtcDsl.Tests.Support.ReferencePrefixBeamSearch(28, beamWidth: width);
            var search = new PrefixBeamSearch(28, beamWidth: width);
            var before = Median(rounds, () =>
            {
                for (var b = 0; b < 8; b++) plain.Search(new ReadOnlySpan<float>(flat, b * 500 * 29, 500 * 29), 500, 29);
            });
            var single = Median(rounds, () =>
            {
                for (var b = 0; b < 8; b++) search.Search(new ReadOnlySpan<float>(flat, b * 500 * 29, 500 * 29), 500, 29);
            });
            var batch = Median(rounds, () => search.Decode(logits, lengths));
            Console.WriteLine($"{width,5} {4000 / before,20:F0} fr/s {4000 / single,11:F0} fr/s {before / single,8:F1}× {4000 / batch,20:F0} fr/s");
        }
    }

    private static double Median(int rounds, Action run)
    {
        run();
        var seconds = Enumerable.Range(0, rounds).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            run();
            return clock.Elapsed.TotalSeconds;
        }).OrderBy(s => s).ToArray();
        return seconds[rounds / 2];
    }
}
