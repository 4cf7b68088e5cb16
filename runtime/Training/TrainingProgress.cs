using System;
using System.IO;

namespace CtcDsl.Runtime.Training;

/// <summary>Picks the progress display.</summary>
public static class TrainingProgress
{
    /// <summary>
    /// A live bar (<see cref="LiveProgress"/>) in an interactive terminal; one plain line per epoch
    /// (<see cref="PlainProgress"/>) when output is redirected, in CI (the CI variable is set) or when
    /// the terminal cannot redraw.
    /// </summary>
    public static ITrainingProgress Auto()
    {
        var ci = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        var interactive = !Console.IsOutputRedirected && !ci && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive;
        return interactive ? new LiveProgress() : new PlainProgress(Console.Out);
    }

    /// <summary>Plain lines to <paramref name="writer"/>.</summary>
    public static ITrainingProgress Plain(TextWriter writer) => new PlainProgress(writer);
}
