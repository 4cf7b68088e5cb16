using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.LanguageModels;
using Xunit;

namespace CtcDsl.Tests.LanguageModels;

/// <summary>The ARPA reader's arithmetic and error discipline, and the Kneser–Ney builder's defining properties.</summary>
public class NgramLanguageModelTests
{
    /// <summary>A bigram model small enough to score by hand.</summary>
    private const string Bigram = """
        some header text a tool wrote

        \data\
        ngram 1=5
        ngram 2=3

        \1-grams:
        -99	<s>	-0.5
        -1.0	</s>
        -0.5	a	-0.2
        -0.8	b
        -2.0	<unk>

        \2-grams:
        -0.3	<s> a
        -0.4	a b
        -0.6	a </s>

        \end\
        """;

    private static NgramLanguageModel Read(string text) => NgramLanguageModel.Read(new StringReader(text), "test.arpa");

    [Fact]
    public void Scores_follow_the_back_off_rule()
    {
        var lm = Read(Bigram);
        Assert.Equal(2, lm.Order);
        Assert.Equal(new[] { 5, 3 }, lm.Counts);
        var start = lm.BeginSentence();
        // Seen bigram: its own probability.
        Assert.Equal(-0.3f, lm.Score(start, lm.Id("a"), out var afterA), 6);
        Assert.Equal(-0.4f, lm.Score(afterA, lm.Id("b"), out var afterB), 6);
        // Unseen bigram: the context's back-off plus the unigram.
        Assert.Equal(-0.5f + -0.8f, lm.Score(start, lm.Id("b"), out _), 6);
        Assert.Equal(-0.2f + -0.5f, lm.Score(afterA, lm.Id("a"), out _), 6);
        // A context with no back-off weight backs off for free.
        Assert.Equal(-1.0f, lm.Score(afterB, lm.End, out _), 6);
        // Unknown words are <unk>.
        Assert.Equal(lm.Id("<unk>"), lm.Id("zebra"));
        Assert.Equal(-0.5f + -2.0f, lm.Score(start, lm.Id("zebra"), out _), 6);
        Assert.Equal(-0.3 + -0.4 + -1.0, lm.ScoreSentence(new[] { "a", "b" }), 5);
    }

    [Fact]
    public void Malformed_files_are_refused_naming_the_line()
    {
        foreach (var (text, expected) in new[]
        {
            ("no data here", "no \\data\\ section"),
            (Bigram.Replace("ngram 2=3", "ngram 2=4"), "line 18: \\data\\ declares 4 2-grams, the section has 3"),
            (Bigram.Replace("ngram 2=3", "ngram 3=3"), "line 5: ngram 3 is out of order"),
            (Bigram.Replace("-0.4\ta b", "x\ta b"), "line 16: 'x' is not a log probability"),
            (Bigram.Replace("-0.4\ta b", "0.4\ta b"), "line 16: log probability 0.4 is above 0"),
            (Bigram.Replace("-0.4\ta b", "-0.4\ta c"), "line 16: 'c' is in a 2-gram but not among the unigrams"),
            (Bigram.Replace("-0.4\ta b", "-0.4\ta b c d"), "line 16: a 2-gram entry needs"),
            (Bigram.Replace("-0.6\ta </s>", "-0.6\ta b"), "line 17: the 2-gram 'a b' is listed twice"),
            (Bigram.Replace("\\end\\", ""), "no \\end\\ marker"),
            (Bigram.Replace("\\2-grams:", "\\3-grams:"), "expected \\2-grams:"),
            (Bigram.Replace("-99\t<s>\t-0.5", "-99\t<x>\t-0.5"), "line 15: '<s>' is in a 2-gram but not among the unigrams"),
            ("\\data\\\nngram 1=1\n\n\\1-grams:\n-1\t</s>\n\n\\end\\\n", "must include <s> and </s>"),
        })
        {
            var error = Assert.Throws<DataFileException>(() => Read(text));
            Assert.Contains(expected, error.Message);
            Assert.StartsWith("test.arpa", error.Message);
        }
        Assert.Contains("/nonexistent/lm.arpa: the language model does not exist", Assert.Throws<DataFileException>(() => NgramLanguageModel.Load("/nonexistent/lm.arpa")).Message);
    }

    /// <summary>
    /// For every context a model can be in — every stored n-gram below the top order, and the empty one —
    /// the probabilities of every word, &lt;unk&gt; and &lt;/s&gt; sum to one; and the ARPA text reads back to
    /// the same scores. Corpora: random sentences over small vocabularies (fixed seeds), orders 1 to 4.
    /// </summary>
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    [InlineData(4, 4)]
    [InlineData(3, 5)]
    public void Kneser_Ney_distributions_sum_to_one_in_every_context(int order, int seed)
    {
        var random = new Random(seed);
        var vocabulary = Enumerable.Range(0, 4 + seed * 3).Select(i => $"w{i}").ToArray();
        var sentences = Enumerable.Range(0, 40 * seed).Select(_ =>
            (IReadOnlyList<string>)Enumerable.Range(0, random.Next(0, 9)).Select(_ => vocabulary[(int)Math.Min(vocabulary.Length - 1, -Math.Log(random.NextDouble()) * 3)]).ToArray()).ToList();
        var arpa = KneserNeyBuilder.ToArpa(sentences, order);
        var lm = Read(arpa);
        Assert.Equal(order, lm.Order);
        var predicted = vocabulary.Where(lm.Contains).Append("</s>").Append("<unk>").Select(lm.Id).ToArray();

        // Every context: <s>-started and mid-sentence histories taken from the corpus itself.
        var contexts = new List<string[]> { Array.Empty<string>(), new[] { "<s>" } };
        foreach (var sentence in sentences.Take(30))
        {
            var padded = sentence.Prepend("<s>").ToArray();
            for (var end = 1; end <= padded.Length; end++)
                contexts.Add(padded[Math.Max(0, end - (order - 1))..end]);
        }
        contexts.Add(new[] { "w0", "w1", "w2" }.Take(order - 1).ToArray()); // possibly never seen
        foreach (var context in contexts)
        {
            var state = new LmStateBuilder(lm).After(context);
            var sum = predicted.Sum(w => Math.Pow(10, lm.Score(state, w, out _)));
            Assert.True(Math.Abs(sum - 1) < 2e-4, $"order {order}, context '{string.Join(' ', context)}': probabilities sum to {sum}");
        }
        // Written and read back: the same model.
        var again = Read(KneserNeyBuilder.ToArpa(sentences, order));
        Assert.Equal(lm.ScoreSentence(sentences[0]), again.ScoreSentence(sentences[0]));
    }

    [Fact]
    public void The_builder_prefers_what_it_was_trained_on()
    {
        var text = new[] { "the cat sat on the mat", "the dog sat on the log", "a cat ate the rat" };
        var lm = KneserNeyBuilder.Build(KneserNeyBuilder.Words(text), order: 3);
        Assert.True(lm.ScoreSentence("the cat sat on the mat".Split(' ')) > lm.ScoreSentence("mat the on sat cat the".Split(' ')));
        Assert.True(lm.ScoreSentence("the dog sat".Split(' ')) > lm.ScoreSentence("the dog zebra".Split(' ')));
        Assert.Throws<ArgumentException>(() => KneserNeyBuilder.ToArpa(new[] { new[] { "<s>" } }));
        Assert.Throws<ArgumentException>(() => KneserNeyBuilder.ToArpa(Array.Empty<string[]>()));
    }

    /// <summary>Issue 23: back-offs that make P exceed 1 or are not finite are refused with the line; -inf and -Infinity read alike.</summary>
    [Theory]
    [InlineData("3e38")]
    [InlineData("0.5")]
    [InlineData("-inf")]
    [InlineData("-Infinity")]
    public void A_positive_or_non_finite_back_off_is_refused_with_its_line(string backoff)
    {
        var arpa = Bigram.Replace("-0.5\ta\t-0.2", $"-0.5\ta\t{backoff}");
        Assert.NotEqual(Bigram, arpa);
        var message = Assert.Throws<DataFileException>(() => Read(arpa)).Message;
        Assert.Contains($"test.arpa line 10: back-off {backoff} must be finite and not above 0", message);
    }

    [Theory]
    [InlineData("-inf")]
    [InlineData("-Infinity")]
    [InlineData("-INF")]
    public void Minus_infinity_log_probabilities_read_under_either_spelling(string spelling)
    {
        var lm = Read(Bigram.Replace("-2.0\t<unk>", $"{spelling}\t<unk>"));
        Assert.Equal(float.NegativeInfinity, lm.Score(lm.EmptyState, lm.Id("<unk>"), out _));
    }

    [Fact]
    public void A_lying_count_does_not_size_memory_and_an_endless_line_is_bounded()
    {
        // ngram 2=2000000000 in a tiny file: the count mismatch is reported, no OutOfMemoryException.
        var lying = Bigram.Replace("ngram 2=3", "ngram 2=2000000000");
        Assert.Contains("declares 2000000000 2-grams, the section has 3", Assert.Throws<DataFileException>(() => Read(lying)).Message);
        // One endless line (what /dev/zero or a gzip bomb gives): stopped at the bound, naming the line.
        var endless = new StringReader("\\data\\\n" + new string('\0', (1 << 20) + 10));
        var message = Assert.Throws<DataFileException>(() => NgramLanguageModel.Read(endless, "zero.arpa")).Message;
        Assert.Contains($"zero.arpa line 2: longer than {1 << 20} characters", message);
    }

    /// <summary>Walks a model from &lt;s&gt; (when the context starts with it) or from an empty state through words.</summary>
    private sealed class LmStateBuilder(NgramLanguageModel lm)
    {
        public LmState After(string[] context)
        {
            var state = context.Length > 0 && context[0] == "<s>" ? lm.BeginSentence() : lm.EmptyState;
            foreach (var word in context.SkipWhile((w, i) => i == 0 && w == "<s>")) lm.Score(state, lm.Id(word), out state);
            return state;
        }
    }
}
