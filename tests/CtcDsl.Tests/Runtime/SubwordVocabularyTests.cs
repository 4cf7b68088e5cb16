using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>Subword vocabularies: deterministic BPE, the word-boundary marker in every decoder, and checkpoints that carry their subword model.</summary>
public sealed class SubwordVocabularyTests : IDisposable
{
    private static readonly string[] Transcripts =
    {
        "the cat sat on the mat", "the dog sat on the log", "a cab came to the mat", "the cat ran", "a dog ran to the cab", "the mat is on the log",
    };

    /// <summary>Letters and the space, blank last.</summary>
    private static readonly Vocabulary Letters = new(" abcdefghijklmnopqrstuvwxyz".Select(c => c.ToString()).ToArray(), 27);

    private static readonly Vocabulary Pieces = Vocabulary.FromSubwords(BpeTrainer.Train(Transcripts, 40), 40);

    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-subwords-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Bpe_training_is_deterministic_and_independent_of_transcript_order()
    {
        var first = BpeTrainer.Train(Transcripts, 40);
        var again = BpeTrainer.Train(Transcripts.Reverse().ToArray(), 40);
        Assert.Equal(first.ToText(), again.ToText());
        Assert.Equal(first.Fingerprint, again.Fingerprint);
        Assert.Equal(40, first.Pieces.Count);
        // The alphabet first (ordinal order, the marker last of these letters), then one piece per merge.
        var alphabet = Transcripts.SelectMany(t => t.Replace(" ", "")).Append(SubwordModel.Marker).Distinct().OrderBy(c => c).Select(c => c.ToString());
        Assert.Equal(alphabet, first.Pieces.Take(first.Pieces.Count - first.Merges.Count));
        // The most frequent pair of the corpus is merged first: "▁t" (11 times: "the", "to").
        Assert.Equal(("\u2581", "t"), first.Merges[0]);
        Assert.NotEqual(first.Fingerprint, BpeTrainer.Train(Transcripts.Append("zebra").ToArray(), 40).Fingerprint);
    }

    [Theory]
    [InlineData("bpe")]
    [InlineData("unigram")]
    public void Pieces_are_trained_on_transcripts_prepared_as_training_will_read_them(string type)
    {
        // LibriSpeech-style raw text: upper case, doubled and trailing spaces. The normaliser lower-cases it for
        // training, so pieces trained on it raw must spell the lower-cased labels.
        var raw = Transcripts.Select(t => " " + t.ToUpperInvariant().Replace(" ", "  ") + "\t").ToArray();
        var settings = new SubwordSettings("Raw", type, size: 40, blankIndex: 40);
        var fromRaw = settings.Train(raw);
        Assert.Equal(new SubwordSettings("Clean", type, size: 40, blankIndex: 40).Train(Transcripts).Fingerprint, fromRaw.Fingerprint);
        Assert.DoesNotContain(fromRaw.Pieces, p => p.Any(char.IsUpper));
        var normalizer = settings.Transcripts(vocabulary => new CtcDsl.Runtime.Data.TranscriptNormalizer(vocabulary));
        Assert.Equal("the cat sat on the mat", normalizer.Normalize(new CtcDsl.Runtime.Data.Utterance("a.wav", raw[0], "manifest line 2")));
    }

    [Fact]
    public void Bpe_sizes_the_data_cannot_give_are_refused_saying_what_it_can()
    {
        var few = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(Transcripts, 10));
        Assert.Contains("ask for at least", few.Message);
        var many = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(new[] { "ab ab" }, 50));
        Assert.Contains("at most 5 subword pieces", many.Message);
    }

    [Theory]
    [InlineData("the cat sat on the mat")]
    [InlineData("a cab came")]
    [InlineData("tomato")]
    public void Encoding_then_decoding_gives_the_text_back(string text)
    {
        var ids = Pieces.Encode(text);
        Assert.Equal(text, Pieces.Decode(ids));
        Assert.True(Pieces.StartsWord(ids[0]));
        Assert.Equal(text.Split(' ').Length, ids.Count(Pieces.StartsWord));
        Assert.Equal(Pieces.Encode(text), Pieces.Subwords!.Encode(text).Select(Pieces.IdOf).ToArray());
        var unknown = Assert.Throws<VocabularyException>(() => Pieces.Encode(text + " qx"));
        Assert.Equal(text.Length + 1, unknown.Position);
    }

    /// <summary>
    /// Log-probabilities that put (nearly) all mass on <paramref name="text"/>'s tokens: each word fills
    /// <see cref="WordFrames"/> frames, split evenly among its tokens, and one frame between words holds
    /// the character vocabulary's space (the subword one has its marker inside the word: that frame is blank).
    /// </summary>
    private static float[] Exact(Vocabulary vocabulary, string text, out int frames)
    {
        var classes = vocabulary.ClassCount;
        var path = new List<int>();
        var words = text.Split(' ');
        for (var w = 0; w < words.Length; w++)
        {
            if (w > 0) path.Add(vocabulary.Subwords is null ? vocabulary.IdOf(' ') : vocabulary.BlankIndex);
            var ids = vocabulary.Encode(words[w]);
            for (var f = 0; f < WordFrames; f++) path.Add(ids[f * ids.Length / WordFrames]);
        }
        frames = path.Count;
        var result = new float[frames * classes];
        for (var t = 0; t < frames; t++)
        {
            var logits = Enumerable.Range(0, classes).Select(c => c == path[t] ? 0.0 : -12.0).ToArray();
            var logSum = Math.Log(logits.Sum(Math.Exp));
            for (var c = 0; c < classes; c++) result[t * classes + c] = (float)(logits[c] - logSum);
        }
        return result;
    }

    private const int WordFrames = 12;

    private static string Greedy(Vocabulary vocabulary, float[] logProbs, int frames)
    {
        var classes = vocabulary.ClassCount;
        var best = Enumerable.Range(0, frames).Select(t => (long)Enumerable.Range(0, classes).MaxBy(c => logProbs[t * classes + c])).ToArray();
        return vocabulary.Decode(GreedyDecoder.Collapse(best, vocabulary.BlankIndex));
    }

    [Theory]
    [InlineData("the cat sat on the mat")]
    [InlineData("a dog ran to the cab")]
    [InlineData("the log")]
    public void A_character_and_a_subword_vocabulary_decode_the_same_text_and_times_when_the_model_is_exact(string text)
    {
        var lm = KneserNeyBuilder.Build(KneserNeyBuilder.Words(Transcripts), order: 3);
        var lexicon = new Lexicon(Transcripts.SelectMany(t => t.Split(' ')).Distinct());
        var outputs = new List<string[]>();
        var timings = new List<LongTranscript>();
        foreach (var vocabulary in new[] { Letters, Pieces })
        {
            var logProbs = Exact(vocabulary, text, out var frames);
            var classes = vocabulary.ClassCount;
            outputs.Add(new[]
            {
                Greedy(vocabulary, logProbs, frames),
                vocabulary.Decode(new PrefixBeamSearch(vocabulary.BlankIndex, beamWidth: 8).Search(logProbs, frames, classes)[0].Labels),
                vocabulary.Decode(new LanguageModelBeamSearch(vocabulary, lexicon: lexicon).Search(logProbs, frames, classes)[0].Labels),
                vocabulary.Decode(new LanguageModelBeamSearch(vocabulary, lm, options: new LanguageModelBeamSearchOptions { Alpha = 0.5, Beta = 1 }).Search(logProbs, frames, classes)[0].Labels),
                vocabulary.Decode(new LanguageModelBeamSearch(vocabulary, lm, lexicon, new LanguageModelBeamSearchOptions { Alpha = 0.5, Beta = 1 }).Search(logProbs, frames, classes)[0].Labels),
            });
            timings.Add(BestPathTimings.Read(logProbs, frames, classes, vocabulary, secondsPerFrame: 0.04, duration: frames * 0.04));
        }
        Assert.All(outputs.SelectMany(o => o), decoded => Assert.Equal(text, decoded));
        Assert.Equal(text, timings[0].Text);
        Assert.Equal(text, timings[1].Text);
        Assert.Equal(timings[0].Words.Select(w => (w.Text, w.Start, w.End)), timings[1].Words.Select(w => (w.Text, w.Start, w.End)));
        Assert.Equal(text.Split(' '), timings[1].Words.Select(w => w.Text));
    }

    [Fact]
    public void The_lexicon_and_the_language_model_see_subword_words_whole()
    {
        // The lexicon must complete words at the marker, not at a space the pieces never emit: with it,
        // "the cat" is found; with a lexicon that lacks "cat", it never is.
        var logProbs = Exact(Pieces, "the cat", out var frames);
        var classes = Pieces.ClassCount;
        var lexicon = new Lexicon(new[] { "the", "cat" });
        var found = new LanguageModelBeamSearch(Pieces, lexicon: lexicon).Search(logProbs, frames, classes);
        Assert.Equal("the cat", Pieces.Decode(found[0].Labels));
        var without = new LanguageModelBeamSearch(Pieces, lexicon: new Lexicon(new[] { "the", "dog" })).Search(logProbs, frames, classes);
        Assert.DoesNotContain(without, h => Pieces.Decode(h.Labels) == "the cat");
    }

    [Fact]
    public void A_checkpoint_carries_its_subword_model_and_refuses_another()
    {
        var path = Path.Combine(directory, "subwords.ckpt");
        using var module = nn.Linear(4, Pieces.ClassCount);
        using (var sgd = optim.SGD(module.parameters(), 0.1))
            Checkpoint.Save(path, "Plain", Pieces, module, sgd, epoch: 1, step: 1, new TrainingHistory());
        Assert.True(File.Exists(Checkpoint.SubwordsPath(path)));
        var checkpoint = Checkpoint.Load(path);
        checkpoint.EnsureMatches("Plain", Pieces, path);
        var read = checkpoint.ReadSubwords(path);
        Assert.Equal(Pieces.Subwords!.ToText(), read.ToText());
        Assert.Equal(Pieces.Encode("the cat"), Vocabulary.FromSubwords(read, 40).Encode("the cat"));

        // Same pieces, other merges would decode alike but encode differently: the fingerprint tells them apart.
        var other = Vocabulary.FromSubwords(new SubwordModel("bpe", Pieces.Subwords.Pieces, Pieces.Subwords.Merges.Reverse().ToArray()), 40);
        var refused = Assert.Throws<CheckpointException>(() => checkpoint.EnsureMatches("Plain", other, path));
        Assert.Contains(Pieces.Subwords.Fingerprint, refused.Message);
        Assert.Contains(other.Subwords!.Fingerprint, refused.Message);
        Assert.Contains("character vocabulary", Assert.Throws<CheckpointException>(() => checkpoint.EnsureMatches("Plain", Letters, path)).Message);

        File.AppendAllText(Checkpoint.SubwordsPath(path), "\u2581x y\n");
        Assert.Contains("follows the last merge", Assert.Throws<CheckpointException>(() => checkpoint.ReadSubwords(path)).Message);
        other.Subwords.Save(Checkpoint.SubwordsPath(path));
        Assert.Contains("not the one it was written with", Assert.Throws<CheckpointException>(() => checkpoint.ReadSubwords(path)).Message);
    }

    [Fact]
    public void The_saved_model_reads_back_equal()
    {
        var file = Path.Combine(directory, "model.subwords");
        Pieces.Subwords!.Save(file);
        var back = SubwordModel.Load(file);
        Assert.Equal(Pieces.Subwords.Fingerprint, back.Fingerprint);
        Assert.Throws<FormatException>(() => SubwordModel.Parse("ctcdsl-subwords 1\nkind bpe\npieces 1\na\nmerges 1\na b\n", "bad"));
    }
}
