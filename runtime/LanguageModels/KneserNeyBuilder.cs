using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace CtcDsl.Runtime.LanguageModels;

/// <summary>
/// Builds an interpolated modified Kneser–Ney n-gram model from text and writes it as ARPA (as KenLM's
/// <c>lmplz</c> does, for corpora that fit in memory): raw counts at the highest order, continuation
/// counts below it (n-grams that begin with <c>&lt;s&gt;</c> keep their raw counts), three discounts per
/// order from the counts of counts (Chen and Goodman), unigrams interpolated with the uniform
/// distribution over the vocabulary (<c>&lt;unk&gt;</c> included). Each stored probability is the
/// interpolated one and each back-off weight is its context's interpolation weight, so for every
/// context the probabilities over the vocabulary and <c>&lt;/s&gt;</c> sum to one.
/// </summary>
public static class KneserNeyBuilder
{
    private const string Start = "<s>", End = "</s>", Unknown = "<unk>";

    /// <summary>The model of <paramref name="sentences"/> (each a list of words), read back as <see cref="NgramLanguageModel"/>.</summary>
    public static NgramLanguageModel Build(IEnumerable<IReadOnlyList<string>> sentences, int order = 3) =>
        NgramLanguageModel.Read(new StringReader(ToArpa(sentences, order)), "Kneser-Ney model");

    /// <summary>Splits <paramref name="lines"/> into words at whitespace (empty lines are skipped).</summary>
    public static IEnumerable<IReadOnlyList<string>> Words(IEnumerable<string> lines) =>
        lines.Select(l => (IReadOnlyList<string>)l.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Where(w => w.Count > 0);

    /// <summary>Writes the model of <paramref name="sentences"/> to <paramref name="path"/> as ARPA.</summary>
    public static void Write(string path, IEnumerable<IReadOnlyList<string>> sentences, int order = 3) =>
        File.WriteAllText(path, ToArpa(sentences, order), new UTF8Encoding(false));

    /// <summary>The ARPA text of the model of <paramref name="sentences"/>.</summary>
    /// <exception cref="ArgumentException">No sentences, an order outside 1–6, or a word that is one of the markers.</exception>
    public static string ToArpa(IEnumerable<IReadOnlyList<string>> sentences, int order = 3)
    {
        if (order < 1 || order > NgramLanguageModel.MaxOrder) throw new ArgumentOutOfRangeException(nameof(order), order, $"The order must be 1 to {NgramLanguageModel.MaxOrder}.");
        // Raw counts of every order, n-grams as word arrays keyed by their text.
        var raw = Enumerable.Range(0, order).Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
        var vocabulary = new SortedSet<string>(StringComparer.Ordinal) { End, Unknown };
        var any = false;
        foreach (var sentence in sentences)
        {
            var padded = new string[sentence.Count + 2];
            padded[0] = Start;
            for (var i = 0; i < sentence.Count; i++)
            {
                var word = sentence[i];
                if (word is Start or End or Unknown || word.Length == 0 || word.Any(char.IsWhiteSpace))
                    throw new ArgumentException($"'{word}' cannot be a word of the training text.", nameof(sentences));
                padded[i + 1] = word;
                vocabulary.Add(word);
            }
            padded[^1] = End;
            any = true;
            for (var n = 1; n <= order; n++)
                for (var i = 0; i + n <= padded.Length; i++)
                {
                    if (n == 1 && i == 0) continue; // <s> is a context, never predicted
                    var key = string.Join(' ', padded, i, n);
                    raw[n - 1][key] = raw[n - 1].GetValueOrDefault(key) + 1;
                }
        }
        if (!any) throw new ArgumentException("No sentences to build a language model from.", nameof(sentences));

        // Adjusted counts: raw at the top order and for n-grams starting with <s>; below, the number of
        // distinct words seen before the n-gram.
        var adjusted = new Dictionary<string, int>[order];
        adjusted[order - 1] = raw[order - 1];
        for (var n = order - 1; n >= 1; n--)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (gram, count) in raw[n - 1])
                if (gram.StartsWith(Start + " ", StringComparison.Ordinal)) counts[gram] = count;
            foreach (var longer in raw[n].Keys)
            {
                var suffix = longer[(longer.IndexOf(' ') + 1)..];
                if (!suffix.StartsWith(Start + " ", StringComparison.Ordinal)) counts[suffix] = counts.GetValueOrDefault(suffix) + 1;
            }
            adjusted[n - 1] = counts;
        }

        // Probabilities, lowest order first; each order interpolates with the one below.
        var probability = new Dictionary<string, double>[order];
        var backoff = new Dictionary<string, double>[order];
        var predicted = vocabulary.ToArray(); // every word that can follow a context: the vocabulary, </s> and <unk>
        for (var n = 1; n <= order; n++)
        {
            var (d1, d2, d3) = Discounts(adjusted[n - 1].Values);
            probability[n - 1] = new Dictionary<string, double>(StringComparer.Ordinal);
            var contexts = new Dictionary<string, (double Total, int N1, int N2, int N3)>(StringComparer.Ordinal);
            foreach (var (gram, count) in adjusted[n - 1])
            {
                var context = Context(gram);
                var c = contexts.GetValueOrDefault(context);
                contexts[context] = (c.Total + count, c.N1 + (count == 1 ? 1 : 0), c.N2 + (count == 2 ? 1 : 0), c.N3 + (count >= 3 ? 1 : 0));
            }
            var gamma = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var (context, c) in contexts) gamma[context] = (d1 * c.N1 + d2 * c.N2 + d3 * c.N3) / c.Total;
            var grams = n == 1 ? predicted.Select(w => w).ToArray() : adjusted[n - 1].Keys.ToArray();
            foreach (var gram in grams)
            {
                var context = Context(gram);
                var count = adjusted[n - 1].GetValueOrDefault(gram);
                var (total, _, _, _) = contexts[context];
                var discounted = count == 0 ? 0 : (count - (count == 1 ? d1 : count == 2 ? d2 : d3)) / total;
                var lower = n == 1 ? 1.0 / predicted.Length : probability[n - 2][gram[(gram.IndexOf(' ') + 1)..]];
                probability[n - 1][gram] = discounted + gamma[context] * lower;
            }
            // The interpolation weight of a context is the back-off weight of the (n − 1)-gram it is.
            if (n > 1)
            {
                backoff[n - 2] = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (context, weight) in gamma) backoff[n - 2][context] = weight;
            }
        }

        var text = new StringBuilder();
        text.Append("\\data\\\n");
        var unigrams = probability[0].Keys.Append(Start).OrderBy(w => w, StringComparer.Ordinal).ToArray();
        text.Append(CultureInfo.InvariantCulture, $"ngram 1={unigrams.Length}\n");
        for (var n = 2; n <= order; n++) text.Append(CultureInfo.InvariantCulture, $"ngram {n}={probability[n - 1].Count}\n");
        for (var n = 1; n <= order; n++)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n\\{n}-grams:\n");
            var keys = n == 1 ? unigrams : probability[n - 1].Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
            foreach (var gram in keys)
            {
                var logProb = gram == Start ? -99.0 : Math.Log10(probability[n - 1][gram]);
                text.Append(Format(logProb)).Append('\t').Append(gram);
                if (n < order && backoff[n - 1].TryGetValue(gram, out var weight)) text.Append('\t').Append(Format(Math.Log10(weight)));
                text.Append('\n');
            }
        }
        text.Append("\n\\end\\\n");
        return text.ToString();
    }

    private static string Context(string gram) => gram.LastIndexOf(' ') is var space and >= 0 ? gram[..space] : "";

    private static string Format(double value) => value.ToString("0.#######", CultureInfo.InvariantCulture);

    /// <summary>Modified Kneser–Ney's discounts for counts 1, 2 and 3+ (Chen and Goodman's estimates; safe fallbacks when a count of counts is zero).</summary>
    private static (double D1, double D2, double D3) Discounts(IEnumerable<int> counts)
    {
        var t = new double[5];
        foreach (var c in counts)
            if (c <= 4) t[c]++;
        (double, double, double) fallback = (0.5, 1.0, 1.5);
        if (t[1] == 0 || t[2] == 0 || t[3] == 0 || t[4] == 0) return fallback;
        var y = t[1] / (t[1] + 2 * t[2]);
        var d1 = 1 - 2 * y * t[2] / t[1];
        var d2 = 2 - 3 * y * t[3] / t[2];
        var d3 = 3 - 4 * y * t[4] / t[3];
        return d1 > 0 && d1 < 1 && d2 > 0 && d2 < 2 && d3 > 0 && d3 < 3 ? (d1, d2, d3) : fallback;
    }
}
