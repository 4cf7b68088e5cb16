using System;
using CtcDsl.Runtime.Text;
using Xunit;

namespace CtcDsl.Tests.Runtime;

public class VocabularyTests
{
    private static readonly string[] Letters = { " ", "a", "b", "c" };

    [Fact]
    public void Blank_last_keeps_token_ids_from_zero()
    {
        var vocabulary = new Vocabulary(Letters, blankIndex: 4);
        Assert.Equal(new[] { 3, 1, 2, 0, 1 }, vocabulary.Encode("cab a"));
        Assert.Equal("cab a", vocabulary.Decode(new[] { 3, 1, 4, 2, 0, 1 }));
        Assert.Equal(5, vocabulary.ClassCount);
    }

    [Fact]
    public void Blank_first_shifts_token_ids_by_one()
    {
        var vocabulary = new Vocabulary(Letters, blankIndex: 0);
        Assert.Equal(new[] { 2, 1 }, vocabulary.Encode("a "));
        Assert.Equal("a ", vocabulary.Decode(new[] { 0, 2, 0, 1 }));
    }

    [Fact]
    public void Blank_in_the_middle_skips_its_id()
    {
        var vocabulary = new Vocabulary(Letters, blankIndex: 2);
        Assert.Equal(new[] { 0, 1, 3, 4 }, vocabulary.Encode(" abc"));
        Assert.Equal(" abc", vocabulary.Decode(new[] { 0, 1, 2, 3, 4 }));
    }

    [Fact]
    public void Unknown_character_names_the_item_character_and_position()
    {
        var vocabulary = new Vocabulary(Letters, blankIndex: 4);
        var error = Assert.Throws<VocabularyException>(() => vocabulary.Encode("ab!c", "train.csv line 7"));
        Assert.Equal(2, error.Position);
        Assert.Contains("train.csv line 7", error.Message);
        Assert.Contains("'!'", error.Message);
        Assert.Contains("position 2", error.Message);
    }

    [Fact]
    public void Bad_vocabularies_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "a", "a" }, 2));
        Assert.Throws<ArgumentException>(() => new Vocabulary(new[] { "ab" }, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vocabulary(Letters, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Vocabulary(Letters, 4).Decode(new[] { 9 }));
    }
}
