using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using Xunit;

namespace CtcDsl.Tests.Export;

/// <summary>
/// The recognizer's audio paths against the TorchSharp model's, with the <c>.onnx</c> file alone:
/// long recordings (several windows) give the same text, word times and subtitles; files the same
/// transcript; a language model and lexicon fused into the beam search the same best hypothesis.
/// </summary>
public class OnnxRecognizerTests
{
    [Theory]
    [InlineData("synthetic.ctc.yaml")]   // log-mel, global statistics, stride 2
    [InlineData("deepspeech2.ctc.yaml")] // log-mel per utterance, stride 2, batch norm
    [InlineData("ldc93s1.ctc.yaml")]     // MFCC per utterance
    public void Long_recordings_give_the_same_words_times_and_subtitles(string spec)
    {
        using var parity = new OnnxParity(spec);
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        var audio = Recording(seed: 3, utterances: 5);
        var options = new LongFormOptions { ChunkSeconds = 4, ContextSeconds = 1 };

        var expected = (LongTranscript)parity.Generated.ModelType.GetMethod("TranscribeLong", new[] { typeof(MonoAudio), typeof(LongFormOptions) })!
            .Invoke(parity.Model, new object?[] { audio, options })!;
        using var recognizer = parity.Load(path);
        var actual = recognizer.TranscribeLong(new MemoryAudioReader(audio), options);

        Assert.NotEmpty(expected.Tokens);
        Assert.Equal(expected.Text, actual.Text);
        Assert.Equal(expected.Words, actual.Words.Select((w, i) => w with { LogProbability = expected.Words[i].LogProbability }));
        // Sums over hundreds of frames of float32 log-probabilities: equal to a relative 1e-6.
        Assert.All(actual.Words.Zip(expected.Words), p => Assert.True(System.Math.Abs(p.First.LogProbability - p.Second.LogProbability) <= 1e-3 + 1e-6 * System.Math.Abs(p.Second.LogProbability),
            $"{p.First.Text}: {p.First.LogProbability} against {p.Second.LogProbability}"));
        Assert.Equal(Subtitles.ToSrt(expected.Words), Subtitles.ToSrt(actual.Words));
        Assert.Equal(expected.Duration, actual.Duration);

        // A file: the same transcript as the model's Transcribe of the same audio.
        var wav = Path.Combine(parity.Directory, "short.wav");
        var shortAudio = Recording(seed: 4, utterances: 1);
        WavAudio.Write(wav, shortAudio);
        var model = parity.Generated.ModelType.GetMethod("Transcribe", new[] { typeof(MonoAudio), typeof(ICtcDecoder) })!;
        Assert.Equal((string)model.Invoke(parity.Model, new object?[] { WavAudio.Read(wav), null })!, recognizer.TranscribeFile(wav));
    }

    [Fact]
    public void Language_model_and_lexicon_fusion_gives_the_same_hypotheses()
    {
        using var parity = new OnnxParity("beam-wer.ctc.yaml");
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        var letters = parity.Generated.Letters;
        var words = Enumerable.Range(0, 12).Select(i => new string(new[] { letters[i % letters.Length], letters[(i * 3 + 1) % letters.Length], letters[(i * 5 + 2) % letters.Length] })).Distinct().ToList();
        var sentences = Enumerable.Range(0, 40).Select(i => (IReadOnlyList<string>)new[] { words[i % words.Count], words[(i * 7 + 3) % words.Count] }).ToList();
        var decoder = new LanguageModelBeamSearch(parity.Generated.Vocabulary, KneserNeyBuilder.Build(sentences), new Lexicon(words),
            new LanguageModelBeamSearchOptions { BeamWidth = 8, NBest = 3, OutOfLexiconPenalty = -5 });

        using var recognizer = parity.Load(path);
        var decode = parity.Generated.ModelType.GetMethod("Decode", new[] { typeof(TorchSharp.torch.Tensor), typeof(TorchSharp.torch.Tensor), typeof(ICtcDecoder) })!;
        var torch = Enumerable.Range(0, parity.Features.Count).Select(i => Decode(parity, decode, i, decoder)).ToArray();
        var onnx = recognizer.Decode(parity.Features, decoder);
        for (var i = 0; i < onnx.Length; i++)
        {
            Assert.Equal(torch[i].Select(h => h.Labels), onnx[i].Select(h => h.Labels));
            Assert.All(torch[i].Zip(onnx[i]), p => Assert.Equal(p.First.Score, p.Second.Score, 3));
        }
        recognizer.UseLanguageModel(KneserNeyBuilder.Build(sentences), new Lexicon(words), decoder.Options);
        Assert.Equal(onnx.Select(h => parity.Generated.Vocabulary.Decode(h[0].Labels)), recognizer.Transcribe(parity.Features));
    }

    private static IReadOnlyList<Hypothesis> Decode(OnnxParity parity, System.Reflection.MethodInfo decode, int i, ICtcDecoder decoder)
    {
        var f = parity.Features[i];
        using var x = TorchSharp.torch.tensor(f.Cast<float>().ToArray(), new long[] { 1, f.GetLength(0), f.GetLength(1) });
        using var lengths = TorchSharp.torch.tensor(new long[] { f.GetLength(0) });
        return ((IReadOnlyList<Hypothesis>[])decode.Invoke(parity.Model, new object?[] { x, lengths, decoder })!)[0];
    }

    /// <summary>Synthetic sentences joined by half a second of silence.</summary>
    private static MonoAudio Recording(int seed, int utterances)
    {
        var samples = new List<float>();
        foreach (var (audio, _) in new SyntheticSpeech(seed).GrammarUtterances(utterances))
        {
            samples.AddRange(audio.Samples);
            samples.AddRange(new float[8000]);
        }
        return new MonoAudio(samples.ToArray(), 16000);
    }
}
