using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

internal static partial class SpecAnalyzer
{
    private static readonly string[] RnnKeys = { "type", "name", "input", "units", "layers", "dropout", "bidirectional", "kernel_initializer", "recurrent_initializer", "bias_initializer" };

    /// <summary>A layer as written, before its inputs are resolved.</summary>
    private sealed class RawLayer
    {
        public RawLayer(int index, YamlMap map, string type, string name)
        {
            Index = index;
            Map = map;
            Type = type;
            Name = name;
        }

        public int Index { get; }
        public YamlMap Map { get; }
        public string Type { get; }
        public string Name { get; }
        public List<(string Name, YamlNode Node)> Inputs { get; } = new();
    }

    private sealed partial class Reader
    {
        /// <summary>
        /// Reads the layer list into a graph: each layer reads the previous one unless it names its
        /// input(s) (<c>input:</c>, or <c>inputs:</c> for add and concat); names are resolved, cycles
        /// rejected, widths and lengths inferred in dependency order.
        /// </summary>
        private LayerGraph? ReadLayers(VocabularyPlan? vocabulary)
        {
            var sequence = root.Sequence("layers", required: true, example: "[ { type: lstm, name: rnn, units: 50 } ]");
            if (sequence is null || features is null) return null;

            var raw = new List<RawLayer>();
            var ok = true;
            if (sequence.Children.Count > MaxLayers)
            {
                context.Report(DiagnosticCatalog.SpecTooLarge, sequence.Children[MaxLayers], $"more than {MaxLayers} layers", "split the model or use 'layers:' of an lstm or gru for stacks");
                return null;
            }
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                if (sequence.Children[i] is not YamlMappingNode node)
                {
                    context.Report(DiagnosticCatalog.WrongType, sequence.Children[i], $"layers[{i}]", "a mapping with 'type' and 'name'", YamlMap.Kind(sequence.Children[i]));
                    ok = false;
                    continue;
                }
                var layer = ReadRawLayer(new YamlMap(context, node, $"layer {i + 1}"), i, raw.LastOrDefault()?.Name ?? features.Name);
                if (layer is null) ok = false;
                else raw.Add(layer);
            }
            if (ok && raw.Count == 0)
            {
                context.Report(DiagnosticCatalog.InvalidValue, sequence, "layers", "at least one layer", "none");
                return null;
            }
            if (!ok || !Resolve(raw)) return null;
            var ordered = Order(raw);
            var graph = ordered is null ? null : Infer(ordered, vocabulary);
            if (graph is not null && !graph.Layers.Any(l => l.HasWeights))
            {
                context.Report(DiagnosticCatalog.NoWeights, sequence, string.Join(", ", graph.Layers.Select(l => l.Kind).Distinct()) is { Length: > 0 } kinds ? "only " + kinds : "no layers");
                return null;
            }
            return graph;
        }

        private RawLayer? ReadRawLayer(YamlMap map, int index, string previous)
        {
            var type = map.String("type", required: true, example: "lstm");
            if (type is null) return null;
            if (!LayerTypes.Contains(type))
            {
                context.Report(DiagnosticCatalog.UnknownLayerType, map.SpanOf("type"), type, Suggestions.DidYouMean(type, LayerTypes), string.Join(", ", LayerTypes));
                return null;
            }
            var name = map.String("name") ?? $"{type}{index + 1}";
            if (!Declare(name, $"layer '{name}'", map.Find("name") ?? (YamlNode)map.Node, LayerIdentifiers(name))) return null;
            var layer = new RawLayer(index, new YamlMap(context, map.Node, $"layer '{name}' ({type})"), type, name);

            if (type is "add" or "concat")
            {
                var list = layer.Map.Sequence("inputs", required: true, example: "[a, b]");
                if (list is null) return null;
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { } input }) layer.Inputs.Add((input, item));
                    else context.Report(DiagnosticCatalog.WrongType, item, "inputs", "layer names", YamlMap.Kind(item));
                }
                if (layer.Inputs.Count < 2)
                {
                    context.Report(DiagnosticCatalog.InvalidValue, list, "inputs", "at least two tensor names", layer.Inputs.Count);
                    return null;
                }
            }
            else if (layer.Map.Find("input") is { } inputNode)
            {
                var input = layer.Map.String("input");
                if (input is null) return null;
                layer.Inputs.Add((input, inputNode));
            }
            else layer.Inputs.Add((previous, layer.Map.Node));
            return layer;
        }

        /// <summary>Reports inputs that name nothing.</summary>
        private bool Resolve(List<RawLayer> raw)
        {
            var known = new HashSet<string>(raw.Select(l => l.Name)) { features!.Name };
            var ok = true;
            foreach (var layer in raw)
                foreach (var (name, node) in layer.Inputs)
                {
                    if (known.Contains(name)) continue;
                    context.Report(DiagnosticCatalog.UnknownName, node, name, "the features input or a layer", Suggestions.DidYouMean(name, known));
                    ok = false;
                }
            return ok;
        }

        /// <summary>Dependency order (stable: the listed order wherever the graph allows), or null after reporting a cycle.</summary>
        private List<RawLayer>? Order(List<RawLayer> raw)
        {
            var byName = raw.ToDictionary(l => l.Name);
            var state = new Dictionary<string, int>(); // 1: visiting, 2: done
            var order = new List<RawLayer>();
            var path = new List<string>();

            bool Visit(RawLayer layer)
            {
                state[layer.Name] = 1;
                path.Add(layer.Name);
                foreach (var (name, _) in layer.Inputs)
                {
                    if (!byName.TryGetValue(name, out var dependency)) continue; // the features input
                    if (state.TryGetValue(name, out var s) && s == 1)
                    {
                        var cycle = path.Skip(path.IndexOf(name)).Concat(new[] { name });
                        context.Report(DiagnosticCatalog.Cycle, layer.Map.SpanOf(layer.Type is "add" or "concat" ? "inputs" : "input"), name, string.Join(" → ", cycle));
                        return false;
                    }
                    if (!state.ContainsKey(name) && !Visit(dependency)) return false;
                }
                path.RemoveAt(path.Count - 1);
                state[layer.Name] = 2;
                order.Add(layer);
                return true;
            }

            foreach (var layer in raw)
                if (!state.ContainsKey(layer.Name) && !Visit(layer)) return null;
            return order;
        }

        /// <summary>Widths, lengths and settings of each layer, in dependency order.</summary>
        private LayerGraph? Infer(List<RawLayer> ordered, VocabularyPlan? vocabulary)
        {
            var featuresLocal = CSharpNames.Camel(features!.PropertyName);
            var lengthsLocal = CSharpNames.Camel(features.LengthsPropertyName);
            var tensors = new Dictionary<string, LayerGraph.Tensor>
            {
                [features.Name] = new(features.Name, featuresLocal, features.Size, lengthsLocal, EquatableArray<ConvPlan>.Empty),
            };
            var plans = new List<LayerPlan>();
            var ok = true;
            foreach (var layer in ordered)
            {
                // An input whose own settings were wrong is already reported: skip what depends on it.
                if (layer.Inputs.Any(i => !tensors.ContainsKey(i.Name))) { ok = false; continue; }
                var inputs = layer.Inputs.Select(i => tensors[i.Name]).ToList();
                var plan = ReadLayerSettings(layer, inputs, vocabulary);
                if (plan is null) { ok = false; continue; }
                if (plan.OutputSize > MaxWidth)
                {
                    context.Report(DiagnosticCatalog.InvalidValue, layer.Map.Find("name") ?? (YamlNode)layer.Map.Node, "the layer's width",
                        $"at most {MaxWidth:N0} values per frame", $"{plan.OutputSize:N0} for layer '{layer.Name}'");
                    ok = false;
                    continue;
                }

                // Lengths are described by the convolutions that change them, compared structurally.
                var first = inputs[0];
                var subsampling = plan.Conv is { KeepsLength: false } conv ? first.Subsampling.Concat(new[] { conv }).ToEquatableArray() : first.Subsampling;
                tensors[layer.Name] = new LayerGraph.Tensor(layer.Name, plan.Output, plan.OutputSize, plan.OutputLengths, subsampling);
                if (plan.Kind != "masking") plans.Add(plan);
            }
            return ok ? new LayerGraph(plans, tensors) : null;
        }

        /// <summary>Most layers a spec may list (graph analysis recurses once per layer).</summary>
        private const int MaxLayers = 1000;

        /// <summary>Most layers one lstm or gru may stack.</summary>
        private const int MaxStackedLayers = 64;

        /// <summary>Widest tensor a layer may produce (concatenations add up).</summary>
        private const long MaxWidth = 1 << 24;

        private LayerPlan? ReadLayerSettings(RawLayer layer, List<LayerGraph.Tensor> inputs, VocabularyPlan? vocabulary)
        {
            var map = layer.Map;
            var name = layer.Name;
            var input = inputs[0];
            var field = CSharpNames.Camel(name);
            var output = CSharpNames.Camel(name + "_out");
            LayerPlan Plan(string kind, int units, int outputSize, int count = 1, bool bidirectional = false, double dropout = 0, string? activation = null,
                ConvPlan? conv = null, InitializerPlan? kernel = null, InitializerPlan? recurrent = null, InitializerPlan? bias = null, bool forget = false, string? outputLocal = null) =>
                new(kind, name, field, inputs.Select(i => i.Local).ToEquatableArray(), input.LengthsLocal, outputLocal ?? output,
                    conv is null || conv.KeepsLength ? input.LengthsLocal : CSharpNames.Camel(name + "_lengths"),
                    input.Width, units, outputSize, count, bidirectional, dropout, activation, conv, kernel, recurrent, bias, forget);

            switch (layer.Type)
            {
                case "masking":
                    map.AllowOnly("type", "name", "input", "mask_value");
                    context.Report(DiagnosticCatalog.MaskingIgnored, map.Span, name);
                    // An alias of its input: later layers read the input's local directly.
                    return Plan("masking", input.Width, input.Width, outputLocal: input.Local);

                case "lstm":
                case "gru":
                {
                    map.AllowOnly(layer.Type == "lstm" ? RnnKeys.Concat(new[] { "unit_forget_bias" }).ToArray() : RnnKeys);
                    var units = Positive(map, "units", required: true);
                    var count = Positive(map, "layers", max: MaxStackedLayers) ?? 1;
                    var dropout = Rate(map, "dropout");
                    var bidirectional = map.Bool("bidirectional") ?? false;
                    var kernel = Initializer(map, "kernel_initializer", "glorot_uniform");
                    var recurrent = Initializer(map, "recurrent_initializer", "orthogonal");
                    var bias = Initializer(map, "bias_initializer", "zeros");
                    var forget = layer.Type == "lstm" && (map.Bool("unit_forget_bias") ?? true);
                    if (units is null || kernel is null || recurrent is null || bias is null) return null;
                    return Plan(layer.Type, units.Value, units.Value * (bidirectional ? 2 : 1), count, bidirectional, dropout, null, null, kernel, recurrent, bias, forget);
                }

                case "dense":
                {
                    map.AllowOnly("type", "name", "input", "units", "activation", "kernel_initializer", "bias_initializer");
                    int? units = map.Find("units") is YamlScalarNode { Value: "classes" } ? vocabulary?.ClassCount : Positive(map, "units", required: true);
                    var activation = Activation(map, "activation");
                    var kernel = Initializer(map, "kernel_initializer", "glorot_uniform");
                    var bias = Initializer(map, "bias_initializer", "zeros");
                    if (units is null || activation is null || kernel is null || bias is null) return null;
                    return Plan("dense", units.Value, units.Value, activation: activation == "linear" ? null : activation, kernel: kernel, bias: bias);
                }

                case "conv1d":
                {
                    map.AllowOnly("type", "name", "input", "filters", "kernel", "stride", "padding", "dilation", "activation", "kernel_initializer", "bias_initializer");
                    var filters = Positive(map, "filters", required: true);
                    var kernelSize = Positive(map, "kernel", required: true);
                    var stride = Positive(map, "stride") ?? 1;
                    var dilation = Positive(map, "dilation") ?? 1;
                    if ((long)dilation * ((kernelSize ?? 1) - 1) > MaxCount)
                    {
                        context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("dilation"), "dilation", $"such that dilation·(kernel − 1) is at most {MaxCount:N0}", $"{dilation}·({kernelSize} − 1)");
                        return null;
                    }
                    var padding = Padding(map, kernelSize ?? 1, dilation);
                    var activation = Activation(map, "activation");
                    var kernel = Initializer(map, "kernel_initializer", "glorot_uniform");
                    var bias = Initializer(map, "bias_initializer", "zeros");
                    if (filters is null || kernelSize is null || padding is null || activation is null || kernel is null || bias is null) return null;
                    return Plan("conv1d", filters.Value, filters.Value, activation: activation == "linear" ? null : activation,
                        conv: new ConvPlan(kernelSize.Value, stride, padding.Value, dilation), kernel: kernel, bias: bias);
                }

                case "dropout":
                {
                    map.AllowOnly("type", "name", "input", "rate");
                    var rate = Rate(map, "rate", required: true);
                    return Plan("dropout", input.Width, input.Width, dropout: rate);
                }

                case "layer_norm":
                case "batch_norm":
                    map.AllowOnly("type", "name", "input");
                    return Plan(layer.Type, input.Width, input.Width);

                case "activation":
                {
                    map.AllowOnly("type", "name", "input", "function");
                    var function = Activation(map, "function", required: true);
                    if (function is null) return null;
                    // 'linear' is the identity: the layer passes its input on unchanged.
                    return Plan("activation", input.Width, input.Width, activation: function == "linear" ? null : function);
                }

                default: // add, concat
                {
                    map.AllowOnly("type", "name", "inputs");
                    foreach (var other in inputs.Skip(1).Where(o => !o.Subsampling.Equals(input.Subsampling)))
                    {
                        context.Report(DiagnosticCatalog.LengthMismatch, map.SpanOf("inputs"), name, $"'{input.Name}'", $"'{other.Name}'",
                            LayerGraph.DescribeSubsampling(input.Subsampling), LayerGraph.DescribeSubsampling(other.Subsampling));
                        return null;
                    }
                    if (layer.Type == "add")
                    {
                        var mismatch = inputs.FirstOrDefault(o => o.Width != input.Width);
                        if (mismatch is not null)
                        {
                            context.Report(DiagnosticCatalog.WidthMismatch, map.SpanOf("inputs"), name, "add",
                                $"'{input.Name}' is {input.Width} wide and '{mismatch.Name}' is {mismatch.Width}",
                                "project one of them with a dense layer, or use concat");
                            return null;
                        }
                        return Plan("add", input.Width, input.Width);
                    }
                    var width = inputs.Sum(i => (long)i.Width);
                    if (width > MaxWidth)
                    {
                        context.Report(DiagnosticCatalog.InvalidValue, map.SpanOf("inputs"), "inputs", $"tensors at most {MaxWidth:N0} wide together", $"{width:N0} values per frame");
                        return null;
                    }
                    return Plan("concat", (int)width, (int)width);
                }
            }
        }

        /// <summary>An activation name (linear by default), or null after reporting an unknown one.</summary>
        private string? Activation(YamlMap map, string key, bool required = false)
        {
            var activation = map.String(key, required, "relu") ?? (required ? null : "linear");
            if (activation is null || Activations.Contains(activation)) return activation;
            context.Report(DiagnosticCatalog.UnknownOption, map.SpanOf(key), activation, "activation", Suggestions.DidYouMean(activation, Activations), string.Join(", ", Activations));
            return null;
        }

        /// <summary>Symmetric padding: valid (0, the default), same (keeps length at stride 1), or frames.</summary>
        private int? Padding(YamlMap map, int kernel, int dilation)
        {
            var node = map.Find("padding");
            if (node is null) return 0;
            if (node is YamlScalarNode { Value: "valid" }) return 0;
            if (node is YamlScalarNode { Value: "same" })
            {
                var span = dilation * (kernel - 1); // bounded by the caller
                if (span % 2 == 0) return span / 2;
                context.Report(DiagnosticCatalog.InvalidValue, node, "padding", "explicit frames: 'same' needs an odd receptive field (dilation·(kernel − 1) even)", $"kernel {kernel}, dilation {dilation}");
                return null;
            }
            if (node is YamlScalarNode { Value: { } text, Style: YamlDotNet.Core.ScalarStyle.Plain } && int.TryParse(text, out var frames) && frames >= 0 && frames <= MaxCount) return frames;
            context.Report(DiagnosticCatalog.InvalidValue, node, "padding", "valid, same, or a number of frames (0 or more)", YamlMap.Describe(node));
            return null;
        }
    }
}
