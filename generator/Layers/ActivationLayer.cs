using System.Collections.Generic;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Layers;

/// <summary><c>activation</c>: a function per value (<c>linear</c> passes the input on); no weights.</summary>
internal sealed class ActivationLayer : LayerKind
{
    public override string Type => "activation";

    public override bool HasModule => false;

    public override LayerPlan? Read(LayerReading r)
    {
        r.Map.AllowOnly("type", "name", "input", "function");
        var function = r.Settings.Activation(r.Map, "function", required: true);
        if (function is null) return null;
        return r.Plan("activation", r.Input.Width, r.Input.Width, activation: function == "linear" ? null : function);
    }

    public override IEnumerable<string> Forward(LayerPlan layer)
    {
        yield return $"var {layer.Output} = {Activate(layer, layer.Inputs[0])};";
    }
}
