using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Audio;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// A deterministic, speech-like corpus built into the runtime, so a model can be trained and checked
/// with nothing downloaded. Each character is a short voiced sound with its own pair of formants
/// (harmonics of a pitch, shaped by two resonances), faded in and out so that repeated letters stay
/// distinguishable; words are separated by pauses of noise. Per utterance the pitch, the speaking
/// rate, the noise level and the speaker's formant scale (±10%) vary. The character sounds are fixed (the same in every corpus); the
/// sentences, durations and noise come from the seed, so held-out sentences are new.
/// </summary>
public sealed class SyntheticSpeech
{
    /// <summary>The characters it can say: a–z, the apostrophe and the space.</summary>
    public const string Alphabet = " abcdefghijklmnopqrstuvwxyz'";

    private static readonly Dictionary<char, (double F1, double F2)> Formants = CreateFormants();
    private readonly Random random;

    /// <summary>Creates a corpus drawn from <paramref name="seed"/> at <paramref name="sampleRate"/>.</summary>
    public SyntheticSpeech(int seed, int sampleRate = 16000)
    {
        random = new Random(seed);
        SampleRate = sampleRate;
    }

    /// <summary>Samples per second.</summary>
    public int SampleRate { get; }

    /// <summary>
    /// A sentence from a small word grammar (determiner, adjective, noun, verb, preposition phrases over
    /// a vocabulary of <see cref="GrammarWords"/>), so a language model has something to learn: "the
    /// quick fox saw a green boat near the old mill".
    /// </summary>
    public string GrammarSentence()
    {
        string Pick(string[] words) => words[random.Next(words.Length)];
        string NounPhrase() => random.NextDouble() < 0.6 ? $"{Pick(Determiners)} {Pick(Adjectives)} {Pick(Nouns)}" : $"{Pick(Determiners)} {Pick(Nouns)}";
        var sentence = $"{NounPhrase()} {Pick(Verbs)} {NounPhrase()}";
        if (random.NextDouble() < 0.5) sentence += $" {Pick(Prepositions)} {NounPhrase()}";
        return sentence;
    }

    private static readonly string[] Determiners = { "the", "a", "my", "his", "her", "our", "this", "that" };
    private static readonly string[] Adjectives = { "quick", "old", "green", "small", "loud", "dark", "warm", "brave", "quiet", "red", "tall", "odd" };
    private static readonly string[] Nouns = { "fox", "boat", "mill", "dog", "king", "cat", "ship", "bird", "house", "road", "tree", "farmer", "river", "horse", "girl", "boy", "lamp", "door", "bell", "wolf" };
    private static readonly string[] Verbs = { "saw", "found", "left", "took", "heard", "met", "built", "fed", "moved", "kept", "liked", "lost" };
    private static readonly string[] Prepositions = { "near", "behind", "under", "with", "by", "past" };

    /// <summary>Every word <see cref="GrammarSentence"/> may say.</summary>
    public static IReadOnlyList<string> GrammarWords { get; } = Determiners.Concat(Adjectives).Concat(Nouns).Concat(Verbs).Concat(Prepositions).Distinct().ToArray();

    /// <summary><paramref name="count"/> grammar sentences: (audio, transcript).</summary>
    public IReadOnlyList<(MonoAudio Audio, string Transcript)> GrammarUtterances(int count) =>
        Enumerable.Range(0, count).Select(_ => { var text = GrammarSentence(); return (Say(text), text); }).ToArray();

    /// <summary>A random sentence of <paramref name="minWords"/>–<paramref name="maxWords"/> words of 2–6 letters.</summary>
    public string Sentence(int minWords = 1, int maxWords = 4)
    {
        var words = new string[random.Next(minWords, maxWords + 1)];
        for (var w = 0; w < words.Length; w++)
        {
            var letters = new char[random.Next(2, 7)];
            for (var i = 0; i < letters.Length; i++) letters[i] = Alphabet[1 + random.Next(Alphabet.Length - 1)];
            words[w] = new string(letters);
        }
        return string.Join(" ", words);
    }

    /// <summary>Renders <paramref name="text"/> (characters of <see cref="Alphabet"/>) as audio.</summary>
    /// <exception cref="ArgumentException">A character the corpus cannot say.</exception>
    public MonoAudio Say(string text)
    {
        var pitch = 100 + 120 * random.NextDouble();
        var rate = 0.8 + 0.4 * random.NextDouble();
        var noise = 0.005 + 0.025 * random.NextDouble();
        var speaker = 0.9 + 0.2 * random.NextDouble(); // vocal-tract length: scales every formant
        var samples = new List<float>();
        AddNoise(samples, Seconds(0.05 + 0.05 * random.NextDouble()), noise);
        foreach (var c in text)
        {
            if (c == ' ')
            {
                AddNoise(samples, Seconds((0.06 + 0.08 * random.NextDouble()) * rate), noise);
                continue;
            }
            if (!Formants.TryGetValue(c, out var formants))
                throw new ArgumentException($"The synthetic voice cannot say '{c}'; it says \"{Alphabet}\".", nameof(text));
            AddVowel(samples, Seconds((0.07 + 0.04 * random.NextDouble()) * rate), pitch * (0.95 + 0.1 * random.NextDouble()),
                (formants.F1 * speaker, formants.F2 * speaker), noise);
        }
        AddNoise(samples, Seconds(0.05 + 0.05 * random.NextDouble()), noise);
        return new MonoAudio(samples.ToArray(), SampleRate);
    }

    /// <summary><paramref name="count"/> utterances: (audio, transcript).</summary>
    public IReadOnlyList<(MonoAudio Audio, string Transcript)> Utterances(int count) =>
        Enumerable.Range(0, count).Select(_ => { var text = Sentence(); return (Say(text), text); }).ToArray();

    private int Seconds(double seconds) => (int)(seconds * SampleRate);

    private void AddNoise(List<float> samples, int length, double level)
    {
        for (var i = 0; i < length; i++) samples.Add((float)(level * (2 * random.NextDouble() - 1)));
    }

    private void AddVowel(List<float> samples, int length, double pitch, (double F1, double F2) formants, double noise)
    {
        var fade = Seconds(0.012);
        var phase = random.NextDouble() * 2 * Math.PI;
        var harmonics = (int)(Math.Min(4000, SampleRate / 2.0 - 100) / pitch);
        var amplitudes = new double[harmonics + 1];
        for (var k = 1; k <= harmonics; k++)
        {
            var f = k * pitch;
            amplitudes[k] = Math.Exp(-Math.Pow((f - formants.F1) / 120, 2)) + 0.6 * Math.Exp(-Math.Pow((f - formants.F2) / 180, 2)) + 0.02;
        }
        for (var i = 0; i < length; i++)
        {
            var t = (double)i / SampleRate;
            var value = 0.0;
            for (var k = 1; k <= harmonics; k++) value += amplitudes[k] * Math.Sin(2 * Math.PI * k * pitch * t + k * phase);
            var envelope = Math.Min(1.0, Math.Min(i, length - 1 - i) / (double)fade);
            samples.Add((float)(0.15 * envelope * value + noise * (2 * random.NextDouble() - 1)));
        }
    }

    /// <summary>Formant pairs for the letters: F1 and F2 on a grid, shuffled with a fixed seed.</summary>
    private static Dictionary<char, (double F1, double F2)> CreateFormants()
    {
        var grid = new List<(double, double)>();
        for (var i = 0; i < 5; i++)
            for (var j = 0; j < 6; j++) grid.Add((300 + 130 * i, 1000 + 280 * j));
        var fixedOrder = new Random(20261127);
        var shuffled = grid.OrderBy(_ => fixedOrder.Next()).ToArray();
        var letters = Alphabet.Where(c => c != ' ').ToArray();
        return letters.Select((c, i) => (c, shuffled[i])).ToDictionary(p => p.c, p => p.Item2);
    }
}
