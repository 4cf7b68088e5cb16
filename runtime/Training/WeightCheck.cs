using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>Finds parameters holding NaN or infinite values, so that none is ever committed by a step, saved or loaded.</summary>
public static class WeightCheck
{
    /// <summary>The name of the first parameter of <paramref name="module"/> that holds a NaN or an infinity, or null when all are finite.</summary>
    public static string? FirstNonFinite(nn.Module module) => FirstNonFinite(module.named_parameters().ToList());

    /// <summary>The name of the first of <paramref name="named"/> that holds a NaN or an infinity, or null when all are finite.</summary>
    public static string? FirstNonFinite(IReadOnlyList<(string name, TorchSharp.Modules.Parameter parameter)> named)
    {
        if (named.Count == 0) return null;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // One device synchronisation for the common case (all finite); names only when something is wrong.
        if (stack(named.Select(p => p.parameter.isfinite().all()).ToArray()).all().item<bool>()) return null;
        return named.First(p => !p.parameter.isfinite().all().item<bool>()).name;
    }

    /// <summary>Copies of the parameters' values (on their devices), to undo an update.</summary>
    internal sealed class Snapshot : System.IDisposable
    {
        private readonly IReadOnlyList<TorchSharp.Modules.Parameter> parameters;
        private readonly Tensor[] copies;

        public Snapshot(IReadOnlyList<TorchSharp.Modules.Parameter> parameters)
        {
            this.parameters = parameters;
            using var _ = no_grad();
            copies = parameters.Select(p => p.detach().clone()).ToArray();
        }

        /// <summary>Takes the current values (no allocation: the copies are reused).</summary>
        public void Take()
        {
            using var _ = no_grad();
            for (var i = 0; i < copies.Length; i++) copies[i].copy_(parameters[i]);
        }

        /// <summary>Puts the taken values back.</summary>
        public void Restore()
        {
            using var _ = no_grad();
            for (var i = 0; i < copies.Length; i++) parameters[i].copy_(copies[i]);
        }

        public void Dispose()
        {
            foreach (var copy in copies) copy.Dispose();
        }
    }
}

/// <summary>
/// An optimisation step made a parameter NaN or infinite although the loss was finite: the model
/// diverged (usually a learning rate too high for it, or exploding gradients). The step is undone
/// before this is thrown, so the weights in memory and every checkpoint stay finite.
/// </summary>
public sealed class TrainingDivergedException : System.Exception
{
    internal TrainingDivergedException(int epoch, long step, string parameter, double loss, double learningRate, bool clipped)
        : base($"Epoch {epoch}, step {step}: the update made parameter '{parameter}' NaN or infinite (the batch's loss was {loss:G6}, finite). " +
               $"The step was undone and training stopped; the weights and checkpoints are those before it. The model diverged: " +
               $"lower the learning rate (now {learningRate:G4}){(clipped ? "" : " or set clip_grad_norm")}.")
    {
        Epoch = epoch;
        Parameter = parameter;
    }

    /// <summary>Epoch in which it happened.</summary>
    public int Epoch { get; }

    /// <summary>The first parameter that became non-finite.</summary>
    public string Parameter { get; }
}
