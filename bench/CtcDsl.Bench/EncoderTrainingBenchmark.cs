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
        var minutes = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var training = new SyntheticSpeech(1).Utterances(600);
        var heldOut = new SyntheticSpeech(1_000_001).Utterances(100);
        Console.WriteLine($"{Environment.ProcessorCount} CPUs; {minutes} min of training each; 600 synthetic sentences, 100 held out; batch 16.");
        Console.WriteLine($"{"model",-62} {"parameters",10} {"epochs",7} {"loss",7} {"held-out CER",13}");
        foreach (var create in new Func<SyntheticEncoderModel>[] { () => new ConformerSynthetic(), () => new BiGruSynthetic() })
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
            Console.WriteLine($"{model.Description,-62} {model.parameters().Sum(p => p.numel()),10:N0} {epochs,7} {loss,7:F2} {report.CharacterErrorRate,13:P1}   ({trained.TotalMinutes:F1} min; {history.StopReason})");
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

    /// <summary>NeMo Conformer-CTC small's shape for a CPU: ×4 conv2d subsampling, d_model 96, 4 heads, 4 blocks, kernel 15; Adam 1e-3.</summary>
    private sealed class ConformerSynthetic : SyntheticEncoderModel
    {
        private readonly Conv2dSubsampling subsampling = new(SyntheticModel.FeatureSize, 96, factor: 4, channels: 96);
        private readonly ConformerEncoder encoder = new(96, 96, heads: 4, blocks: 4, feedForwardSize: 384, convolutionKernel: 15,
            ConvolutionNorm.BatchNorm, dropout: 0.1, attentionDropout: 0.1, inputDropout: 0.1);
        private readonly Linear logits = nn.Linear(96, SyntheticModel.ClassCount);

        public ConformerSynthetic() : base(nameof(ConformerSynthetic), frames => Conv2dSubsampling.OutputLength(frames, 2), 1e-3) => RegisterComponents();

        public override string Description => "Conformer-CTC (×4 conv2d, d 96, 4 heads, 4 blocks, k 15)";

        public override Tensor OutputLengths(Tensor featureLengths) => Conv2dSubsampling.OutputLengths(featureLengths, 2);

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
