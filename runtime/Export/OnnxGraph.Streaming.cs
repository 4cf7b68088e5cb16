using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// The streaming form of the graph (<see cref="ForStreaming"/>): one utterance (batch 1) fed a chunk of
/// feature frames at a time, the same layers with their state as inputs and outputs, so a recognizer
/// carries it from chunk to chunk (sherpa-onnx's shape). A unidirectional RNN layer takes its
/// <c>initial_h</c>/<c>initial_c</c> and returns <c>Y_h</c>/<c>Y_c</c>; a convolution keeps a cache of the input
/// frames its next windows still need (initially its left padding, zeros) and emits each output once
/// its whole window has arrived, its right padding added when <c>stream_final</c> is 1. Fed an
/// utterance chunk by chunk, it computes the offline graph's frames. Chunks may give a layer no frame
/// (a window not yet complete); ONNX Runtime's RNNs cannot run on zero steps, so each RNN layer runs on
/// its frames plus one zero frame that <c>sequence_lens</c> excludes, and keeps its state when there
/// was none.
/// </summary>
public sealed partial class OnnxGraph
{
    private readonly List<ProtoMessage> streamInputs = new();
    private readonly Dictionary<string, string> streamMetadata = new(StringComparer.Ordinal);
    private OnnxValue final;

    /// <summary>Whether this is the streaming form (<see cref="ForStreaming"/>).</summary>
    public bool IsStreaming { get; private init; }

    /// <summary>Starts the streaming form of a graph whose features are <paramref name="featureSize"/> wide (see the class remarks).</summary>
    public static OnnxGraph ForStreaming(int featureSize)
    {
        var graph = new OnnxGraph(featureSize) { IsStreaming = true };
        graph.final = new OnnxValue(graph.Reserve(OnnxModelInfo.FinalInput));
        graph.streamInputs.Add(ValueInfo(OnnxModelInfo.FinalInput, DataType.Int64, 1));
        graph.streamMetadata[OnnxModelInfo.StreamingKey] = "1";
        return graph;
    }

    /// <summary>A convolution on a chunk: cache + chunk (+ right padding at the end), the outputs whose windows are whole.</summary>
    private OnnxValue StreamingConv1d(Nn.Conv1d module, OnnxValue x, string? activation)
    {
        var w = module.weight;
        var channels = w.shape[1];
        long padding = module.Padding, stride = module.Stride, span = module.Dilation * (w.shape[2] - 1) + 1;
        var cache = StateInput("conv_cache", 1, padding, channels);
        var window = Node("Concat", new[] { cache, x }, "conv_window", new Attribute("axis", Int: 1));
        var ended = padding == 0 ? window
            : Node("Pad", new[] { window, Node("Mul", new[] { final, Int64s("conv_end_pads", new[] { 0L, 0, 0, 0, padding, 0 }) }, "conv_final_pads") }, "conv_ended");
        var frames = Node("Shape", new[] { ended }, "conv_frames", new Attribute("start", Int: 1), new Attribute("end", Int: 2));
        // Whole windows: ⌊(frames − span + stride) / stride⌋, the operand clamped at 0 so ONNX's truncating Div is the floor.
        var numerator = Node("Max", new[] { Node("Add", new[] { frames, Int64s("conv_stride_minus_span", new[] { stride - span }) }, "conv_reach"), Int64s("zero_1d", new[] { 0L }) }, "conv_reach_clamped");
        var count = Node("Div", new[] { numerator, Int64s("conv_stride", new[] { stride }) }, "conv_count");
        // Too few frames for one window: pad to one (its output is dropped), so Conv always has a window.
        var shortBy = Node("Max", new[] { Node("Sub", new[] { Int64s("conv_span", new[] { span }), frames }, "conv_missing"), Int64s("zero_1d", new[] { 0L }) }, "conv_short_by");
        var fillPads = Node("Concat", new[] { Int64s("zeros_4", new[] { 0L, 0, 0, 0 }), shortBy, Int64s("zero_1d", new[] { 0L }) }, "conv_fill_pads", new Attribute("axis", Int: 0));
        var filled = Node("Pad", new[] { ended, fillPads }, "conv_filled");
        var channelsFirst = Node("Transpose", new[] { filled }, "conv_in", Ints("perm", 0, 2, 1));
        var conv = Node("Conv", new[] { channelsFirst, Initializer("conv_weight", Values(w), w.shape), Initializer("conv_bias", Values(module.bias), module.bias.shape[0]) }, "conv",
            Ints("kernel_shape", w.shape[2]), Ints("strides", stride), Ints("pads", 0, 0), Ints("dilations", module.Dilation));
        var all = Node("Transpose", new[] { conv }, "conv_out", Ints("perm", 0, 2, 1));
        var y = Node("Slice", new[] { all, Int64s("zero_1d", new[] { 0L }), count, Int64s("axis_1", new[] { 1L }) }, "conv_whole");
        // The next chunk's windows start at output `count`: keep the frames from count·stride on.
        var consumed = Node("Mul", new[] { count, Int64s("conv_stride", new[] { stride }) }, "conv_consumed");
        StateOutput(cache, Node("Slice", new[] { window, consumed, Int64s("int64_max", new[] { long.MaxValue }), Int64s("axis_1", new[] { 1L }) }, "conv_cache_next"));
        return Activation(activation, y);
    }

    /// <summary>A unidirectional stack on a chunk, each layer's state carried (see the class remarks for the extra frame).</summary>
    private OnnxValue StreamingRnn(RnnKind kind, nn.Module module, OnnxValue x)
    {
        var layers = module.named_parameters().Count(p => p.name.StartsWith("weight_ih_l", StringComparison.Ordinal));
        var y = TimeMajor(x);
        for (var l = 0; l < layers; l++)
        {
            var input = Initializers.Parameter(module, $"weight_ih_l{l}").shape[1];
            var hidden = Initializers.Parameter(module, $"weight_hh_l{l}").shape[1];
            var steps = Node("Shape", new[] { y }, "rnn_steps", new Attribute("start", Int: 0), new Attribute("end", Int: 1));
            var padded = Node("Concat", new[] { y, Initializer("rnn_spare_frame", new float[input], 1, 1, input) }, "rnn_padded", new Attribute("axis", Int: 0));
            var lengths = Node("Cast", new[] { Node("Max", new[] { steps, Int64s("one_1d", new[] { 1L }) }, "rnn_steps_at_least_1") }, "rnn_lens", new Attribute("to", Int: (long)DataType.Int32));
            var h = StateInput("rnn_h", 1, 1, hidden);
            var c = kind == RnnKind.Lstm ? StateInput("rnn_c", 1, 1, hidden) : (OnnxValue?)null;
            var outputs = LayerNode(kind, new[] { module }, l, padded, lengths, "forward", c is { } cell ? new[] { h, cell } : new[] { h });
            var ran = Node("Greater", new[] { steps, Int64s("zero_1d", new[] { 0L }) }, "rnn_ran");
            StateOutput(h, Node("Where", new[] { ran, outputs[1], h }, "rnn_h_next"));
            if (c is { } c0) StateOutput(c0, Node("Where", new[] { ran, outputs[2], c0 }, "rnn_c_next"));
            var frames = Node("Squeeze", new[] { outputs[0], Int64s("axis_1", new[] { 1L }) }, "rnn_layer");
            y = Node("Slice", new[] { frames, Int64s("zero_1d", new[] { 0L }), steps, Int64s("axis_0", new[] { 0L }) }, "rnn_steps_out");
        }
        return BatchMajor(y);
    }

    /// <summary>The streaming graph's outputs: the primary head's logits of the chunk and their count (further heads are training aids, left out).</summary>
    private void StreamingOutput(OnnxValue logits)
    {
        if (names.Contains(OnnxModelInfo.LogitsOutput)) return;
        Node("Identity", new[] { logits.Name }, new[] { Reserve(OnnxModelInfo.LogitsOutput) });
        Node("Shape", new[] { logits.Name }, new[] { Reserve(OnnxModelInfo.LogitLengthsOutput) }, new Attribute("start", Int: 1), new Attribute("end", Int: 2));
        outputs.Add(ValueInfo(OnnxModelInfo.LogitsOutput, DataType.Float, 1, "frames", null));
        outputs.Add(ValueInfo(OnnxModelInfo.LogitLengthsOutput, DataType.Int64, 1));
    }

    /// <summary>A state input, zeros of <paramref name="dims"/> at the start of an utterance (a 0 in the time axis of a cache is dynamic).</summary>
    private OnnxValue StateInput(string hint, params long[] dims)
    {
        var name = Fresh("state_" + hint);
        var shape = dims.Select((d, i) => i == 1 && hint == "conv_cache" ? (object)(name + "_frames") : (int)d).ToArray();
        streamInputs.Add(ValueInfo(name, DataType.Float, shape));
        streamMetadata[OnnxModelInfo.StateKeyPrefix + name] = string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        return new OnnxValue(name);
    }

    private void StateOutput(OnnxValue state, OnnxValue next)
    {
        var name = Reserve(state.Name + "_out");
        Node("Identity", new[] { next.Name }, new[] { name });
        outputs.Add(ValueInfo(name, DataType.Float, null, null, null));
    }
}
