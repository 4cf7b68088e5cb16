using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace CtcDsl.Runtime.Metrics;

/// <summary>One decoded utterance against its reference, with its own error rates.</summary>
public sealed record TranscriptionResult(string Name, string Reference, string Hypothesis, double CharacterErrorRate, double WordErrorRate)
{
    /// <summary>
    /// True when the decoder kept no hypothesis for this utterance (a lexicon-constrained search can
    /// end with none): <see cref="Hypothesis"/> is then empty and scored as such, and the utterance is
    /// counted in <see cref="TranscriptionReport.NoHypothesisCount"/>. An empty hypothesis the decoder
    /// did choose (silence) is not flagged.
    /// </summary>
    public bool NoHypothesis { get; init; }
}

/// <summary>
/// Error rates of a decoded data set: LER (mean of per-utterance character rates, the seed's
/// metric), corpus CER and corpus WER, and the utterances ranked worst first.
/// </summary>
public sealed class TranscriptionReport
{
    private TranscriptionReport(IReadOnlyList<TranscriptionResult> results, double ler, double cer, double wer)
    {
        Results = results;
        LabelErrorRate = ler;
        CharacterErrorRate = cer;
        WordErrorRate = wer;
    }

    /// <summary>Every utterance, in input order.</summary>
    public IReadOnlyList<TranscriptionResult> Results { get; }

    /// <summary>Mean over utterances of character edits / reference length.</summary>
    public double LabelErrorRate { get; }

    /// <summary>Total character edits / total reference characters.</summary>
    public double CharacterErrorRate { get; }

    /// <summary>Total word edits / total reference words.</summary>
    public double WordErrorRate { get; }

    /// <summary>How many utterances the decoder returned no hypothesis for (<see cref="TranscriptionResult.NoHypothesis"/>); they are scored as empty transcripts.</summary>
    public int NoHypothesisCount => Results.Count(r => r.NoHypothesis);

    /// <summary>The <paramref name="count"/> wrongly transcribed utterances with the highest character error rate (ties: higher WER, then input order); fewer when fewer are wrong.</summary>
    public IReadOnlyList<TranscriptionResult> Worst(int count) =>
        Results.Select((r, i) => (r, i)).Where(x => x.r.Reference != x.r.Hypothesis).OrderByDescending(x => x.r.CharacterErrorRate).ThenByDescending(x => x.r.WordErrorRate).ThenBy(x => x.i)
            .Take(count).Select(x => x.r).ToArray();

    /// <summary>Builds the report from (name, reference, hypothesis) triples.</summary>
    public static TranscriptionReport Create(IReadOnlyList<(string Name, string Reference, string Hypothesis)> items, char wordSeparator = ' ') =>
        Create(items, wordSeparator, null);

    /// <summary>Builds the report from (name, reference, hypothesis) triples; <paramref name="noHypothesis"/> holds the indexes of items the decoder returned no hypothesis for (flagged, scored as empty).</summary>
    public static TranscriptionReport Create(IReadOnlyList<(string Name, string Reference, string Hypothesis)> items, char wordSeparator, IReadOnlySet<int>? noHypothesis)
    {
        if (items.Count == 0) throw new ArgumentException("Nothing to report on.", nameof(items));
        string[] Words(string text) => text.Split(new[] { wordSeparator }, StringSplitOptions.RemoveEmptyEntries);
        var results = items.Select((i, index) => new TranscriptionResult(i.Name, i.Reference, i.Hypothesis,
            EditDistance.Normalized<char>(i.Hypothesis, i.Reference), EditDistance.Normalized<string>(Words(i.Hypothesis), Words(i.Reference)))
            { NoHypothesis = noHypothesis?.Contains(index) == true }).ToArray();
        var hypotheses = items.Select(i => i.Hypothesis.ToCharArray()).ToArray();
        var references = items.Select(i => i.Reference.ToCharArray()).ToArray();
        return new TranscriptionReport(results,
            ErrorRate.Compute(hypotheses, references, ErrorAggregation.MeanPerUtterance),
            ErrorRate.Compute(hypotheses, references, ErrorAggregation.Corpus),
            ErrorRate.Words(items.Select(i => i.Hypothesis).ToArray(), items.Select(i => i.Reference).ToArray(), wordSeparator, ErrorAggregation.Corpus));
    }

    /// <summary>A plain-text summary and the <paramref name="worst"/> worst utterances (reference vs hypothesis).</summary>
    public string ToText(int worst = 5)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Results.Count} utterances: LER {LabelErrorRate:0.0000}, CER {CharacterErrorRate:0.0000}, WER {WordErrorRate:0.0000}\n");
        if (NoHypothesisCount > 0) text.Append(CultureInfo.InvariantCulture, $"  {NoHypothesisCount} utterances with no hypothesis from the decoder (scored as empty transcripts)\n");
        var wrong = Worst(worst);
        if (wrong.Count == 0 && worst > 0) text.Append("  every utterance is transcribed exactly\n");
        foreach (var r in wrong)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {r.Name}: CER {r.CharacterErrorRate:0.0000}, WER {r.WordErrorRate:0.0000}\n");
            text.Append("    reference:  ").Append(r.Reference).Append('\n');
            text.Append("    hypothesis: ").Append(r.Hypothesis).Append('\n');
        }
        return text.ToString();
    }
}
