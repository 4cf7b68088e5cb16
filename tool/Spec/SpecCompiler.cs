using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace CtcDsl.Tool.Spec;

/// <summary>
/// Compiles a spec in-process exactly as a build would: the generator (<see cref="CtcSpecGenerator"/>)
/// runs over the spec as an additional file, its output is compiled against the runtime and TorchSharp
/// this tool carries, and the assembly is loaded. The model is therefore the one a user's project
/// generates from the same spec, and its checkpoints load there and back.
/// </summary>
public static class SpecCompiler
{
    /// <summary>Generates, compiles and loads the model of <paramref name="specPath"/>.</summary>
    /// <exception cref="SpecException">The spec has errors (the generator's diagnostics, in the compiler's format) or is not a file.</exception>
    public static CompiledSpec Compile(string specPath)
    {
        var fullPath = Path.GetFullPath(specPath);
        if (!File.Exists(fullPath)) throw new SpecException($"{specPath}: no such spec file.");
        string yaml;
        try { yaml = File.ReadAllText(fullPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new SpecException($"{specPath}: cannot read the spec ({e.Message})."); }

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "CtcDslTool_" + SafeName(Path.GetFileName(fullPath)) + "_" + Guid.NewGuid().ToString("N"),
            syntaxTrees: null,
            GeneratedCodeReferences.Load(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new CtcSpecGenerator().AsSourceGenerator() }, parseOptions: parse)
            .AddAdditionalTexts(ImmutableArray.Create<AdditionalText>(new SpecText(fullPath, yaml)));
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult();
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        if (errors.Length > 0)
            throw new SpecException($"{specPath}: the spec has {errors.Length} error(s)", errors.Select(d => d.ToString()).ToArray());
        foreach (var warning in result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
            Console.Error.WriteLine(warning.ToString());
        var sources = result.GeneratedTrees.Select(t => (Path.GetFileName(t.FilePath), t.ToString())).ToArray();
        if (sources.Length == 0) throw new SpecException($"{specPath}: the generator produced no model (is it a *.ctc.yaml spec?).");

        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        if (!emitted.Success)
            throw new SpecException($"{specPath}: the generated code does not compile against this tool's runtime (a tool and generator of different versions?)",
                emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToArray());
        image.Position = 0;
        var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(image);
        return CompiledSpec.From(fullPath, assembly, sources);
    }

    private static string SafeName(string fileName) => new(fileName.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());

    /// <summary>The spec as the generator sees an additional file.</summary>
    private sealed class SpecText(string path, string text) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }
}

/// <summary>A spec that cannot be compiled; <see cref="Diagnostics"/> holds the generator's diagnostics as a build prints them.</summary>
public sealed class SpecException(string message, string[]? diagnostics = null) : Exception(message)
{
    /// <summary>Lines such as <c>my.ctc.yaml(12,11): error CTC0005: Unknown layer type 'lstn' (did you mean 'lstm'?)</c>.</summary>
    public string[] Diagnostics { get; } = diagnostics ?? Array.Empty<string>();
}
