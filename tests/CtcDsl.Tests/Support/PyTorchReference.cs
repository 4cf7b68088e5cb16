using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Support;

/// <summary>
/// Runs a Python script under Debian's <c>/usr/bin/python3</c> with torch (python3-torch) and exchanges
/// tensors with it as raw little-endian float64 files (exact for float32 and float64 tensors alike), each with a <c>.shape</c> file of its sizes.
/// Tests skip when PyTorch is missing, or fail when CI sets <c>CTCDSL_REQUIRE_PYTORCH=1</c>.
/// </summary>
internal static class PyTorchReference
{
    private const string Python = "/usr/bin/python3";
    private static readonly Lazy<bool> Installed = new(Probe);

    /// <summary>Skips the calling test without PyTorch, or fails it when PyTorch is required.</summary>
    public static void SkipUnlessAvailable()
    {
        if (!Installed.Value && Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_PYTORCH") == "1")
            Assert.Fail("CTCDSL_REQUIRE_PYTORCH=1 but /usr/bin/python3 cannot import torch (apt-get install python3-torch).");
        Skip.IfNot(Installed.Value, "PyTorch for /usr/bin/python3 is not installed (apt-get install python3-torch).");
    }

    /// <summary>Runs <paramref name="script"/> (a path under the repository) with <paramref name="arguments"/>; fails the test unless it exits 0 and prints <c>ok</c>.</summary>
    public static void Run(string script, string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, script));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // One thread: the machine is shared, and the reference is small.
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var python = Process.Start(start)!;
        var error = python.StandardError.ReadToEndAsync();
        var output = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        Assert.True(python.ExitCode == 0 && output.Contains("ok"), output + error.Result);
    }

    /// <summary>Writes <paramref name="tensor"/> as float64 to <paramref name="path"/> and its sizes to <c>path.shape</c>.</summary>
    public static void Write(string path, Tensor tensor)
    {
        using var values = tensor.detach().to(ScalarType.Float64).cpu().contiguous();
        File.WriteAllBytes(path, values.data<double>().ToArray().SelectMany(BitConverter.GetBytes).ToArray());
        File.WriteAllText(path + ".shape", string.Join(" ", tensor.shape));
    }

    /// <summary>Reads what <see cref="Write"/> (or the script) wrote, as a float64 tensor.</summary>
    public static Tensor Read(string path)
    {
        var shape = File.ReadAllText(path + ".shape").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        var bytes = File.ReadAllBytes(path);
        var values = Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToDouble(bytes, i * 8)).ToArray();
        return tensor(values, shape);
    }

    private static bool Probe()
    {
        if (!File.Exists(Python)) return false;
        using var probe = Process.Start(new ProcessStartInfo(Python, "-c \"import torch\"") { RedirectStandardError = true, RedirectStandardOutput = true })!;
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }
}
