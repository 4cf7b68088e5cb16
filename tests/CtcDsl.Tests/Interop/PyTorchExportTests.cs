using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Generator;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Interop;

/// <summary>
/// Issue 26: the package <c>ctcdsl export-pytorch</c> writes is the C# model in PyTorch. For every example
/// spec, the generated C# model (running statistics moved off their initial values by one training-mode
/// pass) saves its state dict; Debian's python3-torch builds the exported model, loads it strictly (same
/// names, same shapes) and computes the logits of a padded batch and of an unpadded one, which must equal
/// the C# model's within 1e-5, with the same output lengths. Then PyTorch draws its own weights with the
/// package's initialisers and saves them as train.py does; the C# model loads that state dict (names,
/// shapes and vocabulary checked) and reproduces PyTorch's logits and greedy paths.
/// </summary>
public sealed class PyTorchExportTests(ITestOutputHelper output) : IDisposable
{
    private const string Script = "tests/CtcDsl.Tests/Interop/exported_package_in_pytorch.py";
    private const double Tolerance = 1e-5;
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-export-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Every example spec, then the specs beside this test that cover what the examples leave out.</summary>
    public static TheoryData<string> Specs() =>
        new(Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .Concat(Directory.GetFiles(Coverage, "*.ctc.yaml").Select(f => Path.Combine("..", Path.GetRelativePath(RepositoryPaths.Root, f))).Order(StringComparer.Ordinal))!);

    private static string Coverage => Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.Tests", "Interop", "export-specs");

    /// <summary>The cases: valid lengths per example (the batch is as long as the first).</summary>
    private static readonly Dictionary<string, long[]> Cases = new()
    {
        ["padded"] = new long[] { 96, 79, 61 },
        ["unpadded"] = new long[] { 96, 96 },
    };

    [SkippableTheory]
    [MemberData(nameof(Specs))]
    public void Exported_model_computes_the_csharp_logits(string specFile)
    {
        PyTorchReference.SkipUnlessAvailable();
        var package = Export(specFile);

        var generated = new GeneratedModel(specFile);
        manual_seed(17);
        using var model = (nn.Module<Tensor, Tensor, Tensor>)generated.Create();
        var inputs = Cases.ToDictionary(c => c.Key, c => Inputs(c.Value, generated.FeatureSize));
        // One training-mode pass moves batch norm's running statistics off zeros and ones, so that eval mode
        // reads real statistics on both sides.
        model.train();
        using (no_grad()) model.call(inputs["padded"].Features, inputs["padded"].Lengths).Dispose();
        model.eval();
        generated.Invoke(model, "SaveStateDict", Path.Combine(directory, "csharp.pt"));
        foreach (var (name, (features, lengths)) in inputs)
        {
            PyTorchReference.Write(Path.Combine(directory, $"{name}.features.bin"), features);
            PyTorchReference.Write(Path.Combine(directory, $"{name}.lengths.bin"), lengths);
        }
        File.WriteAllText(Path.Combine(directory, "cases.txt"), string.Join("\n", Cases.Keys));

        PyTorchReference.Run(Script, directory, package, directory);

        foreach (var (name, (features, lengths)) in inputs)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var logits = model.call(features, lengths).to(ScalarType.Float64);
            var outLengths = (Tensor)generated.Invoke(model, "OutputLengths", lengths);
            var pythonLogits = PyTorchReference.Read(Path.Combine(directory, $"{name}.logits.bin"));
            var pythonLengths = PyTorchReference.Read(Path.Combine(directory, $"{name}.out_lengths.bin"));
            Assert.Equal(logits.shape, pythonLogits.shape);
            Assert.Equal(outLengths.data<long>().ToArray(), pythonLengths.to(ScalarType.Int64).data<long>().ToArray());
            var difference = (logits - pythonLogits).abs().max().item<double>();
            output.WriteLine($"{specFile} {name}: logits [{string.Join(", ", logits.shape)}], largest |C# − PyTorch| = {difference:E2}");
            Assert.True(difference <= Tolerance, $"{specFile} {name}: the exported model's logits differ from the C# model's by {difference:E2}");
        }

        // A subword spec's package is refused (CTC0029: it carries no pieces, so its state dict names no vocabulary
        // the C# model could check); its model is compared above, the way back has no user.
        if (generated.Vocabulary.Subwords is not null) return;

        // PyTorch's own weights, loaded by the C# model through LoadStateDict (identity, names and shapes checked).
        manual_seed(99);
        using var back = (nn.Module<Tensor, Tensor, Tensor>)generated.Create();
        back.eval();
        generated.Invoke(back, "LoadStateDict", Path.Combine(directory, "python.pt"));
        foreach (var (name, (features, lengths)) in inputs)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var logits = back.call(features, lengths).to(ScalarType.Float64);
            var expected = PyTorchReference.Read(Path.Combine(directory, $"{name}.python_logits.bin"));
            var difference = (logits - expected).abs().max().item<double>();
            output.WriteLine($"{specFile} {name}: PyTorch's weights in C#, largest |C# − PyTorch| = {difference:E2}");
            Assert.True(difference <= Tolerance, $"{specFile} {name}: with PyTorch's weights the C# logits differ by {difference:E2}");
            var valid = (Tensor)generated.Invoke(back, "OutputLengths", lengths);
            for (var b = 0; b < lengths.shape[0]; b++)
            {
                var frames = valid[b].item<long>();
                Assert.Equal(expected[b].narrow(0, 0, frames).argmax(-1).data<long>().ToArray(), logits[b].narrow(0, 0, frames).argmax(-1).data<long>().ToArray());
            }
        }
    }

    /// <summary>Random features, the padding frames holding other random values (which must not matter).</summary>
    private static (Tensor Features, Tensor Lengths) Inputs(long[] lengths, int width)
    {
        var features = randn(lengths.Length, lengths[0], width);
        for (var b = 0; b < lengths.Length; b++)
            if (lengths[b] < lengths[0]) features[b].narrow(0, lengths[b], lengths[0] - lengths[b]).mul_(5.0);
        return (features, tensor(lengths));
    }

    /// <summary>The spec's package in <c>directory/package</c>; CTC0029 (training options the trainer lacks) leaves the model file complete.</summary>
    private string Export(string specFile)
    {
        var path = Path.Combine(RepositoryPaths.Specs, specFile);
        var result = PyTorchExport.Export(path, File.ReadAllText(path));
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Id != "CTC0029");
        Assert.NotEmpty(result.Files);
        var package = Path.Combine(directory, "package");
        Directory.CreateDirectory(package);
        foreach (var file in result.Files) File.WriteAllText(Path.Combine(package, file.Key), file.Value);
        return package;
    }
}
