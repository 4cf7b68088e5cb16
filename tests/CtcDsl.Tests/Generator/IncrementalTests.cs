using System.Collections.Immutable;
using System.IO;
using System.Linq;
using CtcDsl.Generator;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>Unrelated edits leave an unchanged spec's outputs cached.</summary>
public class IncrementalTests
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));

    [Fact]
    public void Editing_csharp_or_another_spec_keeps_this_spec_cached()
    {
        var seed = new GeneratorHarness.InMemoryText("/specs/ldc93s1.ctc.yaml", Seed);
        var other = new GeneratorHarness.InMemoryText("/specs/other.ctc.yaml", Seed.Replace("name: Ldc93s1", "name: Other"));
        var compilation = GeneratorHarness.Compilation("class A { }");
        var driver = GeneratorHarness.Driver(trackSteps: true).AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(seed, other));
        driver = driver.RunGenerators(compilation);

        // 1. An unrelated C# edit.
        driver = driver.RunGenerators(compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class B { }")));
        var afterCSharpEdit = driver.GetRunResult().Results.Single();
        Assert.All(afterCSharpEdit.TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs),
            o => Assert.Contains(o.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));

        // 2. Another spec edited: only its entry reruns.
        var edited = new GeneratorHarness.InMemoryText("/specs/other.ctc.yaml", Seed.Replace("name: Ldc93s1", "name: Other").Replace("epochs: 400", "epochs: 10"));
        driver = driver.ReplaceAdditionalText(other, edited).RunGenerators(compilation);
        var steps = driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.Equal(2, steps.Count);
        Assert.Contains(IncrementalStepRunReason.Modified, steps);
        Assert.Contains(steps, r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
    }

    [Fact]
    public void Editing_a_comment_keeps_the_plan_and_the_generated_code_cached()
    {
        var original = new GeneratorHarness.InMemoryText("/specs/ldc93s1.ctc.yaml", Seed);
        var compilation = GeneratorHarness.Compilation("class A { }");
        var driver = GeneratorHarness.Driver(trackSteps: true).AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(original));
        driver = driver.RunGenerators(compilation);

        // A comment's words change, nothing moves: the analysis result is equal, the emitter does not run.
        Assert.Contains("# space = 0", Seed);
        var reworded = new GeneratorHarness.InMemoryText("/specs/ldc93s1.ctc.yaml", Seed.Replace("# space = 0", "# SPACE = 0"));
        driver = driver.ReplaceAdditionalText(original, reworded).RunGenerators(compilation);
        var run = driver.GetRunResult().Results.Single();
        Assert.All(run.TrackedSteps[TrackingNames.Analyzed].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
        Assert.All(run.TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));

        // Lines added above everything: positions move (the analysis result carries where the name is),
        // but the plan is equal, so the generated code is still not re-emitted.
        var longer = new GeneratorHarness.InMemoryText("/specs/ldc93s1.ctc.yaml", "# a new first line\n# and a second\n" + Seed);
        driver = driver.ReplaceAdditionalText(reworded, longer).RunGenerators(compilation);
        run = driver.GetRunResult().Results.Single();
        Assert.All(run.TrackedSteps[TrackingNames.Emitted].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Equal_specs_give_equal_plans()
    {
        var (first, _, _) = CtcDsl.Generator.Analysis.SpecAnalyzer.Analyze("/specs/a.ctc.yaml", Seed);
        var (second, _, _) = CtcDsl.Generator.Analysis.SpecAnalyzer.Analyze("/specs/a.ctc.yaml", "# moved\n" + Seed.Replace("  ", "  "));
        Assert.NotNull(first);
        Assert.Equal(first, second);
        Assert.Equal(first!.GetHashCode(), second!.GetHashCode());
        var (changed, _, _) = CtcDsl.Generator.Analysis.SpecAnalyzer.Analyze("/specs/a.ctc.yaml", Seed.Replace("units: 50", "units: 51"));
        Assert.NotEqual(first, changed);
    }

    /// <summary>
    /// What flows through the pipeline must be cacheable by value: no arrays (reference equality), no
    /// symbols, compilations or locations (they pin a compilation in memory and never compare equal).
    /// </summary>
    [Fact]
    public void Pipeline_models_hold_only_value_equatable_data()
    {
        var assembly = typeof(CtcSpecGenerator).Assembly;
        var roots = new[] { "CtcDsl.Generator.Model.ModelPlan", "CtcDsl.Generator.Model.ModelIdentity", "CtcDsl.Generator.Model.Clash", "CtcDsl.Generator.Diagnostics.DiagnosticInfo" }
            .Select(n => assembly.GetType(n, throwOnError: true)!).ToList();
        var seen = new System.Collections.Generic.HashSet<System.Type>();
        var queue = new System.Collections.Generic.Queue<System.Type>(roots);
        while (queue.Count > 0)
        {
            var type = queue.Dequeue();
            if (!seen.Add(type) || type.IsPrimitive || type.IsEnum || type == typeof(string)) continue;
            Assert.False(type.IsArray, $"{type} is an array: use EquatableArray");
            Assert.False(typeof(ISymbol).IsAssignableFrom(type) || typeof(Compilation).IsAssignableFrom(type) || typeof(Location).IsAssignableFrom(type) || typeof(SyntaxNode).IsAssignableFrom(type),
                $"{type} must not flow through the pipeline");
            if (System.Nullable.GetUnderlyingType(type) is { } underlying) { queue.Enqueue(underlying); continue; }
            if (type.IsGenericType && type.GetGenericTypeDefinition().Name.StartsWith("EquatableArray", System.StringComparison.Ordinal))
            {
                queue.Enqueue(type.GetGenericArguments()[0]);
                continue;
            }
            Assert.True(type.Namespace?.StartsWith("CtcDsl.Generator", System.StringComparison.Ordinal) == true, $"{type} is not a pipeline model type");
            Assert.True(typeof(System.IEquatable<>).MakeGenericType(type).IsAssignableFrom(type), $"{type} is not value-equatable");
            // A plan holds abstract records (LayerPlan): what flows is each kind's derived record.
            if (type.IsAbstract)
                foreach (var derived in assembly.GetTypes().Where(t => t.IsSubclassOf(type))) queue.Enqueue(derived);
            foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance).Where(p => p.GetMethod?.IsPublic == true && p.Name != "EqualityContract" && p.GetIndexParameters().Length == 0))
                queue.Enqueue(property.PropertyType);
        }
        Assert.Contains(seen, t => t.Name == "LayerPlan");
        Assert.Contains(seen, t => t.Name == "RnnLayer");
    }
}
