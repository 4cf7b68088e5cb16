using System;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// How many intra-op threads a model's training step can use well on the CPU (issue 21).
/// <para>
/// A recurrent layer runs one small matrix product per time step, forward and backward. Splitting
/// it over threads saves part of its few microseconds of work but costs a wake-up of the sleeping
/// OpenMP threads every time, so a small recurrent model (the seed's LSTM(50) on batches of 2) ran
/// 3–8× slower on two threads than on one. The wall time of such a model is its recurrent steps:
/// the choice is made from the largest per-step product, <c>batch × gates·hidden × hidden</c>
/// multiply-adds, one thread for every <see cref="LstmMultiplyAddsPerThread"/> (LSTM) or
/// <see cref="GruMultiplyAddsPerThread"/> (GRU, whose steps hold more element-wise work) of it, up
/// to the CPUs this process may use. A model without recurrent layers gets them all: its products
/// span the whole batch and every frame.
/// </para>
/// <para>
/// The constants are where two threads started to beat one on a 2-core AMD EPYC
/// (<c>bench/CtcDsl.Bench -- --threads</c> prints that crossover); the rule is deterministic, so the
/// same spec, batch size and CPU count give the same thread count, and the same history, every run.
/// </para>
/// </summary>
public static class ThreadPlan
{
    /// <summary>Per-step LSTM multiply-adds worth one more thread.</summary>
    public const long LstmMultiplyAddsPerThread = 1_000_000;

    /// <summary>Per-step GRU (and plain RNN) multiply-adds worth one more thread.</summary>
    public const long GruMultiplyAddsPerThread = 2_400_000;

    /// <summary>The intra-op threads for training <paramref name="model"/> on batches of <paramref name="batchSize"/> with <paramref name="cpus"/> CPUs available.</summary>
    public static int ForTraining(nn.Module model, int batchSize, int cpus)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "At least one example per batch.");
        if (cpus < 1) throw new ArgumentOutOfRangeException(nameof(cpus), cpus, "At least one CPU.");
        var useful = RecurrentSteps(model, batchSize).Select(s => s.MultiplyAdds / s.PerThread).DefaultIfEmpty(long.MaxValue).Max();
        return (int)Math.Clamp(useful, 1, cpus);
    }

    /// <summary>A short reason for run headers: "recurrent step of 0.03 M multiply-adds".</summary>
    public static string Explain(nn.Module model, int batchSize) =>
        RecurrentSteps(model, batchSize).OrderByDescending(s => s.MultiplyAdds).FirstOrDefault() is { MultiplyAdds: > 0 } largest
            ? $"largest recurrent step {largest.MultiplyAdds / 1e6:0.##} M multiply-adds"
            : "no recurrent layers";

    private readonly record struct Step(long MultiplyAdds, long PerThread);

    private static System.Collections.Generic.IEnumerable<Step> RecurrentSteps(nn.Module model, int batchSize)
    {
        // TorchSharp's named_modules leaves out the module itself, which may be the recurrent layer.
        foreach (var module in model.named_modules().Select(m => m.module).Prepend(model))
        {
            var perThread = module switch
            {
                LSTM => LstmMultiplyAddsPerThread,
                GRU or RNN => GruMultiplyAddsPerThread,
                _ => 0L,
            };
            if (perThread == 0) continue;
            // weight_hh_l*: [gates·hidden, hidden]; the step multiplies the batch's hidden state by it.
            foreach (var (name, weight) in module.named_parameters(recurse: false))
                if (name.StartsWith("weight_hh", StringComparison.Ordinal) && weight.dim() == 2)
                    yield return new Step(batchSize * weight.shape[0] * weight.shape[1], perThread);
        }
    }
}
