using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// <c>lstm</c> and <c>gru</c> as ONNX <c>LSTM</c>/<c>GRU</c> nodes, one per stacked layer. PyTorch
/// stores the gates as i,f,g,o (LSTM) and r,z,n (GRU); ONNX wants i,o,f,c and z,r,h, so the weight
/// blocks are reordered, and a GRU uses <c>linear_before_reset=1</c> (PyTorch applies the reset gate
/// after the recurrent product). A bidirectional layer is one node with <c>sequence_lens</c>: ONNX's
/// reverse direction starts at each sequence's own last valid step, exactly what the runtime's
/// <see cref="BidirectionalRnn"/> computes by reversing each sequence within its length. A
/// unidirectional stack gets no lengths: padding trails, so it never reaches a valid step (as in the
/// generated <c>Run</c>).
/// </summary>
public sealed partial class OnnxGraph
{
    private static readonly int[] LstmOrder = { 0, 3, 1, 2 }; // ONNX block i,o,f,c ← PyTorch block i,f,g,o
    private static readonly int[] GruOrder = { 1, 0, 2 };     // ONNX block z,r,h ← PyTorch block r,z,n

    /// <summary>A unidirectional stacked LSTM (TorchSharp's module, batch first).</summary>
    public OnnxValue Rnn(TorchSharp.Modules.LSTM module, OnnxValue x) => Unidirectional(RnnKind.Lstm, module, x);

    /// <summary>A unidirectional stacked GRU (TorchSharp's module, batch first).</summary>
    public OnnxValue Rnn(TorchSharp.Modules.GRU module, OnnxValue x) => Unidirectional(RnnKind.Gru, module, x);

    /// <summary>The runtime's bidirectional stack: forward features first, then backward, per frame.</summary>
    public OnnxValue Rnn(BidirectionalRnn module, OnnxValue x, OnnxValue lengths)
    {
        if (IsStreaming) throw new InvalidOperationException("A bidirectional RNN reads each utterance from its end: it has no streaming form.");
        var sequenceLengths = Node("Cast", new[] { lengths }, "sequence_lens", new Attribute("to", Int: (long)DataType.Int32));
        var y = TimeMajor(x);
        var directions = module.Directions.ToList();
        for (var l = 0; l < directions.Count / 2; l++)
        {
            var layer = Layer(module.Kind, new[] { directions[2 * l], directions[2 * l + 1] }, 0, y, sequenceLengths, "bidirectional");
            // Y [T, 2, B, H] → [T, B, 2, H] → [T, B, 2H]: forward then backward features, as the runtime concatenates them.
            var perFrame = Node("Transpose", new[] { layer }, "rnn_frames", Ints("perm", 0, 2, 1, 3));
            y = Node("Reshape", new[] { perFrame, Int64s("shape_tb_", new[] { 0L, 0L, -1L }) }, "rnn_joined");
        }
        return BatchMajor(y);
    }

    private OnnxValue Unidirectional(RnnKind kind, nn.Module module, OnnxValue x)
    {
        if (IsStreaming) return StreamingRnn(kind, module, x);
        var layers = module.named_parameters().Count(p => p.name.StartsWith("weight_ih_l", StringComparison.Ordinal));
        var y = TimeMajor(x);
        for (var l = 0; l < layers; l++)
        {
            var layer = Layer(kind, new[] { module }, l, y, null, "forward");
            y = Node("Squeeze", new[] { layer, Int64s("axis_1", new[] { 1L }) }, "rnn_layer");
        }
        return BatchMajor(y);
    }

    /// <summary>One ONNX LSTM/GRU node over <paramref name="x"/> <c>[T, B, in]</c>: layer <paramref name="l"/> of each module, one module per direction.</summary>
    private OnnxValue Layer(RnnKind kind, IReadOnlyList<nn.Module> directions, int l, OnnxValue x, OnnxValue? sequenceLengths, string direction) =>
        LayerNode(kind, directions, l, x, sequenceLengths, direction, Array.Empty<OnnxValue>())[0];

    /// <summary>As <see cref="Layer"/>, with initial states (<c>initial_h</c>, then <c>initial_c</c>) and all outputs: Y, Y_h (and Y_c) when states are given.</summary>
    private OnnxValue[] LayerNode(RnnKind kind, IReadOnlyList<nn.Module> directions, int l, OnnxValue x, OnnxValue? sequenceLengths, string direction, IReadOnlyList<OnnxValue> initial)
    {
        var order = kind == RnnKind.Lstm ? LstmOrder : GruOrder;
        var w = new List<float>();
        var r = new List<float>();
        var b = new List<float>();
        long hidden = 0, input = 0;
        foreach (var module in directions)
        {
            var weightIh = Initializers.Parameter(module, $"weight_ih_l{l}");
            var weightHh = Initializers.Parameter(module, $"weight_hh_l{l}");
            hidden = weightHh.shape[1];
            input = weightIh.shape[1];
            w.AddRange(Reorder(Values(weightIh), order, (int)hidden * (int)input));
            r.AddRange(Reorder(Values(weightHh), order, (int)(hidden * hidden)));
            b.AddRange(Reorder(Values(Initializers.Parameter(module, $"bias_ih_l{l}")), order, (int)hidden));
            b.AddRange(Reorder(Values(Initializers.Parameter(module, $"bias_hh_l{l}")), order, (int)hidden));
        }
        var count = directions.Count;
        var gates = order.Length;
        var op = kind == RnnKind.Lstm ? "LSTM" : "GRU";
        var inputs = new[]
        {
            x.Name,
            Initializer(op.ToLowerInvariant() + "_w", w.ToArray(), count, gates * hidden, input).Name,
            Initializer(op.ToLowerInvariant() + "_r", r.ToArray(), count, gates * hidden, hidden).Name,
            Initializer(op.ToLowerInvariant() + "_b", b.ToArray(), count, 2 * gates * hidden).Name,
            sequenceLengths?.Name ?? "",
        }.Concat(initial.Select(i => i.Name)).ToArray();
        var attributes = new List<Attribute> { new("hidden_size", Int: hidden), new("direction", Text: direction) };
        if (kind == RnnKind.Gru) attributes.Add(new Attribute("linear_before_reset", Int: 1));
        var outputNames = new[] { Fresh(op.ToLowerInvariant()) }.Concat(initial.Select(i => Fresh(i.Name + "_last"))).ToArray();
        return Node(op, inputs, outputNames, attributes.ToArray());
    }

    /// <summary>Gate blocks of <paramref name="blockSize"/> values put in ONNX's order.</summary>
    private static float[] Reorder(float[] values, int[] order, int blockSize)
    {
        var result = new float[values.Length];
        for (var i = 0; i < order.Length; i++) Array.Copy(values, order[i] * blockSize, result, i * blockSize, blockSize);
        return result;
    }

    private OnnxValue TimeMajor(OnnxValue x) => Node("Transpose", new[] { x }, "time_major", Ints("perm", 1, 0, 2));

    private OnnxValue BatchMajor(OnnxValue x) => Node("Transpose", new[] { x }, "batch_major", Ints("perm", 1, 0, 2));
}
