using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>Diagnostics of the layer graph: names, cycles, widths, lengths and subsampling.</summary>
public class GraphDiagnosticTests
{
    private static readonly string InterCtc = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "interctc.ctc.yaml"));
    private static readonly string DeepSpeech2 = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "deepspeech2.ctc.yaml"));

    private static string Edit(string spec, string find, string replace)
    {
        Assert.Contains(find, spec);
        return spec.Replace(find, replace);
    }

    private static int LineOf(string yaml, string text)
    {
        var index = yaml.IndexOf(text, System.StringComparison.Ordinal);
        Assert.True(index >= 0);
        return yaml.Substring(0, index).Count(c => c == '\n') + 1;
    }

    private static Diagnostic Single(string yaml, string id) =>
        Assert.Single(GeneratorHarness.Diagnose(yaml), d => d.Id == id);

    private static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line + 1;

    [Fact]
    public void Example_graph_specs_are_clean()
    {
        Assert.Empty(GeneratorHarness.Diagnose(InterCtc));
        Assert.Empty(GeneratorHarness.Diagnose(DeepSpeech2));
    }

    [Fact]
    public void Unknown_input_suggests_the_nearest_name()
    {
        var yaml = Edit(InterCtc, "input: block1, units: 64", "input: blok1, units: 64");
        var diagnostic = Single(yaml, "CTC0006");
        Assert.Equal(LineOf(yaml, "blok1"), Line(diagnostic));
        Assert.Contains("did you mean 'block1'", diagnostic.GetMessage());
    }

    [Fact]
    public void Cycle_is_reported_with_its_path()
    {
        var yaml = Edit(InterCtc, "{ type: lstm, name: block1, units: 64 }", "{ type: lstm, name: block1, input: block2, units: 64 }");
        var diagnostic = Single(yaml, "CTC0018");
        Assert.Equal(LineOf(yaml, "name: block2"), Line(diagnostic));
        Assert.Contains("block1 → block2 → block1", diagnostic.GetMessage());
    }

    [Fact]
    public void Add_of_different_widths_does_not_chain()
    {
        var yaml = Edit(InterCtc, "inputs: [block1, block2]", "inputs: [block1, inter_logits]");
        var diagnostic = Single(yaml, "CTC0019");
        Assert.Equal(LineOf(yaml, "inputs: [block1, inter_logits]"), Line(diagnostic));
        Assert.Contains("'block1' is 64 wide and 'inter_logits' is 28", diagnostic.GetMessage());
    }

    [Fact]
    public void Combining_tensors_of_different_lengths_is_an_error()
    {
        var yaml = Edit(DeepSpeech2, "  - { type: dense, name: logits, units: classes }",
            "  - { type: dense, name: logits, units: classes }\n  - { type: concat, name: skip, inputs: [features, conv1] }");
        var diagnostic = Single(yaml, "CTC0020");
        Assert.Equal(LineOf(yaml, "inputs: [features, conv1]"), Line(diagnostic));
    }

    [Fact]
    public void Subsampling_below_the_label_length_warns_with_the_arithmetic()
    {
        var yaml = Edit(DeepSpeech2, "min_length: 100", "min_length: 60");
        var (result, _) = GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("CTC0021", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal(LineOf(yaml, "  logits: logits"), Line(diagnostic));
        Assert.Contains("⌊(60 + 2·5 − 1·(11 − 1) − 1) / 2⌋ + 1 = 30", diagnostic.GetMessage());
        Assert.Contains("40 labels", diagnostic.GetMessage());
        Assert.Single(result.GeneratedTrees); // a warning: the model is still generated
    }

    [Fact]
    public void Convolution_longer_than_the_shortest_input_is_an_error_at_its_kernel()
    {
        // min_length 100 → conv1 (stride 2, 'same') leaves ⌊(100 + 10 − 11) / 2⌋ + 1 = 50 frames for conv2.
        var yaml = Edit(DeepSpeech2, "name: conv2, filters: 64, kernel: 11, padding: same", "name: conv2, filters: 64, kernel: 51, padding: valid");
        var diagnostic = Single(yaml, "CTC0027");
        Assert.Equal(LineOf(yaml, "kernel: 51"), Line(diagnostic));
        Assert.Equal(yaml.Split('\n')[Line(diagnostic) - 1].IndexOf("51", System.StringComparison.Ordinal), diagnostic.Location.GetLineSpan().StartLinePosition.Character);
        Assert.Contains("spans 51 frames", diagnostic.GetMessage());
        Assert.Contains("at most 50", diagnostic.GetMessage());

        // The boundary: a window of exactly the shortest input gives one frame, which is allowed.
        var fits = Edit(DeepSpeech2, "name: conv2, filters: 64, kernel: 11, padding: same", "name: conv2, filters: 64, kernel: 50, padding: valid");
        Assert.DoesNotContain(GeneratorHarness.Diagnose(fits), d => d.Id == "CTC0027");
        // Dilation counts: kernel 26 dilated by 2 spans 51.
        var dilated = Edit(DeepSpeech2, "name: conv2, filters: 64, kernel: 11, padding: same", "name: conv2, filters: 64, kernel: 26, dilation: 2, padding: valid");
        Assert.Contains("spans 51 frames", Single(dilated, "CTC0027").GetMessage());
    }

    [Fact]
    public void Metric_named_like_another_metrics_validation_value_is_an_error()
    {
        var yaml = Edit(DeepSpeech2, "  - { name: cer, type: cer }", "  - { name: cer, type: cer }\n  - { name: val_cer, type: wer }");
        var diagnostic = Single(yaml, "CTC0028");
        Assert.Equal(LineOf(yaml, "val_cer"), Line(diagnostic));
        Assert.Contains("'val_cer'", diagnostic.GetMessage());
        Assert.Contains("'cer'", diagnostic.GetMessage());
        // The order does not matter, and a val_ name with no counterpart is fine.
        Assert.Single(GeneratorHarness.Diagnose(Edit(DeepSpeech2, "  - { name: cer, type: cer }", "  - { name: val_cer, type: wer }\n  - { name: cer, type: cer }")), d => d.Id == "CTC0028");
        Assert.DoesNotContain(GeneratorHarness.Diagnose(Edit(DeepSpeech2, "  - { name: cer, type: cer }", "  - { name: cer, type: cer }\n  - { name: val_ler, type: label_error_rate }")), d => d.Id == "CTC0028");
    }

    [Fact]
    public void Names_the_generated_code_uses_are_mapped_not_rejected()
    {
        var yaml = Edit(InterCtc, "name: block2, input: block1", "name: outputs, input: block1").Replace("[block1, block2]", "[block1, outputs]");
        Assert.Empty(GeneratorHarness.Diagnose(yaml));
    }

    [Fact]
    public void Intermediate_ctc_node_is_checked_like_the_primary()
    {
        var yaml = Edit(InterCtc, "name: inter_logits, input: block1, units: classes", "name: inter_logits, input: block1, units: 20");
        var diagnostic = Single(yaml, "CTC0008");
        Assert.Equal(LineOf(yaml, "logits: inter_logits"), Line(diagnostic));
    }

    [Fact]
    public void Front_end_width_must_match_the_features_input()
    {
        var synthetic = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "synthetic.ctc.yaml"));
        var yaml = Edit(synthetic, "filters: 26, normalize: global", "filters: 26, deltas: 1, normalize: global");
        var diagnostic = Single(yaml, "CTC0022");
        Assert.Equal(LineOf(yaml, "features: { type: logfbank"), Line(diagnostic));
        Assert.Contains("gives 52 values per frame (26 filters × (1 + 1 delta orders))", diagnostic.GetMessage());
        Assert.Contains("set shape: [time, 52]", diagnostic.GetMessage());
    }
}
