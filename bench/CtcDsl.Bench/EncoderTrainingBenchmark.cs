using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Nn;
using CtcDsl.Runtime.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 24 item 5: the generated models of <c>specs/conformer-ctc.ctc.yaml</c> and (on grammar sentences)
/// <c>specs/conformer-ctc-bpe.ctc.yaml</c>, each with its spec's own training settings, against the BiGRU
/// of <c>specs/bigru.ctc.yaml</c> (wired from the runtime modules over the same front-end, since that spec
/// reads precomputed features), each trained on the built-in synthetic speech (600 sentences, seed 1) for
/// the same CPU time and scored by greedy CER and WER of the decoded text on 100 held-out ones.
/// Options: <c>data=grammar|random</c> (default grammar), <c>only=conformer|bpe|bigru</c>.
/// </summary>
internal static class EncoderTrainingBenchmark
{
    public static void Run(string[] args)
    {
        var minutes = args.Length > 0 && !args[0].Contains('=') ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
        var only = options.GetValueOrDefault("only");
        // grammar: sentences of real words (what demo-data writes; subword pieces have words to find);
        // random: random letter strings, where nothing but the acoustics helps.
        var grammar = options.GetValueOrDefault("data", "grammar") == "grammar";
        var training = grammar ? new SyntheticSpeech(1).GrammarUtterances(600) : new SyntheticSpeech(1).Utterances(600);
        var heldOut = grammar ? new SyntheticSpeech(1_000_001).GrammarUtterances(100) : new SyntheticSpeech(1_000_001).Utterances(100);
        Console.WriteLine($"{Environment.ProcessorCount} CPUs; {minutes} min × {Environment.ProcessorCount} CPUs of CPU time for training each; " +
                          $"600 synthetic {(grammar ? "grammar sentences" : "random-word sentences")}, 100 held out; greedy CER of the decoded text.");
        Console.WriteLine($"{"model",-62} {"parameters",10} {"epochs",7} {"loss",7} {"held-out CER",13} {"WER",8}");
        if (only is null or "conformer")
        {
            random.manual_seed(1);
            using var conformer = new ConformerCtcModel(CPU);
            Train(conformer, ConformerCtcModel.DefaultFitOptions, "specs/conformer-ctc.ctc.yaml (its own training settings)", training, heldOut, minutes);
        }
        if (grammar && only is null or "bpe")
        {
            var pieces = ConformerCtcBpeModel.Subwords.Train(training.Select(u => u.Transcript));
            random.manual_seed(1);
            using var bpe = new ConformerCtcBpeModel(CPU);
            Train(bpe, ConformerCtcBpeModel.DefaultFitOptions, $"specs/conformer-ctc-bpe.ctc.yaml ({pieces.Pieces.Count} BPE pieces)", training, heldOut, minutes);
        }
        if (only is null or "bigru")
        {
            random.manual_seed(1);
            using var bigru = new BiGruSynthetic();
            Train(bigru, new FitOptions { Epochs = 10_000, BatchSize = 16, ClipGradientNorm = 5.0 }, bigru.Description, training, heldOut, minutes);
        }
    }

    /// <summary>
    /// Trains <paramref name="model"/> with <paramref name="defaults"/> until it has used <paramref name="minutes"/>
    /// × the cores of CPU time, then prints its greedy CER on the held-out sentences.
    /// </summary>
    private static void Train<TExample, TBatch>(CtcAudioModel<TExample, TBatch> model, FitOptions defaults, string description,
        IReadOnlyList<(MonoAudio Audio, string Transcript)> training, IReadOnlyList<(MonoAudio Audio, string Transcript)> heldOut, double minutes)
        where TExample : ICtcExample
        where TBatch : IDisposable
    {
        model.FitStatistics(training.Select(u => u.Audio));
        var trainExamples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToArray();
        var heldOutExamples = heldOut.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToArray();
        // The budget is CPU time, minutes × the cores: on a machine shared with other jobs, wall time
        // would favour whichever model ran while the others were idle.
        using var budget = new CancellationTokenSource();
        var process = Process.GetCurrentProcess();
        var cpuAtStart = process.TotalProcessorTime;
        var cpuBudget = TimeSpan.FromMinutes(minutes * Environment.ProcessorCount);
        using var watch = new Timer(_ =>
        {
            process.Refresh();
            if (process.TotalProcessorTime - cpuAtStart >= cpuBudget) budget.Cancel();
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        // Epochs stay the spec's (its schedule is laid out over them): the run ends at them or at the budget, whichever comes first.
        var history = model.Fit(trainExamples, null, defaults with
        {
            Seed = 1, BucketByLength = true, CancellationToken = budget.Token, Progress = null,
        });
        var trained = clock.Elapsed;
        var report = model.Report(heldOutExamples);
        var epochs = history.Epochs.Count;
        var loss = epochs > 0 ? history.Epochs[^1].Loss : double.NaN;
        Console.WriteLine($"{description,-62} {model.parameters().Sum(p => p.numel()),10:N0} {epochs,7} {loss,7:F2} {report.CharacterErrorRate,13:P2} {report.WordErrorRate,8:P2}   " +
            $"({trained.TotalMinutes:F1} min wall, {(process.TotalProcessorTime - cpuAtStart).TotalMinutes:F1} min CPU; {history.StopReason ?? $"all {epochs} epochs of its spec"})");
    }

    /// <summary>What both models share: the synthetic spec's front-end, vocabulary and examples; CTC with greedy CER.</summary>
    private abstract class SyntheticEncoderModel : CtcAudioModel<SyntheticExample, SyntheticBatch>
    {
        private readonly CtcLoss ctc = new(SyntheticModel.BlankIndex, CtcReduction.Mean, zeroInfinity: true);
        private readonly double learningRate;

        protected SyntheticEncoderModel(string name, Func<int, int> outputFrames, double learningRate)
            : base(new ExampleShape(name, SyntheticModel.FeatureSize, SyntheticModel.Vocabulary, outputFrames), SyntheticModel.FrontEndSettings,
                SyntheticModel.Transcripts, SyntheticModel.DefaultFitOptions, new[] { "cer" }, new GreedyCtcDecoder(SyntheticModel.BlankIndex), CPU) =>
            this.learningRate = learningRate;

        public abstract string Description { get; }

        protected abstract Tensor Logits(Tensor features, Tensor featureLengths);

        public override Tensor forward(Tensor features, Tensor featureLengths) => Logits(features, featureLengths);

        public override TrainingOutput Evaluate(SyntheticBatch batch)
        {
            var logits = Logits(batch.Features, batch.FeatureLengths);
            var lengths = OutputLengths(batch.FeatureLengths);
            var loss = ctc.Forward(logits, lengths, batch.Labels, batch.LabelLengths);
            var greedy = GreedyDecoder.Decode(logits, lengths, SyntheticModel.BlankIndex);
            var metrics = new Dictionary<string, double> { ["cer"] = ErrorRate.Compute(greedy, batch.LabelIds, ErrorAggregation.Corpus) };
            return new TrainingOutput(loss, metrics, batch.Size);
        }

        public override optim.Optimizer CreateOptimizer() => optim.Adam(parameters(), lr: learningRate);

        protected override SyntheticExample CreateExample(Func<float[,]> loadFeatures, int[] labels, string? name) => new(loadFeatures, labels, name);

        protected override SyntheticBatch CollateForTraining(IReadOnlyList<SyntheticExample> examples, bool training) => SyntheticBatch.Collate(examples, Device);
    }

    /// <summary><c>specs/bigru.ctc.yaml</c>'s layers: 2 × bidirectional GRU(96), dropout 0.1; Adam 2e-3 (without its exponential decay).</summary>
    private sealed class BiGruSynthetic : SyntheticEncoderModel
    {
        private readonly BidirectionalRnn encoder = new(RnnKind.Gru, SyntheticModel.FeatureSize, 96, layers: 2, dropout: 0.1);
        private readonly Linear logits = nn.Linear(192, SyntheticModel.ClassCount);

        public BiGruSynthetic() : base(nameof(BiGruSynthetic), frames => frames, 2e-3) => RegisterComponents();

        public override string Description => "BiGRU (2 × bidirectional GRU(96), specs/bigru.ctc.yaml)";

        public override Tensor OutputLengths(Tensor featureLengths) => featureLengths.alias();

        protected override Tensor Logits(Tensor features, Tensor featureLengths) => logits.call(encoder.call(features, featureLengths));
    }
}
