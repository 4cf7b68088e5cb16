using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>Each spec mistake gives its stable diagnostic ID at the YAML line and column of the offending node.</summary>
public class DiagnosticTests
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));

    /// <summary>The seed spec with one text replaced (asserting that the text was there).</summary>
    private static string SeedWith(string find, string replace)
    {
        Assert.Contains(find, Seed);
        return Seed.Replace(find, replace);
    }

    /// <summary>1-based line and column of the first occurrence of <paramref name="text"/> in <paramref name="yaml"/>.</summary>
    private static (int Line, int Column) Where(string yaml, string text)
    {
        var index = yaml.IndexOf(text, System.StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{text}' not in the spec");
        var before = yaml.Substring(0, index);
        return (before.Count(c => c == '\n') + 1, index - before.LastIndexOf('\n'));
    }

    private static Diagnostic Single(string yaml, string id)
    {
        var diagnostics = GeneratorHarness.Diagnose(yaml);
        return Assert.Single(diagnostics, d => d.Id == id);
    }

    private static void AssertAt(Diagnostic diagnostic, (int Line, int Column) expected)
    {
        var span = diagnostic.Location.GetLineSpan();
        Assert.Equal("/specs/test.ctc.yaml", span.Path);
        Assert.Equal(expected, (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
    }

    [Fact]
    public void Valid_seed_spec_has_no_diagnostics() => Assert.Empty(GeneratorHarness.Diagnose(Seed));

    [Fact]
    public void Yaml_syntax_error()
    {
        var yaml = SeedWith("  blank: last ", "  blank: [last ");
        var diagnostic = Assert.Single(GeneratorHarness.Diagnose(yaml));
        Assert.Equal("CTC0001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.True(diagnostic.Location.GetLineSpan().StartLinePosition.Line >= Where(yaml, "blank: [").Line - 1);
    }

    [Fact]
    public void Unknown_key_suggests_the_nearest()
    {
        var yaml = SeedWith("    units: 50", "    unitz: 50");
        var diagnostic = Single(yaml, "CTC0002");
        AssertAt(diagnostic, Where(yaml, "unitz"));
        Assert.Contains("did you mean 'units'", diagnostic.GetMessage());
    }

    [Fact]
    public void Wrong_value_type()
    {
        var yaml = SeedWith("units: 50", "units: fifty");
        var diagnostic = Single(yaml, "CTC0003");
        AssertAt(diagnostic, Where(yaml, "fifty"));
        Assert.Contains("must be an integer", diagnostic.GetMessage());
    }

    [Fact]
    public void Unknown_layer_type_suggests_the_nearest()
    {
        var yaml = SeedWith("type: lstm", "type: lstn");
        var diagnostic = Single(yaml, "CTC0005");
        AssertAt(diagnostic, Where(yaml, "lstn"));
        Assert.Contains("did you mean 'lstm'", diagnostic.GetMessage());
    }

    [Fact]
    public void Unknown_logits_name()
    {
        var yaml = SeedWith("  logits: logits", "  logits: logit");
        var diagnostic = Single(yaml, "CTC0006");
        AssertAt(diagnostic, Where(yaml, "logit\n"));
        Assert.Contains("did you mean 'logits'", diagnostic.GetMessage());
    }

    [Fact]
    public void Duplicate_name()
    {
        var yaml = SeedWith("name: logits", "name: rnn");
        var diagnostic = Single(yaml, "CTC0007");
        var second = yaml.IndexOf("name: rnn", yaml.IndexOf("name: rnn", System.StringComparison.Ordinal) + 1, System.StringComparison.Ordinal);
        var line = yaml.Substring(0, second).Count(c => c == '\n') + 1;
        Assert.Equal(line, diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void Logits_width_must_be_vocabulary_plus_blank()
    {
        var yaml = SeedWith("units: 28", "units: 27");
        var diagnostic = Single(yaml, "CTC0008");
        AssertAt(diagnostic, Where(yaml, "logits\n  labels"));
        Assert.Contains("set units: 28", diagnostic.GetMessage());
    }

    [Fact]
    public void Blank_must_be_first_last_or_in_range()
    {
        var yaml = SeedWith("blank: last", "blank: 40");
        var (line, column) = Where(yaml, "blank: 40");
        AssertAt(Single(yaml, "CTC0009"), (line, column + "blank: ".Length));
    }

    [Fact]
    public void Learning_rate_must_be_positive()
    {
        var yaml = SeedWith("learning_rate: 0.005", "learning_rate: -0.005");
        var diagnostic = Single(yaml, "CTC0010");
        AssertAt(diagnostic, Where(yaml, "-0.005"));
    }

    [Fact]
    public void Unsupported_version()
    {
        var yaml = SeedWith("version: 1", "version: 2");
        AssertAt(Single(yaml, "CTC0011"), Where(yaml, "2\nname"));
    }

    [Fact]
    public void Missing_labels_input()
    {
        var yaml = SeedWith("  labels: { kind: labels }\n", "");
        var diagnostics = GeneratorHarness.Diagnose(yaml);
        Assert.Contains(diagnostics, d => d.Id == "CTC0014" && d.GetMessage().Contains("labels"));
    }

    [Fact]
    public void Unsupported_dtype()
    {
        var yaml = SeedWith("dtype: float32", "dtype: float16");
        AssertAt(Single(yaml, "CTC0015"), Where(yaml, "float16"));
    }

    [Fact]
    public void Masking_is_accepted_with_a_warning()
    {
        var yaml = SeedWith("layers:\n", "layers:\n  - { type: masking, name: mask, mask_value: 1e10 }\n");
        var diagnostics = GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml)).Result;
        var warning = Assert.Single(diagnostics.Diagnostics);
        Assert.Equal("CTC0017", warning.Id);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Single(diagnostics.GeneratedTrees);
    }

    [Fact]
    public void Every_error_in_a_spec_is_reported_and_only_placeholders_are_generated()
    {
        var yaml = SeedWith("units: 50", "units: 0").Replace("momentum: 0.9", "momentum: 1.5").Replace("epochs: 400", "epocs: 400");
        var result = GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml)).Result;
        Assert.True(StrictCompile.IsPlaceholder(Assert.Single(result.GeneratedTrees)));
        Assert.Contains(result.Diagnostics, d => d.Id == "CTC0010" && d.GetMessage().Contains("units"));
        Assert.Contains(result.Diagnostics, d => d.Id == "CTC0010" && d.GetMessage().Contains("momentum"));
        Assert.Contains(result.Diagnostics, d => d.Id == "CTC0002" && d.GetMessage().Contains("epocs"));
    }

    [Fact]
    public void Missing_required_key_says_what_to_add()
    {
        var yaml = SeedWith("  epochs: 400\n", "");
        var diagnostic = Single(yaml, "CTC0004");
        AssertAt(diagnostic, Where(yaml, "optimizer: { type: sgd"));
        Assert.Contains("add 'epochs: ", diagnostic.GetMessage());
    }

    [Fact]
    public void Duplicate_token()
    {
        var yaml = SeedWith("tokens: \" abcdefghijklmnopqrstuvwxyz\"", "tokens: \" abcdefghijklmnopqrstuvwxyza\"");
        var diagnostic = Single(yaml, "CTC0012");
        AssertAt(diagnostic, Where(yaml, "\" abcdefghijklmnopqrstuvwxyza\""));
        Assert.Contains("'a'", diagnostic.GetMessage());
    }

    [Fact]
    public void Unknown_option_value_lists_the_valid_ones()
    {
        var yaml = SeedWith("reduction: mean", "reduction: avg");
        var diagnostic = Single(yaml, "CTC0013");
        AssertAt(diagnostic, Where(yaml, "avg"));
        Assert.Contains("mean, sum, length_normalized_mean", diagnostic.GetMessage());
    }

    [Fact]
    public void Invalid_model_name()
    {
        var yaml = SeedWith("name: Ldc93s1", "name: 9lives");
        var diagnostic = Single(yaml, "CTC0016");
        AssertAt(diagnostic, Where(yaml, "9lives"));
    }

    [Fact]
    public void Missing_features_input_points_at_the_inputs()
    {
        var yaml = SeedWith("  features: { kind: features, shape: [time, 13], dtype: float32 }\n", "");
        var diagnostic = Single(yaml, "CTC0014");
        AssertAt(diagnostic, Where(yaml, "labels: { kind: labels }"));
        Assert.Contains("kind: features", diagnostic.GetMessage());
    }
}
