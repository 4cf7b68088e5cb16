using System;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Prefix beam search throughput (issue 14): frames per second at widths 8 and 32 over issue 6's
/// workload 3 (8 utterances of 500 frames, 29 classes, logits randn·3), one utterance at a time on
/// one thread and a batch over all cores. No pruning: the search is exact for its beam. Then the fused
/// search (language model and lexicon) on the same logits and on peaky, trained-model-like ones.
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
        Fused(rounds, flat, logits, lengths, "randn·3 logits (flat: the search's worst case)");
        using var peaky = PeakyLogits();
        using var peakyLogProbs = nn.functional.log_softmax(peaky, -1);
        Fused(rounds, peakyLogProbs.data<float>().ToArray(), peaky, lengths, "peaky logits like a trained model's (3 frames in 4 blank-dominated)");
    }

    /// <summary>
    /// The fused search (LanguageModelBeamSearch) with nothing fused, then with a word trigram (Kneser-Ney
    /// over 2000 sentences of the synthetic word grammar) and that grammar's lexicon; the exact plain
    /// search beside it for reference.
    /// </summary>
    private static void Fused(int rounds, float[] flat, Tensor logits, Tensor lengths, string what)
    {
        var vocabulary = CtcDsl.Models.SyntheticModel.Vocabulary;
        var grammar = new CtcDsl.Runtime.Data.SyntheticSpeech(1);
        var lm = CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Build(CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Words(Enumerable.Range(0, 2000).Select(_ => grammar.GrammarSentence())), order: 3);
        var lexicon = new CtcDsl.Runtime.LanguageModels.Lexicon(CtcDsl.Runtime.Data.SyntheticSpeech.GrammarWords);
        Console.WriteLine($"\n{what}; frames/s, 1 thread / batch on all cores:");
        Console.WriteLine($"{"width",5} {"exact plain search",24} {"fused, nothing fused",24} {"fused, trigram + lexicon",26}");
        foreach (var width in new[] { 8, 32 })
        {
            var plain = new PrefixBeamSearch(28, beamWidth: width);
            var bare = new LanguageModelBeamSearch(vocabulary, options: new LanguageModelBeamSearchOptions { BeamWidth = width, Alpha = 0, Beta = 0 });
            var fused = new LanguageModelBeamSearch(vocabulary, lm, lexicon, new LanguageModelBeamSearchOptions { BeamWidth = width, Alpha = 0.8, Beta = 1 });
            string Rate(Func<int, object> one, ICtcDecoder decoder)
            {
                var single = Median(rounds, () => { for (var b = 0; b < 8; b++) one(b); });
                var batch = Median(rounds, () => decoder.Decode(logits, lengths));
                return $"{4000 / single,9:F0} / {4000 / batch,-9:F0}";
            }
            Console.WriteLine($"{width,5} {Rate(b => plain.Search(new ReadOnlySpan<float>(flat, b * 500 * 29, 500 * 29), 500, 29), plain),24} " +
                              $"{Rate(b => bare.Search(new ReadOnlySpan<float>(flat, b * 500 * 29, 500 * 29), 500, 29), bare),24} " +
                              $"{Rate(b => fused.Search(new ReadOnlySpan<float>(flat, b * 500 * 29, 500 * 29), 500, 29), fused),26}");
        }
    }

    /// <summary>Logits shaped like a trained CTC model's: most frames blank at high confidence, the rest one letter ahead of a few rivals.</summary>
    private static Tensor PeakyLogits()
    {
        var random = new Random(3);
        var values = new float[8 * 500 * 29];
        for (var f = 0; f < 8 * 500; f++)
        {
            for (var c = 0; c < 29; c++) values[f * 29 + c] = (float)(random.NextDouble() * 2);
            var peak = random.NextDouble() < 0.75 ? 28 : random.Next(28);
            values[f * 29 + peak] += 9;
            if (peak != 28) values[f * 29 + random.Next(28)] += 6; // a rival letter
        }
        return tensor(values, new long[] { 8, 500, 29 });
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
