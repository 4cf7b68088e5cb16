using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// <c>layer_norm</c>: its options reach the generated module, bad options are diagnosed at their YAML
/// node, and the module the generated model builds equals PyTorch's <c>nn.LayerNorm</c> on the same weights.
/// </summary>
public sealed class LayerNormTests : IDisposable
{
    private const string Spec = """
        name: Normed
        vocabulary: { tokens: " ab", blank: last }
        inputs:
          features: { kind: features, shape: [time, 6], dtype: float32 }
          labels: { kind: labels }
        layers:
          - { type: layer_norm, name: plain }
          - { type: layer_norm, name: tight, epsilon: 0.001, elementwise_affine: false }
          - { type: dense, name: logits, units: classes }
        ctc: { logits: logits, labels: labels }
        training: { optimizer: { type: adam, learning_rate: 0.001 }, epochs: 1 }
        """;

    private const string Python = "/usr/bin/python3";
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-layernorm-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void Generated_code()
    {
        var (result, output) = GeneratorHarness.Run(("/specs/normed.ctc.yaml", Spec));
        Assert.Empty(result.Diagnostics);
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity >= DiagnosticSeverity.Warning);
        Snapshot.Verify(Assert.Single(result.GeneratedTrees).ToString(), "normed");
    }

    [Theory]
    [InlineData("epsilon: 0", "CTC0010", "0")]
    [InlineData("epsilon: -1e-5", "CTC0010", "-1e-5")]
    [InlineData("epsilon: small", "CTC0003", "small")]
    [InlineData("epsilon: .inf", "CTC0003", ".inf")]
    [InlineData("elementwise_affine: yes", "CTC0003", "yes")]
    [InlineData("eps: 0.001", "CTC0002", "eps")]
    public void Bad_options_are_diagnosed_where_they_are(string option, string id, string at)
    {
        var yaml = Spec.Replace("{ type: layer_norm, name: plain }", $"{{ type: layer_norm, name: plain, {option} }}");
        var diagnostic = Assert.Single(GeneratorHarness.Diagnose(yaml), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(id, diagnostic.Id);
        var line = yaml.Split('\n').Select((text, index) => (text, index)).Single(l => l.text.Contains("name: plain", StringComparison.Ordinal));
        var position = diagnostic.Location.GetLineSpan().StartLinePosition;
        Assert.Equal((line.index, line.text.IndexOf(at, StringComparison.Ordinal)), (position.Line, position.Character));
        if (id == "CTC0002") Assert.Contains("epsilon", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    /// <summary>Both generated modules (default and explicit options) against torch.nn.LayerNorm, padded frames included.</summary>
    [SkippableFact]
    public void Equals_pytorch_layer_norm()
    {
        var available = File.Exists(Python) && Run("-c \"import torch\"").ExitCode == 0;
        if (!available && Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_PYTORCH") == "1")
            Assert.Fail("CTCDSL_REQUIRE_PYTORCH=1 but /usr/bin/python3 cannot import torch (apt-get install python3-torch).");
        Skip.IfNot(available, "PyTorch for /usr/bin/python3 is not installed (apt-get install python3-torch).");

        var specPath = Path.Combine(directory, "normed.ctc.yaml");
        File.WriteAllText(specPath, Spec);
        var modelType = GeneratorHarness.Load(specPath).GetTypes().Single(t => t.Name == "NormedModel");
        manual_seed(5);
        using var model = (nn.Module)Activator.CreateInstance(modelType, new object?[] { CPU })!;
        var plain = Field(model, "plain");
        var tight = Field(model, "tight");
        Assert.Empty(tight.parameters());
        var parameters = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        using (no_grad())
        {
            // Weights away from their initial 1 and 0, so a dropped scale or shift shows.
            parameters["weight"].copy_(randn(6) + 1.5);
            parameters["bias"].copy_(randn(6));
        }
        // A frame of constant values too, where epsilon alone keeps the division finite.
        using var x = randn(2, 5, 6) * 3 + 1;
        x[1, 4] = full(6, 2.5f);
        using var expectedInput = x.clone();

        Write("x", x);
        Write("weight", parameters["weight"]);
        Write("bias", parameters["bias"]);
        var script = """
            import numpy as np, torch
            def read(name):
                shape = [int(s) for s in open(name + '.shape').read().split()]
                return torch.from_numpy(np.fromfile(name, dtype='<f4').reshape(shape).copy())
            x = read('x')
            plain = torch.nn.LayerNorm(6)
            with torch.no_grad():
                plain.weight.copy_(read('weight'))
                plain.bias.copy_(read('bias'))
            tight = torch.nn.LayerNorm(6, eps=0.001, elementwise_affine=False)
            with torch.no_grad():
                plain(x).numpy().astype('<f4').tofile('plain')
                tight(x).numpy().astype('<f4').tofile('tight')
            """;
        File.WriteAllText(Path.Combine(directory, "layer_norm.py"), script.Replace("\r\n", "\n"));
        var python = Run("layer_norm.py");
        Assert.True(python.ExitCode == 0, python.Output);

        using (no_grad())
        {
            AssertClose(Read("plain", x.shape), plain.call(x));
            AssertClose(Read("tight", x.shape), tight.call(x));
        }
        Assert.Equal(0f, (x - expectedInput).abs().max().item<float>()); // the modules leave their input alone
    }

    private static nn.Module<Tensor, Tensor> Field(nn.Module model, string name) =>
        (nn.Module<Tensor, Tensor>)model.GetType().GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(model)!;

    private static void AssertClose(Tensor expected, Tensor actual)
    {
        var largest = (expected - actual).abs().max().item<float>();
        Assert.True(largest <= 1e-5, $"largest difference from PyTorch {largest}");
    }

    private void Write(string name, Tensor tensor)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, tensor.detach().contiguous().data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        File.WriteAllText(path + ".shape", string.Join(" ", tensor.shape));
    }

    private Tensor Read(string name, long[] shape)
    {
        var bytes = File.ReadAllBytes(Path.Combine(directory, name));
        return tensor(Enumerable.Range(0, bytes.Length / 4).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray(), shape);
    }

    private (int ExitCode, string Output) Run(string arguments)
    {
        var start = new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
