using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Model;
using CtcDsl.Generator.Parsing;

namespace CtcDsl.Generator.Layers;

/// <summary>
/// Everything about one layer type in one place: the keys it accepts and how it reads them (and so
/// how it changes width and lengths), and the C# it contributes — its module field, construction,
/// initialisation and forward statements. Adding a layer type is one subclass here, registered in
/// <see cref="All"/>, plus its runtime module; the abstract members make a forgotten part a compile
/// error instead of a silent default.
/// </summary>
internal abstract class LayerKind
{
    /// <summary>Every layer type, in the order the reference lists them.</summary>
    public static readonly IReadOnlyList<LayerKind> All = new LayerKind[]
    {
        new RnnLayer("lstm"), new RnnLayer("gru"), new DenseLayer(), new Conv1dLayer(), new DropoutLayer(),
        new NormLayer("layer_norm"), new NormLayer("batch_norm"), new ActivationLayer(), new CombineLayer("add"), new CombineLayer("concat"), new MaskingLayer(),
    };

    private static readonly Dictionary<string, LayerKind> ByType = All.ToDictionary(k => k.Type, StringComparer.Ordinal);

    /// <summary>The kind of <paramref name="type"/> (a type the analysis accepted).</summary>
    public static LayerKind Of(string type) => ByType[type];

    /// <summary>Whether <paramref name="type"/> names a layer type.</summary>
    public static bool Exists(string type) => ByType.ContainsKey(type);

    /// <summary>The <c>type:</c> value in a spec.</summary>
    public abstract string Type { get; }

    /// <summary>Whether the layer owns a module (and so a field).</summary>
    public abstract bool HasModule { get; }

    /// <summary>Whether the layer holds trainable projections (a model needs at least one).</summary>
    public virtual bool HasWeights => false;

    /// <summary>Whether the layer only renames its input (adds nothing to the graph the generated code runs).</summary>
    public virtual bool IsAlias => false;

    /// <summary>Whether the layer reads several tensors (<c>inputs:</c>) instead of one (<c>input:</c>).</summary>
    public virtual bool CombinesInputs => false;

    /// <summary>Reads the layer's settings; null after reporting what is wrong.</summary>
    public abstract LayerPlan? Read(LayerReading reading);

    /// <summary>The module field's type (layers with a module).</summary>
    public virtual string FieldType(LayerPlan layer) => throw new InvalidOperationException($"layer '{layer.Name}' ({Type}) has no module");

    /// <summary>The module's construction (layers with a module).</summary>
    public virtual string Construct(LayerPlan layer) => throw new InvalidOperationException($"layer '{layer.Name}' ({Type}) has no module");

    /// <summary>Statements that draw the layer's weights with the spec's initialisers.</summary>
    public virtual IEnumerable<string> Initialize(LayerPlan layer) => Enumerable.Empty<string>();

    /// <summary>The statements computing the layer's output local (and its lengths, when it subsamples).</summary>
    public abstract IEnumerable<string> Forward(LayerPlan layer);

    /// <summary>An activation applied to <paramref name="expression"/>, or the expression itself (linear).</summary>
    protected static string Activate(LayerPlan layer, string expression) =>
        layer.Activation is { } a ? $"global::TorchSharp.torch.nn.functional.{a}({expression})" : expression;
}

/// <summary>What a layer kind reads its settings with: the layer as written, its inputs, and the analysis' typed readers.</summary>
internal sealed class LayerReading(
    YamlMap map, string name, IReadOnlyList<LayerGraph.Tensor> inputs, VocabularyPlan? vocabulary, ISettingsReader settings)
{
    public YamlMap Map { get; } = map;

    public string Name { get; } = name;

    public IReadOnlyList<LayerGraph.Tensor> Inputs { get; } = inputs;

    public LayerGraph.Tensor Input => Inputs[0];

    public VocabularyPlan? Vocabulary { get; } = vocabulary;

    public ISettingsReader Settings { get; } = settings;

    public SpecContext Context => Settings.Context;

    /// <summary>The plan of this layer: its locals follow from its name, its lengths from <paramref name="conv"/>.</summary>
    public LayerPlan Plan(string kind, int units, int outputSize, int count = 1, bool bidirectional = false, double dropout = 0, string? activation = null,
        ConvPlan? conv = null, InitializerPlan? kernel = null, InitializerPlan? recurrent = null, InitializerPlan? bias = null, bool forget = false, string? outputLocal = null) =>
        new(kind, Name, CSharpNames.Camel(Name), Inputs.Select(i => i.Local).ToEquatableArray(), Input.LengthsLocal, outputLocal ?? CSharpNames.Camel(Name + "_out"),
            conv is null || conv.KeepsLength ? Input.LengthsLocal : CSharpNames.Camel(Name + "_lengths"),
            Input.Width, units, outputSize, count, bidirectional, dropout, activation, conv, kernel, recurrent, bias, forget);
}

/// <summary>The analysis' typed, diagnosing readers of settings, shared by every layer kind.</summary>
internal interface ISettingsReader
{
    SpecContext Context { get; }

    int? Positive(YamlMap map, string key, bool required = false, int max = SpecLimits.MaxCount);

    double Rate(YamlMap map, string key, bool required = false);

    InitializerPlan? Initializer(YamlMap map, string key, string fallback);

    /// <summary>An activation name (linear by default), or null after reporting an unknown one.</summary>
    string? Activation(YamlMap map, string key, bool required = false);
}

/// <summary>Bounds on the sizes a spec may give, so no arithmetic of the analysis overflows.</summary>
internal static class SpecLimits
{
    /// <summary>Largest count or size a spec may give (units, filters, kernel, epochs...).</summary>
    public const int MaxCount = 1 << 20;

    /// <summary>Widest tensor a layer may produce (concatenations add up).</summary>
    public const long MaxWidth = 1 << 24;

    /// <summary>Most layers one lstm or gru may stack.</summary>
    public const int MaxStackedLayers = 64;
}
