using System;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Refuses a learning-rate warm-up that does not end within the run or within the schedule it leads
/// into. Warm-up is counted in optimisation steps and the rest of a schedule in epochs, so the spec
/// alone cannot tell: the number of batches per epoch is known only when <c>Fit</c> sees the data.
/// </summary>
internal static class WarmupCheck
{
    /// <summary>Where a warm-up is declared, for the messages: the spec, the API and the tool.</summary>
    private const string Where = "(training.schedule.warmup_steps, FitOptions.Schedule, or ctcdsl train --warmup-steps)";

    /// <exception cref="ArgumentException">The warm-up is as long as the whole run, or as the cosine annealing it precedes.</exception>
    public static void EnsureFits(LearningRateSchedule? schedule, int epochs, int stepsPerEpoch)
    {
        if (schedule is not LearningRateSchedule.Warmup warmup || stepsPerEpoch < 1) return;
        var runSteps = (long)epochs * stepsPerEpoch;
        var perEpoch = $"{stepsPerEpoch} batch{(stepsPerEpoch == 1 ? "" : "es")} per epoch";
        if (warmup.Steps >= runSteps)
            throw new ArgumentException(
                $"The learning-rate warm-up {Where} lasts {warmup.Steps} optimisation steps, but the whole run has " +
                $"{epochs} epoch{(epochs == 1 ? "" : "s")} × {perEpoch} = {runSteps} steps: the learning rate would never reach its declared value. " +
                $"Use fewer warm-up steps (5–10% of the run is common: {Math.Max(1, runSteps / 20)}–{Math.Max(1, runSteps / 10)}) or train longer.");
        if (warmup.Then is LearningRateSchedule.Cosine cosine && warmup.Steps >= (long)cosine.Epochs * stepsPerEpoch)
            throw new ArgumentException(
                $"The learning-rate warm-up {Where} lasts {warmup.Steps} optimisation steps, but the cosine schedule it leads into anneals over " +
                $"{cosine.Epochs} epoch{(cosine.Epochs == 1 ? "" : "s")} × {perEpoch} = {(long)cosine.Epochs * stepsPerEpoch} steps: the rate would be annealed before the warm-up ends. " +
                "Use fewer warm-up steps or a longer schedule (training.schedule.epochs).");
    }
}
