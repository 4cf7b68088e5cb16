using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

internal static partial class SpecAnalyzer
{

    /// <summary>A layer as written, before its inputs are resolved.</summary>
    private sealed class RawLayer
    {
        public RawLayer(int index, YamlMap map, LayerKind kind, string name)
        {
            Index = index;
            Map = map;
            Kind = kind;
            Name = name;
        }

        public int Index { get; }
        public YamlMap Map { get; }
        public LayerKind Kind { get; }
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
                context.Report(DiagnosticCatalog.NoWeights, sequence, string.Join(", ", graph.Layers.Select(l => l.Type).Distinct()) is { Length: > 0 } kinds ? "only " + kinds : "no layers");
                return null;
            }
            return graph;
        }

        private RawLayer? ReadRawLayer(YamlMap map, int index, string previous)
        {
            var type = map.String("type", required: true, example: "lstm");
            if (type is null) return null;
            if (LayerKind.Find(type) is not { } kind)
            {
                context.Report(DiagnosticCatalog.UnknownLayerType, map.SpanOf("type"), type, Suggestions.DidYouMean(type, LayerTypes), string.Join(", ", LayerTypes));
                return null;
            }
            var name = map.String("name") ?? $"{type}{index + 1}";
            if (!Declare(name, $"layer '{name}'", map.Find("name") ?? (YamlNode)map.Node, LayerIdentifiers(name))) return null;
            var layer = new RawLayer(index, new YamlMap(context, map.Node, $"layer '{name}' ({type})"), kind, name);

            if (kind.CombinesInputs)
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
                        context.Report(DiagnosticCatalog.Cycle, layer.Map.SpanOf(layer.Kind.CombinesInputs ? "inputs" : "input"), name, string.Join(" → ", cycle));
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
            var tensors = new Dictionary<string, Tensor>
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
                var plan = layer.Kind.Read(new LayerReading(layer.Map, layer.Name, inputs, vocabulary?.ClassCount, this));
                if (plan is null) { ok = false; continue; }
                if (plan.OutputSize > SpecLimits.MaxWidth)
                {
                    context.Report(DiagnosticCatalog.InvalidValue, layer.Map.Find("name") ?? (YamlNode)layer.Map.Node, "the layer's width",
                        $"at most {SpecLimits.MaxWidth:N0} values per frame", $"{plan.OutputSize:N0} for layer '{layer.Name}'");
                    ok = false;
                    continue;
                }

                // Lengths are described by the windows that change them, compared structurally.
                var first = inputs[0];
                if (!FitsShortestInput(layer, first, plan)) { ok = false; continue; }
                var subsampling = plan.Windows.Any(w => !w.KeepsLength)
                    ? first.Subsampling.Concat(plan.Windows.Where(w => !w.KeepsLength)).ToEquatableArray()
                    : first.Subsampling;
                tensors[layer.Name] = new Tensor(layer.Name, plan.Output, plan.OutputSize, plan.OutputLengths, subsampling);
                if (streaming) CheckStreaming(layer, plan);
                if (!plan.IsAlias) plans.Add(plan);
            }
            return ok ? new LayerGraph(plans, tensors) : null;
        }

        /// <summary>Whether the shortest input the spec allows still gives each of the layer's windows one output frame (reported when not).</summary>
        private bool FitsShortestInput(RawLayer layer, Tensor input, LayerPlan plan)
        {
            if (features!.MinLength is not { } minFrames || plan.Windows.Count == 0) return true;
            var frames = input.Subsampling.Aggregate(minFrames, (length, c) => c.OutputLength(length));
            foreach (var window in plan.Windows)
            {
                if (window.OutputLength(frames) == 0)
                {
                    context.Report(DiagnosticCatalog.KernelLongerThanInput, layer.Map.SpanOf("kernel"), layer.Name, window.Span, minFrames, frames, 2 * window.Padding,
                        Math.Max(1, (frames + 2L * window.Padding - 1) / window.Dilation + 1));
                    return false;
                }
                frames = window.OutputLength(frames);
            }
            return true;
        }

        /// <summary>Most layers a spec may list (graph analysis recurses once per layer).</summary>
        private const int MaxLayers = 1000;

        /// <inheritdoc/>
        public string? Activation(YamlMap map, string key, bool required = false)
        {
            return Option(map, key, "activation", Activations, fallback: required ? null : "linear");
        }
    }
}
