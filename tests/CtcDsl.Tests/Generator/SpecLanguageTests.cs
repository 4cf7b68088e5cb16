using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Analysis;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using CsCheck;
using Xunit.Abstractions;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// Specs derived from the language itself rather than from the examples: the analyzer's own catalogue
/// of layer types and enumerated values (the same arrays the diagnostics list), every layer type after
/// every other, every enumerated value at least once, and every numeric option at its boundaries.
/// Each generated spec must be either diagnosed with an error or compile with no warning in a strict,
/// hostile consumer (<see cref="StrictCompile"/>).
/// </summary>
public class SpecLanguageTests(ITestOutputHelper output)
{
    /// <summary>One layer of each type, reading the previous tensor, written as a user would.</summary>
    private static string Layer(string type, string name) => type switch
    {
        "lstm" or "gru" => $"{{ type: {type}, name: {name}, units: 6 }}",
        "dense" => $"{{ type: dense, name: {name}, units: 6, activation: tanh }}",
        "conv1d" => $"{{ type: conv1d, name: {name}, filters: 6, kernel: 3 }}",
        "dropout" => $"{{ type: dropout, name: {name}, rate: 0.1 }}",
        "activation" => $"{{ type: activation, name: {name}, function: relu }}",
        "add" => $"{{ type: add, name: {name}, inputs: [{{PREV}}, {{PREV}}] }}",
        "concat" => $"{{ type: concat, name: {name}, inputs: [{{PREV}}, {{PREV}}] }}",
        "masking" => $"{{ type: masking, name: {name}, mask_value: 0 }}",
        "conv2d_subsampling" => $"{{ type: conv2d_subsampling, name: {name}, factor: 2, units: 6, channels: 2 }}",
        "conformer" => $"{{ type: conformer, name: {name}, units: 8, heads: 2, blocks: 1, feed_forward: 8, conv_kernel: 3 }}",
        "transformer" => $"{{ type: transformer, name: {name}, units: 8, heads: 2, layers: 1, feed_forward: 8 }}",
        _ => $"{{ type: {type}, name: {name} }}",
    };

    private static string Layers(params string[] types)
    {
        var lines = new List<string>();
        var previous = "features";
        for (var i = 0; i < types.Length; i++)
        {
            var name = $"l{i}";
            lines.Add("  - " + Layer(types[i], name).Replace("{PREV}", previous));
            previous = name;
        }
        lines.Add("  - { type: dense, name: logits, units: 3 }");
        return string.Join("\n", lines);
    }

    /// <summary>Every layer type after every other (and alone).</summary>
    public static IEnumerable<string> LayerPairs() =>
        SpecAnalyzer.LayerTypes.SelectMany(a => SpecAnalyzer.LayerTypes.Select(b => HostileSpecTests.Spec(Layers(a, b))))
            .Concat(SpecAnalyzer.LayerTypes.Select(a => HostileSpecTests.Spec(Layers(a))));

    /// <summary>Every enumerated value the analyzer knows, each in its place, plus one misspelling of each.</summary>
    public static IEnumerable<string> EnumeratedValues()
    {
        foreach (var a in SpecAnalyzer.Activations.Append("softmax"))
        {
            yield return HostileSpecTests.Spec($"  - {{ type: dense, units: 5, activation: {a} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conv1d, filters: 5, kernel: 3, padding: same, activation: {a} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: activation, function: {a} }}\n  - {{ type: dense, name: logits, units: 3 }}");
        }
        foreach (var r in SpecAnalyzer.Reductions.Append("avg"))
            foreach (var zero in new[] { "true", "false" })
                yield return HostileSpecTests.Spec().Replace("ctc: { logits: logits, labels: labels }", $"ctc: {{ logits: logits, labels: labels, reduction: {r}, zero_infinity: {zero}, weight: 0.5 }}");
        foreach (var o in SpecAnalyzer.Optimizers.Append("adagrad"))
            foreach (var extra in new[] { "", ", momentum: 0.9", ", momentum: 0.9, nesterov: true", ", weight_decay: 0.01", ", beta1: 0.8, beta2: 0.99, epsilon: 1e-6" })
                yield return HostileSpecTests.Spec().Replace("{ type: sgd, learning_rate: 0.01 }", $"{{ type: {o}, learning_rate: 0.01{extra} }}");
        foreach (var s in SpecAnalyzer.ScheduleTypes.Append("linear"))
            foreach (var extra in new[] { "", ", step_size: 2", ", gamma: 0.5", ", epochs: 10, min_learning_rate: 0.0001", ", warmup_steps: 10" })
                yield return HostileSpecTests.Spec(training: $"  schedule: {{ type: {s}{extra} }}");
        foreach (var m in SpecAnalyzer.MetricTypes.Append("per"))
            foreach (var d in new[] { "greedy", "model", "beam" })
                foreach (var g in new[] { "mean", "corpus", "median" })
                    yield return HostileSpecTests.Spec(extra: $"metrics:\n  - {{ name: m1, type: {m}, decoder: {d}, aggregation: {g} }}");
        foreach (var d in SpecAnalyzer.DecoderTypes.Append("viterbi"))
            yield return HostileSpecTests.Spec(extra: $"decoding: {{ type: {d}{(d == "beam" ? ", beam_width: 4, prune_threshold: 0.001, n_best: 2" : "")} }}");
        foreach (var f in SpecAnalyzer.FrontEndTypes.Append("spectrogram"))
            foreach (var n in SpecAnalyzer.Normalizations.Append("batch"))
                foreach (var rate in new[] { 8000, 16000, 22050, 44100, 48000, 96000 })
                    yield return HostileSpecTests.Spec(extra: $"features: {{ type: {f}, sample_rate: {rate}, coefficients: 4, filters: 4, normalize: {n}, spec_augment: {{ time_masks: 1 }} }}");
        foreach (var init in new[] { "glorot_uniform", "orthogonal", "zeros", "{ type: truncated_normal, mean: 0, stddev: 0.1 }", "{ type: uniform, low: -0.1, high: 0.1 }", "he_normal" })
        {
            yield return HostileSpecTests.Spec($"  - {{ type: lstm, units: 4, kernel_initializer: {init}, recurrent_initializer: {init}, bias_initializer: {init} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: gru, units: 4, bidirectional: true, layers: 2, dropout: 0.1, kernel_initializer: {init} }}\n  - {{ type: dense, name: logits, units: 3, kernel_initializer: {init}, bias_initializer: {init} }}");
        }
        foreach (var blank in new[] { "first", "last", "0", "1", "2", "3", "-1", "middle" })
            yield return HostileSpecTests.Spec().Replace("blank: last", "blank: " + blank);
        foreach (var policy in new[] { "error", "drop", "{ map: { \"é\": e } }", "{ map: { \"é\": z } }", "ignore" })
            yield return HostileSpecTests.Spec().Replace("blank: last }", $"blank: last, unknown_characters: {policy} }}");
        foreach (var mode in new[] { "min", "max", "best" })
            foreach (var monitor in new[] { "loss", "val_loss", "ler", "val_ler", "wer" })
                yield return HostileSpecTests.Spec(training: $"  early_stopping: {{ monitor: {monitor}, patience: 2, min_delta: 0.1, mode: {mode} }}",
                    extra: "metrics:\n  - { name: ler, type: label_error_rate }");
        foreach (var policy in new[] { "stop", "skip", "retry" })
            yield return HostileSpecTests.Spec(training: $"  non_finite_loss: {policy}");
        foreach (var norm in new[] { "batch_norm", "layer_norm", "group_norm" })
            foreach (var positions in new[] { "relative", "absolute", "rotary" })
                yield return HostileSpecTests.Spec($"  - {{ type: conformer, units: 8, heads: 2, blocks: 1, conv_kernel: 3, conv_norm: {norm}, positions: {positions} }}\n  - {{ type: dense, name: logits, units: 3 }}");
        foreach (var norm in new[] { "pre", "post", "sandwich" })
            foreach (var positions in new[] { "absolute", "relative", "rotary" })
                foreach (var activation in new[] { "relu", "gelu", "swish" })
                    yield return HostileSpecTests.Spec($"  - {{ type: transformer, units: 8, heads: 2, layers: 1, norm: {norm}, positions: {positions}, activation: {activation} }}\n  - {{ type: dense, name: logits, units: 3 }}");
        foreach (var padding in new[] { "valid", "same", "0", "1", "3", "full", "-1" })
            foreach (var kernel in new[] { 1, 2, 3 })
                foreach (var stride in new[] { 1, 2 })
                    yield return HostileSpecTests.Spec($"  - {{ type: conv1d, filters: 4, kernel: {kernel}, stride: {stride}, dilation: 2, padding: {padding} }}\n  - {{ type: dense, name: logits, units: 3 }}");
    }

    /// <summary>Every numeric option at and beyond its boundaries.</summary>
    public static IEnumerable<string> Boundaries()
    {
        var values = new[] { "-1", "0", "1", "2.5", "1048576", "1048577", "2147483647", "99999999999", "1e400", ".nan", "\"3\"" };
        foreach (var v in values)
        {
            yield return HostileSpecTests.Spec($"  - {{ type: dense, units: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: lstm, units: 2, layers: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conv1d, filters: 2, kernel: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conv1d, filters: 2, kernel: 3, stride: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conv1d, filters: 2, kernel: 3, dilation: {v}, padding: same }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: dropout, rate: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conv2d_subsampling, units: 4, factor: {v}, kernel: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: conformer, units: {v}, heads: {v}, blocks: {v}, conv_kernel: {v}, dropout: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec($"  - {{ type: transformer, units: 4, heads: {v}, layers: {v}, feed_forward: {v}, dropout: {v} }}\n  - {{ type: dense, name: logits, units: 3 }}");
            yield return HostileSpecTests.Spec(training: $"  batch_size: {v}\n  seed: {v}\n  clip_grad_norm: {v}");
            yield return HostileSpecTests.Spec().Replace("epochs: 1", "epochs: " + v);
            yield return HostileSpecTests.Spec().Replace("learning_rate: 0.01", "learning_rate: " + v);
            yield return HostileSpecTests.Spec().Replace("[time, 4]", $"[time, {v}]");
            yield return HostileSpecTests.Spec().Replace("{ kind: features, shape: [time, 4] }", $"{{ kind: features, shape: [time, 4], min_length: {v} }}").Replace("{ kind: labels }", $"{{ kind: labels, max_length: {v} }}");
            yield return HostileSpecTests.Spec(extra: $"decoding: {{ type: beam, beam_width: {v}, n_best: {v}, prune_threshold: {v} }}");
            yield return HostileSpecTests.Spec(extra: $"features: {{ type: mfcc, sample_rate: {v}, coefficients: 4, filters: 4 }}");
            yield return HostileSpecTests.Spec(extra: $"features: {{ type: logfbank, filters: 4, deltas: {v} }}");
            yield return HostileSpecTests.Spec(training: $"  schedule: {{ type: step, step_size: {v}, gamma: {v}, warmup_steps: {v} }}");
            yield return HostileSpecTests.Spec(training: $"  early_stopping: {{ monitor: loss, patience: {v}, min_delta: {v} }}");
        }
    }

    [Fact]
    public void Every_layer_pair_is_diagnosed_or_compiles() => CheckAll(LayerPairs().ToList(), minimumValid: 100);

    [Fact]
    public void Every_enumerated_value_is_diagnosed_or_compiles() => CheckAll(EnumeratedValues().ToList(), minimumValid: 150);

    [Fact]
    public void Every_numeric_boundary_is_diagnosed_or_compiles() => CheckAll(Boundaries().ToList(), minimumValid: 25);

    /// <summary>Grammar-aware fuzzing: random layer graphs and sections built from the catalogue, values drawn from valid and invalid ones.</summary>
    private static readonly Gen<string> RandomSpecs =
        Gen.Select(
            Gen.OneOf(SpecAnalyzer.LayerTypes).Array[1, 5],
            Gen.OneOf("1", "2", "3", "5", "0", "-2", "1048577", "same", "valid", "x").Array[5],
            Gen.OneOf(SpecAnalyzer.Activations.Append("swish").ToArray()),
            Gen.Int[0, 9],
            Gen.Bool,
            Gen.Int[0, 4])
        .Select((types, numbers, activation, section, bidirectional, inputChoice) =>
        {
            var lines = new List<string>();
            var names = new List<string> { "features" };
            for (var i = 0; i < types.Length; i++)
            {
                var name = $"l{i}";
                var previous = names[Math.Min(names.Count - 1, (i + inputChoice) % names.Count)];
                var other = names[(i * 7 + inputChoice) % names.Count];
                var n = numbers[i % numbers.Length];
                lines.Add("  - " + (types[i] switch
                {
                    "lstm" or "gru" => $"{{ type: {types[i]}, name: {name}, input: {previous}, units: {n}, bidirectional: {(bidirectional ? "true" : "false")}, layers: {numbers[(i + 1) % 5]} }}",
                    "dense" => $"{{ type: dense, name: {name}, input: {previous}, units: {n}, activation: {activation} }}",
                    "conv1d" => $"{{ type: conv1d, name: {name}, input: {previous}, filters: 4, kernel: {n}, stride: {numbers[(i + 2) % 5]}, padding: {numbers[(i + 3) % 5]} }}",
                    "dropout" => $"{{ type: dropout, name: {name}, input: {previous}, rate: 0.{n.TrimStart('-')} }}",
                    "activation" => $"{{ type: activation, name: {name}, input: {previous}, function: {activation} }}",
                    "add" or "concat" => $"{{ type: {types[i]}, name: {name}, inputs: [{previous}, {other}] }}",
                    "conv2d_subsampling" => $"{{ type: conv2d_subsampling, name: {name}, input: {previous}, units: 4, factor: {n}, channels: 2 }}",
                    "conformer" => $"{{ type: conformer, name: {name}, input: {previous}, units: 4, heads: {n}, blocks: 1, feed_forward: 4, conv_kernel: 3 }}",
                    "transformer" => $"{{ type: transformer, name: {name}, input: {previous}, units: 4, heads: {n}, layers: 1, feed_forward: 4, norm: post }}",
                    _ => $"{{ type: {types[i]}, name: {name}, input: {previous} }}",
                }));
                names.Add(name);
            }
            lines.Add($"  - {{ type: dense, name: logits, input: {names[^1]}, units: 3 }}");
            var extra = section switch
            {
                0 => "decoding: { type: beam, beam_width: 3, n_best: 2 }",
                1 => "metrics:\n  - { type: cer }\n  - { type: wer, decoder: model }",
                2 => "features: { type: mfcc, coefficients: 4, filters: 8, deltas: 0 }",
                3 => "features: { type: logfbank, filters: 2, deltas: 1, normalize: global }",
                _ => "",
            };
            var training = section switch
            {
                5 => "  schedule: { type: cosine, epochs: 3, warmup_steps: 2 }",
                6 => "  early_stopping: { monitor: val_loss, patience: 2 }",
                7 => "  clip_grad_norm: 1.5\n  non_finite_loss: skip",
                _ => "",
            };
            return HostileSpecTests.Spec(string.Join("\n", lines), extra: extra, training: training);
        });

    /// <summary>Specs per fuzz run (quoted in docs/development.md): 40 batches of 12, each batch one compilation.</summary>
    public const int FuzzBatches = 40;

    [Fact]
    public void Random_specs_from_the_grammar_are_diagnosed_or_compile() =>
        RandomSpecs.Array[12].SampleFixed(batch => CheckAll(batch, minimumValid: 0), iterations: FuzzBatches, seed: "0N0XIzNsQ0O2");

    /// <summary>Generates all specs in one compilation (each under its own model name) and checks each.</summary>
    private void CheckAll(IReadOnlyList<string> specs, int minimumValid)
    {
        var files = specs.Select((yaml, i) => ($"/specs/s{i}.ctc.yaml", yaml.Replace("name: Hostile", $"name: S{i}"))).ToArray();
        var (generator, compiler, generated) = StrictCompile.Run(files);
        var valid = 0;
        for (var i = 0; i < files.Length; i++)
        {
            var path = files[i].Item1;
            var errors = generator.Where(d => d.Location.GetLineSpan().Path == path && d.Severity == DiagnosticSeverity.Error).ToList();
            var compiled = compiler.Where(d => d.Location.SourceTree!.FilePath.EndsWith($".S{i}.g.cs", StringComparison.Ordinal)).ToList();
            Assert.DoesNotContain(generator, d => d.Id == "CTC0099");
            if (errors.Count == 0)
            {
                valid++;
                Assert.True(compiled.Count == 0, $"spec {i} was accepted but its code does not compile cleanly:\n{files[i].Item2}\n{string.Join("\n", compiled.Take(5))}");
            }
            else Assert.True(compiled.Count == 0, $"spec {i} was diagnosed, and its placeholder types do not compile cleanly:\n{string.Join("\n", compiled.Take(5))}");
        }
        output.WriteLine($"{files.Length} specs: {valid} valid and compiled cleanly, {files.Length - valid} diagnosed; {generated} models generated");
        Assert.Equal(valid, generated);
        Assert.True(valid >= minimumValid, $"only {valid} of {files.Length} specs were valid: the cases no longer reach code generation");
    }
}
