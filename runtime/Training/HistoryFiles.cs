using System.IO;
using System.Linq;
using ScottPlot;

namespace CtcDsl.Runtime.Training;

/// <summary>Writes a history as <c>history.csv</c>, <c>history.json</c> and <c>history.png</c> (ScottPlot).</summary>
public static class HistoryFiles
{
    /// <summary>Writes the CSV and JSON files into <paramref name="directory"/> (atomically, each).</summary>
    public static void WriteTables(TrainingHistory history, string directory)
    {
        Directory.CreateDirectory(directory);
        WriteAtomically(Path.Combine(directory, "history.csv"), history.ToCsv());
        WriteAtomically(Path.Combine(directory, "history.json"), history.ToJson());
    }

    /// <summary>
    /// Plots the losses (left) and the other metrics — error rates — (right) against the epoch,
    /// training solid and validation dashed, into <paramref name="path"/>. With <paramref name="logScaleLoss"/>
    /// the losses are drawn on a logarithmic axis (ticks at powers of ten): a CTC loss falls by orders of
    /// magnitude, and on a linear axis everything after the first epochs is a flat line.
    /// </summary>
    public static void WritePlot(TrainingHistory history, string path, int width = 1200, int height = 450, bool logScaleLoss = false)
    {
        if (history.Epochs.Count == 0) return;
        var names = history.Epochs[0].Values.Select(v => v.Key).ToArray();
        var epochs = history.Epochs.Select(e => (double)e.Epoch).ToArray();

        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        var losses = multiplot.GetPlot(0);
        var rates = multiplot.GetPlot(1);
        foreach (var name in names)
        {
            var isLoss = name.EndsWith("loss", System.StringComparison.Ordinal);
            var plot = isLoss ? losses : rates;
            var values = history.Epochs.Select(e => e.TryGet(name, out var v) && double.IsFinite(v) ? v : double.NaN).ToArray();
            // ScottPlot has no logarithmic axis: plot log10 and label the ticks with the values (a loss at or below zero has no place on it).
            if (isLoss && logScaleLoss) values = values.Select(v => v > 0 ? System.Math.Log10(v) : double.NaN).ToArray();
            var line = plot.Add.ScatterLine(epochs, values);
            line.LegendText = name;
            line.LineWidth = 2;
            if (name.StartsWith("val_", System.StringComparison.Ordinal)) line.LinePattern = LinePattern.Dashed;
        }
        losses.Title(logScaleLoss ? "Loss (log scale)" : "Loss");
        if (logScaleLoss) losses.Axes.Left.TickGenerator = LogTicks(history, names.Where(n => n.EndsWith("loss", System.StringComparison.Ordinal)));
        losses.XLabel("epoch");
        losses.ShowLegend(Alignment.UpperRight);
        rates.Title("Error rates");
        rates.XLabel("epoch");
        rates.ShowLegend(Alignment.UpperRight);

        var temporary = path + ".tmp.png";
        multiplot.SavePng(temporary, width, height);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Ticks at 1, 2 and 5 times the powers of ten the losses span (powers of ten alone beyond three decades), labelled with the values.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(TrainingHistory history, System.Collections.Generic.IEnumerable<string> losses)
    {
        var values = losses.SelectMany(n => history.Epochs.Select(e => e.TryGet(n, out var v) ? v : double.NaN)).Where(v => v > 0 && double.IsFinite(v)).ToArray();
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        if (values.Length == 0) return ticks;
        var low = System.Math.Floor(System.Math.Log10(values.Min()));
        var high = System.Math.Ceiling(System.Math.Log10(values.Max()));
        var steps = high - low > 3 ? new[] { 1.0 } : new[] { 1.0, 2.0, 5.0 };
        for (var power = low; power <= high; power++)
            foreach (var step in steps)
            {
                var value = step * System.Math.Pow(10, power);
                ticks.AddMajor(System.Math.Log10(value), value.ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
            }
        return ticks;
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
