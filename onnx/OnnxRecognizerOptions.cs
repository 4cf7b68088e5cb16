namespace CtcDsl.Onnx;

/// <summary>How <see cref="OnnxRecognizer"/> runs its ONNX Runtime session.</summary>
public sealed record OnnxRecognizerOptions
{
    /// <summary>
    /// Threads one inference may use; null: <c>CTCDSL_THREADS</c> when set, else the CPUs this process
    /// may use (<see cref="System.Environment.ProcessorCount"/> follows CPU affinity and container quotas).
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>Utterances per ONNX Runtime call when transcribing many (default 16): a padded batch, exact for every item.</summary>
    public int BatchSize { get; init; } = 16;
}
