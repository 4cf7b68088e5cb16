using System;
using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// A spec with errors generates placeholder types under its model's names (issue 22): user code that
/// uses the model keeps compiling, so the spec's CTC diagnostics are the only errors of the build, and
/// the placeholders throw, naming the spec, if they are ever run.
/// </summary>
public class PlaceholderTests
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));
    private static readonly string Synthetic = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "synthetic.ctc.yaml"));

    /// <summary>The README's use of the seed model, every generated member it touches.</summary>
    private const string SeedUser = """
        using CtcDsl.Models;
        using CtcDsl.Runtime.Training;
        using TorchSharp;
        public static class User
        {
            public static void Main()
            {
                var features = new float[1, 13];
                var examples = new[] { Ldc93s1Example.FromTranscript(features, "she had") , new Ldc93s1Example(features, new[] { 1 }) };
                using var model = new Ldc93s1Model();
                TrainingHistory history = model.Fit(examples, validation: examples, Ldc93s1Model.DefaultFitOptions with { Epochs = 1 });
                string[] text = model.Transcribe(new[] { features });
                using var batch = Ldc93s1Batch.Collate(examples, model.Device);
                torch.Tensor logits = model.forward(batch.Features, batch.FeatureLengths);
                using TrainingOutput step = model.Evaluate(batch);
                System.Console.Write(model.Report(examples).ToText());
                System.Console.Write(Ldc93s1Model.Vocabulary.TokenCount + Ldc93s1Model.FeatureSize + Ldc93s1Model.ClassCount + Ldc93s1Model.BlankIndex + Ldc93s1Model.OutputFrames(10));
            }
        }
        """;

    /// <summary>An audio spec's model used through its audio members.</summary>
    private const string SyntheticUser = """
        using CtcDsl.Models;
        public static class User
        {
            public static string Run(string path)
            {
                using var model = new SyntheticModel();
                var settings = SyntheticModel.FrontEndSettings;
                return model.TranscribeLong(path).Text + settings + SyntheticModel.Transcripts;
            }
        }
        """;

    private static (Diagnostic[] Generator, Diagnostic[] Compiler, SyntaxTree[] Trees) Build(string yaml, string user, string path = "/specs/test.ctc.yaml")
    {
        var driver = GeneratorHarness.Driver().AddAdditionalTexts(System.Collections.Immutable.ImmutableArray.Create<AdditionalText>(new GeneratorHarness.InMemoryText(path, yaml)));
        driver = driver.RunGeneratorsAndUpdateCompilation(GeneratorHarness.Compilation(user), out var output, out _);
        var result = driver.GetRunResult();
        return (result.Diagnostics.ToArray(), output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray(), result.GeneratedTrees.ToArray());
    }

    [Fact]
    public void The_valid_seed_and_its_user_code_compile()
    {
        var compiler = Build(Seed, SeedUser).Compiler;
        Assert.True(compiler.Length == 0, string.Join("\n", compiler.Take(5)));
    }

    [Theory]
    [InlineData("units: 50", "units: 0", "CTC0010")]                 // a value out of range
    [InlineData("epochs: 400", "epocs: 400", "CTC0002")]            // a misspelt key
    [InlineData("type: lstm", "type: lstn", "CTC0005")]              // an unknown layer type
    public void A_spec_error_is_the_only_error_in_the_build(string find, string replace, string id)
    {
        Assert.Contains(find, Seed);
        var (generator, compiler, trees) = Build(Seed.Replace(find, replace), SeedUser);
        Assert.Contains(generator, d => d.Id == id && d.Severity == DiagnosticSeverity.Error);
        Assert.True(compiler.Length == 0, "the user's code did not compile against the placeholders:\n" + string.Join("\n", compiler.Take(5)));
        Assert.True(StrictCompile.IsPlaceholder(Assert.Single(trees)));
    }

    [Fact]
    public void A_yaml_syntax_error_still_keeps_user_code_compiling()
    {
        var yaml = Seed.Replace("tokens: \" abcdefghijklmnopqrstuvwxyz\"", "tokens: [a, b");
        Assert.NotEqual(Seed, yaml);
        var (generator, compiler, _) = Build(yaml, SeedUser);
        Assert.Contains(generator, d => d.Id == "CTC0001");
        Assert.Empty(compiler);
    }

    [Fact]
    public void An_audio_specs_placeholders_keep_the_audio_members()
    {
        Assert.Contains("epochs:", Synthetic);
        var (generator, compiler, _) = Build(Synthetic.Replace("epochs:", "epoks:"), SyntheticUser, "/specs/synthetic.ctc.yaml");
        Assert.Contains(generator, d => d.Id == "CTC0002");
        Assert.Empty(compiler);
    }

    [Fact]
    public void Without_placeholders_user_code_would_cascade()
    {
        // The guard's premise: a spec whose name is not a C# name generates nothing, and then the user's
        // code fails on every use of the model (what every spec error did before).
        var (generator, compiler, trees) = Build(Seed.Replace("name: Ldc93s1", "name: 3rd"), SeedUser);
        Assert.Contains(generator, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Empty(trees);
        Assert.Contains(compiler, d => d.Id is "CS0246" or "CS0234" or "CS0103");
    }

    [Fact]
    public void A_placeholder_throws_naming_the_spec()
    {
        var (_, _, trees) = Build(Seed.Replace("units: 50", "units: 0"), "", "/specs/broken.ctc.yaml");
        var compilation = GeneratorHarness.Compilation().AddSyntaxTrees(trees).WithAssemblyName("Placeholder_" + Guid.NewGuid().ToString("N"));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        var assembly = System.Runtime.Loader.AssemblyLoadContext.Default.LoadFromStream(new MemoryStream(image.ToArray()));
        var model = assembly.GetType("CtcDsl.Models.Ldc93s1Model")!;
        var thrown = Assert.Throws<System.Reflection.TargetInvocationException>(() => Activator.CreateInstance(model, new object?[] { null }));
        var error = Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.Contains("broken.ctc.yaml has errors", error.Message);
        var vocabulary = Assert.Throws<System.Reflection.TargetInvocationException>(() => model.GetProperty("Vocabulary")!.GetValue(null));
        Assert.IsType<InvalidOperationException>(vocabulary.InnerException);
    }
}
