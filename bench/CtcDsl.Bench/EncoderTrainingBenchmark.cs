using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using CtcDsl.Models;
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
/// Issue 24 item 5, until the spec kinds exist: a Conformer-CTC and the BiGRU of
/// <c>specs/bigru.ctc.yaml</c>, wired by hand from the runtime modules over the synthetic spec's
/// front-end (26 log-mel bands, global normalisation), each trained for the same wall time on the
/// built-in synthetic speech (600 sentences, seed 1) and scored by greedy CER on 100 held-out ones.
/// Both use the synthetic spec's example type, whose length check assumes its ×2 subsampling: the
/// Conformer's loss therefore has <c>zero_infinity</c> on, so an utterance that ×4 leaves too short
/// counts nothing rather than stopping the run (the BiGRU's too, for the same loss).
/// </summary>
internal static class EncoderTrainingBenchmark
{
    public static void Run(string[] args)
    {
        var minutes = args.Length > 0 && !args[0].Contains('=') ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var options = args.Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        double Option(string key, double fallback) => options.TryGetValue(key, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var factor = (int)Option("factor", 4);
        var channels = (long)Option("channels", 96);
        var rate = Option("lr", 1e-3);
        var warmup = (long)Option("warmup", 0);
        var kernel = (int)Option("kernel", 15);
        var blocks = (int)Option("blocks", 4);
        var dropout = Option("dropout", 0.1);
        var only = options.GetValueOrDefault("only");
        var training = new SyntheticSpeech(1).Utterances(600);
        var heldOut = new SyntheticSpeech(1_000_001).Utterances(100);
        Console.WriteLine($"{Environment.ProcessorCount} CPUs; {minutes} min × {Environment.ProcessorCount} CPUs of CPU time for training each; 600 synthetic sentences, 100 held out; batch 16.");
        Console.WriteLine($"{"model",-62} {"parameters",10} {"epochs",7} {"loss",7} {"held-out CER",13}");
        var candidates = new (string Name, Func<SyntheticEncoderModel> Create)[]
        {
            ("conformer", () => new ConformerSynthetic(factor, channels, rate, kernel, blocks, dropout)),
            ("bigru", () => new BiGruSynthetic()),
        };
        foreach (var (name, create) in candidates)
        {
            if (only is not null && only != name) continue;
            random.manual_seed(1);
            using var model = create();
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
            var history = model.Fit(trainExamples, null, new FitOptions
            {
                Epochs = 10_000, BatchSize = 16, Seed = 1, BucketByLength = true, ClipGradientNorm = 5.0,
                CancellationToken = budget.Token, Progress = null,
                Schedule = warmup > 0 && name == "conformer" ? new LearningRateSchedule.Warmup(warmup, new LearningRateSchedule.Constant()) : null,
            });
            var trained = clock.Elapsed;
            var report = model.Report(heldOutExamples);
            var epochs = history.Epochs.Count;
            var loss = epochs > 0 ? history.Epochs[^1].Loss : double.NaN;
            Console.WriteLine($"{model.Description,-62} {model.parameters().Sum(p => p.numel()),10:N0} {epochs,7} {loss,7:F2} {report.CharacterErrorRate,13:P1}   ({trained.TotalMinutes:F1} min wall, {(process.TotalProcessorTime - cpuAtStart).TotalMinutes:F1} min CPU; {history.StopReason})");
        }
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

    /// <summary>NeMo Conformer-CTC small's shape for a CPU: conv2d subsampling, d_model 96, 4 heads, kernel 15 by default.</summary>
    private sealed class ConformerSynthetic : SyntheticEncoderModel
    {
        private readonly Conv2dSubsampling subsampling;
        private readonly ConformerEncoder encoder;
        private readonly Linear logits = nn.Linear(96, SyntheticModel.ClassCount);
        private readonly int stages;

        public ConformerSynthetic(int factor, long channels, double learningRate, int kernel, int blocks, double dropout)
            : base(nameof(ConformerSynthetic), frames => Conv2dSubsampling.OutputLength(frames, System.Numerics.BitOperations.Log2((uint)factor)), learningRate)
        {
            stages = System.Numerics.BitOperations.Log2((uint)factor);
            subsampling = new(SyntheticModel.FeatureSize, 96, factor, channels);
            encoder = new(96, 96, heads: 4, blocks: blocks, feedForwardSize: 384, convolutionKernel: kernel,
                ConvolutionNorm.BatchNorm, dropout: dropout, attentionDropout: dropout, inputDropout: dropout);
            Description = $"Conformer-CTC (x{factor} conv2d c{channels}, d 96, 4 heads, {blocks} blocks, k {kernel}, lr {learningRate}, dropout {dropout})";
            RegisterComponents();
        }

        public override string Description { get; }

        public override Tensor OutputLengths(Tensor featureLengths) => Conv2dSubsampling.OutputLengths(featureLengths, stages);

        protected override Tensor Logits(Tensor features, Tensor featureLengths) =>
            logits.call(encoder.call(subsampling.call(features, featureLengths), OutputLengths(featureLengths)));
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
