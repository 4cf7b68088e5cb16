using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Training;

/// <summary>A batch produced a NaN or infinite loss; the weights were not updated with it.</summary>
public sealed class NonFiniteLossException : Exception
{
    internal NonFiniteLossException(int epoch, IReadOnlyList<int> items, double loss)
        : base($"Epoch {epoch}: the batch of training examples [{string.Join(", ", items)}] gave a loss of {loss}. " +
               "The weights were not updated. Check those examples (labels longer than their frames allow give an infinite CTC loss; " +
               "zero_infinity: true in the spec's ctc node ignores them).")
    {
        Epoch = epoch;
        Items = items;
    }

    /// <summary>Epoch in which it happened.</summary>
    public int Epoch { get; }

    /// <summary>Indices, in the training list, of the batch's examples.</summary>
    public IReadOnlyList<int> Items { get; }
}
