using System;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Training;
using Xunit;

namespace CtcDsl.Tests.Runtime;

public class RatesAndSchedulesTests
{
    [Fact]
    public void Corpus_rate_is_total_edits_over_total_reference_length()
    {
        var hypotheses = new[] { new[] { 1, 2, 3 }, new[] { 4 } };
        var references = new[] { new[] { 1, 2, 3, 4 }, new[] { 5, 6 } };
        Assert.Equal((1 + 2) / 6.0, ErrorRate.Compute(hypotheses, references, ErrorAggregation.Corpus), 12);
        Assert.Equal((1 / 4.0 + 2 / 2.0) / 2, ErrorRate.Compute(hypotheses, references, ErrorAggregation.MeanPerUtterance), 12);
        Assert.Equal(double.PositiveInfinity, ErrorRate.Compute(new[] { new[] { 1 } }, new[] { Array.Empty<int>() }, ErrorAggregation.Corpus));
    }

    [Fact]
    public void Word_error_rate_splits_at_the_separator()
    {
        var hypotheses = new[] { "the cat sat", "  a  dog " };
        var references = new[] { "the bat sat down", "a dog" };
        // 1 substitution + 1 deletion over 4 words; 0 over 2 words.
        Assert.Equal(2 / 6.0, ErrorRate.Words(hypotheses, references, ' ', ErrorAggregation.Corpus), 12);
        Assert.Equal((2 / 4.0 + 0) / 2, ErrorRate.Words(hypotheses, references, ' ', ErrorAggregation.MeanPerUtterance), 12);
    }

    [Fact]
    public void Schedules_follow_their_definitions()
    {
        Assert.Equal(0.1, new LearningRateSchedule.Constant().Rate(0.1, 7, 100));
        Assert.Equal(0.1 * 0.25, new LearningRateSchedule.StepDecay(10, 0.5).Rate(0.1, 25, 0), 12);
        Assert.Equal(0.1 * Math.Pow(0.9, 3), new LearningRateSchedule.Exponential(0.9).Rate(0.1, 3, 0), 12);
        var cosine = new LearningRateSchedule.Cosine(10, 0.001);
        Assert.Equal(0.1, cosine.Rate(0.1, 0, 0), 12);
        Assert.Equal((0.1 + 0.001) / 2, cosine.Rate(0.1, 5, 0), 12);
        Assert.Equal(0.001, cosine.Rate(0.1, 10, 0), 12);
        Assert.Equal(0.001, cosine.Rate(0.1, 30, 0), 12);
        var warmup = new LearningRateSchedule.Warmup(4, new LearningRateSchedule.Constant());
        var steps = new long[] { 0, 1, 2, 3, 10 };
        var expected = new[] { 0.025, 0.05, 0.075, 0.1, 0.1 };
        for (var i = 0; i < steps.Length; i++) Assert.Equal(expected[i], warmup.Rate(0.1, 0, steps[i]), 12);
    }
}
