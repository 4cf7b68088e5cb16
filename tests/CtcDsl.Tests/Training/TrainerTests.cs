using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Training;

public class TrainerTests
{
    private static readonly ToyModel.Example[] Data = Enumerable.Range(0, 8).Select(i => new ToyModel.Example(3 + 0.1 * i)).ToArray();

    private static FitOptions Options(int epochs) => new() { Epochs = epochs, BatchSize = 2, Progress = null };

    [Fact]
    public void Non_finite_loss_stops_naming_the_items_without_touching_the_weights()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var data = Data.Select((e, i) => i == 5 ? e with { Poisoned = true } : e).ToArray();

        var error = Assert.Throws<NonFiniteLossException>(() => CtcTrainer.Fit(model, sgd, data, null, Options(1) with { Shuffle = false }));

        Assert.Equal(new[] { 4, 5 }, error.Items);
        Assert.Contains("[4, 5]", error.Message);
        // Two batches (0-1, 2-3) were applied; the poisoned one was not: the weight is finite and moved.
        Assert.True(double.IsFinite(model.Weight) && model.Weight > 0);
    }

    [Fact]
    public void Non_finite_loss_can_skip_and_count_the_batch()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var data = Data.Select((e, i) => i == 5 ? e with { Poisoned = true } : e).ToArray();

        var history = CtcTrainer.Fit(model, sgd, data, null, Options(3) with { NonFiniteLoss = NonFiniteLossPolicy.Skip });

        Assert.All(history.Epochs, e => Assert.Equal(1, e.SkippedBatches));
        Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.Loss)));
        Assert.True(double.IsFinite(model.Weight));
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.01);
        // The loss falls every epoch, so "maximise loss" never improves after epoch 1.
        var history = CtcTrainer.Fit(model, sgd, Data, Data, Options(50) with { EarlyStopping = new EarlyStopping("val_loss", Patience: 3, Maximize: true) });

        Assert.Equal(4, history.Epochs.Count);
        Assert.True(history.Stopped);
        Assert.Contains("val_loss", history.StopReason);
    }

    [Fact]
    public void Cancellation_between_steps_returns_the_completed_epochs()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.01);
        using var cancel = new CancellationTokenSource();
        var progress = new RecordingProgress { OnEpoch = e => { if (e.Epoch == 2) cancel.Cancel(); } };

        var history = CtcTrainer.Fit(model, sgd, Data, null, Options(10) with { CancellationToken = cancel.Token, Progress = () => progress });

        Assert.Equal(2, history.Epochs.Count);
        Assert.StartsWith("Cancelled before epoch 3", history.StopReason);
        Assert.True(progress.Ended);
    }

    [Fact]
    public void Plain_progress_prints_keras_style_lines()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.01);
        var output = new StringWriter();
        CtcTrainer.Fit(model, sgd, Data, Data, Options(2) with { Progress = () => new PlainProgress(output) });

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Epoch 1/2", lines[0]);
        // 8 examples in batches of 2: the count is of steps, the unit of ms/step.
        Assert.Matches(@"^4/4 \[=+\] - \d+s \d+ms/step - loss: \d+\.\d{4} - distance: \d+\.\d{4} - val_loss: \d+\.\d{4} - val_distance: \d+\.\d{4} \(run: 1/2 epochs, 1 left, ~\d+s left\)$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
    }

    [Fact]
    public void The_loss_plot_can_be_drawn_on_a_log_axis()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.01);
        var folder = Directory.CreateTempSubdirectory("ctcdsl-plot-").FullName;
        try
        {
            CtcTrainer.Fit(model, sgd, Data, Data, Options(3) with { Checkpoints = new CheckpointOptions(folder) { LogScaleLoss = true } });
            var png = File.ReadAllBytes(Path.Combine(folder, "history.png"));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.Take(4).ToArray());
            Assert.True(png.Length > 10_000, "a drawn plot, not an empty image");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_run_clock_counts_epochs_and_time_left_from_this_process_epochs()
    {
        var clock = new RunClock();
        Assert.Equal("run: 4/10 epochs", clock.Describe(4, 10)); // nothing timed yet
        clock.EpochStarted(4); // a resumed run: epochs 1-3 ran in another process
        Thread.Sleep(50);
        var left = clock.Remaining(5, 10)!.Value;
        // Two epochs took at least 50 ms, so five more take at least 125 ms.
        Assert.True(left >= TimeSpan.FromMilliseconds(125), left.ToString());
        Assert.Matches(@"^run: 5/10 epochs, 5 left, ~\d+s left$", clock.Describe(5, 10));
        Assert.StartsWith("run: 10/10 epochs, done in ", clock.Describe(10, 10));
        Assert.Equal("1h 02m", RunClock.Format(TimeSpan.FromMinutes(62)));
        Assert.Equal("3m 05s", RunClock.Format(TimeSpan.FromSeconds(185)));
    }

    [Fact]
    public void Schedule_sets_the_learning_rate_before_each_step()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        CtcTrainer.Fit(model, sgd, Data, null, Options(3) with { Schedule = new LearningRateSchedule.StepDecay(1, 0.5) });
        Assert.Equal(0.1 * 0.25, sgd.ParamGroups.Single().LearningRate, 12); // epoch index 2
    }

    [Fact]
    public void Frame_cap_and_bucketing_shape_the_batches()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.01);
        CtcTrainer.Fit(model, sgd, Data, null, Options(2) with { BatchSize = 8, MaxFramesPerBatch = 10 });

        Assert.All(model.Collated, batch => Assert.True(batch.Count * batch.Max(model.FrameCount) <= 10));
        Assert.Equal(2 * Data.Length, model.Collated.Sum(b => b.Count)); // every example once per epoch
    }

    [Fact]
    public void Epoch_order_depends_only_on_seed_and_epoch()
    {
        Assert.Equal(CtcTrainer.EpochOrder(10, 3, 7, true), CtcTrainer.EpochOrder(10, 3, 7, true));
        Assert.NotEqual(CtcTrainer.EpochOrder(10, 3, 7, true), CtcTrainer.EpochOrder(10, 3, 8, true));
        Assert.Equal(Enumerable.Range(0, 10), CtcTrainer.EpochOrder(10, 3, 7, false));
        Assert.Equal(Enumerable.Range(0, 10), CtcTrainer.EpochOrder(10, 3, 7, true).OrderBy(i => i));
        // Pinned: the same in every process and on every machine, so a resumed run repeats the orders.
        Assert.Equal(new[] { 0, 4, 9, 8, 7, 2, 6, 5, 3, 1 }, CtcTrainer.EpochOrder(10, 3, 7, true));
    }

    internal sealed class RecordingProgress : ITrainingProgress
    {
        public Action<EpochResult>? OnEpoch { get; init; }
        public bool Ended { get; private set; }
        public List<string> Messages { get; } = new();

        public void EpochStarted(int epoch, int epochs, int batches)
        {
        }

        public void BatchCompleted(int epoch, int batch, int batches, IReadOnlyList<KeyValuePair<string, double>> running)
        {
        }

        public void EpochCompleted(EpochResult result, int epochs, int examples, int steps) => OnEpoch?.Invoke(result);

        public void Finished(TrainingHistory history) => Ended = true;

        public void Message(string text) => Messages.Add(text);
    }
}
