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
}
