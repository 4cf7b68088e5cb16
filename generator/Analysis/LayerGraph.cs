using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Analysis;

/// <summary>The layers of a spec in dependency order, and every named tensor with its width and lengths.</summary>
internal sealed class LayerGraph
{
    private readonly Dictionary<string, Tensor> tensors;

    public LayerGraph(List<LayerPlan> layers, Dictionary<string, Tensor> tensors)
    {
        Layers = layers;
        this.tensors = tensors;
    }

    /// <summary>Layers in the order the generated code runs them.</summary>
    public List<LayerPlan> Layers { get; }

    /// <summary>Every tensor name: the features input and each layer.</summary>
    public IEnumerable<string> Names => tensors.Keys.OrderBy(n => n, System.StringComparer.Ordinal);

    public Tensor? Find(string name) => tensors.TryGetValue(name, out var tensor) ? tensor : null;

    /// <summary>
    /// A named tensor: the local holding it in generated code, its width, the local of its valid
    /// lengths, and the convolutions between the features and it that change lengths (compared
    /// structurally: two tensors have the same lengths exactly when these are equal).
    /// </summary>
    internal sealed record Tensor(string Name, string Local, int Width, string LengthsLocal, EquatableArray<ConvPlan> Subsampling);

    /// <summary>Lengths in words, for messages: "the input's lengths", or the convolutions that change them.</summary>
    public static string DescribeSubsampling(EquatableArray<ConvPlan> subsampling) =>
        subsampling.Count == 0
            ? "the input's lengths"
            : string.Join(" then ", subsampling.Select(c => $"a convolution of kernel {c.Kernel}, stride {c.Stride}, padding {c.Padding}, dilation {c.Dilation}"));
}
