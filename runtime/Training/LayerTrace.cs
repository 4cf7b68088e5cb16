using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Runs a computation with a hook on each of a model's layers (its direct children, the layers its
/// spec names) and reports the first, in call order, whose output holds a NaN or an infinity, and
/// whether its inputs were finite: where a non-finite loss was born (or, when every output is finite,
/// that the loss itself overflowed). For <c>CTCDSL_DEBUG=1</c>.
/// </summary>
internal static class LayerTrace
{
    public static string FirstNonFinite(nn.Module model, Action run)
    {
        string? first = null;
        var (largest, where) = (0.0, "");
        var hooks = new List<Action>(); // each removes its hook
        void Check(string name, nn.Module layer, Tensor output, params Tensor?[] inputs)
        {
            if (first is not null) return;
            if (AllFinite(output))
            {
                var top = output.is_floating_point() && output.numel() > 0 ? output.abs().max().item<float>() : 0f;
                if (top >= largest) (largest, where) = (top, name);
                return;
            }
            var finiteIn = inputs.All(i => i is null || AllFinite(i));
            first = $"'{name}' ({layer.GetType().Name}) gave {Count(output)} non-finite values of {output.numel()} from {(finiteIn ? "finite inputs" : "inputs that were already not finite")}";
        }
        try
        {
            foreach (var (name, layer) in model.named_children())
            {
                switch (layer)
                {
                    case nn.Module<Tensor, Tensor> one:
                        { var hook = one.register_forward_hook((m, x, y) => { Check(name, m, y, x); return y; }); hooks.Add(hook.remove); }
                        break;
                    case nn.Module<Tensor, Tensor, Tensor> two:
                        { var hook = two.register_forward_hook((m, x, l, y) => { Check(name, m, y, x, l); return y; }); hooks.Add(hook.remove); }
                        break;
                    case TorchSharp.Modules.LSTM lstm:
                        { var hook = lstm.register_forward_hook((m, x, h, y) => { Check(name, m, y.Item1, x); return y; }); hooks.Add(hook.remove); }
                        break;
                    case TorchSharp.Modules.GRU gru:
                        { var hook = gru.register_forward_hook((m, x, h, y) => { Check(name, m, y.Item1, x, h); return y; }); hooks.Add(hook.remove); }
                        break;
                }
            }
            run();
        }
        finally
        {
            foreach (var remove in hooks) remove();
        }
        return first ?? $"none; every layer's output is finite (the largest magnitude, {largest:G3}, in '{where}'), so the loss computation itself (log-softmax and CTC) overflowed";
    }

    private static bool AllFinite(Tensor t) => !t.is_floating_point() || t.isfinite().all().item<bool>();

    private static long Count(Tensor t) => (~t.isfinite()).sum().item<long>();
}
