using System;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Training;

/// <summary>
/// A warm-up longer than the run or than the schedule it leads into is refused before training (issue 22).
/// deepspeech2 declares 100 warm-up steps then cosine annealing; 8 examples in batches of 4 make 2 steps per epoch.
/// </summary>
public class WarmupCheckTests
{
    private readonly GeneratedModel generated = new("deepspeech2.ctc.yaml");

    private string Refusal(FitOptions options)
    {
        using var model = generated.Create();
        var thrown = Assert.Throws<TargetInvocationException>(() => generated.Fit(model, generated.Examples(8), null, options));
        return Assert.IsType<ArgumentException>(thrown.InnerException).Message;
    }

    private FitOptions Options => generated.DefaultFitOptions with { BatchSize = 4, Progress = null };

    [Fact]
    public void A_warmup_longer_than_the_run_is_refused_with_the_numbers()
    {
        Assert.IsType<LearningRateSchedule.Warmup>(Options.Schedule);
        var message = Refusal(Options with { Epochs = 3 });
        Assert.Contains("warmup_steps", message);
        Assert.Contains("lasts 100 optimisation steps", message);
        Assert.Contains("3 epochs × 2 batches per epoch = 6 steps", message);
    }

    [Fact]
    public void A_warmup_longer_than_its_cosine_schedule_is_refused()
    {
        var message = Refusal(Options with { Epochs = 60, Schedule = new LearningRateSchedule.Warmup(100, new LearningRateSchedule.Cosine(Epochs: 5, MinimumRate: 0)) });
        Assert.Contains("5 epochs × 2 batches per epoch = 10 steps", message);
        Assert.Contains("training.schedule.epochs", message);
    }

    [Fact]
    public void WithWarmup_replaces_adds_or_removes_the_warmup_and_keeps_what_follows()
    {
        var cosine = new LearningRateSchedule.Cosine(Epochs: 10, MinimumRate: 1e-4);
        Assert.Equal(new LearningRateSchedule.Warmup(3, cosine), LearningRateSchedule.WithWarmup(new LearningRateSchedule.Warmup(100, cosine), 3));
        Assert.Equal(new LearningRateSchedule.Warmup(3, cosine), LearningRateSchedule.WithWarmup(cosine, 3));
        Assert.Equal(new LearningRateSchedule.Warmup(3, new LearningRateSchedule.Constant()), LearningRateSchedule.WithWarmup(null, 3));
        Assert.Equal(cosine, LearningRateSchedule.WithWarmup(new LearningRateSchedule.Warmup(100, cosine), 0));
        Assert.Null(LearningRateSchedule.WithWarmup(null, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.WithWarmup(cosine, -1));
        // The shortened warm-up ramps over its own steps: full rate from step 3 on.
        var rate = LearningRateSchedule.WithWarmup(new LearningRateSchedule.Warmup(100, new LearningRateSchedule.Constant()), 3)!;
        Assert.Equal(new[] { 1 / 3.0, 2 / 3.0, 1, 1 }, new[] { 0L, 1, 2, 3 }.Select(step => rate.Rate(1, 0, step)));
    }

    [Fact]
    public void A_warmup_that_ends_within_the_run_trains()
    {
        using var model = generated.Create();
        var history = generated.Fit(model, generated.Examples(8), null, Options with { Epochs = 3, Schedule = new LearningRateSchedule.Warmup(5, new LearningRateSchedule.Constant()) });
        Assert.Equal(3, history.Epochs.Count);
    }
}
