using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>One epoch's averages: "loss", each metric, and their "val_" counterparts when validation data was given.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Values">Values by name, in display order.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, IReadOnlyList<KeyValuePair<string, double>> Values, TimeSpan Duration)
{
    /// <summary>The value called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such value was recorded.</exception>
    public double this[string name] =>
        Values.FirstOrDefault(v => v.Key == name) is { Key: not null } v ? v.Value
            : throw new KeyNotFoundException($"Epoch {Epoch} has no value '{name}'; it has {string.Join(", ", Values.Select(x => x.Key))}.");

    /// <summary>Training loss (mean over the epoch's examples, before each step's update, as Keras reports it).</summary>
    public double Loss => this["loss"];
}

/// <summary>Per-epoch results of a training run.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochResult> epochs = new();

    /// <summary>The epochs run so far.</summary>
    public IReadOnlyList<EpochResult> Epochs => epochs;

    /// <summary>Whether training stopped before its last epoch (cancellation).</summary>
    public bool Stopped { get; internal set; }

    internal void Add(EpochResult epoch) => epochs.Add(epoch);

    /// <summary>The history as CSV: <c>epoch,name1,name2,...</c>, invariant culture.</summary>
    public string ToCsv()
    {
        var builder = new StringBuilder();
        if (epochs.Count == 0) return "epoch\n";
        builder.Append("epoch,").AppendJoin(',', epochs[0].Values.Select(v => v.Key)).Append('\n');
        foreach (var epoch in epochs)
            builder.Append(epoch.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', epoch.Values.Select(v => v.Value.ToString("R", CultureInfo.InvariantCulture))).Append('\n');
        return builder.ToString();
    }
}
