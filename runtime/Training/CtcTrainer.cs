using System;
using System.Collections.Generic;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>The training loop generated models delegate to (Keras <c>fit</c> semantics, plus checkpoints and exact resume).</summary>
public static class CtcTrainer
{
    /// <summary>
    /// Trains <paramref name="model"/> with <paramref name="optimizer"/>. Per epoch: a seeded order,
    /// one step per batch, then the validation data (if any) without gradients. The reported training
    /// loss and metrics are example-weighted means of the values computed before each step's update.
    /// With <see cref="FitOptions.Checkpoints"/> every epoch ends with <c>last.ckpt</c> (and
    /// <c>best.ckpt</c> when the monitored value improves) and the history files; with
    /// <see cref="FitOptions.ResumeFrom"/> training continues from a checkpoint exactly as if it had
    /// not stopped.
    /// </summary>
    /// <exception cref="NonFiniteLossException">A batch's loss was NaN or infinite under <see cref="NonFiniteLossPolicy.Stop"/>; no step was taken with it.</exception>
    /// <exception cref="CheckpointException">The checkpoint to resume from is unreadable or of another model.</exception>
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
        if (options.Threads is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Threads, "Threads must be at least 1.");
        TorchThreads.Configure(options.Threads);
        if (options.Threads is null) TorchThreads.PlanForTraining(model.Module, options.BatchSize);

        CheckExamples(model, training, "training", options.CancellationToken);
        if (validation is not null) CheckExamples(model, validation, "validation", options.CancellationToken);
        WarmupCheck.EnsureFits(options.Schedule, options.Epochs, StepsPerEpoch(model, training, options));

        // This run is the only writer of its checkpoint folder: temporaries there are a killed run's.
        if (options.Checkpoints is { } checkpoints) StaleTemporaries.Clean(checkpoints.Directory, ".*.ckpt.*.tmp", age: TimeSpan.Zero);
        var run = new Run<TExample, TBatch>(model, optimizer, training, validation, options);
        var progress = options.Progress?.Invoke();
        try
        {
            run.Resume(progress);
            run.Train(progress);
        }
        finally
        {
            run.Finish(progress);
            (progress as IDisposable)?.Dispose();
        }
        return run.History;
    }

    /// <summary>
    /// Every example's features, computed now (in parallel) if they load lazily: an example whose
    /// frames have the wrong width or cannot hold its labels fails the run before it starts, with
    /// every such example named — not mid-epoch, and not later inside a report. The features stay
    /// computed for the first epoch.
    /// </summary>
    private static void CheckExamples<TExample, TBatch>(ICtcTrainable<TExample, TBatch> model, IReadOnlyList<TExample> examples, string what, CancellationToken cancellationToken)
        where TBatch : IDisposable
    {
        var problems = new ConcurrentBag<(int Index, string Message)>();
        try
        {
            Parallel.For(0, examples.Count, new ParallelOptions { CancellationToken = cancellationToken }, i =>
            {
                try { model.FrameCount(examples[i]); }
                catch (ArgumentException e) { problems.Add((i, e.Message)); }
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); // a file that cannot be read: its own error
        }
        if (problems.IsEmpty) return;
        var listed = problems.OrderBy(p => p.Index).Take(10).Select(p => p.Message);
        throw new ArgumentException($"{problems.Count} {what} example{(problems.Count == 1 ? "" : "s")} cannot be trained on: {string.Join(" | ", listed)}{(problems.Count > 10 ? " | …" : "")}");
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
                using var batch = model.Collate(slice, training: false);
                using var output = model.Evaluate(batch);
                totals.Add(output.Loss.item<float>(), output);
            }
            return totals.Means(model.MetricNames);
        }
        finally
        {
            model.Module.train(wasTraining);
        }
    }

    private static readonly System.Threading.AsyncLocal<int> currentEpoch = new();

    /// <summary>The epoch being trained (1-based; 0 outside training), for collating code: it flows to the worker that collates ahead.</summary>
    public static int CurrentEpoch => currentEpoch.Value;

    /// <summary>The order of the training examples in <paramref name="epoch"/>: a function of the seed and the epoch only, so a resumed run repeats it.</summary>
    public static int[] EpochOrder(int count, int seed, int epoch, bool shuffle)
    {
        var order = Enumerable.Range(0, count).ToArray();
        if (shuffle) EpochRandom.For(seed, epoch).Shuffle(order);
        return order;
    }

    /// <summary>Optimisation steps in one epoch: the first epoch's batches (length bucketing can vary the count slightly between epochs).</summary>
    private static int StepsPerEpoch<TExample, TBatch>(ICtcTrainable<TExample, TBatch> model, IReadOnlyList<TExample> training, FitOptions options)
        where TBatch : IDisposable
    {
        if (options.Schedule is not LearningRateSchedule.Warmup) return 0; // only a warm-up needs it, and bucketing reads every length
        return options.BucketByLength || options.MaxFramesPerBatch is not null
            ? BucketBatcher.Batches(training.Select(model.FrameCount).ToArray(), options.BatchSize, options.MaxFramesPerBatch, options.Seed, 1, options.Shuffle).Count
            : (training.Count + options.BatchSize - 1) / options.BatchSize;
    }

    private static IReadOnlyList<int[]> Chunk(int[] order, int size)
    {
        var batches = new List<int[]>();
        for (var start = 0; start < order.Length; start += size) batches.Add(order[start..Math.Min(start + size, order.Length)]);
        return batches;
    }

    /// <summary>The state of one call to <see cref="Fit"/>.</summary>
    private sealed class Run<TExample, TBatch>(
        ICtcTrainable<TExample, TBatch> model,
        optim.Optimizer optimizer,
        IReadOnlyList<TExample> training,
        IReadOnlyList<TExample>? validation,
        FitOptions options)
        where TBatch : IDisposable
    {
        private readonly TorchSharp.Modules.Parameter[] parameters = model.Module.parameters().ToArray();
        private readonly optim.ILearningRateController[] groups = optimizer.ParamGroups.ToArray();
        private readonly WeightCheck.Snapshot backup = new(model.Module.parameters().ToArray());
        private readonly List<(string, TorchSharp.Modules.Parameter)> named = model.Module.named_parameters().ToList();
        private readonly Device device = model.Module.parameters().FirstOrDefault()?.device ?? CPU;
        private bool saveFailed;
        private int firstEpoch = 1;
        private long step;
        private double? best;
        private double? earlyBest;
        private int earlyWait;

        public TrainingHistory History { get; private set; } = new();

        public void Resume(ITrainingProgress? progress)
        {
            if (options.ResumeFrom is not { } path) return;
            var checkpoint = Checkpoint.Load(path);
            checkpoint.EnsureMatches(model.ModelName, model.Vocabulary, path);
            checkpoint.RestoreTraining(model.Module, optimizer, path);
            History = checkpoint.History;
            firstEpoch = checkpoint.Epoch + 1;
            step = checkpoint.Step;
            best = checkpoint.BestValue;
            (earlyBest, earlyWait) = checkpoint.EarlyStoppingState;
            progress?.Message($"Resumed from {path} after epoch {checkpoint.Epoch}.");
        }

        public void Train(ITrainingProgress? progress)
        {
            var baseRates = groups.Select(g => g.InitialLearningRate).ToArray();
            var bucketing = options.BucketByLength || options.MaxFramesPerBatch is not null;
            var lengths = bucketing ? training.Select(model.FrameCount).ToArray() : null;
            for (var epoch = firstEpoch; epoch <= options.Epochs; epoch++)
            {
                if (options.CancellationToken.IsCancellationRequested) { History.StopReason = $"Cancelled before epoch {epoch}."; return; }
                var clock = Stopwatch.StartNew();
                currentEpoch.Value = epoch;
                AcceleratorRandom.SeedEpoch(device, options.Seed, epoch);
                var plan = lengths is not null
                    ? BucketBatcher.Batches(lengths, options.BatchSize, options.MaxFramesPerBatch, options.Seed, epoch, options.Shuffle)
                    : Chunk(EpochOrder(training.Count, options.Seed, epoch, options.Shuffle), options.BatchSize);
                var batches = plan.Count;
                progress?.EpochStarted(epoch, options.Epochs, batches);

                model.Module.train();
                var totals = new MetricTotals();
                var steps = 0;
                var skipped = 0;
                var idle = TimeSpan.Zero;
                // While a step runs, the next batch is collated on a worker (features that load lazily
                // are computed there), so the trainer waits only when collating is the slower of the two.
                Task<TBatch>? next = null;
                try
                {
                    for (var b = 0; b < plan.Count; b++)
                    {
                        if (options.CancellationToken.IsCancellationRequested)
                        {
                            // The partial epoch is dropped: checkpoints end at the last completed epoch.
                            History.StopReason = $"Cancelled during epoch {epoch}; the last completed epoch is {epoch - 1}.";
                            return;
                        }
                        var items = plan[b];
                        var waiting = Stopwatch.StartNew(); // without prefetch, collating is all waiting
                        // The first batch is collated here (waiting on a worker would only add a thread hop);
                        // each next one on a worker while this step runs.
                        var pending = next ?? Task.FromResult(CollateNow(items));
                        var upcoming = b + 1 < plan.Count ? plan[b + 1] : null; // captured by value: the loop variable moves on
                        next = options.Prefetch && upcoming is not null ? Task.Run(() => CollateNow(upcoming)) : null;
                        using var batch = pending.GetAwaiter().GetResult();
                        idle += waiting.Elapsed;

                        using var scope = NewDisposeScope();
                        if (options.Schedule is { } schedule)
                            for (var g = 0; g < groups.Length; g++) groups[g].LearningRate = schedule.Rate(baseRates[g], epoch - 1, step);
                        optimizer.zero_grad();
                        using var output = model.Evaluate(batch);
                        var loss = output.Loss.item<float>();
                        if (!float.IsFinite(loss))
                        {
                            if (options.NonFiniteLoss == NonFiniteLossPolicy.Stop) throw NonFiniteLossDiagnosis.Diagnose(model, training, items, batch, epoch, loss);
                            skipped++;
                            continue;
                        }
                        output.Loss.backward();
                        if (options.ClipGradientNorm is { } maxNorm) nn.utils.clip_grad_norm_(parameters, maxNorm);
                        // A step is committed only if every parameter comes out finite: otherwise it is
                        // undone and training stops (divergence is not bad data; skipping would not help).
                        backup.Take();
                        optimizer.step();
                        if (WeightCheck.FirstNonFinite(named) is { } broken)
                        {
                            backup.Restore();
                            throw new TrainingDivergedException(epoch, step + 1, broken, loss, groups[0].LearningRate, options.ClipGradientNorm is not null);
                        }
                        step++;
                        steps++;
                        totals.Add(loss, output);
                        progress?.BatchCompleted(epoch, steps + skipped, batches, totals.Means(model.MetricNames));
                    }
                }
                finally
                {
                    // A batch collated ahead but not used (cancellation, an exception) is released.
                    if (next is not null) next.ContinueWith(t => { if (t.IsCompletedSuccessfully) t.Result.Dispose(); }, TaskScheduler.Default).Wait();
                }
                if (steps == 0)
                    throw new NonFiniteLossException(epoch, plan.SelectMany(b => b).ToArray(), double.NaN, NonFiniteLossCause.Unknown,
                        "Every batch of the epoch gave a non-finite loss and was skipped (NonFiniteLoss = Skip); train with NonFiniteLossPolicy.Stop to have the first one traced.");

                var values = totals.Means(model.MetricNames);
                if (validation is { Count: > 0 })
                    values.AddRange(Evaluate(model, validation, options.BatchSize).Select(v => new KeyValuePair<string, double>("val_" + v.Key, v.Value)));
                var result = new EpochResult(epoch, values, clock.Elapsed, skipped) { IdleTime = idle };
                History.Add(result);
                progress?.EpochCompleted(result, options.Epochs, training.Count, steps);

                var stop = CheckEarlyStopping(result);
                SaveCheckpoints(result, progress);
                if (stop) return;
            }
        }

        public void Finish(ITrainingProgress? progress)
        {
            backup.Dispose();
            // After a failed checkpoint (a full disk), the files on disk stay those of the last checkpoint
            // that was written: history files that claimed a later epoch would not match it.
            if (options.Checkpoints is { } checkpoints && History.Epochs.Count > 0 && !saveFailed)
            {
                HistoryFiles.WriteTables(History, checkpoints.Directory);
                HistoryFiles.WritePlot(History, System.IO.Path.Combine(checkpoints.Directory, "history.png"), logScaleLoss: checkpoints.LogScaleLoss);
            }
            progress?.Finished(History);
        }

        private TBatch CollateNow(int[] items) => model.Collate(items.Select(i => training[i]).ToArray(), training: true);

        private bool CheckEarlyStopping(EpochResult result)
        {
            if (options.EarlyStopping is not { } rule) return false;
            if (!result.TryGet(rule.Monitor, out var value))
                throw new KeyNotFoundException($"Early stopping monitors '{rule.Monitor}', which epoch {result.Epoch} does not report; it has {string.Join(", ", result.Values.Select(v => v.Key))}.");
            if (rule.Improves(value, earlyBest)) { earlyBest = value; earlyWait = 0; return false; }
            if (++earlyWait < rule.Patience) return false;
            History.StopReason = $"Early stopping after epoch {result.Epoch}: {rule.Monitor} has not improved on {earlyBest:G6} for {rule.Patience} epochs.";
            return true;
        }

        private void SaveCheckpoints(EpochResult result, ITrainingProgress? progress)
        {
            if (options.Checkpoints is not { } checkpoints) return;
            var monitor = result.TryGet(checkpoints.Monitor, out var value) ? value : result.Loss;
            var improved = double.IsFinite(monitor) && (best is not { } b || (checkpoints.Maximize ? monitor > b : monitor < b));
            if (improved) best = monitor;
            try
            {
                Save(checkpoints.LastPath, result.Epoch);
                if (improved) Save(checkpoints.BestPath, result.Epoch);
            }
            catch
            {
                saveFailed = true;
                throw;
            }
            // History tables follow every epoch and the plot at most every PlotInterval (drawing a PNG
            // takes tens of milliseconds, longer than a small model's epoch), so a run killed by a
            // scheduler still leaves both; Finish draws the final plot.
            HistoryFiles.WriteTables(History, checkpoints.Directory);
            if (lastPlot is null || lastPlot.Elapsed >= PlotInterval)
            {
                HistoryFiles.WritePlot(History, System.IO.Path.Combine(checkpoints.Directory, "history.png"), logScaleLoss: checkpoints.LogScaleLoss);
                lastPlot = Stopwatch.StartNew();
            }
        }

        /// <summary>Shortest time between two redraws of history.png during training.</summary>
        private static readonly TimeSpan PlotInterval = TimeSpan.FromSeconds(10);

        private Stopwatch? lastPlot;

        private void Save(string path, int epoch) =>
            Checkpoint.Save(path, model.ModelName, model.Vocabulary, model.Module, optimizer, epoch, step, History, best, (earlyBest, earlyWait),
                options.Checkpoints?.Extras);
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

        public List<KeyValuePair<string, double>> Means(IReadOnlyList<string> metricNames)
        {
            var means = new List<KeyValuePair<string, double>> { new("loss", sums["loss"] / examples) };
            foreach (var name in metricNames) means.Add(new(name, sums[name] / examples));
            return means;
        }

        private void Accumulate(string name, double value) => sums[name] = sums.GetValueOrDefault(name) + value;
    }
}
