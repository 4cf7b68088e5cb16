using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>The README's example of the generated API compiles against the generated seed model.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void Readme_csharp_example_compiles()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var code = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("Ldc93s1Model", code);

        var references = GeneratorHarness.References.Add(MetadataReference.CreateFromFile(typeof(CtcDsl.Models.Ldc93s1Model).Assembly.Location));
        var compilation = CSharpCompilation.Create("ReadmeExample",
            new[] { CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest)) },
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}
