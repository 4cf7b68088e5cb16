using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Interop;

/// <summary>
/// A model trained here loads in real PyTorch and back: the seed model's state dict goes to
/// Debian's python3-torch, which rebuilds the same architecture by hand, checks the logits, edits
/// the weights and saves them with <c>torch.save</c>; the generated model loads that file and
/// reproduces PyTorch's logits. Needs /usr/bin/python3 with torch (CI installs python3-torch and sets
/// CTCDSL_REQUIRE_PYTORCH=1, turning a skip into a failure).
/// </summary>
public sealed class PyTorchInteropTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-pytorch-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static bool PyTorchAvailable()
    {
        if (!File.Exists(Python)) return false;
        using var probe = Process.Start(new ProcessStartInfo(Python, "-c \"import torch\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static void Write(string path, Tensor tensor)
    {
        File.WriteAllBytes(path, tensor.contiguous().data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        File.WriteAllText(path + ".shape", string.Join(" ", tensor.shape));
    }

    private static Tensor Read(string path)
    {
        var shape = File.ReadAllText(path + ".shape").Split(' ').Select(long.Parse).ToArray();
        var bytes = File.ReadAllBytes(path);
        var values = Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
        return tensor(values, shape);
    }

    [SkippableFact]
    public void State_dict_loads_in_pytorch_and_back()
    {
        var available = PyTorchAvailable();
        if (!available && Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_PYTORCH") == "1")
            Assert.Fail("CTCDSL_REQUIRE_PYTORCH=1 but /usr/bin/python3 cannot import torch (apt-get install python3-torch).");
        Skip.IfNot(available, "PyTorch for /usr/bin/python3 is not installed (apt-get install python3-torch).");

        manual_seed(3);
        using var model = new Ldc93s1Model(CPU);
        model.eval();
        using var features = randn(2, 40, Ldc93s1Model.FeatureSize);
        using var lengths = tensor(new long[] { 40, 40 });
        using (no_grad())
        using (var logits = model.forward(features, lengths))
        {
            Write(Path.Combine(directory, "features.bin"), features);
            Write(Path.Combine(directory, "expected.bin"), logits);
        }
        model.SaveStateDict(Path.Combine(directory, "model.pt"));

        var script = Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.Tests", "Interop", "seed_model_in_pytorch.py");
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in new[] { script, "model.pt", "features.bin", "expected.bin", "halved.pt", "halved.bin" }) start.ArgumentList.Add(argument);
        using (var python = Process.Start(start)!)
        {
            var output = python.StandardOutput.ReadToEnd() + python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, output);
            Assert.Contains("ok", output);
        }

        manual_seed(4);
        using var back = new Ldc93s1Model(CPU);
        back.eval();
        back.LoadStateDict(Path.Combine(directory, "halved.pt"));
        using var expected = Read(Path.Combine(directory, "halved.bin"));
        using (no_grad())
        using (var logits = back.forward(features, lengths))
            Assert.True((logits - expected).abs().max().item<float>() < 1e-4f);
    }
}
