using System.IO;
using System.Linq;
using CtcDsl.Generator;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// CTC0029: what the exported PyTorch trainer lacks is said when the package is exported, by name, from the
/// generator's catalogue — never at run time on a cluster, and never on a build (the C# model has it all).
/// </summary>
public class PyTorchExportDiagnosticTests
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));

    private static string SeedWith(string find, string replace)
    {
        Assert.Contains(find, Seed);
        return Seed.Replace(find, replace);
    }

    private static PyTorchPackage Export(string yaml) => PyTorchExport.Export("/specs/test.ctc.yaml", yaml);

    [Fact]
    public void The_seed_spec_exports_a_complete_package_without_diagnostics()
    {
        var package = Export(Seed);
        Assert.Empty(package.Diagnostics);
        Assert.True(package.Succeeded);
        Assert.Equal(new[] { "__init__.py", "ctcdsl_nn.py", "model.py", "spec.json", "train.py" }, package.Files.Select(f => f.Key).Order());
        var model = package.Files.Single(f => f.Key == "model.py").Value;
        Assert.Contains("MODEL_NAME = \"Ldc93s1Model\"", model);
        Assert.Contains("self.rnn = nn.LSTM(13, 50, num_layers=1, batch_first=True)", model);
    }

    [Theory]
    [InlineData("  shuffle: true", "  shuffle: true\n  early_stopping: { monitor: loss, patience: 3 }", "training.early_stopping")]
    [InlineData("  shuffle: true", "  shuffle: true\n  non_finite_loss: skip", "training.non_finite_loss: skip")]
    [InlineData("normalize: utterance", "normalize: global", "features.normalize: global")]
    [InlineData("name: rnn", "name: run", "a layer named 'run'")] // the model's own run(), hidden by an attribute
    [InlineData("name: rnn", "name: float", "a layer named 'float'")] // nn.Module.float()
    public void An_option_without_a_PyTorch_counterpart_is_CTC0029_at_export_and_nothing_on_a_build(string find, string replace, string option)
    {
        var yaml = SeedWith(find, replace);
        Assert.Empty(GeneratorHarness.Diagnose(yaml)); // a build is unaffected

        var package = Export(yaml);
        var diagnostic = Assert.Single(package.Diagnostics);
        Assert.Equal("CTC0029", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(option, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("/specs/test.ctc.yaml", diagnostic.Location.GetLineSpan().Path);
        Assert.False(package.Succeeded); // ctcdsl export-pytorch writes nothing
    }

    [Fact]
    public void A_subword_vocabulary_is_CTC0029_at_export_naming_its_type()
    {
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "conformer-ctc-bpe.ctc.yaml"));
        Assert.Empty(GeneratorHarness.Diagnose(yaml));

        var package = Export(yaml);
        Assert.All(package.Diagnostics, d => Assert.Equal("CTC0029", d.Id)); // its global normalisation is the other
        Assert.Contains(package.Diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("vocabulary.type: bpe"));
        Assert.False(package.Succeeded);
    }

    [Fact]
    public void A_spec_error_prints_no_package()
    {
        var package = Export(SeedWith("    units: 50", "    unitz: 50"));
        Assert.Contains(package.Diagnostics, d => d.Id == "CTC0002");
        Assert.Empty(package.Files);
        Assert.False(package.Succeeded);
    }
}
