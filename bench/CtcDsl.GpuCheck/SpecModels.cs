using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Bench.Models;
using CtcDsl.Models;
using CtcDsl.Models.Speech;
using CtcDsl.Runtime.Training;
using static TorchSharp.torch;

namespace CtcDsl.GpuCheck;

/// <summary>One generated model, handled without knowing its type: what the checks need of every example spec.</summary>
internal abstract class SpecModel
{
    public abstract string Name { get; }
    public abstract int FeatureSize { get; }

    /// <summary>Frames an utterance needs so that every spec's labels fit (DeepSpeech2 halves time and asks for 100).</summary>
    public const int Frames = 120;

    /// <summary>A model on <paramref name="device"/>, seeded.</summary>
    public abstract nn.Module<Tensor, Tensor, Tensor> Create(Device device, int seed);

    /// <summary>Trains on random utterances (same every call) and returns the history.</summary>
    public abstract TrainingHistory Fit(nn.Module<Tensor, Tensor, Tensor> model, int count, FitOptions options);

    /// <summary>One optimiser step on a batch of random utterances, inside <paramref name="during"/>'s dispose scope; returns the loss.</summary>
    public abstract float Step(nn.Module<Tensor, Tensor, Tensor> model, optim.Optimizer optimizer, int count, Func<IDisposable> during);

    public abstract optim.Optimizer Optimizer(nn.Module<Tensor, Tensor, Tensor> model);

    public static IReadOnlyList<SpecModel> All { get; } = new SpecModel[]
    {
        new Of<Ldc93s1Model, Ldc93s1Example, Ldc93s1Batch>("ldc93s1", Ldc93s1Model.FeatureSize, Ldc93s1Model.ClassCount, Ldc93s1Model.BlankIndex,
            d => new Ldc93s1Model(d), (f, l) => new Ldc93s1Example(f, l), Ldc93s1Batch.Collate),
        new Of<SyntheticModel, SyntheticExample, SyntheticBatch>("synthetic", SyntheticModel.FeatureSize, SyntheticModel.ClassCount, SyntheticModel.BlankIndex,
            d => new SyntheticModel(d), (f, l) => new SyntheticExample(f, l), SyntheticBatch.Collate),
        new Of<StreamingModel, StreamingExample, StreamingBatch>("streaming", StreamingModel.FeatureSize, StreamingModel.ClassCount, StreamingModel.BlankIndex,
            d => new StreamingModel(d), (f, l) => new StreamingExample(f, l), StreamingBatch.Collate),
        new Of<BeamWerModel, BeamWerExample, BeamWerBatch>("beam-wer", BeamWerModel.FeatureSize, BeamWerModel.ClassCount, BeamWerModel.BlankIndex,
            d => new BeamWerModel(d), (f, l) => new BeamWerExample(f, l), BeamWerBatch.Collate),
        new Of<BiGruModel, BiGruExample, BiGruBatch>("bigru", BiGruModel.FeatureSize, BiGruModel.ClassCount, BiGruModel.BlankIndex,
            d => new BiGruModel(d), (f, l) => new BiGruExample(f, l), BiGruBatch.Collate),
        new Of<DeepSpeech2Model, DeepSpeech2Example, DeepSpeech2Batch>("deepspeech2", DeepSpeech2Model.FeatureSize, DeepSpeech2Model.ClassCount, DeepSpeech2Model.BlankIndex,
            d => new DeepSpeech2Model(d), (f, l) => new DeepSpeech2Example(f, l), (e, d) => DeepSpeech2Batch.Collate(e, d)),
        new Of<InterCtcModel, InterCtcExample, InterCtcBatch>("interctc", InterCtcModel.FeatureSize, InterCtcModel.ClassCount, InterCtcModel.BlankIndex,
            d => new InterCtcModel(d), (f, l) => new InterCtcExample(f, l), InterCtcBatch.Collate),
        new Of<Workload2Model, Workload2Example, Workload2Batch>("workload2", Workload2Model.FeatureSize, Workload2Model.ClassCount, Workload2Model.BlankIndex,
            d => new Workload2Model(d), (f, l) => new Workload2Example(f, l), Workload2Batch.Collate),
    };

    private sealed class Of<TModel, TExample, TBatch>(
        string name, int featureSize, int classes, int blank,
        Func<Device, TModel> create, Func<float[,], int[], TExample> example, Func<IReadOnlyList<TExample>, Device, TBatch> collate) : SpecModel
        where TModel : CtcModel<TExample, TBatch>
        where TExample : ICtcExample
        where TBatch : IDisposable
    {
        public override string Name => name;
        public override int FeatureSize => featureSize;

        public override nn.Module<Tensor, Tensor, Tensor> Create(Device device, int seed)
        {
            random.manual_seed(seed);
            return create(device);
        }

        public override optim.Optimizer Optimizer(nn.Module<Tensor, Tensor, Tensor> model) => ((TModel)model).CreateOptimizer();

        public override TrainingHistory Fit(nn.Module<Tensor, Tensor, Tensor> model, int count, FitOptions options)
        {
            return ((TModel)model).Fit(Examples(count), null, options with { Progress = null });
        }

        public override float Step(nn.Module<Tensor, Tensor, Tensor> model, optim.Optimizer optimizer, int count, Func<IDisposable> during)
        {
            var typed = (TModel)model;
            typed.train();
            using var batch = collate(Examples(count), typed.Device);
            using var scope = during();
            optimizer.zero_grad();
            using var output = typed.Evaluate(batch);
            var loss = output.Loss.item<float>();
            output.Loss.backward();
            optimizer.step();
            return loss;
        }

        /// <summary>Random utterances of <see cref="Frames"/> frames with 8 random non-blank labels each; the same for every call.</summary>
        private IReadOnlyList<TExample> Examples(int count)
        {
            var random = new Random(12);
            var labelIds = Enumerable.Range(0, classes).Where(c => c != blank).ToArray();
            return Enumerable.Range(0, count).Select(i =>
            {
                var frames = Frames - 3 * i % 20;
                var features = new float[frames, featureSize];
                for (var t = 0; t < frames; t++) for (var c = 0; c < featureSize; c++) features[t, c] = (float)(random.NextDouble() * 2 - 1);
                var labels = Enumerable.Range(0, 8).Select(_ => labelIds[random.Next(labelIds.Length)]).ToArray();
                return example(features, labels);
            }).ToArray();
        }
    }
}
