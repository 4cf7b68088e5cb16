using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Traces a batch's non-finite loss before anyone is blamed: labels that cannot fit their frames and
/// features that are not finite are the data's fault and are named; otherwise the network or the
/// native library produced it from finite inputs, which is said as such (issue 20: a libtorch kernel
/// reading memory it never wrote made every conv1d + GRU spec train to NaN on some machines, and the
/// message told users to check their labels). The checks run only after a failure.
/// </summary>
internal static class NonFiniteLossDiagnosis
{
    /// <summary>Environment variable: <c>1</c> names the first layer whose output is not finite when a loss is (and fills libtorch's new memory with NaNs, <see cref="Nn.NativeAllocator.JunkFill"/>).</summary>
    public const string DebugVariable = "CTCDSL_DEBUG";

    public static NonFiniteLossException Diagnose<TExample, TBatch>(ICtcTrainable<TExample, TBatch> model, IReadOnlyList<TExample> training, IReadOnlyList<int> items, TBatch batch, int epoch, float loss)
        where TBatch : IDisposable
    {
        var infeasible = new List<string>();
        foreach (var i in items)
        {
            try { model.FrameCount(training[i]); }
            catch (ArgumentException e) { infeasible.Add($"[{i}] {e.Message}"); }
        }
        if (infeasible.Count > 0)
            return new NonFiniteLossException(epoch, items, loss, NonFiniteLossCause.InfeasibleLabels,
                $"Labels longer than their frames allow give an infinite CTC loss: {Join(infeasible)}. Fix or drop those examples, or set zero_infinity: true in the spec's ctc node.");

        var nonFinite = new List<string>();
        foreach (var i in items)
            if (training[i] is ICtcExample example && FirstNonFinite(example.Features) is { } where)
                nonFinite.Add($"[{i}] {example.Name}: {where}");
        if (nonFinite.Count > 0)
            return new NonFiniteLossException(epoch, items, loss, NonFiniteLossCause.NonFiniteFeatures,
                $"These examples' features are not finite: {Join(nonFinite)}. Check their audio or feature files.");

        var weights = WeightCheck.FirstNonFinite(model.Module);
        var again = Reevaluate(model, batch);
        var layer = Environment.GetEnvironmentVariable(DebugVariable) == "1" ? LayerTrace.FirstNonFinite(model.Module, () => Reevaluate(model, batch)) : null;
        var finding = "Their features are finite and their labels fit their frames, " +
                      (weights is null ? "and every weight is finite: " : $"but the weight '{weights}' is not: ") +
                      "a numerical fault in the network or the native library, not a problem with your data. " +
                      (float.IsFinite(again)
                          ? $"Computed again, the same batch gave {again:G6}: a result that changes between identical computations points at native code reading memory it never wrote. "
                          : $"Computed again, it gave {again} again. ") +
                      (layer is not null ? $"The first layer whose output is not finite: {layer}." : $"Rerun with {DebugVariable}=1 to name the first layer whose output is not finite.");
        return new NonFiniteLossException(epoch, items, loss, NonFiniteLossCause.NumericalFault, finding);
    }

    /// <summary>The batch's loss once more, without gradients.</summary>
    private static float Reevaluate<TExample, TBatch>(ICtcTrainable<TExample, TBatch> model, TBatch batch)
        where TBatch : IDisposable
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        using var output = model.Evaluate(batch);
        return output.Loss.item<float>();
    }

    private static string? FirstNonFinite(float[,] features)
    {
        for (var t = 0; t < features.GetLength(0); t++)
            for (var d = 0; d < features.GetLength(1); d++)
                if (!float.IsFinite(features[t, d])) return $"frame {t}, feature {d} is {features[t, d]}";
        return null;
    }

    private static string Join(List<string> problems) =>
        string.Join("; ", problems.Take(5)) + (problems.Count > 5 ? $"; and {problems.Count - 5} more" : "");
}
