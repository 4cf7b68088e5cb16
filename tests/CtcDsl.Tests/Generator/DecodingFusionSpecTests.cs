using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// <c>decoding: { type: beam, lm, lexicon, hotwords }</c> as a user writes it from the reference: it
/// compiles cleanly, the generated model decodes with the files found beside the spec, a missing file
/// is named when the model first decodes, and every mistake is a diagnostic at its node.
/// </summary>
public sealed class DecodingFusionSpecTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-fusion-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private const string Decoding = """
        decoding:
          type: beam
          beam_width: 8
          lm: { path: lm/words.arpa, alpha: 0.8, beta: 0.5, unit: word }
          lexicon: lm/words.txt
          out_of_lexicon_penalty: -6
          hotwords: [ "ab", { phrase: "ba ab", boost: 3 } ]
        """;

    [Fact]
    public void A_fused_decoder_compiles_cleanly_and_reads_its_files_from_beside_the_spec()
    {
        var spec = HostileSpecTests.Spec(layers: "  - { type: dense, name: logits, units: classes }", name: "Fused", extra: Decoding).Replace("tokens: \"ab\"", "tokens: \"ab \"");
        var (generator, compiler, files) = StrictCompile.Run(("/specs/fused.ctc.yaml", spec));
        Assert.True(generator.All(d => d.Severity < DiagnosticSeverity.Warning), string.Join("\n", generator));
        Assert.True(compiler.Count == 0, string.Join("\n", compiler.Take(10)));

        // A project whose spec lives in specs/, with its model and lexicon beside it. The generated code
        // names them relative to the project, never by an absolute path.
        var specs = Directory.CreateDirectory(Path.Combine(directory, "specs")).FullName;
        var specPath = Path.Combine(specs, "fused.ctc.yaml");
        File.WriteAllText(specPath, spec);
        Directory.CreateDirectory(Path.Combine(specs, "lm"));
        CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Write(Path.Combine(specs, "lm", "words.arpa"), CtcDsl.Runtime.LanguageModels.KneserNeyBuilder.Words(new[] { "ab ba", "ab ab ba" }));
        File.WriteAllLines(Path.Combine(specs, "lm", "words.txt"), new[] { "ab", "ba" });
        var generated = GeneratorHarness.Driver(projectDirectory: directory + "/")
            .AddAdditionalTexts(System.Collections.Immutable.ImmutableArray.Create<AdditionalText>(new GeneratorHarness.InMemoryText(specPath, spec)))
            .RunGenerators(GeneratorHarness.Compilation()).GetRunResult().GeneratedTrees.Single().ToString();
        Assert.Contains("specFolder: \"specs\", languageModelPath: \"lm/words.arpa\", lexiconPath: \"lm/words.txt\"", generated);
        Assert.DoesNotContain(directory, generated);
        var assembly = GeneratorHarness.Load(specPath, projectDirectory: directory + "/");
        var type = assembly.GetTypes().Single(t => t.Name == "FusedModel");
        // Run from the project's folder (`dotnet run` does; from its bin/ the folders above are searched).
        var previous = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(directory);
        try
        {
            DecodesWithTheFilesThenNamesTheMissingOne(type, specs);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    private static void DecodesWithTheFilesThenNamesTheMissingOne(Type type, string specs)
    {
        using (var model = (IDisposable)Activator.CreateInstance(type, new object?[] { CPU })!)
        {
            var decoder = (ICtcDecoder)type.GetProperty("Decoder")!.GetValue(model)!;
            // Frames spelling "ab" (a, blank, b): classes a, b, space, blank.
            var logits = tensor(new float[] { 5, 0, 0, 0, 0, 0, 0, 5, 0, 5, 0, 0 }, new long[] { 1, 3, 4 });
            var best = decoder.Decode(logits, tensor(new long[] { 3 }))[0][0];
            Assert.Equal(new[] { 0, 1 }, best.Labels);
            Assert.True(best.LanguageModelScore != 0, "the language model took part");
        }

        // Without the language model, decoding (not building the model) names the file and where it was looked for.
        File.Delete(Path.Combine(specs, "lm", "words.arpa"));
        using (var model = (IDisposable)Activator.CreateInstance(type, new object?[] { CPU })!)
        {
            var decoder = (ICtcDecoder)type.GetProperty("Decoder")!.GetValue(model)!;
            var error = Assert.Throws<DataFileException>(() => decoder.Decode(zeros(1, 3, 4), tensor(new long[] { 3 })));
            Assert.Contains("lm/words.arpa: the spec's language model is not in", error.Message);
            Assert.Contains(Path.Combine(specs, "lm", "words.arpa"), error.Message);
        }
    }

    [Theory]
    [InlineData("decoding: { type: greedy, lm: { path: x.arpa } }", "CTC0010", "{ path")]
    [InlineData("decoding: { type: beam, lm: { alpha: 1 } }", "CTC0004", "{ alpha")]
    [InlineData("decoding: { type: beam, lm: { path: x.arpa, alpha: 11 } }", "CTC0010", "11")]
    [InlineData("decoding: { type: beam, lm: { path: x.arpa, beta: -30 } }", "CTC0010", "-30")]
    [InlineData("decoding: { type: beam, lm: { path: x.arpa, unit: letter } }", "CTC0013", "letter")]
    [InlineData("decoding: { type: beam, lm: { path: x.arpa, weight: 1 } }", "CTC0002", "weight")]
    [InlineData("decoding: { type: beam, lm: { path: \"  \" } }", "CTC0010", "\"  \"")]
    [InlineData("decoding: { type: beam, lm: x.arpa }", "CTC0003", "x.arpa")]
    [InlineData("decoding: { type: beam, lexicon: words.txt, out_of_lexicon_penalty: 2 }", "CTC0010", "2 }")]
    [InlineData("decoding: { type: beam, out_of_lexicon_penalty: -2 }", "CTC0010", "-2")]
    [InlineData("decoding: { type: beam, hotwords: [ [ab] ] }", "CTC0003", "[ab]")]
    [InlineData("decoding: { type: beam, hotwords: [ { phrase: ab, boost: 99 } ] }", "CTC0010", "99")]
    [InlineData("decoding: { type: beam, hotwords: [ { boost: 1 } ] }", "CTC0004", "{ boost")]
    [InlineData("decoding: { type: beam, hotwords: ab }", "CTC0003", "ab }")]
    public void Mistakes_are_diagnosed_at_their_node(string decoding, string id, string at)
    {
        var yaml = HostileSpecTests.Spec(extra: decoding);
        var diagnostics = GeneratorHarness.Diagnose(yaml);
        var diagnostic = diagnostics.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"expected {id}; got:\n{string.Join("\n", diagnostics)}");
        var index = yaml.IndexOf(at, yaml.IndexOf("decoding", StringComparison.Ordinal), StringComparison.Ordinal);
        var line = yaml.Take(index).Count(c => c == '\n');
        var column = index - (yaml.LastIndexOf('\n', index - 1) + 1);
        var span = diagnostic!.Location.GetLineSpan().StartLinePosition;
        Assert.True((line, column) == (span.Line, span.Character), $"{id} at {span.Line + 1}:{span.Character + 1}, expected {line + 1}:{column + 1} ('{at}'): {diagnostic.GetMessage()}");
    }
}
