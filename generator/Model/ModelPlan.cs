namespace CtcDsl.Generator.Model;

// The lowered, validated model the emitter prints. Everything here is resolved: names are C#
// identifiers, sizes are known, defaults are filled in. Records with value equality, so an
// unchanged spec yields an equal plan and the incremental pipeline skips the emitter.

/// <summary>One spec, ready to print.</summary>
internal sealed record ModelPlan(
    string SpecFileName,
    string Namespace,
    string TypeName,
    string? Description,
    VocabularyPlan Vocabulary,
    FeatureInputPlan Features,
    LabelInputPlan Labels,
    EquatableArray<LayerPlan> Layers,
    CtcPlan Ctc,
    EquatableArray<MetricPlan> Metrics,
    OptimizerPlan Optimizer,
    TrainingPlan Training);

/// <summary>Tokens in id order (blank excluded) and the blank's class id.</summary>
internal sealed record VocabularyPlan(EquatableArray<string> Tokens, int BlankIndex, string WordSeparator)
{
    public int ClassCount => Tokens.Count + 1;
}

/// <summary>The feature input: <c>[time, Size]</c> float32 frames plus lengths.</summary>
internal sealed record FeatureInputPlan(string Name, string PropertyName, string LengthsPropertyName, int Size);

/// <summary>The label input: class-id sequences plus lengths.</summary>
internal sealed record LabelInputPlan(string Name, string PropertyName, string LengthsPropertyName);

/// <summary>One layer, with its resolved input width and output width.</summary>
internal sealed record LayerPlan(
    string Kind,
    string Name,
    string FieldName,
    string InputField,
    int InputSize,
    int Units,
    int OutputSize,
    int LayerCount,
    double Dropout,
    string? Activation,
    InitializerPlan? KernelInitializer,
    InitializerPlan? RecurrentInitializer,
    InitializerPlan? BiasInitializer,
    bool UnitForgetBias);

/// <summary>An initialiser: kind plus its numeric arguments.</summary>
internal sealed record InitializerPlan(string Kind, double Mean, double StdDev, double Low, double High);

/// <summary>The auxiliary-loss CTC node.</summary>
internal sealed record CtcPlan(string Name, string LogitsField, string Reduction, bool ZeroInfinity);

/// <summary>A metric computed by the training view.</summary>
internal sealed record MetricPlan(string Name, string Kind, string Decoder);

/// <summary>The optimiser the spec declares.</summary>
internal sealed record OptimizerPlan(string Kind, double LearningRate, double Momentum, bool Nesterov, double WeightDecay, double Beta1, double Beta2, double Epsilon);

/// <summary>Training defaults.</summary>
internal sealed record TrainingPlan(int Epochs, int BatchSize, bool Shuffle, int Seed, double? ClipGradientNorm);
