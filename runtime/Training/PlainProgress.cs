using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// One line per epoch in the format Keras' <c>fit</c> prints, followed by the whole run's progress
/// (epochs and time left); for redirected output, logs and CI.
/// </summary>
public sealed class PlainProgress(TextWriter writer) : ITrainingProgress
{
    private readonly RunClock run = new();

    /// <inheritdoc/>
    public void EpochStarted(int epoch, int epochs, int batches) => run.EpochStarted(epoch);

    /// <inheritdoc/>
    public void BatchCompleted(int epoch, int batch, int batches, IReadOnlyList<KeyValuePair<string, double>> running)
    {
    }

    /// <inheritdoc/>
    public void EpochCompleted(EpochResult result, int epochs, int examples, int steps)
    {
        writer.WriteLine($"{Format(result, epochs, examples, steps)} ({run.Describe(result.Epoch, epochs)})");
        writer.Flush();
    }

    /// <inheritdoc/>
    public void Finished(TrainingHistory history)
    {
        if (history.StopReason is { } reason) writer.WriteLine(reason);
        writer.Flush();
    }

    /// <inheritdoc/>
    public void Message(string text) => writer.WriteLine(text);

    /// <summary>
    /// "Epoch e/E" and "s/s [=====] - Ns Xms/step - loss: ... - val_ler: ...", as Keras prints them:
    /// the count is of steps (batches), the unit of the time per step.
    /// </summary>
    public static string Format(EpochResult result, int epochs, int examples, int steps)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"Epoch {result.Epoch}/{epochs}\n");
        var perStep = result.Duration.TotalMilliseconds / Math.Max(1, steps);
        line.Append(CultureInfo.InvariantCulture,
            $"{steps}/{steps} [==============================] - {(int)result.Duration.TotalSeconds}s {perStep:0}ms/step");
        foreach (var (name, value) in result.Values) line.Append(" - ").Append(name).Append(": ").Append(Number(value));
        if (result.SkippedBatches > 0) line.Append(CultureInfo.InvariantCulture, $" - skipped non-finite batches: {result.SkippedBatches}");
        return line.ToString();
    }

    /// <summary>Keras' number format: four decimals, scientific below 1e-3.</summary>
    public static string Number(double value) =>
        Math.Abs(value) >= 1e-3 || double.IsNaN(value) || double.IsInfinity(value)
            ? value.ToString("0.0000", CultureInfo.InvariantCulture)
            : value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
