using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using TorchSharp;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>
/// <c>--synthetic --grammar</c>: the synthetic model trained on sentences of the built-in word grammar,
/// then its held-out sentences decoded four ways — greedy, beam search, beam search with a trigram
/// Kneser–Ney model built from the training transcripts only (α and β tuned on a validation half of
/// the held-out sentences, scored on the other half), and the same with the training words as the
/// lexicon. <c>--lm</c> / <c>--lexicon</c> use given files instead of building them.
/// </summary>
public static class DecodingComparison
{
    public static int Run(SampleArguments arguments, torch.Device device)
    {
        var clock = Stopwatch.StartNew();
        torch.random.manual_seed(arguments.Seed);
        using var model = new SyntheticModel(device);
        var training = new SyntheticSpeech(arguments.Seed).GrammarUtterances(400);
        var heldOut = new SyntheticSpeech(arguments.Seed + 1_000_000).GrammarUtterances(200);
        model.FitStatistics(training.Select(u => u.Audio));
        var trainExamples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToArray();
        var heldOutExamples = heldOut.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToArray();
        model.Fit(trainExamples, heldOutExamples[..50], SyntheticModel.DefaultFitOptions with { Epochs = arguments.SyntheticEpochs, Seed = arguments.Seed, BucketByLength = true });

        // The network runs once; every decoder reads the same log-probabilities.
        var items = heldOutExamples.Select((e, i) => new DecodingItem(model.LogProbabilities(e.Features), heldOut[i].Transcript)).ToArray();
        var (validation, test) = (items[..100], items[100..]);
        var vocabulary = SyntheticModel.Vocabulary;
        var lm = arguments.LanguageModel is { } lmPath ? NgramLanguageModel.Load(lmPath)
            : KneserNeyBuilder.Build(KneserNeyBuilder.Words(training.Select(u => u.Transcript)), order: 3);
        var lexicon = arguments.Lexicon is { } lexiconPath ? Lexicon.Load(lexiconPath)
            : new Lexicon(training.SelectMany(u => u.Transcript.Split(' ')));
        Console.WriteLine($"Language model: order {lm.Order}, {string.Join("/", lm.Counts)} n-grams{(arguments.LanguageModel is null ? " (Kneser-Ney, training transcripts only)" : "")}; lexicon: {lexicon.Count} words.");

        var alphas = new[] { 0.0, 0.25, 0.5, 1.0, 1.5, 2.0 };
        var betas = new[] { -1.0, 0.0, 1.0, 2.0, 3.0 };
        var tuned = LanguageModelTuning.Grid(validation, vocabulary, lm, null, alphas, betas);
        Console.Write("Tuning on the validation half (beam 16, word trigram):\n" + LanguageModelTuning.Table(tuned));
        var tunedLexicon = LanguageModelTuning.Grid(validation, vocabulary, lm, lexicon, alphas, betas);
        var (alpha, beta) = (tuned[0].Alpha, tuned[0].Beta);
        var (alphaL, betaL) = (tunedLexicon[0].Alpha, tunedLexicon[0].Beta);

        // Greedy: the best class of every frame, repeats merged, blanks dropped (Decode drops them).
        Func<DecodingItem, string> greedy = item =>
        {
            var frames = item.LogProbs.Length / vocabulary.ClassCount;
            var path = Enumerable.Range(0, frames).Select(t => Enumerable.Range(0, vocabulary.ClassCount).MaxBy(c => item.LogProbs[t * vocabulary.ClassCount + c])).ToArray();
            return vocabulary.Decode(path.Where((c, t) => t == 0 || c != path[t - 1]).ToArray());
        };
        var rows = new (string Name, Func<DecodingItem, string> Decode)[]
        {
            ("greedy", greedy),
            ("beam 16", LanguageModelTuning.With(new LanguageModelBeamSearch(vocabulary, options: new LanguageModelBeamSearchOptions { Alpha = 0, Beta = 0 }), vocabulary)),
            (string.Create(CultureInfo.InvariantCulture, $"beam 16 + trigram LM (α={alpha:0.##}, β={beta:0.##})"), LanguageModelTuning.With(new LanguageModelBeamSearch(vocabulary, lm, options: new LanguageModelBeamSearchOptions { Alpha = alpha, Beta = beta }), vocabulary)),
            (string.Create(CultureInfo.InvariantCulture, $"beam 16 + trigram LM + lexicon (α={alphaL:0.##}, β={betaL:0.##})"), LanguageModelTuning.With(new LanguageModelBeamSearch(vocabulary, lm, lexicon, new LanguageModelBeamSearchOptions { Alpha = alphaL, Beta = betaL }), vocabulary)),
        };
        Console.WriteLine($"\nHeld-out test half ({test.Length} sentences never trained or tuned on):");
        Console.WriteLine("| decoding | WER | CER |\n|---|---|---|");
        foreach (var (name, decode) in rows)
        {
            var (wer, cer) = LanguageModelTuning.Score(test, vocabulary, decode);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {wer:P1} | {cer:P1} |"));
        }
        Console.WriteLine($"({clock.Elapsed.TotalSeconds:F0} s)");
        return 0;
    }
}
