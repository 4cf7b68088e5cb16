using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Spectre.Console;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// A live progress bar per epoch in the terminal (Spectre.Console): batches done, elapsed and
/// remaining time, running loss and metrics; below it a bar for the whole run (epochs left, time
/// left); each finished epoch leaves its Keras-style line above them.
/// </summary>
public sealed class LiveProgress : ITrainingProgress, IDisposable
{
    private readonly IAnsiConsole console;
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim ready = new();
    private readonly Task display;
    private readonly RunClock clock = new();
    private ProgressTask? bar;
    private ProgressTask? run;

    /// <summary>Starts the live display on <paramref name="console"/> (default: the terminal).</summary>
    public LiveProgress(IAnsiConsole? console = null)
    {
        this.console = console ?? AnsiConsole.Console;
        display = this.console.Progress()
            .AutoClear(true)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                bar = context.AddTask("starting", maxValue: 1);
                run = context.AddTask("run", maxValue: 1);
                ready.Set();
                await done.Task.ConfigureAwait(false);
            });
        ready.Wait(TimeSpan.FromSeconds(5));
    }

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int batches)
    {
        clock.EpochStarted(epoch);
        if (bar is null) return;
        bar.MaxValue = Math.Max(1, batches);
        bar.Value = 0;
        bar.Description = $"Epoch {epoch}/{epochs}";
        if (run is null) return;
        // The run bar counts epochs; its remaining-time column is the whole run's.
        run.MaxValue = epochs;
        run.Value = epoch - 1;
        run.Description = $"Run: epoch {epoch} of {epochs}";
    }

    /// <inheritdoc/>
    public void BatchCompleted(int epoch, int batch, int batches, IReadOnlyList<KeyValuePair<string, double>> running)
    {
        if (bar is null) return;
        bar.Value = batch;
        if (run is not null) run.Value = epoch - 1 + (double)batch / Math.Max(1, batches);
        bar.Description = Markup.Escape($"{batch}/{batches} " + string.Join(" ", running.Select(v => $"{v.Key} {PlainProgress.Number(v.Value)}")));
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochResult result, int epochs, int examples, int steps) =>
        console.WriteLine($"{PlainProgress.Format(result, epochs, examples, steps)} ({clock.Describe(result.Epoch, epochs)})");

    /// <inheritdoc/>
    public void Finished(TrainingHistory history)
    {
        Dispose();
        if (history.StopReason is { } reason) console.WriteLine(reason);
    }

    /// <inheritdoc/>
    public void Message(string text) => console.WriteLine(text);

    /// <summary>Ends the live display.</summary>
    public void Dispose()
    {
        done.TrySetResult();
        display.Wait(TimeSpan.FromSeconds(5));
    }
}
