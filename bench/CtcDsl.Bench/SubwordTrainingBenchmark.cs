using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 24 item 4/5: the generated models of <c>specs/conformer-ctc.ctc.yaml</c> (characters) and
/// <c>specs/conformer-ctc-bpe.ctc.yaml</c> (64 BPE pieces trained from the training transcripts), each
/// trained for the same wall time on the built-in synthetic speech's grammar sentences (600, seed 1)
/// and scored by greedy CER of the decoded text on 100 held-out ones (seed 1 000 001). The spec's
/// warm-up-free defaults, with the run's epochs bounded by time.
/// </summary>
internal static class SubwordTrainingBenchmark
{
    public static void Run(string[] args)
    {
        var minutes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var training = new SyntheticSpeech(1).GrammarUtterances(600);
        var heldOut = new SyntheticSpeech(1_000_001).GrammarUtterances(100);
        var pieces = ConformerCtcBpeModel.Subwords.Train(training.Select(u => u.Transcript));
        var again = CtcDsl.Runtime.Text.BpeTrainer.Train(training.Select(u => u.Transcript).Reverse(), 64);
        var characters = training.Sum(u => u.Transcript.Length);
        var tokens = training.Sum(u => ConformerCtcBpeModel.Vocabulary.Encode(u.Transcript).Length);
        Console.WriteLine($"{Environment.ProcessorCount} CPUs; {minutes} min of training each; 600 synthetic grammar sentences, 100 held out; batch 16.");
        Console.WriteLine($"BPE: {pieces.Pieces.Count} pieces (sha256 {pieces.Fingerprint[..12]}; retrained on the reversed transcripts: {(again.Fingerprint == pieces.Fingerprint ? "identical" : "DIFFERENT")}); " +
                          $"training labels: {characters} characters vs {tokens} pieces ({(double)tokens / characters:P0}).");
        Console.WriteLine($"{"spec",-28} {"classes",8} {"parameters",10} {"epochs",7} {"loss",7} {"held-out CER",13}");
        Report("conformer-ctc", () => new ConformerCtcModel(CPU), ConformerCtcModel.ClassCount, minutes, training, heldOut);
        Report("conformer-ctc-bpe", () => new ConformerCtcBpeModel(CPU), ConformerCtcBpeModel.ClassCount, minutes, training, heldOut);
    }

    private static void Report<TExample, TBatch>(string spec, Func<CtcAudioModel<TExample, TBatch>> create, int classes, double minutes,
        System.Collections.Generic.IReadOnlyList<(CtcDsl.Runtime.Audio.MonoAudio Audio, string Transcript)> training,
        System.Collections.Generic.IReadOnlyList<(CtcDsl.Runtime.Audio.MonoAudio Audio, string Transcript)> heldOut)
        where TExample : CtcExample where TBatch : CtcBatch
    {
        random.manual_seed(1);
        using var model = create();
        model.FitStatistics(training.Select(u => u.Audio));
        var trainExamples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToArray();
        var heldOutExamples = heldOut.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToArray();
        using var budget = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var clock = Stopwatch.StartNew();
        var history = model.Fit(trainExamples, null, new FitOptions
        {
            Epochs = 10_000, BatchSize = 16, Seed = 1, BucketByLength = true, ClipGradientNorm = 5.0,
            CancellationToken = budget.Token, Progress = null,
        });
        var trained = clock.Elapsed;
        var report = model.Report(heldOutExamples);
        var epochs = history.Epochs.Count;
        var loss = epochs > 0 ? history.Epochs[^1].Loss : double.NaN;
        Console.WriteLine($"{spec,-28} {classes,8} {model.parameters().Sum(p => p.numel()),10:N0} {epochs,7} {loss,7:F2} {report.CharacterErrorRate,13:P1}   ({trained.TotalMinutes:F1} min; {history.StopReason})");
    }
}
