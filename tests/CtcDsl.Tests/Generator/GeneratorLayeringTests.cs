using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// The generator's folders depend one way (docs/development.md, "Generator folders"): each folder uses only
/// the folders listed for it below, so there is no cycle and a new layer kind touches one folder. The
/// check binds every name in the generator's sources with Roslyn and maps what it names to the folder
/// of the file that declares it, so a fully qualified name or an extension method counts as much as a
/// <c>using</c>.
/// </summary>
public class GeneratorLayeringTests
{
    /// <summary>Each folder and the folders it may use, from the bottom up ("" is the pipeline file at the root).</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        // The spec language's facts, compiled into the runtime too: they use nothing of the generator.
        ["SpecFacts"] = [],
        // C# naming and literals.
        ["CSharp"] = [],
        // The plan records the analysis produces and the emitter prints.
        ["Model"] = ["SpecFacts"],
        ["Diagnostics"] = ["Model"],
        // YAML with spans, and bounds on what a spec may say.
        ["Parsing"] = ["Diagnostics", "Model"],
        // One file per layer kind: reading, validation, lengths, and the C# it prints.
        ["Layers"] = ["Parsing", "Diagnostics", "Model", "CSharp", "SpecFacts"],
        ["Analysis"] = ["Layers", "Parsing", "Diagnostics", "Model", "CSharp", "SpecFacts"],
        // Prints a plan: never reads YAML or analyses.
        ["Emitting"] = ["Layers", "Model", "CSharp"],
        [""] = ["Analysis", "Emitting", "Layers", "Parsing", "Diagnostics", "Model", "CSharp", "SpecFacts"],
    };

    [Fact]
    public void Generator_folders_depend_one_way()
    {
        var generator = Path.Combine(RepositoryPaths.Root, "generator");
        var files = Directory.EnumerateFiles(generator, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(generator, f)))
            .Select(f => (Folder: TopFolder(Path.GetRelativePath(generator, f)), Path: f))
            .Concat(Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "runtime", "SpecFacts"), "*.cs").Select(f => (Folder: "SpecFacts", Path: f)))
            .Select(f => new SourceFile(f.Folder, f.Path, File.ReadAllText(f.Path)))
            .ToList();
        Assert.Contains(files, f => f.Folder == "Layers");
        var unknown = files.Select(f => f.Folder).Distinct().Where(f => !Allowed.ContainsKey(f)).ToList();
        Assert.True(unknown.Count == 0, $"generator folders without a place in the order (add them to {nameof(Allowed)} and docs/development.md): {string.Join(", ", unknown)}");

        var violations = Violations(files);
        Assert.True(violations.Count == 0, "dependencies against the folder order:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void The_check_finds_a_back_edge()
    {
        var files = new[]
        {
            new SourceFile("Model", "Model/Plan.cs", "namespace CtcDsl.Generator.Model; internal sealed record Plan(int Width) { public string Text => CtcDsl.Generator.Emitting.Printer.Print(this); }"),
            new SourceFile("Emitting", "Emitting/Printer.cs", "using CtcDsl.Generator.Model; namespace CtcDsl.Generator.Emitting; internal static class Printer { public static string Print(Plan plan) => plan.Width.ToString(); }"),
            new SourceFile("Parsing", "Parsing/Reader.cs", "using CtcDsl.Generator.Analysis; namespace CtcDsl.Generator.Parsing; internal static class Reader { }"),
        };
        var violations = Violations(files);
        Assert.Contains(violations, v => v.StartsWith("Model/Plan.cs", StringComparison.Ordinal) && v.Contains("Emitting", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Parsing/Reader.cs", StringComparison.Ordinal) && v.Contains("using CtcDsl.Generator.Analysis", StringComparison.Ordinal));
        Assert.DoesNotContain(violations, v => v.StartsWith("Emitting/", StringComparison.Ordinal));
    }

    internal sealed record SourceFile(string Folder, string Path, string Text);

    /// <summary>Each use of a folder that the using file's folder may not use, as "file:line: folder → folder (name)".</summary>
    internal static List<string> Violations(IReadOnlyList<SourceFile> files)
    {
        var options = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(f.Text, options, f.Path)).ToList();
        var folderOf = trees.Zip(files, (tree, file) => (tree, file.Folder)).ToDictionary(p => p.tree, p => p.Folder);
        var compilation = CSharpCompilation.Create("LayeringCheck", trees, References.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var violations = new List<string>();
        foreach (var tree in trees)
        {
            var from = folderOf[tree];
            var allowed = Allowed.TryGetValue(from, out var a) ? a : [];
            var model = compilation.GetSemanticModel(tree);
            var root = tree.GetRoot();

            // Imports count even when nothing uses them.
            foreach (var directive in root.DescendantNodes().OfType<UsingDirectiveSyntax>())
            {
                var to = FolderOfNamespace(directive.Name?.ToString());
                if (to is not null && to != from && !allowed.Contains(to))
                    violations.Add($"{Where(tree, directive)}: {Name(from)} → {Name(to)} (using {directive.Name})");
            }

            foreach (var name in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(name);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                var declaring = DeclaringTree(symbol);
                if (declaring is null || !folderOf.TryGetValue(declaring, out var to) || to == from || allowed.Contains(to)) continue;
                violations.Add($"{Where(tree, name)}: {Name(from)} → {Name(to)} ({name.Identifier.Text})");
            }
        }
        return violations.Distinct().ToList();
    }

    /// <summary>The file declaring the type that <paramref name="symbol"/> is or belongs to (null outside the sources).</summary>
    private static SyntaxTree? DeclaringTree(ISymbol? symbol)
    {
        if (symbol is null or INamespaceSymbol) return null;
        if (symbol is IMethodSymbol { ReducedFrom: { } extension }) symbol = extension;
        var type = symbol as INamedTypeSymbol ?? symbol.ContainingType;
        return type?.OriginalDefinition.Locations.FirstOrDefault(l => l.IsInSource)?.SourceTree;
    }

    private static string? FolderOfNamespace(string? ns)
    {
        if (ns is null) return null;
        if (ns == "CtcDsl.SpecFacts") return "SpecFacts";
        const string prefix = "CtcDsl.Generator.";
        return ns.StartsWith(prefix, StringComparison.Ordinal) ? ns.Substring(prefix.Length).Split('.')[0] : null;
    }

    private static string TopFolder(string relative)
    {
        var parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Length == 1 ? "" : parts[0];
    }

    private static bool IsBuildOutput(string relative) => relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string Name(string folder) => folder.Length == 0 ? "(root)" : folder;

    private static string Where(SyntaxTree tree, SyntaxNode node) => $"{tree.FilePath}:{node.GetLocation().GetLineSpan().StartLinePosition.Line + 1}";

    /// <summary>What the generator compiles against, near enough to bind its names: this process's platform and packages, less the generator and runtime themselves.</summary>
    private static readonly Lazy<IReadOnlyList<MetadataReference>> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is not ("CtcDsl.Generator.dll" or "CtcDsl.Runtime.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList());
}
