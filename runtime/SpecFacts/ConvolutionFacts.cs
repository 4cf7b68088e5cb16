// Shared with the generator: compiled into CtcDsl.Runtime (net10.0) and linked into CtcDsl.Generator
// (netstandard2.0), so keep to APIs both have. One definition of what the spec language means.
namespace CtcDsl.SpecFacts;

/// <summary>
/// The length arithmetic of a convolution over time (conv1d, and any layer that subsamples): the
/// generator uses it to check specs and to describe lengths, the runtime to compute them.
/// </summary>
internal static class ConvolutionFacts
{
    /// <summary>Frames the window spans: dilation·(kernel − 1) + 1.</summary>
    public static long Span(int kernel, int dilation) => (long)dilation * (kernel - 1) + 1;

    /// <summary>
    /// Output frames for <paramref name="length"/> input frames: ⌊(L + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1,
    /// and 0 when the window does not fit (the same arithmetic that gives a padded batch's output width).
    /// </summary>
    public static int OutputLength(int length, int kernel, int stride, int padding, int dilation)
    {
        var padded = length + 2L * padding;
        var span = Span(kernel, dilation);
        return padded < span ? 0 : (int)((padded - span) / stride + 1);
    }

    /// <summary>Whether every output length equals its input length: stride 1 and 'same' padding.</summary>
    public static bool KeepsLength(int kernel, int stride, int padding, int dilation) =>
        stride == 1 && 2L * padding == (long)dilation * (kernel - 1);

    /// <summary>The symmetric padding that keeps lengths at stride 1, or null when the span is even (no symmetric padding does).</summary>
    public static int? SamePadding(int kernel, int dilation)
    {
        var reach = (long)dilation * (kernel - 1);
        return reach % 2 == 0 ? (int)(reach / 2) : null;
    }
}
