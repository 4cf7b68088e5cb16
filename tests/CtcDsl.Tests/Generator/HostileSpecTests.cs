using System;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// Specs a user could write from the reference that once broke the generator or the compiler: each is
/// either diagnosed at the right node or generates code that compiles without a warning in a strict,
/// hostile consumer project (<see cref="StrictCompile"/>).
/// </summary>
public class HostileSpecTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A minimal valid spec; {LAYERS}, {NAME}, {EXTRA} and {TRAINING} are filled per case.</summary>
    internal const string Template = """
        version: 1
        name: {NAME}
        vocabulary: { tokens: "ab", blank: last }
        inputs:
          features: { kind: features, shape: [time, 4] }
          labels: { kind: labels }
        layers:
        {LAYERS}
        ctc: { logits: logits, labels: labels }
        training:
          optimizer: { type: sgd, learning_rate: 0.01 }
          epochs: 1
        {TRAINING}
        {EXTRA}
        """;

    internal static string Spec(string layers = "  - { type: dense, name: logits, units: 3 }", string name = "Hostile", string extra = "", string training = "") =>
        Template.Replace("{LAYERS}", layers).Replace("{NAME}", name).Replace("{EXTRA}", extra).Replace("{TRAINING}", training);

    private static void AssertCompilesCleanly(params (string Path, string Text)[] specs)
    {
        var (generator, compiler, files) = StrictCompile.Run(specs);
        Assert.True(generator.All(d => d.Severity < DiagnosticSeverity.Warning), string.Join("\n", generator));
        Assert.Equal(specs.Length, files);
        Assert.True(compiler.Count == 0, string.Join("\n", compiler.Take(10)));
    }

    private static Diagnostic AssertDiagnosed(string yaml, string id, string at)
    {
        var (generator, compiler, _) = StrictCompile.Run(("/specs/test.ctc.yaml", yaml));
        Assert.Empty(compiler);
        var diagnostic = generator.FirstOrDefault(d => d.Id == id);
        Assert.True(diagnostic is not null, $"expected {id}; got:\n{string.Join("\n", generator)}");
        var index = yaml.IndexOf(at, StringComparison.Ordinal);
        Assert.True(index >= 0, $"'{at}' is not in the spec");
        var line = yaml.Take(index).Count(c => c == '\n');
        var column = index - (yaml.LastIndexOf('\n', Math.Max(0, index - 1)) + 1);
        if (index > 0 && yaml[index - 1] == '\n') column = 0;
        var span = diagnostic!.Location.GetLineSpan().StartLinePosition;
        Assert.True((line, column) == (span.Line, span.Character), $"{id} at {span.Line + 1}:{span.Character + 1}, expected {line + 1}:{column + 1} ('{at}'): {diagnostic.GetMessage()}");
        return diagnostic;
    }

    [Theory]
    [InlineData("  - { type: conv1d, filters: 8, kernel: 3 }\n  - { type: dense, name: logits, units: 3 }")]
    [InlineData("  - { type: conv1d, filters: 8, kernel: 3, padding: valid }\n  - { type: dense, name: logits, units: 3 }")]
    [InlineData("  - { type: conv1d, filters: 8, kernel: 1, padding: same }\n  - { type: dense, name: logits, units: 3 }")]
    [InlineData("  - { type: conv1d, filters: 8, kernel: 3, padding: 0, stride: 2 }\n  - { type: dense, name: logits, units: 3 }")]
    public void Convolutions_with_zero_padding_compile(string layers) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(layers)));

    [Fact]
    public void Early_stopping_compiles() =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(training: "  early_stopping: { monitor: loss, patience: 3, min_delta: 0.01, mode: min }")));

    [Fact]
    public void Residual_add_around_a_same_convolution_is_accepted() =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(
            "  - { type: dense, name: proj, units: 8 }\n  - { type: conv1d, name: conv, filters: 8, kernel: 3, padding: same }\n  - { type: add, name: sum, inputs: [proj, conv] }\n  - { type: dense, name: logits, units: 3 }")));

    [Theory]
    [InlineData("Padded")]
    [InlineData("Tensor")]
    [InlineData("Vocabulary")]
    [InlineData("Math")]
    public void Model_names_that_match_framework_or_runtime_types_compile(string name) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(name: name)));

    [Theory]
    [InlineData("Lab.nn")]
    [InlineData("Acme.System")]
    [InlineData("Consumer")]
    [InlineData("TorchSharp.Models")]
    [InlineData("CtcDsl.Runtime.Models")]
    public void Namespaces_that_shadow_used_names_compile(string ns) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(extra: "namespace: " + ns)));

    [Fact]
    public void Description_with_line_separators_compiles() =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec(extra: "description: \"one\\Ltwo\\Pthree <b> & </summary>\"")));

    [Fact]
    public void Tokens_that_need_escaping_compile() =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec().Replace("tokens: \"ab\"", "tokens: [\"\\L\", \"\\\"\"]")));

    [Fact]
    public void A_model_with_only_weightless_layers_is_diagnosed()
    {
        var yaml = Spec("  - { type: activation, name: logits, function: relu }").Replace("shape: [time, 4]", "shape: [time, 3]");
        AssertDiagnosed(yaml, "CTC0023", "- { type: activation");
    }

    [Fact]
    public void Two_ctc_nodes_on_one_logits_layer_are_diagnosed()
    {
        var yaml = Spec().Replace("ctc: { logits: logits, labels: labels }", "ctc:\n  - { logits: logits, labels: labels }\n  - { name: again, labels: labels, logits: logits }");
        AssertDiagnosed(yaml, "CTC0007", "logits }");
    }

    [Theory]
    [InlineData("  - { type: dense, name: my_layer, units: 5 }\n  - { type: dense, name: myLayer, units: 5 }\n  - { type: dense, name: logits, units: 3 }", "myLayer")]
    [InlineData("  - { type: dense, name: Logits, units: 5 }\n  - { type: dense, name: logits, units: 3 }", "logits")]
    [InlineData("  - { type: dense, name: hostile_model, units: 5 }\n  - { type: dense, name: logits, units: 3 }", "hostile_model")]
    public void Layer_names_that_clash_in_csharp_are_diagnosed(string layers, string at) =>
        AssertDiagnosed(Spec(layers), "CTC0007", at + ",");

    /// <summary>
    /// Names a user may choose that the generated code or nn.Module already uses become free identifiers
    /// (a trailing underscore), as C# keywords are escaped; every one of them is taken from the reserved table.
    /// </summary>
    public static TheoryData<string> ReservedLayerNames()
    {
        var natural = new[] { "forward", "backward", "Forward", "Dispose", "outputs", "transcript", "label_ids", "LabelIds" };
        var reserved = CtcDsl.Generator.CSharp.CSharpNames.Reserved.Where(n => !n.EndsWith("Lengths", StringComparison.Ordinal) && !n.EndsWith("Loss", StringComparison.Ordinal) && !n.EndsWith("Out", StringComparison.Ordinal));
        // Each name once: xunit skips a repeated case rather than running it twice.
        var names = new TheoryData<string>();
        foreach (var name in natural.Concat(reserved).Distinct(StringComparer.Ordinal)) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(ReservedLayerNames))]
    public void Layer_names_the_generated_code_uses_compile_as_free_identifiers(string name) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", Spec($"  - {{ type: dense, name: {name}, units: 5 }}\n  - {{ type: dense, name: logits, input: {name}, units: 3 }}")));

    [Theory]
    [InlineData("  features: { kind: features, shape: [time, 4] }", "  features: { kind: features, shape: [time, 4 }", "[time", "'['")]
    [InlineData("  features: { kind: features, shape: [time, 4] }", "  features: { kind: features, shape: [time, 4]", "{ kind", "'{'")]
    [InlineData("vocabulary: { tokens: \"ab\", blank: last }", "vocabulary: { tokens: \"ab, blank: last }", "\"ab", "'\"'")]
    public void Unclosed_brackets_and_quotes_are_reported_where_they_open(string find, string replace, string at, string named)
    {
        var yaml = Spec();
        Assert.Contains(find, yaml);
        var diagnostic = AssertDiagnosed(yaml.Replace(find, replace), "CTC0001", at);
        Assert.Contains(named + " opened here is never closed", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("label_ids")]
    [InlineData("transcript")]
    [InlineData("transcripts")]
    [InlineData("labelIds")]
    [InlineData("targets")]
    public void Label_inputs_named_like_generated_members_compile(string labelsName) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", WithInputs("features", labelsName)));

    [Theory]
    [InlineData("frames")]
    [InlineData("audio")]
    [InlineData("batch")]
    [InlineData("values")]
    public void Feature_inputs_named_like_generated_members_compile(string featuresName) =>
        AssertCompilesCleanly(("/specs/test.ctc.yaml", WithInputs(featuresName, "labels")));

    private static string WithInputs(string featuresName, string labelsName) =>
        Spec().Replace("  features: { kind", "  {F}: { kind").Replace("  labels: { kind", "  {L}: { kind").Replace("labels: labels }", "labels: {L} }")
            .Replace("{F}", featuresName).Replace("{L}", labelsName);

    [Theory]
    [InlineData("labels", "features", "labels")]
    [InlineData("labels", "targets", "labels")]
    [InlineData("mel", "features", "features")]
    public void Input_names_that_take_the_other_inputs_base_names_are_diagnosed(string featuresName, string labelsName, string at)
    {
        var diagnostic = AssertDiagnosed(WithInputs(featuresName, labelsName), "CTC0010", at + ": {");
        Assert.Contains("other input", diagnostic.GetMessage());
    }

    [Fact]
    public void Inputs_named_otherwise_compile_with_the_specs_names_as_aliases()
    {
        var yaml = WithInputs("utterances", "targets");
        AssertCompilesCleanly(("/specs/test.ctc.yaml", yaml));
        var source = GeneratorHarness.Run(("/specs/test.ctc.yaml", yaml)).Result.GeneratedTrees.Single().ToString();
        Assert.Contains("public float[,] Utterances => Features;", source);
        Assert.Contains("public global::TorchSharp.torch.Tensor TargetLengths => LabelLengths;", source);
    }

    [Theory]
    [InlineData("utterances", "utterance")]
    [InlineData("features", "label_ids")]
    [InlineData("features", "transcript")]
    [InlineData("name", "labels")]
    [InlineData("samples", "sample")]
    public void Input_names_that_clash_in_csharp_are_diagnosed(string featuresName, string labelsName)
    {
        var yaml = Spec().Replace("  features: { kind", $"  {featuresName}: {{ kind").Replace("  labels: { kind", $"  {labelsName}: {{ kind")
            .Replace("labels: labels }", $"labels: {labelsName} }}").Replace("[time, 4] }\n  - ", "[time, 4] }\n  - ");
        var (generator, compiler, files) = StrictCompile.Run(("/specs/test.ctc.yaml", yaml));
        Assert.Empty(compiler);
        Assert.True(files == 0 ? generator.Any(d => d.Severity == DiagnosticSeverity.Error) : generator.All(d => d.Severity < DiagnosticSeverity.Warning),
            string.Join("\n", generator));
    }

    [Theory]
    [InlineData("Acme.class.Models")]
    [InlineData("Acme..Models")]
    [InlineData("global")]
    [InlineData("Acme.3d")]
    public void Invalid_namespaces_are_diagnosed(string ns) =>
        AssertDiagnosed(Spec(extra: "namespace: " + ns), "CTC0010", ns);

    [Fact]
    public void Overlong_names_are_diagnosed()
    {
        var name = new string('a', 600);
        AssertDiagnosed(Spec($"  - {{ type: dense, name: {name}, units: 5 }}\n  - {{ type: dense, name: logits, units: 3 }}"), "CTC0010", name);
        AssertDiagnosed(Spec(name: "M" + name), "CTC0016", "M" + name);
    }

    [Fact]
    public void Non_bmp_tokens_are_diagnosed() =>
        AssertDiagnosed(Spec().Replace("tokens: \"ab\"", "tokens: \"a😀\""), "CTC0010", "\"a😀\"");

    [Theory]
    [InlineData("units: 2147483647", "  - { type: lstm, units: 2147483647, bidirectional: true }\n  - { type: dense, name: logits, units: 3 }")]
    [InlineData("dilation: 2000000000", "  - { type: conv1d, filters: 4, kernel: 3, dilation: 2000000000, padding: same }\n  - { type: dense, name: logits, units: 3 }")]
    [InlineData("units: 2000000000", "  - { type: dense, name: a, units: 2000000000 }\n  - { type: dense, name: b, input: features, units: 2000000000 }\n  - { type: concat, inputs: [a, b] }\n  - { type: dense, name: logits, units: 3 }")]
    public void Sizes_that_overflow_are_diagnosed(string at, string layers) =>
        AssertDiagnosed(Spec(layers), "CTC0010", at.Split(' ')[1]);

    [Fact]
    public void Monitoring_a_metric_that_does_not_exist_is_diagnosed() =>
        AssertDiagnosed(Spec(training: "  early_stopping: { monitor: val_wer }"), "CTC0006", "val_wer");

    [Fact]
    public void A_second_yaml_document_is_diagnosed()
    {
        var yaml = Spec() + "\n---\nname: Other\n";
        AssertDiagnosed(yaml, "CTC0001", "---");
    }

    [Fact]
    public void A_list_shaped_root_is_diagnosed_at_the_list() =>
        AssertDiagnosed("\n\n- a\n- b\n", "CTC0003", "- a");

    [Theory]
    [InlineData("]ml: 1\nversion: 1\n")]
    [InlineData("}\n")]
    [InlineData("version: 1\n]\n")]
    public async System.Threading.Tasks.Task Stray_flow_ends_are_diagnosed_without_hanging(string yaml)
    {
        // YamlDotNet's scanner returns Error tokens for ever after a stray ']': the generator must still return.
        var run = System.Threading.Tasks.Task.Run(() => StrictCompile.Run(("/specs/test.ctc.yaml", yaml)));
        Assert.Same(run, await System.Threading.Tasks.Task.WhenAny(run, System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Contains((await run).Generator, d => d.Id == "CTC0001");
    }

    [Fact]
    public void Tab_indentation_is_diagnosed_at_the_tab()
    {
        var yaml = Spec().Replace("  labels: { kind: labels }", "\tlabels: { kind: labels }");
        var (generator, _, _) = StrictCompile.Run(("/specs/test.ctc.yaml", yaml));
        var diagnostic = Assert.Single(generator, d => d.Id == "CTC0001");
        var line = yaml.Substring(0, yaml.IndexOf('\t')).Count(c => c == '\n');
        Assert.True(line == diagnostic.Location.GetLineSpan().StartLinePosition.Line, $"expected line {line + 1}: {diagnostic}");
        Assert.Contains("tab", diagnostic.GetMessage(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void An_undefined_alias_is_diagnosed_at_the_alias() =>
        AssertDiagnosed(Spec(training: "  batch_size: *nothing"), "CTC0001", "*nothing");

    [Fact]
    public void A_duplicate_token_is_diagnosed_at_the_repeat() =>
        AssertDiagnosed(Spec().Replace("tokens: \"ab\"", "tokens: [a, b, a]"), "CTC0012", "a]");

    [Fact]
    public void A_quoted_number_says_to_remove_the_quotes()
    {
        var diagnostic = AssertDiagnosed(Spec(training: "  batch_size: \"16\""), "CTC0003", "\"16\"");
        Assert.Contains("quotes", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_diagnosed_without_crashing()
    {
        var deep = new string('[', 20000) + new string(']', 20000);
        var (generator, _, _) = StrictCompile.Run(("/specs/test.ctc.yaml", Spec(training: "  seed: " + deep)));
        Assert.Contains(generator, d => d.Id == "CTC0024");
        var blockDeep = "x:\n" + string.Concat(Enumerable.Range(1, 3000).Select(i => new string(' ', i) + "a:\n"));
        (generator, _, _) = StrictCompile.Run(("/specs/test.ctc.yaml", blockDeep));
        Assert.Contains(generator, d => d.Id == "CTC0024");
    }

    [Fact]
    public void Alias_bombs_are_diagnosed_quickly()
    {
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(0, 9).Select(i =>
            $"{(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + i), 10))}]\n")) + "? *j\n: 1\n";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (generator, _, _) = StrictCompile.Run(("/specs/test.ctc.yaml", bomb));
        Assert.Contains(generator, d => d.Id == "CTC0024");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("/specs/my-model.ctc.yaml", null, "/specs/my_model.ctc.yaml", null)]
    [InlineData("/specs/a.ctc.yaml", "MyModel", "/specs/b.ctc.yaml", "MyModel")]
    [InlineData("/specs/a.ctc.yaml", "mymodel", "/specs/b.ctc.yaml", "MyModel")]
    public void Duplicate_model_names_are_diagnosed_on_each_spec_and_others_still_generate(string firstPath, string? firstName, string secondPath, string? secondName)
    {
        static string Named(string? name) => name is null ? Spec().Replace("name: {NAME}\n", "").Replace("name: Hostile\n", "") : Spec(name: name);
        var (generator, compiler, files) = StrictCompile.Run((firstPath, Named(firstName)), (secondPath, Named(secondName)), ("/specs/c.ctc.yaml", Spec(name: "Other")));
        Assert.Equal(2, generator.Count(d => d.Id == "CTC0025"));
        Assert.Equal(1, files);
        Assert.Empty(compiler);
    }

    [Fact]
    public void Namespaces_that_map_to_one_hint_name_both_generate() =>
        AssertCompilesCleanly(("/specs/a.ctc.yaml", Spec(extra: "namespace: My_Models.X")), ("/specs/b.ctc.yaml", Spec(extra: "namespace: My.Models.X")));

    /// <summary>The bound docs/spec-language.md states: any text up to 1 MB is answered within a second (checked here with slack for a busy CI machine).</summary>
    public static TheoryData<string> MegabyteSpecs() => new()
    {
        "nested flow", "nested blocks", "long scalar", "many keys", "many layers", "anchors and aliases", "long token string", "long comment",
    };

    [Theory]
    [MemberData(nameof(MegabyteSpecs))]
    public void A_megabyte_of_anything_is_answered_quickly(string kind)
    {
        const int size = 1 << 20;
        var text = kind switch
        {
            "nested flow" => new string('[', size / 2) + new string(']', size / 2),
            "nested blocks" => string.Concat(Enumerable.Range(0, 1400).Select(i => new string(' ', i) + "a:\n")),
            "long scalar" => Spec(extra: "description: " + new string('x', size)),
            "many keys" => string.Concat(Enumerable.Range(0, size / 12).Select(i => $"key{i:D6}: 1\n")),
            "many layers" => Spec(string.Concat(Enumerable.Range(0, size / 40).Select(i => $"  - {{ type: dense, units: 4 }}\n")) + "  - { type: dense, name: logits, units: 3 }"),
            "anchors and aliases" => "a: &a [1]\n" + string.Concat(Enumerable.Range(0, size / 30).Select(i => $"k{i}: &x{i} [*a, *a, *a]\n")),
            "long token string" => Spec().Replace("tokens: \"ab\"", "tokens: \"" + new string(Enumerable.Range(0, 40000).Select(i => (char)(0x4E00 + i)).ToArray()) + "\""),
            _ => "# " + new string('c', size) + "\n" + Spec(),
        };
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (result, _) = GeneratorHarness.Run(("/specs/big.ctc.yaml", text));
        watch.Stop();
        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CTC0099");
        output.WriteLine($"{kind}: {text.Length:N0} characters in {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{kind}: {watch.Elapsed.TotalSeconds:F1} s");
    }
}
