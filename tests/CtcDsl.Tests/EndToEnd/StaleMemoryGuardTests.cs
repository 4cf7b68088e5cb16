using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// The guard for issue 20's class of fault — native code reading memory it never wrote, so that
/// results depend on what the heap held before: every example spec trains a few steps (twice, with
/// full collections in between) in a child process whose every malloc and aligned allocation comes
/// back filled with 0xFF bytes (NaN as a float), and again with nothing poisoned. Both runs must give
/// finite losses, the two passes of each must agree bit for bit, and so must the two runs. Before the
/// allocator fix the conv1d specs gave NaN here on every run, on any Linux machine.
/// </summary>
public class StaleMemoryGuardTests
{
    [SkippableFact]
    public void Every_example_spec_trains_the_same_with_every_allocation_poisoned()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "LD_PRELOAD poisoning needs Linux's dynamic loader.");
        var compiler = ExternalTools.Require("cc");
        var guard = GuardAssembly();
        var library = Path.Combine(Path.GetTempPath(), $"ctcdsl-poison-{Environment.ProcessId}.so");
        try
        {
            ExternalTools.Run(compiler, "-shared", "-fPIC", "-O2", "-o", library, Path.Combine(Path.GetDirectoryName(guard)!, "poison_alloc.c"));

            var clean = RunGuard(guard, poison: null);
            var poisoned = RunGuard(guard, poison: library);

            var specs = Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml").Length;
            Assert.True(clean.Split('\n').Count(l => l.Contains(" pass 1: ", StringComparison.Ordinal)) >= specs, $"Not every spec was trained:\n{clean}");
            Assert.Equal(clean, poisoned);
        }
        finally
        {
            File.Delete(library);
        }
    }

    private static string RunGuard(string guard, string? poison)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(guard);
        // One thread: the same reductions in both runs, so equal means bit-equal.
        start.Environment["CTCDSL_THREADS"] = "1";
        start.Environment.Remove("CTCDSL_ZERO_FILL");
        if (poison is not null)
        {
            start.Environment["LD_PRELOAD"] = poison;
            start.Environment["POISON_BYTE"] = "255";
        }
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var what = poison is null ? "The guard" : "The guard with every allocation poisoned";
        Assert.True(process.ExitCode == 0, $"{what} failed (exit {process.ExitCode}):\n{output}\n{error.Result}");
        return output;
    }

    /// <summary>tests/CtcDsl.MemoryGuard's build output, in the configuration these tests were built in.</summary>
    private static string GuardAssembly()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<configuration>/net10.0
        var path = Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.MemoryGuard", "bin", configuration, "net10.0", "CtcDsl.MemoryGuard.dll");
        Assert.True(File.Exists(path), $"{path} is missing: the test project builds it (ProjectReference).");
        return path;
    }
}
