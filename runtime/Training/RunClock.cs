using System;
using System.Diagnostics;
using System.Globalization;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// The whole run's progress for the displays: epochs left and time left, from the mean duration of the
/// epochs this process has run (a resumed run counts only its own epochs, not the ones before the resume).
/// </summary>
public sealed class RunClock
{
    private readonly Stopwatch clock = new();
    private int? firstEpoch;

    /// <summary>An epoch begins.</summary>
    public void EpochStarted(int epoch)
    {
        firstEpoch ??= epoch;
        clock.Start();
    }

    /// <summary>Estimated time left after <paramref name="epoch"/> of <paramref name="epochs"/> finished; null before any epoch.</summary>
    public TimeSpan? Remaining(int epoch, int epochs)
    {
        if (firstEpoch is not { } first || epoch < first) return null;
        var done = epoch - first + 1;
        return TimeSpan.FromTicks(clock.Elapsed.Ticks / done * Math.Max(0, epochs - epoch));
    }

    /// <summary>"run: 3/20 epochs, 17 left, ~1m 05s left" after <paramref name="epoch"/>.</summary>
    public string Describe(int epoch, int epochs) =>
        Remaining(epoch, epochs) is { } left
            ? epoch >= epochs ? $"run: {epochs}/{epochs} epochs, done in {Format(clock.Elapsed)}" : $"run: {epoch}/{epochs} epochs, {epochs - epoch} left, ~{Format(left)} left"
            : $"run: {epoch}/{epochs} epochs";

    /// <summary>"1h 02m", "3m 05s", "42s".</summary>
    public static string Format(TimeSpan time) =>
        time.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalHours}h {time.Minutes:00}m")
        : time.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)time.TotalMinutes}m {time.Seconds:00}s")
        : string.Create(CultureInfo.InvariantCulture, $"{Math.Max(0, (int)Math.Round(time.TotalSeconds))}s");
}
