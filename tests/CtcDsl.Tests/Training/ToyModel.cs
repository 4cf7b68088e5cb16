using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Training;

/// <summary>
/// A one-parameter model for trainer tests: loss (w − target)² per example, and NaN for an example
/// marked poisoned, so the trainer's control paths can be driven exactly.
/// </summary>
internal sealed class ToyModel : nn.Module, ICtcTrainable<ToyModel.Example, ToyModel.Batch>
{
    public sealed record Example(double Target, bool Poisoned = false);

    public sealed class Batch(IReadOnlyList<Example> examples) : IDisposable
    {
        public IReadOnlyList<Example> Examples { get; } = examples;

        public void Dispose()
        {
        }
    }

    private readonly TorchSharp.Modules.Parameter weight = new(zeros(1));

    public ToyModel(string tokens = "a") : base(nameof(ToyModel))
    {
        Vocabulary = new(tokens.Select(c => c.ToString()).ToArray(), tokens.Length);
        RegisterComponents();
    }

    public double Weight => weight.item<float>();

    public nn.Module Module => this;

    public string ModelName => nameof(ToyModel);

    public Vocabulary Vocabulary { get; }

    public IReadOnlyList<string> MetricNames { get; } = new[] { "distance" };

    public int FrameCount(Example example) => 1 + (int)(example.Target * 10) % 7;

    /// <summary>Every batch the trainer collated, in order.</summary>
    public List<IReadOnlyList<Example>> Collated { get; } = new();

    public Batch Collate(IReadOnlyList<Example> examples, bool training)
    {
        lock (Collated) Collated.Add(examples); // the trainer collates ahead on a worker
        return new(examples);
    }

    public TrainingOutput Evaluate(Batch batch)
    {
        var targets = tensor(batch.Examples.Select(e => (float)e.Target).ToArray());
        var loss = (weight - targets).pow(2).mean();
        if (batch.Examples.Any(e => e.Poisoned)) loss = loss * float.NaN;
        var distance = batch.Examples.Average(e => Math.Abs(Weight - e.Target));
        return new TrainingOutput(loss, new Dictionary<string, double> { ["distance"] = distance }, batch.Examples.Count);
    }
}
