using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace CtcDsl.Tests.Support;

/// <summary>Runs the generator in-process over in-memory specs, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> references = new(CtcDsl.Tool.Spec.GeneratedCodeReferences.Load);

    /// <summary>Framework, TorchSharp and runtime references, enough to compile generated code.</summary>
    public static ImmutableArray<MetadataReference> References => references.Value;

    public static CSharpCompilation Compilation(params string[] sources) =>
        CSharpCompilation.Create("GeneratedModels",
            sources.Select(s => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest))),
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver(bool trackSteps = false, string? projectDirectory = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new CtcSpecGenerator().AsSourceGenerator() },
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            optionsProvider: projectDirectory is null ? null : new ProjectOptions(projectDirectory),
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: trackSteps));

    /// <summary>The global analyzer options MSBuild passes: here only ProjectDir, as the package's props make it visible.</summary>
    private sealed class ProjectOptions(string projectDirectory) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions { get; } = new Options(projectDirectory);

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(null);

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(null);

        private sealed class Options(string? projectDirectory) : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
            {
                value = key == "build_property.projectdir" ? projectDirectory : null;
                return value is not null;
            }
        }
    }

    /// <summary>Runs the generator over <paramref name="specs"/> (path, YAML) and returns the result and the compilation with its output.</summary>
    public static (GeneratorDriverRunResult Result, Compilation Output) Run(params (string Path, string Text)[] specs)
    {
        var driver = Driver().AddAdditionalTexts(specs.Select(s => (AdditionalText)new InMemoryText(s.Path, s.Text)).ToImmutableArray());
        driver = driver.RunGeneratorsAndUpdateCompilation(Compilation(), out var output, out _);
        return (driver.GetRunResult(), output);
    }

    /// <summary>Diagnostics the generator reported for one spec.</summary>
    public static ImmutableArray<Diagnostic> Diagnose(string yaml, string path = "/specs/test.ctc.yaml") =>
        Run((path, yaml)).Result.Diagnostics;

    /// <summary>Generates, compiles and loads the model of one spec file (in a project at <paramref name="projectDirectory"/>, when given); fails with the compiler's errors.</summary>
    public static System.Reflection.Assembly Load(string specPath, string? projectDirectory = null)
    {
        var driver = Driver(projectDirectory: projectDirectory).AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(new InMemoryText(specPath, File.ReadAllText(specPath))));
        driver = driver.RunGeneratorsAndUpdateCompilation(Compilation(), out var output, out _);
        var result = driver.GetRunResult();
        if (result.Diagnostics.Length > 0) throw new InvalidOperationException(string.Join("\n", result.Diagnostics));
        var compilation = output.WithAssemblyName("Generated_" + System.IO.Path.GetFileNameWithoutExtension(specPath).Replace('.', '_').Replace('-', '_') + "_" + Guid.NewGuid().ToString("N"));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success) throw new InvalidOperationException(string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        return System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(image);
    }

    /// <summary>An additional file held in memory.</summary>
    public sealed class InMemoryText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}
