using Microsoft.CodeAnalysis;

namespace CtcDsl.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. IDs are stable: never renumber or reuse one.
/// Messages say what is wrong and what to write instead.
/// </summary>
internal static class DiagnosticCatalog
{
    private const string Category = "CtcDsl";

    public static readonly DiagnosticDescriptor YamlSyntax = Error("CTC0001", "Invalid YAML",
        "The spec is not valid YAML: {0}");

    public static readonly DiagnosticDescriptor UnknownKey = Error("CTC0002", "Unknown key",
        "Unknown key '{0}' in {1}{2}");

    public static readonly DiagnosticDescriptor WrongType = Error("CTC0003", "Wrong value type",
        "'{0}' must be {1}; found {2}");

    public static readonly DiagnosticDescriptor MissingKey = Error("CTC0004", "Missing key",
        "{0} needs '{1}': add '{1}: {2}'");

    public static readonly DiagnosticDescriptor UnknownLayerType = Error("CTC0005", "Unknown layer type",
        "Unknown layer type '{0}'{1}; valid types: {2}");

    public static readonly DiagnosticDescriptor UnknownName = Error("CTC0006", "Unknown name",
        "'{0}' does not name {1}{2}");

    public static readonly DiagnosticDescriptor DuplicateName = Error("CTC0007", "Duplicate name",
        "The name '{0}' is already used by {1}; give each input and layer its own name");

    public static readonly DiagnosticDescriptor LogitsWidth = Error("CTC0008", "CTC logits width does not match the vocabulary",
        "The CTC logits '{0}' have {1} units but the vocabulary has {2} tokens + 1 blank = {3} classes; set units: {3} (or units: classes)");

    public static readonly DiagnosticDescriptor InvalidBlank = Error("CTC0009", "Invalid blank",
        "blank must be first, last, or an index from 0 to {0}; found '{1}'");

    public static readonly DiagnosticDescriptor InvalidValue = Error("CTC0010", "Invalid value",
        "'{0}' must be {1}; found {2}");

    public static readonly DiagnosticDescriptor UnsupportedVersion = Error("CTC0011", "Unsupported spec version",
        "This generator reads spec version 1; found version '{0}'. Write 'version: 1' or update CtcDsl.Generator.");

    public static readonly DiagnosticDescriptor DuplicateToken = Error("CTC0012", "Duplicate token",
        "The token '{0}' appears more than once in the vocabulary; remove the repeat");

    public static readonly DiagnosticDescriptor UnknownOption = Error("CTC0013", "Unknown option value",
        "'{0}' is not a valid {1}{2}; valid values: {3}");

    public static readonly DiagnosticDescriptor MissingInput = Error("CTC0014", "Missing input",
        "The spec declares no {0} input; add one under 'inputs' with 'kind: {0}'");

    public static readonly DiagnosticDescriptor UnsupportedDtype = Error("CTC0015", "Unsupported dtype",
        "dtype '{0}' is not supported for {1}; use {2}");

    public static readonly DiagnosticDescriptor InvalidModelName = Error("CTC0016", "Invalid model name",
        "'{0}' is not a valid C# identifier for the model name; set 'name:' to a name such as {1}");

    public static readonly DiagnosticDescriptor MaskingIgnored = new("CTC0017", "masking is a no-op",
        "Layer '{0}' is a Keras-style masking layer; lengths already mask padding, so it is ignored. Remove it.",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor Cycle = Error("CTC0018", "Layer cycle",
        "Layer '{0}' depends on itself through {1}; layers must form a directed acyclic graph");

    public static readonly DiagnosticDescriptor WidthMismatch = Error("CTC0019", "Dimensions do not chain",
        "Layer '{0}' ({1}) needs inputs of equal width, but {2}; {3}");

    public static readonly DiagnosticDescriptor LengthMismatch = Error("CTC0020", "Inputs with different lengths",
        "Layer '{0}' combines {1} and {2}, whose lengths differ ({3} vs {4}); combine tensors with the same subsampling");

    public static readonly DiagnosticDescriptor OutputTooShort = new("CTC0021", "Outputs shorter than the labels",
        "With inputs of at least {0} frames, '{1}' has at least {2} frames ({3}), fewer than the {4} labels the labels input allows; CTC needs at least one frame per label. Reduce the stride or raise min_length.",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FrontEndWidth = Error("CTC0022", "Front-end width does not match the features input",
        "The front-end gives {0} values per frame ({1}) but the features input is declared [time, {2}]; set shape: [time, {0}]");

    public static readonly DiagnosticDescriptor NoWeights = Error("CTC0023", "No layer with weights",
        "The layers hold no weights ({0}), so there is nothing to train; add a dense, conv1d, lstm or gru layer");

    public static readonly DiagnosticDescriptor SpecTooLarge = Error("CTC0024", "Spec too deep or too large",
        "The spec goes beyond what a spec may hold: {0}; {1}");

    public static readonly DiagnosticDescriptor DuplicateModel = Error("CTC0025", "Two specs generate the same types",
        "The model '{0}' is also generated by {1}; no code is generated for either. Give each spec its own 'name:' or 'namespace:'");

    public static readonly DiagnosticDescriptor EmptyMelFilters = new("CTC0026", "Mel filters without frequency bins",
        "{0} mel filters at {1} Hz: the 25 ms window's {2}-point FFT leaves the lowest filters without a frequency bin, so their features are constant; use at most {3} filters or a higher sample_rate",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor KernelLongerThanInput = Error("CTC0027", "Convolution window longer than the shortest input",
        "Layer '{0}' spans {1} frames (dilation·(kernel − 1) + 1), but with inputs of min_length {2} it may receive {3} frames plus {4} of padding; it would produce no output. Use a kernel of at most {5}, more padding, or a larger min_length");

    public static readonly DiagnosticDescriptor MetricNameCollision = Error("CTC0028", "Metric name collides with a validation value",
        "Metric '{0}' has the name the history gives to the validation value of '{1}' (every value gets a val_ counterpart); give it a name that does not start with val_");

    // Reported only by the PyTorch export (ctcdsl export-pytorch), never on a build: the C# model supports the option.
    public static readonly DiagnosticDescriptor NoPyTorchCounterpart = Error("CTC0029", "No PyTorch counterpart yet",
        "The spec sets {0}, which the exported PyTorch package does not implement yet ({1}); remove it to export, or train this spec with CtcDsl");

    public static readonly DiagnosticDescriptor NotStreamable = Error("CTC0030", "The spec cannot stream",
        "The spec asks for streaming, but {0} cannot stream: {1}; {2}, or remove 'streaming: true'");

    public static readonly DiagnosticDescriptor SubwordConflict = Error("CTC0031", "Subword vocabulary with a conflicting key",
        "'{0}' does not go with a subword vocabulary: {1}");

    public static readonly DiagnosticDescriptor ModelFileMissing = Error("CTC0032", "SentencePiece model file not found",
        "The SentencePiece model '{0}' is not among the project's additional files (looked for {1}); check the path (relative to the spec) or add <AdditionalFiles Include=\"{0}\" /> to the project");

    public static readonly DiagnosticDescriptor InternalError = Error("CTC0099", "Generator failure",
        "The CtcDsl generator failed on this spec ({0}); no code was generated for it. Please report this with the spec.");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
