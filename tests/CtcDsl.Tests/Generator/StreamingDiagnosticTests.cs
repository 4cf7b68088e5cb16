using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary><c>streaming: true</c>: a spec that cannot stream is refused at build time (CTC0030), naming the layer or setting and why.</summary>
public class StreamingDiagnosticTests
{
    private static readonly string Streaming = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "streaming.ctc.yaml"));

    private static string Edit(string spec, string find, string replace)
    {
        Assert.Contains(find, spec);
        return spec.Replace(find, replace);
    }

    private static int LineOf(string yaml, string text) => yaml.Substring(0, yaml.IndexOf(text, System.StringComparison.Ordinal)).Count(c => c == '\n') + 1;

    private static Diagnostic Single(string yaml) => Assert.Single(GeneratorHarness.Diagnose(yaml), d => d.Id == "CTC0030");

    private static int Line(Diagnostic d) => d.Location.GetLineSpan().StartLinePosition.Line + 1;

    [Fact]
    public void The_streaming_example_is_clean_and_gets_a_streaming_export()
    {
        Assert.Empty(GeneratorHarness.Diagnose(Streaming));
        var (_, compilation) = GeneratorHarness.Run(("/specs/streaming.ctc.yaml", Streaming));
        Assert.Contains(compilation.SyntaxTrees, t => t.ToString().Contains("public void ExportOnnxStreaming(string path)"));
        // Without the option the same model has no streaming export, and specs that cannot stream are not asked to.
        var (_, offline) = GeneratorHarness.Run(("/specs/streaming.ctc.yaml", Edit(Streaming, "streaming: true", "streaming: false")));
        Assert.DoesNotContain(offline.SyntaxTrees, t => t.ToString().Contains("ExportOnnxStreaming"));
        Assert.DoesNotContain(GeneratorHarness.Diagnose(File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "bigru.ctc.yaml"))), d => d.Id == "CTC0030");
    }

    [Fact]
    public void A_bidirectional_rnn_is_named_with_the_reason()
    {
        var yaml = Edit(Streaming, "{ type: gru, name: encoder, units: 128, layers: 2 }", "{ type: gru, name: encoder, units: 128, layers: 2, bidirectional: true }");
        var diagnostic = Single(yaml);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(LineOf(yaml, "name: encoder"), Line(diagnostic));
        Assert.Contains("layer 'encoder' (gru)", diagnostic.GetMessage());
        Assert.Contains("bidirectional", diagnostic.GetMessage());
        Assert.Contains("bidirectional: false", diagnostic.GetMessage());
    }

    [Fact]
    public void Per_utterance_normalisation_is_named()
    {
        var utterance = Edit(Streaming, "normalize: global", "normalize: utterance");
        var diagnostic = Single(utterance);
        Assert.Equal(LineOf(utterance, "normalize: utterance"), Line(diagnostic));
        Assert.Contains("the front-end", diagnostic.GetMessage());
        Assert.Contains("normalize: global", diagnostic.GetMessage());
        // The default is per utterance: leaving normalize out is refused too.
        Assert.Contains("normalize: utterance", Single(Edit(Streaming, ", normalize: global", "")).GetMessage());

        // No normalisation streams, and so do deltas (held back until the frames they read arrive).
        var none = Edit(Streaming, "normalize: global", "normalize: none");
        Assert.DoesNotContain(GeneratorHarness.Diagnose(none), d => d.Id == "CTC0030");
        var deltas = Edit(Edit(Streaming, "normalize: global", "normalize: global, deltas: 2"), "shape: [time, 26]", "shape: [time, 78]");
        Assert.Empty(GeneratorHarness.Diagnose(deltas));
    }

    [Fact]
    public void Inputs_through_different_convolutions_cannot_be_combined()
    {
        // The GRU sees the convolution's frames, the skip connection the features': in a stream they arrive at different times.
        var yaml = Edit(Streaming, "  - { type: dense, name: logits, units: classes }",
            "  - { type: conv1d, name: side, input: features, filters: 128, kernel: 5, stride: 2, padding: valid }\n" +
            "  - { type: add, name: mix, inputs: [encoder, side] }\n" +
            "  - { type: dense, name: logits, units: classes }");
        var diagnostic = Single(yaml);
        Assert.Equal(LineOf(yaml, "inputs: [encoder, side]"), Line(diagnostic));
        Assert.Contains("layer 'mix' (add)", diagnostic.GetMessage());
        Assert.Contains("conv and side", diagnostic.GetMessage());
        // Through the same convolution they stay aligned.
        var aligned = Edit(Streaming, "  - { type: dense, name: logits, units: classes }",
            "  - { type: add, name: mix, inputs: [encoder, conv] }\n  - { type: dense, name: logits, units: classes }");
        Assert.DoesNotContain(GeneratorHarness.Diagnose(aligned), d => d.Id == "CTC0030");
    }

    [Fact]
    public void A_model_without_a_front_end_cannot_stream_audio()
    {
        var yaml = Edit(Streaming, "features: { type: logfbank, sample_rate: 16000, filters: 26, normalize: global }\n", "");
        var diagnostic = Single(yaml);
        Assert.Equal(LineOf(yaml, "streaming: true"), Line(diagnostic));
        Assert.Contains("features:", diagnostic.GetMessage());
    }
}
