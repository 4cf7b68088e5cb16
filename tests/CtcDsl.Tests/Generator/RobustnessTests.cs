using System;
using System.IO;
using System.Linq;
using CsCheck;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>The generator never throws into the compiler, whatever the spec holds.</summary>
public class RobustnessTests
{
    /// <summary>Every example spec: the graph specs reach more of the analyzer than the seed alone.</summary>
    private static readonly string[] Bases = Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml").OrderBy(p => p).Select(File.ReadAllText).ToArray();

    private static readonly string[] Tokens = { ":", "- ", "{", "]", "\"", "  ", "\n", "null", "-1", "1e999", "&a", "*a", "!!int", "x" };

    /// <summary>Mutations of an example spec: delete, duplicate or replace a slice, or splice in YAML-significant text.</summary>
    private static readonly Gen<string> MutatedSpecs =
        Gen.Select(Gen.Int[0, Bases.Length - 1], Gen.Double[0, 1], Gen.Int[0, 40], Gen.Int[0, 4], Gen.Int[0, Tokens.Length - 1])
            .Select((specIndex, position, length, kind, tokenIndex) =>
            {
                var spec = Bases[specIndex];
                var start = (int)(position * (spec.Length - 1));
                var token = Tokens[tokenIndex];
                var end = Math.Min(spec.Length, start + length);
                return kind switch
                {
                    0 => spec.Remove(start, end - start),
                    1 => spec.Insert(start, spec.Substring(start, end - start)),
                    2 => spec.Insert(start, token),
                    3 => spec.Remove(start, end - start).Insert(start, token),
                    _ => spec.Substring(0, start),
                };
            });

    /// <summary>Specs checked per run by each property below (quoted in docs/development.md).</summary>
    public const int Iterations = 2000;

    [Fact]
    public void Mutated_specs_never_throw_and_invalid_ones_always_say_why()
    {
        MutatedSpecs.SampleFixed(yaml =>
        {
            // Each case within a time limit: a spec that makes the generator spin is a failure that shows the spec.
            var run = System.Threading.Tasks.Task.Run(() => GeneratorHarness.Run(("/specs/fuzz.ctc.yaml", yaml)));
            Assert.True(run.Wait(TimeSpan.FromSeconds(20)), "the generator did not return within 20 s for:\n" + yaml);
            var (result, output) = run.Result;
            Assert.All(result.Results, r => Assert.Null(r.Exception));
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == "CTC0099");
            // Either the spec is valid (a model generated) or at least one error explains why not; whatever
            // was generated (a model, or a broken spec's placeholders) compiles.
            if (result.GeneratedTrees.Length == 0 || result.GeneratedTrees.Any(StrictCompile.IsPlaceholder))
                Assert.Contains(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
            Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }, iterations: Iterations, seed: "0000RRRRssss");
    }

    [Fact]
    public void Random_text_never_throws() =>
        Gen.String.SampleFixed(text =>
        {
            var (result, _) = GeneratorHarness.Run(("/specs/random.ctc.yaml", text));
            Assert.All(result.Results, r => Assert.Null(r.Exception));
            Assert.NotEmpty(result.Diagnostics);
        }, iterations: Iterations, seed: "0000RRRRssss");
}
