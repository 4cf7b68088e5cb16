using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// A layer type as the analysis meets it: its <c>type:</c> value, whether it reads one tensor or
/// several, and how it reads its settings into its plan record. Each kind's file (one per kind in this
/// folder) declares its kind beside its record; <see cref="All"/> registers it.
/// </summary>
internal sealed class LayerKind
{
    /// <summary>Every layer type, in the order the reference lists them.</summary>
    public static readonly IReadOnlyList<LayerKind> All = new[]
    {
        RnnLayer.Lstm, RnnLayer.Gru, DenseLayer.Kind, Conv1dLayer.Kind, DropoutLayer.Kind,
        LayerNormLayer.Kind, BatchNormLayer.Kind, ActivationLayer.Kind, CombineLayer.Add, CombineLayer.Concat, MaskingLayer.Kind,
        Conv2dSubsamplingLayer.Kind, ConformerLayer.Kind, TransformerLayer.Kind,
    };

    private static readonly Dictionary<string, LayerKind> ByType = All.ToDictionary(k => k.Type, StringComparer.Ordinal);

    private readonly Func<LayerReading, LayerPlan?> read;

    /// <param name="type">The <c>type:</c> value in a spec.</param>
    /// <param name="read">Reads, validates and plans one layer of this kind; null after reporting what is wrong.</param>
    /// <param name="combinesInputs">Whether the layer reads several tensors (<c>inputs:</c>) instead of one (<c>input:</c>).</param>
    public LayerKind(string type, Func<LayerReading, LayerPlan?> read, bool combinesInputs = false)
    {
        Type = type;
        this.read = read;
        CombinesInputs = combinesInputs;
    }

    /// <summary>The kind of <paramref name="type"/>, or null when no layer type has that name.</summary>
    public static LayerKind? Find(string type) => ByType.TryGetValue(type, out var kind) ? kind : null;

    public string Type { get; }

    public bool CombinesInputs { get; }

    /// <summary>Reads the layer's settings; null after reporting what is wrong.</summary>
    public LayerPlan? Read(LayerReading reading) => read(reading);
}

/// <summary>
/// A named tensor while the analysis walks the layers: the local holding it in generated code, its
/// width, the local of its valid lengths, and the windows between the features and it that change
/// lengths (compared structurally: two tensors have the same lengths exactly when these are equal).
/// </summary>
internal sealed record Tensor(string Name, string Local, int Width, string LengthsLocal, EquatableArray<ConvPlan> Subsampling)
{
    /// <summary>Lengths in words, for messages: "the input's lengths", or the convolutions that change them.</summary>
    public static string DescribeLengths(EquatableArray<ConvPlan> subsampling) =>
        subsampling.Count == 0
            ? "the input's lengths"
            : string.Join(" then ", subsampling.Select(c => $"a convolution of kernel {c.Kernel}, stride {c.Stride}, padding {c.Padding}, dilation {c.Dilation}"));
}

/// <summary>What a layer kind reads its settings with: the layer as written, its inputs, and the analysis' typed readers.</summary>
internal sealed class LayerReading(YamlMap map, string name, IReadOnlyList<Tensor> inputs, int? classCount, ISettingsReader settings)
{
    /// <summary>The layer's mapping (its keys; messages name the layer).</summary>
    public YamlMap Map { get; } = map;

    public string Name { get; } = name;

    public IReadOnlyList<Tensor> Inputs { get; } = inputs;

    public Tensor Input => Inputs[0];

    /// <summary>Tokens + blank, for <c>units: classes</c>; null when the vocabulary had errors.</summary>
    public int? ClassCount { get; } = classCount;

    public ISettingsReader Settings { get; } = settings;

    public SpecContext Context => Settings.Context;

    /// <summary>The layer's locals, which follow from its name: its output, and its lengths.</summary>
    /// <param name="windows">The layer's windows over time (<see cref="LayerPlan.Windows"/>): when one changes lengths the layer defines its own lengths local, else it passes its input's on.</param>
    /// <param name="outputLocal">The output's local when it is not the layer's own (an alias passes its input's on).</param>
    public LayerWiring Wiring(IEnumerable<ConvPlan>? windows = null, string? outputLocal = null) =>
        new(Name, CSharpNames.Camel(Name), Inputs.Select(i => i.Local).ToEquatableArray(), Input.LengthsLocal,
            outputLocal ?? CSharpNames.Camel(Name + "_out"),
            windows is null || windows.All(w => w.KeepsLength) ? Input.LengthsLocal : CSharpNames.Camel(Name + "_lengths"),
            Input.Width);
}

/// <summary>The analysis' typed, diagnosing readers of settings, shared by every layer kind (the analysis implements it).</summary>
internal interface ISettingsReader
{
    SpecContext Context { get; }

    int? Positive(YamlMap map, string key, bool required = false, int max = SpecLimits.MaxCount);

    double Rate(YamlMap map, string key, bool required = false);

    InitializerPlan? Initializer(YamlMap map, string key, string fallback);

    /// <summary>An activation name (linear by default), or null after reporting an unknown one.</summary>
    string? Activation(YamlMap map, string key, bool required = false);

    /// <summary>An enumerated option: the value written (<paramref name="fallback"/> when absent), or null after reporting a value outside <paramref name="values"/> with the nearest valid one (CTC0013).</summary>
    string? Choice(YamlMap map, string key, string what, string[] values, string fallback);
}
