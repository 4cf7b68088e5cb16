using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Decoding;

/// <summary>One point of an α/β search: the weights and the error rates they gave.</summary>
public sealed record TuningResult(double Alpha, double Beta, double WordErrorRate, double CharacterErrorRate);

/// <summary>An utterance to decode: its log-probabilities (<c>[frames, classes]</c>, row-major; <c>model.LogProbabilities(features)</c>) and its reference text.</summary>
public sealed record DecodingItem(float[] LogProbs, string Reference);

/// <summary>
/// Chooses the language-model weight α and word bonus β on a validation set: every pair of a grid is
/// decoded (utterances in parallel; the network runs once, before), scored by word error rate (then
/// character error rate), and the table comes back best first.
/// </summary>
public static class LanguageModelTuning
{
    /// <summary>Word and character error rates of <paramref name="decode"/> over <paramref name="items"/> (corpus-level: errors over reference length).</summary>
    public static (double WordErrorRate, double CharacterErrorRate) Score(IReadOnlyList<DecodingItem> items, Vocabulary vocabulary, Func<DecodingItem, string> decode)
    {
        var hypotheses = new string[items.Count];
        System.Threading.Tasks.Parallel.For(0, items.Count, i => hypotheses[i] = decode(items[i]));
        var references = items.Select(i => i.Reference).ToArray();
        var wer = ErrorRate.Words(hypotheses, references, vocabulary.WordSeparator, ErrorAggregation.Corpus);
        var cer = ErrorRate.Compute(hypotheses.Select(h => h.ToCharArray()).ToArray(), references.Select(r => r.ToCharArray()).ToArray(), ErrorAggregation.Corpus);
        return (wer, cer);
    }

    /// <summary>Decodes with <paramref name="decoder"/>'s best hypothesis.</summary>
    public static Func<DecodingItem, string> With(LanguageModelBeamSearch decoder, Vocabulary vocabulary) =>
        item => vocabulary.Decode(decoder.Search(item.LogProbs, item.LogProbs.Length / vocabulary.ClassCount, vocabulary.ClassCount)[0].Labels);

    /// <summary>Every (α, β) of the grid on <paramref name="validation"/>, best first.</summary>
    public static IReadOnlyList<TuningResult> Grid(IReadOnlyList<DecodingItem> validation, Vocabulary vocabulary, NgramLanguageModel languageModel, Lexicon? lexicon,
        IEnumerable<double> alphas, IEnumerable<double> betas, LanguageModelBeamSearchOptions? options = null)
    {
        options ??= new LanguageModelBeamSearchOptions();
        var results = new List<TuningResult>();
        foreach (var alpha in alphas)
            foreach (var beta in betas)
            {
                var decoder = new LanguageModelBeamSearch(vocabulary, languageModel, lexicon, options with { Alpha = alpha, Beta = beta });
                var (wer, cer) = Score(validation, vocabulary, With(decoder, vocabulary));
                results.Add(new TuningResult(alpha, beta, wer, cer));
            }
        return results.OrderBy(r => r.WordErrorRate).ThenBy(r => r.CharacterErrorRate).ThenBy(r => r.Alpha).ThenBy(r => r.Beta).ToArray();
    }

    /// <summary>The results as a text table (α rows × β columns of WER).</summary>
    public static string Table(IReadOnlyList<TuningResult> results)
    {
        var alphas = results.Select(r => r.Alpha).Distinct().OrderBy(a => a).ToArray();
        var betas = results.Select(r => r.Beta).Distinct().OrderBy(b => b).ToArray();
        var text = new StringBuilder("WER      " + string.Concat(betas.Select(b => string.Create(CultureInfo.InvariantCulture, $" β={b,-6:0.##}"))) + "\n");
        foreach (var alpha in alphas)
        {
            text.Append(string.Create(CultureInfo.InvariantCulture, $"α={alpha,-6:0.##} "));
            foreach (var beta in betas)
            {
                var r = results.First(x => x.Alpha == alpha && x.Beta == beta);
                text.Append(string.Create(CultureInfo.InvariantCulture, $" {r.WordErrorRate,7:P1} "));
            }
            text.Append('\n');
        }
        var best = results[0];
        text.Append(string.Create(CultureInfo.InvariantCulture, $"best: α={best.Alpha:0.##}, β={best.Beta:0.##} (WER {best.WordErrorRate:P1}, CER {best.CharacterErrorRate:P1})\n"));
        return text.ToString();
    }
}
