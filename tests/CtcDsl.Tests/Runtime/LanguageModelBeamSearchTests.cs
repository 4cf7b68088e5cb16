using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>The fused beam search: exact without fusion, and each of LM, lexicon and hotwords doing what it claims on cases built to need it.</summary>
public class LanguageModelBeamSearchTests
{
    /// <summary>Letters, the word separator, blank last.</summary>
    private static readonly Vocabulary Letters = new(" abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()).ToArray(), 27);

    private static readonly LanguageModelBeamSearchOptions Exhaustive = new()
    {
        BeamWidth = 400, NBest = 5, TokenMinLogProb = double.NegativeInfinity, BeamPruneLogProb = double.NegativeInfinity, Alpha = 0, Beta = 0,
    };

    [Theory]
    [InlineData(4, 3, 1)]
    [InlineData(5, 3, 2)]
    [InlineData(5, 4, 3)]
    [InlineData(6, 3, 4)]
    public void Without_fusion_or_pruning_the_n_best_are_the_exact_ones(int frames, int classes, int seed)
    {
        var vocabulary = new Vocabulary(Enumerable.Range(0, classes - 1).Select(i => ((char)('a' + i)).ToString()).ToArray(), classes - 1, ' ');
        var random = new Random(seed);
        var logProbs = new double[frames, classes];
        var flat = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var scores = Enumerable.Range(0, classes).Select(_ => random.NextDouble() * 4).ToArray();
            var logSum = Math.Log(scores.Sum(Math.Exp));
            for (var c = 0; c < classes; c++) flat[t * classes + c] = (float)(logProbs[t, c] = scores[c] - logSum);
        }
        for (var t = 0; t < frames; t++) for (var c = 0; c < classes; c++) logProbs[t, c] = flat[t * classes + c];
        var exact = CtcBruteForce.LabellingLogProbabilities(logProbs, frames, classes - 1).OrderByDescending(p => p.Value).Take(5).ToArray();
        var found = new LanguageModelBeamSearch(vocabulary, options: Exhaustive).Search(flat, frames, classes);
        Assert.Equal(exact.Length, found.Count);
        for (var i = 0; i < exact.Length; i++)
        {
            Assert.Equal(exact[i].Value, found[i].LogProbability, 5);
            Assert.Equal(0, found[i].LanguageModelScore);
        }
        Assert.Equal(exact.Select(e => e.Key).ToHashSet(), found.Select(h => CtcBruteForce.Key(h.Labels)).ToHashSet());
    }

    /// <summary>Frames that spell <paramref name="spelling"/>, one letter a frame with a blank between; each frame's alternatives get the rest of the mass.</summary>
    private static float[] Spell(params (char Letter, double P, char? Other)[] spelling)
    {
        var frames = new List<float[]>();
        foreach (var (letter, p, other) in spelling)
        {
            var frame = Enumerable.Repeat(1e-6, 28).ToArray();
            frame[Letters.IdOf(letter)] = p;
            if (other is { } o) frame[Letters.IdOf(o)] = 1 - p;
            else frame[27] = 1 - p;
            frames.Add(Normalize(frame));
            var pause = Enumerable.Repeat(1e-6, 28).ToArray();
            pause[27] = 1;
            frames.Add(Normalize(pause));
        }
        return frames.SelectMany(f => f).ToArray();
    }

    private static float[] Normalize(double[] p)
    {
        var sum = p.Sum();
        return p.Select(x => (float)Math.Log(x / sum)).ToArray();
    }

    private static string Best(LanguageModelBeamSearch search, float[] logProbs) =>
        Letters.Decode(search.Search(logProbs, logProbs.Length / 28, 28)[0].Labels);

    [Fact]
    public void The_language_model_chooses_between_words_the_audio_cannot_tell_apart()
    {
        // "the ca?" where the last letter is t or b with the audio slightly preferring b.
        var audio = Spell(('t', 0.99, null), ('h', 0.99, null), ('e', 0.99, null), (' ', 0.99, null), ('c', 0.99, null), ('a', 0.99, null), ('b', 0.55, 't'));
        Assert.Equal("the cab", Best(new LanguageModelBeamSearch(Letters), audio));
        var lm = KneserNeyBuilder.Build(KneserNeyBuilder.Words(new[] { "the cat sat", "the cat ran", "a cab came", "the dog sat" }), order: 3);
        var fused = new LanguageModelBeamSearch(Letters, lm, options: new LanguageModelBeamSearchOptions { Alpha = 1.0, Beta = 0.5 });
        Assert.Equal("the cat", Best(fused, audio));
        var hypothesis = fused.Search(audio, audio.Length / 28, 28)[0];
        Assert.True(hypothesis.LanguageModelScore < 0 && hypothesis.LogProbability < 0);
        Assert.Equal(hypothesis.LogProbability + hypothesis.LanguageModelScore, hypothesis.Score);
        // α = 0 and β = 0: the LM is there but weighs nothing.
        Assert.Equal("the cab", Best(new LanguageModelBeamSearch(Letters, lm, options: new LanguageModelBeamSearchOptions { Alpha = 0, Beta = 0 }), audio));
    }

    [Fact]
    public void Tuning_finds_the_weights_that_let_the_model_speak()
    {
        var audio = Spell(('t', 0.99, null), ('h', 0.99, null), ('e', 0.99, null), (' ', 0.99, null), ('c', 0.99, null), ('a', 0.99, null), ('b', 0.55, 't'));
        var lm = KneserNeyBuilder.Build(KneserNeyBuilder.Words(new[] { "the cat sat", "the cat ran", "a cab came", "the dog sat" }), order: 3);
        var items = new[] { new DecodingItem(audio, "the cat") };
        var results = LanguageModelTuning.Grid(items, Letters, lm, null, new[] { 0.0, 1.0 }, new[] { 0.0, 0.5 });
        Assert.Equal(4, results.Count);
        Assert.Equal((1.0, 0.0, 0.0), (results[0].Alpha, results[0].WordErrorRate, results[0].CharacterErrorRate));
        Assert.All(results.Where(r => r.Alpha == 0), r => Assert.Equal(0.5, r.WordErrorRate)); // "the cab": one word of two wrong
        var table = LanguageModelTuning.Table(results);
        Assert.Contains("best: α=1, β=0 (WER 0.0 %, CER 0.0 %)", table.Replace("0.0%", "0.0 %"));
    }

    [Fact]
    public void A_lexicon_keeps_out_words_it_does_not_have_unless_they_pay_the_penalty()
    {
        // Acoustically "kat" (k 0.6 against c 0.4): not a word of the lexicon.
        var audio = Spell(('k', 0.6, 'c'), ('a', 0.99, null), ('t', 0.99, null));
        Assert.Equal("kat", Best(new LanguageModelBeamSearch(Letters), audio));
        var lexicon = new Lexicon(new[] { "cat", "dog", "cattle" });
        Assert.Equal("cat", Best(new LanguageModelBeamSearch(Letters, lexicon: lexicon), audio));
        // A small out-of-lexicon penalty lets the acoustics win; a large one does not.
        Assert.Equal("kat", Best(new LanguageModelBeamSearch(Letters, lexicon: lexicon, options: new LanguageModelBeamSearchOptions { OutOfLexiconPenalty = -0.1 }), audio));
        Assert.Equal("cat", Best(new LanguageModelBeamSearch(Letters, lexicon: lexicon, options: new LanguageModelBeamSearchOptions { OutOfLexiconPenalty = -5 }), audio));
        Assert.True(lexicon.Contains("cattle") && !lexicon.Contains("catt") && lexicon.Count == 3);
    }

    [Fact]
    public void Hotwords_lift_the_phrases_they_name()
    {
        var audio = Spell(('k', 0.6, 'c'), ('a', 0.99, null), ('t', 0.99, null));
        var boosted = new LanguageModelBeamSearch(Letters, options: new LanguageModelBeamSearchOptions { Hotwords = new[] { ("cat", 2.0) } });
        Assert.Equal("cat", Best(boosted, audio));
        var weak = new LanguageModelBeamSearch(Letters, options: new LanguageModelBeamSearchOptions { Hotwords = new[] { ("cat", 0.1) } });
        Assert.Equal("kat", Best(weak, audio));
    }

    [Fact]
    public void A_token_language_model_scores_every_label()
    {
        var audio = Spell(('k', 0.6, 'c'), ('a', 0.99, null), ('t', 0.99, null));
        // Characters as units, the separator as "|".
        var lines = new[] { "c a t", "c a t | c a t", "c o t" };
        var lm = KneserNeyBuilder.Build(KneserNeyBuilder.Words(lines), order: 3);
        var search = new LanguageModelBeamSearch(Letters, lm, options: new LanguageModelBeamSearchOptions { Unit = LanguageModelUnit.Token, Alpha = 1, Beta = 0 });
        Assert.Equal("cat", Best(search, audio));
    }
}
