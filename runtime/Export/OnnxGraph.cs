using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Export;

/// <summary>A tensor of an ONNX graph being built: the name nodes refer to it by.</summary>
/// <param name="Name">Its name in the graph.</param>
public readonly record struct OnnxValue(string Name);

/// <summary>
/// Builds the ONNX graph of one CtcDsl model, layer by layer, and writes it as a standard ModelProto
/// (opset 17, IR version 8): inputs <c>features [batch, time, F]</c> float32 and
/// <c>feature_lengths [batch]</c> int64, outputs <c>logits [batch, frames, classes]</c> and
/// <c>logit_lengths [batch]</c> (plus each further CTC head's), <c>batch</c> and <c>time</c> dynamic, and
/// <see cref="OnnxModelInfo"/> in the metadata. A generated model's <c>ExportOnnx</c> makes one call
/// here per layer, in the order of its <c>Run</c>; each runtime module kind has its method (see the
/// other parts of this class), so a new layer kind is one more method beside its module.
/// </summary>
public sealed partial class OnnxGraph
{
    /// <summary>The ONNX operator set the graph uses.</summary>
    public const int Opset = 17;

    /// <summary>The IR version of the written ModelProto (ONNX 1.12, opset 17's).</summary>
    public const int IrVersion = 8;

    private readonly List<ProtoMessage> nodes = new();
    private readonly List<ProtoMessage> initializers = new();
    private readonly List<ProtoMessage> outputs = new();
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private readonly int featureSize;

    /// <summary>Starts a graph whose features are <paramref name="featureSize"/> wide.</summary>
    public OnnxGraph(int featureSize)
    {
        if (featureSize < 1) throw new ArgumentOutOfRangeException(nameof(featureSize), featureSize, "At least one value per frame.");
        this.featureSize = featureSize;
        Features = new OnnxValue(Reserve(OnnxModelInfo.FeaturesInput));
        FeatureLengths = new OnnxValue(Reserve(OnnxModelInfo.FeatureLengthsInput));
    }

    /// <summary>The features input, <c>[batch, time, F]</c>.</summary>
    public OnnxValue Features { get; }

    /// <summary>The valid frames per item, <c>[batch]</c> int64.</summary>
    public OnnxValue FeatureLengths { get; }

    /// <summary>
    /// Declares a CTC head's outputs: the first call is the primary head (<c>logits</c>,
    /// <c>logit_lengths</c>), later ones <c>{name}</c> and <c>{name}_lengths</c> (InterCTC heads).
    /// </summary>
    public void Output(OnnxValue logits, OnnxValue lengths, string? name = null)
    {
        if (IsStreaming)
        {
            StreamingOutput(logits);
            return;
        }
        var first = outputs.Count == 0;
        var logitsName = first ? OnnxModelInfo.LogitsOutput : name ?? throw new ArgumentNullException(nameof(name), "Every head after the first needs a name.");
        var lengthsName = first ? OnnxModelInfo.LogitLengthsOutput : logitsName + "_lengths";
        // Outputs get their own names through Identity: one tensor may be two heads' lengths.
        Node("Identity", new[] { logits.Name }, new[] { Reserve(logitsName) });
        Node("Identity", new[] { lengths.Name }, new[] { Reserve(lengthsName) });
        outputs.Add(ValueInfo(logitsName, DataType.Float, "batch", "frames", null));
        outputs.Add(ValueInfo(lengthsName, DataType.Int64, "batch"));
    }

    /// <summary>Writes the model to <paramref name="path"/> (replacing it only once it is complete).</summary>
    public void Save(string path, OnnxModelInfo info)
    {
        if (outputs.Count == 0) throw new InvalidOperationException("The graph has no outputs: call Output for the logits first.");
        var bytes = ToModel(info);
        var full = Path.GetFullPath(path);
        var temporary = full + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The serialised ModelProto.</summary>
    public byte[] ToModel(OnnxModelInfo info)
    {
        var graph = new ProtoMessage();
        foreach (var node in nodes) graph.Message(1, node);
        graph.String(2, info.ModelName);
        foreach (var initializer in initializers) graph.Message(5, initializer);
        graph.Message(11, ValueInfo(Features.Name, DataType.Float, "batch", "time", featureSize));
        graph.Message(11, ValueInfo(FeatureLengths.Name, DataType.Int64, "batch"));
        foreach (var input in streamInputs) graph.Message(11, input);
        foreach (var output in outputs) graph.Message(12, output);

        var model = new ProtoMessage()
            .Int64(1, IrVersion)
            .String(2, "CtcDsl")
            .String(3, typeof(OnnxGraph).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(7, graph)
            .Message(8, new ProtoMessage().String(1, "").Int64(2, Opset));
        foreach (var (key, value) in info.ToMetadata().Concat(streamMetadata).OrderBy(e => e.Key, StringComparer.Ordinal))
            model.Message(14, new ProtoMessage().String(1, key).String(2, value));
        return model.ToArray();
    }

    /// <summary>ONNX element types used here.</summary>
    private enum DataType
    {
        Float = 1,
        Int32 = 6,
        Int64 = 7,
        Bool = 9,
    }

    /// <summary>A node with one output, named after <paramref name="hint"/>.</summary>
    private OnnxValue Node(string op, IReadOnlyList<OnnxValue> inputs, string hint, params Attribute[] attributes) =>
        Node(op, inputs.Select(i => i.Name).ToArray(), new[] { Fresh(hint) }, attributes)[0];

    /// <summary>A node with the given (already unique) output names; an empty input name is an omitted optional input.</summary>
    private OnnxValue[] Node(string op, string[] inputs, string[] outputNames, params Attribute[] attributes)
    {
        var node = new ProtoMessage();
        foreach (var input in inputs) node.String(1, input);
        foreach (var output in outputNames) node.String(2, output);
        node.String(3, outputNames[0]).String(4, op);
        foreach (var attribute in attributes) node.Message(5, attribute.ToProto());
        nodes.Add(node);
        return outputNames.Select(n => new OnnxValue(n)).ToArray();
    }

    /// <summary>A float32 constant of the graph (weights), named after <paramref name="hint"/>.</summary>
    private OnnxValue Initializer(string hint, float[] values, params long[] dims)
    {
        if (values.Length != dims.Aggregate(1L, (a, b) => a * b)) throw new ArgumentException($"{hint}: {values.Length} values for shape [{string.Join(", ", dims)}].");
        var bytes = new byte[values.Length * sizeof(float)];
        // ONNX raw_data is little-endian, as is every platform .NET runs CtcDsl on.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export writes little-endian raw data.");
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return AddInitializer(hint, DataType.Float, dims, bytes);
    }

    /// <summary>An int64 constant (shapes, axes, lengths arithmetic).</summary>
    private OnnxValue Int64s(string hint, long[] values, bool scalar = false)
    {
        var bytes = new byte[values.Length * sizeof(long)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return AddInitializer(hint, DataType.Int64, scalar ? Array.Empty<long>() : new long[] { values.Length }, bytes);
    }

    private OnnxValue AddInitializer(string hint, DataType type, long[] dims, byte[] raw)
    {
        var name = Fresh(hint);
        initializers.Add(new ProtoMessage().Int64s(1, dims).Int32(2, (int)type).String(8, name).Bytes(9, raw));
        return new OnnxValue(name);
    }

    /// <summary>A value's type and shape; a string dimension is symbolic (dynamic), null unknown.</summary>
    private static ProtoMessage ValueInfo(string name, DataType type, params object?[] dims)
    {
        var shape = new ProtoMessage();
        foreach (var dim in dims)
        {
            var d = new ProtoMessage();
            if (dim is string symbol) d.String(2, symbol);
            else if (dim is int size) d.Int64(1, size);
            shape.Message(1, d);
        }
        var tensor = new ProtoMessage().Int32(1, (int)type).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensor));
    }

    private string Reserve(string name) => names.Add(name) ? name : throw new ArgumentException($"'{name}' is already a value of the graph.", nameof(name));

    private string Fresh(string hint)
    {
        if (names.Add(hint)) return hint;
        for (var i = 1; ; i++)
            if (names.Add($"{hint}_{i}")) return $"{hint}_{i}";
    }

    /// <summary>A tensor's values as float32 on the host, row-major.</summary>
    private static float[] Values(Tensor tensor)
    {
        using var host = tensor.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return host.data<float>().ToArray();
    }

    /// <summary>A node attribute.</summary>
    private sealed record Attribute(string Name, long? Int = null, float? Float = null, string? Text = null, long[]? Ints = null)
    {
        public ProtoMessage ToProto()
        {
            var proto = new ProtoMessage().String(1, Name);
            // AttributeProto.type: FLOAT 1, INT 2, STRING 3, INTS 7.
            if (Float is { } f) proto.Float(2, f).Int32(20, 1);
            else if (Int is { } i) proto.Int64(3, i).Int32(20, 2);
            else if (Text is { } s) proto.Bytes(4, System.Text.Encoding.UTF8.GetBytes(s)).Int32(20, 3);
            else if (Ints is { } list) proto.Int64s(8, list).Int32(20, 7);
            return proto;
        }
    }
}
