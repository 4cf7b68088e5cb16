using System;
using CtcDsl.Models;
using Xunit;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>Generated examples refuse label ids that would reach libtorch's CTC loss as garbage.</summary>
public class ExampleValidationTests
{
    private static readonly float[,] Frames = new float[50, Ldc93s1Model.FeatureSize];

    [Theory]
    [InlineData(99, "label 1 is 99, outside the class ids 0..27")]
    [InlineData(-1, "label 1 is -1, outside the class ids 0..27")]
    [InlineData(Ldc93s1Model.BlankIndex, "label 1 is 27, the blank's id")]
    public void Label_ids_outside_the_tokens_are_refused_naming_the_example(int id, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new Ldc93s1Example(Frames, new[] { 3, id, 4 }, "utt-7"));
        Assert.StartsWith("utt-7: " + expected, error.Message);
        error = Assert.Throws<ArgumentException>(() => new Ldc93s1Example(() => Frames, new[] { 3, id }, "utt-8"));
        Assert.StartsWith("utt-8: ", error.Message);
    }

    [Fact]
    public void Token_ids_are_accepted() =>
        Assert.Equal(new[] { 0, 26 }, new Ldc93s1Example(Frames, new[] { 0, 26 }).Labels);
}
