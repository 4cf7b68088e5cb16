using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>The training loop generated models delegate to (Keras <c>fit</c> semantics).</summary>
public static class CtcTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> with <paramref name="optimizer"/>. Per epoch: shuffle, one step per
    /// batch, then evaluate the validation data (if any) without gradients. The reported training loss
    /// and metrics are example-weighted means of the values computed before each step's update.
    /// </summary>
    /// <exception cref="NonFiniteLossException">A batch's loss was NaN or infinite; no step was taken with it.</exception>
    public static TrainingHistory Fit<TExample, TBatch>(
        ICtcTrainable<TExample, TBatch> model,
        optim.Optimizer optimizer,
        IReadOnlyList<TExample> training,
        IReadOnlyList<TExample>? validation,
        FitOptions options)
        where TBatch : IDisposable
    {
        if (training.Count == 0) throw new ArgumentException("The training set is empty.", nameof(training));
        if (options.Epochs < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, "Epochs must be at least 1.");
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "The batch size must be at least 1.");

        var history = new TrainingHistory();
        var order = Enumerable.Range(0, training.Count).ToArray();
        var shuffler = new Random(options.Seed);
        var parameters = model.Module.parameters().ToArray();
        var progress = options.Log is null ? null : new KerasProgress(options.Log, options.Epochs);
        var groups = optimizer.ParamGroups.ToArray();
        var baseRates = groups.Select(g => g.InitialLearningRate).ToArray();
        long step = 0;

        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            if (options.CancellationToken.IsCancellationRequested)
            {
                history.Stopped = true;
                break;
            }
            var clock = Stopwatch.StartNew();
            if (options.Shuffle) shuffler.Shuffle(order);

            model.Module.train();
            var totals = new MetricTotals();
            var steps = 0;
            for (var start = 0; start < order.Length; start += options.BatchSize)
            {
                var items = order[start..Math.Min(start + options.BatchSize, order.Length)];
                using var scope = NewDisposeScope();
                using var batch = model.Collate(items.Select(i => training[i]).ToArray());
                if (options.Schedule is { } schedule)
                    for (var g = 0; g < groups.Length; g++) groups[g].LearningRate = schedule.Rate(baseRates[g], epoch - 1, step);
                optimizer.zero_grad();
                using var output = model.Evaluate(batch);
                var loss = output.Loss.item<float>();
                if (!float.IsFinite(loss)) throw new NonFiniteLossException(epoch, items, loss);
                output.Loss.backward();
                if (options.ClipGradientNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
                optimizer.step();
                step++;
                totals.Add(loss, output);
                steps++;
            }

            var values = totals.Means(model.MetricNames, prefix: "");
            if (validation is { Count: > 0 })
                values.AddRange(Evaluate(model, validation, options.BatchSize).Select(v => new KeyValuePair<string, double>("val_" + v.Key, v.Value)));
            var result = new EpochResult(epoch, values, clock.Elapsed);
            history.Add(result);
            progress?.Report(result, training.Count, steps);
        }
        return history;
    }

    /// <summary>Loss and metrics of <paramref name="examples"/> in evaluation mode, without gradients.</summary>
    public static List<KeyValuePair<string, double>> Evaluate<TExample, TBatch>(
        ICtcTrainable<TExample, TBatch> model, IReadOnlyList<TExample> examples, int batchSize)
        where TBatch : IDisposable
    {
        if (examples.Count == 0) throw new ArgumentException("Nothing to evaluate.", nameof(examples));
        var wasTraining = model.Module.training;
        model.Module.eval();
        try
        {
            using var _ = no_grad();
            var totals = new MetricTotals();
            for (var start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var slice = new List<TExample>();
                for (var i = start; i < Math.Min(start + batchSize, examples.Count); i++) slice.Add(examples[i]);
                using var batch = model.Collate(slice);
                using var output = model.Evaluate(batch);
                totals.Add(output.Loss.item<float>(), output);
            }
            return totals.Means(model.MetricNames, prefix: "");
        }
        finally
        {
            model.Module.train(wasTraining);
        }
    }

    /// <summary>Example-weighted running sums of the loss and metrics.</summary>
    private sealed class MetricTotals
    {
        private readonly Dictionary<string, double> sums = new();
        private int examples;

        public void Add(double loss, TrainingOutput output)
        {
            Accumulate("loss", loss * output.BatchSize);
            foreach (var (name, value) in output.Metrics) Accumulate(name, value * output.BatchSize);
            examples += output.BatchSize;
        }

        public List<KeyValuePair<string, double>> Means(IReadOnlyList<string> metricNames, string prefix)
        {
            var means = new List<KeyValuePair<string, double>> { new(prefix + "loss", sums["loss"] / examples) };
            foreach (var name in metricNames) means.Add(new(prefix + name, sums[name] / examples));
            return means;
        }

        private void Accumulate(string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;
    }
}
