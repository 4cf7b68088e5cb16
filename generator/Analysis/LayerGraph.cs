using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Layers;
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
}
