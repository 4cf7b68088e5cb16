using System.Linq;
using CtcDsl.Runtime.Metrics;
using Xunit;

namespace CtcDsl.Tests.Runtime;

public class TranscriptionReportTests
{
    [Fact]
    public void Reports_rates_and_ranks_the_worst_utterances()
    {
        var report = TranscriptionReport.Create(new[]
        {
            ("a", "the cat", "the cat"),
            ("b", "a dog", "a dig"),
            ("c", "hello", "yellow"),
        });

        // Characters: 0/7, 1/5, 2/5 edits; words: 0/2, 1/2, 1/1.
        Assert.Equal((0 + 1 / 5.0 + 2 / 5.0) / 3, report.LabelErrorRate, 12);
        Assert.Equal(3 / 17.0, report.CharacterErrorRate, 12);
        Assert.Equal(2 / 5.0, report.WordErrorRate, 12);
        Assert.Equal(new[] { "c", "b" }, new[] { report.Worst(2)[0].Name, report.Worst(2)[1].Name });

        var text = report.ToText(worst: 1);
        Assert.Contains("3 utterances: LER 0.2000, CER 0.1765, WER 0.4000", text);
        Assert.Contains("reference:  hello", text);
        Assert.Contains("hypothesis: yellow", text);

        // Only wrong utterances are listed, however many are asked for.
        Assert.Equal(new[] { "c", "b" }, report.Worst(10).Select(r => r.Name));
        Assert.DoesNotContain("  a:", report.ToText(worst: 10));
    }

    [Fact]
    public void A_perfect_report_lists_no_worst_utterance()
    {
        var report = TranscriptionReport.Create(new[] { ("a", "the cat", "the cat") });
        Assert.Empty(report.Worst(5));
        Assert.Contains("every utterance is transcribed exactly", report.ToText(worst: 5));
    }

    [Fact]
    public void An_utterance_with_no_hypothesis_is_flagged_counted_and_scored_as_empty()
    {
        var items = new[] { ("a", "the cat", "the cat"), ("b", "a dog", ""), ("c", "hush", "") };
        // Only b had no hypothesis; c's empty transcript was the decoder's choice.
        var report = TranscriptionReport.Create(items, ' ', new System.Collections.Generic.HashSet<int> { 1 });
        Assert.Equal(1, report.NoHypothesisCount);
        Assert.Equal(new[] { false, true, false }, report.Results.Select(r => r.NoHypothesis));
        Assert.Equal(1.0, report.Results[1].CharacterErrorRate, 12);
        Assert.Contains("1 utterances with no hypothesis from the decoder", report.ToText());
        Assert.Equal(0, TranscriptionReport.Create(items).NoHypothesisCount);
        Assert.DoesNotContain("no hypothesis", TranscriptionReport.Create(items).ToText());
    }
}
