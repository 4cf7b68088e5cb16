using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// A character spec and a subword spec of the same data, each generated and compiled: with exact
/// models (one dense layer set to a scaled identity over one-hot frames) their generated
/// <c>Transcribe</c> decodes the same text, greedy and beam; a checkpoint names its subword model and is
/// refused by a model bound to another.
/// </summary>
public sealed class SubwordSpecModelTests : IDisposable
{
    private static readonly string[] Transcripts =
    {
        "the quick fox saw a green boat near the old mill", "her odd wolf liked our tall farmer", "a small dog met the brave king",
        "the old mill", "my red lamp", "this tall tree near the road", "that loud bell", "our quiet river behind the house",
    };

    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-subword-spec-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private Assembly Compile(string name, string vocabulary, int classes)
    {
        var path = Path.Combine(directory, name + ".ctc.yaml");
        File.WriteAllText(path, $$"""
            version: 1
            name: {{name}}
            vocabulary: {{vocabulary}}
            inputs:
              features: { kind: features, shape: [time, {{classes}}] }
              labels: { kind: labels }
            layers:
              - { type: dense, name: logits, units: classes }
            ctc: { logits: logits, labels: labels }
            decoding: { type: beam, beam_width: 4 }
            training: { optimizer: { type: sgd, learning_rate: 0.1 }, epochs: 1, batch_size: 2 }
            """);
        return GeneratorHarness.Load(path);
    }

    private static Type ModelType(Assembly assembly) => assembly.GetTypes().Single(t => t.Name.EndsWith("Model", StringComparison.Ordinal));

    private static Vocabulary VocabularyOf(Type model) => (Vocabulary)model.GetProperty("Vocabulary")!.GetValue(null)!;

    /// <summary>The model with its logits set to 20 × the identity: a one-hot frame of class c gives (nearly) all mass to c.</summary>
    private static nn.Module Exact(Type type)
    {
        var model = (nn.Module)Activator.CreateInstance(type, new object?[] { CPU })!;
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters())
            if (name.EndsWith("weight", StringComparison.Ordinal)) parameter.copy_(eye(parameter.shape[0]) * 20);
            else parameter.zero_();
        return model;
    }

    /// <summary>One-hot frames spelling <paramref name="text"/> in <paramref name="vocabulary"/>: each label twice, a blank after it.</summary>
    private static float[,] Frames(Vocabulary vocabulary, string text)
    {
        var path = vocabulary.Encode(text).SelectMany(id => new[] { id, id, vocabulary.BlankIndex }).ToArray();
        var frames = new float[path.Length, vocabulary.ClassCount];
        for (var t = 0; t < path.Length; t++) frames[t, path[t]] = 1;
        return frames;
    }

    private static string[] Transcribe(Type type, nn.Module model, IReadOnlyList<float[,]> features, ICtcDecoder? decoder) =>
        (string[])type.GetMethod("Transcribe", new[] { typeof(IReadOnlyList<float[,]>), typeof(ICtcDecoder) })!.Invoke(model, new object?[] { features, decoder })!;

    [Fact]
    public void A_character_spec_and_a_subword_spec_decode_the_same_text_from_exact_models()
    {
        var characters = ModelType(Compile("ExactCharacters", "{ tokens: \" abcdefghijklmnopqrstuvwxyz'\", blank: last }", 29));
        var subwords = ModelType(Compile("ExactPieces", "{ type: bpe, size: 48, blank: first }", 49));
        var settings = (SubwordSettings)subwords.GetProperty("Subwords")!.GetValue(null)!;
        var trained = settings.Train(Transcripts);
        Assert.Equal(48, trained.Pieces.Count);
        Assert.Equal(49, (int)subwords.GetField("ClassCount")!.GetValue(null)!);
        Assert.Equal(0, VocabularyOf(subwords).BlankIndex);

        using var characterModel = Exact(characters);
        using var subwordModel = Exact(subwords);
        var characterFrames = Transcripts.Select(t => Frames(VocabularyOf(characters), t)).ToArray();
        var subwordFrames = Transcripts.Select(t => Frames(VocabularyOf(subwords), t)).ToArray();
        // Fewer labels per sentence with pieces: what a subword vocabulary is for.
        Assert.True(subwordFrames.Sum(f => f.GetLength(0)) < 0.7 * characterFrames.Sum(f => f.GetLength(0)));

        foreach (var decoder in new ICtcDecoder?[] { null, new GreedyCtcDecoder(0) })
        {
            // null: the spec's beam search; the greedy decoder is given the subword model's blank (0) and the character model's (28).
            var fromCharacters = Transcribe(characters, characterModel, characterFrames, decoder is null ? null : new GreedyCtcDecoder(28));
            var fromPieces = Transcribe(subwords, subwordModel, subwordFrames, decoder);
            Assert.Equal(Transcripts, fromCharacters);
            Assert.Equal(Transcripts, fromPieces);
        }
    }

    [Fact]
    public void A_checkpoint_of_one_subword_model_is_refused_by_a_model_bound_to_another_naming_both()
    {
        var type = ModelType(Compile("Checkpointed", "{ type: unigram, size: 40 }", 41));
        var settings = (SubwordSettings)type.GetProperty("Subwords")!.GetValue(null)!;
        var path = Path.Combine(directory, "model.ckpt");
        var first = settings.Train(Transcripts);
        using (var model = Exact(type)) type.GetMethod("SaveCheckpoint")!.Invoke(model, new object[] { path });
        Assert.True(File.Exists(Checkpoint.SubwordsPath(path)));

        var other = settings.Train(Transcripts.Take(6).Append("zebras graze"));
        Assert.NotEqual(first.Fingerprint, other.Fingerprint);
        using (var model = Exact(type))
        {
            var error = Assert.Throws<TargetInvocationException>(() => type.GetMethod("LoadCheckpoint")!.Invoke(model, new object[] { path })).InnerException;
            var refused = Assert.IsType<CheckpointException>(error);
            Assert.Contains($"unigram {first.Fingerprint}", refused.Message);
            Assert.Contains($"unigram {other.Fingerprint}", refused.Message);
        }

        // Bound to the checkpoint's own subword model (read beside it), the checkpoint loads.
        Assert.Equal(first.Fingerprint, settings.UseCheckpoint(path).Fingerprint);
        using (var model = Exact(type)) type.GetMethod("LoadCheckpoint")!.Invoke(model, new object[] { path });

        // A model of another kind or size is refused when bound, naming the spec's and the model's.
        var wrong = Assert.Throws<ArgumentException>(() => settings.Use(BpeTrainer.Train(Transcripts, 40)));
        Assert.Contains("declares a unigram 40-piece", wrong.Message);
        Assert.Contains("the model given is bpe with 40 pieces", wrong.Message);
    }

    /// <summary>
    /// specs/conformer-ctc-bpe.ctc.yaml, short form: its 64 BPE pieces learnt from 48 sentences of the
    /// built-in synthetic speech, then a few epochs on their audio through the spec's own front-end,
    /// with a falling loss and decoded text made of the sentences' characters.
    /// </summary>
    [Fact]
    public void The_conformer_bpe_example_spec_trains_on_the_built_in_synthetic_speech()
    {
        var type = ModelType(GeneratorHarness.Load(Path.Combine(RepositoryPaths.Specs, "conformer-ctc-bpe.ctc.yaml")));
        var utterances = new CtcDsl.Runtime.Data.SyntheticSpeech(3).GrammarUtterances(48);
        var settings = (SubwordSettings)type.GetProperty("Subwords")!.GetValue(null)!;
        settings.Train(utterances.Select(u => u.Transcript));

        manual_seed(0);
        using var model = (nn.Module)Activator.CreateInstance(type, new object?[] { CPU })!;
        type.GetMethod("FitStatistics")!.Invoke(model, new object[] { utterances.Select(u => u.Audio) });
        var fromAudio = type.GetMethod("ExampleFromAudio")!;
        var examples = Array.CreateInstance(fromAudio.ReturnType, utterances.Count);
        for (var i = 0; i < utterances.Count; i++) examples.SetValue(fromAudio.Invoke(model, new object?[] { utterances[i].Audio, utterances[i].Transcript, $"synthetic {i}" }), i);
        var options = (FitOptions)type.GetProperty("DefaultFitOptions")!.GetValue(null)!;
        // The spec's 100 warm-up steps outlast this 36-step run (Fit refuses that): a few steps here.
        if (options.Schedule is LearningRateSchedule.Warmup warmup) options = options with { Schedule = warmup with { Steps = 3 } };
        var fit = type.GetMethods().Single(m => m.Name == "Fit" && m.GetParameters().Length == 3);
        var history = (TrainingHistory)fit.Invoke(model, new object?[] { examples, null, options with { Epochs = 6, BatchSize = 8, Progress = null } })!;

        var losses = history.Epochs.Select(e => e.Loss).ToArray();
        Assert.True(losses[^1] < 0.8 * losses[0], $"loss {string.Join(" → ", losses.Select(l => l.ToString("F2")))}");
        var decoded = (string[])type.GetMethod("Transcribe", new[] { typeof(IReadOnlyList<float[,]>), typeof(ICtcDecoder) })!
            .Invoke(model, new object?[] { new[] { ((CtcExample)examples.GetValue(0)!).Features }, null })!;
        Assert.All(decoded[0], c => Assert.True(c == ' ' || utterances.Any(u => u.Transcript.Contains(c))));
    }

    [Fact]
    public void Before_a_subword_model_is_bound_the_vocabulary_says_how_to_bind_one()
    {
        var type = ModelType(Compile("Unbound", "{ type: bpe, size: 30 }", 31));
        var error = Assert.Throws<TargetInvocationException>(() => type.GetProperty("Vocabulary")!.GetValue(null)).InnerException;
        Assert.Contains("UnboundModel has a bpe 30-piece subword vocabulary that is not bound yet: call UnboundModel.Subwords.Train(transcripts)", Assert.IsType<InvalidOperationException>(error).Message);
    }
}
