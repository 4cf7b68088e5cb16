using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Generator.Model;

/// <summary>
/// Where a layer sits in the generated <c>Run</c> method: its spec name, its module field, the locals it
/// reads (<see cref="Inputs"/>, <see cref="InputLengths"/>) and the locals it defines (<see cref="Output"/>,
/// <see cref="OutputLengths"/>, the input lengths themselves unless the layer changes them), and the width
/// of its (first) input.
/// </summary>
internal sealed record LayerWiring(
    string Name,
    string FieldName,
    EquatableArray<string> Inputs,
    string InputLengths,
    string Output,
    string OutputLengths,
    int InputSize);

/// <summary>
/// One layer of the plan. Each layer kind (generator/Layers, one file per kind) derives a sealed record
/// holding its own typed settings, and implements the members below: its output width, how it changes
/// lengths, and the C# it contributes. The emitter knows nothing of kinds: it prints what these return.
/// Records compare by value, so an unchanged spec gives an equal plan and the pipeline's cache holds.
/// </summary>
internal abstract record LayerPlan(LayerWiring Wiring)
{
    public string Name => Wiring.Name;

    public string FieldName => Wiring.FieldName;

    public EquatableArray<string> Inputs => Wiring.Inputs;

    public string InputLengths => Wiring.InputLengths;

    public string Output => Wiring.Output;

    public string OutputLengths => Wiring.OutputLengths;

    public int InputSize => Wiring.InputSize;

    /// <summary>The <c>type:</c> value in the spec.</summary>
    public abstract string Type { get; }

    /// <summary>Values per output frame.</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// The windows over time that set the output lengths, in order (each frame count goes through
    /// <see cref="ConvPlan.OutputLength"/>); empty: one output frame per input frame.
    /// </summary>
    public virtual EquatableArray<ConvPlan> Windows => EquatableArray<ConvPlan>.Empty;

    /// <summary>Whether the layer holds trainable projections (a model needs at least one).</summary>
    public virtual bool HasWeights => false;

    /// <summary>Whether the layer only renames its input (it adds nothing to the code that runs).</summary>
    public virtual bool IsAlias => false;

    /// <summary>
    /// Why the layer cannot run on audio in pieces with its state carried (a spec's <c>streaming: true</c>,
    /// diagnostic CTC0030), or null when it can. Conservative by default: a kind streams once its
    /// <c>OnnxGraph</c> method has a streaming form and it says so here.
    /// </summary>
    public virtual string? StreamingObstacle => $"{Type} layers have no streaming form yet";

    /// <summary>The type of the layer's module field; null when the layer owns no module.</summary>
    public virtual string? FieldType => null;

    /// <summary>The expression constructing the module (layers with a <see cref="FieldType"/>).</summary>
    public virtual string Construct() => throw new InvalidOperationException($"layer '{Name}' ({Type}) has no module");

    /// <summary>Statements that draw the layer's weights with the spec's initialisers.</summary>
    public virtual IEnumerable<string> Initialize() => Enumerable.Empty<string>();

    /// <summary>The statements computing <see cref="Output"/> (and <see cref="OutputLengths"/> when the layer changes lengths).</summary>
    public abstract IEnumerable<string> Forward();

    /// <summary>
    /// The statements of the generated <c>ExportOnnx</c> adding the layer to the ONNX graph <c>onnx</c>
    /// (the runtime's <c>OnnxGraph</c>): the same locals as <see cref="Forward"/>, holding graph values.
    /// </summary>
    public abstract IEnumerable<string> Export();

    /// <summary>
    /// The PyTorch expression constructing the module in the exported Python package (layers with a
    /// <see cref="FieldType"/>): same parameter names and shapes as <see cref="Construct"/>'s module.
    /// </summary>
    public virtual string PythonConstruct() => throw new InvalidOperationException($"layer '{Name}' ({Type}) has no module");

    /// <summary>Python statements drawing the weights with the spec's initialisers, as <see cref="Initialize"/>.</summary>
    public virtual IEnumerable<string> PythonInitialize() => Enumerable.Empty<string>();

    /// <summary>The Python statements of <see cref="Forward"/>, on the same locals.</summary>
    public abstract IEnumerable<string> PythonForward();
}
