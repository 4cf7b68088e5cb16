using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CtcDsl.Runtime.Training;

/// <summary>One epoch's averages: "loss", each metric, and their "val_" counterparts when validation data was given.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Values">Values by name, in display order.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
/// <param name="SkippedBatches">Batches skipped for a non-finite loss (<see cref="NonFiniteLossPolicy.Skip"/>).</param>
public sealed record EpochResult(int Epoch, IReadOnlyList<KeyValuePair<string, double>> Values, TimeSpan Duration, int SkippedBatches = 0)
{
    /// <summary>The value called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such value was recorded.</exception>
    public double this[string name] =>
        TryGet(name, out var value) ? value
            : throw new KeyNotFoundException($"Epoch {Epoch} has no value '{name}'; it has {string.Join(", ", Values.Select(x => x.Key))}.");

    /// <summary>Time the trainer waited for batches to be collated (feature extraction included when it is lazy).</summary>
    public TimeSpan IdleTime { get; init; }

    /// <summary>Training loss (mean over the epoch's examples, before each step's update, as Keras reports it).</summary>
    public double Loss => this["loss"];

    /// <summary>The value called <paramref name="name"/>, if recorded.</summary>
    public bool TryGet(string name, out double value)
    {
        foreach (var (key, v) in Values)
            if (key == name) { value = v; return true; }
        value = double.NaN;
        return false;
    }
}

/// <summary>Per-epoch results of a training run.</summary>
public sealed class TrainingHistory
{
    private readonly List<EpochResult> epochs = new();

    /// <summary>The epochs run so far (a resumed run includes those of the checkpoint).</summary>
    public IReadOnlyList<EpochResult> Epochs => epochs;

    /// <summary>Whether training ended before its last epoch (early stopping or cancellation).</summary>
    public bool Stopped => StopReason is not null;

    /// <summary>Why training ended early, or null.</summary>
    public string? StopReason { get; internal set; }

    internal void Add(EpochResult epoch) => epochs.Add(epoch);

    /// <summary>The history as CSV: <c>epoch,name1,name2,...,seconds</c>, invariant culture.</summary>
    public string ToCsv()
    {
        var builder = new StringBuilder();
        if (epochs.Count == 0) return "epoch\n";
        builder.Append("epoch,").AppendJoin(',', epochs[0].Values.Select(v => v.Key)).Append(",seconds\n");
        foreach (var epoch in epochs)
            builder.Append(epoch.Epoch.ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', epoch.Values.Select(v => v.Value.ToString("R", CultureInfo.InvariantCulture)))
                .Append(',').Append(epoch.Duration.TotalSeconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return builder.ToString();
    }

    /// <summary>The history as JSON: <c>{"epochs": [{"epoch": 1, "seconds": s, "skipped_batches": 0, "values": {"loss": ...}}], "stop_reason": ...}</c>.</summary>
    public string ToJson() => ToJsonNode().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    internal JsonObject ToJsonNode()
    {
        var list = new JsonArray();
        foreach (var epoch in epochs)
        {
            var values = new JsonObject();
            foreach (var (key, value) in epoch.Values) values[key] = double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
            list.Add(new JsonObject
            {
                ["epoch"] = epoch.Epoch,
                ["seconds"] = epoch.Duration.TotalSeconds,
                ["skipped_batches"] = epoch.SkippedBatches,
                ["values"] = values,
            });
        }
        return new JsonObject { ["epochs"] = list, ["stop_reason"] = StopReason };
    }

    internal static TrainingHistory FromJsonNode(JsonObject node)
    {
        var history = new TrainingHistory();
        foreach (var item in node["epochs"]!.AsArray())
        {
            var values = item!["values"]!.AsObject().Select(p => new KeyValuePair<string, double>(p.Key,
                p.Value!.GetValueKind() == JsonValueKind.String ? double.Parse(p.Value.GetValue<string>(), CultureInfo.InvariantCulture) : p.Value.GetValue<double>())).ToList();
            history.Add(new EpochResult(item["epoch"]!.GetValue<int>(), values, TimeSpan.FromSeconds(item["seconds"]!.GetValue<double>()), item["skipped_batches"]!.GetValue<int>()));
        }
        return history;
    }
}
