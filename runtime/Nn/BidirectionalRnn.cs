using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>Recurrent cell kind of a <see cref="BidirectionalRnn"/>.</summary>
public enum RnnKind
{
    /// <summary>Long short-term memory.</summary>
    Lstm,
    /// <summary>Gated recurrent unit.</summary>
    Gru,
}

/// <summary>
/// A stacked bidirectional LSTM or GRU that is exact on padded batches without packing: each
/// direction is a one-layer unidirectional RNN, and the backward one runs on each sequence reversed
/// within its length (<see cref="Sequences.ReverseWithinLengths"/>), so padding never reaches a valid
/// step. Packed sequences are avoided on purpose: their backward pass is very slow on CPU
/// (pytorch/pytorch#149194). Output: <c>[batch, time, 2·hidden]</c>, forward features first.
/// </summary>
public sealed class BidirectionalRnn : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<nn.Module> forwardLayers = new();
    private readonly ModuleList<nn.Module> backwardLayers = new();
    private readonly Dropout? dropout;
    private readonly RnnKind kind;

    /// <summary>Creates the stack.</summary>
    /// <param name="kind">LSTM or GRU.</param>
    /// <param name="inputSize">Input features.</param>
    /// <param name="hiddenSize">Hidden units per direction.</param>
    /// <param name="layers">Stacked layers.</param>
    /// <param name="dropout">Dropout between layers (not after the last), as PyTorch's <c>dropout</c> argument.</param>
    public BidirectionalRnn(RnnKind kind, long inputSize, long hiddenSize, int layers = 1, double dropout = 0)
        : base(nameof(BidirectionalRnn))
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "At least one layer.");
        this.kind = kind;
        for (var l = 0; l < layers; l++)
        {
            var width = l == 0 ? inputSize : 2 * hiddenSize;
            forwardLayers.Add(Cell(kind, width, hiddenSize));
            backwardLayers.Add(Cell(kind, width, hiddenSize));
        }
        this.dropout = dropout > 0 && layers > 1 ? nn.Dropout(dropout) : null;
        RegisterComponents();
    }

    /// <summary>LSTM or GRU.</summary>
    public RnnKind Kind => kind;

    /// <summary>Every one-layer directional RNN, forward and backward of layer 0 first: for initialisation (parameters <c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>).</summary>
    public IEnumerable<nn.Module> Directions
    {
        get
        {
            for (var l = 0; l < forwardLayers.Count; l++)
            {
                yield return forwardLayers[l];
                yield return backwardLayers[l];
            }
        }
    }

    /// <summary>Runs the stack over <paramref name="x"/> <c>[batch, time, features]</c> with valid <paramref name="lengths"/>.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        for (var l = 0; l < forwardLayers.Count; l++)
        {
            if (l > 0 && dropout is not null) x = dropout.call(x);
            var ahead = Run(forwardLayers[l], x);
            var behind = Sequences.ReverseWithinLengths(Run(backwardLayers[l], Sequences.ReverseWithinLengths(x, lengths)), lengths);
            x = cat(new[] { ahead, behind }, -1);
        }
        return x.MoveToOuterDisposeScope();
    }

    private Tensor Run(nn.Module cell, Tensor x) => kind == RnnKind.Lstm
        ? ((LSTM)cell).call(x).Item1
        : ((GRU)cell).call(x).Item1;

    private static nn.Module Cell(RnnKind kind, long input, long hidden) => kind == RnnKind.Lstm
        ? nn.LSTM(input, hidden, batchFirst: true)
        : nn.GRU(input, hidden, batchFirst: true);
}
