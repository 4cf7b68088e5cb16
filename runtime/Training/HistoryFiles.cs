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
    /// training solid and validation dashed, into <paramref name="path"/>.
    /// </summary>
    public static void WritePlot(TrainingHistory history, string path, int width = 1200, int height = 450)
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
            var line = plot.Add.ScatterLine(epochs, values);
            line.LegendText = name;
            line.LineWidth = 2;
            if (name.StartsWith("val_", System.StringComparison.Ordinal)) line.LinePattern = LinePattern.Dashed;
        }
        losses.Title("Loss");
        losses.XLabel("epoch");
        losses.ShowLegend(Alignment.UpperRight);
        rates.Title("Error rates");
        rates.XLabel("epoch");
        rates.ShowLegend(Alignment.UpperRight);

        var temporary = path + ".tmp.png";
        multiplot.SavePng(temporary, width, height);
        File.Move(temporary, path, overwrite: true);
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
