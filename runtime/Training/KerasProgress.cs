using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>Per-epoch progress lines in the format Keras' <c>fit</c> prints.</summary>
internal sealed class KerasProgress(TextWriter writer, int epochs)
{
    public void Report(EpochResult result, int examples, int steps)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"Epoch {result.Epoch}/{epochs}\n");
        var perStep = result.Duration.TotalMilliseconds / Math.Max(1, steps);
        line.Append(CultureInfo.InvariantCulture,
            $"{examples}/{examples} [==============================] - {(int)result.Duration.TotalSeconds}s {perStep:0}ms/step");
        foreach (var (name, value) in result.Values) line.Append(" - ").Append(name).Append(": ").Append(Format(value));
        writer.WriteLine(line.ToString());
    }

    /// <summary>Keras' number format: four decimals, scientific below 1e-3.</summary>
    internal static string Format(double value) =>
        Math.Abs(value) >= 1e-3 || double.IsNaN(value) || double.IsInfinity(value)
            ? value.ToString("0.0000", CultureInfo.InvariantCulture)
            : value.ToString("0.0000e+00", CultureInfo.InvariantCulture);
}
