using CtcDsl.SpecFacts;

namespace CtcDsl.Generator.Model;

// The lowered, validated model the emitter prints. Everything here is resolved: names are C#
// identifiers, sizes are known, defaults are filled in, layers are in dependency order. Records
// with value equality, so an unchanged spec yields an equal plan and the pipeline skips the emitter.

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
    EquatableArray<CtcPlan> CtcNodes,
    EquatableArray<MetricPlan> Metrics,
    DecoderPlan Decoder,
    OptimizerPlan Optimizer,
    TrainingPlan Training,
    FrontEndPlan? FrontEnd,
    bool Streaming = false)
{
    /// <summary>The CTC node whose logits the prediction view returns and decodes (the first declared).</summary>
    public CtcPlan Primary => CtcNodes[0];
}

/// <summary>Tokens in id order (blank excluded) and the blank's class id; a subword vocabulary has no tokens here, only its <see cref="Subwords"/> settings.</summary>
internal sealed record VocabularyPlan(EquatableArray<string> Tokens, int BlankIndex, string WordSeparator, string UnknownCharacters, EquatableArray<CharacterMapping> Map, SubwordPlan? Subwords)
{
    /// <summary>Tokens or subword pieces, blank excluded.</summary>
    public int TokenCount => Subwords?.Size ?? Tokens.Count;

    public int ClassCount => TokenCount + 1;
}

/// <summary>A subword vocabulary: <c>bpe</c> or <c>unigram</c> trained at run time, or <c>sentencepiece</c> from <see cref="ModelFile"/> (as the spec names it, relative to <see cref="SpecFolder"/>); <see cref="Size"/> pieces.</summary>
internal sealed record SubwordPlan(string Type, int Size, string? ModelFile, string SpecFolder);

/// <summary>The feature input: <c>[time, Size]</c> float32 frames plus lengths.</summary>
internal sealed record FeatureInputPlan(string Name, string PropertyName, string LengthsPropertyName, int Size, int? MinLength);

/// <summary>The label input: class-id sequences plus lengths.</summary>
internal sealed record LabelInputPlan(string Name, string PropertyName, string LengthsPropertyName, int? MaxLength);

/// <summary>
/// A convolution's window over time: kernel, stride, symmetric padding, dilation. Layers that change
/// lengths describe them with these (<see cref="LayerPlan.Windows"/>); the arithmetic is the spec
/// language's, shared with the runtime (SpecFacts/ConvolutionFacts).
/// </summary>
internal sealed record ConvPlan(int Kernel, int Stride, int Padding, int Dilation)
{
    /// <summary>Whether output lengths equal input lengths (stride 1, 'same' padding): such a convolution never changes lengths.</summary>
    public bool KeepsLength => ConvolutionFacts.KeepsLength(Kernel, Stride, Padding, Dilation);

    /// <summary>Frames the window spans: dilation·(kernel − 1) + 1.</summary>
    public long Span => ConvolutionFacts.Span(Kernel, Dilation);

    /// <summary>The output length for an input of <paramref name="frames"/> frames (0 when the window does not fit).</summary>
    public int OutputLength(int frames) => ConvolutionFacts.OutputLength(frames, Kernel, Stride, Padding, Dilation);
}

/// <summary>An initialiser: kind plus its numeric arguments.</summary>
internal sealed record InitializerPlan(string Kind, double Mean, double StdDev, double Low, double High);

/// <summary>
/// A CTC loss node: which layer's output are its logits (the outputs-record property and the locals of
/// the generated Run method holding them and their lengths), the convolutions that subsample the
/// features on the way (the emitter prints the length arithmetic), and how its loss is formed.
/// </summary>
internal sealed record CtcPlan(
    string Name,
    string LossField,
    string LogitsProperty,
    string LogitsLocal,
    string LengthsLocal,
    EquatableArray<ConvPlan> Subsampling,
    string Reduction,
    bool ZeroInfinity,
    double Weight);

/// <summary>A metric computed by the training view.</summary>
internal sealed record MetricPlan(string Name, string Kind, string Decoder, string Aggregation);

/// <summary>The prediction view's decoder.</summary>
internal sealed record DecoderPlan(string Kind, int BeamWidth, double PruneThreshold, int NBest)
{
    /// <summary>Language-model fusion, a lexicon or hotwords: the fused beam search; null: the plain one.</summary>
    public FusionPlan? Fusion { get; init; }
}

/// <summary>
/// What the spec fuses into the beam search. Paths are as the spec writes them; <see cref="SpecFolder"/>
/// is the spec's folder relative to its project (never absolute: generated code is the same on every machine).
/// </summary>
internal sealed record FusionPlan(string SpecFolder, string? LanguageModel, double Alpha, double Beta, string Unit, string? Lexicon, double? OutOfLexiconPenalty, EquatableArray<HotwordPlan> Hotwords);

/// <summary>A phrase the decoder favours, and by how much (natural log, per word).</summary>
internal sealed record HotwordPlan(string Phrase, double Boost);

/// <summary>The optimiser the spec declares.</summary>
internal sealed record OptimizerPlan(string Kind, double LearningRate, double Momentum, bool Nesterov, double WeightDecay, double Beta1, double Beta2, double Epsilon);

/// <summary>Training defaults.</summary>
internal sealed record TrainingPlan(int Epochs, int BatchSize, bool Shuffle, int Seed, double? ClipGradientNorm, SchedulePlan? Schedule, bool SkipNonFinite, EarlyStoppingPlan? EarlyStopping);

/// <summary>Early stopping: the monitored value, patience, minimum improvement and direction.</summary>
internal sealed record EarlyStoppingPlan(string Monitor, int Patience, double MinDelta, bool Maximize);

/// <summary>A learning-rate schedule (see the runtime's LearningRateSchedule).</summary>
internal sealed record SchedulePlan(string Kind, int StepSize, double Gamma, int Epochs, double MinimumRate, long WarmupSteps);

/// <summary>The audio front-end a spec declares (<c>features:</c>).</summary>
internal sealed record FrontEndPlan(string Kind, int SampleRate, int Coefficients, int Filters, int Deltas, string Normalization, SpecAugmentPlan? Augment)
{
    public int Width => FrontEndFacts.Width(Kind, Coefficients, Filters, Deltas);
}

/// <summary>SpecAugment masking of training batches.</summary>
internal sealed record SpecAugmentPlan(int FrequencyMasks, int MaxFrequencyWidth, int TimeMasks, int MaxTimeWidth, double MaxTimeFraction);

/// <summary>A character replacement of the vocabulary's unknown-character policy.</summary>
internal sealed record CharacterMapping(string From, string To);
