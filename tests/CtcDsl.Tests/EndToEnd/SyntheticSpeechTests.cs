using System;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Samples.Ldc93s1;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>The built-in synthetic corpus, and the generated Synthetic model learning it for real.</summary>
public class SyntheticSpeechTests
{
    [Fact]
    public void Corpus_is_deterministic_per_seed_and_says_only_its_alphabet()
    {
        var a = new SyntheticSpeech(5).Utterances(3);
        var b = new SyntheticSpeech(5).Utterances(3);
        var c = new SyntheticSpeech(6).Utterances(3);
        Assert.Equal(a.Select(u => u.Transcript), b.Select(u => u.Transcript));
        Assert.Equal(a[0].Audio.Samples, b[0].Audio.Samples);
        Assert.NotEqual(a.Select(u => u.Transcript), c.Select(u => u.Transcript));
        Assert.All(a, u => Assert.All(u.Transcript, ch => Assert.Contains(ch, SyntheticSpeech.Alphabet)));
        Assert.All(a, u => Assert.InRange(u.Audio.Duration, 0.2, 6));
        Assert.Contains("cannot say '7'", Assert.Throws<ArgumentException>(() => new SyntheticSpeech(1).Say("abc7")).Message);
    }

    /// <summary>
    /// Trained on 300 synthetic sentences for 12 epochs, the model transcribes 60 sentences it never
    /// saw with a character error rate under 10% (the sample's full run, 600 sentences and 20 epochs,
    /// reaches about 0.4% in half a minute on 2 cores).
    /// </summary>
    [Fact]
    public void Generated_model_learns_synthetic_speech_and_generalises_to_new_sentences()
    {
        var (heldOut, history, _) = SyntheticRun.Train(seed: 3, epochs: 12, trainCount: 300, heldOutCount: 60, CPU, o => o with { Progress = null }, LongFormMatchesUtteranceByUtterance);
        Assert.True(history.Epochs[^1].Loss < history.Epochs[0].Loss / 10);
        Assert.True(heldOut.CharacterErrorRate < 0.10, heldOut.ToText(worst: 3));
    }

    /// <summary>
    /// Long-form transcription of held-out sentences joined by pauses, in windows shorter than most
    /// sentences: the stitched transcript is exactly the one of the whole recording decoded in one
    /// window (nothing decoded twice or lost at a seam), every word within one output frame of its
    /// one-window timing; it has the sentences' words, as many as their
    /// transcripts, with about the model's per-sentence error rate; and every word is timed inside its
    /// own sentence's stretch of the recording.
    /// </summary>
    private static void LongFormMatchesUtteranceByUtterance(CtcDsl.Models.SyntheticModel model, System.Collections.Generic.IReadOnlyList<(CtcDsl.Runtime.Audio.MonoAudio Audio, string Transcript)> heldOut)
    {
        var sentences = heldOut.Take(12).ToArray();
        var pause = Enumerable.Range(0, 6400).Select(i => (float)(0.004 * Math.Sin(i * 0.731) * Math.Sin(i * 0.0137))).ToArray();
        var samples = new System.Collections.Generic.List<float>();
        var spans = new System.Collections.Generic.List<(double Start, double End)>();
        foreach (var (audio, _) in sentences)
        {
            var start = samples.Count / 16000.0;
            samples.AddRange(audio.Samples);
            spans.Add((start, samples.Count / 16000.0));
            samples.AddRange(pause);
        }
        var recording = new CtcDsl.Runtime.Audio.MonoAudio(samples.ToArray(), 16000);
        var whole = model.TranscribeLong(recording, new CtcDsl.Runtime.Training.LongFormOptions { ChunkSeconds = recording.Duration + 1, ContextSeconds = 0 });
        var reference = string.Join(" ", sentences.Select(x => x.Transcript));
        var separately = string.Join(" ", sentences.Select(x => model.Transcribe(x.Audio).Trim()));
        var errorsAlone = CtcDsl.Runtime.Metrics.EditDistance.Compute<char>(reference.ToCharArray(), separately.ToCharArray());
        var errorsWhole = CtcDsl.Runtime.Metrics.EditDistance.Compute<char>(reference.ToCharArray(), whole.Text.Trim().ToCharArray());
        Assert.True(errorsWhole <= errorsAlone + 4, $"{errorsWhole} character errors in the recording, {errorsAlone} in its sentences alone:\n{whole.Text}\n{separately}");
        Assert.Equal(reference.Split(' ').Length, whole.Words.Count);
        var frame = model.SecondsPerFrame;
        foreach (var (chunk, context) in new[] { (1.5, 1.0), (0.7, 1.5), (4.0, 0.5) })
        {
            var transcript = model.TranscribeLong(recording, new CtcDsl.Runtime.Training.LongFormOptions { ChunkSeconds = chunk, ContextSeconds = context });
            Assert.Equal(whole.Text, transcript.Text);
            // A bidirectional GRU sees past any finite context, so a frame beside a word's edge may
            // flip between the two decodings: the same words, each within one output frame.
            Assert.Equal(whole.Words.Select(w => w.Text), transcript.Words.Select(w => w.Text));
            foreach (var (one, stitched) in whole.Words.Zip(transcript.Words))
                Assert.True(Math.Abs(one.Start - stitched.Start) <= frame + 1e-9 && Math.Abs(one.End - stitched.End) <= frame + 1e-9,
                    $"'{one.Text}': {one.Start:0.00}-{one.End:0.00} s in one window, {stitched.Start:0.00}-{stitched.End:0.00} s in chunks of {chunk} s with {context} s of context");
        }
        var at = 0;
        for (var s = 0; s < sentences.Length; s++)
            foreach (var _ in sentences[s].Transcript.Split(' '))
            {
                var word = whole.Words[at++];
                Assert.True(word.Start >= spans[s].Start - 0.05 && word.End <= spans[s].End + 0.05, $"'{word.Text}' at {word.Start:0.00}-{word.End:0.00} s is outside sentence {s} ({spans[s].Start:0.00}-{spans[s].End:0.00} s)");
            }
        Assert.All(whole.Tokens.Zip(whole.Tokens.Skip(1)), p => Assert.True(p.First.End <= p.Second.Start));
    }

    [Fact]
    public void A_model_tunes_a_language_model_on_its_examples()
    {
        var corpus = new SyntheticSpeech(4).GrammarUtterances(3);
        Assert.All(corpus, u => Assert.All(u.Transcript.Split(' '), w => Assert.Contains(w, SyntheticSpeech.GrammarWords)));
        manual_seed(4);
        using var model = new CtcDsl.Models.SyntheticModel(CPU);
        model.FitStatistics(corpus.Select(u => u.Audio));
        var examples = corpus.Select(u => model.ExampleFromAudio(u.Audio, u.Transcript)).ToArray();
        var lm = CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Build(CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Words(corpus.Select(u => u.Transcript)));
        var results = model.TuneLanguageModel(examples, lm, alphas: new[] { 0.0, 1.0 }, betas: new[] { 0.0, 2.0 });
        Assert.Equal(4, results.Count);
        Assert.Equal(new[] { (0.0, 0.0), (0.0, 2.0), (1.0, 0.0), (1.0, 2.0) }, results.Select(r => (r.Alpha, r.Beta)).OrderBy(p => p).ToArray());
        Assert.All(results.Zip(results.Skip(1)), p => Assert.True(p.First.WordErrorRate <= p.Second.WordErrorRate));
        Assert.Contains("best: α=", CtcDsl.Runtime.Decoding.LanguageModelTuning.Table(results));
    }

    [Fact]
    public void Front_end_statistics_travel_with_checkpoints_and_audio_transcribes_directly()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ctcdsl-frontend-").FullName;
        try
        {
            var corpus = new SyntheticSpeech(8).Utterances(16);
            manual_seed(8);
            using var model = new CtcDsl.Models.SyntheticModel(CPU);
            Assert.Throws<InvalidOperationException>(() => model.FrontEnd.Compute(corpus[0].Audio)); // global statistics not fitted yet
            model.FrontEnd.FitStatistics(corpus.Select(u => model.FrontEnd.Raw(u.Audio)));
            var examples = corpus.Select(u => model.ExampleFromAudio(u.Audio, u.Transcript)).ToArray();
            model.Fit(examples, null, CtcDsl.Models.SyntheticModel.DefaultFitOptions with
            {
                Epochs = 1, Progress = null, Checkpoints = new CtcDsl.Runtime.Training.CheckpointOptions(directory),
            });

            using var restored = new CtcDsl.Models.SyntheticModel(CPU);
            restored.LoadCheckpoint(System.IO.Path.Combine(directory, "last.ckpt"));
            Assert.Equal(model.FrontEnd.Statistics!.Mean, restored.FrontEnd.Statistics!.Mean);
            Assert.Equal(model.Transcribe(corpus[0].Audio), restored.Transcribe(corpus[0].Audio));
        }
        finally
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
