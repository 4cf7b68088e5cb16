using System;
using System.Collections.Generic;

namespace CtcDsl.Runtime.Training;

/// <summary>What a non-finite loss was traced to (<see cref="NonFiniteLossException.Cause"/>).</summary>
public enum NonFiniteLossCause
{
    /// <summary>Not examined (every batch of an epoch was skipped under <see cref="NonFiniteLossPolicy.Skip"/>).</summary>
    Unknown,

    /// <summary>Some examples' labels need more output frames than their input gives (an infinite CTC loss).</summary>
    InfeasibleLabels,

    /// <summary>Some examples' features hold NaN or infinite values.</summary>
    NonFiniteFeatures,

    /// <summary>Finite features, labels that fit and finite weights gave a non-finite loss: a fault in the network's arithmetic or the native library, not in the data.</summary>
    NumericalFault,
}

/// <summary>A batch produced a NaN or infinite loss; the weights were not updated with it. The message says what it was traced to.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>The page that explains each cause and what to do.</summary>
    public const string Help = "docs/troubleshooting.md#a-nan-or-infinite-loss";

    internal NonFiniteLossException(int epoch, IReadOnlyList<int> items, double loss, NonFiniteLossCause cause, string finding)
        : base($"Epoch {epoch}: the batch of training examples [{string.Join(", ", items)}] gave a loss of {loss}; the weights were not updated. {finding} (See {Help}.)")
    {
        Epoch = epoch;
        Items = items;
        Cause = cause;
    }

    /// <summary>Epoch in which it happened.</summary>
    public int Epoch { get; }

    /// <summary>Indices, in the training list, of the batch's examples.</summary>
    public IReadOnlyList<int> Items { get; }

    /// <summary>What the loss was traced to.</summary>
    public NonFiniteLossCause Cause { get; }
}
