using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// The names and shapes of the tensors in a state dictionary written by TorchSharp's <c>Module.save</c>
/// (a LEB128 count; per entry a string name, LEB128 dtype, rank and dimensions, then the raw data),
/// read without loading the data, and compared with a module: when a spec changed after a checkpoint
/// was written, the refusal names each layer that differs, with its old and new shapes.
/// </summary>
internal static class StateInventory
{
    /// <summary>One stored tensor: its state-dict name and shape.</summary>
    public sealed record Entry(string Name, long[] Shape);

    /// <summary>The entries of <paramref name="state"/>, or null when it cannot be walked (then the loader's own check reports it).</summary>
    public static List<Entry>? Read(byte[] state)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state), Encoding.UTF8);
            var count = reader.Read7BitEncodedInt64();
            if (count < 0 || count > state.Length) return null;
            var entries = new List<Entry>();
            for (var i = 0; i < count; i++)
            {
                var name = reader.ReadString();
                var type = (ScalarType)reader.Read7BitEncodedInt64();
                var rank = reader.Read7BitEncodedInt64();
                if (rank is < 0 or > 16) return null;
                var shape = new long[rank];
                long elements = 1;
                for (var d = 0; d < rank; d++)
                {
                    shape[d] = reader.Read7BitEncodedInt64();
                    if (shape[d] < 0 || shape[d] > state.Length) return null;
                    elements *= shape[d];
                    if (elements > state.Length) return null;
                }
                var bytes = elements * ElementSize(type);
                if (bytes < 0 || bytes > reader.BaseStream.Length - reader.BaseStream.Position) return null;
                reader.BaseStream.Position += bytes;
                entries.Add(new Entry(name, shape));
            }
            return entries;
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// What differs between the stored entries and <paramref name="module"/>'s parameters and buffers, grouped
    /// by layer (the first part of a name), one line each: "layer: name [old] → [new]"; empty when they match.
    /// </summary>
    public static IReadOnlyList<string> Differences(IReadOnlyList<Entry> stored, nn.Module module)
    {
        var model = module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var old = stored.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First().Shape);
        var lines = new List<string>();
        foreach (var layer in old.Keys.Concat(model.Keys).Select(Layer).Distinct().OrderBy(l => l, StringComparer.Ordinal))
        {
            var changes = new List<string>();
            foreach (var name in old.Keys.Concat(model.Keys).Where(n => Layer(n) == layer).Distinct().OrderBy(n => n, StringComparer.Ordinal))
            {
                var before = old.TryGetValue(name, out var b) ? b : null;
                var after = model.TryGetValue(name, out var a) ? a : null;
                if (before is not null && after is not null && before.SequenceEqual(after)) continue;
                changes.Add($"{Local(name)} {Shape(before)} → {Shape(after)}");
            }
            if (changes.Count == 0) continue;
            var what = !model.Keys.Any(n => Layer(n) == layer) ? " (only in the checkpoint)" : !old.Keys.Any(n => Layer(n) == layer) ? " (not in the checkpoint)" : "";
            lines.Add($"{layer}{what}: {string.Join(", ", changes)}");
        }
        return lines;
    }

    private static string Layer(string name) => name.Split('.')[0];

    private static string Local(string name) => name.Contains('.') ? name.Substring(name.IndexOf('.') + 1) : name;

    private static string Shape(long[]? shape) => shape is null ? "none" : "[" + string.Join(", ", shape) + "]";

    private static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        ScalarType.Int64 or ScalarType.Float64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.ComplexFloat64 => 16,
        _ => throw new FormatException($"unknown tensor type {(int)type}"),
    };
}
