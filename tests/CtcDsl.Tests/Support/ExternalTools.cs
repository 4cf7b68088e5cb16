using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;

namespace CtcDsl.Tests.Support;

/// <summary>
/// Reference programs the audio tests compare against (Debian's <c>flac</c>, <c>lame</c>, <c>mpg123</c>, <c>ffmpeg</c>, <c>sox</c>).
/// A test that needs one skips on a machine without it, and fails when CTCDSL_REQUIRE_TOOLS=1 (CI
/// installs them), so the comparisons can never be skipped silently there.
/// </summary>
internal static class ExternalTools
{
    /// <summary>The full path of <paramref name="tool"/> on PATH; skips (or fails in CI) when it is absent.</summary>
    public static string Require(string tool)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, tool)).FirstOrDefault(File.Exists);
        if (found is null && Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_TOOLS") == "1")
            Assert.Fail($"CTCDSL_REQUIRE_TOOLS=1 but '{tool}' is not installed (apt-get install {tool}).");
        Skip.If(found is null, $"'{tool}' is not installed (apt-get install {tool}).");
        return found!;
    }

    /// <summary>Runs <paramref name="tool"/> with its standard output written to <paramref name="outputPath"/> (a pipe, as in <c>tool | ...</c>).</summary>
    public static void RunToFile(string tool, string outputPath, params string[] arguments)
    {
        var start = new ProcessStartInfo(Require(tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        using (var output = File.Create(outputPath)) process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(" ", arguments)} exited with {process.ExitCode}: {error.Result}");
    }

    /// <summary>Runs <paramref name="tool"/>; fails the test with its error output when it exits non-zero.</summary>
    public static void Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(Require(tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(" ", arguments)} exited with {process.ExitCode}: {error.Result}");
    }
}
