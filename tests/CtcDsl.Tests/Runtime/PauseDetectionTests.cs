using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// Issue 25 item 4: pauses are word boundaries. Isolated "words" (tone bursts) joined by pauses of
/// 0.3–1.5 s over a faint noise floor, and an acoustic model that emits its letter on loud frames and
/// blank elsewhere — never the word separator, as a model trained on isolated words. One best path
/// makes them one long word; with pause detection each is a word of its own, at its own time.
/// </summary>
public class PauseDetectionTests
{
    private const int Rate = 16000;
    private static readonly double[] Pauses = { 0.3, 1.5, 0.5, 0.8, 0.35, 1.1 };

    [Fact]
    public void Detector_finds_each_word_between_pauses()
    {
        var (audio, words) = Recording();
        var stretches = PauseDetector.SpeechStretches(new MemoryAudioReader(audio));
        Assert.Equal(words.Count, stretches.Count);
        foreach (var ((start, end), (wordStart, wordEnd)) in stretches.Zip(words))
        {
            Assert.InRange(start / (double)Rate, wordStart - 0.15, wordStart);
            Assert.InRange(end / (double)Rate, wordEnd, wordEnd + 0.15);
        }
    }

    [Fact]
    public void Long_form_with_pauses_gives_one_timed_word_per_stretch_of_speech()
    {
        var (audio, words) = Recording();
        var vocabulary = new Vocabulary(new[] { " ", "a" }, blankIndex: 2);
        var frontEnd = new FrontEnd(new FrontEndSettings("logfbank", Rate, Filters: 26, Normalization: FeatureNormalizationMode.None));
        var loud = frontEnd.Raw(new MonoAudio(Tone(0.2), Rate)).Cast<float>().Average();
        var quiet = frontEnd.Raw(new MonoAudio(Noise(0.2, new Random(5)), Rate)).Cast<float>().Average();
        float[] Model(float[,] features)
        {
            var (frames, width) = (features.GetLength(0), features.GetLength(1));
            var result = new float[frames * 3];
            for (var t = 0; t < frames; t++)
            {
                double mean = 0;
                for (var c = 0; c < width; c++) mean += features[t, c] / width;
                var letter = mean > (loud + quiet) / 2;
                // log-probabilities of " ", "a", blank: the separator is never likely.
                result[t * 3] = -20f;
                result[t * 3 + 1] = letter ? -0.01f : -5f;
                result[t * 3 + 2] = letter ? -5f : -0.01f;
            }
            return result;
        }

        var whole = LongFormTranscription.Transcribe(new MemoryAudioReader(audio), new LongFormOptions(), frontEnd, 1, vocabulary, Model);
        Assert.Single(whole.Words); // the failure the issue reports: one long "word"
        Assert.Equal(new string('a', words.Count), whole.Text);

        var split = LongFormTranscription.Transcribe(new MemoryAudioReader(audio), new LongFormOptions { Pauses = new PauseDetectorOptions() }, frontEnd, 1, vocabulary, Model);
        Assert.Equal(string.Join(" ", words.Select(_ => "a")), split.Text);
        Assert.Equal(words.Count, split.Words.Count);
        foreach (var (word, (start, end)) in split.Words.Zip(words))
        {
            Assert.InRange(word.Start, start - 0.05, start + 0.05);
            Assert.InRange(word.End, end - 0.05, end + 0.05);
        }
        Assert.Equal(whole.Duration, split.Duration);
    }

    /// <summary>Tone bursts of 0.3 s (the words) after each pause, over noise 50 dB below them; their times in seconds.</summary>
    private static (MonoAudio Audio, List<(double Start, double End)> Words) Recording()
    {
        var random = new Random(1);
        var samples = new List<float>();
        var words = new List<(double, double)>();
        foreach (var pause in Pauses)
        {
            samples.AddRange(Noise(pause, random));
            var start = samples.Count / (double)Rate;
            samples.AddRange(Tone(0.3).Select(s => s + Noise(1.0 / Rate, random)[0]));
            words.Add((start, samples.Count / (double)Rate));
        }
        samples.AddRange(Noise(0.4, random));
        return (new MonoAudio(samples.ToArray(), Rate), words);
    }

    private static float[] Tone(double seconds) =>
        Enumerable.Range(0, (int)(seconds * Rate)).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / Rate))).ToArray();

    private static float[] Noise(double seconds, Random random) =>
        Enumerable.Range(0, Math.Max(1, (int)(seconds * Rate))).Select(_ => (float)(0.001 * (random.NextDouble() * 2 - 1))).ToArray();
}
