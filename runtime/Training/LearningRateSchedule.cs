using System;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// The learning rate as a function of training progress, applied by <see cref="CtcTrainer"/> before
/// every optimisation step. Epochs and steps count from 0.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The learning rate for the step about to run.</summary>
    /// <param name="baseRate">The optimiser's declared learning rate.</param>
    /// <param name="epoch">Current epoch, from 0.</param>
    /// <param name="step">Optimisation steps taken so far, over all epochs.</param>
    public abstract double Rate(double baseRate, int epoch, long step);

    /// <summary>
    /// <paramref name="schedule"/> with its linear warm-up set to <paramref name="steps"/> optimisation steps: an existing
    /// warm-up is lengthened or shortened, one is put in front of a schedule without, and 0 removes it.
    /// </summary>
    /// <param name="schedule">The schedule to change; <see langword="null"/> is the declared rate throughout.</param>
    /// <param name="steps">Warm-up steps; 0 for none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="steps"/> is negative.</exception>
    public static LearningRateSchedule? WithWarmup(LearningRateSchedule? schedule, long steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var after = schedule is Warmup warmup ? warmup.Then : schedule;
        return steps == 0 ? after : new Warmup(steps, after ?? new Constant());
    }

    /// <summary>The declared rate throughout.</summary>
    public sealed record Constant : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Rate(double baseRate, int epoch, long step) => baseRate;
    }

    /// <summary>Multiplied by <paramref name="Gamma"/> every <paramref name="EpochsPerStep"/> epochs.</summary>
    public sealed record StepDecay(int EpochsPerStep, double Gamma) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Rate(double baseRate, int epoch, long step) => baseRate * Math.Pow(Gamma, epoch / EpochsPerStep);
    }

    /// <summary>Multiplied by <paramref name="Gamma"/> every epoch.</summary>
    public sealed record Exponential(double Gamma) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Rate(double baseRate, int epoch, long step) => baseRate * Math.Pow(Gamma, epoch);
    }

    /// <summary>Cosine annealing from the declared rate to <paramref name="MinimumRate"/> over <paramref name="Epochs"/> epochs, then held.</summary>
    public sealed record Cosine(int Epochs, double MinimumRate) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Rate(double baseRate, int epoch, long step) =>
            MinimumRate + (baseRate - MinimumRate) * (1 + Math.Cos(Math.PI * Math.Min(epoch, Epochs) / Epochs)) / 2;
    }

    /// <summary>Linear warm-up over the first <paramref name="Steps"/> steps, then <paramref name="Then"/>.</summary>
    public sealed record Warmup(long Steps, LearningRateSchedule Then) : LearningRateSchedule
    {
        /// <inheritdoc/>
        public override double Rate(double baseRate, int epoch, long step) =>
            Then.Rate(baseRate, epoch, step) * Math.Min(1.0, (step + 1.0) / Steps);
    }
}
