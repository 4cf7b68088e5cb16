using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// The subword form of <c>vocabulary:</c>: what it generates (logits of size + 1, a SubwordSettings to
/// bind) and each mistake's stable diagnostic at its YAML position.
/// </summary>
public class SubwordSpecTests
{
    private static readonly string Bpe = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "conformer-ctc-bpe.ctc.yaml"));

    private static string With(string find, string replace)
    {
        Assert.Contains(find, Bpe);
        return Bpe.Replace(find, replace);
    }

    private static Diagnostic Single(string yaml, string id, params (string Path, string Text)[] others)
    {
        var diagnostics = GeneratorHarness.Run(others.Prepend(("/specs/test.ctc.yaml", yaml)).ToArray()).Result.Diagnostics;
        return Assert.Single(diagnostics, d => d.Id == id);
    }

    private static (int Line, int Column) At(Diagnostic d) =>
        (d.Location.GetLineSpan().StartLinePosition.Line + 1, d.Location.GetLineSpan().StartLinePosition.Character + 1);

    private static (int Line, int Column) Where(string yaml, string text)
    {
        var index = yaml.IndexOf(text, System.StringComparison.Ordinal);
        var before = yaml.Substring(0, index);
        return (before.Count(c => c == '\n') + 1, index - before.LastIndexOf('\n'));
    }

    [Theory]
    [InlineData("type: bpe\n  size: 64", 65)]
    [InlineData("type: unigram\n  size: 300", 301)]
    [InlineData("size: 2", 3)]
    [InlineData("model: tokenizer.model\n  size: 60", 61)]
    public void A_subword_vocabulary_compiles_with_logits_of_its_size_plus_the_blank(string vocabulary, int classes)
    {
        var yaml = With("type: bpe\n  size: 64", vocabulary);
        var (result, output) = GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml), ("/specs/tokenizer.model", ""));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        var source = result.GeneratedTrees.Single().ToString();
        Assert.Contains($"public const int ClassCount = {classes};", source);
        Assert.Contains($"logits = global::TorchSharp.torch.nn.Linear(96, {classes});", source);
        Assert.Contains("public static global::CtcDsl.Runtime.Training.SubwordSettings Subwords { get; }", source);
        Assert.Contains(vocabulary.StartsWith("model") ? "\"sentencepiece\", size: 60, blankIndex: BlankIndex, modelFile: \"tokenizer.model\"" : ", modelFile: null", source);
        // Its CER compares decoded characters, not pieces.
        Assert.Contains("ErrorRate.Characters(Texts(greedy), Texts(batch.LabelIds)", source);
    }

    [Fact]
    public void Tokens_beside_a_subword_form_is_CTC0031()
    {
        var yaml = With("  type: bpe\n", "  type: bpe\n  tokens: \" abc\"\n");
        var diagnostic = Single(yaml, "CTC0031");
        Assert.Equal(Where(yaml, "\" abc\""), At(diagnostic));
        Assert.Contains("'tokens' does not go with a subword vocabulary", diagnostic.GetMessage());
    }

    [Fact]
    public void A_type_beside_a_sentencepiece_model_is_CTC0031()
    {
        var yaml = With("  type: bpe\n", "  type: unigram\n  model: tokenizer.model\n");
        var diagnostic = Single(yaml, "CTC0031", ("/specs/tokenizer.model", ""));
        Assert.Equal(Where(yaml, "unigram"), At(diagnostic));
        Assert.Contains("says its own type", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("65537")]
    [InlineData("-4")]
    public void A_size_outside_2_to_65536_is_CTC0010(string size)
    {
        var yaml = With("size: 64", $"size: {size}");
        var diagnostic = Single(yaml, "CTC0010");
        var (line, column) = Where(yaml, $"size: {size}");
        Assert.Equal((line, column + 6), At(diagnostic));
        Assert.Contains("from 2 to 65536", diagnostic.GetMessage());
    }

    [Fact]
    public void A_missing_size_is_CTC0004()
    {
        var diagnostic = Single(With("  size: 64\n", ""), "CTC0004");
        Assert.Contains("needs 'size'", diagnostic.GetMessage());
    }

    [Fact]
    public void An_unknown_type_is_CTC0013_with_the_nearest()
    {
        var yaml = With("type: bpe", "type: unigran");
        var diagnostic = Single(yaml, "CTC0013");
        Assert.Equal(Where(yaml, "unigran"), At(diagnostic));
        Assert.Contains("did you mean 'unigram'", diagnostic.GetMessage());
        Assert.Contains("bpe, unigram", diagnostic.GetMessage());
    }

    [Fact]
    public void A_sentencepiece_model_the_project_does_not_have_is_CTC0032_naming_where_it_looked()
    {
        var yaml = With("  type: bpe\n", "  model: models/missing.model\n");
        var diagnostic = Single(yaml, "CTC0032", ("/specs/models/other.model", ""));
        Assert.Equal(Where(yaml, "models/missing.model"), At(diagnostic));
        Assert.Contains("/specs/models/missing.model", diagnostic.GetMessage());
        Assert.Contains("<AdditionalFiles Include=\"models/missing.model\" />", diagnostic.GetMessage());
        // The same path present among the additional files: no diagnostic.
        Assert.Empty(GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml), ("/specs/models/missing.model", "")).Result.Diagnostics);
    }

    [Fact]
    public void A_model_that_is_not_a_sentencepiece_file_name_is_CTC0010()
    {
        var yaml = With("  type: bpe\n", "  model: tokenizer.json\n");
        Assert.Contains("*.model", Single(yaml, "CTC0010").GetMessage());
    }

    [Fact]
    public void A_word_separator_other_than_space_is_CTC0010()
    {
        var yaml = With("  blank: last\n", "  blank: last\n  word_separator: \"|\"\n");
        Assert.Contains("a space in a subword vocabulary", Single(yaml, "CTC0010").GetMessage());
    }

    [Fact]
    public void Logits_narrower_than_the_pieces_are_CTC0008_counting_pieces()
    {
        var yaml = With("units: classes }", "units: 30 }");
        Assert.Contains("64 tokens + 1 blank = 65 classes", Single(yaml, "CTC0008").GetMessage());
    }
}
