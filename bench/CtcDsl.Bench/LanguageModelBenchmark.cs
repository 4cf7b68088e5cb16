using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.LanguageModels;

namespace CtcDsl.Bench;

/// <summary>
/// The ARPA reader at a realistic size: a trigram Kneser-Ney model of Zipf-distributed text over a
/// 50,000-word vocabulary, about a million n-grams, written as ARPA, then loaded (time, managed
/// memory held by the model) and queried (word scores per second on one thread, as a decoder asks).
/// </summary>
internal static class LanguageModelBenchmark
{
    public static void Run(string[] args)
    {
        var sentences = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 120_000;
        var random = new Random(11);
        var vocabulary = Enumerable.Range(0, 50_000).Select(i => $"w{i}").ToArray();
        // Zipf's law by inverse transform over ranks (exponent about 1).
        string Word() => vocabulary[Math.Min(vocabulary.Length - 1, (int)Math.Exp(random.NextDouble() * Math.Log(vocabulary.Length)) - 1)];
        var text = Enumerable.Range(0, sentences).Select(_ => (System.Collections.Generic.IReadOnlyList<string>)Enumerable.Range(0, 5 + random.Next(15)).Select(_ => Word()).ToArray()).ToList();
        var path = Path.Combine(Path.GetTempPath(), "ctcdsl-bench-lm.arpa");
        var clock = Stopwatch.StartNew();
        KneserNeyBuilder.Write(path, text, order: 3);
        Console.WriteLine($"Built a trigram Kneser-Ney model of {sentences} sentences in {clock.Elapsed.TotalSeconds:F1} s: {new FileInfo(path).Length / 1e6:F0} MB of ARPA.");

        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        clock.Restart();
        var lm = NgramLanguageModel.Load(path);
        var load = clock.Elapsed.TotalSeconds;
        var held = GC.GetTotalMemory(forceFullCollection: true) - before;
        var grams = lm.Counts.Sum();
        Console.WriteLine($"Loaded {string.Join(" + ", lm.Counts)} = {grams:N0} n-grams in {load:F1} s; the model holds {held / 1e6:F0} MB ({(double)held / grams:F0} bytes per n-gram).");

        var queries = text.Take(20_000).SelectMany(s => s.Select(lm.Id).Append(lm.End)).ToArray();
        clock.Restart();
        var total = 0.0;
        for (var round = 0; round < 3; round++)
        {
            var state = lm.BeginSentence();
            foreach (var word in queries)
            {
                total += lm.Score(state, word, out state);
                if (word == lm.End) state = lm.BeginSentence();
            }
        }
        var rate = 3 * queries.Length / clock.Elapsed.TotalSeconds;
        Console.WriteLine($"Scored {3 * queries.Length:N0} words (seen sentences, states carried) at {rate:N0} words/s on one thread (checksum {total:F0}).");
        GC.KeepAlive(lm);
        File.Delete(path);
    }
}
