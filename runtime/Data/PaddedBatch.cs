using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Data;

/// <summary>Pads variable-length sequences into dense tensors plus a lengths vector.</summary>
public static class PaddedBatch
{
    /// <summary>
    /// Stacks feature matrices <c>[time, featureSize]</c> into <c>[batch, max time, featureSize]</c>
    /// (float32, zero padding) and returns their lengths (int64, <c>[batch]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A matrix has the wrong width; the message names its index.</exception>
    public static (Tensor Values, Tensor Lengths) Features(IReadOnlyList<float[,]> items, int featureSize, Device device)
    {
        if (items.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(items));
        var maxTime = 0;
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].GetLength(1) != featureSize)
                throw new ArgumentException($"Example {i} has {items[i].GetLength(1)} features per frame; the model expects {featureSize}.", nameof(items));
            maxTime = Math.Max(maxTime, items[i].GetLength(0));
        }

        var data = new float[items.Count * maxTime * featureSize];
        var lengths = new long[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            lengths[i] = item.GetLength(0);
            // float[,] is row-major: one block copy per example.
            Buffer.BlockCopy(item, 0, data, i * maxTime * featureSize * sizeof(float), item.Length * sizeof(float));
        }
        return (tensor(data, new long[] { items.Count, maxTime, featureSize }, device: device), tensor(lengths, device: device));
    }

    /// <summary>Stacks label sequences into <c>[batch, max length]</c> (int64, zero padding) and their lengths.</summary>
    public static (Tensor Values, Tensor Lengths) Labels(IReadOnlyList<int[]> items, Device device)
    {
        if (items.Count == 0) throw new ArgumentException("A batch needs at least one example.", nameof(items));
        var maxLength = 1; // ctc_loss needs a non-empty second dimension even when every label is empty
        foreach (var item in items) maxLength = Math.Max(maxLength, item.Length);
        var data = new long[items.Count * maxLength];
        var lengths = new long[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            lengths[i] = items[i].Length;
            for (var j = 0; j < items[i].Length; j++) data[i * maxLength + j] = items[i][j];
        }
        return (tensor(data, new long[] { items.Count, maxLength }, device: device), tensor(lengths, device: device));
    }
}
