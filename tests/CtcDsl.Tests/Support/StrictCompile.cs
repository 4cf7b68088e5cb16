using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CtcDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace CtcDsl.Tests.Support;

/// <summary>
/// The generator's contract, checked as a demanding consumer project would: documentation file on,
/// nullable on, warning level 9999, and user code whose namespaces and types shadow every name the
/// generated code could use unqualified.
/// </summary>
internal static class StrictCompile
{
    /// <summary>User code that would capture unqualified names in generated code.</summary>
    public const string HostileUserCode = """
        namespace System { public class Tensor { } public class Vocabulary { } }
        namespace nn { public class Linear { } }
        namespace TorchSharp { public class nn { } }
        namespace Consumer
        {
            public class Tensor { }
            public class PaddedBatch { }
            public class Math { }
            public class Array { }
            public static class Program { public static void Main() { } }
        }
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    /// <summary>
    /// Runs the generator over the specs and compiles its output with the hostile user code. Generated
    /// files count models only; a spec with errors generates placeholders, which must compile cleanly too.
    /// </summary>
    public static (ImmutableArray<Diagnostic> Generator, IReadOnlyList<Diagnostic> Compiler, int GeneratedFiles) Run(params (string Path, string Text)[] specs)
    {
        var compilation = CSharpCompilation.Create("StrictConsumer",
            new[] { CSharpSyntaxTree.ParseText(HostileUserCode, ParseOptions) },
            GeneratorHarness.References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));
        var driver = CSharpGeneratorDriver.Create(new[] { new CtcSpecGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .AddAdditionalTexts(specs.Select(s => (AdditionalText)new GeneratorHarness.InMemoryText(s.Path, s.Text)).ToImmutableArray());
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        // Errors and warnings, except the hostile code's own (it is only there to shadow names).
        var compiler = output.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath.EndsWith(".g.cs", System.StringComparison.Ordinal) == true)
            .ToList();
        return (result.Diagnostics, compiler, result.GeneratedTrees.Count(t => !IsPlaceholder(t)));
    }

    /// <summary>Whether a generated file holds the placeholder types of a spec with errors rather than a model.</summary>
    public static bool IsPlaceholder(SyntaxTree tree) => tree.ToString().Contains("These placeholders only keep code", System.StringComparison.Ordinal);
}
