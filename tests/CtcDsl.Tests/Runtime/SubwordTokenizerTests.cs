using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The unigram trainer (deterministic, exactly the asked size) and SentencePiece model files: models
/// trained by Google's reference implementation (python3-sentencepiece 0.1.97, Runtime/SentencePiece/make_models.py)
/// must give the reference's pieces and encodings here.
/// </summary>
public sealed class SubwordTokenizerTests
{
    private static readonly string Fixtures = Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.Tests", "Runtime", "SentencePiece");

    private static string[] Grammar(int seed, int count)
    {
        var speech = new SyntheticSpeech(seed);
        return Enumerable.Range(0, count).Select(_ => speech.GrammarSentence()).ToArray();
    }

    [Fact]
    public void Unigram_training_is_deterministic_exact_in_size_and_independent_of_transcript_order()
    {
        var transcripts = Grammar(1, 200);
        var first = UnigramTrainer.Train(transcripts, 80);
        var again = UnigramTrainer.Train(transcripts.Reverse().ToArray(), 80);
        Assert.Equal(first.ToText(), again.ToText());
        Assert.Equal(80, first.Pieces.Count);
        Assert.Equal("unigram", first.Kind);
        // Every character stays a piece, so every word of the training alphabet can be encoded.
        Assert.All(transcripts.SelectMany(t => t.Replace(" ", "")).Distinct(), c => Assert.Contains(c.ToString(), first.Pieces));
        // Frequent words become single pieces: "▁the" is the grammar's most frequent word.
        Assert.Contains("\u2581the", first.Pieces);
        Assert.NotEqual(first.Fingerprint, UnigramTrainer.Train(transcripts.Append("zebra").ToArray(), 80).Fingerprint);
    }

    [Theory]
    [InlineData("the quick fox saw a green boat near the old mill")]
    [InlineData("her odd wolf")]
    [InlineData("tomato")]
    public void Unigram_encoding_then_decoding_gives_the_text_back_and_survives_a_save(string text)
    {
        var model = UnigramTrainer.Train(Grammar(1, 200), 80);
        var vocabulary = Vocabulary.FromSubwords(model, 80);
        Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text)));
        Assert.Equal(text.Split(' ').Length, vocabulary.Encode(text).Count(vocabulary.StartsWord));
        var reread = SubwordModel.Parse(model.ToText(), "unigram");
        Assert.Equal(model.Fingerprint, reread.Fingerprint);
        Assert.Equal(model.Encode(text), reread.Encode(text));
    }

    [Fact]
    public void Unigram_sizes_the_data_cannot_give_are_refused_saying_what_it_can()
    {
        var many = Assert.Throws<ArgumentException>(() => UnigramTrainer.Train(new[] { "ab ab" }, 50));
        Assert.Contains("at most 6 unigram pieces", many.Message); // ▁, a, b and the substrings ▁a, ab, ▁ab
        Assert.Contains("ask for at least", Assert.Throws<ArgumentException>(() => UnigramTrainer.Train(Grammar(1, 50), 5)).Message);
    }

    public static IEnumerable<object[]> Kinds() => new[] { new object[] { "bpe" }, new object[] { "unigram" } };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_sentencepiece_model_gives_the_reference_implementations_pieces_and_encodings(string kind)
    {
        var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures, "expected.json"))).RootElement.GetProperty(kind);
        var model = SubwordModel.LoadSentencePiece(Path.Combine(Fixtures, $"grammar-{kind}.model"));
        Assert.Equal("sentencepiece", model.Kind);
        Assert.Equal(expected.GetProperty("pieces").EnumerateArray().Select(p => p.GetString()!), model.Pieces);
        var vocabulary = Vocabulary.FromSubwords(model, model.Pieces.Count);
        var checkedEncodings = 0;
        foreach (var encoding in expected.GetProperty("encodings").EnumerateObject())
        {
            var pieces = encoding.Value.EnumerateArray().Select(p => p.GetString()!).ToArray();
            if (pieces.Any(p => !model.Pieces.Contains(p)))
            {
                // The reference spells an unseen letter ('z') with <unk>: refused here, as a character vocabulary refuses it.
                Assert.Throws<VocabularyException>(() => model.Encode(encoding.Name));
                continue;
            }
            Assert.Equal(pieces, model.Encode(encoding.Name));
            Assert.Equal(encoding.Name, vocabulary.Decode(vocabulary.Encode(encoding.Name)));
            checkedEncodings++;
        }
        Assert.Equal(3, checkedEncodings);

        // Saved beside a checkpoint as text holding the model's bytes: read back identical.
        var reread = SubwordModel.Parse(model.ToText(), kind);
        Assert.Equal(model.Fingerprint, reread.Fingerprint);
        Assert.Equal(model.Encode("the old mill"), reread.Encode("the old mill"));
    }

    [Fact]
    public void A_file_that_is_not_a_sentencepiece_model_is_refused_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ctcdsl-not-a-model-{Guid.NewGuid():N}.model");
        File.WriteAllBytes(path, new byte[] { 0x0a, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3 });
        try
        {
            var error = Assert.Throws<FormatException>(() => SubwordModel.LoadSentencePiece(path));
            Assert.Contains(path, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
