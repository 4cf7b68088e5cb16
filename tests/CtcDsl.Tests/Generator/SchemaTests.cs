using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using CtcDsl.Generator.Analysis;
using CtcDsl.Tests.Support;
using Json.Schema;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Tests.Generator;

/// <summary>specs/ctc-spec.schema.json (for YAML editors) and the generator accept the same documents.</summary>
public class SchemaTests
{
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(RepositoryPaths.Specs, "ctc-spec.schema.json"));
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));

    public static IEnumerable<object[]> Specs() =>
        Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml").OrderBy(p => p).Select(p => new object[] { Path.GetFileName(p) });

    [Theory]
    [MemberData(nameof(Specs))]
    public void Example_specs_validate_and_reference_the_schema(string spec)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, spec));
        Assert.StartsWith("# yaml-language-server: $schema=./ctc-spec.schema.json", text);
        var result = Evaluate(text, OutputFormat.List);
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? new List<EvaluationResults>()).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    /// <summary>The seed spec's own front-end line, replaced by the front-end cases.</summary>
    private const string SeedFrontEnd = "features: { type: mfcc, sample_rate: 16000, coefficients: 13, filters: 26, normalize: utterance }";

    /// <summary>Edits of the seed that the schema can judge on its own (cross-references such as logits width are the generator's alone).</summary>
    public static IEnumerable<object[]> Corpus() => new[]
    {
        new object[] { "seed as is", Seed, true },
        new object[] { "blank first", Seed.Replace("blank: last", "blank: first"), true },
        new object[] { "token list", Seed.Replace("tokens: \" abcdefghijklmnopqrstuvwxyz\"", "tokens: [' ', a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t, u, v, w, x, y, z]"), true },
        new object[] { "gru with adam", Seed.Replace("type: lstm", "type: gru").Replace("    unit_forget_bias: true\n", "").Replace("type: sgd, learning_rate: 0.005, momentum: 0.9", "type: adam, learning_rate: 0.001"), true },
        new object[] { "dense units: classes", Seed.Replace("units: 28", "units: classes"), true },
        new object[] { "early stopping and skipping non-finite batches", Seed.Replace("  shuffle: true", "  shuffle: true\n  non_finite_loss: skip\n  early_stopping: { monitor: val_ler, patience: 20, min_delta: 0.001 }"), true },
        new object[] { "early stopping mode", Seed.Replace("  shuffle: true", "  shuffle: true\n  early_stopping: { mode: lowest }"), false },
        new object[] { "non-finite policy", Seed.Replace("  shuffle: true", "  shuffle: true\n  non_finite_loss: ignore"), false },
        new object[] { "mfcc front-end with deltas", Seed.Replace(SeedFrontEnd, "features: { type: mfcc, deltas: 2 }").Replace("shape: [time, 13]", "shape: [time, 39]").Replace("  - type: lstm", "  - type: lstm").Replace("units: 50\n", "units: 50\n"), true },
        new object[] { "unknown front-end", Seed.Replace(SeedFrontEnd, "features: { type: spectrogram }"), false },
        new object[] { "unknown root key", Seed.Replace("decoding:", "decodng:"), false },
        new object[] { "unknown layer key", Seed.Replace("units: 50", "unitz: 50"), false },
        new object[] { "unknown layer type", Seed.Replace("type: lstm", "type: lstn"), false },
        new object[] { "units not an integer", Seed.Replace("units: 50", "units: fifty"), false },
        new object[] { "negative learning rate", Seed.Replace("learning_rate: 0.005", "learning_rate: -0.005"), false },
        new object[] { "momentum 1.5", Seed.Replace("momentum: 0.9", "momentum: 1.5"), false },
        new object[] { "version 2", Seed.Replace("version: 1", "version: 2"), false },
        new object[] { "unknown reduction", Seed.Replace("reduction: mean", "reduction: average"), false },
        new object[] { "float16 features", Seed.Replace("dtype: float32", "dtype: float16"), false },
        new object[] { "zero epochs", Seed.Replace("epochs: 400", "epochs: 0"), false },
        new object[] { "no ctc node", Seed.Substring(0, Seed.IndexOf("ctc:\n", System.StringComparison.Ordinal)) + Seed.Substring(Seed.IndexOf("metrics:", System.StringComparison.Ordinal)), false },
        new object[] { "bad initializer", Seed.Replace("kernel_initializer: glorot_uniform", "kernel_initializer: he_normal"), false },
        new object[] { "layer norm with options", Seed.Replace("  - type: dense\n", "  - { type: layer_norm, epsilon: 0.001, elementwise_affine: false }\n  - type: dense\n"), true },
        new object[] { "layer norm epsilon 0", Seed.Replace("  - type: dense\n", "  - { type: layer_norm, epsilon: 0 }\n  - type: dense\n"), false },
        new object[] { "layer norm key of batch norm's schema", Seed.Replace("  - type: dense\n", "  - { type: batch_norm, epsilon: 0.001 }\n  - type: dense\n"), false },
    };

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Schema_and_generator_agree(string description, string yaml, bool valid)
    {
        var schemaValid = Evaluate(yaml, OutputFormat.Flag).IsValid;
        var generatorErrors = GeneratorHarness.Diagnose(yaml).Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).ToList();
        Assert.True(valid == schemaValid, $"{description}: the schema says {(schemaValid ? "valid" : "invalid")}");
        Assert.True(valid == (generatorErrors.Count == 0), $"{description}: the generator says {string.Join("; ", generatorErrors)}");
    }

    [Fact]
    public void Schema_lists_the_generators_keys_and_values()
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ctc-spec.schema.json")))!;
        Assert.Equal(SpecAnalyzer.RootKeys.OrderBy(k => k), schema["properties"]!.AsObject().Select(p => p.Key).OrderBy(k => k));
        Assert.Equal(SpecAnalyzer.LayerTypes.OrderBy(k => k), Strings(schema["$defs"]!["layer"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.Optimizers.OrderBy(k => k), Strings(schema["properties"]!["training"]!["properties"]!["optimizer"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.Reductions.OrderBy(k => k), Strings(schema["$defs"]!["ctc_node"]!["properties"]!["reduction"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.MetricTypes.OrderBy(k => k), Strings(schema["properties"]!["metrics"]!["items"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.DecoderTypes.OrderBy(k => k), Strings(schema["properties"]!["decoding"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.FrontEndTypes.OrderBy(k => k), Strings(schema["properties"]!["features"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.Normalizations.OrderBy(k => k), Strings(schema["properties"]!["features"]!["properties"]!["normalize"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.ScheduleTypes.OrderBy(k => k), Strings(schema["properties"]!["training"]!["properties"]!["schedule"]!["properties"]!["type"]!["enum"]!));
        Assert.Equal(SpecAnalyzer.Activations.OrderBy(k => k), Strings(schema["$defs"]!["layer"]!["oneOf"]![1]!["properties"]!["activation"]!["enum"]!));
    }

    private static IEnumerable<string> Strings(JsonNode array) => array.AsArray().Select(n => n!.GetValue<string>()).OrderBy(k => k);

    private static EvaluationResults Evaluate(string yaml, OutputFormat format)
    {
        using var document = System.Text.Json.JsonDocument.Parse(ToJson(yaml)!.ToJsonString());
        return Schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = format });
    }

    /// <summary>YAML → JSON with YAML 1.2 core scalar typing for plain scalars (what a YAML editor's schema check sees).</summary>
    internal static JsonNode? ToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, Convert(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(Convert).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when s.Value is "true" or "false" => JsonValue.Create(s.Value == "true"),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when s.Value is "null" or "~" or "" => null,
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when long.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => JsonValue.Create(i),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
        YamlScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };
}
