using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Xunit;

namespace CtcDsl.Tests.Support;

/// <summary>Runs tests/CtcDsl.FreshProcess (built by the test project) as a child process.</summary>
internal static class FreshProcess
{
    /// <summary>The program's build output, in the configuration these tests were built in.</summary>
    public static string Assembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<configuration>/net10.0
            var path = Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.FreshProcess", "bin", configuration, "net10.0", "CtcDsl.FreshProcess.dll");
            Assert.True(File.Exists(path), $"{path} is missing: the test project builds it (ProjectReference).");
            return path;
        }
    }

    /// <summary>Runs the program with <paramref name="arguments"/> and, unless the environment says otherwise, one intra-op thread (equal then means bit-equal); returns its exit code and output.</summary>
    public static (int ExitCode, string Output) Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var settings = new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "1", ["CTCDSL_DEBUG"] = null, ["LD_PRELOAD"] = null, ["OMP_NUM_THREADS"] = null, ["MKL_NUM_THREADS"] = null };
        foreach (var (name, value) in environment) settings[name] = value;
        return Dotnet(Assembly, settings, arguments);
    }

    /// <summary>Runs <c>dotnet <paramref name="assembly"/></c> with <paramref name="environment"/> applied (null removes a variable); returns its exit code and its output and error output.</summary>
    public static (int ExitCode, string Output) Dotnet(string assembly, IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        DotnetIn(null, assembly, environment, arguments);

    /// <summary>As <see cref="Dotnet"/>, in <paramref name="workingDirectory"/> (null: this process's).</summary>
    public static (int ExitCode, string Output) DotnetIn(string? workingDirectory, string assembly, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name);
            else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }
}
